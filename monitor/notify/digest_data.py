"""Gather what the daily digest shows, for the window since the previous digest.

The window starts when the previous digest was queued (24 hours back when there was none) and ends ``now``.

:class:`DigestLimits` bound how much of each section is gathered, so that a day with 220,000 price changes or
20,000 incidents gives a digest of bounded size: beyond a limit a section keeps its largest items per provider and
its totals per provider (:class:`PriceGroup`, :class:`IncidentGroup`); the counts always cover everything.
"""

from __future__ import annotations

from collections import Counter
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
class DigestLimits:
    """How much of each section a digest shows; None: all of it. Totals and per-provider counts are always exact."""

    rows_per_provider: int | None = None  # price changes (largest first) and incidents (ongoing, then latest)
    alerts: int | None = None  # new alerts and resolved alerts, each (highest score first)
    risk_rows: int | None = None  # providers in the risk table (riskiest first)
    signal_providers: int | None = None  # providers in the top signals section
    groups: int | None = None  # providers in the price and incident summaries (most items first)
    failing_sources: int | None = None  # sources named in the health line

    @property
    def complete(self) -> bool:
        return self == DigestLimits()


SUMMARY_LEVELS: tuple[DigestLimits, ...] = (
    DigestLimits(),
    DigestLimits(rows_per_provider=10, alerts=200, groups=50, failing_sources=50),
    DigestLimits(rows_per_provider=3, alerts=30, risk_rows=100, signal_providers=30, groups=30, failing_sources=20),
    DigestLimits(rows_per_provider=0, alerts=5, risk_rows=20, signal_providers=5, groups=10, failing_sources=5),
)
"""From everything to counts only: the digest uses the first level that fits its byte budget."""


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
class PriceGroup:
    """One provider's price changes in the window, counted (whatever the digest lists)."""

    provider: str | None
    name: str
    total: int
    up: int
    down: int

    @property
    def other(self) -> int:
        return self.total - self.up - self.down


@dataclass(frozen=True)
class IncidentGroup:
    """One provider's incidents in the window, counted."""

    provider: str | None
    name: str
    total: int
    ongoing: int


@dataclass(frozen=True)
class SourceHealth:
    total: int
    failing: list[tuple[str, str]]  # (source, why)
    never_crawled: int = 0
    more_failing: int = 0  # failing sources left out of ``failing`` (a digest over its size budget)

    @property
    def line(self) -> str:
        """One line: ``All 14 sources healthy.`` or ``2 of 14 sources failing: a (HTTP 503, ...), b (paused ...).``"""
        if self.total == 0:
            return "No sources configured."
        waiting = f" ({self.never_crawled} of {self.total} not crawled yet)" if self.never_crawled else ""
        if not self.failing:
            return f"All {self.total} sources healthy." if not waiting else f"No source failing{waiting}."
        detail = ", ".join(f"{name} ({why})" for name, why in self.failing)
        if self.more_failing:
            detail += f" and {self.more_failing} more"
        count = len(self.failing) + self.more_failing
        return f"{count} of {self.total} sources failing: {detail}.{waiting}"


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
    limits: DigestLimits = field(default_factory=DigestLimits)
    levels: Counter[str | None] | None = None  # providers per level, over every provider (None: count ``risk``)
    risk_total: int | None = None  # providers scored or configured (None: ``len(risk)``)
    new_alerts_total: int | None = None  # (None: ``len(new_alerts)``), and so on
    resolved_alerts_total: int | None = None
    signal_providers_total: int | None = None
    prices_total: int | None = None
    price_groups: list[PriceGroup] = field(default_factory=list)
    incidents_total: int | None = None
    incident_groups: list[IncidentGroup] = field(default_factory=list)

    def count(self, level: str) -> int:
        """Providers at ``level`` now (all of them, also those a summarised risk table leaves out)."""
        if self.levels is not None:
            return self.levels[level]
        return sum(1 for r in self.risk if r.level == level)

    def total(self, section: str) -> int:
        """How many items ``section`` (risk, new_alerts, resolved_alerts, signals, prices, incidents) has in all."""
        known = getattr(self, f"{'signal_providers' if section == 'signals' else section}_total")
        return len(getattr(self, section)) if known is None else int(known)

    def omitted(self, section: str) -> int:
        """How many items of ``section`` the digest leaves out (0 when it shows them all)."""
        return self.total(section) - len(getattr(self, section))

    @property
    def summarised(self) -> bool:
        """True when some section shows less than everything (the digest was over its size budget)."""
        sections = ("risk", "new_alerts", "resolved_alerts", "signals", "prices", "incidents")
        return any(self.omitted(s) for s in sections) or self.health.more_failing > 0


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


