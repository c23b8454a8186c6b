"""``capwatch orgs``: organisations by recent capital signals, watched or not.

capwatch recognises every organisation of its catalogue (docs/providers.md) and stores their signals, but scores
and alerts only the watched ones (``[settings] watch``). This listing shows who is heating up — for example a
lab outside the watch list with a run of layoffs and a down round — so a user can decide to watch it.
"""

from __future__ import annotations

from datetime import timedelta

import click

from storage.times import utcnow

from ..context import AppContext
from ..output import emit, output_options


@click.command()
@click.option("--days", type=click.IntRange(1, 3650), default=30, show_default=True,
              help="Count signals published in the last N days.")
@click.option("--watched/--all", "watched_only", default=False,
              help="Only watched providers (default: every organisation with signals).")
@click.option("--limit", type=click.IntRange(1, 10000), default=50, show_default=True, help="At most this many rows.")
@output_options
@click.pass_obj
def orgs(app: AppContext, days: int, watched_only: bool, limit: int, fmt: str) -> None:
    """Organisations by number of capital signals in the last --days, with their top tags.

    Columns: org (catalogue id), name, kind, watched (gets risk scores and alerts), signals, articles, tags
    (tag: count, most first), last_signal, mentioned_in (articles naming it at all).
    """
    config = app.config()
    rows = app.store().org_activity(utcnow() - timedelta(days=days))
    out = []
    for r in rows:
        org = config.orgs.get(r["org"])
        watched = r["org"] in config.providers
        if watched_only and not watched:
            continue
        tags = r["tags"]
        out.append({
            "org": r["org"],
            "name": org.name if org else r["org"],
            "kind": org.kind if org else "",
            "watched": watched,
            "signals": r["signals"],
            "articles": r["articles"],
            "tags": tags if fmt == "json" else ", ".join(f"{t}: {n}" for t, n in list(tags.items())[:4]),
            "last_signal": r["last_signal"],
            "mentioned_in": r["mentioned_in"],
        })
        if len(out) >= limit:
            break
    if fmt == "table":
        for r in out:
            r["watched"] = "yes" if r["watched"] else ""
            r["last_signal"] = (r["last_signal"] or "")[:10]
    emit(out, ["org", "name", "kind", "watched", "signals", "articles", "tags", "last_signal", "mentioned_in"], fmt,
         empty=f"No signals in the last {days} days.")


COMMANDS: list[click.Command] = [orgs]
