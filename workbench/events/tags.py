"""Tags: where, when and by whom a video (or a segment, or a keyframe) was filmed, and what it shows.

A tag holds a location claim (point, place, precision class, method, confidence, whether the
point is the camera or the subject), a recorded date and time with precision and window, the
units seen, the events it documents, a verification status, sensitivity flags and notes.
Every save is a new version (``history``); a save made on an older version is refused.

The upload date of a video's sources is only an upper bound for when it was recorded: a
recorded date after it is saved, with a warning saying so; so is a date outside the life of
a unit seen in the footage.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.catalogue import find_video
from workbench.db.events import Tag, Unit
from workbench.db.models import MediaFile
from workbench.events import history
from workbench.events.gazetteer import Gazetteer, Place, PlaceError
from workbench.events.incidents import EventError, get_event, parse_coordinate, parse_date
from workbench.events.taxonomy import (
    CONFIDENCE,
    LOCATION_METHODS,
    POINT_OF,
    PRECISION_CLASSES,
    RECORDED_PRECISION,
    VERIFICATION,
    choice,
)
from workbench.events.units import ensure_seeded, resolve_unit

CHOICES = {"precision": (tuple(PRECISION_CLASSES), "precision class"), "method": (LOCATION_METHODS, "method"),
           "confidence": (CONFIDENCE, "confidence"), "point_of": (POINT_OF, "point (camera or subject)"),
           "verification": (VERIFICATION, "verification status"),
           "recorded_precision": (RECORDED_PRECISION, "recorded precision")}
TEXT = ("place", "admin1", "location_note", "notes")
FIELDS = (*TEXT, *CHOICES, "latitude", "longitude", "recorded_date", "recorded_time", "recorded_from",
          "recorded_to", "graphic", "personal_info")
_REQUIRED = ("verification", "graphic", "personal_info")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class TagError(ValueError):
    """Bad tag input, with a message naming the field and the value."""


def clean(data: dict[str, Any]) -> dict[str, Any]:
    """Checked, typed tag fields from raw input; only the keys present are returned.

    Raises:
        TagError: the first bad field.
    """
    out: dict[str, Any] = {}
    try:
        for k in TEXT:
            if k in data:
                out[k] = (str(data[k]).strip() or None) if data[k] is not None else None
                limit = getattr(Tag.__table__.c[k].type, "length", None)
                if out[k] and limit and len(out[k]) > limit:
                    raise TagError(f"{k.replace('_', ' ')} is {len(out[k])} characters long; at most {limit}")
        for k, (allowed, what) in CHOICES.items():
            if k in data:
                out[k] = choice(data[k], allowed, what)
        for k in ("latitude", "longitude"):
            if k in data:
                out[k] = parse_coordinate(data[k], k)
        for k in ("recorded_date", "recorded_from", "recorded_to"):
            if k in data:
                out[k] = parse_date(data[k], k.replace("_", " "))
    except (EventError, ValueError) as exc:
        raise TagError(str(exc)) from None
    if "recorded_time" in data and not data["recorded_time"]:
        out["recorded_time"] = None
    elif data.get("recorded_time"):
        if not _TIME.match(str(data["recorded_time"]).strip()):
            raise TagError(f"recorded time {data['recorded_time']!r} is not HH:MM (24-hour, local time)")
        out["recorded_time"] = str(data["recorded_time"]).strip()
    for k in ("graphic", "personal_info"):
        if k in data and data[k] is not None:
            out[k] = bool(data[k])
    return out


def _check_whole(tag: Tag, duration: float | None) -> None:
    if (tag.latitude is None) != (tag.longitude is None):
        raise TagError("give both latitude and longitude, or neither")
    if tag.recorded_from and tag.recorded_to and tag.recorded_from > tag.recorded_to:
        raise TagError(f"recorded window from {tag.recorded_from} is after to {tag.recorded_to}")
    if tag.recorded_date and tag.recorded_from and tag.recorded_date < tag.recorded_from:
        raise TagError(f"recorded date {tag.recorded_date} is before its window ({tag.recorded_from})")
    if tag.recorded_date and tag.recorded_to and tag.recorded_date > tag.recorded_to:
        raise TagError(f"recorded date {tag.recorded_date} is after its window ({tag.recorded_to})")
    if tag.recorded_time and not tag.recorded_date:
        raise TagError("a recorded time needs a recorded date")
    if tag.scope == "segment":
        if tag.start_s is None or tag.end_s is None or not 0 <= tag.start_s < tag.end_s:
            raise TagError(f"segment {tag.start_s}-{tag.end_s} s: start must be >= 0 and before end")
        if duration and tag.end_s > duration + 0.5:
            raise TagError(f"segment ends at {tag.end_s} s but the video is {duration:.1f} s long")
    if tag.scope == "keyframe" and (tag.keyframe_ms is None or tag.keyframe_ms < 0):
        raise TagError("a keyframe tag needs a timestamp in ms >= 0")


def date_warnings(video: MediaFile, tag: Tag) -> list[str]:
    """Warnings about the recorded date: later than a source's upload, or outside a seen unit's life.

    The upload date is an upper bound for when footage was filmed; a unit's valid from/to
    dates bound when it can appear (Jaysh al-Islam in footage from 2012 means the date or the
    unit is wrong). The tag is saved either way: the investigator decides.
    """
    earliest = tag.recorded_from or tag.recorded_date
    latest = tag.recorded_to or tag.recorded_date
    warnings = []
    for src in video.sources:
        if earliest and src.upload_date and earliest > src.upload_date:
            warnings.append(f"recorded date {earliest} is after source #{src.id} was uploaded ({src.upload_date}): "
                            f"footage cannot be filmed after it is published; check the date")
    for unit in tag.units:
        if latest and unit.valid_from and latest < unit.valid_from:
            warnings.append(f"{unit.name} only exists from {unit.valid_from}, after the recorded date {latest}")
        if earliest and unit.valid_to and earliest > unit.valid_to:
            warnings.append(f"{unit.name} ceased on {unit.valid_to}, before the recorded date {earliest}"
                            f"{' (' + unit.note + ')' if unit.note else ''}")
    return warnings


def _place(data: dict[str, Any]) -> dict[str, Any]:
    """Fill coordinates, admin1, precision and method from the gazetteer for a named place."""
    if not data.get("place") or data.get("latitude") is not None:
        return {}
    try:
        return place_fields(Gazetteer.default().resolve(data["place"]))
    except PlaceError as exc:
        raise TagError(str(exc)) from None


def place_fields(p: Place) -> dict[str, Any]:
    """A tag's location fields for a gazetteer place: its centre, at the precision the place allows."""
    return {"place": p.name, "latitude": p.latitude, "longitude": p.longitude, "admin1": p.admin1,
            "precision": "governorate" if p.kind == "governorate" else "town", "method": "gazetteer"}


