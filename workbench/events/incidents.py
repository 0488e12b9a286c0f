"""The event database: create, edit, accept, list, show and restore events, every change versioned.

An event follows ACLED's model (see ``taxonomy`` and ``acled``) plus what investigators need
around it: a title and description, a from/to date window, actors linked to the units
vocabulary, and sources that are URLs or archived videos. Events proposed by a machine (post
import) are ``draft`` until a person accepts them. Every save is a new version (``history``).
"""

from __future__ import annotations

import math
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from workbench.catalogue import find_video
from workbench.db.events import Event, EventSource, Tag, TagEvent, Unit
from workbench.events import history
from workbench.events.gazetteer import Gazetteer, PlaceError
from workbench.events.taxonomy import DISORDER_TYPES, TaxonomyError, canonical_type
from workbench.events.units import ensure_seeded, resolve_unit

STATUSES = ("draft", "accepted", "rejected")  # rejected: a draft a person turned down (kept, not deleted)
# Plain ACLED text columns an event keeps verbatim.
TEXT_FIELDS = ("event_id_cnty", "disorder_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2",
               "inter2", "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2",
               "admin3", "location", "source", "source_scale", "notes", "tags", "title", "description")
DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d %b %Y")
SYRIA = {"country": "Syria", "iso": "760", "region": "Middle East"}


class EventError(ValueError):
    """Bad event input, with a message naming the field and the value."""


