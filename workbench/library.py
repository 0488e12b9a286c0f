"""The Library page's catalogue query: filter, count and page through the videos, in the database.

``search_library`` turns a ``LibraryQuery`` into SQL conditions on ``media_files`` (each filter
is an ``id IN (subquery)`` over an indexed column, see migration 0006), then runs one page query
(newest first) that also counts every match (a window count, so the filters' scans run once; a
plain count of the table when nothing is filtered), and only then reads what the rows show for
that page's videos: their summaries, the current analysis's first keyframe as a thumbnail, their
tags' place, date, status, units and events, and their duplicates. Nothing scales with the catalogue in Python
except the distinct place and governorate names the place filters compare (one per named place).

Filter semantics:

- A video with several tags matches when *any* of its tags matches; a video with several sources
  (exact duplicates) when any source does, so it may show under two availabilities (the row's
  ``status`` is its first source's, as everywhere else).
- ``place`` and ``governorate`` accept any transliteration or Arabic: a stored name matches when
  it has the same name key or skeleton as the query (``events.names``), or the gazetteer resolves
  both to the same place.
- Dates: a video's tags' recorded dates (a tag's from/to window when it has no date) decide; only
  a video with no dated tag falls back to its sources' upload dates.
- ``text``: every word must occur (case-insensitively, as a substring) in the title, description,
  uploader, channel or URL of a source, or in a tag's place, governorate, notes or location note;
  Arabic letters that are written interchangeably (alef with or without hamza or madda, taa
  marbuta and haa, alef maqsura and yaa) match each other, and diacritics in the query are
  ignored. A text naming a place (in any transliteration) also finds the tags placed there; 8+
  hex digits also match a SHA-256 prefix.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, not_, or_, select, union
from sqlalchemy.orm import Session, selectinload

from workbench.catalogue import video_summary
from workbench.db import (
    Analysis,
    Availability,
    DuplicateMatch,
    Event,
    Frame,
    MediaFile,
    Source,
    SourceMedia,
    Tag,
    TagEvent,
    TagUnit,
    Unit,
)
from workbench.db.duplicates import rejected_match
from workbench.events.gazetteer import Gazetteer
from workbench.events.names import key, skeleton
from workbench.events.taxonomy import VERIFICATION, choice
from workbench.events.units import name_index
from workbench.workspace import Workspace

LOCAL = "local"  # the availability of a video with no source (imported from disk)
AVAILABILITIES = (*(a.value for a in Availability), LOCAL)
MAX_PAGE_SIZE = 500
MAX_WORDS = 8  # words of a text search that must all occur
HEX_PREFIX = re.compile(r"^[0-9a-f]{8,64}$")
_ARABIC_MARKS = re.compile("[\u064B-\u065F\u0670\u0640]")  # harakat, dagger alif, tatweel
# Letters written interchangeably become LIKE's one-character wildcard in a pattern: the alef forms
# anywhere (أحمد / احمد, إدلب / ادلب), taa marbuta / haa and alef maqsura / yaa at the end of a word.
_ALEFS = frozenset("أإآاٱ")
_FINALS = frozenset("ةهىي")


@dataclass
class LibraryQuery:
    """What the Library page filters on; every field left empty filters nothing."""

    text: str | None = None  # title, description, uploader, URL, place, notes, SHA-256 prefix
    availability: str | None = None  # ok | unavailable | deleted | private | geo-blocked | error | local
    verification: str | None = None  # a Tag.verification value (taxonomy.VERIFICATION)
    place: str | None = None  # a place name in any transliteration, matched against tags' place
    governorate: str | None = None  # Tag.admin1, in any transliteration
    date_from: date | None = None  # recorded date (tag), else source upload date
    date_to: date | None = None
    unit: str | None = None  # a unit's name or alias
    event_id: int | None = None  # tagged with this event
    has_duplicates: bool | None = None  # near duplicate not rejected, or exact (several sources)
    untagged: bool = False  # no tag at all


@dataclass
class LibraryPage:
    """One page of results: ``total`` matching videos in all, and this page's rows, newest first."""

    total: int
    page: int
    page_size: int
    rows: list[dict[str, Any]]


