"""Every setting of the workbench, declared once.

Each setting has a name, the environment variable that sets it, a default and a help text;
``SETTINGS`` is the single list that docs, the CLI and validation read. ``load()`` returns a
frozen ``Settings`` snapshot; nothing is configured by setting attributes on objects.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Setting:
    """One declared setting."""

    name: str
    env: str
    default: Callable[[], Any]
    help: str
    parse: Callable[[str], Any] = str


def _default_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


def parse_size(text: str) -> int:
    """Parse a byte size such as ``2G``, ``500M``, ``1024`` (binary multiples).

    Raises:
        ValueError: not a size, or a negative or infinite one.
    """
    number = text.strip().upper().removesuffix("B").removesuffix("I")
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    unit = units.get(number[-1:], 1)
    try:
        size = int(float(number[:-1]) * unit) if unit > 1 else int(number)
    except OverflowError:  # "infG"
        raise ValueError(f"not a size: {text!r}") from None
    if size < 0:
        raise ValueError(f"negative size: {text!r}")
    return size


def _positive(text: str) -> float:
    value = float(text)
    if not 0 < value <= 60:
        raise ValueError(f"must be above 0 and at most 60, not {text!r}")
    return value


SETTINGS: tuple[Setting, ...] = (
    Setting("home", "WORKBENCH_HOME", lambda: Path("storage"),
            "Data home: holds workbench.db and the media store.", Path),
    Setting("database_url", "WORKBENCH_DATABASE_URL", lambda: None,
            "SQLAlchemy URL of the catalogue; default: SQLite at HOME/workbench.db."),
    Setting("user", "WORKBENCH_USER", _default_user,
            "Who is acting, recorded on every acquisition and check."),
    Setting("max_filesize", "WORKBENCH_MAX_FILESIZE", lambda: 2 << 30,
            "Largest file an archive run downloads (bytes, or 500M / 2G).", parse_size),
    Setting("retries", "WORKBENCH_RETRIES", lambda: 3,
            "Retries of a failed HTTP request or fragment.", int),
    Setting("socket_timeout", "WORKBENCH_SOCKET_TIMEOUT", lambda: 30.0,
            "Seconds without network data before a request fails.", float),
    Setting("sample_fps", "WORKBENCH_SAMPLE_FPS", lambda: 1.0,
            "Sample frames hashed per second of video, for matching.", _positive),
    Setting("match_frame_distance", "WORKBENCH_MATCH_FRAME_DISTANCE", lambda: 44,
            "Largest pHash + dHash distance (bits of 128) of two matching frames (docs/thresholds.md).", int),
    Setting("match_median_distance", "WORKBENCH_MATCH_MEDIAN_DISTANCE", lambda: 40,
            "Largest median frame distance along the alignment of two duplicate videos.", int),
    Setting("match_min_coverage", "WORKBENCH_MATCH_MIN_COVERAGE", lambda: 0.5,
            "Smallest share of one video's sample frames found in the other for a duplicate.", float),
    Setting("match_image_distance", "WORKBENCH_MATCH_IMAGE_DISTANCE", lambda: 28,
            "Largest pHash + dHash distance of a still (search --image) to a stored frame.", int),
    Setting("query_fps", "WORKBENCH_QUERY_FPS", lambda: 4.0,
            "Sample frames per second hashed from a query clip (search --clip).", _positive),
    Setting("match_index_from", "WORKBENCH_MATCH_INDEX_FROM", lambda: 2_000_000,
            "Stored sample frames from which duplicate candidates come from the Hamming index (faster, "
            "misses some ~10% crops) instead of an exact scan.", int),
    Setting("busy_timeout", "WORKBENCH_BUSY_TIMEOUT", lambda: 30.0,
            "Seconds SQLite waits for another writer before giving up.", float),
)


@dataclass(frozen=True)
class Settings:
    """A snapshot of every setting's value."""

    home: Path
    database_url: str | None
    user: str
    max_filesize: int
    retries: int
    socket_timeout: float
    sample_fps: float
    busy_timeout: float
    match_frame_distance: int = 44
    match_median_distance: int = 40
    match_min_coverage: float = 0.5
    match_image_distance: int = 28
    query_fps: float = 4.0
    match_index_from: int = 2_000_000
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def db_url(self) -> str:
        """The catalogue's SQLAlchemy URL."""
        return self.database_url or f"sqlite:///{(self.home / 'workbench.db').resolve()}"

    @property
    def media_dir(self) -> Path:
        return self.home / "media"


def load(env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Read every setting from the environment, then apply keyword overrides.

    Raises:
        ValueError: a variable holds a value its setting cannot parse.
    """
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    for s in SETTINGS:
        raw = env.get(s.env)
        if raw not in (None, ""):
            try:
                values[s.name] = s.parse(raw)
            except ValueError as exc:
                raise ValueError(f"{s.env}={raw!r}: {exc}") from None
        else:
            values[s.name] = s.default()
    values.update({k: v for k, v in overrides.items() if v is not None})
    values["home"] = Path(values["home"]).expanduser()
    return Settings(**values)
