"""Archive batches that outlive the page that started them: each runs on a worker thread of the
process, and anyone can follow its items as they finish.

A batch of links takes minutes; the person who pasted them may go on tagging meanwhile. The UI
starts a job and polls it. Every link of a batch is first written to the archive queue, and
marked archived or failed as the batch reaches it. Jobs themselves live in this process's
memory: if the process stops, the batch stops (in the middle of an item: nothing of that item
is kept, since files enter the store and rows the catalogue only when complete), ``recent()``
forgets it, and the links it had not reached stay queued, to be archived again. At team scale
the same interface is the one a queue (Celery on Redis) would serve.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from workbench import pipeline
from workbench.events.posts import enqueue
from workbench.report import Item
from workbench.workspace import Workspace

KEEP = 50  # finished jobs remembered, newest first


@dataclass
class Job:
    """One archive batch: its inputs, the items finished so far, the download under way."""

    id: str
    inputs: list[str]
    user: str
    started_at: datetime
    items: list[dict[str, Any]] = field(default_factory=list)
    current: dict[str, Any] | None = None  # {"url", "done", "total"} of the download under way
    finished_at: datetime | None = None
    error: str | None = None  # the batch itself broke (each item's own failure is in its item)

    @property
    def done(self) -> bool:
        return self.finished_at is not None


_jobs: dict[str, Job] = {}
_lock = threading.Lock()


def start_archive(ws: Workspace, urls: Iterable[str]) -> Job:
    """Archive the URLs (then analyse each new video) on a worker thread; returns at once.

    The links are queued (``events.posts.enqueue``) before the thread starts.
    """
    job = Job(secrets.token_hex(6), list(urls), ws.settings.user, datetime.now(UTC))
    with ws.session() as session:
        enqueue(session, job.inputs, f"batch {job.id} started in the browser", job.user)
    with _lock:
        _jobs[job.id] = job
        for old in sorted((j for j in _jobs.values() if j.done), key=lambda j: j.started_at)[:-KEEP]:
            del _jobs[old.id]

    def on_item(item: Item) -> None:
        job.items.append(item.as_dict())
        job.current = None

    def on_progress(url: str, done: int, total: int | None) -> None:
        job.current = {"url": url, "done": done, "total": total}

    def run() -> None:
        try:
            pipeline.archive(ws, job.inputs, on_item=on_item, on_progress=on_progress)
        except Exception as exc:  # noqa: BLE001 - a broken batch is reported on the job, never lost silently
            job.error = f"the batch stopped: {type(exc).__name__}: {exc}"
        finally:
            job.current = None
            job.finished_at = datetime.now(UTC)

    threading.Thread(target=run, name=f"archive-{job.id}", daemon=True).start()
    return job


def get(job_id: str | None) -> Job | None:
    """A job of this process by id."""
    with _lock:
        return _jobs.get(job_id) if job_id else None


def recent(limit: int = 10) -> list[Job]:
    """This process's jobs, newest first."""
    with _lock:
        return sorted(_jobs.values(), key=lambda j: j.started_at, reverse=True)[:limit]


def running() -> list[Job]:
    """The batches still running in this process, oldest first."""
    with _lock:
        return sorted((j for j in _jobs.values() if not j.done), key=lambda j: j.started_at)
