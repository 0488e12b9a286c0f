"""Catalogue rows the event and tag tests need: a video with a source uploaded on a known date."""

from __future__ import annotations

import hashlib
from datetime import date

from workbench.db import MediaFile, Source
from workbench.workspace import Workspace


def add_video(ws: Workspace, name: str = "clip", upload_date: date | None = date(2012, 12, 20),
              duration: float = 60.0) -> tuple[int, str]:
    """A catalogued video (no bytes in the store: tags only need the row); returns (id, sha256)."""
    sha = hashlib.sha256(name.encode()).hexdigest()
    with ws.session() as s:
        media = MediaFile(sha256=sha, size=1, ext="mp4", store_path=f"media/{sha}.mp4", duration=duration)
        source = Source(key=f"url:https://example.org/{name}", original_url=f"https://example.org/{name}",
                        upload_date=upload_date, title=name)
        media.sources.append(source)
        s.add(media)
        s.flush()
        return media.id, sha
