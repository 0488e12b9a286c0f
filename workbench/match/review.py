"""A person's decision on a suggested duplicate pair: confirm it, or reject it for good.

Decisions are appended with who (``settings.user``) and when; the newest one on a pair is in
force. A rejected pair is left out of every later ``dupes`` listing; a confirmed one is listed
with its decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from workbench.catalogue import find_video
from workbench.db import DuplicateReview
from workbench.workspace import Workspace

CONFIRMED = "confirmed"
REJECTED = "rejected"


class ReviewError(ValueError):
    """The pair cannot be reviewed: an unknown video, or the same video twice."""


@dataclass(frozen=True)
class Review:
    a: int
    b: int
    decision: str
    by: str
    at: datetime
    note: str | None

    def as_dict(self) -> dict:
        return {"a": self.a, "b": self.b, "decision": self.decision, "reviewed_by": self.by,
                "reviewed_at": self.at.isoformat(), "note": self.note}


def review(ws: Workspace, ref_a: str | int, ref_b: str | int, decision: str, note: str | None = None) -> Review:
    """Record a decision on the pair (ids or SHA-256 prefixes), by the workspace's user, now.

    Raises:
        ReviewError: a video is unknown, both refs name the same video, or the decision is unknown.
    """
    if decision not in (CONFIRMED, REJECTED):
        raise ReviewError(f"decision must be {CONFIRMED} or {REJECTED}, not {decision!r}")
    with ws.session() as session:
        ids = []
        for ref in (ref_a, ref_b):
            media = find_video(session, ref)
            if media is None:
                raise ReviewError(f"{ref}: no video with this id or hash")
            ids.append(media.id)
        a, b = sorted(ids)
        if a == b:
            raise ReviewError("a pair needs two different videos")
        row = DuplicateReview(media_a_id=a, media_b_id=b, decision=decision, reviewed_by=ws.settings.user, note=note)
        session.add(row)
        session.flush()
        return Review(a, b, decision, row.reviewed_by, row.reviewed_at, note)


def decisions(ws: Workspace) -> dict[tuple[int, int], Review]:
    """The decision in force on every reviewed pair, keyed by (smaller id, larger id)."""
    out: dict[tuple[int, int], Review] = {}
    with ws.reading() as session:
        for r in session.scalars(select(DuplicateReview).order_by(DuplicateReview.id)):
            out[(r.media_a_id, r.media_b_id)] = Review(r.media_a_id, r.media_b_id, r.decision, r.reviewed_by,
                                                       r.reviewed_at, r.note)
    return out