class LibraryError(ValueError):
    """A filter value outside its choices (an unknown availability or verification status)."""


def search_library(ws: Workspace, query: LibraryQuery | None = None, *, page: int = 1,
                   page_size: int = 50) -> LibraryPage:
    """One page of the catalogue's videos matching ``query``, newest (highest id) first.

    Args:
        ws: The workspace.
        query: The filters; None lists every video.
        page: 1-based page number; a page past the end has no rows (``total`` still counts all).
        page_size: Rows per page, 1 to ``MAX_PAGE_SIZE``.

    Returns:
        A ``LibraryPage``. Each row has ``catalogue.video_summary``'s fields, plus ``thumbnail``
        (store-relative path of the current analysis's first keyframe image, or None), ``place``,
        ``admin1``, ``recorded_date`` (ISO) and ``verification`` (from the video's main tag: its
        newest whole-video tag, else its newest tag; empty fields filled from its other tags,
        newest first; None when untagged), ``units`` (names seen in any of its tags, sorted),
        ``events`` (distinct events its tags link), ``duplicates`` (near duplicates not rejected,
        plus one per extra source), ``tags`` (how many) and ``upload_date`` (earliest of its
        sources', ISO, or None).

    Raises:
        LibraryError: an unknown availability or verification value, or a bad page or size.
    """
    query = query or LibraryQuery()
    if page < 1:
        raise LibraryError(f"page {page}: pages start at 1")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise LibraryError(f"page size {page_size} is not between 1 and {MAX_PAGE_SIZE}")
    with ws.reading() as session:
        conds = _conditions(session, query)
        page_query = select(MediaFile.id).where(*conds).order_by(MediaFile.id.desc()) \
            .limit(page_size).offset((page - 1) * page_size)
        total = None
        if conds:  # the filters' scans run once: each row of the page carries the count of all matches
            found = session.execute(page_query.add_columns(func.count().over())).all()
            ids = [media_id for media_id, _ in found]
            total = found[0][1] if found else 0 if page == 1 else None
        else:
            ids = list(session.scalars(page_query))
        if total is None:  # no filter (counting the table is cheap), or a page past the end
            total = session.scalar(select(func.count()).select_from(MediaFile).where(*conds)) or 0
        rows = _rows(session, ids)
    return LibraryPage(total=total, page=page, page_size=page_size, rows=rows)


def library_facets(ws: Workspace) -> dict[str, Any]:
    """The choices of the Library page's filter widgets.

    Returns:
        ``availabilities`` (every value, ``local`` last), ``verifications`` (every status),
        ``governorates`` (the distinct governorates tags name, sorted), ``units`` (names of the
        units some tag shows, sorted) and ``events`` (``{"id", "title", "date"}`` of the events
        some tag links, newest first; an untitled event is labelled by its sub-type and place).
    """
    with ws.reading() as session:
        governorates = sorted(session.scalars(select(Tag.admin1).where(Tag.admin1.is_not(None)).distinct()))
        units = list(session.scalars(select(Unit.name).where(Unit.id.in_(select(TagUnit.unit_id)))
                                     .order_by(Unit.name)))
        events = session.execute(
            select(Event.id, Event.title, Event.event_date, Event.sub_event_type, Event.location)
            .where(Event.id.in_(select(TagEvent.event_id))).order_by(Event.event_date.desc(), Event.id.desc())).all()
    return {
        "availabilities": list(AVAILABILITIES),
        "verifications": list(VERIFICATION),
        "governorates": governorates,
        "units": units,
        "events": [{"id": e.id, "title": e.title or ", ".join(filter(None, (e.sub_event_type, e.location))),
                    "date": e.event_date.isoformat()} for e in events],
    }


# -- filters -------------------------------------------------------------------------------------

