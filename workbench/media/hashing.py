"""Perceptual hashes of a frame, and the border crop and low-information test done before them.

Each frame gets imagehash's pHash and dHash (64 bits each, kept as integers: an ``ImageHash``
hashes to 8 bits as a dict key), the same two of the horizontally mirrored frame (a flip
defeats plain pHash), and PDQ (256 bits and a quality score) for exchange with ThreatExchange
and Hasher-Matcher-Actioner. Letterbox, pillarbox and burned-in bars are cropped first, and a
near-uniform frame (black, a fade, a blank) is flagged so matching can ignore it.

These values are evidence: ``tests/test_hashing.py`` pins them for fixed frames, so an upgrade
of Pillow, imagehash, pdqhash or FFmpeg that changes them fails loudly.
"""

from __future__ import annotations

from dataclasses import dataclass

import imagehash
import numpy as np
import pdqhash
from PIL import Image, ImageOps

# A border row/column: nearly constant (std below this, 0-255 luma) ...
BORDER_STD = 10.0
# ... and close to the edge's own level (so a dark scene is not mistaken for a bar).
BORDER_LEVEL = 16.0
# Never crop more than this share of a dimension in all (a frame that is all "border" is blank).
MAX_CROP = 0.5
# Luma standard deviation under which a frame carries too little to match on (black, fades).
LOW_INFO_STD = 6.0


@dataclass(frozen=True)
class Crop:
    """The picture inside the borders, in pixels of the image it was found on."""

    x: int
    y: int
    w: int
    h: int

    def scaled(self, factor: float) -> Crop:
        return Crop(round(self.x * factor), round(self.y * factor), round(self.w * factor), round(self.h * factor))


@dataclass(frozen=True)
class FrameHashes:
    phash: int
    dhash: int
    phash_mirror: int
    dhash_mirror: int
    pdq: str  # 64 hex digits
    pdq_quality: int
    crop: Crop
    low_info: bool


def _edge(profile_mean: np.ndarray, profile_std: np.ndarray) -> int:
    """How many leading rows (or columns) are a constant bar at the edge's level."""
    level = profile_mean[0]
    n = 0
    for mean, std in zip(profile_mean, profile_std, strict=True):
        if std > BORDER_STD or abs(mean - level) > BORDER_LEVEL:
            break
        n += 1
    return n


def find_borders(gray: np.ndarray) -> Crop:
    """The box inside constant bars (black or any flat colour) at the edges of a luma image."""
    h, w = gray.shape
    g = gray.astype(np.float32)
    rows_m, rows_s = g.mean(axis=1), g.std(axis=1)
    cols_m, cols_s = g.mean(axis=0), g.std(axis=0)
    top, bottom = _edge(rows_m, rows_s), _edge(rows_m[::-1], rows_s[::-1])
    left, right = _edge(cols_m, cols_s), _edge(cols_m[::-1], cols_s[::-1])
    if top + bottom > h * MAX_CROP:
        top = bottom = 0
    if left + right > w * MAX_CROP:
        left = right = 0
    return Crop(left, top, w - left - right, h - top - bottom)


def to_int(h: imagehash.ImageHash) -> int:
    """An ImageHash as an unsigned integer (first bit most significant)."""
    return int.from_bytes(np.packbits(h.hash.flatten()).tobytes(), "big")


def to_signed(value: int) -> int:
    """An unsigned 64-bit hash as the signed integer a BIGINT column holds."""
    return value - (1 << 64) if value >= 1 << 63 else value


def to_unsigned(value: int) -> int:
    return value + (1 << 64) if value < 0 else value


def box_fractions(crop: Crop, w: int, h: int) -> tuple[float, float, float, float]:
    """A crop as the share of the width/height cut from the left, top, right and bottom."""
    return crop.x / w, crop.y / h, (w - crop.x - crop.w) / w, (h - crop.y - crop.h) / h


def crop_from_fractions(sides: tuple[float, float, float, float], w: int, h: int) -> Crop:
    left, top, right, bottom = sides
    x, y = round(left * w), round(top * h)
    return Crop(x, y, w - x - round(right * w), h - y - round(bottom * h))


def _perceptual(img: Image.Image) -> tuple[int, int, int, int]:
    """pHash, dHash, and both of the mirrored image, of an already cropped image."""
    mirror = ImageOps.mirror(img)
    return (to_int(imagehash.phash(img)), to_int(imagehash.dhash(img)),
            to_int(imagehash.phash(mirror)), to_int(imagehash.dhash(mirror)))


def match_hashes(img: Image.Image, crop: Crop) -> tuple[int, int, int, int]:
    """The four hashes matching uses (pHash, dHash, mirrored pHash, mirrored dHash), exactly as
    ``hash_image`` makes them, without PDQ: for re-hashing many frames around a moment."""
    if (crop.w, crop.h) != img.size:
        img = img.crop((crop.x, crop.y, crop.x + crop.w, crop.y + crop.h))
    return _perceptual(img)


def hash_image(img: Image.Image, crop: Crop | None = None) -> FrameHashes:
    """Crop the borders off an RGB image, then hash it (plain and mirrored) and flag blank frames.

    Args:
        crop: the picture's box (from the frames around this one); default: this frame's own.
    """
    gray = np.asarray(img if img.mode == "L" else img.convert("L"))
    crop = crop or find_borders(gray)
    if (crop.w, crop.h) != img.size:
        img = img.crop((crop.x, crop.y, crop.x + crop.w, crop.y + crop.h))
        gray = gray[crop.y:crop.y + crop.h, crop.x:crop.x + crop.w]
    rgb = np.repeat(gray[:, :, None], 3, axis=2) if img.mode == "L" else np.asarray(img.convert("RGB"))
    bits, quality = pdqhash.compute(np.ascontiguousarray(rgb))
    phash, dhash, phash_mirror, dhash_mirror = _perceptual(img)
    return FrameHashes(
        phash=phash, dhash=dhash, phash_mirror=phash_mirror, dhash_mirror=dhash_mirror,
        pdq=np.packbits(bits.astype(np.uint8)).tobytes().hex(), pdq_quality=int(quality),
        crop=crop, low_info=bool(gray.std() < LOW_INFO_STD),
    )


def hamming(a: int, b: int) -> int:
    return (to_unsigned(a) ^ to_unsigned(b)).bit_count()
