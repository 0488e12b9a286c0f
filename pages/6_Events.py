"""Events: the ACLED-compatible event table with filters; create and edit with history; ACLED import
and export; linked videos; drafts from post import to accept or reject."""

import io
from collections import Counter
from datetime import date

import streamlit as st
from sqlalchemy.exc import OperationalError

from workbench import ui
from workbench.events import history
from workbench.events.acled import export_csv, import_csv
from workbench.events.incidents import (
    EventError,
    accept_event,
    create_event,
    event_dict,
    get_event,
    linked_videos,
    list_events,
    reject_event,
    update_event,
)
from workbench.events.taxonomy import EVENT_TYPES, TIME_PRECISION
from workbench.events.units import UnitError, list_units

ws = ui.page("Events", "📅")
st.title("Events")
ERRORS = (EventError, UnitError, history.ConflictError, history.NotFound)


def save(change, forget_prefix: str | None = None) -> None:  # noqa: ANN001
    """Run one save (``change(session)`` returns what to tell the person) in one transaction; on
    success say so on the next run, with the saved form forgotten; else explain, the edits stay."""
    try:
        with ws.session() as session:
            done = change(session)
    except ERRORS as exc:
        st.error(str(exc))
    except OperationalError:
        st.error(ui.BUSY)
    else:
        st.session_state["event_done"] = done
        if forget_prefix:
            forget(forget_prefix)
        st.rerun()


def forget(prefix: str) -> None:
    """Drop a form's remembered values and version, so it opens afresh from the catalogue."""
    for key in [k for k in st.session_state if str(k).startswith(prefix)]:
        del st.session_state[key]
if msg := st.session_state.pop("event_done", None):
    st.success(msg)

table_tab, drafts_tab, new_tab, acled_tab = st.tabs(["Events", "Drafts to review", "New event", "ACLED import/export"])


TYPES = [(t, sub) for t, subs in EVENT_TYPES.items() for sub in subs]


def event_fields(prefix: str, current: dict | None = None) -> dict:
    """The event form's widgets; returns the raw values (the library checks them)."""
    current = current or {}
    c = st.columns([2, 1, 1])
    now = (current.get("event_type"), current.get("sub_event_type"))
    etype, sub = c[0].selectbox("Event type and sub-type", TYPES, key=f"{prefix}type", format_func=" · ".join,
                                index=TYPES.index(now) if now in TYPES else 0)
    day = date.fromisoformat(current["event_date"]) if current.get("event_date") else date.today()
    when = c[1].date_input("Event date", key=f"{prefix}date", format="YYYY-MM-DD", value=day,
                           min_value=date(1990, 1, 1), max_value=date.today())
    tprec = c[2].selectbox("Time precision", list(TIME_PRECISION), format_func=TIME_PRECISION.get,
                           index=(current.get("time_precision") or 1) - 1, key=f"{prefix}tp")
    c = st.columns([2, 1, 1, 1])
    place = c[0].text_input("Place (any spelling: looked up in the gazetteer unless you give coordinates)",
                            key=f"{prefix}place", value=current.get("location") or "")
    lat = c[1].number_input("Latitude", value=current.get("latitude"), min_value=-90.0, max_value=90.0,
                            format="%.6f", key=f"{prefix}lat")
    lon = c[2].number_input("Longitude", value=current.get("longitude"), min_value=-180.0, max_value=180.0,
                            format="%.6f", key=f"{prefix}lon")
    fatalities = c[3].number_input("Fatalities (empty: unknown)", min_value=0, step=1, key=f"{prefix}fat",
                                   value=current.get("fatalities"))
    title = st.text_input("Title", value=current.get("title") or "", key=f"{prefix}title")
    units = st.multiselect("Actors (units)", unit_names, key=f"{prefix}units",
                           default=[u for u in current.get("units", []) if u in unit_names])
    c = st.columns(2)
    actor1 = c[0].text_input("Actor 1 (free text, as ACLED)", value=current.get("actor1") or "", key=f"{prefix}a1")
    actor2 = c[1].text_input("Actor 2", value=current.get("actor2") or "", key=f"{prefix}a2")
    notes = st.text_area("Notes", value=current.get("notes") or "", key=f"{prefix}notes")
    source = st.text_input("Source", value=current.get("source") or "", key=f"{prefix}source")
    data = {"event_type": etype, "sub_event_type": sub, "event_date": when, "time_precision": tprec,
            "title": title, "actor1": actor1, "actor2": actor2, "notes": notes, "source": source,
            "fatalities": fatalities, "latitude": lat, "longitude": lon}
    moved = (lat, lon) != (current.get("latitude"), current.get("longitude"))
    renamed = place.strip() != (current.get("location") or "")
    return {"data": data, "units": units, "place": place.strip() or None, "place_changed": renamed or moved}