def _tagged(*conds: Any) -> Select:
    return select(Tag.media_id).where(*conds)


def _sourced(*conds: Any) -> Select:
    return select(SourceMedia.media_id).join(Source, Source.id == SourceMedia.source_id).where(*conds)


def _conditions(session: Session, q: LibraryQuery) -> list[ColumnElement[bool]]:
    """SQL conditions on ``media_files`` for every filter set in ``q``."""
    ids = MediaFile.id
    conds: list[ColumnElement[bool]] = []
    if q.text and q.text.strip():
        conds.append(_text_condition(session, q.text))
    if q.availability:
        value = _choice(q.availability, AVAILABILITIES, "availability")
        conds.append(ids.not_in(select(SourceMedia.media_id)) if value == LOCAL
                     else ids.in_(_sourced(Source.availability == value)))
    if q.verification:
        conds.append(ids.in_(_tagged(Tag.verification == _choice(q.verification, VERIFICATION, "verification"))))
    if q.place and q.place.strip():
        names = _matching_names(session, Tag.place, q.place)
        conds.append(ids.in_(_tagged(Tag.place.in_(names))) if names else false())
    if q.governorate and q.governorate.strip():
        names = _matching_names(session, Tag.admin1, q.governorate, governorate=True)
        conds.append(ids.in_(_tagged(Tag.admin1.in_(names))) if names else false())
    if q.date_from or q.date_to:
        conds.append(_date_condition(q.date_from, q.date_to))
    if q.unit and q.unit.strip():
        unit_id = _unit_id(session, q.unit)
        conds.append(ids.in_(_tagged().join(TagUnit, TagUnit.tag_id == Tag.id).where(TagUnit.unit_id == unit_id))
                     if unit_id is not None else false())
    if q.event_id is not None:
        conds.append(ids.in_(_tagged().join(TagEvent, TagEvent.tag_id == Tag.id)
                             .where(TagEvent.event_id == int(q.event_id))))
    if q.has_duplicates is not None:
        dup = or_(ids.in_(_near_duplicate_ids()), ids.in_(_exact_duplicate_ids()))
        conds.append(dup if q.has_duplicates else not_(dup))
    if q.untagged:
        conds.append(ids.not_in(select(Tag.media_id)))
    return conds


def _choice(value: str, allowed: tuple[str, ...], what: str) -> str:
    try:
        return choice(value.strip(), allowed, what) or value
    except ValueError as exc:
        raise LibraryError(str(exc)) from None


def _like(word: str) -> str:
    """A case-insensitive LIKE pattern (escape ``\\``) finding ``word`` anywhere, Arabic variants folded."""
    word = _ARABIC_MARKS.sub("", word)
    folded = [("_" if ch in _ALEFS or (ch in _FINALS and i == len(word) - 1) else
               "\\" + ch if ch in "\\%_" else ch) for i, ch in enumerate(word)]
    return "%" + "".join(folded) + "%"


def _text_condition(session: Session, text: str) -> ColumnElement[bool]:
    """Every word somewhere in a source's or a tag's text; or a place named; or a SHA-256 prefix."""
    words = text.split()[:MAX_WORDS]
    # SQLite's LIKE ignores (ASCII) case itself, 2-3x faster than ILIKE's lower(x) LIKE lower(y) there
    sqlite = session.get_bind().dialect.name == "sqlite"
    per_word = []
    for word in words:
        pattern = _like(word)

        def has(col: Any, pattern: str = pattern) -> ColumnElement[bool]:
            return col.like(pattern, escape="\\") if sqlite else col.ilike(pattern, escape="\\")

        in_source = or_(*(has(col) for col in (Source.title, Source.description, Source.uploader, Source.channel,
                                               Source.original_url, Source.canonical_url)))
        in_tag = or_(*(has(col) for col in (Tag.place, Tag.admin1, Tag.notes, Tag.location_note)))
        per_word.append(or_(MediaFile.id.in_(_sourced(in_source)), MediaFile.id.in_(_tagged(in_tag))))
    alternatives = [and_(*per_word)]
    places = _matching_names(session, Tag.place, text, fuzzy=False)
    if places:
        alternatives.append(MediaFile.id.in_(_tagged(Tag.place.in_(places))))
    prefix = text.strip().lower()
    if HEX_PREFIX.match(prefix):  # every SHA-256 with this prefix sorts in [prefix, prefix + "g")
        alternatives.append(and_(MediaFile.sha256 >= prefix, MediaFile.sha256 < prefix + "g"))
    return or_(*alternatives)


