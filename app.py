"""Evidence Workbench in the browser: the home page. Run with ``streamlit run app.py``.

The pages in ``pages/`` are Streamlit's native multipage app; each sets itself up through
``workbench.ui.page`` so it works when opened directly by its URL.
"""

import streamlit as st

from workbench import catalogue, ui

ws = ui.page("Home", "🗂️")
st.title("Evidence Workbench")
st.caption("Preserve conflict footage before it is deleted, find every copy, and tag where, when and by whom "
           "it was filmed.")

counts = catalogue.overview(ws)
cols = st.columns(4)
cols[0].metric("Videos archived", counts["videos"], help="Distinct files in the store (by SHA-256).")
cols[1].metric("Sources gone", counts["sources_gone"],
               help="Links whose last check found the video deleted, private, geo-blocked or unavailable.")
cols[2].metric("Videos tagged", counts["tagged"], help=f"{counts['analysed']} analysed (keyframes and hashes).")
cols[3].metric("Events", counts["events"], help=f"{counts['drafts']} drafts from posts wait for review.")

if counts["videos"] == 0:
    st.info("The catalogue is empty. Archive links or upload files on the **Archive** page, or load the demo "
            "catalogue from a terminal with `workbench demo`.")

st.subheader("Where to start")
left, right = st.columns(2)
with left:
    st.page_link(ui.PAGES["archive"], label="Archive links, a post or files", icon="📥")
    st.page_link(ui.PAGES["library"], label="Browse and filter the library", icon="📚")
    st.page_link(ui.PAGES["duplicates"], label=f"Review duplicates ({counts['near_duplicates']} near-duplicate pairs)",
                 icon="👯")
with right:
    st.page_link(ui.PAGES["search"], label="Search by a still or a clip", icon="🔎")
    st.page_link(ui.PAGES["events"], label=f"Events ({counts['drafts']} drafts to review)", icon="📅")
    st.page_link(ui.PAGES["map"], label="Map of events and geolocated videos", icon="🗺️")

st.subheader("Newest videos")
total, rows = catalogue.list_videos(ws, limit=8)
for row in rows:
    ui.video_link(row["id"], f"#{row['id']} {row['title'] or row['sha256'][:12]} · {row['status']}")
