"""The Streamlit pages, run in-process with AppTest: each page's main flow, as an investigator uses it.

Pages are opened the way a browser opens them: the entry script first, then ``switch_page``
with the page's query parameters, on a fresh data home per test.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from workbench import catalogue, jobs, pipeline
from workbench.db import Event, Tag
from workbench.demo import load_demo

ROOT = Path(__file__).resolve().parent.parent


def open_page(page: str | None = None, **params: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    if page:
        for k, v in params.items():
            at.query_params[k] = v
        at.switch_page(f"pages/{page}")
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error] + [e.value for e in at.exception]


def texts(at: AppTest) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption] + [s.value for s in at.success]
                     + [i.value for i in at.info] + [w.value for w in at.warning] + [e.value for e in at.error])


@pytest.fixture
def demo(ws):
    """The demo catalogue: four clips (bikes.mp4 and its re-upload are near duplicates), five events, two tags."""
    return load_demo(ws)


def test_home_counts_the_catalogue_and_says_what_to_do_when_empty(ws):
    at = open_page()
    assert [m.value for m in at.metric][:1] == ["0"]
    assert "The catalogue is empty" in texts(at)
    load_demo(ws)
    at = open_page()
    assert [m.value for m in at.metric] == ["4", "0", "2", "5"]
    assert not errors(at)


def test_archive_page_archives_pasted_links_and_explains_failures(ws, server, clip):
    server.add_file("/clip.mp4", clip)
    at = open_page("1_Archive.py")
    at.text_area[0].input(f"{server.url('/clip.mp4')}\n{server.url('/gone.mp4')}\nnot-a-url")  # in a form: no run
    at.button(key="FormSubmitter:links-Archive").click().run()
    job = jobs.get(at.session_state["archive_job"])  # the batch runs on a worker thread: the page follows it
    at.switch_page("pages/3_Video.py").run()  # leave the page while it runs: the batch goes on
    deadline = time.monotonic() + 120
    while not job.done and time.monotonic() < deadline:
        time.sleep(0.2)
    at.switch_page("pages/1_Archive.py").run()  # and come back to its results
    rows = at.dataframe[-1].value  # the batch's table (the queue's comes first)
    assert list(rows["result"]) == ["✅ stored", "❌ failed", "❌ failed"]
    assert "404" in rows["explanation"][1] and "malformed URL" in rows["explanation"][2]
    assert pipeline.current_analysis_id(ws, int(rows["video"][0])) is not None  # keyframes made straight away
    assert any(link.label.startswith(f"Open #{int(rows['video'][0])}") for link in at.get("page_link"))
    queue = at.dataframe[0].value  # the two failures wait in the queue, to try again; the archived link left it
    assert list(queue["state"]) == ["failed", "failed"] and server.url("/clip.mp4") not in list(queue["url"])


def test_archive_page_drafts_events_from_a_pasted_post(ws):
    post = ("Breaking: a car bomb exploded near a checkpoint in Homs on Tuesday, with video "
            "https://example.org/watch?v=abc\n\nMore to follow.")
    at = open_page("1_Archive.py")
    at.text_area[0].input(post)
    at.checkbox[0].check()
    at.button(key="FormSubmitter:links-Archive").click().run()
    assert any("draft events" in s.value for s in at.success), texts(at)
    with ws.session() as s:
        drafts = s.query(Event).filter_by(status="draft").all()
    assert len(drafts) == 1 and drafts[0].location == "Homs"


def test_archive_page_imports_uploaded_files_and_refuses_a_non_video(ws, clip):
    at = open_page("1_Archive.py")
    at.file_uploader[0].set_value([("clip.mp4", clip.read_bytes(), "video/mp4"),
                                   ("notes.mp4", b"this is text", "video/mp4")])
    at.button(key="FormSubmitter:files-Import").click().run()
    rows = at.dataframe[0].value
    assert list(rows["result"]) == ["✅ stored", "❌ failed"]
    assert "not imported" in rows["explanation"][1]
    detail = catalogue.video_detail(ws, int(rows["video"][0]))
    assert detail["acquisitions"][0]["method"] == "browser upload"
    assert detail["acquisitions"][0]["original_path"] == "clip.mp4"


def test_library_page_filters_in_any_spelling_and_links_to_each_video(ws, demo):
    at = open_page("2_Library.py")
    assert "4 videos · page 1 of 1" in texts(at)
    assert len(at.image) == 4  # a keyframe thumbnail on every card
    assert [link.label.split(" ")[0] for link in at.get("page_link") if link.label.startswith("#")] == \
        ["#4", "#3", "#2", "#1"]  # newest first
    at.text_input(key="lib_place").input("دوما").run()  # the place filter, in Arabic: bikes.mp4 is tagged Douma
    assert "1 videos" in texts(at) and any(link.label.startswith("#1 bikes.mp4") for link in at.get("page_link"))
    at.text_input(key="lib_place").input("").run()
    at.checkbox(key="lib_untagged").check().run()  # untagged only
    assert "2 videos" in texts(at)
    at.checkbox(key="lib_untagged").uncheck().run()
    at.selectbox(key="lib_dupes").select(True).run()  # has copies: both demo pairs
    assert "4 videos" in texts(at)
    at.text_input(key="lib_text").input("zzzz-nothing").run()
    assert "No video matches these filters." in texts(at)


def test_video_page_tags_with_a_gazetteer_place_and_refuses_a_stale_save(ws, demo):
    video = demo["items"][2].id  # carphone_distorted.mp4: untagged
    at = open_page("3_Video.py", id=str(video))
    assert at.title[0].value == "carphone_distorted.mp4"
    assert not errors(at)
    at.text_input(key=f"tag{video}.new.find").input("دير الزور").run()
    at.button(key=f"tag{video}.new.use0").click().run()
    assert at.text_input(key=f"tag{video}.new.place").value == "Deir ez-Zor"
    at.selectbox(key=f"tag{video}.new.verification").select("in progress")
    at.button(key=f"tag{video}.new.save").click().run()
    assert any("saved as version 1" in s.value for s in at.success), texts(at)
    with ws.session() as s:
        [tag] = s.query(Tag).filter_by(media_id=video).all()
        assert (tag.place, tag.admin1, tag.method, tag.verification, tag.updated_by) == (
            "Deir ez-Zor", "Deir ez-Zor", "gazetteer", "in progress", "tester")
        assert tag.latitude == pytest.approx(35.33, abs=0.05)
        tag_id = tag.id
    assert at.radio(key=f"tagpick{video}").value == tag_id  # the page now shows the tag just made

    # Two investigators open the same tag; the first saves; the second's save is refused, naming who saved.
    first, second = open_page("3_Video.py", id=str(video)), open_page("3_Video.py", id=str(video))
    first.sidebar.text_input[0].input("amal").run()
    first.text_area(key=f"tag{video}.{tag_id}.notes").input("minaret matches").run()
    first.button(key=f"tag{video}.{tag_id}.save").click().run()
    second.text_area(key=f"tag{video}.{tag_id}.notes").input("my note").run()
    second.button(key=f"tag{video}.{tag_id}.save").click().run()
    assert any("conflict" in e.value and "by amal" in e.value for e in second.error), texts(second)
    assert second.text_area(key=f"tag{video}.{tag_id}.notes").value == "my note"  # their edit is still in the form
    with ws.session() as s:
        assert s.get(Tag, tag_id).notes == "minaret matches" and s.get(Tag, tag_id).version == 2


def test_video_page_jumps_to_a_keyframe_and_restores_an_old_version(ws, demo):
    video = demo["items"][0].id  # bikes.mp4, tagged by the demo
    at = open_page("3_Video.py", id=str(video))
    assert len(at.get("video")) == 1
    keyframe = next(b for b in at.button if b.label.startswith("▶") and b.label != "▶ 0:00.3")
    keyframe.click().run()
    assert any(f"Playing from {keyframe.label[2:]}" in c.value for c in at.caption)
    with ws.session() as s:
        tag_id = s.query(Tag).filter_by(media_id=video).one().id
    at.text_area(key=f"tag{video}.{tag_id}.notes").input("second thoughts").run()
    at.button(key=f"tag{video}.{tag_id}.save").click().run()
    at.selectbox(key=f"tag{video}.{tag_id}.restore_v").select(1).run()
    at.button(key=f"tag{video}.{tag_id}.restore").click().run()
    assert any("Version 1 restored as version 3" in s.value for s in at.success), texts(at)
    with ws.session() as s:
        assert s.get(Tag, tag_id).notes == "Demo tag on a sample clip."


def test_a_tag_form_left_and_reopened_shows_the_saved_tag_and_saves_only_what_changed(ws, demo):
    video = demo["items"][0].id  # bikes.mp4: tagged Douma, 2024-03-02, in progress, linked to DEMO-1
    with ws.session() as s:
        tag_id = s.query(Tag).filter_by(media_id=video).one().id
    at = open_page("3_Video.py", id=str(video))
    at.switch_page("pages/2_Library.py").run()  # away: Streamlit forgets the form's widgets
    at.query_params["id"] = str(video)
    at.switch_page("pages/3_Video.py").run()  # and back
    key = f"tag{video}.{tag_id}"
    assert at.number_input(key=f"{key}.latitude").value == pytest.approx(33.57, abs=0.05)  # Douma, not a default
    assert str(at.date_input(key=f"{key}.recorded_date").value) == "2024-03-02"
    assert at.selectbox(key=f"{key}.verification").value == "in progress"
    at.text_area(key=f"{key}.notes").input("checked the skyline").run()
    at.button(key=f"{key}.save").click().run()
    with ws.session() as s:
        tag = s.get(Tag, tag_id)
        assert (tag.place, str(tag.recorded_date), tag.verification, tag.notes, [e.event_id_cnty for e in tag.events]) \
            == ("Douma", "2024-03-02", "in progress", "checked the skyline", ["DEMO-1"])


def test_a_tag_dated_by_a_window_and_a_window_the_wrong_way_round(ws, demo):
    import datetime

    video = demo["items"][2].id
    at = open_page("3_Video.py", id=str(video))
    key = f"tag{video}.new"
    at.date_input(key=f"{key}.recorded_from").set_value(datetime.date(2013, 8, 21))
    at.date_input(key=f"{key}.recorded_to").set_value(datetime.date(2013, 8, 1)).run()
    at.button(key=f"{key}.save").click().run()
    assert errors(at) == ["recorded window from 2013-08-21 is after to 2013-08-01"]
    at.date_input(key=f"{key}.recorded_to").set_value(datetime.date(2013, 8, 31)).run()
    at.button(key=f"{key}.save").click().run()
    with ws.session() as s:
        [tag] = s.query(Tag).filter_by(media_id=video).all()
        assert (str(tag.recorded_from), str(tag.recorded_to), tag.recorded_date) == ("2013-08-21", "2013-08-31", None)


def test_a_place_typed_over_another_is_placed_anew_not_left_at_the_old_coordinates(ws, demo):
    video = demo["items"][0].id  # tagged Douma by the demo
    with ws.session() as s:
        tag_id = s.query(Tag).filter_by(media_id=video).one().id
    at = open_page("3_Video.py", id=str(video))
    at.text_input(key=f"tag{video}.{tag_id}.place").input("Homs").run()
    at.button(key=f"tag{video}.{tag_id}.save").click().run()
    assert not errors(at), errors(at)
    with ws.session() as s:
        tag = s.get(Tag, tag_id)
        assert (tag.place, tag.admin1) == ("Homs", "Homs") and tag.latitude == pytest.approx(34.73, abs=0.05)
    # a spot pinned by hand is never moved by renaming the place
    at.number_input(key=f"tag{video}.{tag_id}.latitude").set_value(34.7251)
    at.number_input(key=f"tag{video}.{tag_id}.longitude").set_value(36.7080)
    at.selectbox(key=f"tag{video}.{tag_id}.method").select("landmark match").run()
    at.button(key=f"tag{video}.{tag_id}.save").click().run()
    at.text_input(key=f"tag{video}.{tag_id}.place").input("Homs, Baba Amr").run()
    at.button(key=f"tag{video}.{tag_id}.save").click().run()
    assert not errors(at), errors(at)
    with ws.session() as s:
        tag = s.get(Tag, tag_id)
        assert (tag.place, tag.latitude, tag.longitude, tag.method) == ("Homs, Baba Amr", 34.7251, 36.708,
                                                                         "landmark match")


def test_search_page_finds_the_shared_segment_of_a_clip(ws, demo, copies):
    at = open_page("5_Search.py")
    at.file_uploader[0].set_value(("excerpt.mp4", copies["trim"].read_bytes(), "video/mp4")).run()
    assert any("match excerpt.mp4" in s.value for s in at.success), texts(at)
    assert any("of the clip is in this video" in m.value for m in at.markdown)
    assert any(m.value.startswith("clip 0:00") for m in at.markdown)  # the segment, clip side first


def test_video_page_explains_an_unknown_or_missing_id(ws):
    at = open_page("3_Video.py", id="999")
    assert errors(at) == ["There is no video number 999 in the catalogue."]
    at = open_page("3_Video.py")
    assert "Open a video from the Library" in texts(at)


def test_duplicates_page_shows_the_copy_and_a_rejected_pair_never_returns(ws, demo):
    bikes, reupload = demo["items"][0].id, demo["items"][3].id
    at = open_page("4_Duplicates.py")
    assert f"earliest: **#{bikes} bikes.mp4**" in texts(at)
    assert len(at.image) == 2  # the two frames side by side
    assert at.metric[3].value == "yes"  # mirrored
    at.text_input(key=f"note{bikes}-{reupload}").input("a different day").run()
    at.button(key=f"rejected{bikes}-{reupload}").click().run()
    assert any("rejected by tester" in s.value for s in at.success)
    assert not any(f"#{bikes} bikes.mp4 ↔ #{reupload}" in o for o in at.selectbox[0].options)  # carphone's is left
    assert "bikes-reupload.mp4" not in " ".join(c.value for c in at.markdown if "copies" in c.value)


def test_search_page_finds_the_archived_video_from_a_still(ws, demo, tmp_path):
    from workbench.media.decode import still_at

    still = tmp_path / "screenshot.png"
    still_at(ws.store.home / catalogue.video_detail(ws, demo["items"][0].id)["path"], 5.0).save(still)
    at = open_page("5_Search.py")
    at.file_uploader[0].set_value(("screenshot.png", still.read_bytes(), "image/png")).run()
    assert any("match screenshot.png" in s.value for s in at.success), texts(at)
    assert any("bikes.mp4" in m.value for m in at.markdown)
    at.file_uploader[0].set_value(("broken.png", b"not an image", "image/png")).run()
    assert any("broken.png: not an image" in e.value for e in at.error), texts(at)


def test_events_page_filters_accepts_drafts_and_exports_acled(ws, demo):
    at = open_page("6_Events.py")
    assert len(at.dataframe[0].value) == 5
    at.selectbox[1].select("Protests").run()
    assert list(at.dataframe[0].value["place"]) == ["Daraa"]
    with ws.session() as s:
        from workbench.events.incidents import create_event
        draft = create_event(s, {"event_date": "2024-04-01", "event_type": "Battles", "sub_event_type": "Armed clash",
                                 "status": "draft", "title": "clash drafted from a post"}, "tester", place="Adra")
        draft_id = draft.id
    at = open_page("6_Events.py")
    at.button(key=f"Accept{draft_id}v1").click().run()
    assert any(f"Draft {draft_id} accepted" in s.value for s in at.success)
    with ws.session() as s:
        assert s.get(Event, draft_id).status == "accepted"
    next(b for b in at.button if b.label == "Prepare the export").click().run()
    assert at.download_button[0].label == "Download 6 events (CSV)"  # the ACLED export, the accepted draft in it


def test_events_page_edits_an_event_and_refuses_an_edit_made_on_an_old_version(ws, demo):
    mine, theirs = open_page("6_Events.py", id="4"), open_page("6_Events.py", id="4")
    assert any("Event 4: Evening protest in the old town (version 1" in h.value for h in mine.subheader)
    assert any("Video #2 (tag)" in link.label for link in mine.get("page_link"))  # the demo tag links it
    theirs.sidebar.text_input[0].input("amal").run()
    theirs.text_input(key="e4_title").input("Evening protest, old town")
    theirs.button(key="FormSubmitter:edit4-Save changes").click().run()
    assert any("Event 4 saved as version 2" in s.value for s in theirs.success), texts(theirs)
    mine.text_input(key="e4_title").input("My title")
    mine.button(key="FormSubmitter:edit4-Save changes").click().run()
    assert any("conflict" in e.value and "by amal" in e.value for e in mine.error), texts(mine)
    assert mine.text_input(key="e4_title").value == "My title"  # the edit stays in the form to reapply
    with ws.session() as s:
        assert (s.get(Event, 4).title, s.get(Event, 4).version) == ("Evening protest, old town", 2)


def test_events_page_creates_an_event_and_reports_an_unknown_place(ws):
    at = open_page("6_Events.py")
    at.text_input(key="new_place").input("Nowhereville")
    at.text_input(key="new_title").input("test")
    at.button(key="FormSubmitter:new_event-Add event").click().run()
    assert any("unknown place 'Nowhereville'" in e.value for e in at.error), texts(at)
    at.text_input(key="new_place").input("Darayya")
    at.button(key="FormSubmitter:new_event-Add event").click().run()
    with ws.session() as s:
        [event] = s.query(Event).all()
        # the place as the gazetteer spells it
        assert (event.location, event.title, event.created_by) == ("Daraya", "test", "tester")


def test_events_page_dates_an_event_years_back_and_places_it_by_coordinates(ws):
    at = open_page("6_Events.py")
    at.date_input(key="new_date").set_value(__import__("datetime").date(2012, 12, 15))
    at.text_input(key="new_place").input("Tall al-Kurdi farms")  # not in the gazetteer: located by hand
    at.number_input(key="new_lat").set_value(33.5612)
    at.number_input(key="new_lon").set_value(36.4378)
    at.button(key="FormSubmitter:new_event-Add event").click().run()
    assert not errors(at), errors(at)
    with ws.session() as s:
        [event] = s.query(Event).all()
        assert (str(event.event_date), event.location, event.latitude, event.fatalities) == (
            "2012-12-15", "Tall al-Kurdi farms", 33.5612, None)  # fatalities left empty: unknown, not 0


def test_map_page_draws_events_and_videos_without_a_tile_server(ws, demo):
    at = open_page("7_Map.py")
    assert not errors(at)
    assert "7 points" in texts(at)  # five demo events, two tagged videos
    [deck] = at.get("deck_gl_json_chart")
    spec = json.loads(deck.proto.json)
    assert not spec.get("mapStyle") and not spec.get("mapProvider")  # no base map: nothing to fetch offline
    points = next(layer for layer in spec["layers"] if layer["id"] == "points")["data"]
    assert sorted(p["label"].split(":")[0] for p in points if p["kind"] == "video") == ["video #1", "video #2"]
    assert any("Douma" in p["label"] for p in points) and any("Daraa" in p["label"] for p in points)
    at.date_input[0].set_value(__import__("datetime").date(2024, 3, 10)).run()
    assert "3 points" in texts(at)  # Daraa protest, Homs car bomb, the video recorded on 2024-03-12


def test_every_page_opens_on_an_empty_catalogue(ws):
    for page in ("1_Archive.py", "2_Library.py", "3_Video.py", "4_Duplicates.py", "5_Search.py", "6_Events.py",
                 "7_Map.py"):
        at = open_page(page)
        assert not errors(at), page


def test_a_page_on_a_broken_setting_says_which(ws, monkeypatch):
    monkeypatch.setenv("WORKBENCH_SAMPLE_FPS", "fast")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert [e.value for e in at.error][0].startswith("A setting cannot be read: ")
    assert "WORKBENCH_SAMPLE_FPS" in at.error[0].value



def test_team_mode_the_pages_work_on_postgresql(home, pg_url):
    from workbench import settings
    from workbench.workspace import Workspace

    ws = Workspace.open(settings.load())
    assert ws.engine.dialect.name == "postgresql"
    demo = load_demo(ws)
    at = open_page("2_Library.py")
    assert "4 videos" in texts(at) and not errors(at)
    video = demo["items"][2].id
    at = open_page("3_Video.py", id=str(video))
    at.text_input(key=f"tag{video}.new.place").input("Adra").run()
    at.button(key=f"tag{video}.new.save").click().run()
    assert any("saved as version 1" in s.value for s in at.success), texts(at)
    for page in ("4_Duplicates.py", "6_Events.py", "7_Map.py"):
        assert not errors(open_page(page)), page
