"""The risk stage: stories, per-provider risk over time, the alert lifecycle, history and backtest.

``update_risk`` is the stage the pipeline runs; ``provider_risk_at`` is a pure read used by history and backtest.
The model (weights by tag and direction, confidence, decay by half-life, corroboration by independent sources,
levels with hysteresis) is described in docs/risk.md.
"""

from __future__ import annotations

from datetime import datetime

from monitor.config import Config
from storage.store import Store
from storage.times import utcnow

from . import records
from .alerts import advance
from .describe import describe_alert, describe_story
from .engine import bulk, evaluate, utc
from .stories import Embed, assign_stories, encoder_embedder, no_embedding, rebuild_stories
from .types import AlertEvent, Contribution, ProviderRisk, RiskReport

__all__ = [
    "AlertEvent",
    "Contribution",
    "Embed",
    "ProviderRisk",
    "RiskReport",
    "describe_alert",
    "describe_story",
    "no_embedding",
    "provider_risk_at",
    "rebuild_stories",
    "update_risk",
]


def provider_risk_at(config: Config, store: Store, provider: str, at: datetime, *,
                     previous_level: str | None = None, articles: records.ArticleIndex | None = None) -> ProviderRisk:
    """``provider``'s risk at ``at`` from the stored signals; reads only.

    The level applies hysteresis from ``previous_level`` when given (otherwise the level is the highest threshold
    reached). Signals with no provider never count; a provider with no signals is ok with score 0. ``articles``
    lets the providers scored in one run share what was read about articles.
    """
    at = utc(at)
    signals = records.load_signals(store, provider, config.risk, at, at, articles=articles)
    return evaluate(config, provider, signals, at, previous_level)


def update_risk(config: Config, store: Store, *, now: datetime | None = None, embed: Embed | None = None) -> RiskReport:
    """Run the risk stage at ``now`` (default: the current time).

    1. Put unclustered articles into stories (``embed`` defaults to the configured encoder; pass
       :func:`no_embedding` to compare titles only).
    2. Score every configured provider at ``now`` (the level keeps hysteresis from its latest earlier snapshot).
    3. Store one risk snapshot per provider (replacing one already stored for the same moment).
    4. Advance each provider's alert: open, escalate, deescalate or resolve it, recording an event with its
       evidence. Running again with nothing changed adds no event.
    """
    at = utc(now or utcnow())
    clustered = assign_stories(store, config.risk, config.provider_aliases,
                               embed or encoder_embedder(config.classifier.model_path))
    report = RiskReport(providers=[], events=[], at=at, articles_clustered=clustered.articles,
                        stories_created=clustered.created)
    with store.transaction(), bulk():
        loaded = records.load_all_signals(store, config.providers, config.risk, at, at)
        for provider, signals in loaded:
            previous = records.previous_level(store, provider, at)
            if previous is None and (current := records.open_alert(store, provider)) is not None:
                previous = str(current["level"])
            risk = evaluate(config, provider, signals, at, previous)
            records.write_snapshot(store, risk)
            event = advance(store, risk, dict(config.risk.thresholds), at)
            report.providers.append(risk)
            if event is not None:
                report.events.append(event)
    return report
