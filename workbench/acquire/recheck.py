"""Recheck archived sources: is each preserved video still online? Metadata only.

A page is asked for its videos again; the one with this source's key is the one checked, and
a video embedded in a page (og:video, <video>) is probed itself with a 1-byte request, since a
page can stay up after its video file is gone. Only descriptive fields are refreshed; a
source's identity (extractor, platform id, canonical URL) never changes on a recheck.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from yt_dlp import YoutubeDL
from yt_dlp.networking import Request
from yt_dlp.networking.exceptions import HTTPError
from yt_dlp.utils import YoutubeDLError

from workbench.acquire.ytdlp import (
    URL_KEYED,
    YDL,
    ArchiveOptions,
    Failure,
    classify,
    descriptive,
    json_bytes,
    source_record,
    ydl_params,
)
from workbench.catalogue import record_check, release_if_unreferenced, source_identity, sources_to_check
from workbench.db import Availability
from workbench.report import Item, Status
from workbench.workspace import Workspace

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


def recheck_videos(ws: Workspace, refs: list[str], every: bool, opts: ArchiveOptions | None = None,
                   on_item: Callable[[Item], None] | None = None) -> list[Item]:
    """Recheck the sources of the videos named (ids or SHA-256 prefixes), or of every video.

    A ref that names no video is a failed item; the others go on.
    """
    sources, missing = sources_to_check(ws, refs, every)
    items = [Item(input=ref, status=Status.FAILED, error="no video with this id or hash") for ref in missing]
    for item in items:
        if on_item:
            on_item(item)
    return items + recheck(ws, sources, opts, on_item=on_item)


def _recheck_one(ws: Workspace, source_id: int, url: str, opts: ArchiveOptions,
                 fields: dict[str, Any]) -> Item:
    key, extractor = source_identity(ws, source_id) or (None, None)
    with ws.store.workdir() as work:
        params = ydl_params(work, opts, [])
        params.update(skip_download=True, ignore_no_formats_error=True, writethumbnail=False,
                      writesubtitles=False, extract_flat="in_playlist")
        ydl = YDL(params)
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
    blob = ws.store.put_bytes(json_bytes(descriptive(YoutubeDL.sanitize_info(entry))), "json")
    seen = source_record(entry, url).fields
    try:
        record_check(ws, source_id, availability=Availability.OK, message=None, http_status=None,
                     kind="recheck", by=ws.settings.user, info_json=blob,
                     fields={k: seen.get(k) for k in _RECHECK_FIELDS})
    except BaseException:
        with contextlib.suppress(OSError, SQLAlchemyError):  # a stray blob is harmless
            release_if_unreferenced(ws, blob)
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
