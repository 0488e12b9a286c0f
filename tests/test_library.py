"""The Library page's query: each filter, pagination, rows, facets, on SQLite and PostgreSQL.

The catalogue is built with the library's own writers (tags, events, reviews) on rows like
``eventdata.add_video``'s; the near-duplicate pairs are written as the matcher leaves them.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from workbench.catalogue import video_detail
from workbench.db import DuplicateMatch, MediaFile, Source
from workbench.events import incidents, tags
from workbench.library import LibraryError, LibraryQuery, library_facets, search_library
from workbench.match.review import CONFIRMED, REJECTED, review
from workbench.pipeline import import_paths
from workbench.workspace import Workspace

ALL = {1, 2, 3, 4, 5, 6, 7, 8}


def _video(ws: Workspace, name: str, sources: list[dict]) -> int:
    """A catalogued video (no bytes: the query needs rows only) with these sources."""
    sha = hashlib.sha256(name.encode()).hexdigest()
    with ws.session() as s:
        media = MediaFile(sha256=sha, size=1000, ext="mp4", store_path=f"media/{sha}.mp4", duration=60.0)
        for i, fields in enumerate(sources):
            url = f"https://example.org/{name}/{i}"
            media.sources.append(Source(key=f"url:{url}", original_url=url, **fields))
        s.add(media)
        s.flush()
        return media.id


def _build(ws: Workspace) -> dict[str, int]:
    """Eight videos: tagged, untagged, local, exact and near duplicates (one pair rejected)."""
    v = [_video(ws, "v1", [{"title": "Shelling of Douma market", "uploader": "Douma Media Center",
                            "upload_date": date(2013, 1, 10)}]),
         _video(ws, "v2", [{"title": "قصف حي الوعر في حمص", "availability": "deleted",
                            "upload_date": date(2014, 2, 1)}]),
         _video(ws, "v3", []),
         _video(ws, "v4", [{"title": "Clip 4", "description": "Army CHECKPOINT north of Aleppo",
                            "availability": "unavailable", "upload_date": date(2012, 6, 1)}]),
         _video(ws, "v5", [{"title": "Darayya, August", "upload_date": date(2013, 3, 1)},
                           {"title": "Darayya (copy)", "availability": "private"}]),
         _video(ws, "v6", [{"title": "Market after the shelling", "upload_date": date(2013, 1, 11)}]),
         _video(ws, "v7", [{"title": "مظاهرة في ادلب", "upload_date": date(2015, 5, 5)}]),
         _video(ws, "v8", [{"title": "Protest"}])]
    assert v == [1, 2, 3, 4, 5, 6, 7, 8]
    with ws.session() as s:
        e1 = incidents.create_event(s, {"event_date": "2013-01-05", "event_type": "Explosions/Remote violence",
                                        "sub_event_type": "Shelling/artillery/missile attack",
                                        "title": "Douma market shelling"}, "amal", place="Douma").id
        e2 = incidents.create_event(s, {"event_date": "2012-08-25", "event_type": "Violence against civilians",
                                        "sub_event_type": "Attack"}, "amal", place="Darayya").id
        e3 = incidents.create_event(s, {"event_date": "2012-08-26", "event_type": "Battles",
                                        "sub_event_type": "Armed clash"}, "amal", place="Adra").id
    with ws.session() as s:
        tags.create_tag(s, 1, {"place": "Douma", "recorded_date": "2013-01-05", "verification": "verified"},
                        "amal", units=["FSA"], events=[str(e1)])
        # typed with coordinates: the place is kept as written, not renamed by the gazetteer
        tags.create_tag(s, 2, {"place": "Dayr al-Zawr", "admin1": "Deir ez-Zor", "latitude": "35.33",
                               "longitude": "40.14", "recorded_from": "2014-01-01", "recorded_to": "2014-01-20",
                               "verification": "in progress"}, "amal", units=["Jaysh al-Islam"])
        tags.create_tag(s, 5, {"place": "Darayya", "recorded_date": "2012-08-25",
                               "notes": "burned TANK near the mosque"}, "amal", events=[str(e2)])
        tags.create_tag(s, 5, {}, "bassel", segment=(10.0, 20.0), units=["Republican Guard"])
        s.add_all([DuplicateMatch(media_a_id=a, media_b_id=b, score=0.9, a_coverage=0.9, b_coverage=0.9, detail={})
                   for a, b in ((1, 6), (2, 7), (3, 8))])
    review(ws, 2, 7, CONFIRMED)
    review(ws, 7, 2, REJECTED, note="same street, other day")  # the newest decision is in force
    review(ws, 3, 8, REJECTED)
    review(ws, 8, 3, CONFIRMED)
    return {"e1": e1, "e2": e2, "e3": e3}


def ids(ws: Workspace, **filters) -> set[int]:
    page = search_library(ws, LibraryQuery(**filters), page_size=100)
    assert page.total == len(page.rows)
    return {r["id"] for r in page.rows}


@pytest.fixture(params=["sqlite", "postgresql"])
def lib(request) -> tuple[Workspace, dict[str, int]]:
    ws = request.getfixturevalue("ws" if request.param == "sqlite" else "pg_ws")
    assert ws.engine.dialect.name == request.param
    return ws, _build(ws)


def test_each_filter_returns_exactly_its_videos(lib):
    ws, ev = lib
    assert ids(ws) == ALL
    assert [ids(ws, availability=a) for a in ("ok", "deleted", "private", "unavailable", "local", "geo-blocked")] == [
        {1, 5, 6, 7, 8}, {2}, {5}, {4}, {3}, set()]
    assert [ids(ws, verification=v) for v in ("verified", "In Progress", "unverified", "disputed")] == [
        {1}, {2}, {5}, set()]
    assert [ids(ws, unit=u) for u in ("FSA", "free syrian army", "Republican Guard", "Jaish al-Islam",
                                      "Tiger Forces", "Brigade of Nobody")] == [{1}, {1}, {5}, {2}, set(), set()]
    assert [ids(ws, event_id=e) for e in (ev["e1"], ev["e2"], ev["e3"], 999)] == [{1}, {5}, set(), set()]
    assert ids(ws, untagged=True) == {3, 4, 6, 7, 8}
    assert ids(ws, availability="ok", untagged=True) == {6, 7, 8}


def test_places_and_governorates_in_any_transliteration(lib):
    ws, _ = lib
    # the tag says "Dayr al-Zawr"; the gazetteer knows both spellings and the Arabic as one city
    assert [ids(ws, place=p) for p in ("Deir ez-Zor", "Deir el-Zour", "دير الزور", "Dayr al-Zawr")] == [{2}] * 4
    assert [ids(ws, place=p) for p in ("Duma", "douma", "Dooma", "دوما")] == [{1}] * 4
    assert [ids(ws, place=p) for p in ("Daraya", "Daraa", "Adra", "Nowhere Zzz")] == [{5}, set(), set(), set()]
    assert [ids(ws, governorate=g) for g in ("Rural Damascus", "Rif Dimashq", "ريف دمشق", "Deir ez-Zor",
                                             "Dayr az-Zawr", "Aleppo")] == [{1, 5}, {1, 5}, {1, 5}, {2}, {2}, set()]


def test_dates_use_the_recorded_date_then_the_upload_date(lib):
    ws, _ = lib
    assert ids(ws, date_from=date(2013, 1, 1), date_to=date(2013, 1, 31)) == {1, 6}  # 6: uploaded (no tag)
    assert ids(ws, date_from=date(2013, 3, 1), date_to=date(2013, 3, 31)) == set()  # 5 was recorded in 2012
    assert ids(ws, date_from=date(2012, 8, 1), date_to=date(2012, 8, 31)) == {5}
    assert ids(ws, date_from=date(2014, 1, 15), date_to=date(2014, 3, 1)) == {2}  # the tag's window overlaps
    assert ids(ws, date_from=date(2014, 1, 21), date_to=date(2014, 3, 1)) == set()  # upload in range, window not
    assert ids(ws, date_to=date(2012, 12, 31)) == {4, 5}
    assert ids(ws, date_from=date(2015, 1, 1)) == {7}


def test_duplicates_near_unless_rejected_and_exact(lib):
    ws, _ = lib
    # 1-6 near (no review), 3-8 near (rejected, then confirmed: in force), 2-7 rejected last: out; 5 has two sources
    assert ids(ws, has_duplicates=True) == {1, 3, 5, 6, 8}
    assert ids(ws, has_duplicates=False) == {2, 4, 7}
    assert ids(ws, has_duplicates=True, availability="ok") == {1, 5, 6, 8}


def test_text_search(lib):
    ws, _ = lib
    assert ids(ws, text="douma") == {1}  # title, uploader, tag place
    assert ids(ws, text="SHELLING") == {1, 6}
    assert ids(ws, text="shelling douma") == {1}  # every word, anywhere
    assert ids(ws, text="shelling aleppo") == set()
    assert ids(ws, text="media center") == {1}  # uploader
    assert ids(ws, text="checkpoint") == {4}  # description, case-insensitive
    assert ids(ws, text="tank") == {5}  # tag notes
    assert ids(ws, text="example.org/v6/") == {6}  # URL
    assert ids(ws, text="Duma") == {1}  # a place in another transliteration
    assert ids(ws, text="Deir ez-Zor") == {2}
    sha8 = hashlib.sha256(b"v8").hexdigest()
    assert ids(ws, text=sha8[:8].upper()) == {8} and ids(ws, text=sha8) == {8}
    assert ids(ws, text="100%_") == set()  # LIKE's wildcards are literal


def test_arabic_text_search(lib):
    ws, _ = lib
    assert ids(ws, text="حمص") == {2}
    assert ids(ws, text="الوعر حمص") == {2}
    assert ids(ws, text="إدلب") == {7}  # the title writes ادلب, without hamza
    assert ids(ws, text="مُظاهرة") == {7}  # a diacritic in the query is ignored
    assert ids(ws, text="دوما") == {1}  # the Arabic name of a tagged place
    assert ids(ws, text="دمشق") == set()


def test_pagination_newest_first(lib):
    ws, _ = lib
    pages = [search_library(ws, page=n, page_size=3) for n in (1, 2, 3, 4)]
    assert [[r["id"] for r in p.rows] for p in pages] == [[8, 7, 6], [5, 4, 3], [2, 1], []]
    assert {(p.total, p.page_size) for p in pages} == {(8, 3)} and [p.page for p in pages] == [1, 2, 3, 4]
    filtered = [search_library(ws, LibraryQuery(availability="ok"), page=n, page_size=2) for n in (1, 2, 3, 4)]
    assert [[r["id"] for r in p.rows] for p in filtered] == [[8, 7], [6, 5], [1], []]
    assert [p.total for p in filtered] == [5, 5, 5, 5]  # past the end too


def test_rows_carry_summary_tags_and_duplicates(lib):
    ws, ev = lib
    rows = {r["id"]: r for r in search_library(ws).rows}
    r1, r2, r3, r5 = rows[1], rows[2], rows[3], rows[5]
    assert (r1["title"], r1["status"], r1["source_url"], r1["sources"]) == (
        "Shelling of Douma market", "ok", "https://example.org/v1/0", 1)
    assert (r1["place"], r1["admin1"], r1["recorded_date"], r1["verification"]) == (
        "Douma", "Rural Damascus", "2013-01-05", "verified")
    assert (r1["units"], r1["events"], r1["tags"], r1["duplicates"], r1["upload_date"]) == (
        ["Free Syrian Army"], 1, 1, 1, "2013-01-10")
    assert (r2["place"], r2["admin1"], r2["recorded_date"], r2["status"], r2["duplicates"]) == (
        "Dayr al-Zawr", "Deir ez-Zor", None, "deleted", 0)
    assert (r3["status"], r3["title"], r3["verification"], r3["tags"], r3["units"], r3["duplicates"]) == (
        "local", None, None, 0, [], 1)
    # the whole-video tag decides; the segment tag adds its unit
    assert (r5["place"], r5["verification"], r5["units"], r5["tags"], r5["events"], r5["duplicates"]) == (
        "Daraya", "unverified", ["Republican Guard"], 2, 1, 1)
    assert all(r["thumbnail"] is None for r in rows.values())  # none was analysed
    expected = {"id", "sha256", "status", "source_url", "path", "error", "title", "duration", "width", "height",
                "size", "sources", "created_at", "thumbnail", "place", "admin1", "recorded_date", "verification",
                "units", "events", "duplicates", "tags", "upload_date"}
    assert all(set(r) == expected for r in rows.values())


def test_facets(lib):
    ws, ev = lib
    facets = library_facets(ws)
    assert facets["availabilities"] == ["ok", "unavailable", "deleted", "private", "geo-blocked", "error", "local"]
    assert facets["verifications"] == ["unverified", "in progress", "ready for review", "verified", "disputed"]
    assert facets["governorates"] == ["Deir ez-Zor", "Rural Damascus"]
    assert facets["units"] == ["Free Syrian Army", "Jaysh al-Islam", "Republican Guard"]
    assert facets["events"] == [{"id": ev["e1"], "title": "Douma market shelling", "date": "2013-01-05"},
                                {"id": ev["e2"], "title": "Attack, Daraya", "date": "2012-08-25"}]


def test_bad_filter_values_are_refused(ws):
    with pytest.raises(LibraryError, match="availability 'gone' is not one of: ok, unavailable"):
        search_library(ws, LibraryQuery(availability="gone"))
    with pytest.raises(LibraryError, match="verification 'done' is not one of"):
        search_library(ws, LibraryQuery(verification="done"))
    with pytest.raises(LibraryError, match="page 0"):
        search_library(ws, page=0)
    with pytest.raises(LibraryError, match="page size 1000"):
        search_library(ws, page_size=1000)
    assert search_library(ws).total == 0 and library_facets(ws)["units"] == []


def test_thumbnail_is_the_current_analysis_first_keyframe(ws, clip):
    [item] = import_paths(ws, [clip])
    assert item.status == "stored", item.error
    [row] = search_library(ws).rows
    detail = video_detail(ws, row["id"])
    assert row["thumbnail"] == detail["analysis"]["keyframes"][0]["image"]
    assert (ws.store.home / row["thumbnail"]).is_file() and Path(row["thumbnail"]).suffix == ".jpg"
    assert (row["status"], row["title"], row["tags"]) == ("local", clip.name, 0)
