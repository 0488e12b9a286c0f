"""Which stored videos could match a query: any frame pair within the frame threshold.

A full comparison of the query's frames (plain and mirrored) against every stored frame, in
chunks with numpy ``bitwise_count`` (pHash + dHash, the distance matching uses). It is exact —
nothing that ``matching.match`` would accept is missed — and costs about 2 ns per frame pair:
a 300-frame query over a million stored frames takes about a second. The radius-10 Hamming
index (``index.py``) answers in milliseconds at 10 million, but at radius 10 on pHash alone it
misses the cropped and logo-stamped copies (their pHash distances are 14-22 bits), so it is not
used as the only candidate source; see README.
"""

from __future__ import annotations

import numpy as np

from workbench.match.frames import FlatFrames
from workbench.match.matching import FrameBag

CHUNK = 1 << 16


def candidate_videos(query: FrameBag, stored: FlatFrames, max_distance: int, exclude: int | None = None
                     ) -> dict[int, int]:
    """Stored videos with at least one frame within ``max_distance`` of a query frame.

    Returns:
        media id -> the number of query frames that found a frame of it.
    """
    found: dict[int, set[int]] = {}
    if len(query) == 0 or len(stored) == 0:
        return {}
    for pa, da in ((query.phash, query.dhash), (query.phash_mirror, query.dhash_mirror)):
        for start in range(0, len(stored), CHUNK):
            sp, sd = stored.phash[start:start + CHUNK], stored.dhash[start:start + CHUNK]
            d = np.bitwise_count(pa[:, None] ^ sp[None, :]).astype(np.int16)
            d += np.bitwise_count(da[:, None] ^ sd[None, :])
            qi, si = np.nonzero(d <= max_distance)
            for mid, q in zip(stored.media_id[start + si].tolist(), qi.tolist(), strict=True):
                if mid != exclude:
                    found.setdefault(mid, set()).add(q)
    return {mid: len(qs) for mid, qs in found.items()}
