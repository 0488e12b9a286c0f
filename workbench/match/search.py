"""Search the archive by a still image (a screenshot from a post) or by a clip not in the archive.

A still is hashed as the pipeline hashes a sample frame (256-px luma, borders cropped, plain
and mirrored) and compared with every stored sample and keyframe; a video matches when one of
its frames is within ``image_distance`` bits (pHash + dHash), stricter than the per-frame
threshold of video matching because one frame has no alignment to back it up. The videos that
came near without matching are decoded around their nearest frames and hashed densely
(``refine.py``): a still between two 1-fps samples of fast footage is found at its own moment.

A clip is analysed at ``query_fps`` (4 by default: denser than the stored 1 fps, so a stored
sample always has a query frame within an eighth of a second), its candidates found, and each
candidate matched with temporal alignment (``matching.match``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError
from sqlalchemy import select

from workbench.db import MediaFile
from workbench.match.frameindex import FrameIndex
from workbench.match.matching import FrameBag, MatchSettings, match
from workbench.match.refine import REFINE_GATE, REFINE_VIDEOS, REFINE_WINDOWS, refine_still
from workbench.media.decode import DecodeError
from workbench.media.hashing import FrameHashes, hash_image
from workbench.media.keyframes import HASH_WIDTH, analyze
from workbench.workspace import Workspace


class QueryError(ValueError):
    """The query file cannot be read as an image or a video."""


@dataclass
class Hit:
    media_id: int
    sha256: str
    score: float
    result: dict

    def as_dict(self) -> dict:
        return {"id": self.media_id, "sha256": self.sha256, "score": round(self.score, 4), **self.result}


def _sha(ws: Workspace, ids: list[int]) -> dict[int, str]:
    with ws.reading() as session:
        return dict(session.execute(select(MediaFile.id, MediaFile.sha256).where(MediaFile.id.in_(ids))).all())


def _still_hashes(path: Path) -> FrameHashes:
    try:
        with Image.open(path) as im:
            img = im.convert("L")
    except (UnidentifiedImageError, OSError) as exc:
        raise QueryError(f"{path}: not an image ({exc})") from None
    if img.width > HASH_WIDTH:
        img = img.resize((HASH_WIDTH, max(1, round(img.height * HASH_WIDTH / img.width))), Image.BILINEAR)
    return hash_image(img)


def search_image(ws: Workspace, path: Path, max_distance: int | None = None, refine: bool = True,
                 index: FrameIndex | None = None) -> list[dict]:
    """Archived videos with a frame like the still at ``path``, best first.

    The still is compared with every current sample and keyframe. A still taken between two
    1-fps samples of fast-moving footage can be far from both; so for the ``REFINE_VIDEOS``
    videos that came nearest without matching (best distance within ``REFINE_GATE``, 52), the
    stored video is decoded around their ``REFINE_WINDOWS`` nearest frames and every frame
    there is hashed as a sample is (``refine.py``), which finds the moment itself.

    Args:
        max_distance: default ``settings.match_image_distance`` (28: the best pHash + dHash
            distance from a frame to any frame of unrelated footage was 29 at the lowest).
        refine: decode around near misses (off: stored hashes only).

    Returns:
        One dict per video: id, sha256, score (1 - distance/128), distance, mirrored, the
        times (seconds) of its matching frames, and ``refined`` (true when the match came from
        decoding around a near miss: ``timestamps`` is then the best decoded frame's time).

    Raises:
        QueryError: the file is not an image.
    """
    h = _still_hashes(path)
    max_distance = ws.settings.match_image_distance if max_distance is None else max_distance
    index = index or FrameIndex.open(ws)
    rows = index.current(kinds=("sample", "keyframe"))
    c = index.cols
    dist = {m: np.bitwise_count(c[p][rows] ^ np.uint64(h.phash)) + np.bitwise_count(c[d][rows] ^ np.uint64(h.dhash))
            for m, (p, d) in ((False, ("phash", "dhash")), (True, ("phash_mirror", "dhash_mirror")))}
    best = np.minimum(dist[False], dist[True])
    mids = c["media_id"][rows]
    hits: dict[int, dict] = {}
    near: dict[int, list[tuple[int, float]]] = {}
    for mirrored in (False, True):
        for r in np.nonzero(dist[mirrored] <= max_distance)[0]:
            mid, dr = int(mids[r]), int(dist[mirrored][r])
            cur = hits.setdefault(mid, {"distance": dr, "mirrored": mirrored, "timestamps": set(), "refined": False})
            cur["timestamps"].add(round(float(c["t_ms"][rows[r]]) / 1000, 3))
            if dr < cur["distance"]:
                cur.update(distance=dr, mirrored=mirrored)
    if refine:
        gate = REFINE_GATE
        for r in np.argsort(best, kind="stable"):
            if best[r] > gate:
                break
            mid = int(mids[r])
            if mid not in hits and (mid in near or len(near) < REFINE_VIDEOS):
                near.setdefault(mid, []).append((int(best[r]), float(c["t_ms"][rows[r]]) / 1000))
        for mid, times in near.items():
            found = refine_still(ws, mid, h, [t for _, t in times[:REFINE_WINDOWS]], index.current_aid.get(mid))
            if found is not None and found[0] <= max_distance:
                hits[mid] = {"distance": found[0], "mirrored": found[1], "timestamps": {round(found[2], 3)},
                             "refined": True}
    for r in hits.values():
        r["timestamps"] = sorted(r["timestamps"])
    sha = _sha(ws, list(hits))
    out = [Hit(mid, sha[mid], 1 - r["distance"] / 128, r).as_dict() for mid, r in hits.items()]
    return sorted(out, key=lambda x: (-x["score"], x["id"]))


def search_clip(ws: Workspace, path: Path, settings: MatchSettings | None = None,
                query_fps: float | None = None, index: FrameIndex | None = None,
                use_index: bool | None = None) -> list[dict]:
    """Archived videos that share footage with the clip at ``path``, best first.

    Returns:
        One dict per video: id, sha256, kind (``exact`` when the bytes are archived as they are,
        else ``near``), score, both coverages (a = the query clip, b = the archived video) and
        the segments (a_start/a_end in the clip, b_start/b_end in the archived video, seconds).

    Raises:
        QueryError: the file cannot be decoded as a video.
    """
    ms = settings or MatchSettings.from_settings(ws.settings)
    fps = query_fps or ws.settings.query_fps
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    digest = digest.hexdigest()
    with ws.reading() as session:
        exact = session.scalar(select(MediaFile).where(MediaFile.sha256 == digest))
        exact_id = exact.id if exact else None
    try:
        query = FrameBag.from_records(analyze(path, sample_fps=fps).samples)
    except (DecodeError, OSError) as exc:
        raise QueryError(f"{path}: {exc}") from None
    index = index or FrameIndex.open(ws)
    bags = index.bags()
    hits = []
    for mid, n in index.candidates(query, ms.frame_distance, use_index=use_index).items():
        if n < min(ms.min_frames, len(query), len(bags[mid])):
            continue  # too few frames within reach for min_frames aligned ones
        m = match(query, bags[mid], ms)
        if m is not None and (m.is_match or mid == exact_id):
            hits.append((mid, m))
    sha = _sha(ws, [mid for mid, _ in hits] + ([exact_id] if exact_id else []))
    out = [Hit(mid, sha[mid], m.score, {"kind": "exact" if mid == exact_id else "near", **m.as_dict()}).as_dict()
           for mid, m in hits]
    if exact_id is not None and all(h["id"] != exact_id for h in out):
        out.append({"id": exact_id, "sha256": digest, "kind": "exact", "score": 1.0})
    return sorted(out, key=lambda x: (x.get("kind") != "exact", -x["score"], x["id"]))
