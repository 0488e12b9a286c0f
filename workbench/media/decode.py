"""Stream a video's frames once with PyAV, cheaply: a tiny luma/chroma thumbnail of every frame
for shot detection, and a small RGB image only for the frames that get hashed or kept.

Every frame is decoded (the practical floor for sampling at 1 fps), but per-frame Python work
is a strided view of the decoder's own planes (no colour conversion, no copy); swscale runs
only on the few frames that are hashed. ``fast=True`` decodes key frames only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from PIL import Image

# Shot detection looks at frames about this many pixels wide (luma), like PySceneDetect's downscale.
DETECT_WIDTH = 96


class DecodeError(ValueError):
    """The file cannot be decoded as video; the message says why in a few words."""


@dataclass
class Frame:
    """One decoded frame: its time, number, a small signature for cut detection, and the frame."""

    index: int  # frame number from 0 (estimated from time and rate when only key frames are decoded)
    t: float  # presentation time in seconds from the stream start
    signature: tuple[np.ndarray, ...]  # small uint8 copies of the planes, for content comparison
    frame: av.VideoFrame
    rotation: int

    def image(self, width: int, mode: str = "RGB") -> Image.Image:
        """The frame ``width`` pixels wide, as displayed (rotation applied), in RGB or gray ("L")."""
        src_w, src_h = self.frame.width, self.frame.height
        height = max(2, round(src_h * width / src_w))
        fmt = "gray" if mode == "L" else "rgb24"
        img = self.frame.reformat(width=width, height=height, format=fmt, interpolation="AREA").to_image()
        if self.rotation:  # display matrix: counter-clockwise degrees
            img = img.rotate(self.rotation, expand=True)
        return img


def _plane(plane: av.video.plane.VideoPlane, width: int, height: int) -> np.ndarray:
    """A numpy view of a plane without its line padding."""
    buf = np.frombuffer(plane, dtype=np.uint8)
    return buf.reshape(-1, plane.line_size)[:height, :width]


_PLANAR = frozenset({"yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p", "yuvj444p"})


def _signature(frame: av.VideoFrame) -> tuple[np.ndarray, ...]:
    """Y, U and V at about ``DETECT_WIDTH`` px wide, strided from the decoder's planes (no conversion)."""
    w, h = frame.width, frame.height
    step = max(1, w // DETECT_WIDTH)
    if frame.format.name in _PLANAR:
        planes = frame.planes
        cw, ch = planes[1].width, planes[1].height
        cx, cy = max(1, step * cw // w), max(1, step * ch // h)
        return (_plane(planes[0], w, h)[::step, ::step].copy(),
                _plane(planes[1], cw, ch)[::cy, ::cx].copy(),
                _plane(planes[2], cw, ch)[::cy, ::cx].copy())
    # other pixel formats (rgb24 Cinepak, 10-bit, NV12, paletted): convert a small copy
    small = frame.reformat(width=max(2, w // step), height=max(2, h // step), format="yuv444p")
    return tuple(np.ascontiguousarray(p) for p in small.to_ndarray())


def video_stream(container: av.container.InputContainer) -> av.video.stream.VideoStream | None:
    """The first real video stream: cover art in an audio file (an attached picture) is not video."""
    return next((v for v in container.streams.video if not v.disposition & av.stream.Disposition.attached_pic),
                None)


def open_video(path: Path) -> tuple[av.container.InputContainer, av.video.stream.VideoStream]:
    """Open a media file that has a video stream (close the container after use).

    Raises:
        DecodeError: not a media file FFmpeg can read, or no video stream in it.
    """
    try:
        container = av.open(str(path))
    except av.FFmpegError as exc:
        raise DecodeError(f"not a video file ({exc.strerror or exc})") from None
    stream = video_stream(container)
    if stream is None:
        container.close()
        raise DecodeError("no video stream (audio-only or not a video)")
    return container, stream


@dataclass
class DecodeReport:
    """What a decode pass could not read: set when it stopped early on corrupt data."""

    error: str | None = None
    stopped_at: float | None = None  # seconds


def frames(path: Path, *, fast: bool = False, report: DecodeReport | None = None) -> Iterator[Frame]:
    """Yield every decoded frame of the first video stream (key frames only when ``fast``).

    Times run on: a timestamp that jumps backwards (a stream joined from pieces) continues from
    the last time instead. With ``fast``, frame numbers are estimated from time and frame rate.

    Raises:
        DecodeError: not a video, no video stream, or nothing decodable.
    """
    container, stream = open_video(path)
    with container:
        stream.thread_type = "AUTO"
        if fast:
            stream.codec_context.skip_frame = "NONKEY"
        rate = float(stream.average_rate or stream.guessed_rate or 0) or 25.0
        base = stream.start_time or 0
        tb = float(stream.time_base) if stream.time_base else 0.0
        index = 0
        last_t = -1.0 / rate
        offset = 0.0
        try:
            for frame in container.decode(stream):
                pts = frame.pts if frame.pts is not None else frame.dts
                t = (pts - base) * tb + offset if pts is not None and tb else last_t + 1 / rate
                if t < last_t - 0.5:  # timestamps restarted: carry on from where we were
                    offset += last_t + 1 / rate - t
                    t = last_t + 1 / rate
                t = max(t, last_t)  # small reorderings: never let time run backwards
                last_t = t
                number = round(t * rate) if fast else index
                yield Frame(number, t, _signature(frame), frame, int(frame.rotation or 0))
                index += 1
        except av.FFmpegError as exc:
            if index == 0:
                raise DecodeError(f"undecodable video ({exc.strerror or exc})") from None
            if report is not None:  # a corrupt tail: keep what decoded, say where it stopped
                report.error, report.stopped_at = f"corrupt video data ({exc.strerror or exc})", last_t
        if index == 0:
            raise DecodeError("no decodable video frame")


def still_at(path: Path, seconds: float, width: int = 480) -> Image.Image:
    """The frame shown at ``seconds`` (the last one starting at or before it), as RGB ``width`` wide.

    Seeks to the key frame before and decodes forward, so it costs at most one GOP.

    Raises:
        DecodeError: unreadable file, or no frame at or before that time.
    """
    container, stream = open_video(path)
    try:
        target = max(0.0, float(seconds))
        base = stream.start_time or 0
        container.seek(base + int(target / stream.time_base), stream=stream, backward=True)
        chosen = None
        for frame in container.decode(stream):
            if frame.pts is None:
                continue
            t = float((frame.pts - base) * stream.time_base)  # from the stream's start, as keyframes count
            if t > target + 1e-3 and chosen is not None:
                break
            chosen = frame
        if chosen is None:
            raise DecodeError(f"no frame at {target:.2f} s")
        img = chosen.to_image()
        if img.width > width:
            img = img.resize((width, max(1, round(img.height * width / img.width))), Image.BILINEAR)
        return img
    except av.FFmpegError as exc:
        raise DecodeError(f"cannot decode at {seconds:.2f} s ({exc.strerror or exc})") from None
    finally:
        container.close()


def frames_between(path: Path, start: float, end: float) -> Iterator[Frame]:
    """Yield the decoded frames with ``start <= t <= end`` (seconds), seeking to the key frame before.

    Times are ``(pts - stream start) * time base`` as in ``frames``; a stream whose timestamps
    restart part-way (which ``frames`` stitches together) is timed from its own stamps here.
    ``signature`` is left empty (no cut detection) and ``index`` is estimated from the frame rate.

    Raises:
        DecodeError: not a video, or no video stream.
    """
    container, stream = open_video(path)
    with container:
        stream.thread_type = "AUTO"
        rate = float(stream.average_rate or stream.guessed_rate or 0) or 25.0
        base = stream.start_time or 0
        tb = float(stream.time_base) if stream.time_base else 0.0
        try:
            if tb and start > 0:
                container.seek(base + int(max(0.0, start - 0.5) / tb), stream=stream, backward=True)
            for frame in container.decode(stream):
                pts = frame.pts if frame.pts is not None else frame.dts
                if pts is None or not tb:
                    continue
                t = (pts - base) * tb
                if t > end:
                    break
                if t >= start:
                    yield Frame(round(t * rate), t, (), frame, int(frame.rotation or 0))
        except av.FFmpegError:
            return  # a corrupt stretch: what decoded is all there is
