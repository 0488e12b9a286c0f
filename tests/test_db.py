"""The catalogue database and settings: first open, migrations, WAL, concurrency, PostgreSQL."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text
from sqlalchemy.exc import StatementError

from workbench import settings
from workbench.acquire.local import import_paths
from workbench.db import Acquisition, MediaFile, Source, dispose_all
from workbench.db.engine import MIGRATIONS
from workbench.store import sha256_file
from workbench.workspace import Workspace


def head_revision() -> str:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(cfg).get_current_head()


def sqlite_versions(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [row[0] for row in conn.execute("SELECT version_num FROM alembic_version")]


def test_first_open_creates_a_wal_database_at_the_newest_migration(home):
    assert not home.exists()
    ws = Workspace.open(settings.load())

    db = home / "workbench.db"
    assert db.is_file() and ws.settings.db_url == f"sqlite:///{db.resolve()}"
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"sources", "media_files", "source_media", "acquisitions", "attachments", "source_checks"} <= tables
    assert sqlite_versions(db) == [head_revision()]
    with ws.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_opening_again_changes_nothing(home, clip):
    ws = Workspace.open(settings.load())
    [item] = import_paths(ws, [clip])
    assert item.status == "stored"
    db = home / "workbench.db"
    inode = db.stat().st_ino

    assert Workspace.open(settings.load()).engine is ws.engine  # same process: the engine is reused
    dispose_all()
    again = Workspace.open(settings.load())  # a new engine runs the migrations again: nothing to do

    assert db.stat().st_ino == inode and sqlite_versions(db) == [head_revision()]
    with again.session() as s:
        assert s.scalar(select(MediaFile.sha256)) == item.sha256
        assert s.scalar(select(func.count()).select_from(MediaFile)) == 1


def test_settings_are_read_from_the_environment(tmp_path):
    env = {"WORKBENCH_HOME": str(tmp_path / "data"), "WORKBENCH_MAX_FILESIZE": "500M",
           "WORKBENCH_DATABASE_URL": "postgresql+psycopg://team@db.example/evidence",
           "WORKBENCH_USER": "analyst-7", "WORKBENCH_RETRIES": "5", "WORKBENCH_SOCKET_TIMEOUT": "2.5"}
    s = settings.load(env)
    assert s.home == tmp_path / "data" and s.media_dir == tmp_path / "data" / "media"
    assert s.max_filesize == 500 * 2**20
    assert s.db_url == "postgresql+psycopg://team@db.example/evidence"
    assert (s.user, s.retries, s.socket_timeout) == ("analyst-7", 5, 2.5)


def test_settings_defaults_and_overrides(tmp_path):
    s = settings.load({"WORKBENCH_MAX_FILESIZE": "", "WORKBENCH_HOME": str(tmp_path)})
    assert s.max_filesize == 2 * 2**30 and s.database_url is None  # empty means unset
    assert s.db_url == f"sqlite:///{(tmp_path / 'workbench.db').resolve()}"
    s = settings.load({"WORKBENCH_MAX_FILESIZE": "1G"}, max_filesize=10, retries=None)
    assert s.max_filesize == 10 and s.retries == 3  # a None override keeps the value
    assert settings.load({"WORKBENCH_HOME": "~/evidence"}).home == Path.home() / "evidence"


@pytest.mark.parametrize("raw, size", [
    ("500M", 500 * 2**20), ("2G", 2 * 2**30), ("1.5G", 3 * 2**29), ("500MB", 500 * 2**20),
    ("500MiB", 500 * 2**20), ("64k", 64 * 1024), ("1024", 1024), (" 2 G ", 2 * 2**30), ("0", 0),
])
def test_max_filesize_values(raw, size):
    assert settings.load({"WORKBENCH_MAX_FILESIZE": raw}).max_filesize == size


@pytest.mark.parametrize("var, raw", [
    ("WORKBENCH_MAX_FILESIZE", "lots"),
    ("WORKBENCH_MAX_FILESIZE", "5X"),
    ("WORKBENCH_MAX_FILESIZE", "-1M"),
    ("WORKBENCH_MAX_FILESIZE", "infG"),
    ("WORKBENCH_RETRIES", "three"),
    ("WORKBENCH_SOCKET_TIMEOUT", "30s"),
    ("WORKBENCH_BUSY_TIMEOUT", "soon"),
])
def test_a_bad_value_names_its_variable(var, raw):
    with pytest.raises(ValueError) as exc:
        settings.load({var: raw})
    assert str(exc.value).startswith(f"{var}={raw!r}: ")


def test_naive_datetimes_are_refused_and_aware_ones_read_back_in_utc(ws):
    with pytest.raises(StatementError, match="naive datetime"), ws.session() as s:
        s.add(Source(key="url:naive", original_url="https://example.com/a", timestamp=datetime(2024, 12, 3, 12)))
    damascus = timezone(timedelta(hours=3))
    with ws.session() as s:
        s.add(Source(key="url:aware", original_url="https://example.com/b",
                     timestamp=datetime(2024, 12, 3, 12, tzinfo=damascus)))
    with ws.session() as s:
        assert s.scalar(select(func.count()).select_from(Source)) == 1  # the refused row was rolled back
        stamp = s.scalar(select(Source.timestamp))
    assert stamp == datetime(2024, 12, 3, 9, tzinfo=UTC) and stamp.utcoffset() == timedelta(0)


# Two processes each open a series of fresh homes at the same instant (they wait for each other before
# every open), as two analysts' first commands on a new shared home would.
_OPENER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from workbench import settings
    from workbench.db import dispose_all
    from workbench.workspace import Workspace
    base, me, other, rounds = Path(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
    for i in range(rounds):
        (base / f"ready-{i}-{me}").touch()
        deadline = time.monotonic() + 15
        while not (base / f"ready-{i}-{other}").exists():
            if time.monotonic() > deadline:
                sys.exit(f"round {i}: the other process stopped")
        try:
            Workspace.open(settings.load(home=base / f"home-{i}"))
        except Exception as exc:
            sys.exit(f"round {i}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
        dispose_all()
""")


