"""Video: the player, keyframes, provenance and availability, duplicates, and the tagging form."""

import streamlit as st

from workbench import catalogue, ui
from workbench.events.tags import tag_dict, tags_for_video
from workbench.match.dupes import pairs_for_video
from workbench.ui.tagging import tag_form

ws = ui.page("Video", "🎞️")

video_id = ui.query_int("id")
with st.sidebar:
    picked = st.number_input("Open video number", min_value=1, step=1, value=video_id or None, placeholder="id")
if picked and picked != video_id:
    st.query_params.update({"id": str(int(picked))})
    st.query_params.pop("t", None)
    video_id = int(picked)
if video_id is None:
    st.title("Video")
    st.info("Open a video from the Library, or type its number in the sidebar.")
    st.page_link(ui.PAGES["library"], label="Go to the library", icon="📚")
    st.stop()

video = catalogue.video_detail(ws, video_id)
if video is None:
    st.title("Video")
    st.error(f"There is no video number {video_id} in the catalogue.")
    st.stop()

st.title(video["title"] or f"Video {video_id}")
st.caption(f"#{video_id} · SHA-256 `{video['sha256']}` · {ui.clock(video['duration'])} · "
           f"{video['width']}×{video['height']} · {video['codec']} · {video['size'] / 1e6:.1f} MB")
if msg := st.session_state.pop("tag_saved", None):
    st.success(msg[0])
    for warning in msg[1]:
        st.warning(warning)

start_key, asked = f"start{video_id}", ui.query_float("t")
if start_key not in st.session_state or st.session_state.get(f"asked{video_id}") != asked:
    st.session_state[start_key] = asked or 0.0  # a new ?t= in the URL (another link) moves the player
    st.session_state[f"asked{video_id}"] = asked
analysis = video.get("analysis") or {}
player, side = st.columns([3, 2])
with player:
    path = ui.stored(ws, video["path"])
    if path is None:
        st.error(f"The file {video['path']} is missing from the store under {ws.settings.home}: the catalogue "
                 "says it was archived, so the store was moved or damaged. Nothing was changed; tell whoever keeps "
                 "the archive.")
    else:
        st.video(str(path), start_time=int(st.session_state[start_key]))
        st.caption(f"Playing from {ui.clock(st.session_state[start_key])}. Click a keyframe to jump to it.")
    if analysis.get("status") == "failed":
        st.warning(f"Keyframes could not be made: {analysis.get('error')}")
    elif analysis.get("status") == "partial":
        st.warning(f"Keyframes cover only part of the file: {analysis.get('error')}")
    keyframes = analysis.get("keyframes") or []
    for row_start in range(0, len(keyframes), 6):
        cols = st.columns(6)
        for col, kf in zip(cols, keyframes[row_start:row_start + 6], strict=False):
            image = ui.stored(ws, kf["image"])
            if image:
                col.image(str(image), width="stretch")
            if col.button(f"▶ {ui.clock(kf['t'])}", key=f"kf{video_id}.{kf['t_ms']}",
                          help=f"frame {kf['frame_number']}, shot {kf['shot']}"):
                st.session_state[start_key] = kf["t"]
                st.rerun()

with side:
    sources, acquisitions, tab_dupes = st.tabs(["Sources", "Acquisitions", "Duplicates"])
    with sources:
        if not video["sources"]:
            st.info("Imported from a file: no web source.")
        for src in video["sources"]:
            st.markdown(f"**{src['title'] or src['original_url']}**  \n{src['original_url']}")
            st.caption(f"{src['extractor'] or ''} · uploaded {src['upload_date'] or '?'} by "
                       f"{src['uploader'] or '?'} · first archived {src['first_archived_at'] or '?'}")
            st.write(f"Availability: **{src['availability']}**"
                     + (f" ({src['availability_message']})" if src["availability_message"] else ""))
            if src["checks"]:
                st.dataframe([{"checked": c["checked_at"], "kind": c["kind"], "result": c["availability"],
                               "HTTP": c["http_status"], "by": c["by"], "message": c["message"]}
                              for c in src["checks"]], hide_index=True, width="stretch")
            if src["description"]:
                with st.expander("Description"):
                    st.text(src["description"])
    with acquisitions:
        for acq in video["acquisitions"]:
            st.markdown(f"**{acq['method']}** by {acq['acquired_by']} at {acq['acquired_at']}")
            if acq["original_path"]:
                st.caption(f"original: {acq['original_path']}")
            if acq["attachments"]:
                st.dataframe([{"kind": a["kind"], "label": a["label"], "sha256": a["sha256"][:16], "bytes": a["size"]}
                              for a in acq["attachments"]], hide_index=True, width="stretch")
    with tab_dupes:
        pairs = [p for p in pairs_for_video(ws, video_id) if p["kind"] == "near"]  # exact: see Sources
        if not pairs:
            st.info("No copies of this video found in the archive.")
        for pair in pairs:
            other = pair["other"]
            ui.video_link(other["id"], f"#{other['id']} {other['title'] or other['sha256'][:12]} · score "
                          f"{pair['score']:.2f}" + (" · mirrored" if pair.get("mirrored") else "")
                          + (" · may be out of date (rescan)" if pair.get("stale") else ""))
            st.caption(f"{pair['coverage']:.0%} of this video is in it; " + "; ".join(
                f"here {ui.clock(s['start'])}–{ui.clock(s['end'])} ↔ there {ui.clock(s['other_start'])}–"
                f"{ui.clock(s['other_end'])}" for s in pair["segments"]))
        if pairs:
            st.page_link(ui.PAGES["duplicates"], label="Compare and review on the Duplicates page", icon="👯")

st.header("Tags")
with ws.reading() as session:
    tags = [tag_dict(t) for t in tags_for_video(session, video_id)]
SCOPES = {"video": "whole video", "segment": "segment {start_s:g}–{end_s:g} s",
          "keyframe": "keyframe at {keyframe_ms} ms"}
labels = {None: "New tag"} | {t["id"]: f"Tag {t['id']} ({SCOPES[t['scope']].format(**t)}) · v{t['version']} · "
                                        f"{t['place'] or 'no place'} · {t['verification']}" for t in tags}
pick = f"tagpick{video_id}"
if (saved_id := st.session_state.pop("tag_saved_id", None)) is not None and saved_id in labels:
    st.session_state[pick] = saved_id
if st.session_state.get(pick, -1) not in labels:  # first visit, or a tag gone: the first tag, else a new one
    st.session_state[pick] = tags[0]["id"] if tags else None
choice = st.radio("Edit", list(labels), format_func=labels.get, horizontal=True, key=pick,
                  help="Switching to another tag, or to another page, drops edits not yet saved.")
tag_form(ws, video_id, next((t for t in tags if t["id"] == choice), None))
