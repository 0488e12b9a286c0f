"""The units vocabulary: armed formations seen in Syrian footage, their aliases, sides and parents.

Seeded on first use from ``data/units.csv`` (Free Syrian Army and well-known brigades, Liwa
al-Islam and its successor Jaysh al-Islam, Syrian Arab Army formations, NDF, Jaysh al-Sha'bi,
shabiha, Hezbollah, Jabhat al-Nusra / HTS, ISIS, YPG / SDF); investigators add units and
aliases. Names match the way places do (see ``names``): "Al-Jaish Al-Sha'bi" is Jaysh al-Sha'bi.
"""

from __future__ import annotations

import csv
from datetime import date
from importlib import resources
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workbench.db.events import Unit, UnitAlias
from workbench.events.names import key, skeleton, tokens
from workbench.events.taxonomy import SIDES, choice


class UnitError(ValueError):
    """A unit that cannot be added or found, with a message saying why."""


def ensure_seeded(session: Session, author: str = "seed") -> None:
    """Load the shipped vocabulary into an empty units table (nothing happens otherwise)."""
    if session.scalar(select(func.count()).select_from(Unit)):
        return
    text = resources.files("workbench.events").joinpath("data/units.csv").read_text(encoding="utf-8")
    by_name: dict[str, Unit] = {}
    for row in csv.DictReader(text.splitlines()):
        unit = Unit(name=row["name"], name_ar=row["name_ar"] or None, side=row["side"],
                    parent=by_name.get(row["parent"]) if row["parent"] else None,
                    valid_from=date.fromisoformat(row["valid_from"]) if row["valid_from"] else None,
                    valid_to=date.fromisoformat(row["valid_to"]) if row["valid_to"] else None,
                    note=row["note"] or None, created_by=author,
                    aliases=[UnitAlias(alias=a) for a in row["aliases"].split("|") if a])
        session.add(unit)
        by_name[unit.name] = unit
    session.flush()


def unit_dict(unit: Unit) -> dict[str, Any]:
    """A unit as plain data."""
    return {"id": unit.id, "name": unit.name, "name_ar": unit.name_ar, "side": unit.side,
            "parent": unit.parent.name if unit.parent else None,
            "valid_from": unit.valid_from.isoformat() if unit.valid_from else None,
            "valid_to": unit.valid_to.isoformat() if unit.valid_to else None,
            "aliases": [a.alias for a in unit.aliases], "note": unit.note}


def list_units(session: Session, side: str | None = None) -> list[Unit]:
    """Every unit (of one side, if given), by name."""
    ensure_seeded(session)
    query = select(Unit).order_by(Unit.name)
    if side:
        query = query.where(Unit.side == choice(side, SIDES, "side"))
    return list(session.scalars(query))


def _names(unit: Unit) -> list[str]:
    return [unit.name, *(a.alias for a in unit.aliases), *([unit.name_ar] if unit.name_ar else [])]


def find_unit(session: Session, name: str) -> Unit | None:
    """The unit called ``name`` (its name, an alias, or its Arabic name, in any spelling), or None."""
    ensure_seeded(session)
    if name.strip().isdigit():
        return session.get(Unit, int(name))
    index = name_index(session)
    uid = index.get(("key", key(name))) or index.get(("skeleton", skeleton(name)))
    return session.get(Unit, uid) if uid else None


def name_index(session: Session) -> dict[tuple[str, str], int]:
    """Every unit name's exact key and skeleton -> unit id (the first unit wins a shared name)."""
    rows = session.execute(select(Unit.id, Unit.name, Unit.name_ar).order_by(Unit.id)).all()
    aliases = session.execute(select(UnitAlias.unit_id, UnitAlias.alias).order_by(UnitAlias.id)).all()
    names = [(uid, n) for uid, name, ar in rows for n in (name, ar) if n] + [tuple(a) for a in aliases]
    index: dict[tuple[str, str], int] = {}
    for fold, label in ((key, "key"), (skeleton, "skeleton")):
        for uid, n in names:
            index.setdefault((label, fold(n)), uid)
    return index