def test_two_processes_opening_the_same_fresh_home_at_once(tmp_path):
    rounds = 10
    env = {k: v for k, v in os.environ.items() if k != "WORKBENCH_DATABASE_URL"}
    procs = [subprocess.Popen([sys.executable, "-c", _OPENER, str(tmp_path), me, other, str(rounds)],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for me, other in (("a", "b"), ("b", "a"))]
    results = []
    for proc in procs:
        try:
            out, err = proc.communicate(timeout=180)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        results.append((proc.returncode, err.strip().splitlines()[-1:] if err.strip() else []))
    assert [code for code, _ in results] == [0, 0], results
    for i in range(rounds):
        assert sqlite_versions(tmp_path / f"home-{i}" / "workbench.db") == [head_revision()]


def test_opening_waits_while_another_process_writes_the_new_database(home):
    """The first opener of a fresh home writes it before it is in WAL mode. SQLite refuses to switch
    to WAL at once, ignoring the busy timeout, while another connection holds a write lock: the
    second opener must wait for it, not fail with "database is locked"."""
    home.mkdir()
    other = sqlite3.connect(home / "workbench.db", isolation_level=None, check_same_thread=False)
    other.execute("CREATE TABLE notes (body TEXT)")
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO notes VALUES ('first opener, still writing')")
    release = threading.Timer(0.5, other.execute, ["COMMIT"])
    release.start()
    try:
        ws = Workspace.open(settings.load())
    finally:
        release.join()
        other.close()
    with ws.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert sqlite_versions(home / "workbench.db") == [head_revision()]


def test_postgresql_catalogue_imports_a_video(home, pg_url, bikes):
    ws = Workspace.open(settings.load())
    assert ws.engine.dialect.name == "postgresql" and ws.settings.db_url == pg_url
    assert not (home / "workbench.db").exists()  # the catalogue is on the server; the media stay local

    [item] = import_paths(ws, [bikes])

    assert item.status == "stored", item.error
    sha, size = sha256_file(bikes)
    with ws.session() as s:
        assert s.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [head_revision()]
        media = s.scalar(select(MediaFile))
        assert (media.sha256, media.size, media.ext) == (sha, size, "mp4")
        assert (media.width, media.height, media.codec, media.frame_count) == (640, 272, "h264", 250)
        assert media.store_path == f"media/{sha[:2]}/{sha[2:4]}/{sha}.mp4"
        acq = s.scalar(select(Acquisition))
        assert acq.media_id == media.id and acq.method == "local import" and acq.acquired_by == "tester"
        assert acq.original_path == str(bikes.resolve())
        assert acq.original_mtime.utcoffset() == timedelta(0)  # timestamptz, read back in UTC
        assert abs(acq.original_mtime.timestamp() - bikes.stat().st_mtime) < 1e-3
    assert (home / media.store_path).read_bytes() == bikes.read_bytes()

    assert import_paths(ws, [bikes])[0].status == "exists"  # the same path again: nothing new
    with ws.session() as s:
        assert s.scalar(select(func.count()).select_from(MediaFile)) == 1
        assert s.scalar(select(func.count()).select_from(Acquisition)) == 1


def test_a_read_session_neither_waits_for_a_writer_nor_lets_a_change_vanish(ws):
    from sqlalchemy import text

    from workbench.db import Event
    from workbench.db.engine import ReadOnlySessionError
    from workbench.events.incidents import create_event

    with ws.session() as writer:  # holds SQLite's write lock (BEGIN IMMEDIATE) for the whole block
        writer.execute(text("UPDATE alembic_version SET version_num = version_num"))
        with ws.reading() as reader:
            assert reader.query(Event).count() == 0  # answered at once, from the last committed snapshot
    with pytest.raises(ReadOnlySessionError), ws.reading() as reader:
        create_event(reader, {"event_date": "2024-01-01", "event_type": "Battles",
                              "sub_event_type": "Armed clash"}, "tester", place="Adra")
    with pytest.raises(ReadOnlySessionError), ws.reading() as reader:
        reader.add(Event(event_date=None, event_type="Battles", sub_event_type="Armed clash", version=1,
                         created_by="t", updated_by="t"))  # never flushed
    with ws.session() as s:
        assert s.query(Event).count() == 0


def test_postgresql_keeps_duplicate_pairs(home, pg_url, bikes, copies):
    """Analysis, the match step and duplicate_matches (JSON detail) on a real server."""
    from workbench.db import DuplicateMatch
    from workbench.match.dupes import duplicates
    from workbench.pipeline import import_paths as import_and_analyse

    ws = Workspace.open(settings.load())
    items = import_and_analyse(ws, [bikes, copies["trim"]])
    assert all(i.ok and not i.extra.get("match_error") for i in items), [i.extra for i in items]
    with ws.session() as s:
        (row,) = s.scalars(select(DuplicateMatch)).all()
        assert (row.media_a_id, row.media_b_id) == (items[0].id, items[1].id) and row.detail["segments"]
    assert duplicates(ws) == duplicates(ws, rescan=True)
