"""Streamlit glue shared by ``app.py`` and the pages in ``pages/``: nothing else imports it.

Every page starts with ``ws = ui.page("Title", "icon")``: it sets the page up (a page opened
directly by its URL runs without the entry script), opens the workspace once per process
(``st.cache_resource``: one engine, shared by the sessions' threads) and returns it with the
person working in this browser session as the acting user, so every acquisition, tag and
review records who did it. Pages then call one library function per action and render it;
the rules live in the library.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from workbench import settings as settings_mod
from workbench.workspace import Workspace

BUSY = ("The catalogue is busy (another save or an archive run held it too long); nothing was saved, and your "
        "edits are still in the form. Try again.")

PAGES = {
    "home": "app.py", "archive": "pages/1_Archive.py", "library": "pages/2_Library.py",
    "video": "pages/3_Video.py", "duplicates": "pages/4_Duplicates.py", "search": "pages/5_Search.py",
    "events": "pages/6_Events.py", "map": "pages/7_Map.py",
}

# Colours by event type (ACLED's six, plus ours) and for geolocated videos, shared by the maps.
TYPE_COLOURS = {
    "Battles": [200, 30, 45], "Explosions/Remote violence": [240, 120, 0],
    "Violence against civilians": [130, 0, 160], "Protests": [30, 120, 220], "Riots": [0, 160, 160],
    "Strategic developments": [110, 110, 110], "Defection": [0, 150, 60], "video": [20, 20, 20],
}


@st.cache_resource(show_spinner=False)
def _open(home: str, database_url: str | None) -> Workspace:
    from workbench.events.units import ensure_seeded

    ws = Workspace.open(settings_mod.load())
    with ws.session() as session:  # once: pages then list units in read-only snapshots
        ensure_seeded(session)
    return ws


def page(title: str, icon: str) -> Workspace:
    """Set the page up and return the workspace, acting as this session's user.

    Stops the page with one plain sentence when the settings or the catalogue are unusable.
    """
    st.set_page_config(page_title=f"{title} · Evidence Workbench", page_icon=icon, layout="wide")
    try:
        base = settings_mod.load()
    except ValueError as exc:
        st.error(f"A setting cannot be read: {exc}")
        st.stop()
    try:
        ws = _open(str(base.home.resolve()), base.database_url)
    except (SQLAlchemyError, OSError) as exc:
        detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        st.error(f"The catalogue at {base.home} cannot be opened: {detail}")
        st.stop()
    with st.sidebar:
        user = st.text_input("Working as", value=st.session_state.get("user") or ws.settings.user,
                             help="Recorded on everything you archive, tag or review in this browser session.")
        st.session_state["user"] = user.strip() or ws.settings.user
        st.caption(f"Data home: `{ws.settings.home}`")
    return dataclasses.replace(ws, settings=dataclasses.replace(ws.settings, user=st.session_state["user"]))


def user() -> str:
    """Who is working in this browser session."""
    return st.session_state.get("user", "")


def stored(ws: Workspace, rel_path: str | None) -> Path | None:
    """The absolute path of a store-relative path (a video, a keyframe), if the file is there."""
    if not rel_path:
        return None
    path = ws.store.home / rel_path
    return path if path.is_file() else None


def video_link(media_id: int, label: str | None = None, *, t: float | None = None) -> None:
    """A link to the video page (opening the player at ``t`` seconds when given)."""
    params = {"id": str(media_id)} | ({"t": f"{t:.1f}"} if t is not None else {})
    st.page_link(PAGES["video"], label=label or f"Video {media_id}", icon="🎞️", query_params=params)


def clock(seconds: float | None) -> str:
    """Seconds as m:ss.s (or h:mm:ss.s)."""
    if seconds is None:
        return "–"
    tenths = round(float(seconds) * 10)  # round first: 59.97 s is 1:00.0, not 0:60.0
    minutes, tenth = divmod(tenths, 600)
    hours, minutes = divmod(minutes, 60)
    sec = tenth / 10
    return f"{hours}:{minutes:02d}:{sec:04.1f}" if hours else f"{minutes}:{sec:04.1f}"


def query_int(name: str) -> int | None:
    """A positive integer from the page's URL (``?id=3``), or None when absent or not one."""
    value = str(st.query_params.get(name) or "").strip()
    return int(value) if value.isascii() and value.isdigit() and int(value) > 0 else None


def query_float(name: str) -> float | None:
    """A finite, non-negative number from the page's URL (``?t=12.5``), or None."""
    try:
        value = float(st.query_params.get(name) or "")
    except ValueError:
        return None
    return max(0.0, value) if math.isfinite(value) else None


@contextmanager
def upload_file(ws: Workspace, uploaded: Any) -> Iterator[Path]:
    """An uploaded file saved under its own name in a private work folder, removed afterwards."""
    with ws.store.workdir() as work:
        path = work / (Path(uploaded.name).name or "upload")
        with open(path, "wb") as out:
            out.write(uploaded.getbuffer())
        yield path


def items_table(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per-item results (``Item.as_dict()``) as rows a person reads: what, result, why."""
    return [{"input": i.get("input"), "result": i.get("status"), "video": i.get("id"),
             "title": i.get("title"), "sha256": (i.get("sha256") or "")[:16],
             "explanation": "; ".join(filter(None, (i.get("error"), i.get("process_error"), i.get("match_error"))))}
            for i in items]
