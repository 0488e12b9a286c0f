"""What the maps show: events and geolocated videos as points, and reference places.

The maps must work with no tile server (offline machines, tests): so besides the points the
library gives the gazetteer's main places, which the UI draws as labelled dots in place of a
base map.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from workbench.db import Event, MediaFile, Tag
from workbench.events.gazetteer import Gazetteer


def map_points(session: Session, *, date_from: date | None = None, date_to: date | None = None,
               include_drafts: bool = False) -> list[dict[str, Any]]:
    """Events with coordinates and geolocated video tags, within a date range when given.

    Events are dated by their event date, videos by their tag's recorded date; an undated
    video is shown only when no range is asked for.

    Returns:
        ``{"kind": "event" | "video", "type", "id", "latitude", "longitude", "label", "date",
        "precision"}`` per point; ``id`` is the event's or the video's.
    """
    points: list[dict[str, Any]] = []
    query = select(Event).where(Event.latitude.is_not(None), Event.longitude.is_not(None))
    query = query.where(Event.status.in_(("accepted", "draft") if include_drafts else ("accepted",)))
    if date_from:
        query = query.where(Event.event_date >= date_from)
    if date_to:
        query = query.where(Event.event_date <= date_to)
    for e in session.scalars(query.order_by(Event.event_date)):
        points.append({"kind": "event", "type": e.event_type, "id": e.id, "latitude": e.latitude,
                       "longitude": e.longitude, "date": e.event_date.isoformat(),
                       "label": f"{e.event_date}: {e.title or e.sub_event_type} ({e.location or '?'})",
                       "precision": {1: "place", 2: "near", 3: "province"}.get(e.geo_precision or 1),
                       "status": e.status})
    tags = select(Tag).where(Tag.latitude.is_not(None), Tag.longitude.is_not(None))
    if date_from:
        tags = tags.where(Tag.recorded_date >= date_from)
    if date_to:
        tags = tags.where(Tag.recorded_date <= date_to)
    found = session.scalars(tags.order_by(Tag.media_id, Tag.id)).all()
    videos = {m.id: m for m in session.scalars(select(MediaFile).where(MediaFile.id.in_({t.media_id for t in found}))
                                                 .options(selectinload(MediaFile.sources)))}
    for t in found:
        video = videos[t.media_id]
        title = video.sources[0].title if video.sources else None
        points.append({"kind": "video", "type": "video", "id": t.media_id, "latitude": t.latitude,
                       "longitude": t.longitude, "date": t.recorded_date.isoformat() if t.recorded_date else None,
                       "label": f"video #{t.media_id}: {title or t.place or ''}".strip(),
                       "precision": t.precision, "status": t.verification})
    return points


def reference_places(min_population: int = 50_000) -> list[dict[str, Any]]:
    """The gazetteer's cities and large towns, to orient a map without tiles."""
    out = []
    for p in Gazetteer.default().places.values():
        if p.population >= min_population or p.kind == "city":
            out.append({"name": p.name, "name_ar": p.name_ar, "latitude": p.latitude, "longitude": p.longitude})
    return sorted(out, key=lambda r: r["name"])
