"""Every command has --help text and an entry with an example in docs/cli.md; --version works."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from monitor import __version__
from monitor.cli import cli

DOCS = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def _walk(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for name, command in group.commands.items():
        path = (*prefix, name)
        out.append(path)
        if isinstance(command, click.Group):
            out.extend(_walk(command, path))
    return out


COMMAND_PATHS = _walk(cli)


def test_the_documented_commands_exist() -> None:
    names = {p[0] for p in COMMAND_PATHS}
    assert {"init", "sources", "crawl", "classify", "risk", "alerts", "search", "show", "digest", "run", "demo",
            "classifier", "backtest", "deliveries"} <= names


@pytest.mark.parametrize("path", COMMAND_PATHS, ids=[" ".join(p) for p in COMMAND_PATHS])
def test_every_command_has_help_and_docs(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    assert command.help and len(command.help.strip()) > 20, f"capwatch {' '.join(path)} has no real help text"
    docs = DOCS.read_text(encoding="utf-8")
    assert f"## capwatch {' '.join(path)}\n" in docs, f"docs/cli.md has no section for capwatch {' '.join(path)}"


def test_docs_have_no_stale_sections() -> None:
    documented = {line[len("## capwatch "):].strip() for line in DOCS.read_text().splitlines()
                  if line.startswith("## capwatch ")}
    assert documented == {" ".join(p) for p in COMMAND_PATHS}


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["frobnicate"])
    assert result.exit_code == 2
