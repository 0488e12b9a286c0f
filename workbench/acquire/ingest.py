"""The step every acquisition ends with: probe the file, store it, record it; all or nothing.

The file is probed before it is stored (a text page or a truncated download never enters the
store), stored before it is recorded (a catalogue row never points at a missing file), and
removed again if the catalogue write fails (no orphan file).
"""

from __future__ import annotations

import platform
from functools import lru_cache
from pathlib import Path

from workbench.catalogue import AcquisitionRecord, Recorded, SourceRecord, record, release_if_unreferenced
from workbench.media.probe import Probe, probe
from workbench.store import Stored, clean_ext
from workbench.workspace import Workspace


@lru_cache(maxsize=1)
def tool_versions() -> dict[str, str]:
    """Versions of the tools that touch the bytes, recorded with every acquisition."""
    import av
    import imageio_ffmpeg
    import yt_dlp.version

    from workbench import __version__

    return {
        "workbench": __version__,
        "yt-dlp": yt_dlp.version.__version__,
        "ffmpeg": imageio_ffmpeg.get_ffmpeg_version(),
        "pyav": av.__version__,
        "python": platform.python_version(),
    }


def ingest(ws: Workspace, path: Path, acq: AcquisitionRecord, source: SourceRecord | None = None,
           *, copy: bool, sha256: str | None = None) -> tuple[Probe, Stored, Recorded]:
    """Probe, store and record one file.

    Args:
        path: the file; with ``copy=False`` it must be in the store's work area and is moved in.
        copy: copy the file first (local import: the original stays untouched); the copy is
            hashed while written and is what gets probed and stored.
        sha256: with ``copy=False``, the hash already computed while the file was written.

    Raises:
        ProbeError: not a readable video; nothing was stored or recorded.
    """
    if not copy:
        return _ingest(ws, path, acq, source, sha256=sha256)
    with ws.store.workdir() as work, open(path, "rb") as original:
        incoming = work / f"incoming.{clean_ext(Path(path).suffix)}"  # the probe reads the suffix
        sha256 = ws.store.write_hashing(original, incoming)
        return _ingest(ws, incoming, acq, source, sha256=sha256)


def _ingest(ws: Workspace, path: Path, acq: AcquisitionRecord, source: SourceRecord | None,
            sha256: str | None) -> tuple[Probe, Stored, Recorded]:
    created = acq.blobs()
    try:
        info = probe(path)
        stored = ws.store.adopt(path, info.ext, sha256=sha256)
        created.append(stored)
        recorded = record(ws, info, stored, acq, source)
    except BaseException:  # nothing half-written: take back what this call added to the store
        for item in created:
            release_if_unreferenced(ws, item)
        raise
    if not recorded.new_acquisition:  # nothing new acquired: keep only what a row refers to
        for blob in [acq.info_json, *(a.stored for a in acq.attachments)]:
            if blob:
                release_if_unreferenced(ws, blob)
    return info, stored, recorded