def parse_date(value: str | date | None, field: str, *, today: date | None = None) -> date | None:
    """A date from ISO (2012-12-01) or ACLED's long form (01 December 2012), never in the future.

    Raises:
        EventError: not a date, or a date after today.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        text = str(value).strip()
        for fmt in DATE_FORMATS:
            try:
                value = datetime.strptime(text, fmt).date()
                break
            except ValueError:
                continue
        else:
            raise EventError(f"{field} {text!r} is not a date (use YYYY-MM-DD, or e.g. 01 December 2012)")
    if value > (today or date.today()):
        raise EventError(f"{field} {value.isoformat()} is in the future")
    return value


def parse_coordinate(value: str | float | None, field: str) -> float | None:
    """A latitude or longitude in decimal degrees, checked against its range.

    Raises:
        EventError: not a number (e.g. ``36°12'N`` or ``36,2``), not finite, or out of range.
    """
    if value is None or value == "":
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        raise EventError(f"{field} {value!r} is not a decimal number of degrees (e.g. 36.2021)") from None
    limit = 90 if field == "latitude" else 180
    if not math.isfinite(number) or not -limit <= number <= limit:
        raise EventError(f"{field} {value!r} is out of range (-{limit} to {limit})")
    return number


def _int_in(value: Any, field: str, allowed: range) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise EventError(f"{field} {value!r} is not a whole number") from None
    if number not in allowed:
        raise EventError(f"{field} {number} must be between {allowed.start} and {allowed.stop - 1}")
    return number


def clean_fields(data: dict[str, Any], *, today: date | None = None) -> dict[str, Any]:
    """Checked, typed event fields from raw input (CLI options or a CSV row).

    Only the keys present in ``data`` are returned, so the result also serves partial edits.

    Raises:
        EventError: the first bad field, named with its value.
    """
    out: dict[str, Any] = {k: (str(data[k]).strip() or None) if data[k] is not None else None
                           for k in TEXT_FIELDS if k in data}
    for k, v in out.items():  # the same limit on every backend (SQLite would store any length)
        limit = getattr(Event.__table__.c[k].type, "length", None)
        if v and limit and len(v) > limit:
            raise EventError(f"{k} is {len(v)} characters long; at most {limit}")
    for field in ("event_date", "date_from", "date_to"):
        if field in data:
            out[field] = parse_date(data[field], field, today=today)
    for field in ("latitude", "longitude"):
        if field in data:
            out[field] = parse_coordinate(data[field], field)
    if "time_precision" in data:
        out["time_precision"] = _int_in(data["time_precision"], "time_precision", range(1, 4))
    if "geo_precision" in data:
        out["geo_precision"] = _int_in(data["geo_precision"], "geo_precision", range(1, 4))
    if "fatalities" in data:
        out["fatalities"] = _int_in(data["fatalities"], "fatalities", range(0, 1_000_000))
    if "acled_timestamp" in data:
        out["acled_timestamp"] = _int_in(data["acled_timestamp"], "timestamp", range(0, 2**31))
    if "event_type" in data or "sub_event_type" in data:
        try:
            out["event_type"], out["sub_event_type"] = canonical_type(data.get("event_type") or "",
                                                                      data.get("sub_event_type") or "")
        except TaxonomyError as exc:
            raise EventError(str(exc)) from None
    if "status" in data and data["status"] not in STATUSES:
        raise EventError(f"status {data['status']!r} is not one of: {', '.join(STATUSES)}")
    if "status" in data:
        out["status"] = data["status"]
    return out


def _check_whole(event: Event) -> None:
    if event.event_date is None:
        raise EventError("event_date is required")
    if event.date_from and event.date_to and event.date_from > event.date_to:
        raise EventError(f"date window from {event.date_from} is after to {event.date_to}")
    if event.date_from and event.event_date < event.date_from or event.date_to and event.event_date > event.date_to:
        raise EventError(f"event_date {event.event_date} is outside its window "
                         f"({event.date_from or '...'} to {event.date_to or '...'})")
    if (event.latitude is None) != (event.longitude is None):
        raise EventError("give both latitude and longitude, or neither")


def place_fields(name: str) -> dict[str, Any]:
    """Location, coordinates, admin1 and geo precision for a place name, from the gazetteer.

    Raises:
        EventError: the name matches no place clearly; the message lists suggestions.
    """
    try:
        p = Gazetteer.default().resolve(name)
    except PlaceError as exc:
        raise EventError(str(exc)) from None
    return {"location": p.name, "latitude": p.latitude, "longitude": p.longitude, "admin1": p.admin1,
            "geo_precision": 3 if p.kind in ("governorate", "area") else 1}


def _place(place: str, data: dict[str, Any]) -> dict[str, Any]:
    """A named place's fields: looked up in the gazetteer, unless coordinates are given with it
    (then the name is kept as written and the coordinates are the investigator's; the governorate
    comes from the gazetteer when the name is a place it knows, else it is left empty)."""
    if data.get("latitude") not in (None, "") and data.get("longitude") not in (None, ""):
        found = Gazetteer.default().lookup(place)
        known = found.place if found.place is not None and found.how in ("exact", "variant") else None
        return {"location": place.strip(), "admin1": known.admin1 if known else None, "geo_precision": 1}
    return place_fields(place)


def placed_by_gazetteer(location: str | None, latitude: float | None, longitude: float | None) -> bool:
    """Whether these coordinates are the gazetteer's centre of ``location`` (not pinned by hand)."""
    if not location or latitude is None or longitude is None:
        return False
    found = Gazetteer.default().lookup(location)
    return found.place is not None and (round(found.place.latitude, 5), round(found.place.longitude, 5)) == (
        round(latitude, 5), round(longitude, 5))


def event_dict(event: Event) -> dict[str, Any]:
    """An event as plain, JSON-safe data: every field, its actors (units) and its sources."""
    data = {k: getattr(event, k) for k in TEXT_FIELDS}
    data.update({
        "id": event.id, "status": event.status, "version": event.version,
        "event_date": _iso(event.event_date), "date_from": _iso(event.date_from), "date_to": _iso(event.date_to),
        "time_precision": event.time_precision, "event_type": event.event_type,
        "sub_event_type": event.sub_event_type, "latitude": event.latitude, "longitude": event.longitude,
        "geo_precision": event.geo_precision, "fatalities": event.fatalities, "acled_timestamp": event.acled_timestamp,
        "units": sorted(u.name for u in event.units),
        "sources": [{"url": s.url, "video_id": s.media_id, "note": s.note} for s in event.links],
        "updated_by": event.updated_by, "updated_at": _iso(event.updated_at),
    })
    return data


def _snapshot(event: Event) -> dict[str, Any]:
    return history.snapshot(event_dict(event), event.units)


def _apply(session: Session, event: Event, fields: dict[str, Any], units: list[str] | None,
           sources: list[dict[str, Any]] | None) -> None:
    ensure_seeded(session)  # seeding flushes: do it before the row is touched
    # No autoflush while editing: one save must be one UPDATE, i.e. exactly one version.
    with session.no_autoflush:
        _apply_fields(session, event, fields, units, sources)


def _apply_fields(session: Session, event: Event, fields: dict[str, Any], units: list[str] | None,
                  sources: list[dict[str, Any]] | None) -> None:
    for k, v in fields.items():
        setattr(event, k, v)
    if units is not None:
        event.units = list(dict.fromkeys(resolve_unit(session, u) for u in units))  # FSA = Free Syrian Army
    if sources is not None:
        links = []
        for src in sources:
            media_id = None
            if src.get("video"):
                video = find_video(session, src["video"])
                if video is None:
                    raise EventError(f"no video with id or hash {src['video']!r}")
                media_id = video.id
            links.append(EventSource(url=src.get("url"), media_id=media_id, note=src.get("note")))
        event.links = links
    if event.disorder_type is None and event.event_type:
        event.disorder_type = DISORDER_TYPES.get(event.event_type)
    _check_whole(event)


def create_event(session: Session, data: dict[str, Any], author: str, *, units: list[str] | None = None,
                 sources: list[dict[str, Any]] | None = None, place: str | None = None,
                 action: str = "created") -> Event:
    """Add an event (version 1).

    Args:
        session: An open transaction.
        data: Raw fields (see ``clean_fields``); ``event_date``, ``event_type`` and
            ``sub_event_type`` are required.
        author: Who is adding it.
        units: Actor names from the units vocabulary.
        sources: ``{"url": ..., "video": <id or sha256>, "note": ...}`` each.
        place: A place name resolved through the gazetteer (fills location, coordinates, admin1);
            with latitude and longitude in ``data``, kept as written instead.
        action: What the first revision says (created, imported, drafted from post).

    Raises:
        EventError: bad or missing fields, an unknown place or video.
        UnitError: an unknown unit.
    """
    for required in ("event_date", "event_type", "sub_event_type"):
        if not data.get(required):
            raise EventError(f"{required} is required")
    fields = {**SYRIA, "time_precision": 1, "status": "accepted"}
    if place:
        fields.update(_place(place, data))
    fields.update({k: v for k, v in clean_fields(data).items() if v is not None})
    event = Event(created_by=author, updated_by=author)
    _apply(session, event, fields, units or [], sources or [])
    # Our own events get an id in ACLED's column too, so exports re-import as the same events.
    event.event_id_cnty = event.event_id_cnty or f"WB-{uuid.uuid4().hex[:12]}"
    session.add(event)
    history.save(session, "event", event, lambda: _snapshot(event), action, author)
    return event


def get_event(session: Session, ref: str | int) -> Event:
    """An event by id or by ACLED event_id_cnty.

    Raises:
        history.NotFound: no such event.
    """
    text = str(ref).strip()
    event = session.get(Event, int(text)) if text.isdigit() else None
    if event is None:
        event = session.scalars(select(Event).where(Event.event_id_cnty == text)).first()
    if event is None:
        raise history.NotFound(f"no event {text!r}")
    return event


def update_event(session: Session, ref: str | int, changes: dict[str, Any], author: str, *,
                 expected_version: int | None = None, units: list[str] | None = None,
                 sources: list[dict[str, Any]] | None = None, place: str | None = None,
                 add_sources: list[dict[str, Any]] | None = None, action: str = "updated") -> Event:
    """Change an event, as a new version.

    ``units`` and ``sources`` replace the event's when given; ``add_sources`` appends to them.

    Raises:
        ConflictError: the event moved past ``expected_version`` (someone else saved first).
        EventError, UnitError, NotFound: bad input.
    """
    event = get_event(session, ref)
    history.check_version(session, "event", event, expected_version)
    if place and place.strip() != (event.location or "") and placed_by_gazetteer(
            event.location, event.latitude, event.longitude) and (
            changes.get("latitude"), changes.get("longitude")) == (event.latitude, event.longitude):
        # another place named over the old one's gazetteer centre: the gazetteer places it (pinned ones stay)
        changes = {k: v for k, v in changes.items() if k not in ("latitude", "longitude")}
    fields = _place(place, changes) if place else {}
    if "event_type" in changes or "sub_event_type" in changes:
        changes = {"event_type": event.event_type, "sub_event_type": event.sub_event_type, **changes}
    fields.update(clean_fields(changes))
    if add_sources:
        current = [{"url": link.url, "video": link.media_id, "note": link.note} for link in event.links]
        sources = (sources if sources is not None else current) + add_sources
    _apply(session, event, fields, units, sources)
    history.save(session, "event", event, lambda: _snapshot(event), action, author)
    return event


def accept_event(session: Session, ref: str | int, author: str, expected_version: int | None = None) -> Event:
    """Turn a draft into an accepted event (a person has checked it)."""
    return update_event(session, ref, {"status": "accepted"}, author, expected_version=expected_version,
                        action="accepted")


def reject_event(session: Session, ref: str | int, author: str, expected_version: int | None = None) -> Event:
    """Turn down a draft (it is not an incident, or a repeat): kept with its history, never exported."""
    return update_event(session, ref, {"status": "rejected"}, author, expected_version=expected_version,
                        action="rejected")


def linked_videos(session: Session, ref: str | int) -> list[dict[str, Any]]:
    """The videos documenting an event: tagged with it, or named as its source."""
    event = get_event(session, ref)
    tagged = session.scalars(select(Tag.media_id).join(TagEvent, TagEvent.tag_id == Tag.id)
                             .where(TagEvent.event_id == event.id)).all()
    out: dict[int, str] = {m: "tag" for m in tagged}
    for link in event.links:
        if link.media_id is not None:
            out.setdefault(link.media_id, "source")
    return [{"id": m, "via": via} for m, via in sorted(out.items())]


def restore_event(session: Session, ref: str | int, version: int, author: str,
                  expected_version: int | None = None) -> Event:
    """Make an old version current again, as a new version (the history keeps everything)."""
    event = get_event(session, ref)
    history.check_version(session, "event", event, expected_version)
    data = history.revision_data(session, "event", event.id, version)
    fields = {k: data.get(k) for k in TEXT_FIELDS}
    for k in ("event_date", "date_from", "date_to"):
        fields[k] = date.fromisoformat(data[k]) if data.get(k) else None
    for k in ("time_precision", "event_type", "sub_event_type", "latitude", "longitude", "geo_precision",
              "fatalities", "acled_timestamp", "status"):
        fields[k] = data.get(k)
    _apply(session, event, fields, None, [{"url": s["url"], "note": s["note"]} for s in data.get("sources", [])])
    with session.no_autoflush:
        event.units = [u for u in (session.get(Unit, uid) for uid in data.get("unit_ids", [])) if u]
        for link, src in zip(event.links, data.get("sources", []), strict=False):
            link.media_id = src.get("video_id")
    history.save(session, "event", event, lambda: _snapshot(event), f"restored from v{version}", author)
    return event


def list_events(session: Session, *, status: str | None = None, event_type: str | None = None,
                date_from: date | None = None, date_to: date | None = None, text: str | None = None,
                limit: int = 100, offset: int = 0) -> tuple[int, list[Event]]:
    """Events, newest event date first: ``(total, page)``, filtered in the database.

    ``text`` is looked for (case-insensitively) in the title, location, governorate, actors and notes.
    """
    query = select(Event)
    if status:
        query = query.where(Event.status == status)
    if event_type:
        query = query.where(Event.event_type == event_type)
    if date_from:
        query = query.where(Event.event_date >= date_from)
    if date_to:
        query = query.where(Event.event_date <= date_to)
    if text and text.strip():
        like = f"%{text.strip().lower()}%"
        query = query.where(or_(*(func.lower(col).like(like) for col in (
            Event.title, Event.location, Event.admin1, Event.actor1, Event.actor2, Event.notes))))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(Event.event_date.desc(), Event.id.desc()).limit(limit).offset(offset))
    return total, list(rows)


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None
