"""Near-duplicate matching of two videos from their sample-frame hashes, with temporal alignment.

A video is a ``FrameBag``: the times and 64-bit pHash and dHash (plain and mirrored) of its
sample frames, borders already cropped off by the hashing stage, low-information frames left
out. Two frames *match* when their pHash and dHash distances add up to at most
``frame_distance`` bits (of 128). Matching two videos:

1. all frame pairs are compared (numpy ``bitwise_count``), once with B as stored and once with
   B's mirrored hashes (a flipped copy), and the orientation that aligns better is kept;
2. the matched pairs ``(tA, tB)`` vote in a Hough space of lines ``tB = slope * tA + offset``,
   slopes within ``max_speed_change`` of 1 (a copy sped up or slowed down), offsets in bins of
   about one sample period (a trim is an offset);
3. the pairs near the winning line are its inliers: they give both coverages (the share of A's
   frames found in B along the line, and of B's in A) and the segments (runs of inliers with no
   gap longer than ``max_gap`` seconds);
4. the pair is a near duplicate when it has ``min_frames`` inliers, the median distance of the
   inliers is at most ``median_distance`` and one of the coverages is at least ``min_coverage``.

The thresholds were set from distances measured on real footage (``bench/accuracy.py``,
docs/thresholds.md). Sampling the query side more densely (2-4 fps) than the stored side
(1 fps) puts a query frame within a fraction of a second of every stored one, which recovers
fast-moving footage whose 1-fps samples fall at different instants.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from workbench.media.hashing import to_unsigned


@dataclass(frozen=True)
class MatchSettings:
    """The thresholds of near-duplicate matching (see docs/thresholds.md for the measurements).

    Attributes:
        frame_distance: largest pHash + dHash distance (bits of 128) of two matching frames.
        median_distance: largest median distance over the aligned frames of a matching pair.
        min_frames: fewest aligned frames for a match (fewer if a video has fewer frames).
        min_coverage: smallest share of the shorter side's frames that must be found.
        max_speed_change: the largest speed change aligned (0.25: from 0.75x to 1.33x).
        max_gap: seconds without an aligned frame that end a segment.
    """

    frame_distance: int = 44
    median_distance: int = 40
    min_frames: int = 3
    min_coverage: float = 0.5
    max_speed_change: float = 0.25
    max_gap: float = 3.0

    @classmethod
    def from_settings(cls, settings) -> MatchSettings:  # noqa: ANN001
        """The match settings declared in ``workbench.settings`` (environment overrides included)."""
        return cls(frame_distance=settings.match_frame_distance, median_distance=settings.match_median_distance,
                   min_coverage=settings.match_min_coverage)


@dataclass
class FrameBag:
    """A video's informative sample frames: times (seconds) and 64-bit hashes as uint64 arrays."""

    t: np.ndarray
    phash: np.ndarray
    dhash: np.ndarray
    phash_mirror: np.ndarray
    dhash_mirror: np.ndarray
    media_id: int | None = None

    @classmethod
    def from_rows(cls, rows: Iterable[Sequence[int]], media_id: int | None = None) -> FrameBag:
        """Build a bag from ``(t_ms, phash, dhash, phash_mirror, dhash_mirror)`` rows (signed or unsigned)."""
        rows = sorted(rows, key=lambda r: r[0])
        cols = list(zip(*rows, strict=True)) if rows else [[], [], [], [], []]

        def u64(values: Sequence[int]) -> np.ndarray:
            try:  # signed, as the database holds them: reinterpret the bits
                return np.array(values, dtype=np.int64).view(np.uint64)
            except OverflowError:  # unsigned, as the hashing stage returns them
                return np.array([to_unsigned(int(v)) for v in values], dtype=np.uint64)

        return cls(np.array(cols[0], dtype=np.float64) / 1000.0, *(u64(c) for c in cols[1:]), media_id=media_id)

    @classmethod
    def from_records(cls, records: Iterable, media_id: int | None = None) -> FrameBag:
        """Build a bag from ``keyframes.FrameRecord`` samples, leaving out low-information frames."""
        return cls.from_rows(((r.t_ms, r.hashes.phash, r.hashes.dhash, r.hashes.phash_mirror, r.hashes.dhash_mirror)
                              for r in records if not r.hashes.low_info), media_id)

    def __len__(self) -> int:
        return len(self.t)

    @property
    def period(self) -> float:
        """The median time between samples (1.0 for a 1-fps bag)."""
        return float(np.median(np.diff(self.t))) if len(self.t) > 1 else 1.0


