"""The event database: create, edit, versions and history, restore, conflicts, drafts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from workbench.events import history, incidents
from workbench.events.incidents import EventError

CLASH = {"event_date": "2012-12-01", "event_type": "Battles", "sub_event_type": "Armed clash",
         "actor1": "Free Syrian Army", "actor2": "Military Forces of Syria (2000-)", "fatalities": "3",
         "notes": "Clashes near Nayrab airbase."}


def test_create_with_place_from_gazetteer_units_and_sources(ws):
    with ws.session() as s:
        event = incidents.create_event(s, CLASH, "amal", place="Annairab",
                                       units=["FSA", "Assad forces", "Free Syrian Army"],
                                       sources=[{"url": "https://example.org/post"}])
        eid = event.id
    with ws.session() as s:
        data = incidents.event_dict(incidents.get_event(s, eid))
    assert data["location"] == "Nayrab airbase" and data["admin1"] == "Aleppo" and data["geo_precision"] == 1
    assert 36.1 < data["latitude"] < 36.3 and 37.1 < data["longitude"] < 37.3
    assert data["units"] == ["Free Syrian Army", "Syrian Arab Army"]  # FSA and its full name are one unit
    assert data["sources"] == [{"url": "https://example.org/post", "video_id": None, "note": None}]
    assert data["disorder_type"] == "Political violence" and data["country"] == "Syria"
    assert data["event_id_cnty"].startswith("WB-") and data["version"] == 1 and data["fatalities"] == 3


def test_every_change_is_a_version_with_author_and_restorable(ws):
    with ws.session() as s:
        eid = incidents.create_event(s, CLASH, "amal").id
    with ws.session() as s:
        incidents.update_event(s, eid, {"fatalities": "5"}, "bassel", expected_version=1)
    with ws.session() as s:
        incidents.update_event(s, eid, {"notes": "Rewritten."}, "amal", expected_version=2)
    with ws.session() as s:
        hist = history.list_history(s, "event", eid)
        assert [(h["version"], h["author"], h["action"]) for h in hist] == [
            (1, "amal", "created"), (2, "bassel", "updated"), (3, "amal", "updated")]
        assert hist[1]["changed"] == ["fatalities"] and hist[1]["data"]["fatalities"] == 5
        incidents.restore_event(s, eid, 1, "chadi")
    with ws.session() as s:
        event = incidents.get_event(s, eid)
        assert (event.version, event.fatalities, event.notes) == (4, 3, "Clashes near Nayrab airbase.")
        assert history.list_history(s, "event", eid)[-1]["action"] == "restored from v1"


def test_second_concurrent_save_is_refused_with_a_clear_message(ws):
    with ws.session() as s:
        eid = incidents.create_event(s, CLASH, "amal").id
    with ws.session() as s:
        incidents.update_event(s, eid, {"fatalities": "4"}, "amal", expected_version=1)
    with ws.session() as s, pytest.raises(history.ConflictError) as info:
        incidents.update_event(s, eid, {"fatalities": "9"}, "bassel", expected_version=1)
    assert "version 2" in str(info.value) and "by amal" in str(info.value) and "nothing was saved" in str(info.value)
    with ws.session() as s:
        assert incidents.get_event(s, eid).fatalities == 4


def test_race_between_two_sessions_is_caught_by_the_version_column(ws):
    """A save based on a row read before another save lands is refused, even without expected_version."""
    from sqlalchemy.orm import sessionmaker

    with ws.session() as s:
        eid = incidents.create_event(s, CLASH, "amal").id
    factory = sessionmaker(ws.engine, expire_on_commit=False)
    with factory() as second:
        stale = incidents.get_event(second, eid)  # bassel opens the event ...
        second.commit()
        with ws.session() as first:  # ... amal saves first ...
            incidents.update_event(first, eid, {"fatalities": "7"}, "amal")
        stale.fatalities = 8  # ... then bassel saves what he read
        with pytest.raises(history.ConflictError, match="changed by someone else"):
            history.save(second, "event", stale, {"fatalities": 8}, "updated", "bassel")
        second.rollback()
    with ws.session() as s:
        assert incidents.get_event(s, eid).fatalities == 7


def test_drafts_stay_drafts_until_accepted(ws):
    with ws.session() as s:
        eid = incidents.create_event(s, {**CLASH, "status": "draft"}, "post import").id
        assert incidents.list_events(s, status="accepted")[0] == 0
    with ws.session() as s:
        incidents.accept_event(s, eid, "amal")
    with ws.session() as s:
        assert incidents.get_event(s, eid).status == "accepted"
        assert history.list_history(s, "event", eid)[-1]["action"] == "accepted"


@pytest.mark.parametrize(("change", "message"), [
    ({"event_date": "2012-02-30"}, "is not a date"),
    ({"event_date": (date.today() + timedelta(days=3)).isoformat()}, "is in the future"),
    ({"latitude": "36°12'N", "longitude": "37.1"}, "not a decimal number"),
    ({"latitude": "95", "longitude": "37.1"}, "latitude '95' is out of range"),
    ({"latitude": "36.1", "longitude": "-190"}, "longitude '-190' is out of range"),
    ({"latitude": "36.1"}, "both latitude and longitude"),
    ({"time_precision": "4"}, "time_precision 4 must be between 1 and 3"),
    ({"geo_precision": "0"}, "geo_precision 0 must be between 1 and 3"),
    ({"fatalities": "-1"}, "fatalities -1"),
    ({"event_type": "Skirmish"}, "unknown event type 'Skirmish'"),
    ({"sub_event_type": "Peaceful protest"}, "belongs to 'Protests'"),
    ({"date_from": "2012-12-05", "date_to": "2012-12-01"}, "after to"),
    ({"date_from": "2012-12-02", "date_to": "2012-12-09"}, "event_date 2012-12-01 is outside its window"),
])
def test_bad_event_input_gets_a_clear_message(ws, change, message):
    with ws.session() as s, pytest.raises(EventError, match=message):
        incidents.create_event(s, {**CLASH, **change}, "amal")


def test_unknown_place_lists_suggestions(ws):
    with ws.session() as s, pytest.raises(EventError, match=r"unknown place 'Harastaa Zzz'; did you mean: Harasta"):
        incidents.create_event(s, CLASH, "amal", place="Harastaa Zzz")


def test_a_place_given_with_coordinates_keeps_them_and_takes_only_the_governorate(ws):
    from workbench.events.incidents import create_event, placed_by_gazetteer, update_event

    base = {"event_date": "2013-01-05", "event_type": "Battles", "sub_event_type": "Armed clash"}
    with ws.session() as s:
        event = create_event(s, {**base, "latitude": 34.7251, "longitude": 36.708}, "amal", place="Homs")
        assert (event.location, event.admin1, event.latitude, event.geo_precision) == ("Homs", "Homs", 34.7251, 1)
        assert not placed_by_gazetteer(event.location, event.latitude, event.longitude)  # pinned by hand
        moved = update_event(s, event.id, {"latitude": 33.5612, "longitude": 36.4378}, "amal",
                             place="Tall al-Kurdi farms")
        assert (moved.location, moved.admin1, moved.latitude) == ("Tall al-Kurdi farms", None, 33.5612)
        centred = create_event(s, base, "amal", place="Homs")
        assert placed_by_gazetteer(centred.location, centred.latitude, centred.longitude)


def test_renaming_an_event_moves_a_gazetteer_centre_but_never_a_pinned_spot(ws):
    from workbench.events.incidents import create_event, update_event

    base = {"event_date": "2013-01-05", "event_type": "Battles", "sub_event_type": "Armed clash"}
    with ws.session() as s:
        centred = create_event(s, base, "amal", place="Douma")  # the gazetteer's centre of Douma
        same = {"latitude": centred.latitude, "longitude": centred.longitude}
        renamed = update_event(s, centred.id, same, "amal", place="Homs")  # a form sends the coordinates back
        assert (renamed.location, renamed.admin1) == ("Homs", "Homs")
        assert renamed.latitude == pytest.approx(34.73, abs=0.05)
        pinned = create_event(s, {**base, "latitude": 33.5702, "longitude": 36.4051}, "amal", place="Douma")
        kept = update_event(s, pinned.id, {"latitude": 33.5702, "longitude": 36.4051}, "amal", place="Douma, east")
        assert (kept.location, kept.latitude, kept.longitude) == ("Douma, east", 33.5702, 36.4051)
