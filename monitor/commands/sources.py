"""``capwatch sources``: each configured source's crawl state; ``capwatch sources check``: fetch each once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from monitor.config import redact_url
from monitor.context import AppContext
from monitor.durations import format_duration
from monitor.output import emit, output_options
from storage.times import from_iso, utcnow

SOURCE_COLUMNS = [
    "name", "kind", "enabled", "status", "last_fetch", "next_fetch", "entries", "error_count", "last_error",
    "paused_until",
]
CHECK_COLUMNS = ["name", "kind", "status", "http", "format", "entries", "error"]
_STATUS_STYLE = {"ok": "green", "error": "red", "failing": "red", "paused": "yellow", "disabled": "magenta", "new": "dim"}


def _when(text: str | None, now: datetime) -> str | None:
    """``2026-11-28 15:00 (in 25m)`` / ``(3h ago)`` for a stored timestamp."""
    if not text:
        return None
    try:
        at = from_iso(text)
    except ValueError:
        return text
    delta = at - now
    rel = f"in {format_duration(delta)}" if delta.total_seconds() > 0 else f"{format_duration(-delta)} ago"
    return f"{at:%Y-%m-%d %H:%M} ({rel})"


def source_status(enabled: bool, state: dict[str, Any] | None, now: datetime) -> str:
    """new | ok | failing | paused | disabled, from the configuration and the stored state."""
    if not enabled or (state and state.get("disabled_reason")):
        return "disabled"
    if state is None or not state.get("last_fetch"):
        return "new"
    paused = state.get("paused_until")
    if paused and from_iso(paused) > now:
        return "paused"
    return "failing" if int(state.get("error_count") or 0) > 0 else "ok"


@click.group(invoke_without_command=True)
@output_options
@click.pass_context
def sources(ctx: click.Context, fmt: str) -> None:
    """List configured sources with their crawl state (last/next fetch, entries, errors, pauses).

    Every failing source shows a readable reason (timeout, DNS, TLS, HTTP 404, not a feed, ...). A URL's
    user:password is shown as *** (https://***@host/feed).

    Example: capwatch sources --json
    """
    if ctx.invoked_subcommand is not None:
        return
    app: AppContext = ctx.obj
    config, store = app.config(), app.store()
    states = {s["name"]: s for s in store.sources_state()}
    now = utcnow()
    rows = []
    for source in config.sources:
        state = states.get(source.name)
        if state is not None and state.get("url") != source.shown_url:
            state = None  # the URL changed in the config: the next crawl starts over
        as_text = fmt == "table"
        rows.append(
            {
                "name": source.name,
                "kind": source.kind,
                "enabled": source.enabled,
                "status": source_status(source.enabled, state, now),
                "last_fetch": (_when(state.get("last_fetch"), now) if as_text else state.get("last_fetch")) if state else None,
                "next_fetch": (_when(state.get("next_fetch"), now) if as_text else state.get("next_fetch")) if state else None,
                "entries": state.get("last_entry_count") if state else None,
                "error_count": int(state.get("error_count") or 0) if state else 0,
                "last_error": (state.get("disabled_reason") or state.get("last_error")) if state else None,
                "paused_until": state.get("paused_until") if state else None,
                "url": redact_url((state.get("current_url") if state else None) or source.url),
                "format": state.get("last_format") if state else None,
                "warning": state.get("last_warning") if state else None,
            }
        )
    columns = SOURCE_COLUMNS if fmt == "table" else [*SOURCE_COLUMNS, "url", "format", "warning"]
    emit(rows, columns, fmt, title="sources", empty="No sources configured.",
         styles={"status": lambda v: _STATUS_STYLE.get(v, "")})


@sources.command()
@click.option("--source", "names", multiple=True, metavar="NAME", help="Check only this source (repeatable).")
@output_options
@click.pass_obj
def check(app: AppContext, names: tuple[str, ...], fmt: str) -> None:
    """Fetch each source once (nothing is stored) and report status, format, entry count and error.

    Use it after editing sources.toml to see which URLs and selectors work. Exit code 1 when any source failed,
    with a one-line summary on stderr.

    Example: capwatch sources check --source openai-status
    """
    from monitor.crawl import check_sources
    from monitor.crawl.report import failure_summary
    from monitor.progress import progress_bar

    config = app.config()
    total = len(names) if names else len(config.sources)
    with progress_bar(total, "checking") as advance:
        results = check_sources(config, names or None, progress=lambda _line: advance(1))
    rows = [
        {
            "name": r.name, "kind": r.kind, "status": r.status, "http": r.http_status, "format": r.format,
            "entries": r.entries, "error": r.error or r.warning, "url": r.url,
        }
        for r in results
    ]
    emit(rows, CHECK_COLUMNS if fmt == "table" else [*CHECK_COLUMNS, "url"], fmt, title="sources check",
         styles={"status": lambda v: _STATUS_STYLE.get(v, "")})
    failed = sum(1 for r in results if r.status == "error")
    if fmt == "table":
        click.echo(f"{len(results) - failed} of {len(results)} sources answered with content")
    summary = failure_summary(list(results))
    if summary:
        click.echo(summary, err=True)
        raise SystemExit(1)


COMMANDS: list[click.Command] = [sources]