with ws.reading() as session:
    unit_names = [u.name for u in list_units(session)]

with table_tab:
    c = st.columns(4)
    status = c[0].selectbox("Status", ["accepted", "draft", "rejected", None], format_func=lambda s: s or "all")
    etype = c[1].selectbox("Type", [None, *EVENT_TYPES], format_func=lambda s: s or "all")
    since = c[2].date_input("From", value=None, format="YYYY-MM-DD", min_value=date(1990, 1, 1))
    until = c[3].date_input("To", value=None, format="YYYY-MM-DD", min_value=date(1990, 1, 1))
    text = st.text_input("Text in title, place or actors")
    with ws.reading() as session:
        total, events = list_events(session, status=status, event_type=etype, date_from=since, date_to=until,
                                    text=text or None, limit=500)
        rows = [event_dict(e) for e in events]
    st.caption(f"{total} events" + (f" (showing the first {len(rows)})" if total > len(rows) else ""))
    picked = st.dataframe(
        [{"id": r["id"], "date": r["event_date"], "type": r["event_type"], "sub-type": r["sub_event_type"],
          "place": r["location"], "governorate": r["admin1"],
          "actors": "; ".join(filter(None, [r["actor1"], r["actor2"]])),
          "title": r["title"], "fatalities": r["fatalities"], "status": r["status"], "v": r["version"]} for r in rows],
        hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
        key=f"event_table.{hash(tuple(r['id'] for r in rows))}")  # new rows, new table: a tick never moves
    chosen = picked.selection.rows if picked else []
    typed = st.number_input("Open event number (or tick a row above)", min_value=1, step=1, key="event_open",
                            value=ui.query_int("id"), placeholder="id")
    event_id = rows[chosen[0]]["id"] if chosen else typed
    event = None
    if event_id:
        try:
            with ws.reading() as session:
                event = event_dict(get_event(session, event_id))
                videos = linked_videos(session, event_id)
                revisions = history.list_history(session, "event", event_id)
        except history.NotFound:
            st.error(f"There is no event number {event_id}.")
    if event:
        st.subheader(f"Event {event['id']}: {event['title'] or event['sub_event_type']} (version {event['version']}, "
                     f"{event['status']})")
        st.markdown("**Linked videos**")
        if not videos:
            st.caption("No video is tagged with this event yet (tag one on its video page).")
        for v in videos:
            ui.video_link(v["id"], f"Video #{v['id']} ({v['via']})")
        # The version the form was opened on is what the save is checked against (someone else may save meanwhile);
        # a form whose widgets Streamlit forgot (another page, another event) opens afresh.
        prefix = f"e{event['id']}_"
        if f"{prefix}title" not in st.session_state:
            st.session_state[f"{prefix}loaded"] = event["version"]
        loaded = st.session_state.setdefault(f"{prefix}loaded", event["version"])
        if loaded != event["version"]:
            st.warning(f"Version {event['version']} was saved after you opened version {loaded}: saving your edits "
                       "will be refused. Open the history to see the change, or reload.")
            st.button("Reload the event (drops your unsaved edits)", on_click=forget, args=(prefix,))
        with st.form(f"edit{event['id']}"):
            fields = event_fields(prefix, event)
            if st.form_submit_button("Save changes", type="primary"):
                def change(session, event=event, fields=fields, loaded=loaded):  # noqa: ANN001, ANN202
                    saved = update_event(session, event["id"], fields["data"], ws.settings.user,
                                         expected_version=loaded, units=fields["units"],
                                         place=fields["place"] if fields["place_changed"] else None)
                    return f"Event {saved.id} saved as version {saved.version}."
                save(change, prefix)
        with st.expander("History"):
            st.dataframe([{"version": r["version"], "action": r["action"], "by": r["author"], "saved at": r["saved_at"],
                           "changed": ", ".join(r["changed"])} for r in revisions], hide_index=True, width="stretch")

