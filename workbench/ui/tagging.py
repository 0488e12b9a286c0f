"""The tagging form of the video page: place, spot, date, units, events, status; history; sun aid.

Widgets only: every check and every save is the library's (``events.tags``, ``events.units``,
``events.gazetteer``, ``events.sun``). The form remembers the version it was loaded from and
saves against it, so when someone else saved first the library refuses and the page says who.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st
from sqlalchemy.exc import OperationalError

from workbench import ui
from workbench.events import history
from workbench.events.gazetteer import Gazetteer
from workbench.events.incidents import EventError, get_event, list_events
from workbench.events.sun import day_table, sun_position
from workbench.events.tags import TagError, create_tag, place_fields, restore_tag, tag_dict, update_tag
from workbench.events.taxonomy import (
    CONFIDENCE,
    LOCATION_METHODS,
    POINT_OF,
    PRECISION_CLASSES,
    RECORDED_PRECISION,
    SIDES,
    VERIFICATION,
)
from workbench.events.units import UnitError, add_unit, list_units
from workbench.ui import maps
from workbench.workspace import Workspace

FIELDS = ("place", "admin1", "latitude", "longitude", "precision", "method", "confidence", "point_of",
          "location_note", "recorded_date", "recorded_time", "recorded_precision", "recorded_from", "recorded_to",
          "verification", "graphic",
          "personal_info", "notes")
SAVE_ERRORS = (TagError, UnitError, EventError, history.ConflictError, history.NotFound)


def _key(prefix: str, name: str) -> str:
    return f"{prefix}.{name}"


WIDGETS = (*FIELDS, "units", "events")


def _load(prefix: str, tag: dict[str, Any] | None) -> None:
    """Put a tag's values (or a new tag's defaults) into the widgets' state when the form opens.

    The version loaded is what a save is checked against: when someone else saves meanwhile, the
    form keeps this person's edits and the library refuses the save, saying who saved first.
    Streamlit forgets a widget's value when it is not drawn in a run (another page, another tag):
    then the form is filled again from the catalogue, never left with widget defaults.
    """
    version = tag["version"] if tag else 0
    loaded = st.session_state.get(_key(prefix, "loaded"))
    if loaded is not None and all(_key(prefix, name) in st.session_state for name in WIDGETS):
        if version != loaded:
            st.warning(f"Someone saved version {version} of this tag after you opened version {loaded}; saving "
                       "your edits will be refused. Reload the tag to see theirs.")
            st.button("Reload the tag (drops your unsaved edits)", key=_key(prefix, "reload"),
                      on_click=st.session_state.pop, args=(_key(prefix, "loaded"), None))
        return
    values = dict(tag or {"verification": "unverified", "graphic": False, "personal_info": False})
    for name in ("recorded_date", "recorded_from", "recorded_to"):
        if values.get(name):
            values[name] = date.fromisoformat(values[name])
    for name in FIELDS:
        st.session_state[_key(prefix, name)] = values.get(name)
    st.session_state[_key(prefix, "graphic")] = bool(values.get("graphic"))
    st.session_state[_key(prefix, "personal_info")] = bool(values.get("personal_info"))
    st.session_state[_key(prefix, "units")] = list(values.get("units") or [])
    st.session_state[_key(prefix, "events")] = list(values.get("events") or [])
    st.session_state[_key(prefix, "loaded")] = version


def _use_place(prefix: str, place_id: str) -> None:
    place = Gazetteer.default().places[place_id]
    for name, value in place_fields(place).items():
        st.session_state[_key(prefix, name)] = value


def _use_pick(prefix: str) -> None:
    spot = maps.picked(st.session_state.get(_key(prefix, "map")))
    if spot:
        st.session_state[_key(prefix, "latitude")], st.session_state[_key(prefix, "longitude")] = spot
        # a clicked spot is no longer the gazetteer's centre: the investigator says how precise it is
        st.session_state[_key(prefix, "precision")] = st.session_state[_key(prefix, "method")] = None


def _place_search(prefix: str) -> None:
    query = st.text_input("Find a place (any spelling, Latin or Arabic)", key=_key(prefix, "find"),
                          placeholder="Deir ez-Zor, دير الزور, Darayya…")
    if not query.strip():
        return
    found = Gazetteer.default().lookup(query)
    options = ([found.place] if found.place else []) + found.alternatives + [p for p, _ in found.suggestions]
    if not options:
        st.warning(f"Nothing in the gazetteer looks like {query!r}. Click the spot on the map, or type the "
                   "coordinates.")
        return
    if found.place is None:
        st.caption(f"No place is called {query!r}; the closest names:")
    for n, place in enumerate(dict.fromkeys(options)):
        label = f"{place.name}" + (f" · {place.name_ar}" if place.name_ar else "") + \
            f" · {place.admin1 or '?'} · {place.kind} ({place.latitude:.4f}, {place.longitude:.4f})"
        st.button(label, key=_key(prefix, f"use{n}"), on_click=_use_place, args=(prefix, place.id),
                  help="Use this place: fills place, governorate, its centre's coordinates and precision.")


def tag_form(ws: Workspace, video_id: int, tag: dict[str, Any] | None) -> None:
    """The form for a new tag on the video (``tag`` None) or for editing ``tag``."""
    prefix = f"tag{video_id}.{tag['id'] if tag else 'new'}"
    _load(prefix, tag)
    st.markdown("**Where**")
    _place_search(prefix)
    lat, lon = st.session_state.get(_key(prefix, "latitude")), st.session_state.get(_key(prefix, "longitude"))
    st.caption("Click the spot on the map (a grid of 1 km cells around the current point; click again to walk "
               "there), or type the coordinates.")
    st.pydeck_chart(maps.picker_deck(lat, lon), on_select=lambda: _use_pick(prefix), key=_key(prefix, "map"),
                    height=320, selection_mode="single-object")
    c = st.columns(4)
    c[0].text_input("Place", key=_key(prefix, "place"))
    c[1].text_input("Governorate", key=_key(prefix, "admin1"))
    c[2].number_input("Latitude", key=_key(prefix, "latitude"), min_value=-90.0, max_value=90.0, format="%.6f",
                      step=0.0001)
    c[3].number_input("Longitude", key=_key(prefix, "longitude"), min_value=-180.0, max_value=180.0,
                      format="%.6f", step=0.0001)
    c = st.columns(4)
    c[0].selectbox("Precision", [None, *PRECISION_CLASSES], key=_key(prefix, "precision"),
                   format_func=lambda v: "–" if v is None else PRECISION_CLASSES[v])
    c[1].selectbox("Method", [None, *LOCATION_METHODS], key=_key(prefix, "method"), format_func=_dash)
    c[2].selectbox("Confidence", [None, *CONFIDENCE], key=_key(prefix, "confidence"), format_func=_dash)
    c[3].selectbox("Point is the", [None, *POINT_OF], key=_key(prefix, "point_of"), format_func=_dash)
    st.text_input("How the place was found (landmarks, reasoning)", key=_key(prefix, "location_note"))

    st.markdown("**When**")
    c = st.columns(3)
    c[0].date_input("Recorded on", key=_key(prefix, "recorded_date"), min_value=date(1990, 1, 1),
                    max_value=date.today(), format="YYYY-MM-DD")
    c[1].text_input("Time (HH:MM, local)", key=_key(prefix, "recorded_time"))
    c[2].selectbox("Date precision", [None, *RECORDED_PRECISION], key=_key(prefix, "recorded_precision"),
                   format_func=_dash)
    c = st.columns(3)
    c[0].date_input("Not before (window)", key=_key(prefix, "recorded_from"), min_value=date(1990, 1, 1),
                    max_value=date.today(), format="YYYY-MM-DD", help="When the exact day is unknown: the earliest "
                    "it can be (e.g. from the scene or the upload).")
    c[1].date_input("Not after", key=_key(prefix, "recorded_to"), min_value=date(1990, 1, 1),
                    max_value=date.today(), format="YYYY-MM-DD", help="The latest it can be: at the latest the "
                    "first upload.")

    st.markdown("**Who and what**")
    linked = st.session_state.get(_key(prefix, "events")) or []
    with ws.reading() as session:
        unit_names = [u.name for u in list_units(session)]
        _, events = list_events(session, limit=500)
        events += [get_event(session, e) for e in linked if e not in {x.id for x in events}]  # never drop a link
        event_labels = {e.id: f"#{e.id} {e.event_date} {e.title or e.sub_event_type} ({e.location or '?'})"
                        for e in events}
    st.multiselect("Units seen", unit_names, key=_key(prefix, "units"))
    with st.expander("Add a unit that is not in the list"):
        _add_unit(ws, prefix)
    st.multiselect("Linked events", list(event_labels), key=_key(prefix, "events"),
                   format_func=lambda i: event_labels.get(i, f"#{i}"))
    c = st.columns(3)
    c[0].selectbox("Verification status", VERIFICATION, key=_key(prefix, "verification"))
    c[1].checkbox("Graphic content", key=_key(prefix, "graphic"))
    c[2].checkbox("Shows personal information", key=_key(prefix, "personal_info"))
    st.text_area("Notes", key=_key(prefix, "notes"))

    if st.button("Save tag" if tag else "Add tag", type="primary", key=_key(prefix, "save")):
        _save(ws, video_id, tag, prefix)
    if tag:
        _history(ws, tag, prefix)
    _sun_aid(prefix)


def _dash(value: Any) -> str:
    return "–" if value is None else str(value)


def _add_unit(ws: Workspace, prefix: str) -> None:
    c = st.columns(3)
    name = c[0].text_input("Name", key=_key(prefix, "unit_name"))
    name_ar = c[1].text_input("Arabic name", key=_key(prefix, "unit_name_ar"))
    side = c[2].selectbox("Side", SIDES, key=_key(prefix, "unit_side"))
    if st.button("Add unit", key=_key(prefix, "unit_add")):
        try:
            with ws.session() as session:
                unit, created = add_unit(session, name.strip(), side=side, name_ar=name_ar.strip() or None,
                                         author=ws.settings.user)
                unit_name = unit.name
        except UnitError as exc:
            st.error(str(exc))
        else:
            st.success(f"Added {unit_name!r}." if created else f"{unit_name!r} was already in the list.")


def _save(ws: Workspace, video_id: int, tag: dict[str, Any] | None, prefix: str) -> None:
    data = {name: st.session_state.get(_key(prefix, name)) for name in FIELDS}
    units = st.session_state.get(_key(prefix, "units")) or []
    events = [str(e) for e in st.session_state.get(_key(prefix, "events")) or []]
    try:
        with ws.session() as session:
            if tag is None:
                saved, warnings = create_tag(session, video_id, data, ws.settings.user, units=units, events=events)
            else:
                saved, warnings = update_tag(session, tag["id"], data, ws.settings.user,
                                             expected_version=st.session_state[_key(prefix, "loaded")],
                                             units=units, events=events, video_ref=video_id)
            result = tag_dict(saved)
    except SAVE_ERRORS as exc:
        st.error(str(exc))
        return
    except OperationalError:
        st.error(ui.BUSY)
        return
    st.session_state["tag_saved"] = (f"Tag {result['id']} saved as version {result['version']} by "
                                     f"{result['updated_by']}.", warnings)
    st.session_state.pop(_key(prefix, "loaded"), None)  # show what was saved
    st.session_state["tag_saved_id"] = result["id"]  # the page opens the saved tag (a new one, too)
    st.rerun()


def _history(ws: Workspace, tag: dict[str, Any], prefix: str) -> None:
    with st.expander(f"History of tag {tag['id']} (version {tag['version']})"):
        with ws.reading() as session:
            revisions = history.list_history(session, "tag", tag["id"])
        st.dataframe([{"version": r["version"], "action": r["action"], "by": r["author"], "saved at": r["saved_at"],
                       "changed": ", ".join(r["changed"])} for r in revisions], hide_index=True, width="stretch")
        older = [r["version"] for r in revisions if r["version"] != tag["version"]]
        if not older:
            return
        version = st.selectbox("Restore version", older, key=_key(prefix, "restore_v"))
        st.json(next(r["data"] for r in revisions if r["version"] == version), expanded=False)
        if st.button(f"Restore version {version}", key=_key(prefix, "restore")):
            try:
                with ws.session() as session:
                    restored = restore_tag(session, tag["id"], version, ws.settings.user,
                                           expected_version=st.session_state[_key(prefix, "loaded")])
                    new_version = restored.version
            except SAVE_ERRORS as exc:
                st.error(str(exc))
            else:
                st.session_state["tag_saved"] = (f"Version {version} restored as version {new_version}.", [])
                st.session_state.pop(_key(prefix, "loaded"), None)
                st.rerun()


def _sun_aid(prefix: str) -> None:
    lat, lon = st.session_state.get(_key(prefix, "latitude")), st.session_state.get(_key(prefix, "longitude"))
    day, time = st.session_state.get(_key(prefix, "recorded_date")), st.session_state.get(_key(prefix, "recorded_time"))
    with st.expander("Sun position (check shadows against the claimed time)"):
        if lat is None or lon is None or day is None:
            st.info("Give coordinates and a recorded date to see where the sun was.")
            return
        try:
            if time:
                pos = sun_position(lat, lon, f"{day.isoformat()}T{time}")
                st.write(f"At {pos.local_time}: sun azimuth **{pos.azimuth}°**, elevation **{pos.elevation}°**; "
                         f"shadows point to **{pos.shadow_azimuth}°**, "
                         + (f"{pos.shadow_ratio} times as long as the object is tall." if pos.shadow_ratio
                            else "no sun shadows."))
                for warning in pos.warnings:
                    st.caption(warning)
            rows = day_table(lat, lon, day.isoformat(), step_minutes=60)
            st.dataframe([{"local time": r.local_time[11:16], "azimuth": r.azimuth, "elevation": r.elevation,
                           "shadow points to": r.shadow_azimuth, "shadow ratio": r.shadow_ratio} for r in rows],
                         hide_index=True)
        except EventError as exc:
            st.error(str(exc))
