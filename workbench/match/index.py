"""A Hamming index over 64-bit frame hashes: every stored hash within a radius of a query.

Multi-index hashing (Norouzi et al., "Fast search in Hamming space with multi-index hashing"):
the 64 bits are split into ``m`` chunks; by the pigeonhole principle two codes within distance
``r`` agree within ``r // m`` bits on at least one chunk. Each chunk keeps the row numbers
sorted by that chunk's value plus a table of where each value's run starts (a counting sort),
so a query enumerates every chunk value within ``r // m`` bits of its own, reads those runs,
and checks the candidates' full distance with numpy ``bitwise_count``. A whole video's
hashes are looked up in one vectorised pass.

Memory per stored hash: the code (8 bytes), its id (4) and one 4-byte row number per chunk
(12 for three chunks) = 24 bytes, plus the run tables (2^22 + 2 * 2^21 int32 = 32 MB in all,
3.4 bytes per hash at 10 million). New hashes go to a small unsorted tail that is scanned
flat, and are merged into the sorted runs (a linear merge, no re-sort of what is there) when
the tail outgrows ``merge_at``: no full rebuild. ``bench/index.py`` measures it against faiss
and a flat numpy scan (README).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from itertools import combinations

import numpy as np

DEFAULT_BITS = (22, 21, 21)


def _neighbours(bits: int, radius: int) -> np.ndarray:
    """Every XOR mask of ``bits`` bits with at most ``radius`` bits set."""
    masks = [0]
    for k in range(1, radius + 1):
        masks += [sum(1 << b for b in combo) for combo in combinations(range(bits), k)]
    return np.array(masks, dtype=np.int64)


class HammingIndex:
    """Range search (all stored codes within ``radius``) over 64-bit codes, with cheap appends.

    Args:
        chunk_bits: how the 64 bits are split (must add up to 64).
        merge_at: tail size (unsorted, scanned flat) that triggers a merge into the runs.
    """

    def __init__(self, chunk_bits: tuple[int, ...] = DEFAULT_BITS, merge_at: int = 1 << 18,
                 residuals: bool = False) -> None:
        if sum(chunk_bits) != 64:
            raise ValueError("chunk_bits must add up to 64")
        self.chunk_bits = chunk_bits
        self.shifts = [64 - sum(chunk_bits[:i + 1]) for i in range(len(chunk_bits))]
        self.merge_at = merge_at
        self._codes = np.zeros(1024, dtype=np.uint64)  # capacity grows by a quarter: at most 3 spare bytes per hash
        self._ids = np.zeros(1024, dtype=np.int32)
        self.n = 0
        self.rows = [np.zeros(0, dtype=np.int32) for _ in chunk_bits]  # row numbers sorted by chunk value
        self.starts = [np.zeros((1 << b) + 1, dtype=np.int32) for b in chunk_bits]
        self.sorted_n = 0  # rows [0, sorted_n) are in the runs; the rest is the tail
        # per chunk, 32 of the other bits of each row in run order: candidates are screened on
        # them where they lie (a sequential read) before the random read of their full codes
        self.residuals = residuals
        self.res: list[np.ndarray] = [np.zeros(0, dtype=np.uint32) for _ in chunk_bits]
        self._masks: dict[tuple[int, int], np.ndarray] = {}

    def __len__(self) -> int:
        return self.n

    def state(self) -> dict[str, np.ndarray]:
        """The sorted runs, to persist (codes and ids are the caller's: pass them back to ``from_state``)."""
        return {f"rows{c}": r for c, r in enumerate(self.rows)} | {"sorted_n": np.array([self.sorted_n])}

    @classmethod
    def from_state(cls, codes: np.ndarray, ids: np.ndarray, state: dict[str, np.ndarray],
                   chunk_bits: tuple[int, ...] = DEFAULT_BITS, merge_at: int = 1 << 18,
                   residuals: bool = False) -> HammingIndex:
        """An index over ``codes`` whose first ``sorted_n`` rows are in the runs ``state`` holds.

        The run tables are recounted from the codes (a bincount per chunk): cheaper to redo than to store.

        Raises:
            ValueError: the state does not fit the codes.
        """
        index = cls(chunk_bits, merge_at, residuals)
        sorted_n = int(state["sorted_n"][0])
        rows = [np.asarray(state[f"rows{c}"], dtype=np.int32) for c in range(len(chunk_bits))]
        if not 0 <= sorted_n <= len(codes) or any(len(r) != sorted_n for r in rows) or len(ids) != len(codes):
            raise ValueError("index state does not fit its codes")
        index._codes = np.ascontiguousarray(codes, dtype=np.uint64)
        index._ids = np.ascontiguousarray(ids, dtype=np.int32)
        index.n = len(codes)
        index.rows = rows
        for c in range(len(chunk_bits)):
            counts = np.bincount(index._chunk(index._codes[:sorted_n], c), minlength=1 << chunk_bits[c])
            index.starts[c][1:] = np.cumsum(counts, dtype=np.int64).astype(np.int32)
        index.sorted_n = sorted_n
        for c, r in enumerate(rows):  # a damaged file must not give wrong answers: check what is cheap to check
            if sorted_n and (r.min() < 0 or r.max() >= sorted_n
                             or np.any(np.diff(index._chunk(index._codes[r], c)) < 0)):
                raise ValueError("index runs are not sorted row numbers of their codes")
            if residuals:
                index.res[c] = index._residual(index._codes[r], c)
        return index

    @property
    def codes(self) -> np.ndarray:
        return self._codes[:self.n]

    @property
    def ids(self) -> np.ndarray:
        return self._ids[:self.n]

    @property
    def nbytes(self) -> int:
        """Memory held by the index's arrays."""
        return self._codes.nbytes + self._ids.nbytes + sum(r.nbytes for r in self.rows) + \
            sum(s.nbytes for s in self.starts) + sum(r.nbytes for r in self.res)

    def _residual(self, codes: np.ndarray, c: int) -> np.ndarray:
        """32 bits of each code outside chunk ``c`` (the bits below it, then those above)."""
        lo, hi = np.uint64(self.shifts[c]), np.uint64(self.shifts[c] + self.chunk_bits[c])
        other = ((codes >> hi) << lo) | (codes & ((np.uint64(1) << lo) - np.uint64(1)))
        return (other & np.uint64(0xFFFFFFFF)).astype(np.uint32)

    def _chunk(self, codes: np.ndarray, c: int) -> np.ndarray:
        return ((codes >> np.uint64(self.shifts[c])) & np.uint64((1 << self.chunk_bits[c]) - 1)).astype(np.int64)

    def add(self, codes: np.ndarray, ids: np.ndarray) -> None:
        """Append codes (uint64) with their ids (int32, e.g. frame rows); searchable at once."""
        codes = np.asarray(codes, dtype=np.uint64)
        end = self.n + len(codes)
        if end > len(self._codes):
            cap = max(end, len(self._codes) * 5 // 4)
            self._codes = np.concatenate([self._codes[:self.n], np.zeros(cap - self.n, dtype=np.uint64)])
            self._ids = np.concatenate([self._ids[:self.n], np.zeros(cap - self.n, dtype=np.int32)])
        self._codes[self.n:end] = codes
        self._ids[self.n:end] = np.asarray(ids, dtype=np.int32)
        self.n = end
        if len(self.codes) - self.sorted_n >= self.merge_at:
            self.merge()

    def merge(self) -> None:
        """Merge the tail into the sorted runs: a linear merge per chunk, the runs are not re-sorted."""
        new = np.arange(self.sorted_n, len(self.codes), dtype=np.int32)
        if len(new) == 0:
            return
        for c in range(len(self.chunk_bits)):
            keys = self._chunk(self.codes[new], c)
            order = np.argsort(keys, kind="stable")
            new_sorted, new_keys = new[order], keys[order]
            old = self.rows[c]
            # where each new row goes among the old ones: after the run of its value
            pos = self.starts[c][new_keys + 1] + np.arange(len(new), dtype=np.int64)
            merged = np.empty(len(old) + len(new), dtype=np.int32)
            mask = np.ones(len(merged), dtype=bool)
            mask[pos] = False
            merged[pos] = new_sorted
            merged[mask] = old
            self.rows[c] = merged
            counts = np.bincount(new_keys, minlength=1 << self.chunk_bits[c]).astype(np.int32)
            self.starts[c][1:] += np.cumsum(counts, dtype=np.int64).astype(np.int32)
            if self.residuals:
                self.res[c] = self._residual(self.codes[merged], c)
        self.sorted_n = len(self.codes)

    def _masks_for(self, c: int, radius: int) -> np.ndarray:
        key = (self.chunk_bits[c], radius)
        if key not in self._masks:
            self._masks[key] = _neighbours(*key)
        return self._masks[key]

    def chunk_radii(self, radius: int) -> list[int]:
        """How far each chunk is searched: with ``radius = m * a + b``, a code within ``radius``
        is within ``a`` on one of the first ``b + 1`` chunks or within ``a - 1`` on another
        (else its distance would be at least ``(b + 1)(a + 1) + (m - b - 1) a > radius``)."""
        m = len(self.chunk_bits)
        a, b = divmod(radius, m)
        return [a if c <= b else a - 1 for c in range(m)]

    def search(self, queries: np.ndarray, radius: int = 10) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every stored code within ``radius`` of each query.

        A batch of queries (a whole video) is split between two threads: numpy releases the GIL
        in the gathers that dominate.

        Returns:
            Three aligned arrays: the query's position, the stored id, and the distance.
        """
        q = np.atleast_1d(np.asarray(queries, dtype=np.uint64))
        uniq, inverse = np.unique(q, return_inverse=True)
        if len(uniq) < len(q):  # a still shot repeats its hash: look each code up once
            qi, ids, d = self.search(uniq, radius)
            order = np.argsort(inverse, kind="stable")
            counts = np.bincount(inverse, minlength=len(uniq))
            starts = np.concatenate([[0], np.cumsum(counts)])
            rep = counts[qi]  # each hit of a unique code is a hit of each query that has that code
            pos = np.repeat(starts[qi], rep) + (np.arange(int(rep.sum())) - np.repeat(np.cumsum(rep) - rep, rep))
            return order[pos].astype(np.int64), np.repeat(ids, rep), np.repeat(d, rep)
        if len(q) >= 64:
            half = len(q) // 2
            with ThreadPoolExecutor(2) as pool:
                (qa, ia, da), (qb, ib, db) = pool.map(lambda part: self._search(part, radius), (q[:half], q[half:]))
            return np.concatenate([qa, qb + half]), np.concatenate([ia, ib]), np.concatenate([da, db])
        return self._search(q, radius)

    def _search(self, q: np.ndarray, radius: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        qbits = max(1, (len(q) - 1).bit_length())
        out_q, out_rows, out_d = [], [], []

        def check(qi: np.ndarray, rows: np.ndarray) -> None:
            d = np.bitwise_count(self.codes[rows] ^ q[qi])
            keep = d <= radius
            out_q.append(qi[keep])
            out_rows.append(rows[keep])
            out_d.append(d[keep])

        for c, r in enumerate(self.chunk_radii(radius)):
            if r < 0:
                continue
            masks = self._masks_for(c, r)
            # probes sorted by chunk value, so the runs are read in memory order (about 2x faster
            # for a whole video than probing query by query); the low bits carry the query index
            keys = np.sort(((self._chunk(q, c)[:, None] ^ masks[None, :]) << qbits
                            | np.arange(len(q))[:, None]).ravel())
            probes, owner = keys >> qbits, keys & ((1 << qbits) - 1)
            lo, hi = self.starts[c][probes], self.starts[c][probes + 1]
            hit = np.nonzero(hi > lo)[0]  # most probes find an empty run: drop them first
            if len(hit) == 0:
                continue
            lo, lengths = lo[hit], hi[hit] - lo[hit]
            # concatenate the runs [lo, hi) without a Python loop, in 32 bits (half the memory traffic)
            ends = np.cumsum(lengths, dtype=np.int64)
            small = np.int32 if ends[-1] < 1 << 31 and len(self.codes) < 1 << 31 else np.int64
            ends = ends.astype(small)
            flat = np.arange(int(ends[-1]), dtype=small) - np.repeat((ends - lengths - lo).astype(small), lengths)
            owners = np.repeat(owner[hit].astype(np.int32), lengths)
            if self.residuals:
                near = np.bitwise_count(self.res[c][flat] ^ self._residual(q, c)[owners]) <= radius
                flat, owners = flat[near], owners[near]
            check(owners, self.rows[c][flat])
        tail = np.arange(self.sorted_n, len(self.codes), dtype=np.int64)
        if len(tail):
            check(np.repeat(np.arange(len(q)), len(tail)), np.tile(tail, len(q)))
        if not out_q:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty.astype(np.int32), empty.astype(np.int16)
        qi, rows, d = np.concatenate(out_q), np.concatenate(out_rows), np.concatenate(out_d)
        # a code found through two chunks is reported once
        key = qi * (len(self.codes) + 1) + rows
        _, first = np.unique(key, return_index=True)
        return qi[first], self.ids[rows[first]], d[first].astype(np.int16)
