"""One decode pass per video: shot cuts, one keyframe per shot, 1-fps sample frames, a contact sheet.

Cuts are found as PySceneDetect's content and adaptive detectors find them, on the ~96-px
planes of the same pass: a frame whose mean absolute Y/U/V difference from the previous frame
is at least ``CUT_SCORE`` *and* at least ``CUT_RATIO`` times the average of the frames just
before it starts a new shot (shots shorter than ``MIN_SHOT`` seconds are merged). The values
come from the real footage (``bench/thresholds.py``, docs/thresholds.md): on 0-255 levels, the
cuts in bikes.mp4 score 18-27 at 3.5-15x their neighbours; fast handheld motion, a hand across
the lens and pans stay at or below 8 at under 1.6x.

Only the frames that are kept are converted: one per second (configurable) to a 256-px luma
image for matching (every hash is computed on luma), one per shot to a 320-px RGB keyframe
(JPEG), and a few thumbnails for the contact sheet; memory stays flat however long the video is.
"""

from __future__ import annotations

import io
import math
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw

from workbench.media.decode import DecodeReport, Frame, frames
from workbench.media.hashing import FrameHashes, box_fractions, crop_from_fractions, find_borders, hash_image

CUT_SCORE = 12.0
CUT_RATIO = 2.0
CUT_WINDOW = 4  # frames averaged before a candidate cut
MIN_SHOT = 0.6  # seconds (PySceneDetect: 15 frames at 25 fps)
KEYFRAME_DELAY = 0.3  # seconds into a shot: past the cut's blur and compression burst
HASH_WIDTH = 256  # hashes of 256-px frames match full-size ones within a bit or two, 10x cheaper
KEYFRAME_WIDTH = 320
BORDER_WINDOW = 2  # kept frames on each side whose borders bound a frame's crop
SHEET_TILES = 16
SHEET_TILE_WIDTH = 240
SHEET_COLUMNS = 4


@dataclass
class FrameRecord:
    """A kept frame: where it is, its hashes, and (for keyframes) its image as JPEG bytes."""

    kind: str  # "sample" | "keyframe"
    t_ms: int
    frame_number: int
    shot: int
    hashes: FrameHashes
    crop_scale: float  # from the hashed image's pixels to the video's
    jpeg: bytes | None = None


@dataclass
class Analysis:
    samples: list[FrameRecord] = field(default_factory=list)
    keyframes: list[FrameRecord] = field(default_factory=list)
    shots: list[tuple[float, float]] = field(default_factory=list)  # (start, end) seconds
    frames_decoded: int = 0
    duration: float = 0.0
    contact_sheet: bytes | None = None
    decode_error: str | None = None  # set when decoding stopped early on corrupt data


def content_score(sig: tuple[np.ndarray, ...], prev: tuple[np.ndarray, ...]) -> float | None:
    """Mean absolute difference over all Y, U and V samples of two frames, on 0-255 levels
    (None when the frames' sizes differ, e.g. at a resolution change)."""
    if any(a.shape != b.shape for a, b in zip(sig, prev, strict=True)):
        return None
    total = sum(int(np.abs(np.subtract(a, b, dtype=np.int16)).sum()) for a, b in zip(sig, prev, strict=True))
    return total / sum(a.size for a in sig)


class _CutDetector:
    """Content + adaptive cut detection over a stream of frame signatures."""

    def __init__(self) -> None:
        self.prev: tuple[np.ndarray, ...] | None = None
        self.recent: deque[float] = deque(maxlen=CUT_WINDOW)
        self.last_cut = 0.0

    def is_cut(self, f: Frame) -> bool:
        sig, prev = f.signature, self.prev
        self.prev = sig
        if prev is None:
            return False
        score = content_score(sig, prev)
        if score is None:  # the picture changed size (a stream joined from pieces): a cut
            self.recent.clear()
            self.last_cut = f.t
            return True
        base = sum(self.recent) / len(self.recent) if self.recent else 0.0
        self.recent.append(score)
        if score >= CUT_SCORE and score >= CUT_RATIO * max(base, 1.0) and f.t - self.last_cut >= MIN_SHOT:
            self.last_cut = f.t
            return True
        return False


def _jpeg(img: Image.Image, quality: int = 85) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=quality, optimize=True)
    return buf.getvalue()


