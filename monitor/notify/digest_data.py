"""Gather what the daily digest shows, for the window since the previous digest.

The window starts when the previous digest was queued (24 hours back when there was none) and ends ``now``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from storage.store import Store
from storage.times import from_iso, to_iso

from ..config import Config
from . import outbox
from .routes import level_rank

SIGNALS_PER_PROVIDER = 3
SIGNAL_MAX_AGE = timedelta(days=7)  # a re-classification does not resurface old news
OPEN_INCIDENT_MAX_AGE = timedelta(days=7)


@dataclass(frozen=True)
class RiskRow:
    provider: str
    name: str
    level: str | None  # None: no risk computed yet
    score: float | None
    previous_level: str | None
    previous_score: float | None

    @property
    def delta(self) -> float | None:
        if self.score is None or self.previous_score is None:
            return None
        return self.score - self.previous_score

    @property
    def level_changed(self) -> bool:
        return self.previous_level is not None and self.level != self.previous_level


@dataclass(frozen=True)
class AlertRow:
    id: int
    provider: str
    name: str
    level: str
    peak_level: str
    score: float
    summary: str
    opened_at: datetime
    resolved_at: datetime | None


@dataclass(frozen=True)
class SignalRow:
    tag: str
    confidence: float
    title: str
    url: str | None
    source: str | None
    published: datetime


@dataclass(frozen=True)
class ProviderSignals:
    provider: str
    name: str
    signals: list[SignalRow]


@dataclass(frozen=True)
class PriceRow:
    provider: str | None
    name: str
    model: str
    field: str
    old_value: float | None
    new_value: float | None
    percent: float | None
    direction: str
    source: str
    detected: datetime


@dataclass(frozen=True)
class IncidentRow:
    provider: str | None
    name: str
    title: str
    impact: str | None
    status: str | None
    started: datetime
    resolved: datetime | None
    url: str | None


@dataclass(frozen=True)
class SourceHealth:
    total: int
    failing: list[tuple[str, str]]  # (source, why)
    never_crawled: int = 0

    @property
    def line(self) -> str:
        """One line: ``All 14 sources healthy.`` or ``2 of 14 sources failing: a (HTTP 503, ...), b (paused ...).``"""
        if self.total == 0:
            return "No sources configured."
        waiting = f" ({self.never_crawled} of {self.total} not crawled yet)" if self.never_crawled else ""
        if not self.failing:
            return f"All {self.total} sources healthy." if not waiting else f"No source failing{waiting}."
        detail = ", ".join(f"{name} ({why})" for name, why in self.failing)
        return f"{len(self.failing)} of {self.total} sources failing: {detail}.{waiting}"


@dataclass
class DigestData:
    """Everything the templates show."""

    day: date
    now: datetime  # local time
    since: datetime  # local time
    first: bool  # no previous digest: the window is the last 24 hours
    timezone: str
    risk: list[RiskRow] = field(default_factory=list)
    new_alerts: list[AlertRow] = field(default_factory=list)
    resolved_alerts: list[AlertRow] = field(default_factory=list)
    open_alerts: int = 0
    signals: list[ProviderSignals] = field(default_factory=list)
    prices: list[PriceRow] = field(default_factory=list)
    incidents: list[IncidentRow] = field(default_factory=list)
    health: SourceHealth = field(default_factory=lambda: SourceHealth(0, []))

    def count(self, level: str) -> int:
        return sum(1 for r in self.risk if r.level == level)


def digest_key(config: Config, now: datetime) -> str:
    """``digest:YYYY-MM-DD`` for the local day of ``now`` in the configured time zone."""
    return f"digest:{now.astimezone(ZoneInfo(config.settings.timezone)).date().isoformat()}"


def window_start(config: Config, store: Store, now: datetime) -> tuple[datetime, bool]:
    """When the previous digest (not today's) was queued, and False; else ``now`` - 24 h and True."""
    previous = outbox.latest_of_kind(store, "digest", exclude_key=digest_key(config, now))
    if previous is not None and previous.created < now:
        return previous.created, False
    return now - timedelta(days=1), True


def _name(config: Config, provider: str | None) -> str:
    if provider is None:
        return "(unattributed)"
    p = config.providers.get(provider)
    return p.name if p else provider


def _snapshot(store: Store, provider: str, at: datetime) -> dict[str, Any] | None:
    rows = store.rows(
        """select score, level from risk_snapshots where provider = ? and computed_at <= ?
           order by computed_at desc, id desc limit 1""",
        [provider, to_iso(at)],
    )
    return rows[0] if rows else None


def risk_rows(config: Config, store: Store, since: datetime, now: datetime) -> list[RiskRow]:
    """Every provider (configured or scored) with its level now and at ``since``, riskiest first."""
    providers = list(config.providers)
    providers += [
        r["provider"] for r in store.rows("select distinct provider from risk_snapshots order by provider")
        if r["provider"] not in config.providers
    ]
    rows = []
    for pid in providers:
        cur = _snapshot(store, pid, now)
        prev = _snapshot(store, pid, since)
        rows.append(
            RiskRow(
                provider=pid,
                name=_name(config, pid),
                level=cur["level"] if cur else None,
                score=float(cur["score"]) if cur else None,
                previous_level=prev["level"] if prev else None,
                previous_score=float(prev["score"]) if prev else None,
            )
        )
    rows.sort(key=lambda r: (r.level is None, -level_rank(r.level), -(r.score or 0.0), r.name.lower()))
    return rows


def _alert(config: Config, r: dict[str, Any]) -> AlertRow:
    return AlertRow(
        id=int(r["id"]),
        provider=r["provider"],
        name=_name(config, r["provider"]),
        level=r["level"],
        peak_level=r["peak_level"],
        score=float(r["score"]),
        summary=r["summary"] or "",
        opened_at=from_iso(r["opened_at"]),
        resolved_at=from_iso(r["resolved_at"]) if r["resolved_at"] else None,
    )


def top_signals(config: Config, store: Store, since: datetime, now: datetime, ranked: list[str]) -> list[ProviderSignals]:
    """The strongest new signals per provider (stored in the window, published within the last week)."""
    rows = store.rows(
        """select s.provider, s.tag, s.confidence, s.published,
                  coalesce(a.title, i.title, pc.model || ' ' || pc.field || ' ' || coalesce(pc.old_value, '?') || ' -> ' || coalesce(pc.new_value, '?'), '') as title,
                  coalesce(a.link, a.url, i.url) as url, coalesce(a.source, i.source, pc.source) as source
           from signals s
           left join articles a on a.id = s.article_id
           left join incidents i on i.id = s.incident_id
           left join price_changes pc on pc.id = s.price_change_id
           where s.provider is not null and s.tag != 'none'
             and s.created > ? and s.created <= ? and s.published > ?
           order by s.confidence desc, s.published desc, s.id""",
        [to_iso(since), to_iso(now), to_iso(since - SIGNAL_MAX_AGE)],
    )
    per: dict[str, list[SignalRow]] = {}
    seen: set[tuple[str, str]] = set()
    for r in rows:
        picked = per.setdefault(r["provider"], [])
        key = (r["provider"], r["url"] or r["title"])
        if len(picked) >= SIGNALS_PER_PROVIDER or key in seen:
            continue
        seen.add(key)
        picked.append(
            SignalRow(tag=r["tag"], confidence=float(r["confidence"]), title=r["title"] or (r["url"] or ""),
                      url=r["url"], source=r["source"], published=from_iso(r["published"]))
        )
    order = {pid: i for i, pid in enumerate(ranked)}
    return [
        ProviderSignals(provider=pid, name=_name(config, pid), signals=sigs)
        for pid, sigs in sorted(per.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
    ]


def price_rows(config: Config, store: Store, since: datetime, now: datetime) -> list[PriceRow]:
    rows = store.rows(
        "select * from price_changes where detected > ? and detected <= ? order by provider, model, field",
        [to_iso(since), to_iso(now)],
    )
    return [
        PriceRow(provider=r["provider"], name=_name(config, r["provider"]), model=r["model"], field=r["field"],
                 old_value=r["old_value"], new_value=r["new_value"], percent=r["percent"], direction=r["direction"],
                 source=r["source"], detected=from_iso(r["detected"]))
        for r in rows
    ]


def incident_rows(config: Config, store: Store, since: datetime, now: datetime) -> list[IncidentRow]:
    """Incidents that started or resolved in the window, and those still open from the last week."""
    rows = store.rows(
        """select * from incidents
           where started <= ? and (started > ? or resolved > ? or (resolved is null and started > ?))
           order by started desc""",
        [to_iso(now), to_iso(since), to_iso(since), to_iso(now - OPEN_INCIDENT_MAX_AGE)],
    )
    return [
        IncidentRow(provider=r["provider"], name=_name(config, r["provider"]), title=r["title"], impact=r["impact"],
                    status=r["status"], started=from_iso(r["started"]),
                    resolved=from_iso(r["resolved"]) if r["resolved"] else None, url=r["url"])
        for r in rows
    ]


def source_health(config: Config, store: Store, now: datetime) -> SourceHealth:
    """Enabled configured sources (or, without a config list, every known one) and why each failing one fails."""
    tz = ZoneInfo(config.settings.timezone)
    state = {r["name"]: r for r in store.sources_state()}
    names = [s.name for s in config.sources if s.enabled] if config.sources else list(state)
    failing: list[tuple[str, str]] = []
    never = 0
    for name in names:
        r = state.get(name)
        if r is None or not r.get("last_fetch"):
            never += 1
            continue
        if r.get("disabled_reason"):
            failing.append((name, f"disabled: {r['disabled_reason']}"))
        elif r.get("paused_until") and from_iso(r["paused_until"]) > now:
            until = from_iso(r["paused_until"]).astimezone(tz).strftime("%Y-%m-%d %H:%M")
            failing.append((name, f"paused until {until}"
                                  + (f" after {r['error_count']} errors" if r.get("error_count") else "")))
        elif (r.get("error_count") or 0) > 0:
            why = " ".join(str(r.get("last_error") or "error").split())[:80]
            failing.append((name, f"{why}, {r['error_count']} in a row"))
    return SourceHealth(total=len(names), failing=failing, never_crawled=never)


def gather_digest(config: Config, store: Store, now: datetime) -> DigestData:
    """Collect the digest's contents for the window ending ``now``."""
    tz = ZoneInfo(config.settings.timezone)
    since, first = window_start(config, store, now)
    risk = risk_rows(config, store, since, now)
    params = [to_iso(since), to_iso(now)]
    new_alerts = [_alert(config, r) for r in store.rows(
        "select * from alerts where opened_at > ? and opened_at <= ? order by opened_at", params)]
    resolved = [_alert(config, r) for r in store.rows(
        "select * from alerts where resolved_at > ? and resolved_at <= ? order by resolved_at", params)]
    open_count = int(store.rows("select count(*) as n from alerts where status = 'open'")[0]["n"])
    return DigestData(
        day=now.astimezone(tz).date(),
        now=now.astimezone(tz),
        since=since.astimezone(tz),
        first=first,
        timezone=config.settings.timezone,
        risk=risk,
        new_alerts=new_alerts,
        resolved_alerts=resolved,
        open_alerts=open_count,
        signals=top_signals(config, store, since, now, [r.provider for r in risk]),
        prices=price_rows(config, store, since, now),
        incidents=incident_rows(config, store, since, now),
        health=source_health(config, store, now),
    )
