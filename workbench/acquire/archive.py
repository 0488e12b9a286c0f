"""Archive web videos with yt-dlp's Python API, in two phases, and recheck them later.

Phase one asks the platform for metadata only: a deleted, private or geo-blocked video is
found out here and recorded on a known source, live streams are skipped unless asked for,
playlists are refused unless asked for, and files known to be too large are refused before a
byte is fetched. Phase two downloads the chosen formats into the store's work area (merged to
mp4 with the ffmpeg binary that imageio-ffmpeg ships), and the file is probed, hashed, stored
and recorded by ``ingest``. File names come from hashes only: titles never reach the disk.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import imageio_ffmpeg
from sqlalchemy.exc import SQLAlchemyError
from yt_dlp import YoutubeDL
from yt_dlp.networking import Request
from yt_dlp.networking.exceptions import HTTPError, TransportError
from yt_dlp.utils import ContentTooShortError, GeoRestrictedError, UnsupportedError, YoutubeDLError

from workbench.acquire.ingest import ingest, tool_versions
from workbench.acquire.links import check_url
from workbench.catalogue import (
    AcquisitionRecord,
    AttachmentRecord,
    SourceRecord,
    known_source_ids,
    latest_media,
    record_check,
    release_if_unreferenced,
    source_identity,
)
from workbench.db import Availability, Method
from workbench.media.probe import ProbeError
from workbench.report import Item, Status
from workbench.settings import Settings
from workbench.store import Stored, clean_ext
from workbench.workspace import Workspace

Progress = Callable[[str, int, int | None], None]  # (input, bytes so far, total or None)


@dataclass(frozen=True)
class ArchiveOptions:
    """How an archive run fetches; recorded with each acquisition (secrets masked)."""

    max_filesize: int = 2 << 30
    retries: int = 3
    socket_timeout: float = 30.0
    rate_limit: int | None = None  # bytes per second
    cookies: Path | None = None
    proxy: str | None = None
    live: bool = False
    playlist: bool = False

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> ArchiveOptions:
        base = {"max_filesize": settings.max_filesize, "retries": settings.retries,
                "socket_timeout": settings.socket_timeout}
        base.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**base)

    def record(self) -> dict[str, Any]:
        data = asdict(self)
        data["cookies"] = "(cookies file given)" if self.cookies else None
        data["proxy"] = _mask_password(self.proxy) if self.proxy else None
        return data


def _mask_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


class FileTooLarge(Exception):
    """Raised from the progress hook to stop a download that passed the size limit."""


class _Log:
    """Collects yt-dlp's messages instead of printing them (stdout stays for our output)."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def debug(self, msg: str) -> None:
        pass

    info = debug

    def warning(self, msg: str) -> None:
        self.messages.append(msg)

    error = warning


class _YDL(YoutubeDL):
    """YoutubeDL that remembers the HTTP status of each response it opens."""

    def __init__(self, params: dict[str, Any]) -> None:
        super().__init__(params)
        self.statuses: list[int] = []

    def urlopen(self, req):  # noqa: ANN001, ANN201
        response = super().urlopen(req)
        if getattr(response, "status", None):
            self.statuses.append(response.status)
        return response


def _params(work: Path, opts: ArchiveOptions, hooks: list[Callable[[dict], None]]) -> dict[str, Any]:
    params = {
        "outtmpl": {"default": str(work / "media.%(ext)s")},  # never the title
        "paths": {"home": str(work), "temp": str(work)},
        "format": "bv*+ba/b",
        "merge_output_format": "mp4",
        "ffmpeg_location": imageio_ffmpeg.get_ffmpeg_exe(),
        "noplaylist": not opts.playlist,
        "extract_flat": False if opts.playlist else "in_playlist",
        "retries": opts.retries,
        "fragment_retries": opts.retries,
        "extractor_retries": opts.retries,
        "socket_timeout": opts.socket_timeout,
        "writethumbnail": True,
        "writesubtitles": True,
        "subtitleslangs": ["all"],
        "quiet": True,
        "noprogress": True,
        "no_color": True,
        "progress_hooks": hooks,
        "logger": _Log(),
    }
    if opts.rate_limit:
        params["ratelimit"] = opts.rate_limit
    if opts.cookies:
        params["cookiefile"] = str(opts.cookies)
    if opts.proxy:
        params["proxy"] = opts.proxy
    return params