@dataclass
class _Kept:
    """A frame chosen for hashing, detached from the decoder (its image is already made)."""

    kind: str  # sample | keyframe
    t_ms: int
    frame_number: int
    shot: int
    scale: float  # image pixels -> video pixels
    img: Image.Image


class _Hasher:
    """Hashes kept frames in time order, each cropped by the borders of the frames around it.

    Bars last for the whole video or a long stretch of it; a dark or flat patch at one frame's
    edge does not. So each side's crop is the smallest found over a centred window of kept
    frames (``BORDER_WINDOW`` each side), which needs that many frames of look-ahead.

    The work runs on one worker thread, in order, while the main thread goes on decoding
    (Pillow and SciPy release the GIL for most of it).
    """

    def __init__(self, out: Analysis, threaded: bool = True) -> None:
        self.out = out
        self.window: deque[tuple[float, float, float, float]] = deque(maxlen=2 * BORDER_WINDOW + 1)
        self.queue: deque[_Kept] = deque()
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hasher") if threaded else None
        self.pending: deque[Future] = deque()

    def add(self, kept: _Kept) -> None:
        if self.pool is None:
            self._add(kept)
            return
        self.pending.append(self.pool.submit(self._add, kept))
        while self.pending and self.pending[0].done():
            self.pending.popleft().result()  # surface a worker's error early

    def flush(self) -> None:
        """Hash what is left and wait for the worker."""
        if self.pool is None:
            self._flush()
            return
        self.pending.append(self.pool.submit(self._flush))
        try:
            while self.pending:
                self.pending.popleft().result()
        finally:
            self.close()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def _add(self, kept: _Kept) -> None:
        img = kept.img
        gray = np.asarray(img if img.mode == "L" else img.convert("L"))
        self.window.append(box_fractions(find_borders(gray), img.width, img.height))
        self.queue.append(kept)
        if len(self.queue) > BORDER_WINDOW:
            self._hash(self.queue.popleft())

    def _flush(self) -> None:
        while self.queue:  # the window narrows to the frames that are left
            if len(self.window) > BORDER_WINDOW + len(self.queue):
                self.window.popleft()
            self._hash(self.queue.popleft())

    def _hash(self, k: _Kept) -> None:
        sides = tuple(min(side) for side in zip(*self.window, strict=True))
        hashes = hash_image(k.img, crop_from_fractions(sides, k.img.width, k.img.height))
        record = FrameRecord(k.kind, k.t_ms, k.frame_number, k.shot, hashes, k.scale,
                             _jpeg(k.img) if k.kind == "keyframe" else None)
        (self.out.keyframes if k.kind == "keyframe" else self.out.samples).append(record)


class _Sheet:
    """Picks the contact sheet's tiles: for each of ``SHEET_TILES`` evenly spaced times, the
    kept frame nearest to it. Frames come in time order, so a slot's best candidate is only
    turned into an image once the video has moved past the slot."""

    def __init__(self, duration: float | None) -> None:
        self.times = [duration * (i + 0.5) / SHEET_TILES for i in range(SHEET_TILES)] if duration else []
        self.tiles: dict[int, tuple[float, Image.Image]] = {}
        self.candidate: tuple[int, float, Callable[[], Image.Image]] | None = None

    def offer(self, t: float, make: Callable[[], Image.Image]) -> None:
        if not self.times:  # unknown duration: the first frames offered
            if len(self.tiles) < SHEET_TILES:
                self._keep(len(self.tiles), t, make)
            return
        slot = min(range(len(self.times)), key=lambda i: abs(self.times[i] - t))
        if self.candidate and self.candidate[0] != slot:
            self._keep(*self.candidate)
            self.candidate = None
        if self.candidate is None or abs(t - self.times[slot]) < abs(self.candidate[1] - self.times[slot]):
            self.candidate = (slot, t, make)

    def _keep(self, slot: int, t: float, make: Callable[[], Image.Image]) -> None:
        tile = make().copy()
        tile.thumbnail((SHEET_TILE_WIDTH, SHEET_TILE_WIDTH))
        self.tiles[slot] = (t, tile)

    def jpeg(self) -> bytes:
        if self.candidate:
            self._keep(*self.candidate)
            self.candidate = None
        return _jpeg(contact_sheet(sorted(self.tiles.values(), key=lambda x: x[0])), quality=80)


