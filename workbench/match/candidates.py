"""Which stored videos could match a query: any frame pair within the frame threshold.

A full comparison of the query's frames against the stored frames, in cache-sized chunks with
numpy ``bitwise_count`` (pHash + dHash, the distance matching uses), in three orientations:
query and stored as they are, the query mirrored, the stored frame mirrored. ``matching.match``
(A, B) tries B mirrored; with all three, the count of a video's frames within reach bounds the
frames an alignment can use whichever of the two videos is A, so the candidates (and the
``min_frames`` cut on the counts) give the same pairs from either side: a video analysed later
finds the same pairs a full rescan does.

It is exact — nothing that ``matching.match`` would accept is missed — but linear in the
stored frames: a 300-frame query over a million stored frames takes seconds of CPU, and at a
frame threshold of 44 most long unrelated videos have a frame pair that close, so most of them
go on to ``matching.match``. ``frameindex.FrameIndex.candidates`` narrows large catalogues
down with the Hamming index first (``index.py``), at a cost in recall (README).
"""

from __future__ import annotations

import numpy as np

from workbench.match.frames import FlatFrames
from workbench.match.matching import FrameBag

CHUNK = 4096  # stored frames per step: a 300-frame query's temporaries stay in cache


def candidate_videos(query: FrameBag, stored: FlatFrames, max_distance: int, exclude: int | None = None
                     ) -> dict[int, int]:
    """Stored videos with at least one frame within ``max_distance`` of a query frame.

    Returns:
        media id -> the number of query frames that found a frame of it.
    """
    if len(query) == 0 or len(stored) == 0:
        return {}
    mids, qis = [], []
    plain, mirror = (query.phash, query.dhash), (query.phash_mirror, query.dhash_mirror)
    for start in range(0, len(stored), CHUNK):
        sl = slice(start, start + CHUNK)
        for (pa, da), (sp, sd) in ((plain, (stored.phash[sl], stored.dhash[sl])),
                                   (mirror, (stored.phash[sl], stored.dhash[sl])),
                                   (plain, (stored.phash_mirror[sl], stored.dhash_mirror[sl]))):
            d = np.bitwise_count(pa[:, None] ^ sp[None, :])  # uint8: pHash + dHash <= 128 fits
            d += np.bitwise_count(da[:, None] ^ sd[None, :])
            qi, si = np.nonzero(d <= max_distance)
            if len(qi):
                mids.append(stored.media_id[start + si])
                qis.append(qi)
    if not mids:
        return {}
    nq = len(query)  # one int64 key per (video, query frame): a 1-D unique, far cheaper than axis=1
    keys = np.unique(np.concatenate(mids).astype(np.int64) * nq + np.concatenate(qis))
    ids, counts = np.unique(keys // nq, return_counts=True)
    return {int(m): int(c) for m, c in zip(ids, counts, strict=True) if m != exclude}
