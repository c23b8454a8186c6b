"""A provider's risk at a moment, from signals already read: the piece shared by the live stage, ``--history``
and the backtest (which read signals once and evaluate many moments)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from monitor.config import Config

from .factors import horizon_days
from .levels import level_for
from .score import SignalRow, contributions_at, score_of
from .types import ProviderRisk

TOP = 5
"""Contributions listed as a provider's top contributors."""

CHANGE_WINDOW = timedelta(days=7)


def utc(dt: datetime) -> datetime:
    """``dt`` as an aware UTC datetime to the second (naive values are taken as UTC)."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).replace(microsecond=0)


def reach(config: Config) -> timedelta:
    """How far before a moment signals must be read to score it and the moment 7 days earlier."""
    return timedelta(days=horizon_days(config.risk)) + CHANGE_WINDOW


def evaluate(config: Config, provider: str, rows: Sequence[SignalRow], at: datetime,
             previous_level: str | None) -> ProviderRisk:
    """Score ``provider`` at ``at`` from ``rows`` (its signals, read far enough back: see :func:`reach`).

    The level applies hysteresis from ``previous_level`` (None: none, only rising thresholds count);
    ``change_7d`` is the score now minus the score seven days earlier.
    """
    settings = config.risk
    contributions = contributions_at(rows, at, settings)
    score = score_of(contributions)
    before = score_of(contributions_at(rows, at - CHANGE_WINDOW, settings))
    level = level_for(score, previous_level, settings.thresholds, settings.hysteresis)
    p = config.providers.get(provider)
    return ProviderRisk(
        provider=provider,
        name=p.name if p else provider,
        at=at,
        score=score,
        level=level,
        previous_level=previous_level,
        change_7d=score - before,
        top=contributions[:TOP],
        contributions=contributions,
    )
