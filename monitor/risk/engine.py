"""A provider's risk at a moment, from signals already read: the piece shared by the live stage, ``--history``
and the backtest (which read signals once and evaluate many moments)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from monitor.config import Config

from .factors import horizon_days
from .levels import level_for
from .score import CHANGE_WINDOW, Signals, assess
from .types import ProviderRisk

__all__ = ["CHANGE_WINDOW", "LISTED", "TOP", "bulk", "evaluate", "reach", "utc"]

TOP = 5
"""Contributions listed as a provider's top contributors."""

LISTED = 100
"""Contributions listed (largest absolute value first) with their evidence: what alerts, snapshots and
``capwatch risk PROVIDER`` show. Every contribution counts in the score; ``ProviderRisk.counted`` says how many."""


@contextmanager
def bulk() -> Iterator[None]:
    """Pause the cyclic garbage collector while scoring: hundreds of thousands of rows and groups are allocated and
    none is part of a cycle (refcounting frees them all), but each allocation burst would start a collection that
    walks every live object again (about a fifth of the stage's time at a million articles)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def utc(dt: datetime) -> datetime:
    """``dt`` as an aware UTC datetime to the second (naive values are taken as UTC)."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).replace(microsecond=0)


def reach(config: Config) -> timedelta:
    """How far before a moment signals may be read to score it and the moment 7 days earlier (the longest tag
    horizon; each tag is read only as far back as its own, see :func:`~monitor.risk.factors.horizon_for`)."""
    return timedelta(days=horizon_days(config.risk)) + CHANGE_WINDOW


def evaluate(config: Config, provider: str, signals: Signals, at: datetime,
             previous_level: str | None) -> ProviderRisk:
    """Score ``provider`` at ``at`` from ``signals`` (read far enough back: see
    :func:`~monitor.risk.records.load_signals`).

    The level applies hysteresis from ``previous_level`` (None: none, only rising thresholds count);
    ``change_7d`` is the score now minus the score seven days earlier.
    """
    settings = config.risk
    now, before = assess(signals, [at, at - CHANGE_WINDOW], settings, listed=[LISTED, 0])
    level = level_for(now.score, previous_level, settings.thresholds, settings.hysteresis)
    p = config.providers.get(provider)
    return ProviderRisk(
        provider=provider,
        name=p.name if p else provider,
        at=at,
        score=now.score,
        level=level,
        previous_level=previous_level,
        change_7d=now.score - before.score,
        top=now.contributions[:TOP],
        contributions=now.contributions,
        counted=now.counted,
    )
