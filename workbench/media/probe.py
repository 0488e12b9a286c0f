"""Probe a video file ourselves with PyAV: container, codec, size, rate, duration, frames.

yt-dlp leaves width, height and size empty for plain files, and a download can be a text
page or a truncated file with a .mp4 name, so every file is probed before it is catalogued.
Probing demuxes every packet (no decoding) to count frames exactly and to notice files that
end before their index says they should, and decodes the first frame to prove the stream is
readable.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import av

from workbench.media.decode import DecodeError, open_video


class ProbeError(ValueError):
    """The file is not a readable video; the message says why in a few words."""


@dataclass(frozen=True)
class Probe:
    container: str
    codec: str
    width: int
    height: int
    fps: float | None
    duration: float | None
    frame_count: int
    rotation: int
    audio_codec: str | None
    ext: str  # the extension this container should carry

    def as_dict(self) -> dict:
        return asdict(self)


# FFmpeg opens text files as "video" (its tty demuxer renders ANSI art) and still images as
# one-frame videos; neither is footage.
_TEXT_FORMATS = frozenset({"tty", "bin", "xbin", "adf", "idf"})
_TEXT_CODECS = frozenset({"ansi", "bintext", "xbin", "idf"})
_IMAGE_FORMATS = frozenset({"image2", "gif", "apng", "webp_pipe", "png_pipe", "jpeg_pipe"})

# The first name of FFmpeg's demuxer, mapped to the extension we store under.
_EXT = {"mov": "mp4", "matroska": "mkv", "webm": "webm", "avi": "avi", "mpegts": "ts",
        "flv": "flv", "mpeg": "mpg", "asf": "wmv", "ogg": "ogv", "3gp": "3gp"}


def _ext_for(format_name: str, path: Path) -> str:
    first = format_name.split(",")[0]
    if first == "matroska" and path.suffix.lower() == ".webm":
        return "webm"
    if first == "mov" and path.suffix.lower() in {".mov", ".m4v", ".3gp"}:
        return path.suffix.lower().lstrip(".")
    return _EXT.get(first, first)


def probe(path: Path) -> Probe:
    """Read a video's technical metadata.

    Raises:
        ProbeError: empty file, not a media file, no video stream, truncated, or undecodable.
    """
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise ProbeError("zero-byte file")
    try:
        container, stream = open_video(path)
    except DecodeError as exc:
        raise ProbeError(str(exc)) from None
    with container:
        fmt = container.format.name
        if fmt in _TEXT_FORMATS or stream.codec_context.name in _TEXT_CODECS:
            raise ProbeError("not a video file (it is text)")
        if fmt in _IMAGE_FORMATS or fmt.endswith("_pipe"):
            raise ProbeError(f"not a video file (a still image, {stream.codec_context.name})")
        audio = container.streams.audio[0].codec_context.name if container.streams.audio else None
        # MP4/MOV headers count the real samples; AVI's count is duration x rate, not frames.
        declared = stream.frames if container.format.name.startswith("mov") else 0
        try:
            counted = sum(1 for packet in container.demux(stream) if packet.size)
        except av.FFmpegError as exc:
            raise ProbeError(f"corrupt video data ({exc.strerror or exc})") from None
        if counted == 0:
            raise ProbeError("no video frames")
        # Every stream's index: a download cut inside the trailing audio is truncated too.
        indexed_end = max((e.pos + e.size for s in container.streams for e in s.index_entries), default=0)
        if indexed_end > size:
            raise ProbeError(f"truncated: the file ends at byte {size} but its index reaches byte {indexed_end}")
        if declared and counted < declared:
            raise ProbeError(f"truncated: {counted} of {declared} frames present")
        duration = _duration(container, stream)
        rate = stream.average_rate or stream.guessed_rate
    rotation = _first_frame_rotation(path)
    return Probe(
        container=fmt, codec=stream.codec_context.name, width=stream.codec_context.width,
        height=stream.codec_context.height, fps=round(float(rate), 6) if rate else None,
        duration=duration, frame_count=counted, rotation=rotation, audio_codec=audio,
        ext=_ext_for(fmt, path),
    )


def _duration(container: av.container.InputContainer, stream: av.video.stream.VideoStream) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return round(float(stream.duration * stream.time_base), 6)
    if container.duration is not None:
        return round(container.duration / av.time_base, 6)
    return None


def _first_frame_rotation(path: Path) -> int:
    """Decode the first frame (proves the stream decodes) and return its display rotation."""
    try:
        container, stream = open_video(path)
        with container:
            for frame in container.decode(stream):
                return int(frame.rotation or 0)
    except (av.FFmpegError, DecodeError) as exc:
        raise ProbeError(f"undecodable video ({getattr(exc, 'strerror', None) or exc})") from None
    raise ProbeError("no decodable video frame")
