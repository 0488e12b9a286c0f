"""Engines and sessions for the catalogue, with migrations applied on first use.

SQLite (the embedded default) runs in WAL mode with a busy timeout, and every transaction
starts with ``BEGIN IMMEDIATE`` so two processes writing at once wait for each other instead
of failing on a lock upgrade. Any other SQLAlchemy URL (PostgreSQL for teams) is used as is.
Alembic brings the schema to the newest revision the first time an engine is opened; the
upgrade runs inside one locked transaction so concurrent first uses don't race.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from threading import Lock

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).with_name("migrations")

_engines: dict[str, Engine] = {}
_lock = Lock()


def _sqlite_setup(engine: Engine, busy_timeout: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # noqa: ANN001
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see below)
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        _set_wal(cur, busy_timeout)
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # noqa: ANN001
        # Writers take the write lock up front (no deadlock on upgrade); readers (``read_scope``)
        # begin deferred: in WAL mode they neither wait for a writer nor hold one up.
        conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get("workbench_read") else "BEGIN IMMEDIATE")


def _set_wal(cur: sqlite3.Cursor, busy_timeout: float) -> None:
    """Switch to WAL, retrying: SQLite answers "database is locked" at once, without waiting
    for the busy timeout, when another process is switching a fresh database at the same time."""
    deadline = time.monotonic() + busy_timeout
    while True:
        try:
            cur.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.02)


def _alembic_config(conn) -> Config:  # noqa: ANN001
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration, holding a lock so only one process does it."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(727172)"))
        command.upgrade(_alembic_config(conn), "head")


def get_engine(url: str, *, busy_timeout: float = 30.0) -> Engine:
    """Return the process-wide engine for ``url``, creating and migrating it on first use."""
    with _lock:
        engine = _engines.get(url)
        if engine is not None:
            return engine
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, connect_args={"timeout": busy_timeout})
            _sqlite_setup(engine, busy_timeout)
        else:
            engine = create_engine(url, pool_pre_ping=True)
        migrate(engine)
        _engines[url] = engine
        return engine


def dispose_all() -> None:
    """Close every engine (tests switch homes; long-running apps may reconnect)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back on any exception."""
    factory = sessionmaker(engine, expire_on_commit=False)
    with factory() as session, session.begin():
        yield session


class ReadOnlySessionError(RuntimeError):
    """Something tried to save through a read-only session: a bug, refused before anything is lost."""


def _refuse_writes(session: Session, _context, _instances) -> None:  # noqa: ANN001
    if session.new or session.dirty or session.deleted:
        raise ReadOnlySessionError("a change was made in a read-only session: nothing was saved")


@contextmanager
def read_scope(engine: Engine) -> Iterator[Session]:
    """A read-only transaction: a consistent snapshot that never blocks a writer; rolled back at the end.

    Raises:
        ReadOnlySessionError: something tried to write through it (it would otherwise be rolled
            back silently, and a person told it was saved).
    """
    factory = sessionmaker(engine.execution_options(workbench_read=True), expire_on_commit=False)
    with factory() as session:
        event.listen(session, "before_flush", _refuse_writes)
        try:
            yield session
            _refuse_writes(session, None, None)  # a change never flushed would vanish with the rollback
        finally:
            session.rollback()
