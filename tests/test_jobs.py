"""Archive batches on a worker thread (workbench.jobs): the items arrive as they finish."""

from __future__ import annotations

import time

from workbench import jobs
from workbench.events import posts


def wait(job: jobs.Job, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not job.done and time.monotonic() < deadline:
        time.sleep(0.1)
    assert job.done, f"the batch did not finish in {seconds} s"


def test_a_batch_runs_on_its_own_and_reports_every_item(ws, server, clip):
    server.add_file("/a.mp4", clip)
    job = jobs.start_archive(ws, [server.url("/a.mp4"), server.url("/gone.mp4")])
    assert jobs.get(job.id) is job and job in jobs.recent()
    wait(job)
    assert [(i["input"], i["status"]) for i in job.items] == [
        (server.url("/a.mp4"), "stored"), (server.url("/gone.mp4"), "failed")]
    assert job.items[0]["keyframes"] and job.error is None and job.current is None
    assert job.user == "tester" and job.finished_at >= job.started_at
    assert jobs.get("no-such-job") is None and jobs.get(None) is None
    with ws.session() as s:  # every link was queued first, then settled: the failure waits to be tried again
        assert {q["url"]: q["state"] for q in posts.archive_queue(s, None)} == {
            server.url("/a.mp4"): "archived", server.url("/gone.mp4"): "failed"}
