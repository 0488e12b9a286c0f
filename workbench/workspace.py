"""The workspace: one data home's settings, catalogue engine and media store, opened together.

Every library entry point takes a ``Workspace``; the CLI and the UI open one with
``Workspace.open()`` and pass it on.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from workbench import settings as settings_mod
from workbench.db import get_engine, read_scope, session_scope
from workbench.settings import Settings
from workbench.store import MediaStore


@dataclass(frozen=True)
class Workspace:
    settings: Settings
    engine: Engine
    store: MediaStore

    @classmethod
    def open(cls, settings: Settings | None = None) -> Workspace:
        """Open (creating and migrating on first use) the data home the settings name."""
        settings = settings or settings_mod.load()
        settings.home.mkdir(parents=True, exist_ok=True)
        engine = get_engine(settings.db_url, busy_timeout=settings.busy_timeout)
        store = MediaStore(settings.home)
        store.sweep()
        return cls(settings, engine, store)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction on the catalogue, committed when the block ends."""
        with session_scope(self.engine) as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only snapshot of the catalogue (lists, pages): it never waits for, nor holds up, a writer."""
        with read_scope(self.engine) as session:
            yield session