@dataclass(frozen=True)
class Segment:
    """A stretch of A matched to a stretch of B (seconds)."""

    a_start: float
    a_end: float
    b_start: float
    b_end: float

    def as_dict(self) -> dict[str, float]:
        return {k: round(getattr(self, k), 3) for k in ("a_start", "a_end", "b_start", "b_end")}


@dataclass
class Match:
    """How two videos match: coverages, the alignment line, the segments, and the decision."""

    a_coverage: float
    b_coverage: float
    score: float
    median_distance: float
    frames: int  # aligned frame pairs (inliers)
    slope: float
    offset: float
    mirrored: bool
    segments: list[Segment] = field(default_factory=list)
    is_match: bool = False

    def as_dict(self) -> dict:
        return {"score": round(self.score, 4), "a_coverage": round(self.a_coverage, 4),
                "b_coverage": round(self.b_coverage, 4), "median_distance": self.median_distance,
                "frames": self.frames, "speed": round(self.slope, 3), "offset": round(self.offset, 3),
                "mirrored": self.mirrored, "segments": [s.as_dict() for s in self.segments]}


def distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """All pairwise Hamming distances between two uint64 arrays, as an (len(a), len(b)) int array."""
    return np.bitwise_count(a[:, None] ^ b[None, :]).astype(np.int16)


def frame_distances(a: FrameBag, b: FrameBag, mirrored: bool = False) -> np.ndarray:
    """pHash + dHash distances of every frame of A to every frame of B (B's mirrored hashes if asked)."""
    bp, bd = (b.phash_mirror, b.dhash_mirror) if mirrored else (b.phash, b.dhash)
    return distances(a.phash, bp) + distances(a.dhash, bd)


def _hough(ta: np.ndarray, tb: np.ndarray, w: np.ndarray, slopes: np.ndarray, bin_width: float
           ) -> tuple[float, float, float]:
    """The line ``tb = s * ta + o`` with the most vote weight: (slope, offset, votes)."""
    best = (1.0, 0.0, -1.0)
    for s in slopes:
        off = tb - s * ta
        keys = np.floor(off / bin_width).astype(np.int64)
        for shift in (0.0, 0.5):  # two staggered grids, so a cluster on a bin edge is not split
            k = np.floor(off / bin_width + shift).astype(np.int64) if shift else keys
            uniq, inv = np.unique(k, return_inverse=True)
            votes = np.bincount(inv, weights=w)
            i = int(votes.argmax())
            # prefer the slope nearest 1 on ties (np.unique sorts, argmax takes the first)
            if votes[i] > best[2] + 1e-9 or (abs(votes[i] - best[2]) < 1e-9 and abs(s - 1) < abs(best[0] - 1)):
                sel = inv == i
                best = (float(s), float(np.average(off[sel], weights=w[sel])), float(votes[i]))
    return best