def _fields(data: dict[str, Any], clearing: bool = False) -> dict[str, Any]:
    """Cleaned fields, with what the gazetteer says about a named place; explicit values win.

    With ``clearing`` (edits), an empty value clears a field; the status and the flags always
    keep a value.
    """
    placed = _place(data)
    cleaned = {k: v for k, v in clean(data).items()
               if (v is not None or (clearing and k not in _REQUIRED)) and not (k == "place" and placed)}
    return {**placed, **cleaned}


def tag_dict(tag: Tag) -> dict[str, Any]:
    """A tag as plain, JSON-safe data."""
    data = {k: getattr(tag, k) for k in FIELDS}
    for k in ("recorded_date", "recorded_from", "recorded_to"):
        data[k] = data[k].isoformat() if data[k] else None
    data.update({"id": tag.id, "video_id": tag.media_id, "scope": tag.scope, "start_s": tag.start_s,
                 "end_s": tag.end_s, "keyframe_ms": tag.keyframe_ms, "version": tag.version,
                 "units": sorted(u.name for u in tag.units), "events": sorted(e.id for e in tag.events),
                 "updated_by": tag.updated_by, "updated_at": tag.updated_at.isoformat() if tag.updated_at else None})
    return data


def _snapshot(tag: Tag) -> dict[str, Any]:
    return history.snapshot(tag_dict(tag), tag.units)


def _apply(session: Session, tag: Tag, fields: dict[str, Any], units: list[str] | None,
           events: list[str] | None) -> None:
    ensure_seeded(session)  # seeding flushes: do it before the row is touched
    with session.no_autoflush:
        for k, v in fields.items():
            setattr(tag, k, v)
        if units is not None:
            tag.units = list(dict.fromkeys(resolve_unit(session, u) for u in units))
        if events is not None:
            try:
                tag.events = list(dict.fromkeys(get_event(session, e) for e in events))
            except history.NotFound as exc:
                raise TagError(str(exc)) from None


def create_tag(session: Session, video_ref: str | int, data: dict[str, Any], author: str, *,
               units: list[str] | None = None, events: list[str] | None = None,
               segment: tuple[float, float] | None = None, keyframe_ms: int | None = None) -> tuple[Tag, list[str]]:
    """Tag a video, a segment of it (``segment=(from_s, to_s)``) or a keyframe (``keyframe_ms``).

    Args:
        session: An open transaction.
        video_ref: The video's id or SHA-256 (prefix).
        data: Raw fields (see ``FIELDS``); a ``place`` without coordinates is looked up.
        author: Who is tagging.
        units: Units seen, by any of their names.
        events: Events documented, by id or event_id_cnty.
        segment: Start and end, in seconds.
        keyframe_ms: A keyframe's timestamp, in milliseconds.

    Returns:
        ``(tag, warnings)``: warnings say when the recorded date is after an upload date or
        outside the life of a unit seen (see ``date_warnings``).

    Raises:
        TagError: bad input or an unknown video, place or event; UnitError: an unknown unit.
    """
    video = find_video(session, video_ref)
    if video is None:
        raise TagError(f"no video with id or hash {video_ref!r}")
    if segment and keyframe_ms is not None:
        raise TagError("tag a segment or a keyframe, not both")
    scope = "segment" if segment else "keyframe" if keyframe_ms is not None else "video"
    fields = {"verification": "unverified", "graphic": False, "personal_info": False, **_fields(data)}
    tag = Tag(media_id=video.id, scope=scope, start_s=segment[0] if segment else None,
              end_s=segment[1] if segment else None, keyframe_ms=keyframe_ms, created_by=author, updated_by=author)
    _apply(session, tag, fields, units or [], events or [])
    _check_whole(tag, video.duration)
    session.add(tag)
    history.save(session, "tag", tag, lambda: _snapshot(tag), "created", author)
    return tag, date_warnings(video, tag)


