"""Duplicate pairs across the catalogue, exact and near, and the clusters they form.

- *Exact*: the same bytes (SHA-256). The store keeps one file per SHA-256, so a re-upload of
  identical bytes is one video linked to several sources; it is listed as an ``exact`` pair of
  that video with itself, naming the sources.
- *Near*: two different files whose sample frames match along a temporal alignment
  (``matching.match``), with both coverages and the shared segments.

A pair someone rejected (``review.py``) is never listed again; a confirmed one carries its
decision. Each cluster names its earliest known copy (``clusters.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workbench.catalogue import find_video, video_summary
from workbench.db import MediaFile
from workbench.match import clusters as clusters_mod
from workbench.match.candidates import candidate_videos
from workbench.match.frames import FlatFrames, load_bags
from workbench.match.matching import Match, MatchSettings, match
from workbench.match.review import REJECTED, decisions
from workbench.workspace import Workspace


class UnknownVideo(LookupError):
    """A reference names no video in the catalogue."""


@dataclass
class Pair:
    a: int
    b: int
    kind: str  # exact | near
    match: Match | None = None
    sources: list[dict[str, Any]] = field(default_factory=list)
    review: dict[str, Any] | None = None


def _resolve(ws: Workspace, refs: list[str]) -> list[int]:
    ids, missing = [], []
    with ws.session() as session:
        for ref in refs:
            media = find_video(session, ref)
            (ids.append(media.id) if media else missing.append(ref))
    if missing:
        raise UnknownVideo(f"no video with this id or hash: {', '.join(missing)}")
    return ids


def find_pairs(ws: Workspace, refs: list[str] | None = None, settings: MatchSettings | None = None) -> list[Pair]:
    """Exact and near duplicate pairs involving the videos named (default: the whole catalogue).

    Raises:
        UnknownVideo: a ref names no video.
    """
    ms = settings or MatchSettings.from_settings(ws.settings)
    focus = set(_resolve(ws, refs)) if refs else None
    pairs: list[Pair] = []
    with ws.session() as session:
        q = select(MediaFile).options(selectinload(MediaFile.sources))
        if focus is not None:
            q = q.where(MediaFile.id.in_(focus))
        for m in session.scalars(q.order_by(MediaFile.id)):
            if len(m.sources) > 1:
                pairs.append(Pair(m.id, m.id, "exact", sources=[
                    {"source_id": s.id, "url": s.original_url, "upload_date": s.upload_date} for s in m.sources]))
    bags = load_bags(ws)
    flat = FlatFrames.from_bags(bags)
    done: set[tuple[int, int]] = set()
    for qid in sorted(focus if focus is not None else bags):
        if qid not in bags:
            continue
        found = candidate_videos(bags[qid], flat, ms.frame_distance, exclude=qid)
        # a match needs min_frames aligned frames: fewer frames within reach cannot make one
        for other in sorted(m for m, n in found.items() if n >= min(ms.min_frames, len(bags[qid]), len(bags[m]))):
            a, b = min(qid, other), max(qid, other)
            if (a, b) in done:
                continue
            done.add((a, b))
            m = match(bags[a], bags[b], ms)
            if m is not None and m.is_match:
                pairs.append(Pair(a, b, "near", m))
    reviewed = decisions(ws)
    kept = []
    for p in pairs:
        r = reviewed.get((p.a, p.b))
        if r is not None and r.decision == REJECTED:
            continue
        p.review = r.as_dict() if r else None
        kept.append(p)
    return kept


def duplicates(ws: Workspace, refs: list[str] | None = None, settings: MatchSettings | None = None) -> dict:
    """Duplicate pairs and clusters as one JSON-ready document (times in seconds).

    Returns:
        ``{"pairs": [{"a": {"id", "sha256"}, "b": {...}, "kind", "score", "a_coverage",
        "b_coverage", "segments": [...], ...}], "clusters": [{"ids": [...], "earliest": id}]}``

    Raises:
        UnknownVideo: a ref names no video.
    """
    pairs = find_pairs(ws, refs, settings)
    ids = {i for p in pairs for i in (p.a, p.b)}
    with ws.session() as session:
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
            item.update(p.match.as_dict())
        item["review"] = p.review
        out_pairs.append(item)
    out_pairs.sort(key=lambda x: (x["kind"] != "exact", -x["score"], x["a"]["id"], x["b"]["id"]))
    groups = clusters_mod.clusters((p.a, p.b) for p in pairs if p.a != p.b)
    dates = clusters_mod.known_dates(ws, {i for g in groups for i in g})
    return {"pairs": out_pairs,
            "clusters": [{"ids": g, "earliest": (e := clusters_mod.earliest(g, dates)),
                          "earliest_date": dates[e].when.isoformat() if e in dates else None,
                          "earliest_basis": dates[e].basis if e in dates else None} for g in groups]}


def pairs_for_video(ws: Workspace, media_id: int) -> list[dict[str, Any]]:
    """One video's duplicate pairs, each seen from that video: ``a`` is always this one.

    Returns:
        The pairs of ``duplicates()`` with ``other`` (the other video's ``id``, ``sha256``,
        ``title``) added, and sides swapped where this video was ``b``, so ``a_start``/``a_end``
        are times in this video.
    """
    out = []
    for pair in duplicates(ws, [str(media_id)])["pairs"]:
        if pair["kind"] == "exact":
            continue  # the same file: its other sources are on the video page already
        if pair["b"]["id"] == media_id:
            pair = {**pair, "a": pair["b"], "b": pair["a"], "a_coverage": pair["b_coverage"],
                    "b_coverage": pair["a_coverage"],
                    "segments": [{"a_start": s["b_start"], "a_end": s["b_end"], "b_start": s["a_start"],
                                  "b_end": s["a_end"]} for s in pair["segments"]]}
        out.append(pair)
    with ws.session() as session:
        for pair in out:
            other = session.get(MediaFile, pair["b"]["id"])
            pair["other"] = {**pair["b"], "title": video_summary(other)["title"]}
    return out
