"""Commands: pipeline."""

from __future__ import annotations

import click

from monitor.context import AppContext
from monitor.output import emit, output_options

COMMANDS: list[click.Command] = []


# ---------------------------------------------------------------------------------------------- crawl
CRAWL_COLUMNS = ["source", "kind", "status", "http", "entries", "new", "incidents", "price_changes", "error"]


@click.command()
@click.option("--source", "names", multiple=True, metavar="NAME", help="Crawl only this source (repeatable).")
@click.option("--force", is_flag=True, help="Fetch every selected source now, ignoring next-fetch times and pauses.")
@output_options
@click.pass_obj
def crawl(app: AppContext, names: tuple[str, ...], force: bool, fmt: str) -> None:
    """Fetch due sources once and store new articles, incidents and price changes.

    A failing source never stops the crawl: it is reported with a readable reason, backs off, and shows in
    `capwatch sources`. Conditional requests make unchanged feeds cost one 304 each. Exit code 1 when any
    source failed, with a one-line summary on stderr ("3 of 36 sources failed: 2 DNS, 1 timeout").

    Example: capwatch crawl --source techcrunch-ai --force
    """
    from monitor.crawl import crawl_sources
    from monitor.crawl.report import failure_summary
    from monitor.progress import progress_bar

    config, store = app.config(), app.store()
    total = len(names) if names else len(config.sources)
    with progress_bar(total, "crawling") as advance:
        report = crawl_sources(config, store, names=names or None, force=force, progress=lambda _line: advance(1))
    rows = [
        {
            "source": r.name,
            "kind": r.kind,
            "status": r.status,
            "http": r.http_status,
            "entries": r.entries,
            "new": r.new_articles,
            "incidents": f"{r.new_incidents} new, {r.updated_incidents} updated" if r.kind == "status" else None,
            "price_changes": r.price_changes if r.kind == "prices" else None,
            "error": r.error or r.warning,
        }
        for r in report.results
    ]
    styles = {"status": lambda v: {"ok": "green", "error": "red", "paused": "yellow", "disabled": "magenta"}.get(v, "")}
    emit(rows, CRAWL_COLUMNS, fmt, title="crawl", styles=styles)
    if fmt == "table":
        click.echo(
            f"{report.fetched} fetched, {report.errors} failed; {report.new_articles} new articles, "
            f"{report.new_incidents} new / {report.updated_incidents} updated incidents, "
            f"{report.price_changes} price changes"
        )
    summary = failure_summary(report.results)
    if summary:
        click.echo(summary, err=True)
        raise SystemExit(1)


COMMANDS.append(crawl)


# ---------------------------------------------------------------------------------------------- classify
@click.command()
@click.option("--all", "redo_all", is_flag=True, help="Re-tag every article (after retraining or changing the model).")
@click.option("--keyword", "use_keyword", is_flag=True, help="Use the keyword baseline instead of the configured classifier.")
@output_options
@click.pass_obj
def classify(app: AppContext, redo_all: bool, use_keyword: bool, fmt: str) -> None:
    """Tag articles with signals (tags, providers, amounts).

    Only articles not yet tagged by the current classifier version are read, unless --all is given.

    Example: capwatch classify --all
    """
    from monitor.pipeline import classify_articles
    from monitor.progress import progress_bar

    config, store = app.config(), app.store()
    kind = "keyword" if use_keyword else None
    todo = len(store.articles_to_classify(None, redo_all=True)) if redo_all else None
    with progress_bar(todo, "classifying") as advance:
        report = classify_articles(config, store, redo_all=redo_all, kind=kind, progress=advance)
    if fmt == "table":
        note = " (keyword baseline)" if report.classifier == "keyword" else ""
        click.echo(f"classifier: {report.classifier} {report.version}{note}")
        click.echo(f"articles tagged: {report.articles}, signals stored: {report.signals}")
    rows = [{"tag": t, "articles": n} for t, n in report.tags.most_common()]
    if fmt != "table" or rows:
        emit(rows, ["tag", "articles"], fmt)


COMMANDS.append(classify)
