"""The README's promises: its two set-up commands, and the commands it documents, exist."""

from __future__ import annotations

import re
from pathlib import Path

from typer.main import get_command

from workbench.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def shell_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", README, re.DOTALL)


def test_readme_starts_with_the_demo_then_the_test_command():
    demo, tests = shell_blocks()[:2]
    assert "pip install -e '.[demo]'" in demo and demo.strip().endswith("workbench demo && streamlit run app.py")
    assert "pip install -e '.[test]'" in tests and "pytest" in tests
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert tests.strip() in ci  # CI runs exactly the README's test command


def test_every_documented_command_exists():
    commands = set(get_command(app).commands)
    documented = set(re.findall(r"^workbench (\w+)", "\n".join(shell_blocks()), re.MULTILINE))
    assert documented and documented <= commands
