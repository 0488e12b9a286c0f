"""The ``workbench`` command line: a thin shell over the library, one module per area.

Each module parses input, calls one library function and renders the result; importing it
registers its commands on the shared Typer ``app``.
"""

from workbench.cli import catalogue, events, match  # noqa: F401  (registers the commands)
from workbench.cli.common import app

__all__ = ["app", "main"]


def main() -> None:
    """Console-script entry point (click's usage errors already exit with 2)."""
    app()
