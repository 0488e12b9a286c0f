"""Measure the Library page's query (``workbench.library``) on a catalogue of 100,000 videos.

Seeds a fresh data home (SQLite, migrated by ``Workspace.open``) with bulk inserts, not the
ingest pipeline (no media files are written): videos with sources (titles in English and
Arabic, uploaders, URLs, upload dates 2011-2020, ~80% ok and the rest deleted, unavailable,
private, geo-blocked or error; ~5% local files with no source; ~3% with a second source), about
half tagged with a gazetteer place (some in other spellings), governorate, recorded date,
status, units and events, a second (segment) tag on some, 2,000 events, near-duplicate pairs
with reviews (some rejected), and one analysis per analysed video with 3 keyframes (with image
paths, for thumbnails) and ``--samples`` 1-fps sample frames.

Then times ``search_library`` (count + first page of 50 + its rows) with no filter, with each
filter and with text searches, ``library_facets``, the whole Library page's script run
(AppTest), and, when Debian's chromium is installed, the page in a real browser next to a
one-line Streamlit page (the floor any Streamlit page pays): one warm-up call, then the median (and
the slowest) of 5. Prints a markdown table, with the load average before and after.

    python bench/library.py               # 100,000 videos in bench/out/library-home (wiped first)
    python bench/library.py --n 20000 --samples 0
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import statistics
import subprocess
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from workbench import settings
from workbench.db import (
    Analysis,
    DuplicateMatch,
    DuplicateReview,
    Event,
    Frame,
    MediaFile,
    Source,
    SourceMedia,
    Tag,
    TagEvent,
    TagUnit,
    Unit,
)
from workbench.events.gazetteer import Gazetteer
from workbench.events.taxonomy import VERIFICATION
from workbench.events.units import ensure_seeded
from workbench.library import LibraryQuery, library_facets, search_library
from workbench.workspace import Workspace

OUT = Path(__file__).resolve().parent / "out"
CHUNK = 20_000
NOW = datetime(2026, 11, 24, tzinfo=UTC)
EN = ["Shelling of {p}", "Clashes in {p}", "Airstrike on {p} market", "Protest in {p} after Friday prayers",
      "Funeral procession, {p}", "Checkpoint near {p}", "Destroyed tank outside {p}", "Rescue after barrel bomb, {p}"]
AR = ["قصف على {p}", "اشتباكات في {p}", "مظاهرة في {p}", "تشييع شهداء {p}", "غارة جوية على {p}", "حاجز {p}"]
UPLOADERS = ["Shaam News Network", "Ugarit News", "Douma Revolution", "LCC Syria", "Halab News", "شبكة شام",
             "تنسيقية دوما", "Aleppo Media Center", "Orient News", "SMART News"]
AVAIL = ["ok"] * 80 + ["deleted"] * 8 + ["unavailable"] * 5 + ["private"] * 3 + ["geo-blocked"] * 2 + ["error"] * 2


FILLER_EN = ("The video shows the aftermath; several buildings are damaged and people are searching the rubble. "
             "Please share and subscribe. Follow our page for updates from the ground. ")
FILLER_AR = "مشاهد من موقع الحدث بعد القصف، وأهالي الحي يبحثون عن ناجين تحت الأنقاض. شاركوا الفيديو. "


def _description(rnd: random.Random, title: str, upload: date, arabic: bool) -> str:
    """0-1,200 characters (mean ~300): a line, then boilerplate as channels write it."""
    filler = FILLER_AR if arabic else FILLER_EN
    return f"{title} {upload}. " + filler * rnd.choice((0, 0, 1, 1, 2, 3, 6))


def _chunks(session, model, rows: list[dict]) -> None:
    for i in range(0, len(rows), CHUNK):
        session.execute(insert(model), rows[i:i + CHUNK])


def seed(ws: Workspace, n: int, samples: int, rnd: random.Random) -> dict[str, int]:
    """Bulk-insert a realistic catalogue of ``n`` videos; returns row counts."""
    places = [p for p in Gazetteer.default().places.values() if p.admin1 and p.kind != "governorate"]
    with ws.session() as s:
        ensure_seeded(s)
        unit_ids = list(s.scalars(select(Unit.id)))
    media, sources, links, tags, tag_units, tag_events, analyses, frames = [], [], [], [], [], [], [], []
    events = [{"id": i, "event_id_cnty": f"SYR{i}", "status": "accepted", "title": f"Event {i}",
               "event_date": date(2011, 3, 15) + timedelta(days=rnd.randrange(3500)), "time_precision": 1,
               "event_type": "Battles", "sub_event_type": "Armed clash", "location": rnd.choice(places).name,
               "version": 1, "created_at": NOW, "created_by": "bench", "updated_at": NOW, "updated_by": "bench"}
              for i in range(1, 2001)]
    source_id = tag_id = analysis_id = frame_id = 0
    for mid in range(1, n + 1):
        sha = hashlib.sha256(f"bench-{mid}".encode()).hexdigest()
        media.append({"id": mid, "sha256": sha, "size": rnd.randrange(10**6, 10**9), "ext": "mp4",
                      "store_path": f"media/{sha[:2]}/{sha[2:4]}/{sha}.mp4", "codec": "h264", "width": 1280,
                      "height": 720, "fps": 25.0, "duration": rnd.uniform(10, 900), "created_at": NOW})
        place = rnd.choice(places)
        upload = date(2011, 3, 15) + timedelta(days=rnd.randrange(3400))
        arabic = rnd.random() < 0.3
        title = rnd.choice(AR).format(p=place.name_ar or place.name) if arabic else rnd.choice(EN).format(p=place.name)
        for copy in range(2 if rnd.random() < 0.03 else 0 if rnd.random() < 0.05 else 1):
            source_id += 1
            url = f"https://www.youtube.com/watch?v={source_id:011d}"
            sources.append({"id": source_id, "key": f"youtube:{source_id:011d}", "original_url": url,
                            "canonical_url": url, "extractor": "youtube", "platform_id": f"{source_id:011d}",
                            "uploader": rnd.choice(UPLOADERS), "title": title + (" (copy)" if copy else ""),
                            "description": _description(rnd, title, upload, arabic),
                            "upload_date": upload, "first_archived_at": NOW,
                            "availability": rnd.choice(AVAIL)})
            links.append({"source_id": source_id, "media_id": mid, "linked_at": NOW})
        if rnd.random() < 0.5:
            for scope in ("video", "segment") if rnd.random() < 0.1 else ("video",):
                tag_id += 1
                name = rnd.choice(place.aliases) if place.aliases and rnd.random() < 0.1 else place.name
                tags.append({"id": tag_id, "media_id": mid, "scope": scope, "start_s": 0.0 if scope == "segment"
                             else None, "end_s": 5.0 if scope == "segment" else None, "place": name,
                             "admin1": place.admin1, "latitude": place.latitude, "longitude": place.longitude,
                             "precision": "town", "method": "gazetteer",
                             "recorded_date": upload - timedelta(days=rnd.randrange(30)) if rnd.random() < 0.8
                             else None, "verification": rnd.choice(VERIFICATION), "graphic": False,
                             "personal_info": False, "notes": "shadows match the minaret" if rnd.random() < 0.1
                             else None, "version": 1, "created_at": NOW, "created_by": "bench",
                             "updated_at": NOW, "updated_by": "bench"})
                for uid in rnd.sample(unit_ids, rnd.choice((0, 0, 1, 1, 2))):
                    tag_units.append({"tag_id": tag_id, "unit_id": uid})
                if rnd.random() < 0.2:
                    tag_events.append({"tag_id": tag_id, "event_id": rnd.randrange(1, 2001)})
        if rnd.random() < 0.9:
            analysis_id += 1
            analyses.append({"id": analysis_id, "media_id": mid, "created_at": NOW, "created_by": "bench",
                             "mode": "full", "status": "ok", "params": {}, "tool_versions": {}})
            kinds = [("keyframe", t * 4000) for t in range(3)] + [("sample", t * 1000) for t in range(samples)]
            for kind, t_ms in kinds:
                frame_id += 1
                h = rnd.getrandbits(63)
                frames.append({"id": frame_id, "analysis_id": analysis_id, "media_id": mid, "kind": kind,
                               "t_ms": t_ms, "frame_number": t_ms // 40, "shot": t_ms // 4000, "phash": h,
                               "dhash": h, "phash_mirror": h, "dhash_mirror": h, "pdq": "0" * 64, "pdq_quality": 90,
                               "crop_x": 0, "crop_y": 0, "crop_w": 1280, "crop_h": 720, "low_info": False,
                               "image_path": f"derived/{sha[:2]}/{sha}/{analysis_id}/kf_{t_ms:08d}.jpg"
                               if kind == "keyframe" else None})
    pairs = set()
    while len(pairs) < n // 20:
        a, b = sorted(rnd.sample(range(1, n + 1), 2))
        pairs.add((a, b))
    matches = [{"media_a_id": a, "media_b_id": b, "score": 0.9, "a_coverage": 0.9, "b_coverage": 0.8, "detail": {},
                "found_at": NOW} for a, b in sorted(pairs)]
    reviews = [{"media_a_id": a, "media_b_id": b, "decision": rnd.choice(("confirmed", "rejected")),
                "reviewed_by": "bench", "reviewed_at": NOW} for a, b in rnd.sample(sorted(pairs), len(pairs) // 5)]
    tables = [(MediaFile, media), (Source, sources), (SourceMedia, links), (Event, events), (Tag, tags),
              (TagUnit, tag_units), (TagEvent, tag_events), (Analysis, analyses), (Frame, frames),
              (DuplicateMatch, matches), (DuplicateReview, reviews)]
    with ws.session() as s:
        for model, rows in tables:
            _chunks(s, model, rows)
    if ws.engine.dialect.name == "sqlite":
        with ws.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    return {model.__tablename__: len(rows) for model, rows in tables}


def measure(ws: Workspace, label: str, call, repeat: int = 5) -> tuple[str, float, float, int | str]:
    result = call()  # warm-up (gazetteer and name caches, SQLite page cache)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - start) * 1000)
    found = result.total if hasattr(result, "total") else "-"
    return label, statistics.median(times), max(times), found


def library_page_run():
    """A callable that runs the Library page's script once more, in-process (Streamlit's AppTest):
    what the server does before the browser draws the first page (no thumbnails: none are stored)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/2_Library.py")

    def run():  # noqa: ANN202
        at.run()
        assert not at.exception, at.exception
        return at
    return run


