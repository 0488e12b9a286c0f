"""Duplicates: clusters of copies with the earliest marked, pairs with their shared segments and
frames side by side; confirm or reject a suggested pair."""

import streamlit as st

from workbench import catalogue, ui
from workbench.match.dupes import duplicates
from workbench.match.review import ReviewError, review
from workbench.media.decode import DecodeError, still_at

ws = ui.page("Duplicates", "👯")
st.title("Duplicates")
st.caption("Copies of the same footage across the archive: re-uploads, trims, crops, mirrors, logos, re-encodes. "
           "A rejected pair is never suggested again; who decided and when is recorded.")

if msg := st.session_state.pop("review_done", None):
    st.success(msg)

with st.expander("Match the whole catalogue again"):
    st.caption("Pairs are found when each video is analysed and kept. Rescan after changing the match settings, "
               "or for a catalogue analysed before pairs were kept; it compares every video with every other.")
    rescan = st.button("Rescan now")
with st.spinner("Matching the whole catalogue…" if rescan else "Loading the pairs…"):
    found = duplicates(ws, rescan=rescan)
if any(p.get("stale") for p in found["pairs"]):
    st.warning("Some pairs were found before their video was analysed again and may be out of date: rescan.")
pairs, groups = found["pairs"], found["clusters"]
videos = catalogue.video_summaries(ws, {i for p in pairs for i in (p["a"]["id"], p["b"]["id"])})


def title(media_id: int) -> str:
    return videos.get(media_id, {}).get("title") or f"video {media_id}"


st.header(f"Clusters ({len(groups)})")
if not groups:
    st.info("No near-duplicate videos in the catalogue.")
for group in groups:
    with st.container(border=True):
        st.markdown(f"**{len(group['ids'])} copies** · earliest: **#{group['earliest']} {title(group['earliest'])}** "
                    f"({group['earliest_basis'] or '?'} {str(group['earliest_date'] or '')[:10]})")
        cols = st.columns(min(len(group["ids"]), 4))
        for n, media_id in enumerate(group["ids"]):
            with cols[n % len(cols)]:
                star = "⭐ earliest · " if media_id == group["earliest"] else ""
                ui.video_link(media_id, f"{star}#{media_id} {title(media_id)}")

st.header(f"Pairs ({len(pairs)})")
near = [p for p in pairs if p["kind"] == "near"]
for pair in pairs:
    if pair["kind"] == "exact":
        urls = ", ".join(s["url"] or "?" for s in pair.get("sources", []))
        st.markdown(f"**Exact copy** · #{pair['a']['id']} {title(pair['a']['id'])}: the same bytes were posted at "
                    f"{len(pair.get('sources', []))} links ({urls}).")
if not near:
    st.stop()


def label(p: dict) -> str:
    state = (p.get("review") or {}).get("decision", "to review")
    return (f"#{p['a']['id']} {title(p['a']['id'])} ↔ #{p['b']['id']} {title(p['b']['id'])} · score {p['score']:.2f}"
            f" · {state}")


choice = st.selectbox("Pair", range(len(near)), format_func=lambda i: label(near[i]))
pair = near[choice]
a, b = pair["a"]["id"], pair["b"]["id"]
c = st.columns(4)
c[0].metric(f"Of #{a} found in #{b}", f"{pair['a_coverage']:.0%}")
c[1].metric(f"Of #{b} found in #{a}", f"{pair['b_coverage']:.0%}")
c[2].metric("Speed (B per second of A)", f"{pair.get('speed', 1.0):.2f}")
c[3].metric("Mirrored", "yes" if pair.get("mirrored") else "no")
segments = pair["segments"]
seg_n = st.radio("Shared segment", range(len(segments)), horizontal=True,
                 format_func=lambda i: f"A {ui.clock(segments[i]['a_start'])}–{ui.clock(segments[i]['a_end'])} ↔ "
                                       f"B {ui.clock(segments[i]['b_start'])}–{ui.clock(segments[i]['b_end'])}")
seg = segments[seg_n]
where = st.slider("Position in the segment", 0.0, 1.0, 0.0, 0.1, format="%.1f",
                  help="Frames side by side at matching moments, from the segment's start to its end.")
moments = {a: seg["a_start"] + where * (seg["a_end"] - seg["a_start"]),
           b: seg["b_start"] + where * (seg["b_end"] - seg["b_start"])}
left, right = st.columns(2)
for col, media_id, side in ((left, a, "A"), (right, b, "B")):
    with col:
        st.markdown(f"**{side}: #{media_id} {title(media_id)}** at {ui.clock(moments[media_id])}")
        path = ui.stored(ws, videos[media_id]["path"])
        try:
            if path:
                st.image(still_at(path, moments[media_id]), width="stretch")
            else:
                st.error(f"#{media_id}: the file is missing from the store")
        except DecodeError as exc:
            st.error(f"#{media_id}: {exc}")
        ui.video_link(media_id, f"Open #{media_id} at {ui.clock(moments[media_id])}", t=moments[media_id])

if pair.get("review"):
    r = pair["review"]
    st.info(f"{r['decision'].capitalize()} by {r['reviewed_by']} at {str(r['reviewed_at'])[:19]}"
            + (f": {r['note']}" if r.get("note") else ""))
note = st.text_input("Note (why)", key=f"note{a}-{b}")
yes, no = st.columns(2)
for col, decision, text in ((yes, "confirmed", "Confirm: same footage"), (no, "rejected", "Reject: not the same")):
    if col.button(text, key=f"{decision}{a}-{b}", type="primary" if decision == "confirmed" else "secondary"):
        try:
            done = review(ws, a, b, decision, note or None)
        except ReviewError as exc:
            st.error(str(exc))
        else:
            st.session_state["review_done"] = f"Pair #{a} ↔ #{b} {done.decision} by {done.by}."
            st.rerun()
