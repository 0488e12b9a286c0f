"""The catalogue's tables, as SQLAlchemy ORM models.

A *source* is a place a video was published (one row per URL or platform id), a *media
file* is a set of bytes identified by its SHA-256, and ``source_media`` links them many to
many: the same bytes from two URLs are one file linked twice. Every acquisition (who, when,
how, with which tools) and every availability check of a source is kept as its own row, so
the chain of custody can be followed and nothing is overwritten.

Schema changes go through Alembic migrations in ``workbench/db/migrations``; portable types
only (no SQLite-only SQL), since team installs run on PostgreSQL.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every backend (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: store aware UTC datetimes only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Availability(enum.StrEnum):
    """What a platform said the last time a source was checked."""

    OK = "ok"
    UNAVAILABLE = "unavailable"
    DELETED = "deleted"
    PRIVATE = "private"
    GEO_BLOCKED = "geo-blocked"
    ERROR = "error"


class Method(enum.StrEnum):
    YTDLP = "yt-dlp"
    LOCAL = "local import"
    UPLOAD = "browser upload"


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Source(Base):
    """One published copy: a URL, or a platform's video id."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # "<extractor>:<platform id>" for platforms, "url:<canonical url>" for plain web files,
    # whose ids (a file name) are not unique across sites.
    key: Mapped[str] = mapped_column(String(2048), unique=True)
    original_url: Mapped[str] = mapped_column(Text)
    canonical_url: Mapped[str | None] = mapped_column(Text)
    extractor: Mapped[str | None] = mapped_column(String(128))
    platform_id: Mapped[str | None] = mapped_column(String(512))
    uploader: Mapped[str | None] = mapped_column(Text)
    uploader_id: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[str | None] = mapped_column(Text)
    channel_id: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    upload_date: Mapped[date | None] = mapped_column(Date, index=True)
    timestamp: Mapped[datetime | None] = mapped_column(UTCDateTime)
    duration: Mapped[float | None] = mapped_column(Float)
    first_archived_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    availability: Mapped[str] = mapped_column(String(16), default=Availability.OK, index=True)
    availability_message: Mapped[str | None] = mapped_column(Text)

    media: Mapped[list[MediaFile]] = relationship(
        secondary="source_media", back_populates="sources", order_by="MediaFile.id")
    checks: Mapped[list[SourceCheck]] = relationship(
        back_populates="source", order_by="SourceCheck.id")


class MediaFile(Base):
    """A video's bytes in the store, identified by SHA-256, with what probing found."""

    __tablename__ = "media_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    ext: Mapped[str] = mapped_column(String(16))
    store_path: Mapped[str] = mapped_column(Text)  # relative to the data home
    container: Mapped[str | None] = mapped_column(String(128))
    codec: Mapped[str | None] = mapped_column(String(64))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    fps: Mapped[float | None] = mapped_column(Float)
    duration: Mapped[float | None] = mapped_column(Float)
    frame_count: Mapped[int | None] = mapped_column(Integer)
    rotation: Mapped[int | None] = mapped_column(Integer)
    audio_codec: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sources: Mapped[list[Source]] = relationship(
        secondary="source_media", back_populates="media", order_by="Source.id")
    acquisitions: Mapped[list[Acquisition]] = relationship(
        back_populates="media", order_by="Acquisition.id")


class SourceMedia(Base):
    """The many-to-many link: these bytes were obtained from this source."""

    __tablename__ = "source_media"

    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), primary_key=True)
    media_id: Mapped[int] = mapped_column(ForeignKey("media_files.id"), primary_key=True, index=True)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Acquisition(Base):
    """How one media file entered the archive: when, by whom, how, with which tools."""

    __tablename__ = "acquisitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    media_id: Mapped[int] = mapped_column(ForeignKey("media_files.id"), index=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"), index=True)
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    acquired_by: Mapped[str] = mapped_column(String(256))
    method: Mapped[str] = mapped_column(String(32))
    tool_versions: Mapped[dict[str, Any]] = mapped_column(JSON)
    options: Mapped[dict[str, Any]] = mapped_column(JSON)
    http_status: Mapped[int | None] = mapped_column(Integer)
    original_path: Mapped[str | None] = mapped_column(Text)
    original_mtime: Mapped[datetime | None] = mapped_column(UTCDateTime)
    info_json_sha256: Mapped[str | None] = mapped_column(String(64))

    media: Mapped[MediaFile] = relationship(back_populates="acquisitions")
    source: Mapped[Source | None] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="acquisition", order_by="Attachment.id")


