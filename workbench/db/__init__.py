"""The catalogue database: ORM models, engines and sessions, Alembic migrations."""

from workbench.db.duplicates import DuplicateMatch, DuplicateReview
from workbench.db.engine import dispose_all, get_engine, read_scope, session_scope

# Importing the event and tagging tables registers them on Base.metadata, so Alembic sees them too.
from workbench.db.events import (
    ArchiveQueue,
    Event,
    EventSource,
    EventUnit,
    Revision,
    Tag,
    TagEvent,
    TagUnit,
    Unit,
    UnitAlias,
)
from workbench.db.models import (
    Acquisition,
    Analysis,
    Attachment,
    Availability,
    Base,
    Frame,
    MediaFile,
    Method,
    Source,
    SourceCheck,
    SourceMedia,
)

__all__ = [
    "Acquisition", "Analysis", "Attachment", "Availability", "Base", "DuplicateMatch", "DuplicateReview", "Frame",
    "MediaFile",
    "Method", "Source", "SourceCheck", "SourceMedia", "dispose_all", "get_engine", "read_scope", "session_scope",
    "ArchiveQueue", "Event", "EventSource", "EventUnit", "Revision", "Tag", "TagEvent", "TagUnit",
    "Unit", "UnitAlias",
]
