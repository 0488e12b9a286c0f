"""Versions of events and tags: nothing is lost, and a stale save is refused.

Every saved state of an event or a tag is a ``Revision`` row (entity, id, version, author,
time, every field's value). Rows carry a ``version`` number that SQLAlchemy bumps on each
update with ``UPDATE ... WHERE version = <the one read>``: a save based on an older version
(a second investigator editing the same tag at once) raises ``ConflictError`` instead of
overwriting, both when the caller names the version it edited and when two transactions race.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from workbench.db.events import Revision
from workbench.db.models import utcnow


class ConflictError(ValueError):
    """Someone else saved a newer version first; the message says who, when, and what to do."""


class NotFound(LookupError):
    """No event, tag or version with that number."""


def latest(session: Session, entity: str, entity_id: int) -> Revision | None:
    """The newest revision of one event or tag."""
    return session.scalars(select(Revision).where(Revision.entity == entity, Revision.entity_id == entity_id)
                           .order_by(Revision.version.desc()).limit(1)).first()


def check_version(session: Session, entity: str, row: Any, expected: int | None) -> None:
    """Refuse a save made against an older version than the stored one.

    Args:
        session: An open transaction.
        entity: ``"event"`` or ``"tag"``.
        row: The stored row (with ``id`` and ``version``).
        expected: The version the caller read before editing; None skips the check.

    Raises:
        ConflictError: the stored version is not ``expected``.
    """
    if expected is None or row.version == expected:
        return
    last = latest(session, entity, row.id)
    who = f" by {last.author} at {last.saved_at:%Y-%m-%d %H:%M:%S} UTC" if last else ""
    raise ConflictError(
        f"conflict: {entity} {row.id} is at version {row.version} (saved{who}), but your edit was made on "
        f"version {expected}; nothing was saved. Look at its history, then reapply your change to version "
        f"{row.version}.")


def save(session: Session, entity: str, row: Any, data: dict[str, Any] | Callable[[], dict[str, Any]],
         action: str, author: str) -> Revision:
    """Flush ``row`` (bumping its version once) and record its state as a new revision.

    ``data`` may be a function, called after the flush: reading relationships for a snapshot
    before it would autoflush the row and spend a version.

    Raises:
        ConflictError: another transaction updated the row since it was read.
    """
    row_id = row.id
    row.updated_at = utcnow()
    row.updated_by = author
    try:
        session.flush()
    except StaleDataError:
        raise ConflictError(f"conflict: {entity} {row_id} was changed by someone else while you edited it; "
                            f"nothing was saved. Reload it and reapply your change.") from None
    revision = Revision(entity=entity, entity_id=row.id, version=row.version, action=action, author=author,
                        saved_at=row.updated_at, data=data() if callable(data) else data)
    session.add(revision)
    session.flush()
    return revision


def list_history(session: Session, entity: str, entity_id: int) -> list[dict[str, Any]]:
    """Every revision of one event or tag, oldest first, with the fields that changed in each."""
    rows = session.scalars(select(Revision).where(Revision.entity == entity, Revision.entity_id == entity_id)
                           .order_by(Revision.version)).all()
    out, previous = [], {}
    for rev in rows:
        changed = sorted(k for k in set(rev.data) | set(previous) if rev.data.get(k) != previous.get(k))
        out.append({"version": rev.version, "action": rev.action, "author": rev.author,
                    "saved_at": _iso(rev.saved_at), "changed": changed, "data": rev.data})
        previous = rev.data
    return out


def revision_data(session: Session, entity: str, entity_id: int, version: int) -> dict[str, Any]:
    """The fields of one saved version.

    Raises:
        NotFound: no such version.
    """
    rev = session.scalars(select(Revision).where(Revision.entity == entity, Revision.entity_id == entity_id,
                                                 Revision.version == version)).first()
    if rev is None:
        raise NotFound(f"{entity} {entity_id} has no version {version}")
    return dict(rev.data)


def snapshot(data: dict[str, Any], units: Any) -> dict[str, Any]:
    """What a version stores of a row: its fields without identity and bookkeeping, plus its units' ids."""
    data = {k: v for k, v in data.items() if k not in ("id", "version", "updated_by", "updated_at")}
    data["unit_ids"] = sorted(u.id for u in units)
    return data


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