class Attachment(Base):
    """A blob the platform gave with a video: info.json, a thumbnail, a subtitle track."""

    __tablename__ = "attachments"
    __table_args__ = (UniqueConstraint("acquisition_id", "kind", "sha256", name="uq_attachment"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    acquisition_id: Mapped[int] = mapped_column(ForeignKey("acquisitions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # info.json | thumbnail | subtitle
    label: Mapped[str | None] = mapped_column(String(256))  # subtitle language, thumbnail id
    sha256: Mapped[str] = mapped_column(String(64))
    ext: Mapped[str] = mapped_column(String(16))
    size: Mapped[int] = mapped_column(BigInteger)
    store_path: Mapped[str] = mapped_column(Text)

    acquisition: Mapped[Acquisition] = relationship(back_populates="attachments")


class SourceCheck(Base):
    """One look at a source: an archive run or a metadata-only recheck, and what it found."""

    __tablename__ = "source_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_by: Mapped[str] = mapped_column(String(256))
    kind: Mapped[str] = mapped_column(String(16))  # archive | recheck
    availability: Mapped[str] = mapped_column(String(16))
    message: Mapped[str | None] = mapped_column(Text)
    http_status: Mapped[int | None] = mapped_column(Integer)
    media_id: Mapped[int | None] = mapped_column(ForeignKey("media_files.id"))
    info_json_sha256: Mapped[str | None] = mapped_column(String(64))

    source: Mapped[Source] = relationship(back_populates="checks")


class Analysis(Base):
    """One run of the keyframes + hashes pipeline over a media file.

    A rerun (new settings, a new version) adds an analysis; earlier ones and their hashes are
    kept, never overwritten. The newest analysis with status ``ok`` is the current one.
    """

    __tablename__ = "analyses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    media_id: Mapped[int] = mapped_column(ForeignKey("media_files.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(256))
    mode: Mapped[str] = mapped_column(String(16))  # full | fast
    status: Mapped[str] = mapped_column(String(16))  # ok | failed
    error: Mapped[str | None] = mapped_column(Text)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    tool_versions: Mapped[dict[str, Any]] = mapped_column(JSON)
    frames_decoded: Mapped[int | None] = mapped_column(Integer)
    samples: Mapped[int | None] = mapped_column(Integer)
    keyframes: Mapped[int | None] = mapped_column(Integer)
    shots: Mapped[int | None] = mapped_column(Integer)
    elapsed: Mapped[float | None] = mapped_column(Float)  # seconds
    store_dir: Mapped[str | None] = mapped_column(Text)  # relative to the data home
    contact_sheet: Mapped[str | None] = mapped_column(Text)

    frames: Mapped[list[Frame]] = relationship(back_populates="analysis", order_by="Frame.t_ms")


class Frame(Base):
    """A hashed frame: a 1-fps sample (for matching) or a shot's keyframe (with its image).

    Hashes are 64-bit values stored as signed BIGINT (two's complement); PDQ as 64 hex digits.
    The crop box is the picture inside detected borders, in the video's pixels.
    """

    __tablename__ = "frames"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    analysis_id: Mapped[int] = mapped_column(ForeignKey("analyses.id"), index=True)
    media_id: Mapped[int] = mapped_column(ForeignKey("media_files.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # sample | keyframe
    t_ms: Mapped[int] = mapped_column(Integer)
    frame_number: Mapped[int] = mapped_column(Integer)
    shot: Mapped[int] = mapped_column(Integer)
    phash: Mapped[int] = mapped_column(BigInteger)
    dhash: Mapped[int] = mapped_column(BigInteger)
    phash_mirror: Mapped[int] = mapped_column(BigInteger)
    dhash_mirror: Mapped[int] = mapped_column(BigInteger)
    pdq: Mapped[str] = mapped_column(String(64))
    pdq_quality: Mapped[int] = mapped_column(Integer)
    crop_x: Mapped[int] = mapped_column(Integer)
    crop_y: Mapped[int] = mapped_column(Integer)
    crop_w: Mapped[int] = mapped_column(Integer)
    crop_h: Mapped[int] = mapped_column(Integer)
    low_info: Mapped[bool] = mapped_column(Boolean, default=False)
    image_path: Mapped[str | None] = mapped_column(Text)  # keyframes: JPEG <= 320 px wide

    analysis: Mapped[Analysis] = relationship(back_populates="frames")