def get_tag(session: Session, tag_id: int, video_ref: str | int | None = None) -> Tag:
    """A tag by id, checked to belong to ``video_ref`` when given.

    Raises:
        history.NotFound: no such tag, or it is on another video.
    """
    tag = session.get(Tag, int(tag_id))
    if tag is None:
        raise history.NotFound(f"no tag {tag_id}")
    if video_ref is not None:
        video = find_video(session, video_ref)
        if video is None or video.id != tag.media_id:
            raise history.NotFound(f"tag {tag_id} is on video {tag.media_id}, not on {video_ref}")
    return tag


def update_tag(session: Session, tag_id: int, changes: dict[str, Any], author: str, *,
               expected_version: int | None = None, units: list[str] | None = None,
               events: list[str] | None = None, video_ref: str | int | None = None) -> tuple[Tag, list[str]]:
    """Change a tag, as a new version.

    Args:
        session: An open transaction.
        tag_id: The tag.
        changes: Raw fields to change (others stay).
        author: Who is saving.
        expected_version: The version the investigator edited; a newer stored one is a conflict.
        units: Replace the units seen; events: replace the linked events (None keeps them).
        video_ref: The video the caller thinks the tag is on; checked when given.

    Returns:
        ``(tag, warnings)``.

    Raises:
        ConflictError: someone saved a newer version first; nothing is saved.
        TagError, UnitError, NotFound: bad input.
    """
    tag = get_tag(session, tag_id, video_ref)
    history.check_version(session, "tag", tag, expected_version)
    video = session.get(MediaFile, tag.media_id)  # loaded before editing: a query now would autoflush
    fields = _fields(_renamed(tag, changes), clearing=True)
    _apply(session, tag, fields, units, events)
    _check_whole(tag, video.duration)
    history.save(session, "tag", tag, lambda: _snapshot(tag), "updated", author)
    return tag, date_warnings(video, tag)


def _renamed(tag: Tag, changes: dict[str, Any]) -> dict[str, Any]:
    """Changes, without the old place's coordinates when another place is named over them.

    A form sends every field: a new place name with the coordinates unchanged, where those were
    the gazetteer's centre of the old place, means "this place instead", so the gazetteer places
    the new one. Coordinates pinned by hand (any other method) are never replaced.
    """
    if tag.method != "gazetteer" or (changes.get("place") or None) == tag.place or \
            (changes.get("latitude"), changes.get("longitude")) != (tag.latitude, tag.longitude):
        return changes
    return {k: v for k, v in changes.items() if k not in ("latitude", "longitude", "admin1", "precision", "method")}


def restore_tag(session: Session, tag_id: int, version: int, author: str,
                expected_version: int | None = None, video_ref: str | int | None = None) -> Tag:
    """Make an old version of a tag current again, as a new version."""
    tag = get_tag(session, tag_id, video_ref)
    history.check_version(session, "tag", tag, expected_version)
    data = history.revision_data(session, "tag", tag.id, version)
    fields = {k: data.get(k) for k in FIELDS}
    for k in ("recorded_date", "recorded_from", "recorded_to"):
        fields[k] = date.fromisoformat(fields[k]) if fields[k] else None
    with session.no_autoflush:
        for k, v in fields.items():
            setattr(tag, k, v)
        tag.units = [u for u in (session.get(Unit, uid) for uid in data.get("unit_ids", [])) if u]
        tag.events = [get_event(session, e) for e in data.get("events", [])]
    history.save(session, "tag", tag, lambda: _snapshot(tag), f"restored from v{version}", author)
    return tag


def tags_for_video(session: Session, video_ref: str | int) -> list[Tag]:
    """Every tag of one video, in the order they were made.

    Raises:
        TagError: no such video.
    """
    video = find_video(session, video_ref)
    if video is None:
        raise TagError(f"no video with id or hash {video_ref!r}")
    return list(session.scalars(select(Tag).where(Tag.media_id == video.id).order_by(Tag.id)))