def _browser_times(app: Path, home: Path, path: str, marks: list[str], repeat: int = 5) -> tuple[float, float]:
    """Seconds from opening ``path`` in Debian's chromium (a new tab, so a new Streamlit session,
    each time; the browser cache warm, as a user's) until every selector in ``marks`` is drawn."""
    import socket
    import sys
    import urllib.request

    from playwright.sync_api import sync_playwright

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true",
                             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
                            cwd=app.parent, env={**os.environ, "WORKBENCH_HOME": str(home)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        times = []
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=[
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            context = browser.new_context()
            for i in range(repeat + 1):  # the first opens the workspace in the server process: not counted
                page = context.new_page()
                start = time.perf_counter()
                page.goto(f"{url}/{path}")
                for mark in marks:
                    page.locator(mark).first.wait_for(timeout=60_000)
                if i:
                    times.append(time.perf_counter() - start)
                page.close()
            browser.close()
        return statistics.median(times), max(times)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def browser_rows(home: Path, n: int) -> list[tuple[str, float, float, str]]:
    """The Library page in a real browser, next to the floor: a one-line Streamlit page, same browser."""
    if not Path("/usr/bin/chromium").exists():
        return []
    floor_app = OUT / "floor" / "app.py"
    floor_app.parent.mkdir(parents=True, exist_ok=True)
    floor_app.write_text('import streamlit as st\nst.title("Library")\nst.caption("0 videos")\n')
    root = Path(__file__).resolve().parent.parent
    library = _browser_times(root / "app.py", home, "Library", [
        "h1", f"text={n} videos", "[data-testid='stPageLink'] >> nth=23"])
    floor = _browser_times(floor_app, home, "", ["h1", "text=0 videos"])
    return [("**in the browser**: open /Library until its count and 24 cards are drawn (chromium)",
             library[0] * 1000, library[1] * 1000, "-"),
            ("in the browser, the floor: a one-line Streamlit page (title and caption), same browser",
             floor[0] * 1000, floor[1] * 1000, "-")]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000, help="videos to seed")
    ap.add_argument("--samples", type=int, default=10, help="1-fps sample frames per analysed video")
    ap.add_argument("--home", type=Path, default=OUT / "library-home", help="data home (wiped first)")
    args = ap.parse_args()

    shutil.rmtree(args.home, ignore_errors=True)
    os.environ["WORKBENCH_HOME"] = str(args.home)
    os.environ.pop("WORKBENCH_DATABASE_URL", None)
    ws = Workspace.open(settings.load())
    start = time.perf_counter()
    Gazetteer.default()
    print(f"gazetteer load (once per process, before the first place filter): {time.perf_counter() - start:.2f} s")
    start = time.perf_counter()
    counts = seed(ws, args.n, args.samples, random.Random(2011))
    seeded = time.perf_counter() - start
    size = (args.home / "workbench.db").stat().st_size / 2**20
    print(f"seeded in {seeded:.1f} s: {counts}; workbench.db {size:.0f} MiB")

    with ws.session() as s:
        event_id = s.scalar(select(TagEvent.event_id).group_by(TagEvent.event_id).order_by(func.count().desc()))
        sha = s.scalar(select(MediaFile.sha256).where(MediaFile.id == args.n // 2))
    cases = [
        ("no filter", LibraryQuery(), 1),
        (f"no filter, page {args.n // 50} (the last)", LibraryQuery(), args.n // 50),
        ("availability = deleted", LibraryQuery(availability="deleted"), 1),
        ("availability = local (no source)", LibraryQuery(availability="local"), 1),
        ("verification = verified", LibraryQuery(verification="verified"), 1),
        ("place = Dayr az-Zawr (stored as Deir ez-Zor)", LibraryQuery(place="Dayr az-Zawr"), 1),
        ("governorate = Rif Dimashq", LibraryQuery(governorate="Rif Dimashq"), 1),
        ("date 2013-01-01 to 2013-06-30", LibraryQuery(date_from=date(2013, 1, 1), date_to=date(2013, 6, 30)), 1),
        ("unit = FSA", LibraryQuery(unit="FSA"), 1),
        (f"event_id = {event_id}", LibraryQuery(event_id=event_id), 1),
        ("has_duplicates = True", LibraryQuery(has_duplicates=True), 1),
        ("has_duplicates = False", LibraryQuery(has_duplicates=False), 1),
        ("untagged", LibraryQuery(untagged=True), 1),
        ("text: shelling", LibraryQuery(text="shelling"), 1),
        ("text: قصف", LibraryQuery(text="قصف"), 1),
        ("text: إدلب (stored as إدلب and ادلب)", LibraryQuery(text="إدلب"), 1),
        ("text: Douma market (two words)", LibraryQuery(text="Douma market"), 1),
        ("text: SHA-256 prefix (10 digits)", LibraryQuery(text=sha[:10]), 1),
        ("text: zzqx (no match: full scan)", LibraryQuery(text="zzqx"), 1),
        ("ok + Aleppo + 2012 + verified", LibraryQuery(availability="ok", governorate="Aleppo",
                                                       date_from=date(2012, 1, 1), date_to=date(2012, 12, 31),
                                                       verification="verified"), 1),
    ]
    load_before = os.getloadavg()
    uptime_before = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    results = [measure(ws, label, lambda q=q, p=p: search_library(ws, q, page=p)) for label, q, p in cases]
    results.append(measure(ws, "library_facets", lambda: library_facets(ws)))
    results.append(measure(ws, "**the whole Library page** (AppTest script run: facets, query, 24 cards)",
                           library_page_run()))
    load_after = os.getloadavg()
    print(f"\nload average before: {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f} ({uptime_before}); "
          f"after: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}; {os.cpu_count()} cores\n")
    results += browser_rows(args.home, args.n)
    print("| query (count + page of 50 + its rows) | matching videos | median ms | slowest ms |")
    print("|---|---:|---:|---:|")
    for label, median, slowest, found in results:
        print(f"| {label} | {found if isinstance(found, str) else f'{found:,}'} | {median:.0f} | {slowest:.0f} |")


if __name__ == "__main__":
    main()
