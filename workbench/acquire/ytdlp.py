"""yt-dlp, set up the way the archive needs it: options, error classification, metadata.

Shared by ``archive`` (download) and ``recheck`` (metadata only). yt-dlp's messages are
collected, never printed (stdout belongs to the command's own output), the HTTP status of each
response is remembered for the acquisition record, and its exceptions are turned into an
availability (ok / unavailable / deleted / private / geo-blocked / error) and a one-line message.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import imageio_ffmpeg
from yt_dlp import YoutubeDL
from yt_dlp.networking.exceptions import HTTPError, TransportError
from yt_dlp.utils import ContentTooShortError, GeoRestrictedError, UnsupportedError

from workbench.catalogue import (
    SourceRecord,
)
from workbench.db import Availability
from workbench.settings import Settings


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


class YDL(YoutubeDL):
    """YoutubeDL that remembers the HTTP status of each response it opens."""

    def __init__(self, params: dict[str, Any]) -> None:
        super().__init__(params)
        self.statuses: list[int] = []

    def urlopen(self, req):  # noqa: ANN001, ANN201
        response = super().urlopen(req)
        if getattr(response, "status", None):
            self.statuses.append(response.status)
        return response


def ydl_params(work: Path, opts: ArchiveOptions, hooks: list[Callable[[dict], None]]) -> dict[str, Any]:
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


def clean_message(message: str) -> str:
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
        return Failure(Availability.GEO_BLOCKED, clean_message(str(exc)))
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
    partial = re.search(r"(\d+) bytes read, (\d+) more expected", text)  # http.client.IncompleteRead's words
    if partial:
        got, more = int(partial[1]), int(partial[2])
        return Failure(Availability.ERROR, f"connection cut mid-download (got {got} of {got + more} bytes)")
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
        return Failure(Availability.ERROR, f"network error: {clean_message(str(exc))}")
    for availability, words in _WORDS:
        if any(w in text for w in words):
            return Failure(availability, clean_message(str(exc)))
    return Failure(Availability.ERROR, clean_message(str(exc)))


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


def json_bytes(info: dict[str, Any]) -> bytes:
    return json.dumps(info, ensure_ascii=False, sort_keys=True, indent=1, default=str).encode()


# What changes on every request (signed format URLs, counters) is left out of check snapshots.
_VOLATILE = {"formats", "requested_formats", "thumbnails", "automatic_captions", "subtitles",
             "http_headers", "epoch", "view_count", "like_count", "comment_count", "_version",
             "requested_subtitles", "url", "manifest_url", "fragments"}


def descriptive(info: dict[str, Any]) -> dict[str, Any]:
    """What the platform says about a video, without what changes on every request."""
    return {k: v for k, v in info.items() if k not in _VOLATILE}


def expected_size(info: dict[str, Any]) -> int | None:
    parts = info.get("requested_formats") or [info]
    sizes = [p.get("filesize") or p.get("filesize_approx") for p in parts]
    return int(sum(sizes)) if sizes and all(sizes) else None


def human_size(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)
