"""Archive: paste links or a whole post, or upload files; live progress and each item's result."""

import streamlit as st

from workbench import jobs, pipeline, ui
from workbench.acquire.links import links_in_post
from workbench.events.incidents import EventError, parse_date
from workbench.events.posts import PostError, archive_queue, import_post

ws = ui.page("Archive", "📥")
st.title("Archive")
st.caption("The original file and all platform metadata are kept, with SHA-256 at acquisition and who, when "
           "and how. New videos are split into keyframes and hashed straight away.")

STATUS_ICONS = {"stored": "✅ stored", "exists": "☑️ already archived", "skipped": "⏭️ skipped",
                "failed": "❌ failed", "checked": "🔁 checked"}


def run_batch(urls: list[str]) -> None:
    """Start archiving the URLs on a worker thread; the page follows the job (see ``follow``).

    One batch per browser session at a time: a second click while one runs starts nothing.
    """
    mine = jobs.get(st.session_state.get("archive_job"))
    if mine is not None and not mine.done:
        st.warning("Your previous batch is still running (below): wait for it to finish, then start the next.")
        return
    st.session_state["archive_job"] = jobs.start_archive(ws, urls).id


def job_panel(job: jobs.Job) -> None:
    """A batch's progress and each finished item; links to the videos once it is done."""
    n, total, current = len(job.items), len(job.inputs), job.current  # read once: the worker changes it
    if job.done:
        st.progress(1.0, text=f"Done: {n} items")
    elif current:
        got, size = current["done"], current["total"]
        st.progress(min(got / size, 1.0) if size else 0.0,
                    text=f"{n} of {total} done · downloading {current['url']}: {got / 1e6:.1f} MB"
                         + (f" of {size / 1e6:.1f} MB" if size else ""))
    else:
        st.progress(n / max(total, 1), text=f"{n} of {total} done")
    if job.error:
        st.error(job.error)
    if job.items:
        show(job.items)
    if not job.done:
        st.caption("The batch runs on the server: you can leave this page and come back; it goes on.")
        return
    for row in job.items:
        if row.get("id") and row.get("status") in ("stored", "exists"):
            ui.video_link(row["id"], f"Open #{row['id']}: {row.get('title') or row['input']}")


@st.fragment(run_every=1.0)
def follow(job_id: str) -> None:
    """Redraw a running batch every second; once it is done, redraw the page once (polling stops)."""
    job = jobs.get(job_id)
    if job is not None and job.done:
        st.rerun()
    if job is not None:
        job_panel(job)


def show(results: list[dict], where=None) -> None:  # noqa: ANN001
    rows = ui.items_table(results)
    for row in rows:
        row["result"] = STATUS_ICONS.get(row["result"], row["result"])
    (where or st).dataframe(rows, hide_index=True, width="stretch", column_config={
        "video": st.column_config.NumberColumn("video", format="%d"),
        "explanation": st.column_config.TextColumn("explanation", width="large")})


links_tab, files_tab, queue_tab = st.tabs(["Links or a post", "Upload files", "Queue"])

with links_tab:
    with st.form("links"):
        text = st.text_area("Links, one per line, or a whole post (plain text or HTML)", height=200,
                            placeholder="https://example.org/watch?v=…\nor paste a live-blog post")
        drafts = st.checkbox("Also draft events from this post (one per incident paragraph, to review on the "
                             "Events page)")
        post_date = st.text_input("The post's date (for the drafts)", placeholder="2024-03-09, optional")
        go = st.form_submit_button("Archive", type="primary")
    if go:
        urls = links_in_post(text)  # every line goes to the batch: a malformed one is reported as its item
        if not urls:
            st.warning("No links found in what you pasted.")
        if drafts and text.strip():
            try:
                when = parse_date(post_date or None, "post date")
                with ws.session() as session:
                    result = import_post(session, "pasted post", ws.settings.user, event_date=when, text=text)
                made = sum(d.status == "drafted" for d in result.drafts)
                st.success(f"{made} draft events from {result.paragraphs} paragraphs "
                           f"({len(result.drafts) - made} drafted before). Review them on the Events page.")
                st.page_link(ui.PAGES["events"], label="Review the drafts", icon="📅")
            except (PostError, EventError) as exc:
                st.error(str(exc))
        if urls:
            run_batch(urls)

with files_tab:
    with st.form("files", clear_on_submit=True):
        uploads = st.file_uploader("Video files", accept_multiple_files=True,
                                   help="Kept byte for byte; the name on your machine is recorded.")
        go_files = st.form_submit_button("Import", type="primary")
    if go_files and uploads:
        results = []
        bar = st.progress(0.0, text="Importing…")
        table = st.empty()
        for n, up in enumerate(uploads, 1):
            results.append(pipeline.import_upload(ws, up.name, up).as_dict())
            bar.progress(n / len(uploads), text=f"{n} of {len(uploads)} imported")
            show(results, table)
    elif go_files:
        st.warning("Choose one or more files first.")

with queue_tab:
    with ws.reading() as session:
        queued = [q for q in archive_queue(session, state=None) if q["state"] != "archived"]
    if not queued:
        st.info("No links wait. Links found in posts, and every link of a batch until it is archived, are kept "
                "here; one that failed stays here to try again.")
    else:
        st.dataframe([{k: q[k] for k in ("state", "url", "event_id", "found_in", "queued_by", "queued_at")}
                      for q in queued], hide_index=True, width="stretch")
        if st.button(f"Archive the {len(queued)} links (queued, or failed before)", type="primary"):
            run_batch([q["url"] for q in queued])

others = [j for j in jobs.running() if j.id != st.session_state.get("archive_job")]
if others:
    st.caption("Also running on this server: " + "; ".join(
        f"{j.user}'s batch of {len(j.inputs)} links ({len(j.items)} done)" for j in others))
job = jobs.get(st.session_state.get("archive_job"))
if job is not None:
    count = len(job.inputs)
    st.subheader(f"Batch of {count} link{'s' * (count != 1)}, started {job.started_at:%H:%M:%S} UTC by {job.user}")
    if job.done:
        job_panel(job)
    else:
        follow(job.id)