def _date_condition(start: date | None, end: date | None) -> ColumnElement[bool]:
    def within(col: Any) -> list[ColumnElement[bool]]:
        return [c for c in (col >= start if start else None, col <= end if end else None) if c is not None]

    window = [Tag.recorded_date.is_(None), or_(Tag.recorded_from.is_not(None), Tag.recorded_to.is_not(None))]
    if start:
        window.append(or_(Tag.recorded_to.is_(None), Tag.recorded_to >= start))
    if end:
        window.append(or_(Tag.recorded_from.is_(None), Tag.recorded_from <= end))
    dated = or_(Tag.recorded_date.is_not(None), Tag.recorded_from.is_not(None), Tag.recorded_to.is_not(None))
    by_tag = MediaFile.id.in_(_tagged(or_(and_(*within(Tag.recorded_date)), and_(*window))))
    by_upload = and_(MediaFile.id.not_in(_tagged(dated)), MediaFile.id.in_(_sourced(*within(Source.upload_date))))
    return or_(by_tag, by_upload)


def _unit_id(session: Session, name: str) -> int | None:
    """The unit a name or alias (any spelling) means, without seeding the vocabulary."""
    if name.strip().isdigit():
        return int(name.strip())
    index = name_index(session)
    return index.get(("key", key(name))) or index.get(("skeleton", skeleton(name)))


def _near_duplicate_ids() -> Any:
    live = not_(rejected_match())
    return union(select(DuplicateMatch.media_a_id).where(live), select(DuplicateMatch.media_b_id).where(live))


def _exact_duplicate_ids() -> Select:
    return select(SourceMedia.media_id).group_by(SourceMedia.media_id).having(func.count() > 1)


# -- place names ---------------------------------------------------------------------------------

@lru_cache(maxsize=1 << 14)
def _places(name: str, fuzzy: bool) -> frozenset[str]:
    """Gazetteer ids a name may mean: the match and the places sharing its name (all of them if
    ambiguous); fuzzy matches only when asked."""
    found = Gazetteer.default().lookup(name)
    if found.place is not None and (fuzzy or found.how != "fuzzy"):
        return frozenset(p.id for p in [found.place, *found.alternatives])
    if found.how == "ambiguous":
        return frozenset(p.id for p, _ in found.suggestions)
    return frozenset()


def _governorates(ids: frozenset[str]) -> frozenset[str]:
    places = Gazetteer.default().places
    return frozenset(skeleton(places[i].admin1) for i in ids if places[i].kind == "governorate" and places[i].admin1)


def _matching_names(session: Session, column: Any, text: str, *, fuzzy: bool = True,
                    governorate: bool = False) -> list[str]:
    """The distinct stored values of a tag column that name the place ``text`` names."""
    text = text.strip()
    wanted = _places(text, fuzzy)
    k, s = key(text), skeleton(text)
    if not k:
        return []
    skeletons = {s} | (_governorates(wanted) if governorate else set())
    out = []
    for value in session.scalars(select(column).where(column.is_not(None)).distinct()):
        if key(value) == k or skeleton(value) in skeletons or (not governorate and wanted & _places(value, False)):
            out.append(value)
    return out


# -- rows ----------------------------------------------------------------------------------------

