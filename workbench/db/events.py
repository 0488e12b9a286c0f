"""The event database and tagging tables, as SQLAlchemy ORM models.

An *event* is an incident in ACLED's terms (type and sub-type, date with time precision,
place with geo precision, actors, fatalities, sources). A *unit* is an armed formation from
the units vocabulary, with aliases. A *tag* says where, when and by whom a video (or a
segment of it, or a keyframe) was filmed, which units appear, and which events it documents.

Nothing is lost: events and tags carry a ``version`` number (optimistic concurrency: a save
against an older version is refused) and every saved state is kept in ``revisions``. Links
found in posts wait in ``archive_queue``. Portable types only; the schema is migration 0003.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workbench.db.models import Base, UTCDateTime, utcnow


class Unit(Base):
    """An armed formation seen in footage: Free Syrian Army, 4th Armoured Division, ..."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(256), unique=True)
    name_ar: Mapped[str | None] = mapped_column(String(256))
    side: Mapped[str] = mapped_column(String(32))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped[Unit | None] = relationship(remote_side=[id])
    aliases: Mapped[list[UnitAlias]] = relationship(back_populates="unit", order_by="UnitAlias.id",
                                                    cascade="all, delete-orphan")


class UnitAlias(Base):
    """Another name a unit goes by (FSA, Jaish al-Islam, الجيش الحر)."""

    __tablename__ = "unit_aliases"
    __table_args__ = (UniqueConstraint("unit_id", "alias", name="uq_unit_alias"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    alias: Mapped[str] = mapped_column(String(256))

    unit: Mapped[Unit] = relationship(back_populates="aliases")


class Event(Base):
    """One incident, with every ACLED column kept so an export re-imports identically."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id_cnty: Mapped[str | None] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="accepted")  # draft | accepted
    title: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    event_date: Mapped[date] = mapped_column(Date, index=True)
    time_precision: Mapped[int] = mapped_column(Integer, default=1)
    date_from: Mapped[date | None] = mapped_column(Date)
    date_to: Mapped[date | None] = mapped_column(Date)
    disorder_type: Mapped[str | None] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(64))
    sub_event_type: Mapped[str] = mapped_column(String(64))
    actor1: Mapped[str | None] = mapped_column(Text)
    assoc_actor_1: Mapped[str | None] = mapped_column(Text)
    inter1: Mapped[str | None] = mapped_column(String(64))
    actor2: Mapped[str | None] = mapped_column(Text)
    assoc_actor_2: Mapped[str | None] = mapped_column(Text)
    inter2: Mapped[str | None] = mapped_column(String(64))
    interaction: Mapped[str | None] = mapped_column(String(128))
    civilian_targeting: Mapped[str | None] = mapped_column(String(64))
    iso: Mapped[str | None] = mapped_column(String(8))
    region: Mapped[str | None] = mapped_column(String(64))
    country: Mapped[str | None] = mapped_column(String(64))
    admin1: Mapped[str | None] = mapped_column(String(128))
    admin2: Mapped[str | None] = mapped_column(String(128))
    admin3: Mapped[str | None] = mapped_column(String(128))
    location: Mapped[str | None] = mapped_column(String(256))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    geo_precision: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str | None] = mapped_column(Text)
    source_scale: Mapped[str | None] = mapped_column(String(128))
    notes: Mapped[str | None] = mapped_column(Text)
    fatalities: Mapped[int | None] = mapped_column(Integer)
    tags: Mapped[str | None] = mapped_column(Text)
    acled_timestamp: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(256))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(256))

    units: Mapped[list[Unit]] = relationship(secondary="event_units", order_by="Unit.id")
    links: Mapped[list[EventSource]] = relationship(back_populates="event", order_by="EventSource.id",
                                                    cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}


class EventUnit(Base):
    """An actor of an event, from the units vocabulary."""

    __tablename__ = "event_units"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)


class EventSource(Base):
    """A source of an event: a URL, an archived video, or both."""

    __tablename__ = "event_sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    url: Mapped[str | None] = mapped_column(Text)
    media_id: Mapped[int | None] = mapped_column(ForeignKey("media_files.id"))
    note: Mapped[str | None] = mapped_column(Text)

    event: Mapped[Event] = relationship(back_populates="links")


class Tag(Base):
    """What investigators established about a video, a segment of it, or one keyframe."""

    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    media_id: Mapped[int] = mapped_column(ForeignKey("media_files.id"), index=True)
    scope: Mapped[str] = mapped_column(String(16))  # video | segment | keyframe
    start_s: Mapped[float | None] = mapped_column(Float)
    end_s: Mapped[float | None] = mapped_column(Float)
    keyframe_ms: Mapped[int | None] = mapped_column(Integer)  # keyframes table comes later: no FK yet
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    place: Mapped[str | None] = mapped_column(String(256), index=True)
    admin1: Mapped[str | None] = mapped_column(String(128), index=True)
    precision: Mapped[str | None] = mapped_column(String(16))  # 10m | 100m | 1km | town | governorate
    method: Mapped[str | None] = mapped_column(String(32))
    confidence: Mapped[str | None] = mapped_column(String(16))  # low | medium | high
    point_of: Mapped[str | None] = mapped_column(String(16))  # camera | subject
    location_note: Mapped[str | None] = mapped_column(Text)
    recorded_date: Mapped[date | None] = mapped_column(Date, index=True)
    recorded_time: Mapped[str | None] = mapped_column(String(8))  # HH:MM, local (Asia/Damascus)
    recorded_precision: Mapped[str | None] = mapped_column(String(16))  # minute | hour | day | month | year
    recorded_from: Mapped[date | None] = mapped_column(Date)
    recorded_to: Mapped[date | None] = mapped_column(Date)
    verification: Mapped[str] = mapped_column(String(24), default="unverified", index=True)
    graphic: Mapped[bool] = mapped_column(Boolean, default=False)
    personal_info: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(256))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(256))

    units: Mapped[list[Unit]] = relationship(secondary="tag_units", order_by="Unit.id")
    events: Mapped[list[Event]] = relationship(secondary="tag_events", order_by="Event.id")

    __mapper_args__ = {"version_id_col": version}


class TagUnit(Base):
    """A unit seen in the tagged footage."""

    __tablename__ = "tag_units"

    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True, index=True)


class TagEvent(Base):
    """An event the tagged footage documents (many to many)."""

    __tablename__ = "tag_events"

    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id"), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), primary_key=True, index=True)


class Revision(Base):
    """One saved state of an event or a tag: who saved it, when, and every field's value."""

    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("entity", "entity_id", "version", name="uq_revision"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity: Mapped[str] = mapped_column(String(16))  # event | tag
    entity_id: Mapped[int] = mapped_column(Integer, index=True)
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32))  # created | updated | restored from vN | accepted
    author: Mapped[str] = mapped_column(String(256))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class ArchiveQueue(Base):
    """A link found in a post, waiting to be archived."""

    __tablename__ = "archive_queue"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    found_in: Mapped[str | None] = mapped_column(Text)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    queued_by: Mapped[str] = mapped_column(String(256))
    state: Mapped[str] = mapped_column(String(16), default="queued")  # queued | archived | failed
