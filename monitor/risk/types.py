"""The values the risk engine hands out: contributions, per-provider risk, alert events and the stage report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from storage.times import to_iso


@dataclass(frozen=True)
class Contribution:
    """One piece of evidence's share of a provider's score.

    ``contribution = weight x confidence x corroboration x decay``. A piece of evidence (``key``) is a story (all
    articles about one event), a lone article not yet clustered, one price-list snapshot's changes or one day of
    status-page incidents; news stories about the same price change or outage are folded into it.
    """

    key: str
    tag: str
    direction: str | None
    weight: float
    confidence: float
    corroboration: float
    sources: int
    decay: float
    half_life_days: float
    published: datetime
    contribution: float
    title: str
    url: str | None = None
    story_id: int | None = None
    signal_ids: tuple[int, ...] = ()
    article_ids: tuple[int, ...] = ()
    incident_ids: tuple[int, ...] = ()
    price_change_ids: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (rounded numbers, ISO time, lists of ids)."""
        return {
            "key": self.key,
            "tag": self.tag,
            "direction": self.direction,
            "contribution": round(self.contribution, 4),
            "weight": self.weight,
            "confidence": round(self.confidence, 4),
            "corroboration": round(self.corroboration, 4),
            "sources": self.sources,
            "decay": round(self.decay, 4),
            "half_life_days": self.half_life_days,
            "published": to_iso(self.published),
            "title": self.title,
            "url": self.url,
            "story_id": self.story_id,
            "signal_ids": list(self.signal_ids),
            "article_ids": list(self.article_ids),
            "incident_ids": list(self.incident_ids),
            "price_change_ids": list(self.price_change_ids),
        }


@dataclass(frozen=True)
class ProviderRisk:
    """A provider's risk at one moment: the score, its level and the contributions that make it up.

    ``contributions`` lists the largest (at most :data:`~monitor.risk.engine.LISTED`, largest absolute value first);
    ``counted`` is how many make up the score (every piece of evidence contributing at least
    ``MIN_CONTRIBUTION``).
    """

    provider: str
    name: str
    at: datetime
    score: float
    level: str
    previous_level: str | None
    change_7d: float
    top: list[Contribution] = field(default_factory=list)
    contributions: list[Contribution] = field(default_factory=list)
    counted: int = 0


@dataclass(frozen=True)
class AlertEvent:
    """One step of an alert's life: ``opened``, ``escalated``, ``deescalated`` or ``resolved``."""

    alert_id: int
    event_id: int
    provider: str
    kind: str
    level: str
    previous_level: str | None
    score: float
    at: datetime
    summary: str
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass
class RiskReport:
    """What one run of the risk stage did: every configured provider's risk and the alert events it caused."""

    providers: list[ProviderRisk]
    events: list[AlertEvent]
    at: datetime | None = None
    articles_clustered: int = 0
    stories_created: int = 0