def _rows(session: Session, ids: list[int]) -> list[dict[str, Any]]:
    """What the page shows for these videos, in this order, in a handful of queries over them only."""
    if not ids:
        return []
    medias = {m.id: m for m in session.scalars(
        select(MediaFile).where(MediaFile.id.in_(ids))
        .options(selectinload(MediaFile.sources), selectinload(MediaFile.acquisitions)))}
    thumbs = _thumbnails(session, ids)
    tags: dict[int, list[Tag]] = defaultdict(list)
    for tag in session.scalars(select(Tag).where(Tag.media_id.in_(ids)).order_by(Tag.id.desc())):
        tags[tag.media_id].append(tag)
    units: dict[int, set[str]] = defaultdict(set)
    for media_id, name in session.execute(
            select(Tag.media_id, Unit.name).join(TagUnit, TagUnit.tag_id == Tag.id)
            .join(Unit, Unit.id == TagUnit.unit_id).where(Tag.media_id.in_(ids)).distinct()):
        units[media_id].add(name)
    events = {media_id: n for media_id, n in session.execute(
        select(Tag.media_id, func.count(TagEvent.event_id.distinct())).join(TagEvent, TagEvent.tag_id == Tag.id)
        .where(Tag.media_id.in_(ids)).group_by(Tag.media_id))}
    near: dict[int, set[int]] = defaultdict(set)
    for a, b in session.execute(select(DuplicateMatch.media_a_id, DuplicateMatch.media_b_id).where(
            or_(DuplicateMatch.media_a_id.in_(ids), DuplicateMatch.media_b_id.in_(ids)), not_(rejected_match()))):
        near[a].add(b)
        near[b].add(a)
    rows = []
    for media_id in ids:
        media = medias[media_id]
        row = video_summary(media)
        row.update(_tag_fields(tags.get(media_id, [])))
        uploads = [s.upload_date for s in media.sources if s.upload_date]
        row.update({
            "thumbnail": thumbs.get(media_id), "units": sorted(units.get(media_id, ())),
            "events": events.get(media_id, 0), "tags": len(tags.get(media_id, [])),
            "duplicates": len(near.get(media_id, ())) + max(len(media.sources) - 1, 0),
            "upload_date": min(uploads).isoformat() if uploads else None,
        })
        rows.append(row)
    return rows


def _tag_fields(tags: list[Tag]) -> dict[str, Any]:
    """Place, governorate, recorded date and status from the main tag (newest whole-video one, else
    newest), each empty field filled from the other tags, newest first. ``tags`` is newest first."""
    ordered = sorted(tags, key=lambda t: t.scope != "video")  # stable: newest first within each group
    pick = {f: next((getattr(t, f) for t in ordered if getattr(t, f) is not None), None)
            for f in ("place", "admin1", "recorded_date")}
    return {"place": pick["place"], "admin1": pick["admin1"],
            "recorded_date": pick["recorded_date"].isoformat() if pick["recorded_date"] else None,
            "verification": ordered[0].verification if ordered else None}


def _thumbnails(session: Session, ids: list[int]) -> dict[int, str]:
    """The first keyframe image of each video's current analysis (newest with status ok or partial)."""
    current: dict[int, int] = {}
    for analysis_id, media_id in session.execute(
            select(Analysis.id, Analysis.media_id).where(Analysis.media_id.in_(ids),
                                                         Analysis.status.in_(("ok", "partial")))
            .order_by(Analysis.id.desc())):
        current.setdefault(media_id, analysis_id)
    if not current:
        return {}
    keyframe = and_(Frame.analysis_id.in_(current.values()), Frame.kind == "keyframe", Frame.image_path.is_not(None))
    first = select(Frame.analysis_id, func.min(Frame.t_ms).label("t_ms")).where(keyframe) \
        .group_by(Frame.analysis_id).subquery()
    found: dict[int, str] = {}
    for media_id, path in session.execute(
            select(Frame.media_id, Frame.image_path).join(first, and_(Frame.analysis_id == first.c.analysis_id,
                                                                      Frame.t_ms == first.c.t_ms))
            .where(keyframe).order_by(Frame.id)):
        found.setdefault(media_id, path)
    return found
