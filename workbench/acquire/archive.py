"""Archive web videos with yt-dlp's Python API, in two phases.

Phase one asks the platform for metadata only: a deleted, private or geo-blocked video is
found out here and recorded on a known source, live streams are skipped unless asked for,
playlists are refused unless asked for, and files known to be too large are refused before a
byte is fetched. Phase two downloads the chosen formats into the store's work area (merged to
mp4 with the ffmpeg binary that imageio-ffmpeg ships), and the file is probed, hashed, stored
and recorded by ``ingest``. File names come from hashes only: titles never reach the disk.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from yt_dlp import YoutubeDL
from yt_dlp.utils import YoutubeDLError

from workbench.acquire.ingest import ingest, tool_versions
from workbench.acquire.links import check_url
from workbench.acquire.ytdlp import (
    YDL,
    ArchiveOptions,
    Failure,
    FileTooLarge,
    classify,
    clean_message,
    descriptive,
    expected_size,
    human_size,
    json_bytes,
    source_record,
    ydl_params,
)
from workbench.catalogue import (
    AcquisitionRecord,
    AttachmentRecord,
    known_source_ids,
    latest_media,
    record_check,
    release_if_unreferenced,
)
from workbench.db import Availability, Method
from workbench.media.probe import ProbeError
from workbench.report import Item, Status
from workbench.store import Stored, clean_ext
from workbench.workspace import Workspace

Progress = Callable[[str, int, int | None], None]  # (input, bytes so far, total or None)


# -- archive -----------------------------------------------------------------------------------

def archive(ws: Workspace, urls: Iterable[str], opts: ArchiveOptions | None = None, *,
            on_item: Callable[[Item], None] | None = None, on_progress: Progress | None = None) -> list[Item]:
    """Archive each URL; one item per video (a playlist gives several), the batch goes on."""
    opts = opts or ArchiveOptions.from_settings(ws.settings)
    done: dict[str, list[Item]] = {}
    items: list[Item] = []
    for url in urls:
        url = url.strip()
        if url in done:
            first = done[url][0] if done[url] else Item(input=url, status=Status.FAILED)
            new = [Item(input=url, status=Status.SKIPPED, id=first.id, sha256=first.sha256,
                        source_url=first.source_url, path=first.path, source_id=first.source_id,
                        error="listed twice in this batch; handled once")]
        else:
            new = done[url] = archive_url(ws, url, opts, on_progress=on_progress)
        for item in new:
            items.append(item)
            if on_item:
                on_item(item)
    return items


def archive_url(ws: Workspace, url: str, opts: ArchiveOptions,
                on_progress: Progress | None = None) -> list[Item]:
    """Archive one URL: metadata first, then the download; one item per video."""
    problem = check_url(url)
    if problem:
        return [Item(input=url, status=Status.FAILED, error=problem, source_url=url)]
    with ws.store.workdir() as work:
        ydl = YDL(ydl_params(work, opts, []))
        try:
            info = ydl.extract_info(url, download=False)
        except (YoutubeDLError, OSError) as exc:
            return [_failed(ws, url, classify(exc, opts.socket_timeout), kind="archive")]
        if info.get("_type") == "playlist":
            entries = [e for e in info.get("entries") or [] if e]
            if not opts.playlist:
                return [Item(input=url, status=Status.FAILED, source_url=url,
                             error=f"a playlist of {len(entries)} videos; add --playlist to archive them")]
            if not entries:
                return [Item(input=url, status=Status.FAILED, source_url=url, error="an empty playlist")]
        else:
            entries = [info]
        items = []
        for n, entry in enumerate(entries):
            entry_work = work / f"v{n}"
            entry_work.mkdir()
            items.append(_download(ws, url, entry, opts, entry_work, on_progress))
        return items


def _failed(ws: Workspace, url: str, failure: Failure, *, kind: str, key: str | None = None) -> Item:
    """Report a failed input; the sources we already archived from it get the check recorded.

    With a key (one video) that video's source; without one (the page itself failed), every
    source archived from this URL: a page archived with --playlist has one per video. The item
    names the first one's newest file.
    """
    source_ids = known_source_ids(ws, url, key)
    if failure.availability != Availability.OK:
        for source_id in source_ids:
            record_check(ws, source_id, availability=failure.availability, message=failure.message,
                         http_status=failure.http_status, kind=kind, by=ws.settings.user)
    source_id = source_ids[0] if source_ids else None
    known = latest_media(ws, source_id) if source_id is not None else {}
    return Item(input=url, status=Status.FAILED, error=failure.message, source_url=url,
                availability=failure.availability, source_id=source_id, **known)


def _download(ws: Workspace, url: str, info: dict[str, Any], opts: ArchiveOptions, work: Path,
              on_progress: Progress | None) -> Item:
    original = url if info.get("original_url") == url else (info.get("webpage_url") or url)
    src = source_record(info, original)
    title = info.get("title")
    if (info.get("is_live") or info.get("live_status") in {"is_live", "is_upcoming"}) and not opts.live:
        return Item(input=url, status=Status.SKIPPED, source_url=original, title=title,
                    error="live stream not recorded; add --live to record it")
    expected = expected_size(info)
    if expected and expected > opts.max_filesize:
        return _failed(ws, original, Failure(Availability.OK, f"larger than the size limit "
                       f"({human_size(expected)} > {human_size(opts.max_filesize)}); not downloaded"), kind="archive")

    def hook(d: dict[str, Any]) -> None:
        total = d.get("total_bytes") or d.get("total_bytes_estimate")
        done = d.get("downloaded_bytes") or 0
        biggest = max(done, total or 0)
        if biggest > opts.max_filesize:
            raise FileTooLarge(f"larger than the size limit ({human_size(biggest)} > "
                               f"{human_size(opts.max_filesize)}); download stopped")
        if on_progress:
            on_progress(url, done, total)

    snapshot = YoutubeDL.sanitize_info(info)  # metadata as seen before download, no local paths
    ydl = YDL(ydl_params(work, opts, [hook]))
    try:
        info = ydl.process_ie_result(info, download=True) or info
    except (YoutubeDLError, OSError, FileTooLarge) as exc:
        return _failed(ws, original, classify(exc, opts.socket_timeout), kind="archive", key=src.key)
    path = _downloaded_file(info, work)
    if path is None:
        return _failed(ws, original, Failure(Availability.ERROR, "the download produced no file"),
                       kind="archive", key=src.key)
    if path.stat().st_size > opts.max_filesize:
        return _failed(ws, original, Failure(Availability.OK, f"larger than the size limit "
                       f"({human_size(path.stat().st_size)})"), kind="archive", key=src.key)

    created: list[Stored] = []  # what this call put in the store, taken back if no row is made
    try:
        info_json = ws.store.put_bytes(json_bytes(snapshot), "json")
        created.append(info_json)
        check_snapshot = ws.store.put_bytes(json_bytes(descriptive(snapshot)), "json")
        created.append(check_snapshot)
        acq = AcquisitionRecord(
            method=Method.YTDLP, acquired_by=ws.settings.user, tool_versions=tool_versions(),
            options=opts.record(), http_status=ydl.statuses[-1] if ydl.statuses else None,
            info_json=info_json, check_snapshot=check_snapshot, attachments=_attachments(ws, info, created))
        _, stored, rec = ingest(ws, path, acq, src, copy=False)  # takes back its own writes on failure
    except ProbeError as exc:
        return _failed(ws, original, Failure(Availability.OK, f"downloaded file is not a usable video: {exc}"),
                       kind="archive", key=src.key)
    except (OSError, SQLAlchemyError) as exc:  # the platform gave the video; we could not keep it
        _release(ws, created)
        return _failed_quietly(ws, original, Failure(Availability.OK, _storage_problem(exc)), key=src.key)
    status = Status.STORED if stored.created else Status.EXISTS
    note = None if rec.new_acquisition else "unchanged since it was last archived; new check recorded"
    return Item(input=url, status=status, id=rec.media_id, sha256=stored.sha256, source_url=original,
                path=stored.rel_path, availability=Availability.OK, source_id=rec.source_id,
                title=title, error=note)


def _downloaded_file(info: dict[str, Any], work: Path) -> Path | None:
    candidates = [d.get("filepath") for d in info.get("requested_downloads") or []]
    candidates += [info.get("filepath"), info.get("_filename")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and Path(candidate).resolve().is_relative_to(work.resolve()):
            return Path(candidate)
    return None


def _storage_problem(exc: OSError | SQLAlchemyError) -> str:
    """One line naming what went wrong keeping a downloaded video (disk, permissions, catalogue)."""
    if isinstance(exc, SQLAlchemyError):
        cause = getattr(exc, "orig", None) or exc
        detail = clean_message(str(cause)) or type(cause).__name__
        return f"downloaded, but could not record it in the catalogue: {detail}"
    what = exc.strerror or clean_message(str(exc)) or type(exc).__name__
    code = f" (errno {exc.errno})" if exc.errno else ""
    where = f": {exc.filename}" if exc.filename else ""
    return f"downloaded, but could not store it: {what}{code}{where}"


def _release(ws: Workspace, created: list[Stored]) -> None:
    """Take back store writes no row refers to; if the catalogue cannot be asked, keep them."""
    for blob in created:
        with contextlib.suppress(OSError, SQLAlchemyError):  # a stray blob is harmless; a lost one is not
            release_if_unreferenced(ws, blob)


def _failed_quietly(ws: Workspace, url: str, failure: Failure, *, key: str) -> Item:
    """``_failed`` for a local problem: if the catalogue cannot even be read, report without it."""
    try:
        return _failed(ws, url, failure, kind="archive", key=key)
    except SQLAlchemyError:
        return Item(input=url, status=Status.FAILED, error=failure.message, source_url=url,
                    availability=failure.availability)


def _attachments(ws: Workspace, info: dict[str, Any], created: list[Stored] | None = None) -> list[AttachmentRecord]:
    """Store the thumbnails and subtitle tracks yt-dlp wrote next to the video; each blob is
    also added to ``created`` as soon as it is stored, so a later failure can take it back."""
    found = [("thumbnail", t.get("id"), t.get("filepath")) for t in info.get("thumbnails") or []]
    found += [("subtitle", lang, s.get("filepath"))
              for lang, s in (info.get("requested_subtitles") or {}).items()]
    records = []
    for kind, label, filepath in found:
        if filepath and Path(filepath).is_file():
            ext = clean_ext(Path(filepath).suffix)
            stored = ws.store.put_file(Path(filepath), ext, kind="blobs")
            if created is not None:
                created.append(stored)
            records.append(AttachmentRecord(kind, str(label) if label is not None else None, stored, ext))
    return records
