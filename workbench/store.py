"""The content-addressed media store: files named by their SHA-256, written once, never overwritten.

Layout under the data home::

    media/ab/cd/<sha256>.<ext>   videos (evidence)
    blobs/ab/cd/<sha256>.<ext>   what platforms give with them: info.json, thumbnails, subtitles
    tmp/                         work area on the same filesystem (downloads, partial copies)

A file enters the store by being written (or downloaded) into ``tmp/``, hashed, and then
hard-linked to its final name: ``os.link`` fails if the name exists, so an existing file is
never replaced, and a reader never sees a half-written one. Stored files are made read-only.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 20
_EXT = re.compile(r"[a-z0-9]{1,10}")


@dataclass(frozen=True)
class Stored:
    """A file in the store."""

    sha256: str
    size: int
    path: Path  # absolute
    rel_path: str  # relative to the data home, as recorded in the catalogue
    created: bool  # False when identical bytes were already stored


def sha256_file(path: Path) -> tuple[str, int]:
    """Return the SHA-256 hex digest and size of a file, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def clean_ext(ext: str | None) -> str:
    """A safe lowercase extension (no dot); ``bin`` when missing or odd."""
    ext = (ext or "").lower().lstrip(".")
    return ext if _EXT.fullmatch(ext) else "bin"  # fullmatch: "$" would let "mp4\n" through


class MediaStore:
    """Content-addressed storage rooted at the data home."""

    def __init__(self, home: Path) -> None:
        self.home = Path(home).resolve()
        self.tmp = self.home / "tmp"

    def path_for(self, sha256: str, ext: str, kind: str = "media") -> Path:
        return self.home / kind / sha256[:2] / sha256[2:4] / f"{sha256}.{clean_ext(ext)}"

    def find(self, sha256: str, kind: str = "media") -> Path | None:
        """The stored file with this hash, whatever its extension, or None."""
        folder = self.home / kind / sha256[:2] / sha256[2:4]
        return next(iter(sorted(folder.glob(f"{sha256}.*"))), None) if folder.is_dir() else None

    def sweep(self, older_than: float = 86400.0) -> list[Path]:
        """Remove work folders a killed process left behind (older than a day: never a live one)."""
        if not self.tmp.is_dir():
            return []
        cutoff = time.time() - older_than
        stale = [p for p in self.tmp.glob("work-*") if p.is_dir() and p.stat().st_mtime < cutoff]
        for path in stale:
            shutil.rmtree(path, ignore_errors=True)
        return stale

    @contextmanager
    def workdir(self) -> Iterator[Path]:
        """A private temporary folder on the store's filesystem, removed afterwards."""
        self.tmp.mkdir(parents=True, exist_ok=True)
        path = Path(tempfile.mkdtemp(prefix="work-", dir=self.tmp))
        try:
            yield path
        finally:
            shutil.rmtree(path, ignore_errors=True)

    def adopt(self, tmp_file: Path, ext: str, kind: str = "media",
              sha256: str | None = None) -> Stored:
        """Move a finished file from ``tmp/`` into the store under its hash.

        The file must be on the store's filesystem (use ``workdir()``). If identical bytes are
        already stored the existing file is kept and ``tmp_file`` is removed.
        """
        if sha256 is None:
            sha256, size = sha256_file(tmp_file)
        else:
            size = tmp_file.stat().st_size
        final = self.path_for(sha256, ext, kind)
        existing = self.find(sha256, kind)
        created = False
        if existing is None:
            final.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(tmp_file, 0o444)
            try:
                os.link(tmp_file, final)  # atomic, and refuses to replace an existing name
                created = True
            except FileExistsError:
                pass  # another process stored the same bytes a moment ago
            existing = final
        tmp_file.unlink(missing_ok=True)
        return Stored(sha256, size, existing, existing.relative_to(self.home).as_posix(), created)

    @staticmethod
    def write_hashing(stream: BinaryIO, dest: Path) -> str:
        """Write a stream to ``dest`` (synced to disk), returning the SHA-256 of what was written."""
        digest = hashlib.sha256()
        with open(dest, "wb") as out:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        return digest.hexdigest()

    def put_stream(self, stream: BinaryIO, ext: str, kind: str = "media") -> Stored:
        """Copy a stream into the store, hashing while writing."""
        with self.workdir() as work:
            tmp_file = work / "incoming"
            sha256 = self.write_hashing(stream, tmp_file)
            return self.adopt(tmp_file, ext, kind, sha256=sha256)

    def put_file(self, path: Path, ext: str | None = None, kind: str = "media") -> Stored:
        """Copy a file into the store (the original is left untouched)."""
        with open(path, "rb") as fh:
            return self.put_stream(fh, ext or Path(path).suffix, kind)

    def put_bytes(self, data: bytes, ext: str, kind: str = "blobs") -> Stored:
        """Store a small blob (info.json, a thumbnail)."""
        return self.put_stream(BytesIO(data), ext, kind)
