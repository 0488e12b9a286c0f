"""Tables of the duplicates feature: the near-duplicate pairs found, and a person's review of one.

A review is a decision (``confirmed`` or ``rejected``) about two videos, by someone, at a time.
Reviews are appended, never overwritten; the newest decision on a pair is the one in force, and
a pair whose newest decision is ``rejected`` is never suggested again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ColumnElement,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    exists,
)
from sqlalchemy.orm import Mapped, aliased, mapped_column

from workbench.db.models import Base, UTCDateTime, utcnow


class DuplicateReview(Base):
    """One decision on a pair of videos; ``media_a_id`` < ``media_b_id``."""

    __tablename__ = "duplicate_reviews"
    __table_args__ = (CheckConstraint("media_a_id < media_b_id", name="ordered_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    media_a_id: Mapped[int] = mapped_column(ForeignKey("media_files.id"), index=True)
    media_b_id: Mapped[int] = mapped_column(ForeignKey("media_files.id"), index=True)
    decision: Mapped[str] = mapped_column(String(16))  # confirmed | rejected
    reviewed_by: Mapped[str] = mapped_column(String(256))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)


class DuplicateMatch(Base):
    """A near-duplicate pair the matcher found, kept so lists and filters need not rematch.

    One row per pair (``media_a_id`` < ``media_b_id``), replaced when either video is analysed
    again (the analyses it was computed from are recorded). Reviews stay in
    :class:`DuplicateReview`; a rejected pair keeps its row but is never shown.
    """

    __tablename__ = "duplicate_matches"
    __table_args__ = (CheckConstraint("media_a_id < media_b_id", name="ordered_pair"),
                      UniqueConstraint("media_a_id", "media_b_id", name="uq_duplicate_match_pair"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    media_a_id: Mapped[int] = mapped_column(ForeignKey("media_files.id"), index=True)
    media_b_id: Mapped[int] = mapped_column(ForeignKey("media_files.id"), index=True)
    analysis_a_id: Mapped[int | None] = mapped_column(ForeignKey("analyses.id"))
    analysis_b_id: Mapped[int | None] = mapped_column(ForeignKey("analyses.id"))
    score: Mapped[float] = mapped_column(Float)
    a_coverage: Mapped[float] = mapped_column(Float)
    b_coverage: Mapped[float] = mapped_column(Float)
    detail: Mapped[dict] = mapped_column(JSON)  # Match.as_dict(): segments, speed, mirrored, ...
    found_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def rejected_match() -> ColumnElement[bool]:
    """SQL: this ``duplicate_matches`` row's pair has ``rejected`` as its newest review (it is never shown)."""
    review, newer = aliased(DuplicateReview), aliased(DuplicateReview)
    return exists().where(
        review.media_a_id == DuplicateMatch.media_a_id, review.media_b_id == DuplicateMatch.media_b_id,
        review.decision == "rejected",
        ~exists().where(newer.media_a_id == review.media_a_id, newer.media_b_id == review.media_b_id,
                        newer.id > review.id))
