"""Commands: ``risk`` (run the risk stage and show scores, one provider's contributions or its history),
``alerts`` (the alert list) and ``backtest`` (which alerts past evidence would have fired)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import click

from monitor.context import AppContext
from monitor.errors import NotFoundError
from monitor.output import emit, output_options
from monitor.timeparse import parse_when
from storage.times import utcnow

LEVEL_STYLE = {"ok": "green", "watch": "yellow", "warning": "dark_orange", "critical": "bold red"}
STYLES = {"level": lambda v: LEVEL_STYLE.get(str(v), ""), "peak_level": lambda v: LEVEL_STYLE.get(str(v), "")}
_DAY_ONLY = re.compile(r"^\s*\d{4}-\d{2}-\d{2}\s*$")
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
"""The earliest moment a backtest can start (nothing capwatch stores is older)."""


class MomentParam(click.ParamType):
    """A date (``2026-11-01``), a date-time, or a duration ago (``30d``); with ``end_of_day`` a bare date means the
    end of that day, so ``--to 2026-11-01`` includes the 1st."""

    name = "DATE"

    def __init__(self, *, end_of_day: bool = False) -> None:
        self.end_of_day = end_of_day

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            moment = parse_when(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)
        if not EARLIEST <= moment <= utcnow() + timedelta(days=366):
            self.fail(f'expected a moment from {EARLIEST:%Y-%m-%d} to a year from now, got "{value}"', param, ctx)
        if self.end_of_day and _DAY_ONLY.match(str(value)):
            moment += timedelta(days=1, seconds=-1)
        return moment


def _when(dt: datetime | str | None) -> str:
    if dt is None:
        return ""
    text = dt if isinstance(dt, str) else dt.isoformat()
    return text[:16].replace("T", " ")


def _check_provider(app: AppContext, provider: str | None) -> None:
    if provider is not None and provider not in app.config().providers:
        known = ", ".join(sorted(app.config().providers)) or "none"
        raise NotFoundError(f'no provider "{provider}" in the configuration (known: {known})')


@click.command()
@click.argument("provider", required=False)
@click.option("--history", is_flag=True, help="Show PROVIDER's daily risk series with a sparkline.")
@click.option("--days", type=click.IntRange(1, 3650), default=30, show_default=True, help="Days of --history.")
@click.option("--rebuild", is_flag=True, help="Re-cluster every article into stories first (after changing story settings).")
@output_options
@click.pass_obj
def risk(app: AppContext, provider: str | None, history: bool, days: int, rebuild: bool, fmt: str) -> None:
    """Update risk now and show it: every provider, or PROVIDER's contributions, or its --history.

    Running it is the risk stage: it clusters new articles into stories, stores a snapshot per provider and
    opens, escalates or resolves alerts (never twice for the same state). Scores are recomputed from the stored
    signals with the current settings, so a changed weight applies at once.

    Examples: capwatch risk · capwatch risk xai · capwatch risk xai --history --days 90
    """
    from monitor.risk import rebuild_stories, update_risk
    from monitor.risk.history import risk_history
    from monitor.risk.sparkline import sparkline

    _check_provider(app, provider)
    if history and provider is None:
        raise click.UsageError("--history needs a PROVIDER")
    config, store = app.config(), app.store()
    if rebuild:
        removed = rebuild_stories(store)
        if fmt == "table":
            click.echo(f"rebuilding stories ({removed} removed)", err=True)
    report = update_risk(config, store)
    if provider is None:
        rows = []
        for p in sorted(report.providers, key=lambda p: (-p.score, p.provider)):
            top: Any = [{"tag": c.tag, "contribution": round(c.contribution, 3), "title": c.title} for c in p.top[:3]]
            if fmt != "json":
                top = "; ".join(f"{c['tag']} {c['contribution']:+.2f}" for c in top)
            rows.append({"provider": p.provider, "name": p.name, "level": p.level, "score": round(p.score, 3),
                         "change_7d": round(p.change_7d, 3), "top": top})
        emit(rows, ["provider", "name", "level", "score", "change_7d", "top"], fmt, title="Risk", styles=STYLES,
             empty="No providers configured.")
        return
    assert provider is not None
    if history:
        points = risk_history(config, store, provider, days=days, now=report.at or utcnow())
        if fmt == "table":
            line = sparkline([p.score for p in points], top=config.risk.thresholds["watch"])
            name = config.providers[provider].name
            click.echo(f"{name}, last {days} days: {line}  {points[0].score:.2f} -> {points[-1].score:.2f} "
                       f"(now {points[-1].level})")
        rows = [{"date": p.day.isoformat(), "score": round(p.score, 3), "level": p.level, "change": round(p.change, 3),
                 "top": f"{p.top.tag} {p.top.contribution:+.2f}: {p.top.title}" if p.top else ""} for p in points]
        emit(rows, ["date", "score", "level", "change", "top"], fmt, styles=STYLES)
        return
    current = next(p for p in report.providers if p.provider == provider)
    title = (f"{current.name}: {current.level}, score {current.score:.2f} "
             f"({current.change_7d:+.2f} over 7 days)")
    rows = [{"tag": c.tag, "direction": c.direction, "contribution": round(c.contribution, 3), "weight": c.weight,
             "confidence": round(c.confidence, 3), "sources": c.sources, "decay": round(c.decay, 3),
             "published": _when(c.published) if fmt == "table" else c.published.isoformat(), "evidence": c.key,
             "title": c.title} for c in current.contributions]
    columns = ["tag", "direction", "contribution", "weight", "confidence", "sources", "decay", "published", "evidence",
               "title"]
    if fmt == "table":  # the essentials, readable in 80 columns
        for r in rows:
            r["tag"] = f"{r['tag']}:{r['direction']}" if r["direction"] else r["tag"]
            r["published"] = r["published"][:10]
            r["value"] = r["contribution"]
        columns = ["tag", "value", "sources", "published", "evidence", "title"]
    emit(rows, columns, fmt, title=title, empty=f"{title}: no signals.")
    hidden = current.counted - len(current.contributions)
    if fmt == "table" and hidden > 0:
        click.echo(f"... and {hidden} smaller contributions, also counted in the score "
                   f"({current.counted} in all).")


@click.command()
@click.option("--all", "show_all", is_flag=True, help="Every alert, resolved ones included.")
@click.option("--open", "only_open", is_flag=True, help="Only open alerts.")
@click.option("--provider", help="Only alerts about this provider id.")
@output_options
@click.pass_obj
def alerts(app: AppContext, show_all: bool, only_open: bool, provider: str | None, fmt: str) -> None:
    """List alerts, newest first: open ones and those resolved in the last 7 days (--open, --all to change).

    Example: capwatch alerts --all --provider xai
    """
    from monitor.risk.records import alert_rows

    if show_all and only_open:
        raise click.UsageError("--all and --open cannot be used together")
    store = app.store()
    if show_all:
        rows = alert_rows(store, provider=provider)
    elif only_open:
        rows = alert_rows(store, status="open", provider=provider)
    else:
        rows = alert_rows(store, provider=provider, resolved_since=utcnow() - timedelta(days=7))
    columns = ["id", "provider", "status", "level", "peak_level", "score", "opened_at", "updated_at", "resolved_at",
               "summary"]
    for r in rows:
        r["score"] = round(float(r["score"]), 3)
        if fmt == "table":
            for k in ("opened_at", "updated_at", "resolved_at"):
                r[k] = _when(r[k])[:10]
            r["level"] = r["level"] if r["level"] == r["peak_level"] else f"{r['level']} (peak {r['peak_level']})"
    if fmt == "table":
        columns = ["id", "provider", "status", "level", "score", "opened_at", "summary"]
        if show_all:
            columns.insert(6, "resolved_at")
    emit(rows, columns, fmt, title="Alerts", styles=STYLES, empty="No alerts.")


@click.command()
@click.option("--from", "start", type=MomentParam(), required=True, help='Start: a date "2026-09-01" or "90d" (ago).')
@click.option("--to", "end", type=MomentParam(end_of_day=True), help="End: a date (inclusive) or a duration ago; default now.")
@click.option("--provider", "providers", multiple=True, help="Only this provider id (repeatable).")
@output_options
@click.pass_obj
def backtest(app: AppContext, start: datetime, end: datetime | None, providers: tuple[str, ...], fmt: str) -> None:
    """Replay stored evidence in published order and list the alerts that would have fired, and when.

    Nothing is sent and no alert is stored: use it to check thresholds and weights against past news.

    Example: capwatch backtest --from 2026-09-01 --to 2026-11-30
    """
    from monitor.risk.backtest import run_backtest

    for p in providers:
        _check_provider(app, p)
    end = end or utcnow()
    if end <= start:
        raise click.UsageError("--to must be after --from")
    result = run_backtest(app.config(), app.store(), start, end, providers=list(providers) or None)
    rows = [{"at": _when(e.at) if fmt == "table" else e.at.isoformat(), "provider": e.provider, "alert": e.alert,
             "event": e.kind, "level": e.level, "previous": e.previous_level, "score": round(e.score, 3),
             "because": ", ".join(f"{c.tag} {c.contribution:+.2f}" for c in e.top),
             "evidence": "; ".join(f"{c.tag} {c.contribution:+.2f}: {c.title}" for c in e.top)}
            for e in result.events]
    columns = ["at", "provider", "alert", "event", "level", "previous", "score", "evidence"]
    if fmt == "table":
        click.echo(f"replayed {result.articles} articles ({result.signals} signals) from {_when(result.start)} to "
                   f"{_when(result.end)}: {len(result.events)} alert events; nothing was sent")
        columns = ["at", "provider", "alert", "event", "level", "score", "because"]
    emit(rows, columns, fmt, title="Backtest", styles=STYLES, empty="No alert would have fired.")


COMMANDS: list[click.Command] = [risk, alerts, backtest]
