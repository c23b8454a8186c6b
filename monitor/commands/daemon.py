"""Commands: ``capwatch run`` (the daemon, or one cycle with ``--once``)."""

from __future__ import annotations

import click

from monitor.context import AppContext
from monitor.paths import default_db_path


@click.command("run")
@click.option("--once", is_flag=True, help="Run one full cycle (crawl due sources, classify, risk, digest if due, "
              "deliver) and exit.")
@click.option("--log-format", type=click.Choice(["human", "json"]), default="human", show_default=True,
              help="Log lines on stderr: readable text, or one JSON object per line for log shippers.")
@click.pass_obj
def run(app: AppContext, once: bool, log_format: str) -> None:
    """Run the daemon: crawl every source at its interval, then classify, score risk, alert and send the digest.

    Stops cleanly on Ctrl-C or SIGTERM (running jobs finish first; a second signal exits at once). Only one daemon
    may run per database: a second one exits with an error. See docs/daemon.md.
    """
    config = app.config()
    db_path = app.db_path or default_db_path()
    if str(db_path) == ":memory:":
        raise click.UsageError("the daemon needs a database file (--db PATH), not :memory:")
    from monitor.scheduler import run_daemon  # lazy: the stages import heavy libraries

    code = run_daemon(config, db_path, once=once, log_format=log_format)
    if code:
        raise click.exceptions.Exit(code)


COMMANDS: list[click.Command] = [run]
