"""``capwatch init``: create the database and check the configuration."""

from __future__ import annotations

import click

from monitor.context import AppContext


@click.command()
@click.pass_obj
def init(app: AppContext) -> None:
    """Create (or migrate) the database and validate the configuration.

    Registers every configured source so that `capwatch sources` lists it before the first crawl.

    Example: capwatch --db ./capwatch.db init
    """
    config = app.config()
    store = app.store()
    for source in config.sources:
        store.ensure_source(source.name, source.kind, source.shown_url)
    applied = store.applied_migrations
    click.echo(f"database: {store.path}" + (f" (applied {', '.join(applied)})" if applied else " (schema up to date)"))
    click.echo(f"config:   {config.path} ({len(config.providers)} providers, {len(config.sources)} sources)")


COMMANDS: list[click.Command] = [init]