def _price(config: Config, r: dict[str, Any]) -> PriceRow:
    return PriceRow(provider=r["provider"], name=_name(config, r["provider"]), model=r["model"], field=r["field"],
                    old_value=r["old_value"], new_value=r["new_value"], percent=r["percent"],
                    direction=r["direction"], source=r["source"], detected=from_iso(r["detected"]))


def price_rows(
    config: Config, store: Store, since: datetime, now: datetime, per_provider: int | None = None
) -> list[PriceRow]:
    """Price changes detected in the window, by provider, model and field; with ``per_provider``, only that many
    per provider: the largest changes (by absolute percentage; additions and removals after them)."""
    window = [to_iso(since), to_iso(now)]
    if per_provider is None:
        rows = store.rows(
            "select * from price_changes where detected > ? and detected <= ? order by provider, model, field", window
        )
    else:
        rows = store.rows(
            """select * from (
                 select *, row_number() over (partition by provider
                                              order by percent is null, abs(percent) desc, model, field) as rank
                 from price_changes where detected > ? and detected <= ?)
               where rank <= ? order by provider, rank""",
            [*window, per_provider],
        )
    return [_price(config, r) for r in rows]


def price_groups(config: Config, store: Store, since: datetime, now: datetime) -> list[PriceGroup]:
    """Price changes in the window counted per provider (rises, cuts, the rest), most changes first."""
    rows = store.rows(
        """select provider, count(*) as n, sum(direction = 'up') as up, sum(direction = 'down') as down
           from price_changes where detected > ? and detected <= ? group by provider order by n desc, provider""",
        [to_iso(since), to_iso(now)],
    )
    return [PriceGroup(provider=r["provider"], name=_name(config, r["provider"]), total=int(r["n"]),
                       up=int(r["up"] or 0), down=int(r["down"] or 0)) for r in rows]


_INCIDENTS_IN_WINDOW = """from incidents
    where started <= ? and (started > ? or resolved > ? or (resolved is null and started > ?))"""


def _incident_window(since: datetime, now: datetime) -> list[str]:
    return [to_iso(now), to_iso(since), to_iso(since), to_iso(now - OPEN_INCIDENT_MAX_AGE)]


def incident_rows(
    config: Config, store: Store, since: datetime, now: datetime, per_provider: int | None = None
) -> list[IncidentRow]:
    """Incidents that started or resolved in the window, and those still open from the last week, latest first;
    with ``per_provider``, only that many per provider (ongoing ones first, then the latest)."""
    params = _incident_window(since, now)
    if per_provider is None:
        rows = store.rows(f"select * {_INCIDENTS_IN_WINDOW} order by started desc", params)
    else:
        rows = store.rows(
            f"""select * from (
                  select *, row_number() over (partition by provider
                                               order by resolved is not null, started desc, id desc) as rank
                  {_INCIDENTS_IN_WINDOW})
                where rank <= ? order by started desc""",
            [*params, per_provider],
        )
    return [
        IncidentRow(provider=r["provider"], name=_name(config, r["provider"]), title=r["title"], impact=r["impact"],
                    status=r["status"], started=from_iso(r["started"]),
                    resolved=from_iso(r["resolved"]) if r["resolved"] else None, url=r["url"])
        for r in rows
    ]


def incident_groups(config: Config, store: Store, since: datetime, now: datetime) -> list[IncidentGroup]:
    """The window's incidents counted per provider (all, and still ongoing), most incidents first."""
    rows = store.rows(
        f"""select provider, count(*) as n, sum(resolved is null) as ongoing {_INCIDENTS_IN_WINDOW}
            group by provider order by n desc, provider""",
        _incident_window(since, now),
    )
    return [IncidentGroup(provider=r["provider"], name=_name(config, r["provider"]), total=int(r["n"]),
                          ongoing=int(r["ongoing"] or 0)) for r in rows]


