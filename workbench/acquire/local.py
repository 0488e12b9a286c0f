"""Import local files and folders (acquisition method "local import"), and files uploaded through
the browser ("browser upload"), into the archive."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from workbench.acquire.ingest import ingest, tool_versions
from workbench.catalogue import AcquisitionRecord
from workbench.db import Method
from workbench.media.probe import ProbeError
from workbench.report import Item, Status
from workbench.store import clean_ext
from workbench.workspace import Workspace

# In a folder, only files with these extensions are taken; files named one by one always are.
VIDEO_EXTENSIONS = frozenset({
    ".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".wmv", ".flv", ".ts", ".mts", ".m2ts", ".mpg", ".mpeg",
    ".3gp", ".ogv", ".vob"})


def expand(paths: Iterable[Path]) -> Iterator[tuple[Path, str | None]]:
    """Yield each file to import, walking folders recursively in a stable order.

    Yields ``(path, error)``; error is set for a path that does not exist or cannot be read.
    """
    for path in paths:
        path = Path(path)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith(".") and Path(name).suffix.lower() in VIDEO_EXTENSIONS:
                        yield Path(root) / name, None
        elif path.is_file():
            yield path, None
        elif path.exists():
            yield path, "not a regular file"
        else:
            yield path, "no such file or folder"


def import_paths(ws: Workspace, paths: Iterable[Path],
                 on_item: Callable[[Item], None] | None = None) -> list[Item]:
    """Import files and folders; one item per file, failures included, the batch goes on."""
    items = []
    for path, error in expand(paths):
        item = Item(input=str(path), status=Status.FAILED, error=error) if error else import_file(ws, path)
        items.append(item)
        if on_item:
            on_item(item)
    return items


def import_file(ws: Workspace, path: Path) -> Item:
    """Import one file, recording its original path and modification time."""
    path = Path(path)
    try:
        stat = path.stat()
        acq = AcquisitionRecord(
            method=Method.LOCAL, acquired_by=ws.settings.user, tool_versions=tool_versions(),
            options={}, original_path=str(path.resolve()),
            original_mtime=datetime.fromtimestamp(stat.st_mtime, UTC))
        _, stored, rec = ingest(ws, path, acq, copy=True)
    except ProbeError as exc:
        return Item(input=str(path), status=Status.FAILED, error=f"not imported: {exc}")
    except OSError as exc:
        return Item(input=str(path), status=Status.FAILED, error=f"cannot read: {exc.strerror or exc}")
    status = Status.STORED if stored.created else Status.EXISTS
    return Item(input=str(path), status=status, id=rec.media_id, sha256=stored.sha256,
                path=stored.rel_path, title=path.name)


def import_upload(ws: Workspace, filename: str, stream: BinaryIO) -> Item:
    """Import a file a person uploaded (the UI), recording the name it had on their machine.

    The bytes are hashed while written into the store's work area, then probed and moved in:
    the same path as a local import, so a bad upload leaves nothing behind.
    """
    name = Path(filename or "upload").name or "upload"
    acq = AcquisitionRecord(method=Method.UPLOAD, acquired_by=ws.settings.user, tool_versions=tool_versions(),
                            options={"uploaded_name": name}, original_path=name, original_mtime=None)
    try:
        with ws.store.workdir() as work:
            incoming = work / f"incoming.{clean_ext(Path(name).suffix)}"  # the probe reads the suffix
            sha256 = ws.store.write_hashing(stream, incoming)
            _, stored, rec = ingest(ws, incoming, acq, copy=False, sha256=sha256)
    except ProbeError as exc:
        return Item(input=name, status=Status.FAILED, error=f"not imported: {exc}")
    except OSError as exc:
        return Item(input=name, status=Status.FAILED, error=f"cannot store the upload: {exc.strerror or exc}")
    status = Status.STORED if stored.created else Status.EXISTS
    return Item(input=name, status=status, id=rec.media_id, sha256=stored.sha256, path=stored.rel_path, title=name)
