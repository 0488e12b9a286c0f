"""Reading and writing the catalogue: what was acquired, from where, and what it is.

Writes happen in one short transaction per input, after the bytes are safely in the store, and
are retried when another process inserted the same source or file a moment earlier: the
unique keys (a file's SHA-256, a source's key, the source-file link) make concurrent runs end
with one row each and consistent links.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePath
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from workbench.db import (
    Acquisition,
    Analysis,
    Attachment,
    Availability,
    MediaFile,
    Method,
    Source,
    SourceCheck,
    SourceMedia,
)
from workbench.db.models import utcnow
from workbench.media.hashing import to_unsigned
from workbench.media.probe import Probe
from workbench.store import Stored
from workbench.workspace import Workspace

RETRIES = 3


@dataclass
class SourceRecord:
    """What a platform told us about a source, ready for the ``sources`` table."""

    key: str
    original_url: str
    fields: dict[str, Any]  # canonical_url, extractor, platform_id, uploader, title, ...


@dataclass
class AttachmentRecord:
    kind: str
    label: str | None
    stored: Stored
    ext: str


@dataclass
class AcquisitionRecord:
    """Everything known about one acquisition of one file."""

    method: str
    acquired_by: str
    tool_versions: dict[str, str]
    options: dict[str, Any]
    http_status: int | None = None
    original_path: str | None = None
    original_mtime: datetime | None = None
    info_json: Stored | None = None  # the full sanitized info.json, kept with a new acquisition
    attachments: list[AttachmentRecord] = field(default_factory=list)
    check_snapshot: Stored | None = None  # the descriptive metadata seen, kept with every check

    def blobs(self) -> list[Stored]:
        """Every blob this record brings to the store."""
        return [b for b in [self.info_json, self.check_snapshot, *(a.stored for a in self.attachments)] if b]


@dataclass
class Recorded:
    media_id: int
    source_id: int | None
    new_media: bool
    new_acquisition: bool


def record(ws: Workspace, probe: Probe, stored: Stored, acq: AcquisitionRecord,
           source: SourceRecord | None = None) -> Recorded:
    """Record a stored file, its source (if any), the link, the acquisition and a check.

    A source seen before gets a new check and, only when these bytes are new for it, a new
    link and acquisition. A local file gets an acquisition unless the same path was imported
    before.
    """
    for attempt in range(RETRIES):
        try:
            with ws.session() as session:
                return _record(session, probe, stored, acq, source)
        except IntegrityError:  # a concurrent writer got there first: look again
            if attempt == RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def _record(session: Session, probe: Probe, stored: Stored, acq: AcquisitionRecord,
            source: SourceRecord | None) -> Recorded:
    media = session.scalar(select(MediaFile).where(MediaFile.sha256 == stored.sha256))
    new_media = media is None
    if media is None:
        media = MediaFile(sha256=stored.sha256, size=stored.size, ext=probe.ext,
                          store_path=stored.rel_path, container=probe.container, codec=probe.codec,
                          width=probe.width, height=probe.height, fps=probe.fps,
                          duration=probe.duration, frame_count=probe.frame_count,
                          rotation=probe.rotation, audio_codec=probe.audio_codec)
        session.add(media)
        session.flush()

    src = None
    new_acquisition = False
    if source is not None:
        src = upsert_source(session, source)
        linked = session.get(SourceMedia, (src.id, media.id)) is not None
        if not linked:
            session.add(SourceMedia(source_id=src.id, media_id=media.id))
            new_acquisition = True
        session.add(SourceCheck(source_id=src.id, checked_by=acq.acquired_by, kind="archive",
                                availability=Availability.OK, http_status=acq.http_status,
                                media_id=media.id,
                                info_json_sha256=acq.check_snapshot.sha256 if acq.check_snapshot else None))
    else:
        seen = session.scalar(select(Acquisition.id).where(
            Acquisition.media_id == media.id, Acquisition.method == Method.LOCAL,
            Acquisition.original_path == acq.original_path))
        new_acquisition = seen is None

    if new_acquisition:
        row = Acquisition(media_id=media.id, source_id=src.id if src else None,
                          acquired_by=acq.acquired_by, method=acq.method,
                          tool_versions=acq.tool_versions, options=acq.options,
                          http_status=acq.http_status, original_path=acq.original_path,
                          original_mtime=acq.original_mtime,
                          info_json_sha256=acq.info_json.sha256 if acq.info_json else None)
        session.add(row)
        session.flush()
        blobs = ([AttachmentRecord("info.json", None, acq.info_json, "json")] if acq.info_json else [])
        seen_blobs: set[tuple[str, str]] = set()
        for att in blobs + acq.attachments:
            if (att.kind, att.stored.sha256) in seen_blobs:
                continue
            seen_blobs.add((att.kind, att.stored.sha256))
            session.add(Attachment(acquisition_id=row.id, kind=att.kind, label=att.label,
                                   sha256=att.stored.sha256, ext=att.ext, size=att.stored.size,
                                   store_path=att.stored.rel_path))
    session.flush()
    return Recorded(media.id, src.id if src else None, new_media, new_acquisition)


def upsert_source(session: Session, rec: SourceRecord) -> Source:
    """Find a source by key and refresh what the platform says now, or create it.

    Earlier metadata is not lost: each check keeps the info.json it saw.
    """
    src = session.scalar(select(Source).where(Source.key == rec.key))
    now = utcnow()
    if src is None:
        src = Source(key=rec.key, original_url=rec.original_url, first_archived_at=now)
        session.add(src)
    for name, value in rec.fields.items():
        if value is not None:
            setattr(src, name, value)
    src.last_checked_at = now
    src.availability = Availability.OK
    src.availability_message = None
    session.flush()
    return src


def find_source_by_url(session: Session, url: str) -> Source | None:
    return session.scalar(select(Source).where(
        or_(Source.original_url == url, Source.canonical_url == url)).order_by(Source.id).limit(1))


def record_check(ws: Workspace, source_id: int, *, availability: str, message: str | None,
                 http_status: int | None, kind: str, by: str, info_json: Stored | None = None,
                 fields: dict[str, Any] | None = None) -> None:
    """Record one look at a known source and set its current availability."""
    with ws.session() as session:
        src = session.get(Source, source_id)
        if src is None:
            raise LookupError(f"no source {source_id}")
        for name, value in (fields or {}).items():
            if value is not None:
                setattr(src, name, value)
        src.availability = availability
        src.availability_message = message
        src.last_checked_at = utcnow()
        session.add(SourceCheck(source_id=src.id, checked_by=by, kind=kind,
                                availability=availability, message=message,
                                http_status=http_status,
                                info_json_sha256=info_json.sha256 if info_json else None))


def known_source_id(ws: Workspace, url: str, key: str | None = None) -> int | None:
    """The id of the source with this key, or first archived from / published at this URL."""
    with ws.session() as session:
        if key:
            found = session.scalar(select(Source.id).where(Source.key == key))
            if found:
                return found
        src = find_source_by_url(session, url)
        return src.id if src else None


def known_source_ids(ws: Workspace, url: str, key: str | None = None) -> list[int]:
    """Every source a failure at this URL concerns, oldest first: the one with this key if
    there is one (one video of a page), else all first archived from or published at this URL
    (a page archived with --playlist has one source per video, all with the page's URL)."""
    with ws.session() as session:
        if key:
            found = session.scalar(select(Source.id).where(Source.key == key))
            if found:
                return [found]
        return list(session.scalars(select(Source.id).where(
            or_(Source.original_url == url, Source.canonical_url == url)).order_by(Source.id)))


def source_identity(ws: Workspace, source_id: int) -> tuple[str, str | None] | None:
    """A source's key and extractor (what a recheck matches against), or None if unknown."""
    with ws.session() as session:
        src = session.get(Source, source_id)
        return (src.key, src.extractor) if src else None


def latest_media(ws: Workspace, source_id: int) -> dict[str, Any]:
    """The id, sha256 and store path of the newest file archived from a source ({} if none)."""
    with ws.session() as session:
        media = session.scalar(select(MediaFile).join(SourceMedia).where(SourceMedia.source_id == source_id)
                               .order_by(SourceMedia.linked_at.desc(), MediaFile.id.desc()).limit(1))
        return {"id": media.id, "sha256": media.sha256, "path": media.store_path} if media else {}


# -- queries -----------------------------------------------------------------------------------

def find_video(session: Session, ref: str | int) -> MediaFile | None:
    """A video by numeric id or by SHA-256 (or a unique prefix of 8+ hex digits)."""
    text = str(ref).strip().lower()
    if text.isdigit():
        return session.get(MediaFile, int(text))
    if len(text) >= 8 and all(c in "0123456789abcdef" for c in text):
        rows = session.scalars(select(MediaFile).where(MediaFile.sha256.startswith(text)).limit(2)).all()
        return rows[0] if len(rows) == 1 else None
    return None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _local_name(media: MediaFile) -> str | None:
    """A local file's title: the name it was imported under."""
    paths = [a.original_path for a in media.acquisitions if a.original_path]
    return PurePath(paths[0]).name if paths else None


def video_summary(media: MediaFile) -> dict[str, Any]:
    """The fields a list shows for one video."""
    src = media.sources[0] if media.sources else None
    return {
        "id": media.id, "sha256": media.sha256, "status": src.availability if src else "local",
        "source_url": src.original_url if src else None, "path": media.store_path,
        "error": src.availability_message if src else None,
        "title": src.title if src else _local_name(media),
        "duration": media.duration, "width": media.width, "height": media.height,
        "size": media.size, "sources": len(media.sources), "created_at": _iso(media.created_at),
    }


def list_videos(ws: Workspace, *, limit: int = 100, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
    """The catalogue's videos, newest first, as summaries; and how many there are in all."""
    with ws.reading() as session:
        total = session.scalar(select(func.count()).select_from(MediaFile)) or 0
        rows = session.scalars(
            select(MediaFile).options(selectinload(MediaFile.sources), selectinload(MediaFile.acquisitions))
            .order_by(MediaFile.id.desc()).limit(limit).offset(offset)).all()
        return total, [video_summary(m) for m in rows]


def video_summaries(ws: Workspace, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The list fields (``video_summary``) of several videos at once, by id; unknown ids are left out."""
    wanted = sorted(set(ids))
    with ws.reading() as session:
        rows = session.scalars(select(MediaFile).where(MediaFile.id.in_(wanted))
                               .options(selectinload(MediaFile.sources))).all()
        return {m.id: video_summary(m) for m in rows}


def video_detail(ws: Workspace, ref: str | int) -> dict[str, Any] | None:
    """Everything the catalogue holds on one video: file facts, sources with their checks,
    acquisitions with their attachments."""
    with ws.reading() as session:
        media = find_video(session, ref)
        if media is None:
            return None
        data = video_summary(media)
        data.update({
            "container": media.container, "codec": media.codec, "fps": media.fps,
            "frame_count": media.frame_count, "rotation": media.rotation,
            "audio_codec": media.audio_codec, "ext": media.ext,
            "sources": [_source_detail(s) for s in media.sources],
            "acquisitions": [_acquisition_detail(a) for a in media.acquisitions],
            "analysis": _analysis_detail(session, media.id),
        })
        return data


def _analysis_detail(session: Session, media_id: int) -> dict[str, Any] | None:
    """The current (newest successful) analysis: keyframes with their images, and counts."""
    rows = session.scalars(select(Analysis).where(Analysis.media_id == media_id).order_by(Analysis.id.desc())).all()
    current = next((a for a in rows if a.status in ("ok", "partial")), None)
    newest = rows[0] if rows else None
    if current is None:
        return {"status": "failed", "error": newest.error} if newest else None
    keyframes = [{"t": f.t_ms / 1000, "t_ms": f.t_ms, "frame_number": f.frame_number, "shot": f.shot,
                  "image": f.image_path, "phash": f"{to_unsigned(f.phash):016x}", "pdq": f.pdq}
                 for f in current.frames if f.kind == "keyframe"]
    later_failure = newest.error if newest is not current and newest.status == "failed" else None
    return {"analysis_id": current.id, "status": current.status, "error": current.error,
            "newest_failed": later_failure, "mode": current.mode, "created_at": _iso(current.created_at),
            "samples": current.samples, "shots": current.shots, "frames_decoded": current.frames_decoded,
            "contact_sheet": current.contact_sheet, "keyframes": keyframes, "earlier_analyses": len(rows) - 1}


def _source_detail(src: Source) -> dict[str, Any]:
    return {
        "source_id": src.id, "original_url": src.original_url, "canonical_url": src.canonical_url,
        "extractor": src.extractor, "platform_id": src.platform_id, "uploader": src.uploader,
        "uploader_id": src.uploader_id, "channel": src.channel, "channel_id": src.channel_id,
        "title": src.title, "description": src.description,
        "upload_date": src.upload_date.isoformat() if src.upload_date else None,
        "timestamp": _iso(src.timestamp), "duration": src.duration,
        "first_archived_at": _iso(src.first_archived_at), "last_checked_at": _iso(src.last_checked_at),
        "availability": src.availability, "availability_message": src.availability_message,
        "checks": [{"checked_at": _iso(c.checked_at), "kind": c.kind, "availability": c.availability,
                    "message": c.message, "http_status": c.http_status, "by": c.checked_by,
                    "media_id": c.media_id} for c in src.checks],
    }


def _acquisition_detail(acq: Acquisition) -> dict[str, Any]:
    return {
        "acquisition_id": acq.id, "acquired_at": _iso(acq.acquired_at), "acquired_by": acq.acquired_by,
        "method": acq.method, "source_id": acq.source_id, "http_status": acq.http_status,
        "original_path": acq.original_path, "original_mtime": _iso(acq.original_mtime),
        "tool_versions": acq.tool_versions, "options": acq.options,
        "attachments": [{"kind": a.kind, "label": a.label, "sha256": a.sha256, "size": a.size,
                         "path": a.store_path} for a in acq.attachments],
    }


def sources_to_check(ws: Workspace, refs: list[str], every: bool) -> tuple[list[tuple[int, str, dict]], list[str]]:
    """The sources a recheck looks at: all of them, or those of the videos named.

    Returns:
        ``(source_id, url, item fields)`` triples, and the refs that name no video.
    """
    with ws.session() as session:
        if every:
            medias = session.scalars(select(MediaFile).join(SourceMedia).distinct()
                                     .options(selectinload(MediaFile.sources)).order_by(MediaFile.id)).all()
            missing = []
        else:
            found = [(ref, find_video(session, ref)) for ref in refs]
            medias = [m for _, m in found if m is not None]
            missing = [ref for ref, m in found if m is None]
        triples, seen = [], set()
        for media in medias:
            for src in media.sources:
                if src.id in seen:
                    continue
                seen.add(src.id)
                triples.append((src.id, src.canonical_url or src.original_url,
                                {"id": media.id, "sha256": media.sha256, "path": media.store_path,
                                 "title": src.title}))
        return triples, missing


def is_referenced(session: Session, sha256: str) -> bool:
    """Whether any catalogue row points at a stored file with this SHA-256."""
    checks = (
        select(MediaFile.id).where(MediaFile.sha256 == sha256),
        select(Attachment.id).where(Attachment.sha256 == sha256),
        select(Acquisition.id).where(Acquisition.info_json_sha256 == sha256),
        select(SourceCheck.id).where(SourceCheck.info_json_sha256 == sha256),
    )
    return any(session.scalar(q.limit(1)) is not None for q in checks)


def release_if_unreferenced(ws: Workspace, stored: Stored) -> None:
    """Undo a store write whose record was not made: remove the file this call created, unless
    a row (perhaps another process's, committed meanwhile) points at it. The check and the
    removal happen inside one write transaction, so no writer can add a reference in between."""
    if not stored.created:
        return
    with ws.session() as session:
        if not is_referenced(session, stored.sha256):
            stored.path.unlink(missing_ok=True)


def overview(ws: Workspace) -> dict[str, int]:
    """Counts for the home page: videos, sources gone from their platform, tags, events, drafts."""
    from workbench.db import DuplicateMatch, Event, Tag
    from workbench.db.duplicates import rejected_match

    gone = ("deleted", "private", "geo-blocked", "unavailable")
    with ws.reading() as session:
        def count(query: Any) -> int:
            return session.scalar(select(func.count()).select_from(query.subquery())) or 0
        return {
            "videos": count(select(MediaFile.id)),
            "sources": count(select(Source.id)),
            "sources_gone": count(select(Source.id).where(Source.availability.in_(gone))),
            "analysed": count(select(Analysis.media_id).where(Analysis.status.in_(("ok", "partial"))).distinct()),
            "tagged": count(select(Tag.media_id).distinct()),
            "events": count(select(Event.id).where(Event.status == "accepted")),
            "drafts": count(select(Event.id).where(Event.status == "draft")),
            "near_duplicates": count(select(DuplicateMatch.id).where(~rejected_match())),
        }
