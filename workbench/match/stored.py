"""Near-duplicate pairs kept in ``duplicate_matches``: found when a video is analysed, listed without rematching.

- ``record_matches(ws, media_id)`` runs after each analysis (``pipeline.analyze_media``): the
  video's current frames against the catalogue; its rows are replaced in one transaction (the
  pairs it no longer has are deleted, the pairs found are written with both analysis ids).
- ``rescan(ws, refs)`` recomputes every pair (or the named videos' pairs) and replaces those rows.
- ``stored_pairs(ws, focus)`` reads them back; a row is ``stale`` when one of its analyses is no
  longer its video's current one (a re-analysis whose match step failed: rescan).

Candidates are symmetric (``candidates.py``), so a pair is found the same way whichever of its
two videos was analysed last: listing the table and a full rescan give the same pairs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, or_, select

from workbench.db import Analysis, DuplicateMatch
from workbench.match.frameindex import FrameIndex
from workbench.match.matching import MatchSettings, match
from workbench.workspace import Workspace


@dataclass
class Pair:
    """A duplicate pair: ``a`` <= ``b``; near pairs carry ``Match.as_dict()`` as ``detail``."""

    a: int
    b: int
    kind: str  # exact | near
    detail: dict[str, Any] | None = None
    sources: list[dict[str, Any]] = field(default_factory=list)
    review: dict[str, Any] | None = None
    analysis_a: int | None = None
    analysis_b: int | None = None
    stale: bool = False


def compute_pairs(ws: Workspace, focus: set[int] | None = None, settings: MatchSettings | None = None,
                  index: FrameIndex | None = None, use_index: bool | None = None) -> list[Pair]:
    """Near-duplicate pairs involving the videos in ``focus`` (default: all), computed now.

    Args:
        index: an open ``FrameIndex`` (default: opened here).
        use_index: candidates from the Hamming index (True), the exact scan (False), or by size.
    """
    ms = settings or MatchSettings.from_settings(ws.settings)
    index = index or FrameIndex.open(ws)
    bags = index.bags()
    pairs: list[Pair] = []
    done: set[tuple[int, int]] = set()
    for qid in sorted(focus if focus is not None else bags):
        if qid not in bags:
            continue
        found = index.candidates(bags[qid], ms.frame_distance, exclude=qid, use_index=use_index)
        # a match needs min_frames aligned frames: fewer frames within reach cannot make one
        for other in sorted(m for m, n in found.items() if n >= min(ms.min_frames, len(bags[qid]), len(bags[m]))):
            a, b = min(qid, other), max(qid, other)
            if (a, b) in done:
                continue
            done.add((a, b))
            m = match(bags[a], bags[b], ms)
            if m is not None and m.is_match:
                pairs.append(Pair(a, b, "near", m.as_dict(), analysis_a=index.current_aid.get(a),
                                  analysis_b=index.current_aid.get(b)))
    return pairs


def _replace(ws: Workspace, focus: set[int] | None, pairs: list[Pair]) -> None:
    """In one transaction: delete the rows involving ``focus`` (all rows when None), write ``pairs``."""
    with ws.session() as session:
        q = delete(DuplicateMatch)
        if focus is not None:
            ids = sorted(focus)
            q = q.where(or_(DuplicateMatch.media_a_id.in_(ids), DuplicateMatch.media_b_id.in_(ids)))
        session.execute(q)
        session.add_all(DuplicateMatch(media_a_id=p.a, media_b_id=p.b, analysis_a_id=p.analysis_a,
                                       analysis_b_id=p.analysis_b, score=p.detail["score"],
                                       a_coverage=p.detail["a_coverage"], b_coverage=p.detail["b_coverage"],
                                       detail=p.detail) for p in pairs)


def record_matches(ws: Workspace, media_id: int, settings: MatchSettings | None = None,
                   index: FrameIndex | None = None) -> list[Pair]:
    """Find a video's near duplicates in the catalogue and replace its rows in ``duplicate_matches``.

    Returns:
        The pairs written (none when the video has no current analysis: its rows are removed).
    """
    pairs = compute_pairs(ws, {media_id}, settings, index)
    _replace(ws, {media_id}, pairs)
    return pairs


def rescan(ws: Workspace, focus: set[int] | None = None, settings: MatchSettings | None = None,
           use_index: bool | None = None) -> list[Pair]:
    """Recompute the near pairs of the videos in ``focus`` (default: every pair) and replace their rows."""
    pairs = compute_pairs(ws, focus, settings, use_index=use_index)
    _replace(ws, focus, pairs)
    return pairs


def current_analyses(ws: Workspace) -> dict[int, int]:
    """Each video's current analysis for matching (its newest ``ok`` one), by media id."""
    with ws.reading() as session:
        return dict(session.execute(select(Analysis.media_id, func.max(Analysis.id))
                                    .where(Analysis.status == "ok").group_by(Analysis.media_id)).all())


def stored_pairs(ws: Workspace, focus: set[int] | None = None) -> list[Pair]:
    """The near pairs in ``duplicate_matches`` involving ``focus`` (default: all), reviews not applied."""
    current = current_analyses(ws)
    with ws.reading() as session:
        q = select(DuplicateMatch)
        if focus is not None:
            ids = sorted(focus)
            q = q.where(or_(DuplicateMatch.media_a_id.in_(ids), DuplicateMatch.media_b_id.in_(ids)))
        rows = session.scalars(q.order_by(DuplicateMatch.media_a_id, DuplicateMatch.media_b_id)).all()
        return [Pair(r.media_a_id, r.media_b_id, "near", dict(r.detail), analysis_a=r.analysis_a_id,
                     analysis_b=r.analysis_b_id,
                     stale=(current.get(r.media_a_id), current.get(r.media_b_id)) != (r.analysis_a_id,
                                                                                     r.analysis_b_id))
                for r in rows]
