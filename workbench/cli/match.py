"""Commands over duplicates: dupes, search, review."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from workbench.cli.common import JsonOpt, UsageError, app, emit, err, open_workspace, out


@app.command()
def dupes(
    refs: Annotated[list[str] | None, typer.Argument(help="Video ids or SHA-256 prefixes (default: all).")] = None,
    rescan: Annotated[bool, typer.Option("--rescan", help="Match again (these videos, or all) and replace the "
                                                          "pairs kept since their analysis.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """List duplicate pairs (exact and near, with the shared segments) and clusters with their earliest copy."""
    from workbench.match.dupes import UnknownVideo, duplicates

    ws = open_workspace()
    try:
        data = duplicates(ws, list(refs or []), rescan=rescan)
    except UnknownVideo as exc:
        raise UsageError(str(exc)) from None
    stale = sum(1 for p in data["pairs"] if p.get("stale"))
    if stale:
        err.print(f"{stale} pair(s) were found before a video was analysed again: run `workbench dupes --rescan`",
                  markup=False)
    if as_json:
        emit(data)
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
    ws = open_workspace()
    try:
        hits = search_image(ws, image) if image is not None else search_clip(ws, clip)
    except QueryError as exc:
        raise UsageError(str(exc)) from None
    if as_json:
        emit({"query": str(image or clip), "results": hits})
        return
    for h in hits:
        where = (", ".join(f"{t:.2f}s" for t in h["timestamps"][:10]) + (" (found by decoding around a near miss)"
                                                                          if h.get("refined") else "")
                 if "timestamps" in h else
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
    ws = open_workspace()
    try:
        r = run(ws, a, b, CONFIRMED if confirm else REJECTED, note)
    except ReviewError as exc:
        raise UsageError(str(exc)) from None
    if as_json:
        emit(r.as_dict())
    else:
        out.print(f"#{r.a} ~ #{r.b} {r.decision} by {r.by} at {r.at:%Y-%m-%d %H:%M:%S} UTC", markup=False)
