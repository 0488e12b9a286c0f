"""Library: the catalogue, searchable and filterable, with thumbnails, paginated in the database."""

from datetime import date

import streamlit as st

from workbench import ui
from workbench.library import LibraryQuery, library_facets, search_library

ws = ui.page("Library", "📚")
st.title("Library")

PAGE_SIZE = 24
facets = library_facets(ws)
with st.sidebar:
    st.header("Filters")
    text = st.text_input("Search", key="lib_text", placeholder="title, URL, uploader, place, notes, SHA-256…")
    availability = st.selectbox("Availability", [None, *facets["availabilities"]], format_func=lambda v: v or "any")
    verification = st.selectbox("Verification", [None, *facets["verifications"]], format_func=lambda v: v or "any")
    place = st.text_input("Place (any spelling)", key="lib_place")
    governorate = st.selectbox("Governorate", [None, *facets["governorates"]], format_func=lambda v: v or "any")
    dates = st.date_input("Recorded between", value=(), format="YYYY-MM-DD", min_value=date(1990, 1, 1),
                          help="The tag's recorded date, else the upload date.")
    unit = st.selectbox("Unit", [None, *facets["units"]], format_func=lambda v: v or "any")
    events = {e["id"]: f"#{e['id']} {e['date']} {e['title'] or ''}" for e in facets["events"]}
    event_id = st.selectbox("Event", [None, *events], format_func=lambda v: "any" if v is None else events[v])
    dupes = st.selectbox("Duplicates", [None, True, False], key="lib_dupes",
                         format_func=lambda v: {None: "any", True: "has copies", False: "no copies"}[v])
    untagged = st.checkbox("Untagged only", key="lib_untagged")

query = LibraryQuery(text=text or None, availability=availability, verification=verification, place=place or None,
                     governorate=governorate, date_from=dates[0] if len(dates) > 0 else None,
                     date_to=dates[1] if len(dates) > 1 else None, unit=unit, event_id=event_id,
                     has_duplicates=dupes, untagged=untagged)
if st.session_state.get("library_query") != query:  # a new search starts on its first page
    st.session_state["library_query"], st.session_state["library_page"] = query, 1
page_no = st.session_state.get("library_page", 1)
result = search_library(ws, query, page=page_no, page_size=PAGE_SIZE)
pages = max(1, -(-result.total // PAGE_SIZE))
st.caption(f"{result.total} videos · page {result.page} of {pages}")
if not result.rows:
    st.info("No video matches these filters." if result.total == 0 else "Nothing on this page.")

for start in range(0, len(result.rows), 4):
    cols = st.columns(4)
    for col, row in zip(cols, result.rows[start:start + 4], strict=False):
        with col.container(border=True):
            thumb = ui.stored(ws, row.get("thumbnail"))
            if thumb:
                st.image(str(thumb), width="stretch")
            else:
                st.caption("(no keyframe yet)")
            ui.video_link(row["id"], f"#{row['id']} {(row['title'] or row['sha256'][:12])[:60]}")
            facts = [row["status"], ui.clock(row["duration"]), row.get("verification") or "untagged"]
            if row.get("place"):
                facts.append(f"{row['place']}" + (f", {row['admin1']}" if row.get("admin1") else ""))
            if row.get("recorded_date"):
                facts.append(str(row["recorded_date"]))
            if row.get("duplicates"):
                facts.append(f"{row['duplicates']} copies")
            st.caption(" · ".join(facts))

prev, info, nxt = st.columns([1, 2, 1])
if prev.button("← Previous", disabled=page_no <= 1):
    st.session_state["library_page"] = page_no - 1
    st.rerun()
if nxt.button("Next →", disabled=page_no >= pages):
    st.session_state["library_page"] = page_no + 1
    st.rerun()
