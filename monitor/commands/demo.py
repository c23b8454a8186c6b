"""``capwatch demo``: the whole pipeline, offline, on bundled sample sources served on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from monitor.context import AppContext
from monitor.output import console, emit

LEVEL_STYLE = {"ok": "green", "watch": "yellow", "warning": "dark_orange", "critical": "bold red"}


def _explicit_db(app: AppContext) -> Path | None:
    """The database only if given with --db on the command line (never CAPWATCH_DB: the demo must not write
    sample data into a real database by accident)."""
    root = click.get_current_context().find_root()
    return app.db_path if root.get_parameter_source("db_path") == ParameterSource.COMMANDLINE else None


def _print_alert(alert: dict[str, Any]) -> None:
    """Print one alert (a :func:`~monitor.risk.describe_alert` record): a header line, the reasons one per line,
    then the articles behind it."""
    con = console()
    level = alert.get("level", "?")
    name = alert.get("provider_name") or alert.get("provider")
    con.print(
        f"[{LEVEL_STYLE.get(level, 'bold')}]ALERT {alert.get('id')}[/] {name}: "
        f"{level} (score {float(alert.get('score', 0)):.2f})",
        highlight=False,
    )
    # the reasons of the alert's summary (its three largest risk-raising contributions), from its evidence
    raising = [c for c in alert.get("contributions", []) if (c.get("contribution") or 0) > 0][:3]
    for i, c in enumerate(raising):
        reason = f"{c.get('tag')} {float(c['contribution']):+.2f}: {c.get('title') or ''}"
        con.print(f"  {'why:' if i == 0 else '    '} {reason}", highlight=False, markup=False)
    for art in alert.get("articles", [])[:8]:
        when = str(art.get("published", ""))[:10]
        con.print(f"    {when}  [{art.get('source', '')}] {art.get('title', '')}", highlight=False, markup=False)
        con.print(f"                {art.get('url', '')}", highlight=False, markup=False)


@click.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the demo database, config and digest preview (default: a new temp folder).")
@click.option("--keyword", "use_keyword", is_flag=True, help="Use the keyword baseline instead of the transformer.")
@click.pass_obj
def demo(app: AppContext, out_dir: Path | None, use_keyword: bool) -> None:
    """Run crawl -> classify -> risk -> alerts on bundled sample sources, offline.

    Starts an HTTP server on 127.0.0.1 serving an RSS feed, an Atom feed, an HTML listing with article pages,
    two status-page feeds and a model price list that tell an eight-week story; writes into a temporary
    database (or --db), prints the risk table and each alert with the articles behind it, and writes a digest
    preview. A --db holding anything but the demo's own data is refused (exit code 2, nothing written); on a
    database a previous demo filled, nothing is crawled again and the same result is shown.

    Example: capwatch demo --out ./demo-out
    """
    from monitor.demo.runner import run_demo

    result = run_demo(
        db_path=_explicit_db(app),
        out_dir=out_dir,
        classifier="keyword" if use_keyword else "transformer",
        say=click.echo,
    )
    if result.crawl is not None:
        crawl_rows = [
            {"source": r.name, "kind": r.kind, "status": r.status, "entries": r.entries, "new": r.new_articles,
             "incidents": r.new_incidents, "price changes": r.price_changes, "error": r.error}
            for r in result.crawl.results
        ]
        emit(crawl_rows, None, "table", title="Crawl")
    c = result.classify
    note = " (keyword baseline)" if c.classifier == "keyword" else ""
    click.echo(f"classified {c.articles} articles with {c.classifier} {c.version}{note}: {c.signals} signals")
    risk_rows = [
        {"provider": p.name, "level": p.level, "score": round(p.score, 2), "7d change": round(p.change_7d, 2),
         "top signals": "; ".join(f"{t.tag} {t.contribution:+.2f}" for t in p.top[:3])}
        for p in sorted(result.risk.providers, key=lambda p: -p.score)
    ]
    emit(risk_rows, None, "table", title="Risk", styles={"level": lambda v: LEVEL_STYLE.get(v, "")})
    if result.alerts:
        for alert in result.alerts:
            _print_alert(alert)
    else:
        click.echo("no open alerts")
    click.echo(f"digest preview: {result.digest_path}")
    click.echo(f"database: {result.db_path}")
    click.echo(f"demo finished in {result.seconds:.1f} s")


COMMANDS: list[click.Command] = [demo]
