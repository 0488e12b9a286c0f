"""Reading the stored sample-frame hashes of the catalogue as ``FrameBag``s and flat arrays.

Only each video's current analysis (the newest with status ``ok``) counts, and only its
informative frames (``low_info`` frames — black, blank, fades — match everything dark).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, select

from workbench.db import Analysis, Frame
from workbench.match.matching import FrameBag
from workbench.media.hashing import to_unsigned
from workbench.workspace import Workspace


def _current_analyses():  # noqa: ANN202
    return (select(Analysis.media_id, func.max(Analysis.id).label("aid"))
            .where(Analysis.status == "ok").group_by(Analysis.media_id).subquery())


def load_bags(ws: Workspace, media_ids: list[int] | None = None, kinds: tuple[str, ...] = ("sample",)
              ) -> dict[int, FrameBag]:
    """The informative frames of each video's current analysis, by media id.

    Args:
        media_ids: only these videos (default: every analysed video).
        kinds: frame kinds to read: ``sample`` (1-fps, for matching) and/or ``keyframe``.
    """
    cur = _current_analyses()
    q = (select(Frame.media_id, Frame.t_ms, Frame.phash, Frame.dhash, Frame.phash_mirror, Frame.dhash_mirror)
         .join(cur, Frame.analysis_id == cur.c.aid)
         .where(Frame.kind.in_(kinds), Frame.low_info.is_(False)))
    if media_ids is not None:
        q = q.where(Frame.media_id.in_(media_ids))
    rows: dict[int, list[tuple]] = {}
    with ws.session() as session:
        for media_id, *rest in session.execute(q):
            rows.setdefault(media_id, []).append(rest)
    return {mid: FrameBag.from_rows(r, media_id=mid) for mid, r in rows.items()}


@dataclass
class FlatFrames:
    """Stored frames in flat arrays: which video, when, and its plain and mirrored hashes (uint64)."""

    media_id: np.ndarray
    t: np.ndarray
    phash: np.ndarray
    dhash: np.ndarray
    phash_mirror: np.ndarray
    dhash_mirror: np.ndarray

    @classmethod
    def from_bags(cls, bags: dict[int, FrameBag]) -> FlatFrames:
        items = list(bags.items())
        if not items:
            empty = np.zeros(0, dtype=np.uint64)
            return cls(np.zeros(0, dtype=np.int64), np.zeros(0), empty, empty, empty, empty)
        return cls(np.concatenate([np.full(len(b), mid, dtype=np.int64) for mid, b in items]),
                   np.concatenate([b.t for _, b in items]),
                   *(np.concatenate([getattr(b, h) for _, b in items])
                     for h in ("phash", "dhash", "phash_mirror", "dhash_mirror")))

    def __len__(self) -> int:
        return len(self.t)


def u64(value: int) -> np.uint64:
    return np.uint64(to_unsigned(int(value)))
