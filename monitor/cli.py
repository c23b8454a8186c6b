"""The ``capwatch`` command line: one click group; commands live in ``monitor/commands/``.

Library errors are typed exceptions; they become ``click.ClickException`` here and only here. An ``sqlite3``
error that escapes a command (the database locked by another process past the busy timeout, a full disk) becomes
the same kind of one-line message, naming the database file.
Exit codes: 0 success, 1 failure, 2 usage or configuration error.
"""

from __future__ import annotations

import importlib
import sqlite3
from pathlib import Path
from typing import Any

import click

from classifiers.types import ClassifierError
from storage.store import StoreError

from . import __version__
from .context import AppContext
from .errors import CapwatchError

# Commands that may create the database file (and its folders) when it does not exist; every other command
# refuses a missing database ("no database at PATH — run `capwatch init`", exit code 2).
CREATING_COMMANDS = frozenset({"init", "crawl", "classify", "run", "demo"})

# Modules under monitor/commands/ whose COMMANDS are added to the group, in help order.
COMMAND_MODULES = ("init", "sources", "pipeline", "query", "orgs", "risk", "notify", "daemon", "demo")


class _ConfigClickError(click.ClickException):
    """A configuration or usage problem reported as one line with exit code 2."""

    exit_code = 2


class CapwatchGroup(click.Group):
    """A click group that turns capwatch's typed errors into clean one-line messages with exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CapwatchError as exc:
            error_class = _ConfigClickError if exc.exit_code == 2 else click.ClickException
            raise error_class(str(exc)) from None
        except (StoreError, ClassifierError) as exc:
            raise click.ClickException(str(exc)) from None
        except sqlite3.Error as exc:  # met while using the database: locked past the busy timeout, disk full ...
            app = ctx.obj
            error = app.database_error(exc) if isinstance(app, AppContext) else StoreError(str(exc))
            raise click.ClickException(str(error)) from None

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)  # keep registration order in --help


@click.group(cls=CapwatchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="capwatch")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="CAPWATCH_CONFIG",
    help="Configuration file (default: ./sources.toml, else ~/.config/capwatch/sources.toml). Env: CAPWATCH_CONFIG.",
)
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="CAPWATCH_DB",
    help="Database file (default: ~/.local/share/capwatch/capwatch.db). Env: CAPWATCH_DB.",
)
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, db_path: Path | None) -> None:
    """capwatch: early, explained alerts when an AI API provider's stability is at risk.

    Crawls the sources in sources.toml, tags articles with financial signals, scores risk per provider,
    and alerts on Slack and by a daily e-mail digest. Start with `capwatch init`: only init, crawl, classify,
    run and demo create a missing database; the other commands refuse it (exit code 2).
    """
    app = AppContext(config_path=config_path, db_path=db_path,
                     create_database=ctx.invoked_subcommand in CREATING_COMMANDS)
    ctx.obj = app
    ctx.call_on_close(app.close)


def _register() -> None:
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"monitor.commands.{name}")
        for command in module.COMMANDS:
            cli.add_command(command)
    from classifiers.cli import classifier

    cli.add_command(classifier)


_register()


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="capwatch")
