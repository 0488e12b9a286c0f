"""The pipeline a video goes through: acquire -> probe and store -> keyframes and hashes.

``archive`` and ``import_paths`` acquire (see ``workbench.acquire``) and then analyse each
video that has no analysis yet; ``process`` (re)analyses videos already in the catalogue.
Before decoding, the stored file's SHA-256 is checked against the catalogue (fixity), so
hashes are never attributed to bytes that are not the evidence. An analysis is all or nothing:
its images are written to a work folder and moved into ``derived/`` in one rename, and its rows
are committed in one transaction; a failure is recorded as a failed analysis with its reason,
and leaves no frames or images behind. A decode that stops early is kept as ``partial``.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import select

from workbench.acquire import archive as acquire_web
from workbench.acquire import local as acquire_local
from workbench.acquire.ingest import tool_versions
from workbench.acquire.ytdlp import ArchiveOptions
from workbench.catalogue import find_video
from workbench.db import Analysis, Frame, MediaFile
from workbench.events.posts import settle_queued
from workbench.media import keyframes
from workbench.media.decode import DecodeError
from workbench.media.hashing import to_signed
from workbench.report import Item, Status
from workbench.store import sha256_file
from workbench.workspace import Workspace

log = logging.getLogger(__name__)

PIPELINE_VERSION = "keyframes-1"
ANALYSED = ("ok", "partial")  # analyses with frames; "failed" ones have none


@dataclass(frozen=True)
class ProcessOptions:
    sample_fps: float = 1.0
    fast: bool = False

    def params(self) -> dict[str, Any]:
        return {
            "pipeline": PIPELINE_VERSION, "sample_fps": self.sample_fps, "fast": self.fast,
            "cut_score": keyframes.CUT_SCORE, "cut_ratio": keyframes.CUT_RATIO,
            "min_shot": keyframes.MIN_SHOT, "hash_width": keyframes.HASH_WIDTH,
            "keyframe_width": keyframes.KEYFRAME_WIDTH,
        }


def analyze_media(ws: Workspace, media_id: int, opts: ProcessOptions | None = None) -> Item:
    """Check a stored video's fixity, decode it once, and record its samples, keyframes and
    contact sheet. A decode that stops early is recorded as ``partial``, saying how far it got."""
    opts = opts or ProcessOptions(sample_fps=ws.settings.sample_fps)
    with ws.session() as session:
        media = session.get(MediaFile, media_id)
        sha, rel, duration, frame_count = media.sha256, media.store_path, media.duration, media.frame_count
    item = Item(input=str(media_id), status=Status.FAILED, id=media_id, sha256=sha, path=rel)
    path = ws.store.home / rel
    problem = _fixity_problem(path, sha)
    if problem is None:
        started = time.perf_counter()
        try:
            result = keyframes.analyze(path, sample_fps=opts.sample_fps, fast=opts.fast, duration_hint=duration)
        except DecodeError as exc:
            problem = str(exc)
        except Exception as exc:  # a bug or a library failure must not stop the batch: record it
            problem = f"unexpected error ({type(exc).__name__}: {exc})"
    if problem is not None:
        item.error = f"keyframes: {problem}"
        _record_failure(ws, media_id, opts, problem)
        return item
    elapsed = time.perf_counter() - started
    short = not opts.fast and frame_count and result.frames_decoded < frame_count * 0.99 - 1
    notes = [result.decode_error, f"decoded {result.frames_decoded} of {frame_count} frames" if short else None]
    partial = "; ".join(n for n in notes if n) or None
    analysis_id, sheet = _store(ws, media_id, sha, opts, result, elapsed, partial)
    item.status = Status.PROCESSED
    item.extra.update(analysis_id=analysis_id, samples=len(result.samples), keyframes=len(result.keyframes),
                      shots=len(result.shots), contact_sheet=sheet)
    if partial:
        item.extra["process_error"] = f"keyframes partial: {partial}"
    _match_step(ws, media_id, item)
    return item


def _match_step(ws: Workspace, media_id: int, item: Item) -> None:
    """Find the video's near duplicates and keep them (``match.stored.record_matches``).

    Runs after the analysis is committed and never undoes it: a failure is reported on the item
    (``match_error``) and logged; its pairs are then missing or stale until ``dupes --rescan``.
    """
    from workbench.match.stored import record_matches

    try:
        item.extra["duplicates"] = len(record_matches(ws, media_id))
    except Exception as exc:  # a bug or a database error must not cost the analysis: record it
        item.extra["match_error"] = (f"duplicate matching failed ({type(exc).__name__}: {exc}); "
                                     "the analysis is kept; run `workbench dupes --rescan`")
        log.warning("video #%s: %s", media_id, item.extra["match_error"])


def _fixity_problem(path: Path, sha256: str) -> str | None:
    """Why the stored file is not the evidence the catalogue names, or None when it is."""
    if not path.is_file():
        return f"the stored file is missing ({path.name}): evidence lost from the store"
    actual, _ = sha256_file(path)
    if actual != sha256:
        return f"fixity failure: the stored file's SHA-256 is {actual}, the catalogue says {sha256}"
    return None


@lru_cache(maxsize=1)
def analysis_tool_versions() -> dict[str, str]:
    """Versions of everything that shapes a stored hash: decoder libraries and hashing packages."""
    import av
    import imagehash
    import numpy
    import PIL
    import scipy

    libav = ", ".join(f"{name} {'.'.join(map(str, v))}" for name, v in sorted(av.library_versions.items()))
    return {**tool_versions(), "libav": libav, "pillow": PIL.__version__, "imagehash": imagehash.__version__,
            "pdqhash": package_version("pdqhash"), "numpy": numpy.__version__, "scipy": scipy.__version__,
            "pipeline": PIPELINE_VERSION}


def _record_failure(ws: Workspace, media_id: int, opts: ProcessOptions, error: str) -> None:
    with ws.session() as session:
        session.add(Analysis(media_id=media_id, created_by=ws.settings.user, mode=_mode(opts),
                             status="failed", error=error, params=opts.params(),
                             tool_versions=analysis_tool_versions()))


def _mode(opts: ProcessOptions) -> str:
    return "fast" if opts.fast else "full"


def _store(ws: Workspace, media_id: int, sha: str, opts: ProcessOptions, result: keyframes.Analysis,
           elapsed: float, partial: str | None) -> tuple[int, str]:
    """Write the images (one atomic rename of their folder), then the rows (one transaction)."""
    name = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
    rel_dir = f"derived/{sha[:2]}/{sha[2:4]}/{sha}/{name}"
    final = ws.store.home / rel_dir
    with ws.store.workdir() as work:
        folder = work / name
        folder.mkdir()
        (folder / "contact.jpg").write_bytes(result.contact_sheet or b"")
        for kf in result.keyframes:
            (folder / f"kf-{kf.t_ms:09d}.jpg").write_bytes(kf.jpeg or b"")
        final.parent.mkdir(parents=True, exist_ok=True)
        os.rename(folder, final)
    try:
        with ws.session() as session:
            row = Analysis(media_id=media_id, created_by=ws.settings.user, mode=_mode(opts),
                           status="partial" if partial else "ok", error=partial,
                           params=opts.params(), tool_versions=analysis_tool_versions(),
                           frames_decoded=result.frames_decoded, samples=len(result.samples),
                           keyframes=len(result.keyframes), shots=len(result.shots), elapsed=round(elapsed, 3),
                           store_dir=rel_dir, contact_sheet=f"{rel_dir}/contact.jpg")
            session.add(row)
            session.flush()
            session.add_all(_frame_row(row.id, media_id, rec, rel_dir) for rec in keyframes.iter_hashes(result))
            return row.id, row.contact_sheet
    except BaseException:
        shutil.rmtree(final, ignore_errors=True)
        raise


def _frame_row(analysis_id: int, media_id: int, rec: keyframes.FrameRecord, rel_dir: str) -> Frame:
    h, crop = rec.hashes, rec.hashes.crop.scaled(rec.crop_scale)
    return Frame(analysis_id=analysis_id, media_id=media_id, kind=rec.kind, t_ms=rec.t_ms,
                 frame_number=rec.frame_number, shot=rec.shot, phash=to_signed(h.phash), dhash=to_signed(h.dhash),
                 phash_mirror=to_signed(h.phash_mirror), dhash_mirror=to_signed(h.dhash_mirror), pdq=h.pdq,
                 pdq_quality=h.pdq_quality, crop_x=crop.x, crop_y=crop.y, crop_w=crop.w, crop_h=crop.h,
                 low_info=h.low_info,
                 image_path=f"{rel_dir}/kf-{rec.t_ms:09d}.jpg" if rec.kind == "keyframe" else None)


def current_analysis_id(ws: Workspace, media_id: int) -> int | None:
    """The newest analysis of a video that has frames (ok, or partial), or None."""
    with ws.session() as session:
        return session.scalar(select(Analysis.id).where(Analysis.media_id == media_id,
                                                        Analysis.status.in_(ANALYSED))
                              .order_by(Analysis.id.desc()).limit(1))


def _then_analyze(ws: Workspace, on_item: Callable[[Item], None] | None) -> Callable[[Item], None]:
    """Wrap an acquisition's per-item callback: analyse each acquired video not analysed yet."""
    def each(item: Item) -> None:
        if item.ok and item.id is not None and item.status != Status.SKIPPED \
                and current_analysis_id(ws, item.id) is None:
            done = analyze_media(ws, item.id)
            item.extra.update({k: done.extra.get(k) for k in ("keyframes", "samples", "contact_sheet", "duplicates")})
            if done.extra.get("match_error"):
                item.extra["match_error"] = done.extra["match_error"]
            problem = done.error if done.status == Status.FAILED else done.extra.get("process_error")
            if problem:
                item.extra["process_error"] = problem
        if on_item:
            on_item(item)
    return each