@dataclass(frozen=True)
class Failure:
    availability: str
    message: str
    http_status: int | None = None


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop(0)
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        exc_info = getattr(e, "exc_info", None)
        todo += [getattr(e, "cause", None), e.__cause__, e.__context__,
                 exc_info[1] if isinstance(exc_info, tuple) and len(exc_info) > 1 else None]


def _clean(message: str) -> str:
    text = " ".join(str(message).split())
    for prefix in ("ERROR:", "WARNING:"):
        text = text.removeprefix(prefix).strip()
    if text.startswith("[") and "] " in text:
        text = text.split("] ", 1)[1]
    return text[:300]


_WORDS = (
    (Availability.PRIVATE, ("private video", "this video is private", "members-only", "login required",
                            "sign in to confirm your age")),
    (Availability.GEO_BLOCKED, ("not available in your country", "geo restrict", "geo-restrict",
                                "blocked it in your country")),
    (Availability.DELETED, ("has been removed", "been deleted", "account associated with this video has been "
                            "terminated", "no longer available", "does not exist", "video not found")),
    (Availability.UNAVAILABLE, ("video unavailable", "is unavailable", "not available")),
)


def classify(exc: BaseException, timeout: float | None = None) -> Failure:
    """Turn a yt-dlp exception into an availability and a clear one-line message."""
    chain = list(_causes(exc))
    if any(isinstance(e, FileTooLarge) for e in chain):
        return Failure(Availability.OK, str(next(e for e in chain if isinstance(e, FileTooLarge))))
    if any(isinstance(e, UnsupportedError) for e in chain):
        return Failure(Availability.ERROR, "no video found at this address (unsupported page)")
    if any(isinstance(e, GeoRestrictedError) for e in chain):
        return Failure(Availability.GEO_BLOCKED, _clean(str(exc)))
    http = next((e for e in chain if isinstance(e, HTTPError)), None)
    if http is not None:
        status, reason = http.status, http.reason or ""
        availability = {404: Availability.DELETED, 410: Availability.DELETED, 401: Availability.PRIVATE,
                        403: Availability.UNAVAILABLE, 451: Availability.GEO_BLOCKED}.get(
                            status, Availability.ERROR)
        return Failure(availability, f"HTTP {status} {reason}".strip(), status)
    too_short = next((e for e in chain if isinstance(e, ContentTooShortError)), None)
    if too_short is not None:
        return Failure(Availability.ERROR, f"connection cut mid-download (got {too_short.downloaded} of "
                                           f"{too_short.expected} bytes)")
    text = " ".join(str(e) for e in chain).lower()
    short = re.search(r"downloaded (\d+) bytes, expected (\d+) bytes", text)
    if short:
        return Failure(Availability.ERROR, f"connection cut mid-download (got {short[1]} of {short[2]} bytes)")
    if "did not get any data blocks" in text:
        return Failure(Availability.ERROR, "the server sent no data (a zero-byte file)")
    if "timed out" in text or "timeout" in text:
        after = f" after {timeout:g} s" if timeout else ""
        return Failure(Availability.ERROR, f"timed out{after} waiting for the server")
    if "connection refused" in text:
        return Failure(Availability.ERROR, "connection refused by the server")
    if "incompleteread" in text or "connection reset" in text:
        return Failure(Availability.ERROR, "connection cut mid-download")
    if any(isinstance(e, TransportError) for e in chain):
        return Failure(Availability.ERROR, f"network error: {_clean(str(exc))}")
    for availability, words in _WORDS:
        if any(w in text for w in words):
            return Failure(availability, _clean(str(exc)))
    return Failure(Availability.ERROR, _clean(str(exc)))


# -- metadata ----------------------------------------------------------------------------------

# Extractors whose ids are only page-local ("clip", "video-1"): their sources are keyed by URL.
URL_KEYED = frozenset({None, "Generic", "HTML5MediaEmbed"})

def source_record(info: dict[str, Any], original_url: str) -> SourceRecord:
    """The ``sources`` row for what yt-dlp extracted."""
    extractor = info.get("extractor_key") or info.get("extractor")
    platform_id = info.get("id")
    canonical = info.get("webpage_url") or original_url
    generic = extractor in URL_KEYED or not platform_id
    key = f"url:{canonical}" if generic else f"{extractor}:{platform_id}"
    if extractor == "HTML5MediaEmbed" and platform_id:
        key += f"#{platform_id}"  # one page can hold several <video> elements: one source each
    upload = info.get("upload_date")
    timestamp = info.get("timestamp")
    return SourceRecord(key=key, original_url=original_url, fields={
        "canonical_url": canonical, "extractor": extractor, "platform_id": platform_id,
        "uploader": info.get("uploader"), "uploader_id": info.get("uploader_id"),
        "channel": info.get("channel"), "channel_id": info.get("channel_id"),
        "title": info.get("title"), "description": info.get("description"),
        "upload_date": _parse_date(upload),
        "timestamp": datetime.fromtimestamp(timestamp, UTC) if isinstance(timestamp, int | float) else None,
        "duration": float(info["duration"]) if isinstance(info.get("duration"), int | float) else None,
    })