def source_health(config: Config, store: Store, now: datetime, limit: int | None = None) -> SourceHealth:
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
    shown = failing if limit is None else failing[:limit]
    return SourceHealth(total=len(names), failing=shown, never_crawled=never, more_failing=len(failing) - len(shown))


def window_rows(store: Store, since: datetime, now: datetime) -> int:
    """How many price changes, incidents and new or resolved alerts the window holds (what makes a digest long)."""
    window = [to_iso(since), to_iso(now)]
    prices = store.rows("select count(*) as n from price_changes where detected > ? and detected <= ?", window)
    incidents = store.rows(f"select count(*) as n {_INCIDENTS_IN_WINDOW}", _incident_window(since, now))
    alerts = store.rows(
        """select count(*) as n from alerts
           where (opened_at > ? and opened_at <= ?) or (resolved_at > ? and resolved_at <= ?)""", window + window)
    return sum(int(rows[0]["n"]) for rows in (prices, incidents, alerts))


def _alerts(config: Config, store: Store, column: str, since: datetime, now: datetime,
            limit: int | None) -> tuple[list[AlertRow], int]:
    """Alerts whose ``column`` (opened_at, resolved_at) falls in the window, in that order, and how many there are
    in all; with ``limit``, the highest-scored ``limit`` of them."""
    params = [to_iso(since), to_iso(now)]
    where = f"from alerts where {column} > ? and {column} <= ?"
    total = int(store.rows(f"select count(*) as n {where}", params)[0]["n"])
    if limit is None:
        rows = store.rows(f"select * {where} order by {column}", params)
    else:
        rows = store.rows(f"select * from (select * {where} order by score desc, id limit ?) order by {column}",
                          [*params, limit])
    return [_alert(config, r) for r in rows], total


def gather_digest(
    config: Config,
    store: Store,
    now: datetime,
    limits: DigestLimits | None = None,
    *,
    since: datetime | None = None,
    first: bool = False,
) -> DigestData:
    """Collect the digest's contents for the window ending ``now`` (starting at ``since`` when given, ``first``
    telling whether it is the first digest's 24 hours: a digest rendered again for the window it was queued for),
    each section bounded by ``limits`` (default: everything)."""
    limits = limits or DigestLimits()
    tz = ZoneInfo(config.settings.timezone)
    if since is None:
        since, first = window_start(config, store, now)
    risk = risk_rows(config, store, since, now)
    new_alerts, new_total = _alerts(config, store, "opened_at", since, now, limits.alerts)
    resolved, resolved_total = _alerts(config, store, "resolved_at", since, now, limits.alerts)
    open_count = int(store.rows("select count(*) as n from alerts where status = 'open'")[0]["n"])
    signals = top_signals(config, store, since, now, [r.provider for r in risk])
    pgroups = price_groups(config, store, since, now)
    igroups = incident_groups(config, store, since, now)
    return DigestData(
        day=now.astimezone(tz).date(),
        now=now.astimezone(tz),
        since=since.astimezone(tz),
        first=first,
        timezone=config.settings.timezone,
        risk=risk[: limits.risk_rows] if limits.risk_rows is not None else risk,
        new_alerts=new_alerts,
        resolved_alerts=resolved,
        open_alerts=open_count,
        signals=signals[: limits.signal_providers] if limits.signal_providers is not None else signals,
        prices=price_rows(config, store, since, now, limits.rows_per_provider),
        incidents=incident_rows(config, store, since, now, limits.rows_per_provider),
        health=source_health(config, store, now, limits.failing_sources),
        limits=limits,
        levels=Counter(r.level for r in risk),
        risk_total=len(risk),
        new_alerts_total=new_total,
        resolved_alerts_total=resolved_total,
        signal_providers_total=len(signals),
        prices_total=sum(g.total for g in pgroups),
        price_groups=pgroups if limits.groups is None else pgroups[: limits.groups],
        incidents_total=sum(g.total for g in igroups),
        incident_groups=igroups if limits.groups is None else igroups[: limits.groups],
    )
