"""What every command shares: the Typer app, the consoles, --json output, exit codes, progress.

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
from sqlalchemy.exc import SQLAlchemyError

from workbench import __version__
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


def open_workspace():  # noqa: ANN202
    from workbench.workspace import Workspace

    try:
        return Workspace.open(settings_mod.load())
    except ValueError as exc:  # a setting that does not parse
        raise UsageError(str(exc)) from None
    except (SQLAlchemyError, OSError) as exc:  # the catalogue or the data home cannot be opened
        detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        err.print(f"error: cannot open the catalogue: {detail}", markup=False)
        raise typer.Exit(1) from None


def emit(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def finish(items: list[Item], as_json: bool, extra: dict | None = None) -> None:
    failed = sum(not i.ok for i in items)
    if as_json:
        emit({"items": [i.as_dict() for i in items], "ok": len(items) - failed, "failed": failed,
               **(extra or {})})
    else:
        err.print(f"{len(items) - failed} ok, {failed} failed", markup=False)
    raise typer.Exit(1 if failed else 0)


class Reporter:
    """Shows a batch as it runs: a progress bar on a terminal's stderr, one line per finished input.

    Errors go to stderr and successes to stdout; with --json only the final document is printed.
    """

    def __init__(self, as_json: bool, what: str) -> None:
        self.as_json, self.what = as_json, what
        self.bar: Progress | None = None
        self.task = None

    def __enter__(self) -> Reporter:
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