def archive(ws: Workspace, urls: Iterable[str], opts: ArchiveOptions | None = None, *,
            on_item: Callable[[Item], None] | None = None,
            on_progress: acquire_web.Progress | None = None) -> list[Item]:
    """Archive URLs (see ``acquire.archive.archive``), then analyse each new video; links queued
    from a post are marked archived or failed."""
    analyse = _then_analyze(ws, on_item)

    def each(item: Item) -> None:
        if item.status != Status.SKIPPED:  # a skipped link (live stream, listed twice) was not tried
            with ws.session() as session:
                settle_queued(session, item.input, item.ok)
        analyse(item)
    return acquire_web.archive(ws, urls, opts, on_item=each, on_progress=on_progress)


def import_paths(ws: Workspace, paths: Iterable[Path], on_item: Callable[[Item], None] | None = None) -> list[Item]:
    """Import files and folders (see ``acquire.local.import_paths``), then analyse each new video."""
    return acquire_local.import_paths(ws, paths, on_item=_then_analyze(ws, on_item))


def import_upload(ws: Workspace, filename: str, stream: BinaryIO,
                  on_item: Callable[[Item], None] | None = None) -> Item:
    """Import an uploaded file (see ``acquire.local.import_upload``), then analyse it if new."""
    item = acquire_local.import_upload(ws, filename, stream)
    _then_analyze(ws, on_item)(item)
    return item


def process(ws: Workspace, refs: list[str], every: bool, opts: ProcessOptions | None = None,
            on_item: Callable[[Item], None] | None = None) -> list[Item]:
    """(Re)analyse the videos named (ids or SHA-256 prefixes), or every video; earlier analyses stay."""
    with ws.session() as session:
        if every:
            targets = [(str(i), i) for i in session.scalars(select(MediaFile.id).order_by(MediaFile.id))]
        else:
            targets = [(ref, m.id if (m := find_video(session, ref)) else None) for ref in refs]
    items = []
    for ref, media_id in targets:
        item = (analyze_media(ws, media_id, opts) if media_id is not None
                else Item(input=ref, status=Status.FAILED, error="no video with this id or hash"))
        item.input = ref
        items.append(item)
        if on_item:
            on_item(item)
    return items

