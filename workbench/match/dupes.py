"""Duplicate pairs across the catalogue, exact and near, and the clusters they form.

- *Exact*: the same bytes (SHA-256). The store keeps one file per SHA-256, so a re-upload of
  identical bytes is one video linked to several sources; it is listed as an ``exact`` pair of
  that video with itself, naming the sources.
- *Near*: two different files whose sample frames match along a temporal alignment
  (``matching.match``), with both coverages and the shared segments. They are found when a video
  is analysed and kept in ``duplicate_matches`` (``stored.py``); ``duplicates`` lists them from
  there, or recomputes them first with ``rescan=True``.

A pair someone rejected (``review.py``) is never listed; a confirmed one carries its decision.
Each cluster names its earliest known copy (``clusters.py``). ``pairs_for_video`` is one video's
pairs as the UI shows them, from that video's side.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workbench.catalogue import find_video
from workbench.db import MediaFile
from workbench.match import clusters as clusters_mod
from workbench.match import stored
from workbench.match.matching import MatchSettings
from workbench.match.review import REJECTED, decisions
from workbench.match.stored import Pair, compute_pairs, stored_pairs
from workbench.workspace import Workspace


class UnknownVideo(LookupError):
    """A reference names no video in the catalogue."""


def _resolve(ws: Workspace, refs: list[str]) -> list[int]:
    ids, missing = [], []
    with ws.reading() as session:
        for ref in refs:
            media = find_video(session, ref)
            (ids.append(media.id) if media else missing.append(ref))
    if missing:
        raise UnknownVideo(f"no video with this id or hash: {', '.join(missing)}")
    return ids


def _exact_pairs(ws: Workspace, focus: set[int] | None) -> list[Pair]:
    pairs = []
    with ws.reading() as session:
        q = select(MediaFile).options(selectinload(MediaFile.sources))
        if focus is not None:
            q = q.where(MediaFile.id.in_(focus))
        for m in session.scalars(q.order_by(MediaFile.id)):
            if len(m.sources) > 1:
                pairs.append(Pair(m.id, m.id, "exact", sources=[
                    {"source_id": s.id, "url": s.original_url, "upload_date": s.upload_date} for s in m.sources]))
    return pairs


def _reviewed(ws: Workspace, pairs: list[Pair]) -> list[Pair]:
    """Leave out the pairs whose decision in force is rejected; attach the others' decisions."""
    reviewed = decisions(ws)
    kept = []
    for p in pairs:
        r = reviewed.get((p.a, p.b))
        if r is not None and r.decision == REJECTED:
            continue
        p.review = r.as_dict() if r else None
        kept.append(p)
    return kept


def find_pairs(ws: Workspace, refs: list[str] | None = None, settings: MatchSettings | None = None,
               use_index: bool | None = None) -> list[Pair]:
    """Exact and near duplicate pairs involving the videos named (default: the whole catalogue),
    matched now (``duplicate_matches`` is neither read nor written).

    Raises:
        UnknownVideo: a ref names no video.
    """
    focus = set(_resolve(ws, refs)) if refs else None
    return _reviewed(ws, _exact_pairs(ws, focus) + compute_pairs(ws, focus, settings, use_index=use_index))


def listed_pairs(ws: Workspace, refs: list[str] | None = None, settings: MatchSettings | None = None,
                 rescan_first: bool = False) -> list[Pair]:
    """Exact pairs, and the near pairs kept in ``duplicate_matches``, involving the videos named.

    Args:
        rescan_first: recompute those near pairs first and replace their rows.

    Raises:
        UnknownVideo: a ref names no video.
    """
    focus = set(_resolve(ws, refs)) if refs else None
    if rescan_first:
        stored.rescan(ws, focus, settings)
    return _reviewed(ws, _exact_pairs(ws, focus) + stored_pairs(ws, focus))


