"""Tags on videos, segments and keyframes: place, date, units, events, status, flags, history, conflicts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from eventdata import add_video

from workbench.events import history, incidents, tags
from workbench.events.tags import TagError
from workbench.events.units import UnitError


@pytest.fixture
def video(ws):
    return add_video(ws)


def test_tag_place_date_units_events_status_flags(ws, video):
    vid, sha = video
    with ws.session() as s:
        eid = incidents.create_event(s, {"event_date": "2012-12-15", "event_type": "Battles",
                                         "sub_event_type": "Armed clash"}, "amal", place="Adra").id
    with ws.session() as s:
        tag, warnings = tags.create_tag(
            s, sha[:10], {"place": "Adra", "recorded_date": "2012-12-15", "recorded_time": "14:30",
                          "recorded_precision": "minute", "verification": "in progress", "graphic": True,
                          "confidence": "medium", "point_of": "camera", "notes": "Storming of the checkpoint."},
            "amal", units=["Liwa al Islam", "Al-Jaish Al-Sha'bi"], events=[str(eid)])
        data = tags.tag_dict(tag)
    assert warnings == []
    assert data["video_id"] == vid and data["scope"] == "video" and data["version"] == 1
    assert (data["place"], data["admin1"], data["precision"], data["method"]) == (
        "Adra", "Rural Damascus", "town", "gazetteer")
    assert 33.5 < data["latitude"] < 33.7
    assert data["recorded_date"] == "2012-12-15" and data["recorded_time"] == "14:30"
    assert sorted(data["units"]) == ["Jaysh al-Sha'bi", "Liwa al-Islam"] and data["events"] == [eid]
    assert data["verification"] == "in progress" and data["graphic"] and not data["personal_info"]


def test_segment_and_keyframe_tags(ws, video):
    vid, _ = video
    with ws.session() as s:
        seg, _ = tags.create_tag(s, vid, {"latitude": "33.5267", "longitude": "36.3339", "precision": "100m",
                                          "method": "landmark match", "point_of": "subject"}, "amal",
                                 segment=(12.0, 20.5))
        key, _ = tags.create_tag(s, vid, {"personal_info": True}, "amal", keyframe_ms=15250)
        assert (seg.scope, seg.start_s, seg.end_s) == ("segment", 12.0, 20.5)
        assert (key.scope, key.keyframe_ms, key.personal_info) == ("keyframe", 15250, True)
        assert [t.id for t in tags.tags_for_video(s, vid)] == [seg.id, key.id]


def test_recorded_date_after_upload_is_saved_with_a_warning(ws, video):
    vid, _ = video
    with ws.session() as s:
        tag, warnings = tags.create_tag(s, vid, {"recorded_date": "2012-12-28"}, "amal")
        assert tag.id
    assert len(warnings) == 1
    assert "recorded date 2012-12-28 is after source #1 was uploaded (2012-12-20)" in warnings[0]


def test_units_outside_their_life_are_warned_about(ws):
    vid, _ = add_video(ws, upload_date=None)
    with ws.session() as s:
        _, early = tags.create_tag(s, vid, {"recorded_date": "2012-12-15"}, "amal", units=["Jaysh al-Islam"])
        _, late = tags.create_tag(s, vid, {"recorded_date": "2014-05-01"}, "amal", units=["Liwa al-Islam", "FSA"])
    assert early == ["Jaysh al-Islam only exists from 2013-09-29, after the recorded date 2012-12-15"]
    assert len(late) == 1 and late[0].startswith("Liwa al-Islam ceased on 2013-09-29, before the recorded date")


@pytest.mark.parametrize(("data", "message"), [
    ({"latitude": "33.5N", "longitude": "36.3"}, "latitude '33.5N' is not a decimal number"),
    ({"latitude": "133.5", "longitude": "36.3"}, "latitude '133.5' is out of range"),
    ({"latitude": "33.5"}, "both latitude and longitude"),
    ({"recorded_date": (date.today() + timedelta(days=1)).isoformat()}, "recorded date .* is in the future"),
    ({"recorded_date": "2012-02-31"}, "is not a date"),
    ({"recorded_date": "2012-12-01", "recorded_time": "25:10"}, "not HH:MM"),
    ({"recorded_from": "2012-12-10", "recorded_to": "2012-12-01"}, "window from 2012-12-10 is after"),
    ({"recorded_date": "2012-11-01", "recorded_from": "2012-12-01"}, "before its window"),
    ({"precision": "5m"}, "precision class '5m' is not one of"),
    ({"verification": "done"}, "verification status 'done' is not one of"),
    ({"method": "guess"}, "method 'guess' is not one of"),
    ({"place": "x" * 300, "latitude": "33.5", "longitude": "36.3"}, "place is 300 characters long; at most 256"),
    ({"place": "Harastaa Zzz"}, "unknown place 'Harastaa Zzz'; did you mean: Harasta"),
])
def test_bad_tag_input(ws, video, data, message):
    with ws.session() as s, pytest.raises(TagError, match=message):
        tags.create_tag(s, video[0], data, "amal")


def test_bad_targets(ws, video):
    with ws.session() as s:
        with pytest.raises(TagError, match="no video"):
            tags.create_tag(s, "999", {}, "amal")
        with pytest.raises(TagError, match="segment 30.0-10.0"):
            tags.create_tag(s, video[0], {}, "amal", segment=(30.0, 10.0))
        with pytest.raises(TagError, match="video is 60.0 s long"):
            tags.create_tag(s, video[0], {}, "amal", segment=(30.0, 90.0))
        with pytest.raises(TagError, match="no event '77'"):
            tags.create_tag(s, video[0], {}, "amal", events=["77"])
        with pytest.raises(UnitError, match="unknown unit"):
            tags.create_tag(s, video[0], {}, "amal", units=["Brigade of Nobody Zzz"])


def test_history_restore_and_conflict(ws, video):
    with ws.session() as s:
        tid = tags.create_tag(s, video[0], {"place": "Daraa"}, "amal")[0].id
    with ws.session() as s:
        tags.update_tag(s, tid, {"place": "Darayya"}, "bassel", expected_version=1, units=["FSA"])
    with ws.session() as s:
        tags.update_tag(s, tid, {"verification": "ready for review"}, "amal", expected_version=2)
    # chadi opened the tag at version 2 and saves after amal: refused, nothing changes
    with ws.session() as s, pytest.raises(history.ConflictError, match="tag 1 is at version 3 .*by amal"):
        tags.update_tag(s, tid, {"notes": "mine"}, "chadi", expected_version=2)
    with ws.session() as s:
        hist = history.list_history(s, "tag", tid)
        assert [(h["version"], h["author"]) for h in hist] == [(1, "amal"), (2, "bassel"), (3, "amal")]
        assert "place" in hist[1]["changed"] and "units" in hist[1]["changed"]
        tags.restore_tag(s, tid, 1, "amal", expected_version=3)
    with ws.session() as s:
        tag = tags.get_tag(s, tid)
        assert (tag.version, tag.place, tag.units, tag.verification, tag.notes) == (4, "Daraa", [], "unverified", None)
        assert history.list_history(s, "tag", tid)[-1]["action"] == "restored from v1"


def test_an_edit_can_clear_a_field(ws, video):
    with ws.session() as s:
        tid = tags.create_tag(s, video[0], {"notes": "first look", "recorded_date": "2012-12-01",
                                            "recorded_time": "10:00"}, "amal")[0].id
    with ws.session() as s:
        tag, _ = tags.update_tag(s, tid, {"notes": "", "recorded_time": "", "verification": None}, "amal")
        assert (tag.notes, tag.recorded_time, tag.recorded_date, tag.verification) == (
            None, None, date(2012, 12, 1), "unverified")
