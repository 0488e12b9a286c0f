"""Find the moment of a still between two stored samples: decode around them and hash every frame.

The catalogue keeps one sample a second. In handheld or fast footage a screenshot taken half a
second from both samples can be 35-75 bits (pHash + dHash) from each, beyond the still
threshold (28). ``refine_still`` decodes the stored video one second either side of the given
times (PyAV, seeking to the key frame before), hashes each decoded frame exactly as a sample is
hashed (256-px luma, ``keyframes.HASH_WIDTH``; the border crop of the nearest stored sample,
since the pipeline's crop comes from a window of frames), and returns the nearest frame.

It reads the stored file only (never writes); it does not re-check its SHA-256 (a search is a
hint to look, not a record), so the time it gives is that of the bytes in the store.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import select

from workbench.db import Frame, MediaFile
from workbench.media.decode import DecodeError, frames_between
from workbench.media.hashing import Crop, FrameHashes, match_hashes
from workbench.media.keyframes import HASH_WIDTH
from workbench.workspace import Workspace

REFINE_GATE = 52  # pHash + dHash: a near miss worth decoding around (the median best distance of unrelated videos)
REFINE_VIDEOS = 5  # videos decoded around their near misses, nearest first
REFINE_WINDOWS = 3  # times per video decoded around (one second either side)
WINDOW = 1.0  # seconds either side: a still is at most half a sample period from a sample


def _windows(times: list[float]) -> list[tuple[float, float]]:
    spans = sorted((max(0.0, t - WINDOW), t + WINDOW) for t in times)
    merged: list[list[float]] = []
    for lo, hi in spans:
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return [(lo, hi) for lo, hi in merged]


def refine_still(ws: Workspace, media_id: int, still: FrameHashes, times: list[float],
                 analysis_id: int | None) -> tuple[int, bool, float] | None:
    """The decoded frame nearest to the still within a second of ``times``.

    Args:
        still: the still's hashes (``hash_image``).
        times: seconds in the stored video to look around.
        analysis_id: the analysis whose samples give the border crop.

    Returns:
        (pHash + dHash distance, mirrored, time in seconds), or None when nothing decoded.
    """
    with ws.reading() as session:
        rel = session.scalar(select(MediaFile.store_path).where(MediaFile.id == media_id))
        crops = session.execute(select(Frame.t_ms, Frame.crop_x, Frame.crop_y, Frame.crop_w, Frame.crop_h)
                                .where(Frame.analysis_id == analysis_id, Frame.kind == "sample")
                                .order_by(Frame.t_ms)).all()
    if rel is None or not crops:
        return None
    crop_t = np.array([c[0] for c in crops], dtype=np.float64) / 1000
    sp, sd = np.uint64(still.phash), np.uint64(still.dhash)
    best: tuple[int, bool, float] | None = None
    for lo, hi in _windows(times):
        try:
            for f in frames_between(ws.store.home / rel, lo, hi):
                img = f.image(HASH_WIDTH, mode="L")
                scale = (f.frame.height if f.rotation % 180 else f.frame.width) / img.width  # video px per px
                _, x, y, w, h = crops[int(np.abs(crop_t - f.t).argmin())]
                x, y = min(round(x / scale), img.width - 1), min(round(y / scale), img.height - 1)
                crop = Crop(x, y, max(1, min(round(w / scale), img.width - x)), max(1, min(round(h / scale),
                                                                                          img.height - y)))
                ph, dh, phm, dhm = (np.uint64(v) for v in match_hashes(img, crop))
                for mirrored, (p, d) in ((False, (ph, dh)), (True, (phm, dhm))):
                    dist = int(np.bitwise_count(p ^ sp)) + int(np.bitwise_count(d ^ sd))
                    if best is None or dist < best[0]:
                        best = (dist, mirrored, round(f.t, 3))
        except (DecodeError, OSError):
            continue  # a missing or unreadable stored file: nothing to refine with
    return best