def _parse_date(value: Any) -> date | None:
    try:
        return datetime.strptime(str(value), "%Y%m%d").date() if value else None
    except ValueError:
        return None


def _json_bytes(info: dict[str, Any]) -> bytes:
    return json.dumps(info, ensure_ascii=False, sort_keys=True, indent=1, default=str).encode()


# What changes on every request (signed format URLs, counters) is left out of check snapshots.
_VOLATILE = {"formats", "requested_formats", "thumbnails", "automatic_captions", "subtitles",
             "http_headers", "epoch", "view_count", "like_count", "comment_count", "_version",
             "requested_subtitles", "url", "manifest_url", "fragments"}


def _descriptive(info: dict[str, Any]) -> dict[str, Any]:
    """What the platform says about a video, without what changes on every request."""
    return {k: v for k, v in info.items() if k not in _VOLATILE}


def _expected_size(info: dict[str, Any]) -> int | None:
    parts = info.get("requested_formats") or [info]
    sizes = [p.get("filesize") or p.get("filesize_approx") for p in parts]
    return int(sum(sizes)) if sizes and all(sizes) else None


def _size(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


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
        ydl = _YDL(_params(work, opts, []))
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
    expected = _expected_size(info)
    if expected and expected > opts.max_filesize:
        return _failed(ws, original, Failure(Availability.OK, f"larger than the size limit "
                       f"({_size(expected)} > {_size(opts.max_filesize)}); not downloaded"), kind="archive")

    def hook(d: dict[str, Any]) -> None:
        total = d.get("total_bytes") or d.get("total_bytes_estimate")
        done = d.get("downloaded_bytes") or 0
        biggest = max(done, total or 0)
        if biggest > opts.max_filesize:
            raise FileTooLarge(f"larger than the size limit ({_size(biggest)} > "
                               f"{_size(opts.max_filesize)}); download stopped")
        if on_progress:
            on_progress(url, done, total)

    snapshot = YoutubeDL.sanitize_info(info)  # metadata as seen before download, no local paths
    ydl = _YDL(_params(work, opts, [hook]))
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
                       f"({_size(path.stat().st_size)})"), kind="archive", key=src.key)

    created: list[Stored] = []  # what this call put in the store, taken back if no row is made
    try:
        info_json = ws.store.put_bytes(_json_bytes(snapshot), "json")
        created.append(info_json)
        check_snapshot = ws.store.put_bytes(_json_bytes(_descriptive(snapshot)), "json")
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
        return f"downloaded, but could not record it in the catalogue: {_clean(str(cause)) or type(cause).__name__}"
    what = exc.strerror or _clean(str(exc)) or type(exc).__name__
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


# -- recheck -----------------------------------------------------------------------------------

# What a recheck may refresh on a source: what the platform says about the video. What the
# source *is* (extractor, platform id, canonical URL) was fixed when it was archived.
_RECHECK_FIELDS = ("title", "description", "uploader", "uploader_id", "channel", "channel_id",
                   "upload_date", "timestamp", "duration")


def recheck(ws: Workspace, sources: Iterable[tuple[int, str, dict[str, Any]]],
            opts: ArchiveOptions | None = None, on_item: Callable[[Item], None] | None = None) -> list[Item]:
    """Ask the platform about each known source again, metadata only, and record what it says.

    A page is matched to the video the source was archived as (by its key), and for sources
    known only by URL (a plain page, a <video> tag) the video file itself is asked for one byte:
    the page can stay up after the file is deleted.

    Args:
        sources: ``(source_id, url, item fields)`` triples, from ``catalogue.sources_to_check``.
    """
    opts = opts or ArchiveOptions.from_settings(ws.settings)
    items = []
    for source_id, url, fields in sources:
        items.append(_recheck_one(ws, source_id, url, opts, fields))
        if on_item:
            on_item(items[-1])
    return items


