"""ACLED CSV import and export, with ACLED's exact 31 column names.

Export writes every event (accepted ones by default) in a stable order; importing that file
into an empty catalogue and exporting again gives the same bytes. Import checks every row
first (dates, coordinates, event types, precisions, fatalities, duplicate ids) and reports
bad rows by their line number in the file: the good rows are imported, or, with
``strict=True``, nothing is imported when any row is bad. A file missing a required column
is refused whole. A row whose ``event_id_cnty`` is already known updates that event (a new
version) when something changed, and is reported as unchanged otherwise.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from workbench.db.events import Event
from workbench.events import history
from workbench.events.incidents import EventError, clean_fields, create_event, update_event
from workbench.events.taxonomy import DISORDER_TYPES
from workbench.events.units import find_unit

COLUMNS = ("event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
           "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
           "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
           "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
           "fatalities", "tags", "timestamp")
REQUIRED = ("event_date", "event_type", "sub_event_type", "country", "latitude", "longitude")
# ACLED column -> our field, where the names differ.
_FIELD = {"timestamp": "acled_timestamp"}


@dataclass
class RowResult:
    """What happened to one row: created, updated, unchanged or failed (with the error)."""

    line: int
    status: str
    event_id: int | None = None
    event_id_cnty: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status != "failed"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ImportResult:
    """A whole import: per-row results, and a file-level error when nothing could be read."""

    path: str
    rows: list[RowResult] = field(default_factory=list)
    error: str | None = None  # missing columns, or --strict refusing the file
    imported: bool = True

    @property
    def failed(self) -> int:
        return sum(not r.ok for r in self.rows) + (1 if self.error else 0)

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "error": self.error, "imported": self.imported,
                "ok": sum(r.ok for r in self.rows), "failed": sum(not r.ok for r in self.rows),
                "items": [r.as_dict() for r in self.rows]}


def _fmt_float(value: float | None) -> str:
    return "" if value is None else repr(float(value))  # repr round-trips a float exactly


def event_row(event: Event) -> dict[str, str]:
    """One event as an ACLED CSV row (every value a string)."""
    row = {c: "" for c in COLUMNS}
    for c in COLUMNS:
        value = getattr(event, _FIELD.get(c, c), None) if c not in ("year",) else None
        if isinstance(value, str):
            row[c] = value
        elif isinstance(value, int):
            row[c] = str(value)
    row["event_date"] = event.event_date.isoformat()
    row["year"] = str(event.event_date.year)
    row["latitude"], row["longitude"] = _fmt_float(event.latitude), _fmt_float(event.longitude)
    if event.acled_timestamp is None:
        row["timestamp"] = str(int(event.updated_at.timestamp()))
    return row


def export_csv(session: Session, out: TextIO, *, include_drafts: bool = False) -> int:
    """Write events as ACLED CSV to ``out``, oldest first; returns how many.

    Args:
        session: An open transaction.
        out: A text stream (opened with ``newline=""``).
        include_drafts: Also write draft events (left out by default: nobody has checked them);
            rejected ones never are.
    """
    query = select(Event).order_by(Event.event_date, Event.event_id_cnty, Event.id)
    # rejected drafts are never exported: a person decided they are not incidents
    query = query.where(Event.status.in_(("accepted", "draft") if include_drafts else ("accepted",)))
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    n = 0
    for event in session.scalars(query):
        writer.writerow(event_row(event))
        n += 1
    return n


def _row_fields(row: dict[str, str]) -> dict[str, Any]:
    data = {_FIELD.get(c, c): (row.get(c) or "").strip() for c in COLUMNS if c in row and c != "year"}
    for required in REQUIRED:
        if not data.get(required):
            raise EventError(f"{required} is empty")
    fields = clean_fields(data)
    fields["time_precision"] = fields.get("time_precision") or 1
    fields["disorder_type"] = fields.get("disorder_type") or DISORDER_TYPES.get(fields["event_type"])
    year = (row.get("year") or "").strip()
    if year and year != str(fields["event_date"].year):
        raise EventError(f"year {year} does not match event_date {fields['event_date'].isoformat()}")
    return fields


def _differs(event: Event, fields: dict[str, Any]) -> bool:
    return any(getattr(event, k) != v for k, v in fields.items())


def import_csv(session: Session, path: Path | str, author: str, *, strict: bool = False,
               text: str | None = None) -> ImportResult:
    """Import an ACLED CSV file.

    Args:
        session: An open transaction (the caller commits).
        path: The CSV file.
        author: Who is importing; recorded on every new version.
        strict: Refuse the whole file, importing nothing, when any row is bad.
        text: The file's contents, when already read.

    Returns:
        An ``ImportResult`` with one ``RowResult`` per data row, numbered by the line it
        starts on (the header is line 1).
    """
    result = ImportResult(str(path))
    try:
        text = text if text is not None else Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        result.error, result.imported = f"cannot read {path}: {exc}", False
        return result
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        result.error = f"line 1: missing required column(s): {', '.join(missing)}; nothing imported"
        result.imported = False
        return result
    parsed: list[tuple[int, dict[str, Any] | None]] = []
    seen: dict[str, int] = {}
    start = 2
    for row in reader:
        line, start = start, reader.line_num + 1
        if None in row:
            result.rows.append(RowResult(line, "failed", error=f"line {line}: more values than columns"))
            continue
        try:
            fields = _row_fields(row)
            cnty = fields.get("event_id_cnty")
            if cnty and cnty in seen:
                raise EventError(f"event_id_cnty {cnty} repeats line {seen[cnty]}")
            if cnty:
                seen[cnty] = line
        except EventError as exc:
            result.rows.append(RowResult(line, "failed", event_id_cnty=row.get("event_id_cnty") or None,
                                         error=f"line {line}: {exc}"))
            continue
        parsed.append((line, fields))
    if strict and result.rows:
        result.error = f"--strict: {len(result.rows)} bad row(s); nothing imported"
        result.imported = False
        return result
    actors: dict[str, str | None] = {}  # actor text -> unit name, resolved once per import
    for line, fields in parsed:
        result.rows.append(_store(session, line, fields, author, actors))
    result.rows.sort(key=lambda r: r.line)
    return result


def _store(session: Session, line: int, fields: dict[str, Any], author: str,
           actors: dict[str, str | None]) -> RowResult:
    cnty = fields.get("event_id_cnty")
    units = []
    for column in ("actor1", "actor2", "assoc_actor_1", "assoc_actor_2"):
        text = fields.get(column)
        if text and text not in actors:
            unit = find_unit(session, text)
            actors[text] = unit.name if unit else None
        if text and actors[text]:
            units.append(actors[text])
    existing = session.scalars(select(Event).where(Event.event_id_cnty == cnty)).first() if cnty else None
    try:
        with session.begin_nested():
            if existing is None:
                blank = {k: None for k in ("title", "description", "disorder_type")}
                event = create_event(session, {**blank, **fields}, author, units=list(dict.fromkeys(units)),
                                     action="imported")
                return RowResult(line, "created", event.id, event.event_id_cnty)
            if not _differs(existing, fields):
                return RowResult(line, "unchanged", existing.id, cnty)
            event = update_event(session, existing.id, fields, author, action="imported")
            return RowResult(line, "updated", event.id, cnty)
    except (EventError, history.ConflictError, ValueError) as exc:
        return RowResult(line, "failed", event_id_cnty=cnty, error=f"line {line}: {exc}")
    except (IntegrityError, DataError) as exc:  # e.g. a value longer than its column on PostgreSQL
        return RowResult(line, "failed", event_id_cnty=cnty, error=f"line {line}: the database refused the row "
                                                                   f"({exc.orig.__class__.__name__})")