def _align(a: FrameBag, b: FrameBag, d: np.ndarray, ms: MatchSettings, mirrored: bool) -> Match | None:
    ii, jj = np.nonzero(d <= ms.frame_distance)
    if len(ii) == 0:
        return None
    ta, tb = a.t[ii], b.t[jj]
    w = (ms.frame_distance + 1 - d[ii, jj]).astype(np.float64)
    tol = 0.6 * max(a.period, b.period, 0.25) + 0.15
    lo, hi = 1.0 - ms.max_speed_change, 1.0 / (1.0 - ms.max_speed_change)
    slopes = np.unique(np.concatenate([np.arange(lo, hi + 1e-9, 0.02), [1.0]]))
    slope, offset, _ = _hough(ta, tb, w, slopes, bin_width=2 * tol)
    resid = np.abs(tb - (slope * ta + offset))
    inl = resid <= tol
    if inl.sum() >= 4 and np.ptp(ta[inl]) > 0:  # refine the line on its inliers, within the allowed speeds
        s2, o2 = np.polyfit(ta[inl], tb[inl], 1, w=w[inl])
        if lo <= s2 <= hi:
            slope, offset = float(s2), float(o2)
            resid = np.abs(tb - (slope * ta + offset))
            inl = resid <= tol
    ii, jj = ii[inl], jj[inl]
    # one pair per A frame and per B frame: the closest
    a_best: dict[int, tuple[int, int]] = {}
    for i, j in zip(ii.tolist(), jj.tolist(), strict=True):
        if i not in a_best or d[i, j] < d[i, a_best[i][0]]:
            a_best[i] = (j, int(d[i, j]))
    a_idx = np.array(sorted(a_best))
    pair_d = np.array([a_best[i][1] for i in a_idx])
    b_found = np.unique(jj)
    segs = _segments(a.t[a_idx], b.t[np.array([a_best[i][0] for i in a_idx])], slope, offset, ms.max_gap)
    a_cov = len(a_idx) / len(a)
    b_cov = len(b_found) / len(b)
    med = float(np.median(pair_d))
    # a coverage counts frames of the shorter side, so a clip inside a longer video scores high
    cov = max(a_cov, b_cov)
    need = min(ms.min_frames, len(a), len(b))
    is_match = len(a_idx) >= need and len(b_found) >= need and med <= ms.median_distance \
        and cov >= ms.min_coverage
    score = cov * (1.0 - med / 128.0)
    return Match(a_cov, b_cov, score, med, len(a_idx), slope, offset, mirrored, segs, is_match)


def _segments(ta: np.ndarray, tb: np.ndarray, slope: float, offset: float, max_gap: float) -> list[Segment]:
    """Split the aligned pairs (A times ascending) into runs with no gap above ``max_gap`` in A.

    Each run spans the frames it aligned on both sides, trimmed to where the alignment line
    maps one side's span into the other's: a frame matched within the time tolerance just
    outside the other video's start does not stretch the segment past it.
    """
    if len(ta) == 0:
        return []
    breaks = np.nonzero(np.diff(ta) > max_gap)[0]
    starts = np.concatenate([[0], breaks + 1])
    ends = np.concatenate([breaks, [len(ta) - 1]])
    out = []
    for s, e in zip(starts, ends, strict=True):
        a0, a1 = float(ta[s]), float(ta[e])
        b0, b1 = float(tb[s:e + 1].min()), float(tb[s:e + 1].max())
        a_start, a_end = max(a0, (b0 - offset) / slope), min(a1, (b1 - offset) / slope)
        b_start, b_end = max(b0, slope * a0 + offset), min(b1, slope * a1 + offset)
        if a_start <= a_end and b_start <= b_end:
            out.append(Segment(a_start, a_end, b_start, b_end))
        else:  # a run too short for the line to place: report the frames as they are
            out.append(Segment(a0, a1, b0, b1))
    return out


def match(a: FrameBag, b: FrameBag, settings: MatchSettings | None = None) -> Match | None:
    """Match two videos: both coverages, the alignment and the shared segments.

    Args:
        a: the query (sampled as densely as it was analysed).
        b: the other video.
        settings: thresholds; the defaults are the measured ones.

    Returns:
        The better of the plain and mirrored alignments (``is_match`` says whether it passes
        the thresholds), or None when no frame pair is within ``frame_distance``.
    """
    ms = settings or MatchSettings()
    if len(a) == 0 or len(b) == 0:
        return None
    found = [m for mirrored in (False, True)
             if (m := _align(a, b, frame_distances(a, b, mirrored), ms, mirrored)) is not None]
    if not found:
        return None
    return max(found, key=lambda m: (m.is_match, m.score))