def _recheck_one(ws: Workspace, source_id: int, url: str, opts: ArchiveOptions,
                 fields: dict[str, Any]) -> Item:
    key, extractor = source_identity(ws, source_id) or (None, None)
    with ws.store.workdir() as work:
        params = _params(work, opts, [])
        params.update(skip_download=True, ignore_no_formats_error=True, writethumbnail=False,
                      writesubtitles=False, extract_flat="in_playlist")
        ydl = _YDL(params)
        failure: Failure | None = None
        try:
            info = ydl.extract_info(url, download=False)
            entry = _matching_entry(ydl, info, url, key, extractor)
            if entry is None:
                failure = Failure(Availability.DELETED, "no longer on the page")
            elif extractor in URL_KEYED or (entry.get("extractor_key") or entry.get("extractor")) in URL_KEYED:
                failure = _probe_media(ydl, entry, opts)
        except (YoutubeDLError, OSError) as exc:
            failure = classify(exc, opts.socket_timeout)
    if failure is not None:
        record_check(ws, source_id, availability=failure.availability, message=failure.message,
                     http_status=failure.http_status, kind="recheck", by=ws.settings.user)
        status = Status.FAILED if failure.availability == Availability.ERROR else Status.CHECKED
        return Item(input=url, status=status, source_url=url, source_id=source_id,
                    availability=failure.availability, error=failure.message, **fields)
    blob = ws.store.put_bytes(_json_bytes(_descriptive(YoutubeDL.sanitize_info(entry))), "json")
    seen = source_record(entry, url).fields
    try:
        record_check(ws, source_id, availability=Availability.OK, message=None, http_status=None,
                     kind="recheck", by=ws.settings.user, info_json=blob,
                     fields={k: seen.get(k) for k in _RECHECK_FIELDS})
    except BaseException:
        _release(ws, [blob])
        raise
    return Item(input=url, status=Status.CHECKED, source_url=url, source_id=source_id,
                availability=Availability.OK, **fields)


def _entry_key(entry: dict[str, Any], url: str) -> str:
    """The source key a (possibly unresolved, flat) playlist entry would be archived under."""
    if entry.get("_type") in {"url", "url_transparent"}:
        entry = {**entry, "extractor_key": entry.get("extractor_key") or entry.get("ie_key"),
                 "webpage_url": entry.get("webpage_url") or entry.get("url")}
    return source_record(entry, url).key


def _matching_entry(ydl: YoutubeDL, info: dict[str, Any], url: str, key: str | None,
                    extractor: str | None) -> dict[str, Any] | None:
    """The video in what the platform answered that the source was archived as, or None.

    A playlist (a page with several videos) must hold an entry with the source's key. A single
    video is taken as the source unless the source is one <video> of a page (its page-local id
    then names another one: the page lost videos).
    """
    playlist = info.get("_type") == "playlist"
    entries = [e for e in info.get("entries") or [] if e] if playlist else [info]
    entry = next((e for e in entries if key is not None and _entry_key(e, url) == key), None)
    if entry is None and not playlist and (key is None or extractor != "HTML5MediaEmbed"):
        entry = info  # the same address, keyed a little differently now (a redirect, say)
    if entry is not None and entry.get("_type") in {"url", "url_transparent"}:
        entry = ydl.process_ie_result(entry, download=False) or entry  # resolve a flat entry
    return entry


def _media_urls(entry: dict[str, Any]) -> list[tuple[str, dict[str, str]]]:
    """The addresses the video's bytes come from (for HLS/DASH, the manifest), with headers."""
    found: dict[str, dict[str, str]] = {}
    for part in entry.get("requested_formats") or [entry]:
        protocol = str(part.get("protocol") or "")
        fragmented = protocol.startswith("m3u8") or "dash" in protocol
        address = (part.get("manifest_url") if fragmented else None) or part.get("url")
        if isinstance(address, str) and address.startswith(("http://", "https://")):
            found.setdefault(address, dict(part.get("http_headers") or entry.get("http_headers") or {}))
    return list(found.items())


def _probe_media(ydl: YoutubeDL, entry: dict[str, Any], opts: ArchiveOptions) -> Failure | None:
    """Ask for the first byte of each media address; the failure of the first one that fails."""
    for address, headers in _media_urls(entry):
        try:
            ydl.urlopen(Request(address, headers={**headers, "Range": "bytes=0-0"})).close()
        except HTTPError as exc:
            exc.close()
            if exc.status == 416:  # no first byte (an empty file), but the file is there
                continue
            failure = classify(exc, opts.socket_timeout)
            return replace(failure, message=f"video file: {failure.message}")
    return None
