"""Tables of the duplicates feature: a person's review of a suggested duplicate pair.

A review is a decision (``confirmed`` or ``rejected``) about two videos, by someone, at a time.
Reviews are appended, never overwritten; the newest decision on a pair is the one in force, and
a pair whose newest decision is ``rejected`` is never suggested again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

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
