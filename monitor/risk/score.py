"""Score one provider at one moment from its signals: pure functions over rows already read from storage.

Steps (see docs/risk.md):

1. Signals published after ``at`` or beyond the decay horizon are ignored.
2. Signals are grouped into pieces of evidence, each counted once per tag: a story (its articles), a lone
   article not yet in a story, one price-list snapshot's changes (per direction), one day of status-page
   incidents. News stories about a price change or outage that an exact record also reports (same tag and
   direction, within ``story_window``) are folded into that record's evidence.
3. Each piece of evidence contributes ``weight(tag, direction) x confidence x corroboration(sources) x
   decay(age; half-life of tag)``; confidence is the best of its signals' ``confidence x relevance``, the
   direction the most common one among its signals, the age counted from its first report.
4. The score is the sum of the contributions, floored at 0.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.config import RiskSettings

from .factors import corroboration, decay, half_life_for, horizon_days, relevance, weight_for
from .types import Contribution

MIN_CONTRIBUTION = 1e-3
"""Contributions smaller than this (in absolute value) are dropped as noise."""

RECORD_KINDS = ("prices", "status")
"""Evidence kinds that are exact records (price lists, status pages) rather than news."""


@dataclass(frozen=True)
class SignalRow:
    """One stored signal with what scoring needs of its evidence (article, incident or price change)."""

    id: int
    tag: str
    confidence: float
    provider: str
    provider_score: float
    direction: str | None
    published: datetime
    article_id: int | None = None
    incident_id: int | None = None
    price_change_id: int | None = None
    story_id: int | None = None
    source: str | None = None
    title: str = ""
    url: str | None = None
    snapshot_id: int | None = None

    @property
    def unit(self) -> tuple[str, str]:
        """The piece of evidence this signal belongs to, as (kind, id)."""
        if self.article_id is not None:
            if self.story_id is not None:
                return ("story", str(self.story_id))
            return ("article", str(self.article_id))
        if self.price_change_id is not None:
            snapshot = str(self.snapshot_id) if self.snapshot_id is not None else f"{self.source}@{self.published.date()}"
            return ("prices", f"{snapshot}:{self.direction or '-'}")
        if self.incident_id is not None:
            return ("status", self.published.date().isoformat())
        return ("signal", str(self.id))


def _direction(members: Sequence[SignalRow]) -> str | None:
    """The most common non-empty direction; ties go to the direction of the most confident signal."""
    counts = Counter(m.direction for m in members if m.direction)
    if not counts:
        return None
    top = max(counts.values())
    tied = {d for d, n in counts.items() if n == top}
    best = max((m for m in members if m.direction in tied), key=lambda m: (m.confidence, -m.id))
    return best.direction


def _group(rows: Iterable[SignalRow]) -> dict[tuple[str, str, str], list[SignalRow]]:
    groups: dict[tuple[str, str, str], list[SignalRow]] = defaultdict(list)
    for r in rows:
        kind, ident = r.unit
        groups[(kind, ident, r.tag)].append(r)
    return groups


def _fold_news_into_records(
    groups: dict[tuple[str, str, str], list[SignalRow]], window: timedelta
) -> dict[tuple[str, str, str], list[SignalRow]]:
    """Move each news group that reports what an exact record reports into the nearest such record's group."""
    records = [k for k in groups if k[0] in RECORD_KINDS]
    if not records:
        return groups
    firsts = {k: min(r.published for r in v) for k, v in groups.items()}
    directions = {k: _direction(v) for k, v in groups.items()}
    out = {k: list(v) for k, v in groups.items()}
    for key in list(groups):
        if key[0] in RECORD_KINDS:
            continue
        near = [
            rk for rk in records
            if rk[2] == key[2] and directions[rk] == directions[key] and abs(firsts[rk] - firsts[key]) <= window
        ]
        if near:
            target = min(near, key=lambda rk: (abs(firsts[rk] - firsts[key]), rk))
            out[target].extend(out.pop(key))
    return out


def _outlets(members: Sequence[SignalRow]) -> int:
    """Independent sources among a group's signals: distinct article sources, plus each record source once."""
    names = {("news", m.source or f"article{m.article_id}") for m in members if m.article_id is not None}
    names |= {("record", m.source or m.unit[0]) for m in members if m.article_id is None}
    return max(1, len(names))


def _contribution(key: tuple[str, str, str], members: Sequence[SignalRow], at: datetime,
                  settings: RiskSettings) -> Contribution | None:
    kind, ident, tag = key
    direction = _direction(members)
    weight = weight_for(settings, tag, direction)
    if weight == 0:
        return None
    best = max(members, key=lambda m: (m.confidence * relevance(settings, m.provider_score), -m.published.timestamp(), -m.id))
    confidence = best.confidence * relevance(settings, best.provider_score)
    first = min(m.published for m in members)
    half_life = half_life_for(settings, tag)
    age_days = (at - first).total_seconds() / 86400
    sources = _outlets(members)
    corr = corroboration(settings, sources)
    fade = decay(age_days, half_life)
    value = weight * confidence * corr * fade
    if abs(value) < MIN_CONTRIBUTION:
        return None
    stories = sorted({m.story_id for m in members if m.story_id is not None})
    return Contribution(
        key=f"{kind}:{ident}",
        tag=tag,
        direction=direction,
        weight=weight,
        confidence=confidence,
        corroboration=corr,
        sources=sources,
        decay=fade,
        half_life_days=half_life,
        published=first,
        contribution=value,
        title=best.title,
        url=best.url,
        story_id=stories[0] if kind == "story" and stories else None,
        signal_ids=tuple(sorted(m.id for m in members)),
        article_ids=tuple(sorted({m.article_id for m in members if m.article_id is not None})),
        incident_ids=tuple(sorted({m.incident_id for m in members if m.incident_id is not None})),
        price_change_ids=tuple(sorted({m.price_change_id for m in members if m.price_change_id is not None})),
    )


def contributions_at(rows: Iterable[SignalRow], at: datetime, settings: RiskSettings) -> list[Contribution]:
    """Every non-negligible contribution to the score at ``at``, largest absolute value first."""
    oldest = at - timedelta(days=horizon_days(settings))
    live = [r for r in rows if oldest <= r.published <= at]
    groups = _fold_news_into_records(_group(live), settings.story_window)
    out = [c for key, members in groups.items() if (c := _contribution(key, members, at, settings)) is not None]
    out.sort(key=lambda c: (-abs(c.contribution), c.key, c.tag))
    return out


def score_of(contributions: Iterable[Contribution]) -> float:
    """The risk score: the sum of the contributions (good news offsets bad news), never below 0."""
    return max(0.0, sum(c.contribution for c in contributions))
