"""The Hamming index returns exactly what a brute-force scan returns, before and after merges."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.match.index import HammingIndex


def brute(codes, ids, q, radius):
    d = np.bitwise_count(codes ^ np.uint64(q))
    return sorted(zip(ids[d <= radius].tolist(), d[d <= radius].tolist(), strict=True))


@pytest.mark.parametrize(("chunk_bits", "residuals"), [((22, 21, 21), False), ((22, 21, 21), True),
                                                      ((16, 16, 16, 16), False)])
def test_range_search_equals_a_flat_scan_with_incremental_adds(chunk_bits, residuals):
    rng = np.random.default_rng(7)
    base = rng.integers(0, 2**63, size=200, dtype=np.int64).astype(np.uint64)
    # clustered like real footage: many codes a few bits from a few bases
    flips = rng.integers(0, 64, size=(5000, 6))
    codes = base[rng.integers(0, 200, size=5000)].copy()
    for col in range(flips.shape[1]):
        on = rng.random(5000) < 0.6
        codes[on] ^= np.uint64(1) << flips[on, col].astype(np.uint64)
    ids = np.arange(5000, dtype=np.int32)
    index = HammingIndex(chunk_bits, merge_at=1500, residuals=residuals)
    for start in range(0, 5000, 700):  # adds that merge now and then, and a tail left unmerged
        index.add(codes[start:start + 700], ids[start:start + 700])
    assert 0 < index.sorted_n < len(index)
    queries = np.concatenate([codes[:20], base[:5]])
    qi, found, dist = index.search(queries, radius=10)
    for n, q in enumerate(queries):
        got = sorted(zip(found[qi == n].tolist(), dist[qi == n].tolist(), strict=True))
        assert got == brute(codes, ids, q, 10)
    index.merge()
    qi2, found2, _ = index.search(queries, radius=10)
    assert sorted(zip(qi2.tolist(), found2.tolist())) == sorted(zip(qi.tolist(), found.tolist()))  # noqa: B905
    # a batch with repeated codes (a still shot) answers each repeat like the first
    again = np.concatenate([queries, queries[:7], queries[:3]])
    qi3, found3, _ = index.search(again, radius=10)
    for n, q in enumerate(again):
        assert sorted(found3[qi3 == n].tolist()) == [i for i, _ in brute(codes, ids, q, 10)]
    # restored from its persisted state (runs only), it answers the same
    restored = HammingIndex.from_state(index.codes, index.ids, index.state(), chunk_bits, residuals=residuals)
    qi4, found4, _ = restored.search(queries, radius=10)
    assert sorted(zip(qi4.tolist(), found4.tolist())) == sorted(zip(qi.tolist(), found.tolist()))  # noqa: B905


def test_memory_per_hash_stays_under_32_bytes():
    index = HammingIndex()
    n = 1 << 20
    index.add(np.random.default_rng(1).integers(0, 2**63, n, dtype=np.int64).astype(np.uint64),
              np.arange(n, dtype=np.int32))
    index.merge()
    per_hash_without_tables = (index.nbytes - sum(s.nbytes for s in index.starts)) / n
    assert per_hash_without_tables <= 24
    assert sum(s.nbytes for s in index.starts) / 10_000_000 < 4  # the run tables, spread over 10M
