"""Search: upload a still (a screenshot from a post) or a clip not in the archive; see the matches."""

import streamlit as st

from workbench import catalogue, ui
from workbench.match.search import QueryError, search_clip, search_image
from workbench.media.decode import DecodeError, still_at

ws = ui.page("Search", "🔎")
st.title("Search by a still or a clip")
st.caption("Finds archived videos that contain the picture (mirrored too), or that share footage with the clip, "
           "and says where.")

IMAGE_TYPES = ["png", "jpg", "jpeg", "webp", "gif", "bmp"]
uploaded = st.file_uploader("A still or a clip", type=IMAGE_TYPES + ["mp4", "mov", "mkv", "webm", "avi", "m4v", "ts"])
if uploaded is None:
    st.stop()

is_image = uploaded.name.rsplit(".", 1)[-1].lower() in IMAGE_TYPES
with st.spinner("Searching the archive…"), ui.upload_file(ws, uploaded) as path:
    try:
        hits = search_image(ws, path) if is_image else search_clip(ws, path)
    except (QueryError, DecodeError) as exc:
        hits = None
        st.error(str(exc).replace(str(path), uploaded.name))  # name the file as the person knows it
if hits is None:
    st.stop()
if is_image:
    st.image(uploaded, caption=uploaded.name, width=320)  # read by the library first: it is an image

if not hits:
    st.info(f"Nothing in the archive matches {uploaded.name}.")
    st.stop()
st.success(f"{len(hits)} archived video{'s' if len(hits) > 1 else ''} match {uploaded.name}.")
videos = catalogue.video_summaries(ws, [hit["id"] for hit in hits])
for hit in hits:
    video = videos[hit["id"]]
    with st.container(border=True):
        left, right = st.columns([1, 2])
        moment = hit["timestamps"][0] if is_image else (hit["segments"][0]["b_start"] if hit.get("segments") else 0.0)
        path = ui.stored(ws, video["path"])
        if path:
            try:
                left.image(still_at(path, moment), width="stretch", caption=f"at {ui.clock(moment)}")
            except DecodeError as exc:
                left.error(str(exc))
        with right:
            st.markdown(f"**#{hit['id']} {video['title']}** · score {hit['score']:.2f}"
                        + (" · mirrored" if hit.get("mirrored") else ""))
            if is_image:
                st.write("At " + ", ".join(ui.clock(t) for t in hit["timestamps"][:12])
                         + (" …" if len(hit["timestamps"]) > 12 else ""))
            elif hit.get("kind") == "exact" and hit.get("a_coverage") is None:
                st.write("The same file (identical bytes) is archived.")
            else:
                st.write(f"{hit['a_coverage']:.0%} of the clip is in this video; {hit['b_coverage']:.0%} of the video "
                         "is in the clip." + (" Identical file." if hit.get("kind") == "exact" else ""))
                for s in hit.get("segments", []):
                    st.write(f"clip {ui.clock(s['a_start'])}–{ui.clock(s['a_end'])} ↔ video "
                             f"{ui.clock(s['b_start'])}–{ui.clock(s['b_end'])}")
            ui.video_link(hit["id"], f"Open #{hit['id']} at {ui.clock(moment)}", t=moment)
