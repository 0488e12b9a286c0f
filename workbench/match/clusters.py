"""Groups of duplicate videos across the catalogue, each with its earliest known copy.

Duplicate pairs are edges; a cluster is a connected group (union-find). "Who posted it first"
is answered from the catalogue: a video's date is the earliest upload date (or timestamp) any
of its sources reports, else when it was first archived (for a local import with no source,
when its file entered the archive). Platform upload dates beat archive dates, since a video
archived today may have been posted years ago.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workbench.db import MediaFile
from workbench.workspace import Workspace


@dataclass(frozen=True)
class KnownDate:
    """The earliest date known for a video, and what it rests on."""

    when: datetime
    basis: str  # "upload" | "archived"

    def key(self) -> tuple[int, datetime]:
        return (0 if self.basis == "upload" else 1, self.when)


def known_dates(ws: Workspace, media_ids: Iterable[int]) -> dict[int, KnownDate]:
    """Each video's earliest upload date, else earliest archive date."""
    out: dict[int, KnownDate] = {}
    with ws.reading() as session:
        rows = session.scalars(select(MediaFile).where(MediaFile.id.in_(list(media_ids)))
                               .options(selectinload(MediaFile.sources))).all()
        for m in rows:
            uploads = [s.timestamp or datetime.combine(s.upload_date, time(), UTC)
                       for s in m.sources if s.timestamp or s.upload_date]
            if uploads:
                out[m.id] = KnownDate(min(uploads), "upload")
            else:
                archived = [s.first_archived_at for s in m.sources] or [m.created_at]
                out[m.id] = KnownDate(min(archived), "archived")
    return out


def clusters(edges: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Connected groups of the ids that the edges join, each sorted, largest group first."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for x in list(parent):
        groups.setdefault(find(x), []).append(x)
    return sorted((sorted(g) for g in groups.values() if len(g) > 1), key=lambda g: (-len(g), g[0]))


def earliest(ids: list[int], dates: dict[int, KnownDate]) -> int:
    """The id of the earliest known copy (upload dates first, then archive dates, then lowest id)."""
    far = KnownDate(datetime.max.replace(tzinfo=UTC), "archived")
    return min(ids, key=lambda i: (dates.get(i, far).key(), i))