def duplicates(ws: Workspace, refs: list[str] | None = None, settings: MatchSettings | None = None,
               rescan: bool = False) -> dict:
    """Duplicate pairs and clusters as one JSON-ready document (times in seconds), from the near
    pairs kept in ``duplicate_matches`` (recomputed first with ``rescan``). A near pair's
    ``stale`` is true when a video was analysed again since it was found and its match step did
    not run (``rescan`` fixes that).

    Returns:
        ``{"pairs": [{"a": {"id", "sha256"}, "b": {...}, "kind", "score", "a_coverage",
        "b_coverage", "segments": [...], ...}], "clusters": [{"ids": [...], "earliest": id}]}``

    Raises:
        UnknownVideo: a ref names no video.
    """
    pairs = listed_pairs(ws, refs, settings, rescan_first=rescan)
    ids = {i for p in pairs for i in (p.a, p.b)}
    with ws.reading() as session:
        meta = {m.id: (m.sha256, m.duration) for m in
                session.scalars(select(MediaFile).where(MediaFile.id.in_(ids)))}
    out_pairs = []
    for p in pairs:
        item: dict[str, Any] = {"a": {"id": p.a, "sha256": meta[p.a][0]}, "b": {"id": p.b, "sha256": meta[p.b][0]},
                                "kind": p.kind}
        if p.kind == "exact":
            dur = round(meta[p.a][1] or 0.0, 3)
            item.update(score=1.0, a_coverage=1.0, b_coverage=1.0,
                        segments=[{"a_start": 0.0, "a_end": dur, "b_start": 0.0, "b_end": dur}], sources=p.sources)
        else:
            item.update(p.detail, stale=p.stale)
        item["review"] = p.review
        out_pairs.append(item)
    out_pairs.sort(key=lambda x: (x["kind"] != "exact", -x["score"], x["a"]["id"], x["b"]["id"]))
    groups = clusters_mod.clusters((p.a, p.b) for p in pairs if p.a != p.b)
    dates = clusters_mod.known_dates(ws, {i for g in groups for i in g})
    return {"pairs": out_pairs,
            "clusters": [{"ids": g, "earliest": (e := clusters_mod.earliest(g, dates)),
                          "earliest_date": dates[e].when.isoformat() if e in dates else None,
                          "earliest_basis": dates[e].basis if e in dates else None} for g in groups]}


def _flip(detail: dict[str, Any]) -> dict[str, Any]:
    """A near pair's detail seen from B's side: coverages, speed and segments swapped."""
    out = dict(detail, a_coverage=detail["b_coverage"], b_coverage=detail["a_coverage"],
               speed=round(1 / detail["speed"], 3) if detail.get("speed") else detail.get("speed"),
               segments=[{"a_start": s["b_start"], "a_end": s["b_end"], "b_start": s["a_start"], "b_end": s["a_end"]}
                         for s in detail.get("segments", [])])
    out.pop("offset", None)  # B's offset in A's time would need the line inverted; the segments say where
    return out


def pairs_for_video(ws: Workspace, ref: str | int) -> list[dict]:
    """One video's duplicates as the UI lists them, from that video's side, best first.

    Returns:
        One dict per other copy: ``{"other": {"id", "sha256", "title"}, "kind", "score",
        "coverage"`` (this video's share of frames found in the other), ``"other_coverage",
        "segments": [{"start", "end", "other_start", "other_end"}]`` (seconds), ``"speed"``
        (the other's time per second of this one), ``"mirrored", "median_distance", "frames",
        "stale", "review"}``. An exact entry (the same bytes from several sources) names the
        video itself as ``other`` and lists the ``sources``. Rejected pairs are left out.

    Raises:
        UnknownVideo: ``ref`` names no video.
    """
    (media_id,) = _resolve(ws, [str(ref)])
    pairs = _reviewed(ws, _exact_pairs(ws, {media_id}) + stored_pairs(ws, {media_id}))
    others = {p.b if p.a == media_id else p.a for p in pairs}
    with ws.reading() as session:
        rows = session.scalars(select(MediaFile).where(MediaFile.id.in_(others))
                               .options(selectinload(MediaFile.sources))).all()
        meta = {m.id: (m.sha256, next((s.title for s in sorted(m.sources, key=lambda s: s.id) if s.title), None),
                       m.duration) for m in rows}
    out = []
    for p in pairs:
        other = p.b if p.a == media_id else p.a
        sha, title, duration = meta[other]
        item: dict[str, Any] = {"other": {"id": other, "sha256": sha, "title": title}, "kind": p.kind}
        if p.kind == "exact":
            dur = round(duration or 0.0, 3)
            item.update(score=1.0, coverage=1.0, other_coverage=1.0, sources=p.sources, stale=False,
                        segments=[{"start": 0.0, "end": dur, "other_start": 0.0, "other_end": dur}])
        else:
            d = p.detail if p.a == media_id else _flip(p.detail)
            item.update(score=d["score"], coverage=d["a_coverage"], other_coverage=d["b_coverage"],
                        segments=[{"start": s["a_start"], "end": s["a_end"], "other_start": s["b_start"],
                                   "other_end": s["b_end"]} for s in d["segments"]],
                        speed=d.get("speed"), mirrored=d.get("mirrored"), median_distance=d.get("median_distance"),
                        frames=d.get("frames"), stale=p.stale)
        item["review"] = p.review
        out.append(item)
    return sorted(out, key=lambda x: (x["kind"] != "exact", -x["score"], x["other"]["id"]))
