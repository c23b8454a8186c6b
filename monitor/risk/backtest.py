"""Replay stored evidence in published order and list the alerts that would have fired, sending nothing.

For each provider the score is evaluated at ``--from``, at every signal published in the period (each article,
incident or price change, in published order) and at every midnight UTC (so decay can lower levels), ending at
``--to``; levels carry hysteresis and the same lifecycle as the live stage opens, escalates, deescalates and
resolves simulated alerts. The replay starts fresh at ``--from`` (no open alert): a provider already elevated then
opens an alert at ``--from``. Only clustering writes (articles not yet in a story are put into one first, exactly
as the live stage would); no snapshot, alert or notification is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from monitor.config import Config
from storage.store import Store
from storage.times import to_iso

from . import records
from .alerts import transition
from .engine import evaluate, utc
from .stories import Embed, assign_stories, encoder_embedder
from .types import Contribution


@dataclass(frozen=True)
class BacktestEvent:
    """An alert event that would have fired."""

    at: datetime
    provider: str
    name: str
    alert: int
    kind: str
    level: str
    previous_level: str | None
    score: float
    top: list[Contribution] = field(default_factory=list)


@dataclass
class BacktestResult:
    """The events of a replay, in time order, and how much was replayed."""

    start: datetime
    end: datetime
    articles: int = 0
    signals: int = 0
    evaluations: int = 0
    events: list[BacktestEvent] = field(default_factory=list)


def _moments(start: datetime, end: datetime, published: Sequence[datetime]) -> list[datetime]:
    moments = {start, end, *(t for t in published if start < t <= end)}
    midnight = start.replace(hour=0, minute=0, second=0) + timedelta(days=1)
    while midnight < end:
        moments.add(midnight)
        midnight += timedelta(days=1)
    return sorted(moments)


def run_backtest(config: Config, store: Store, start: datetime, end: datetime, *,
                 providers: Sequence[str] | None = None, embed: Embed | None = None) -> BacktestResult:
    """The alert events that would have fired between ``start`` and ``end`` (see the module docstring)."""
    start, end = utc(start), utc(end)
    if end <= start:
        raise ValueError("the end of a backtest must be after its start")
    assign_stories(store, config.risk, config.provider_aliases, embed or encoder_embedder(config.classifier.model_path))
    result = BacktestResult(start=start, end=end)
    result.articles = int(store.db.execute(
        "select count(*) from articles where published >= ? and published <= ?", [to_iso(start), to_iso(end)]
    ).fetchone()[0])
    events: list[BacktestEvent] = []
    articles = records.ArticleIndex(store)
    for provider in providers or list(config.providers):
        signals = records.load_signals(store, provider, config.risk, start, end, articles=articles)
        published = records.signal_times(store, provider, start, end)
        result.signals += len(published)
        level: str | None = None
        open_level: str | None = None
        episode = 0
        for at in _moments(start, end, published):
            risk = evaluate(config, provider, signals, at, level)
            result.evaluations += 1
            level = risk.level
            kind = transition(open_level, risk.level)
            if kind is None:
                continue
            if kind == "opened":
                episode += 1
            events.append(BacktestEvent(at=at, provider=provider, name=risk.name, alert=episode, kind=kind,
                                        level=risk.level, previous_level=open_level, score=risk.score,
                                        top=[c for c in risk.contributions if c.contribution > 0][:3]))
            open_level = None if kind == "resolved" else risk.level
    events.sort(key=lambda e: (e.at, e.provider))
    numbers: dict[tuple[str, int], int] = {}
    for e in events:
        numbers.setdefault((e.provider, e.alert), len(numbers) + 1)
    result.events = [replace(e, alert=numbers[(e.provider, e.alert)]) for e in events]
    return result
