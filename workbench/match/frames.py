"""Stored frames in flat arrays for the exact candidate scan (``candidates.py``).

They are read from the catalogue through ``frameindex.FrameIndex``: only each video's current
analysis (the newest with status ``ok``) counts, and only its informative frames (``low_info``
frames — black, blank, fades — match everything dark).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.match.matching import FrameBag
from workbench.media.hashing import to_unsigned


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