def suggest_units(session: Session, name: str, limit: int = 5) -> list[tuple[Unit, float]]:
    """Units whose names look like ``name``, best first, with a 0-100 score."""
    ensure_seeded(session)
    choices = {}
    for unit in session.scalars(select(Unit)):
        for n in _names(unit):
            choices[(unit.id, n)] = skeleton(n)
    best: dict[int, float] = {}
    for _, score, (uid, _n) in process.extract(skeleton(name), choices, scorer=fuzz.ratio, limit=limit * 4):
        best[uid] = max(best.get(uid, 0.0), float(score))
    ranked = sorted(best.items(), key=lambda kv: -kv[1])[:limit]
    return [(session.get(Unit, uid), score) for uid, score in ranked if score >= 50]


def resolve_unit(session: Session, name: str) -> Unit:
    """The unit called ``name``, or a UnitError listing the closest names."""
    unit = find_unit(session, name)
    if unit is None:
        near = ", ".join(u.name for u, _ in suggest_units(session, name)) or "none"
        raise UnitError(f"unknown unit {name!r} (closest: {near}); add it with `workbench units add`")
    return unit


def add_unit(session: Session, name: str, *, side: str | None = None, name_ar: str | None = None,
             aliases: list[str] | None = None, parent: str | None = None, valid_from: date | None = None,
             valid_to: date | None = None, note: str | None = None, author: str) -> tuple[Unit, bool]:
    """Add a unit, or add aliases to an existing one.

    Args:
        session: An open transaction.
        name: The canonical name (or, for an existing unit, any of its names).
        side: Required for a new unit: one of ``taxonomy.SIDES``.
        name_ar, aliases, parent, valid_from, valid_to, note: The unit's other fields.
        author: Who is adding it.

    Returns:
        ``(unit, created)``.

    Raises:
        UnitError: no side for a new unit, an unknown side or parent, or an alias another unit uses.
    """
    ensure_seeded(session)
    unit = find_unit(session, name)
    created = unit is None
    if created:
        if not side:
            raise UnitError(f"{name!r} is a new unit: give its side ({', '.join(SIDES)})")
        try:
            side = choice(side, SIDES, "side")
        except ValueError as exc:
            raise UnitError(str(exc)) from None
        if valid_from and valid_to and valid_to < valid_from:
            raise UnitError(f"valid to {valid_to} is before valid from {valid_from}")
        unit = Unit(name=name.strip(), side=side, name_ar=name_ar, note=note, valid_from=valid_from,
                    valid_to=valid_to, created_by=author,
                    parent=resolve_unit(session, parent) if parent else None)
        session.add(unit)
    for alias in aliases or []:
        other = find_unit(session, alias)
        if other is not None and other is not unit:
            raise UnitError(f"alias {alias!r} already names {other.name!r}")
        if other is None:
            unit.aliases.append(UnitAlias(alias=alias.strip()))
    session.flush()
    return unit, created


def find_units(session: Session, text: str, max_words: int = 6) -> list[tuple[Unit, str]]:
    """Units named in free text, in order (longest name first at each position, no fuzzy matching).

    Aliases of three letters or fewer (FSA, SDF, HTS) count only when written in capitals.
    """
    ensure_seeded(session)
    index: dict[str, Unit] = {}
    short: dict[str, Unit] = {}
    for unit in session.scalars(select(Unit)):
        for n in _names(unit):
            if len(n) <= 3:
                short[n] = unit
            else:
                index.setdefault(key(n), unit)
                index.setdefault(skeleton(n), unit)
    words = tokens(text)
    raw = text.replace("’", "'").split()
    found, i = [], 0
    caps = {w.strip(".,;:()!?\"'") for w in raw}
    for abbr, unit in short.items():
        if abbr in caps:
            found.append((unit, abbr))
    while i < len(words):
        for n in range(min(max_words, len(words) - i), 0, -1):
            chunk = " ".join(words[i:i + n])
            unit = index.get(key(chunk)) or index.get(skeleton(chunk))
            if unit is not None and len(chunk) > 3:
                found.append((unit, chunk))
                i += n
                break
        else:
            i += 1
    return found
