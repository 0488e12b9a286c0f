"""Post import: paragraphs reporting incidents become draft events with places, units, types and actors."""

from __future__ import annotations

from conftest import shared_file
from sqlalchemy import func, select

from workbench.db import ArchiveQueue, Event
from workbench.events import incidents, posts

SHORT = """Syria live, day 3

HOMS: Regime artillery shelling on Baba Amr since dawn, at least five killed.

Colonel Ahmad Hamdan defected in Idleb with twenty soldiers; footage at https://example.org/v/1 shows his statement.

If the talks fail, rebels could storm Latakia and bomb the port.

A car bomb exploded near the security branch in Deir el-Zour. https://example.org/v/2

Readers write that the weather in Damascus is cold.
"""


def drafts_by_para(result):
    return {d.paragraph: d for d in result.drafts}


def test_short_text_post(ws, tmp_path):
    path = tmp_path / "post.txt"
    path.write_text(SHORT, encoding="utf-8")
    with ws.session() as s:
        result = posts.import_post(s, path, "amal")
    d = drafts_by_para(result)
    assert sorted(d) == [2, 3, 5]  # the title, the hypothetical and the weather are not incidents
    assert (d[2].event_type, d[2].sub_event_type, d[2].location) == (
        "Explosions/Remote violence", "Shelling/artillery/missile attack", "Homs")
    assert (d[3].sub_event_type, d[3].location, d[3].actors) == ("Defection", "Idlib", ["Colonel Ahmad Hamdan"])
    assert (d[5].sub_event_type, d[5].location) == ("Remote explosive/landmine/IED", "Deir ez-Zor")
    assert result.queued == ["https://example.org/v/1", "https://example.org/v/2"]
    with ws.session() as s:
        event = incidents.get_event(s, d[3].event_id)
        assert event.status == "draft" and event.actor1 == "Colonel Ahmad Hamdan"
        assert [link.url for link in event.links] == ["https://example.org/v/1"]
        assert event.admin1 == "Idlib" and event.time_precision == 3 and "check it" in event.notes
        queue = s.scalars(select(ArchiveQueue).order_by(ArchiveQueue.id)).all()
        assert [(q.url, q.event_id, q.state) for q in queue] == [
            ("https://example.org/v/1", d[3].event_id, "queued"), ("https://example.org/v/2", d[5].event_id, "queued")]
        assert incidents.list_events(s, status="accepted")[0] == 0  # drafts stay drafts


def test_reimport_does_not_duplicate(ws, tmp_path):
    path = tmp_path / "post.txt"
    path.write_text(SHORT, encoding="utf-8")
    with ws.session() as s:
        posts.import_post(s, path, "amal")
    with ws.session() as s:
        again = posts.import_post(s, path, "amal")
        assert {d.status for d in again.drafts} == {"exists"} and again.queued == []
        assert s.scalar(select(func.count()).select_from(Event)) == 3


def test_html_post(ws, tmp_path):
    html = """<html><head><style>p {color: red}</style><script>var clashes = 1;</script></head><body>
    <h1>Live</h1>
    <p>DARAA: Clashes between the <b>FSA</b> and the 4th Division near the Omari mosque.
       <a href="https://example.org/watch?v=abc">video</a></p>
    <p>Nothing happened in Daraya today.</p>
    <div>Jaysh al-Islam fighters ambushed a convoy near Douma.</div></body></html>"""
    path = tmp_path / "post.html"
    path.write_text(html, encoding="utf-8")
    with ws.session() as s:
        result = posts.import_post(s, path, "amal")
    assert [(d.location, d.sub_event_type) for d in result.drafts] == [("Daraa", "Armed clash"),
                                                                       ("Douma", "Armed clash")]
    assert set(result.drafts[0].units) == {"Free Syrian Army", "4th Armoured Division"}
    assert result.drafts[1].units == ["Jaysh al-Islam"]
    assert result.queued == ["https://example.org/watch?v=abc"]


def test_unreadable_post(ws, tmp_path):
    path = tmp_path / "bin.txt"
    path.write_bytes(b"\xff\xfe\x00\x81binary")
    with ws.session() as s:
        try:
            posts.import_post(s, path, "amal")
        except posts.PostError as exc:
            assert "cannot read" in str(exc)
        else:
            raise AssertionError("a binary file was read as a post")


def test_the_shared_live_post(ws):
    path = shared_file("fixtures", "syria-live-post.txt")
    with ws.session() as s:
        result = posts.import_post(s, path, "amal")
    places = {p for d in result.drafts for p in d.places}
    units = {u for d in result.drafts for u in d.units}
    assert {"Aleppo", "Damascus", "Deir ez-Zor", "Homs", "Adra", "Daraya", "Latakia"} <= places
    assert {"Free Syrian Army", "Liwa al-Islam", "Jaysh al-Sha'bi"} <= units
    defections = [d for d in result.drafts if d.sub_event_type == "Defection"]
    assert len(defections) == 3
    assert [a for d in defections for a in d.actors] == [
        "General Mohamed Nur Izz al-Din khallouf", "Bothayna Shaaban", "Brigadier General Muhammad Khallouf"]
    by_place = {d.location: d for d in result.drafts if d.location}
    assert by_place["Deir ez-Zor"].sub_event_type == "Remote explosive/landmine/IED"
    assert by_place["Adra"].sub_event_type == "Armed clash" and by_place["Daraya"].sub_event_type == "Defection"
    assert any(d.sub_event_type == "Looting/property destruction" and d.location == "Aleppo" for d in result.drafts)
    # the opinion essay's hypotheticals ("Assad could well bomb his own city") are not incidents
    assert not any("Stalingrad" in d.text for d in result.drafts)
    with ws.session() as s:
        assert {e.status for e in s.scalars(select(Event))} == {"draft"}


def test_archiving_a_queued_link_marks_it_archived_or_failed(ws, tmp_path, server, clip):
    from workbench.pipeline import archive

    server.add_file("/v/ok.mp4", clip)
    ok, gone = server.url("/v/ok.mp4"), server.url("/v/gone.mp4")
    path = tmp_path / "post.txt"
    path.write_text(f"HOMS: Regime artillery shelling on Baba Amr, video {ok} and {gone}\n", encoding="utf-8")
    with ws.session() as s:
        assert posts.import_post(s, path, "amal").queued == [ok, gone]
    archive(ws, [ok, gone])
    with ws.session() as s:
        assert {q["url"]: q["state"] for q in posts.archive_queue(s, None)} == {ok: "archived", gone: "failed"}
    archive(ws, [gone])  # failing again changes nothing; an archived link stays archived whatever happens next
    with ws.session() as s:
        assert posts.settle_queued(s, ok, archived=False) == 0
        assert posts.archive_queue(s) == []
