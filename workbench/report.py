"""What happened to one input of a batch: the item every command reports, in text or JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


class Status:
    """Outcome of one input."""

    STORED = "stored"  # new bytes entered the store
    EXISTS = "exists"  # the bytes were already stored; a new link, check or acquisition was recorded
    CHECKED = "checked"  # a metadata-only recheck was recorded
    PROCESSED = "processed"  # keyframes and hashes were made
    SKIPPED = "skipped"  # left out by policy (a live stream without --live, a repeat in the batch)
    FAILED = "failed"

    OK = frozenset({STORED, EXISTS, CHECKED, PROCESSED, SKIPPED})


@dataclass
class Item:
    """One input's result. ``error`` is a one-line message when ``status`` is failed."""

    input: str
    status: str
    id: int | None = None  # the video (media file) id
    sha256: str | None = None
    source_url: str | None = None
    path: str | None = None  # in the store, relative to the data home
    error: str | None = None
    availability: str | None = None
    source_id: int | None = None
    title: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Succeeded: acquired (and, when it was attempted, analysed) or checked."""
        return self.status in Status.OK and not self.extra.get("process_error")

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(data.pop("extra"))
        return data

    def line(self) -> str:
        """A one-line human summary naming the input."""
        if self.status == Status.FAILED:
            return f"{self.input}: {self.error}"
        if self.extra.get("process_error"):
            return f"{self.input}: stored as #{self.id}, but {self.extra['process_error']}"
        what = f"#{self.id} {self.sha256[:12]}" if self.id and self.sha256 else ""
        note = f" ({self.error})" if self.error else ""
        if self.extra.get("keyframes") is not None:
            note += f" [{self.extra['keyframes']} keyframes, {self.extra['samples']} samples]"
        if self.extra.get("match_error"):
            note += f" (but {self.extra['match_error']})"
        title = f" {self.title!r}" if self.title else ""
        return f"{self.status:8} {what}{title} <- {self.input}{note}".rstrip()
