"""Commands that read the database: ``search`` and ``show``."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import click

from monitor.context import AppContext
from monitor.errors import NotFoundError
from monitor.output import emit, output_options
from monitor.timeparse import WHEN


@click.command()
@click.argument("query", required=False)
@click.option("--provider", help="Only articles that name this organisation id (about it or mentioning it).")
@click.option("--about", help="Only articles whose event is about this organisation id (a signal with it as subject).")
@click.option("--tag", help="Only articles carrying this signal tag (e.g. losses_burn); with --about, on that subject.")
@click.option("--since", type=WHEN, help='Published at or after: "7d" (ago) or a date "2026-11-01".')
@click.option("--until", type=WHEN, help='Published at or before: "1d" (ago) or a date.')
@click.option("--source", help="Only articles seen in this source.")
@click.option("--limit", type=click.IntRange(1, 10000), default=50, show_default=True, help="At most this many rows.")
@output_options
@click.pass_obj
def search(
    app: AppContext,
    query: str | None,
    provider: str | None,
    about: str | None,
    tag: str | None,
    since: datetime | None,
    until: datetime | None,
    source: str | None,
    limit: int,
    fmt: str,
) -> None:
    """Full-text search over articles (FTS5 syntax: words, "phrases", OR, NOT, prefix*).

    Examples: capwatch search "cash burn" --about xai --tag losses_burn --since 90d;
    capwatch search Bun --provider anthropic (articles that name Anthropic, whoever they are about)
    """
    rows = app.store().search(query, provider=about, tag=tag, since=since, until=until, source=source,
                              mentions=provider, limit=limit)
    for r in rows:
        r["published"] = r["published"][:16].replace("T", " ")
    emit(rows, ["id", "published", "source", "providers", "tags", "title", "url"], fmt, empty="No matching articles.")


MAX_ID = 2**63 - 1
"""The largest id SQLite can store: a larger number is a usage error, not a lookup."""


def _parse_id(ref: str) -> tuple[str, int]:
    kind, _, number = ref.rpartition(":")
    kind = kind.lower() or "article"
    aliases = {"a": "article", "article": "article", "s": "story", "story": "story", "alert": "alert",
               "i": "incident", "incident": "incident"}
    if kind not in aliases or not number.isdigit():
        raise click.BadParameter(f'expected ID, article:ID, story:ID, alert:ID or incident:ID, got "{ref}"')
    if int(number) > MAX_ID:
        raise click.BadParameter(f'{number} is larger than any id can be (at most {MAX_ID})')
    return aliases[kind], int(number)


def _article(app: AppContext, article_id: int) -> dict[str, Any]:
    store = app.store()
    row = store.article(article_id)
    if row is None:
        raise NotFoundError(f"no article with id {article_id}")
    row["signals"] = store.rows(
        "select tag, provider, round(confidence, 3) as confidence, direction, amount_usd, amount_kind, model_version "
        "from signals where article_id = ? order by confidence desc",
        [article_id],
    )
    return row


def _incident(app: AppContext, incident_id: int) -> dict[str, Any]:
    rows = app.store().rows("select * from incidents where id = ?", [incident_id])
    if not rows:
        raise NotFoundError(f"no incident with id {incident_id}")
    row = rows[0]
    row["components"] = json.loads(row["components"] or "[]")
    return row


def _render(record: dict[str, Any]) -> None:
    for key, value in record.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            click.echo(f"{key}:")
            for item in value:
                click.echo("  - " + ", ".join(f"{k}={v}" for k, v in item.items() if v not in (None, "")))
        elif key == "text" and value:
            click.echo(f"{key}:\n{value}")
        elif key != "embedding":
            click.echo(f"{key}: {value}")


@click.command()
@click.argument("ref", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Output JSON.")
@click.pass_obj
def show(app: AppContext, ref: str, as_json: bool) -> None:
    """Show one article, story, alert or incident with its evidence.

    ID is a number (an article) or kind:number — article:12, story:3, alert:1, incident:4.

    Example: capwatch show alert:1
    """
    kind, number = _parse_id(ref)
    if kind == "article":
        record = _article(app, number)
    elif kind == "incident":
        record = _incident(app, number)
    else:
        from monitor.risk import describe_alert, describe_story

        describe = describe_alert if kind == "alert" else describe_story
        record = describe(app.store(), number)
    record.pop("embedding", None)
    if as_json:
        click.echo(json.dumps(record, indent=2, default=str, ensure_ascii=False))
    else:
        _render(record)


COMMANDS: list[click.Command] = [search, show]
