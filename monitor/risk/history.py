"""A provider's daily risk series, recomputed from the stored signals with today's settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from monitor.config import Config
from storage.store import Store

from . import records
from .engine import evaluate, utc
from .types import Contribution


@dataclass(frozen=True)
class HistoryPoint:
    """The provider's risk on one day (evaluated at the same time of day as the series' end)."""

    day: date
    at: datetime
    score: float
    level: str
    change: float
    top: Contribution | None


def risk_history(config: Config, store: Store, provider: str, *, days: int, now: datetime) -> list[HistoryPoint]:
    """``days`` daily points ending at ``now``, oldest first; levels carry hysteresis from one day to the next and
    ``change`` is the difference from the day before (0 for the first point)."""
    end = utc(now)
    start = end - timedelta(days=days - 1)
    signals = records.load_signals(store, provider, config.risk, start, end)
    points: list[HistoryPoint] = []
    level: str | None = None
    for k in range(days):
        at = start + timedelta(days=k)
        risk = evaluate(config, provider, signals, at, level)
        level = risk.level
        change = risk.score - points[-1].score if points else 0.0
        top = next((c for c in risk.contributions if c.contribution > 0), None)
        points.append(HistoryPoint(day=at.date(), at=at, score=risk.score, level=risk.level, change=change, top=top))
    return points