def analyze(path, *, sample_fps: float = 1.0, fast: bool = False, duration_hint: float | None = None) -> Analysis:
    """Decode a video once and return its samples, shots, keyframes and contact sheet.

    Args:
        sample_fps: sample frames per second kept for matching.
        fast: decode key frames only (triage): every decoded frame is a sample, and a new
            keyframe is kept where the picture changed.
        duration_hint: the video's duration, used to spread the contact sheet's thumbnails.

    Raises:
        DecodeError: the file cannot be decoded.
    """
    out = Analysis()
    detector = _CutDetector()
    hasher = _Hasher(out)
    sheet = _Sheet(duration_hint)
    period = 1.0 / sample_fps
    next_sample = 0.0
    shot = -1
    pending: Frame | None = None  # the new shot's first frame, until its keyframe is taken

    def keep(kind: str, f: Frame, img: Image.Image) -> None:
        scale = (f.frame.height if f.rotation % 180 else f.frame.width) / img.width
        hasher.add(_Kept(kind, round(f.t * 1000), f.index, shot, scale, img))

    def take_keyframe(f: Frame) -> Image.Image:
        img = f.image(KEYFRAME_WIDTH)
        keep("keyframe", f, img)
        sheet.offer(f.t, lambda: img)
        return img

    report = DecodeReport()
    try:
        for f in frames(path, fast=fast, report=report):
            out.frames_decoded += 1
            out.duration = f.t
            cut = detector.is_cut(f) if shot >= 0 else True
            if cut:
                if pending is not None:  # the shot ended before its keyframe's delay: use its first frame
                    take_keyframe(pending)
                shot += 1
                out.shots.append((f.t, f.t))
                pending = f
            keyframe_img = None
            if pending is not None and (fast or f.t - pending.t >= KEYFRAME_DELAY):
                keyframe_img = take_keyframe(f)
                pending = None
            out.shots[-1] = (out.shots[-1][0], f.t)
            if fast or f.t + 1e-6 >= next_sample:
                # hashes need luma only; in fast mode a frame that is also a keyframe reuses that image
                sample = (keyframe_img.convert("L").resize(_size(keyframe_img, HASH_WIDTH), Image.Resampling.BOX)
                          if fast and keyframe_img is not None else f.image(HASH_WIDTH, mode="L"))
                keep("sample", f, sample)
                if keyframe_img is None:
                    sheet.offer(f.t, lambda f=f: f.image(SHEET_TILE_WIDTH))
                next_sample = (math.floor(f.t / period + 1e-6) + 1) * period
        if pending is not None:
            take_keyframe(pending)
        hasher.flush()
    finally:
        hasher.close()
    out.contact_sheet = sheet.jpeg()
    if report.error:
        out.decode_error = f"{report.error} at {report.stopped_at:.1f} s"
    return out


def _size(img: Image.Image, width: int) -> tuple[int, int]:
    return width, max(2, round(img.height * width / img.width))


def contact_sheet(tiles: list[tuple[float, Image.Image]]) -> Image.Image:
    """A grid of thumbnails, each labelled with its time (h:mm:ss)."""
    if not tiles:
        return Image.new("RGB", (SHEET_TILE_WIDTH, SHEET_TILE_WIDTH * 9 // 16), "black")
    cols = min(SHEET_COLUMNS, len(tiles))
    rows = math.ceil(len(tiles) / cols)
    cell_w = SHEET_TILE_WIDTH
    cell_h = max(img.height for _, img in tiles)
    pad = 4
    sheet = Image.new("RGB", (cols * (cell_w + pad) + pad, rows * (cell_h + pad) + pad), (24, 24, 24))
    draw = ImageDraw.Draw(sheet)
    for n, (t, img) in enumerate(tiles):
        x = pad + (n % cols) * (cell_w + pad)
        y = pad + (n // cols) * (cell_h + pad)
        sheet.paste(img, (x + (cell_w - img.width) // 2, y))
        label = _clock(t)
        draw.rectangle((x, y + cell_h - 14, x + 7 * len(label), y + cell_h), fill=(0, 0, 0))
        draw.text((x + 2, y + cell_h - 13), label, fill=(255, 255, 255))
    return sheet


def _clock(t: float) -> str:
    s = int(t)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def iter_hashes(analysis: Analysis) -> Iterator[FrameRecord]:
    yield from analysis.samples
    yield from analysis.keyframes