with drafts_tab:
    with ws.reading() as session:
        _, drafts = list_events(session, status="draft", limit=200)
        drafts = [event_dict(e) for e in drafts]
    if not drafts:
        st.info("No drafts. Paste a post on the Archive page with 'Also draft events' ticked to make some.")
    for d in drafts:
        with st.container(border=True):
            st.markdown(f"**#{d['id']} {d['sub_event_type']}** at {d['location'] or '?'} · {d['event_date']} "
                        f"({TIME_PRECISION.get(d['time_precision'])}) · actors: {d['actor1'] or '?'}")
            st.caption(d["description"] or d["notes"] or "")
            yes, no = st.columns(2)
            for col, act, fn in ((yes, "Accept", accept_event), (no, "Reject", reject_event)):
                # the version shown is in the key: a draft changed meanwhile shows again instead of being decided
                if col.button(act, key=f"{act}{d['id']}v{d['version']}"):
                    def decide(session, fn=fn, d=d, act=act):  # noqa: ANN001, ANN202
                        fn(session, d["id"], ws.settings.user, d["version"])
                        return f"Draft {d['id']} {act.lower()}ed."
                    save(decide, f"e{d['id']}_")  # an edit form open on it starts again from the decided version

with new_tab, st.form("new_event"):
    fields = event_fields("new_")
    if st.form_submit_button("Add event", type="primary"):
        def add(session):  # noqa: ANN001, ANN202
            made = create_event(session, fields["data"], ws.settings.user, units=fields["units"], place=fields["place"])
            return f"Event {made.id} added."
        save(add)

with acled_tab:
    st.markdown("**Import** an ACLED CSV (its 31 columns). Bad rows are reported by line; the good rows import.")
    upload = st.file_uploader("ACLED CSV", type=["csv"], key="acled_csv")
    strict = st.checkbox("Import nothing if any row is bad")
    if upload is not None and st.button("Import", type="primary"):
        try:
            text = upload.getvalue().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            st.error(f"{upload.name} is not UTF-8 text (byte {exc.start}): save it as UTF-8 CSV and import it "
                     "again. Nothing was imported.")
            st.stop()
        with ws.session() as session:
            result = import_csv(session, upload.name, ws.settings.user, strict=strict, text=text)
        if result.error:
            st.error(f"{upload.name}: {result.error}")
        summary = result.as_dict()
        counts = Counter(r["status"] for r in summary["items"])
        st.write(", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "No rows.")
        if counts.get("updated"):
            st.warning(f"{counts['updated']} events already in the catalogue were updated from the file; their "
                       "earlier versions, with any edits made here, are in each event's history.")
        st.dataframe(summary["items"], hide_index=True, width="stretch")
    st.markdown("**Export** the accepted events as ACLED CSV (ACLED's 31 columns).")
    drafts_too = st.checkbox("Include drafts")
    if st.button("Prepare the export"):
        with ws.reading() as session:
            buffer = io.StringIO()
            count = export_csv(session, buffer, include_drafts=drafts_too)
        st.download_button(f"Download {count} events (CSV)", buffer.getvalue().encode("utf-8"), "events-acled.csv",
                           "text/csv", on_click="ignore")
