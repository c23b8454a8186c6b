"""Score one provider at given moments from its signals: pure functions over rows already read from storage.

Steps (see docs/risk.md):

1. Signals published after the moment, or before their tag's horizon (:func:`~monitor.risk.factors.horizon_for`:
   the age past which no piece of evidence of that tag can contribute ``MIN_CONTRIBUTION``), are ignored.
2. Signals are grouped into pieces of evidence, each counted once per tag: a story (its articles), a lone
   article not yet in a story, one price-list snapshot's changes (per direction), one day of status-page
   incidents. News stories about a price change or outage that an exact record also reports (same tag and
   direction, within ``story_window``) are folded into that record's evidence.
3. Each piece of evidence contributes ``weight(tag, direction) x confidence x corroboration(sources) x
   decay(age; half-life of tag)``; confidence is the best of its signals' ``confidence x relevance``, the
   direction the most common one among its signals, the age counted from its first report.
4. The score is the sum of the contributions of at least ``MIN_CONTRIBUTION`` (absolute value), floored at 0.
   Only the largest (``listed``) become :class:`Contribution` values with their ids, title and link; the others are
   counted and summed, nothing more.

Signals are grouped once for all the moments scored (a piece of evidence's live members at a moment are a slice
of its members, kept oldest first). The article signals of tags without exact records, nearly all of them, are
weighed as columns with numpy (:mod:`monitor.risk.table`); the others, and the listed contributions, row by row
here, from plain tuples in :class:`SignalRow`'s field order read by position.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from monitor.config import RiskSettings
from storage.times import to_iso

from .factors import MIN_CONTRIBUTION, corroboration, decay, half_life_for, horizon_for, relevance, weight_for
from .table import NewsTable, from_rows
from .types import Contribution

__all__ = ["CHANGE_WINDOW", "MIN_CONTRIBUTION", "RECORD_KINDS", "Assessment", "Key", "Row", "SignalRow", "Signals",
           "Titles", "assess", "contributions_at", "evidence_key", "group_rows", "key_of", "record_tags", "score_of",
           "since_bounds", "unit_of"]

CHANGE_WINDOW = timedelta(days=7)
"""``change_7d`` compares the score with the score this long before."""

RECORD_KINDS = ("prices", "status")
"""Evidence kinds that are exact records (price lists, status pages) rather than news."""


class SignalRow(NamedTuple):
    """One stored signal with what scoring needs of its evidence (article, incident or price change).

    ``published`` is the stored UTC ISO text (``2026-11-28T15:12:02+00:00``, which sorts as time). ``source`` is
    the article's, incident's or price list's source; for an article it may be None when it cannot matter (the
    article is the only one of its piece of evidence: it counts as one source whatever its name).
    """

    id: int
    tag: str
    confidence: float
    provider_score: float
    direction: str | None
    published: str
    article_id: int | None = None
    incident_id: int | None = None
    price_change_id: int | None = None
    story_id: int | None = None
    source: str | None = None
    snapshot_id: int | None = None


Row = tuple[Any, ...]
"""A :class:`SignalRow`, or a plain tuple with its fields in the same order (rows as read from the database; they
may carry more columns after these). Positions:"""
ID, TAG, CONFIDENCE, PROVIDER_SCORE, DIRECTION, PUBLISHED, ARTICLE, INCIDENT, PRICE_CHANGE, STORY, SOURCE, SNAPSHOT = (
    range(12))

Key = tuple[str, Any, str]
"""A piece of evidence: (kind, id, tag); the id is a story or article id, or text for records."""

Titles = Callable[[Sequence[Row]], Mapping[int, tuple[str, str | None]]]
"""Signal rows -> ``{signal id: (title, url)}`` of their evidence: how listed contributions get their title and
link (read only for them)."""


def no_titles(rows: Sequence[Row]) -> Mapping[int, tuple[str, str | None]]:
    """A :data:`Titles` that knows none (every title empty)."""
    return {}


def _unit(r: Row) -> tuple[str, Any]:
    """The piece of evidence ``r`` belongs to, as (kind, id)."""
    if r[ARTICLE] is not None:
        if r[STORY] is not None:
            return ("story", r[STORY])
        return ("article", r[ARTICLE])
    if r[PRICE_CHANGE] is not None:
        snapshot = str(r[SNAPSHOT]) if r[SNAPSHOT] is not None else f"{r[SOURCE]}@{r[PUBLISHED][:10]}"
        return ("prices", f"{snapshot}:{r[DIRECTION] or '-'}")
    if r[INCIDENT] is not None:
        return ("status", r[PUBLISHED][:10])
    return ("signal", r[ID])


def evidence_key(r: Row) -> Key:
    """The piece of evidence ``r`` belongs to, with its tag."""
    kind, ident = _unit(r)
    return (kind, ident, r[TAG])


Unit = Any
"""A piece of evidence within its tag, compactly: a story id (>= 0), minus the id of an article in no story, or
(kind, id) for the others (records, signals with no evidence)."""

Pieces = dict[str, dict[Unit, list[Row]]]
"""Pieces of evidence by tag, then by :data:`Unit`: their signals, oldest first."""


def unit_of(r: Row) -> Unit:
    """The :data:`Unit` of ``r``'s piece of evidence."""
    if r[ARTICLE] is not None:
        return r[STORY] if r[STORY] is not None else -r[ARTICLE]
    return _unit(r)


def key_of(tag: str, unit: Unit) -> Key:
    """The :data:`Key` of the piece of evidence ``unit`` of ``tag``."""
    if isinstance(unit, tuple):
        return (unit[0], unit[1], tag)
    return ("story", unit, tag) if unit >= 0 else ("article", -unit, tag)


def group_rows(rows: Iterable[Row]) -> Pieces:
    """Rows grouped by tag and piece of evidence, members oldest first."""
    pieces: Pieces = {}
    for r in rows:
        units = pieces.get(r[TAG])
        if units is None:
            units = pieces[r[TAG]] = {}
        units.setdefault(unit_of(r), []).append(r)
    for units in pieces.values():
        for members in units.values():
            if len(members) > 1:
                members.sort(key=lambda r: (r[PUBLISHED], r[ID]))
    return pieces


def record_tags(rows: Iterable[Row]) -> set[str]:
    """The tags of the exact records (status-page incidents, price changes) among ``rows``."""
    return {r[TAG] for r in rows if r[ARTICLE] is None and (r[INCIDENT] is not None or r[PRICE_CHANGE] is not None)}


class Signals:
    """One provider's signals as read for scoring, and where the titles of their evidence come from.

    The article signals of tags without exact records are in ``table`` (a :class:`~monitor.risk.table.NewsTable`,
    weighed with numpy); the others (records, the news of their tags, signals without evidence) are ``pieces``
    (:func:`group_rows`), weighed row by row. Give ``rows`` (they are split so) or ``pieces`` and ``table``.

    ``sources`` gives article sources by article id, for article rows without one (loaded rows carry a source only
    where it can matter: an article sharing its piece of evidence).
    """

    def __init__(self, rows: Sequence[Row] | None = None, titles: Titles = no_titles, *,
                 pieces: Pieces | None = None, table: NewsTable | None = None,
                 sources: Mapping[int, str] | None = None) -> None:
        self.titles = titles
        self.sources: Mapping[int, str] = sources or {}
        if rows is not None:
            records = record_tags(rows)
            news = [r for r in rows if r[ARTICLE] is not None and r[TAG] not in records]
            pieces = group_rows(r for r in rows if r[ARTICLE] is None or r[TAG] in records)
            table = from_rows(news, self.sources) if news else None
        self.pieces: Pieces = pieces or {}
        self.table = table

    def __len__(self) -> int:
        return sum(len(g) for units in self.pieces.values() for g in units.values()) + len(self.table or ())

    @property
    def rows(self) -> list[Row]:
        """Every signal, oldest first."""
        every = [r for units in self.pieces.values() for g in units.values() for r in g]
        if self.table is not None:
            every += [self.table.row(i) for i in range(len(self.table))]
        return sorted(every, key=lambda r: (r[PUBLISHED], r[ID]))

    @property
    def groups(self) -> dict[Key, list[Row]]:
        """The pieces of evidence by key (before news is folded into records), members oldest first."""
        return {key_of(tag, unit): g for tag, units in group_rows(self.rows).items() for unit, g in units.items()}


@dataclass(frozen=True)
class Assessment:
    """A provider's score at one moment: the score, how many contributions make it up and the largest of them."""

    at: datetime
    score: float
    counted: int
    contributions: list[Contribution] = field(default_factory=list)


def _direction(members: Sequence[Row]) -> str | None:
    """The most common non-empty direction; ties go to the direction of the most confident signal."""
    directions = [m[DIRECTION] for m in members if m[DIRECTION]]
    if not directions:
        return None
    one = directions[0]
    if directions.count(one) == len(directions):
        return one
    counts = Counter(directions)
    top = max(counts.values())
    tied = {d for d, n in counts.items() if n == top}
    best = max((m for m in members if m[DIRECTION] in tied), key=lambda m: (m[CONFIDENCE], -m[ID]))
    return str(best[DIRECTION])


def _outlets(members: Sequence[Row], sources: Mapping[int, str]) -> int:
    """Independent sources among a group's signals: distinct article sources, plus each record source once."""
    names = {("news", m[SOURCE] or sources.get(m[ARTICLE]) or f"article{m[ARTICLE]}") for m in members
             if m[ARTICLE] is not None}
    names |= {("record", m[SOURCE] or _unit(m)[0]) for m in members if m[ARTICLE] is None}
    return max(1, len(names))


def _timestamp(text: str) -> float:
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def since_bounds(settings: RiskSettings, at: datetime) -> dict[str, str]:
    """Per tag that can contribute, the oldest publication time (stored ISO text) still read to score ``at``:
    ``at`` minus the tag's horizon, rounded up to the second. Tags missing here never contribute."""
    out = {}
    for tag in _tags(settings):
        horizon = horizon_for(settings, tag)
        if horizon <= 0:
            continue
        oldest = at - timedelta(days=horizon)
        if oldest.microsecond:
            oldest = oldest.replace(microsecond=0) + timedelta(seconds=1)
        out[tag] = to_iso(oldest)
    return out


def _tags(settings: RiskSettings) -> list[str]:
    from classifiers.taxonomy import TAG_NAMES

    names = dict.fromkeys(TAG_NAMES)
    names.update(dict.fromkeys(k.split(":")[0] for k in settings.weights))
    return list(names)


@dataclass
class _Model:
    """The factors of one settings object, looked up once per tag and direction."""

    settings: RiskSettings
    sources: Mapping[int, str]
    weights: dict[tuple[str, str | None], float] = field(default_factory=dict)
    half_lives: dict[str, float] = field(default_factory=dict)
    corr: dict[int, float] = field(default_factory=dict)

    def weight(self, tag: str, direction: str | None) -> float:
        w = self.weights.get((tag, direction))
        if w is None:
            w = self.weights[(tag, direction)] = weight_for(self.settings, tag, direction)
        return w

    def half_life(self, tag: str) -> float:
        h = self.half_lives.get(tag)
        if h is None:
            h = self.half_lives[tag] = half_life_for(self.settings, tag)
        return h

    def corroboration(self, sources: int) -> float:
        c = self.corr.get(sources)
        if c is None:
            c = self.corr[sources] = corroboration(self.settings, sources)
        return c

    def confidence(self, r: Row) -> float:
        """``r``'s confidence times its relevance (see :func:`~monitor.risk.factors.relevance`)."""
        return float(r[CONFIDENCE] * relevance(self.settings, r[PROVIDER_SCORE]))


class _Parts(NamedTuple):
    """What a piece of evidence's contribution is made of, apart from its decay."""

    direction: str | None
    weight: float
    confidence: float
    best: Row
    first: float
    sources: int
    corroboration: float

    def decay(self, at_ts: float, half_life: float) -> float:
        """The decay at ``at_ts`` (POSIX seconds) of evidence first reported at :attr:`first`."""
        return decay((at_ts - self.first) / 86400, half_life)

    def value(self, at_ts: float, half_life: float) -> float:
        """The contribution at ``at_ts``."""
        return self.weight * self.confidence * self.corroboration * self.decay(at_ts, half_life)


def _parts(tag: str, members: Sequence[Row], model: _Model) -> _Parts | None:
    """Direction, weight, confidence (of the best signal), first report and corroboration of one piece of evidence
    (None when its weight is 0)."""
    if len(members) == 1:
        best = members[0]
        direction = best[DIRECTION] or None
        weight = model.weight(tag, direction)
        if weight == 0:
            return None
        confidence = model.confidence(best)
        return _Parts(direction, weight, confidence, best, _timestamp(best[PUBLISHED]), 1, 1.0)
    direction = _direction(members)
    weight = model.weight(tag, direction)
    if weight == 0:
        return None
    best = members[0]
    confidence = model.confidence(best)
    first_text = best[PUBLISHED]
    for m in members:
        c = model.confidence(m)
        # the most confident; ties: the earliest, then the lowest id
        if c > confidence or (c == confidence and (m[PUBLISHED], m[ID]) < (best[PUBLISHED], best[ID])):
            best, confidence = m, c
        if m[PUBLISHED] < first_text:
            first_text = m[PUBLISHED]
    sources = _outlets(members, model.sources)
    return _Parts(direction, weight, confidence, best, _timestamp(first_text), sources, model.corroboration(sources))


def _fold_news_into_records(groups: dict[Key, list[Row]], window: timedelta) -> dict[Key, list[Row]]:
    """Move each news group that reports what an exact record reports into the nearest such record's group."""
    records = [k for k in groups if k[0] in RECORD_KINDS]
    if not records:
        return groups
    tags = {k[2] for k in records}
    stamps = {k: _timestamp(min(r[PUBLISHED] for r in v)) for k, v in groups.items() if k[2] in tags}
    directions = {k: _direction(v) for k, v in groups.items() if k[2] in tags}
    by_kind: dict[tuple[str, str | None], list[Key]] = {}
    for rk in records:
        by_kind.setdefault((rk[2], directions[rk]), []).append(rk)
    limit = window.total_seconds()
    out = dict(groups)
    for key in groups:
        if key[0] in RECORD_KINDS or key[2] not in tags:
            continue
        candidates = by_kind.get((key[2], directions[key]))
        if not candidates:
            continue
        near = [rk for rk in candidates if abs(stamps[rk] - stamps[key]) <= limit]
        if near:
            target = min(near, key=lambda rk: (abs(stamps[rk] - stamps[key]), rk[0], str(rk[1]), rk[2]))
            out[target] = out[target] + out.pop(key)
    return out


def _slice(members: list[Row], oldest: str, until: str) -> tuple[int, int]:
    """The members (oldest first) published in [oldest, until], as a slice."""
    lo, hi = 0, len(members)
    if members[0][PUBLISHED] < oldest:
        lo = bisect_left([m[PUBLISHED] for m in members], oldest)
    if members[-1][PUBLISHED] > until:
        hi = bisect_right([m[PUBLISHED] for m in members], until)
    return lo, hi


Counted = tuple[float, str, Unit, list[Row]]
"""A contribution that counts: its value, tag, piece of evidence and the members it is made of."""


def _contribution(value: float, tag: str, unit: Unit, members: list[Row], at_ts: float, model: _Model,
                  titles: Mapping[int, tuple[str, str | None]]) -> Contribution:
    kind, ident, _ = key_of(tag, unit)
    parts = _parts(tag, members, model)
    assert parts is not None
    half_life = model.half_life(tag)
    title, url = titles.get(parts.best[ID], ("", None))
    return Contribution(
        key=f"{kind}:{ident}",
        tag=tag,
        direction=parts.direction,
        weight=parts.weight,
        confidence=parts.confidence,
        corroboration=parts.corroboration,
        sources=parts.sources,
        decay=parts.decay(at_ts, half_life),
        half_life_days=half_life,
        published=datetime.fromtimestamp(parts.first, UTC),
        contribution=value,
        title=title,
        url=url,
        story_id=int(ident) if kind == "story" else None,
        signal_ids=tuple(sorted(m[ID] for m in members)),
        article_ids=tuple(sorted({m[ARTICLE] for m in members if m[ARTICLE] is not None})),
        incident_ids=tuple(sorted({m[INCIDENT] for m in members if m[INCIDENT] is not None})),
        price_change_ids=tuple(sorted({m[PRICE_CHANGE] for m in members if m[PRICE_CHANGE] is not None})),
    )


def _listing_order(c: Counted) -> tuple[float, str, str]:
    kind, ident, tag = key_of(c[1], c[2])
    return (-abs(c[0]), f"{kind}:{ident}", tag)


def _largest(counted: list[Counted], n: int) -> list[Counted]:
    """The ``n`` largest by absolute value, ties by key text then tag (the listing order)."""
    if n <= 0 or not counted:
        return []
    if len(counted) > n:
        floor = heapq.nlargest(n, [abs(c[0]) for c in counted])[-1]
        counted = [c for c in counted if abs(c[0]) >= floor]
    counted.sort(key=_listing_order)
    return counted[:n]


def assess(signals: Signals, moments: Sequence[datetime], settings: RiskSettings, *,
           listed: Sequence[int | None] = ()) -> list[Assessment]:
    """Score ``signals`` (one provider's) at each of ``moments``.

    ``listed[i]`` is how many of the largest contributions at ``moments[i]`` become :class:`Contribution` values
    (None: all of them; missing: none), with their title and link from ``signals.titles``.

    Pieces of evidence of a tag that has exact records (price lists, status pages) are weighed at each moment after
    folding news into records, since which news is folded where depends on the moment.
    """
    if not moments:
        return []
    model = _Model(settings, signals.sources)
    per_moment = [(since_bounds(settings, m), to_iso(m), m.timestamp()) for m in moments]
    untils = [u for _, u, _ in per_moment]
    stamps = [t for _, _, t in per_moment]
    counted: list[list[Counted]] = [[] for _ in moments]
    for tag, units in signals.pieces.items():
        if tag not in per_moment[0][0]:
            continue
        oldest = [b[tag] for b, _, _ in per_moment]
        if any(isinstance(u, tuple) and u[0] in RECORD_KINDS for u in units):
            _weigh_folded(tag, units, oldest, untils, stamps, model, counted)
        else:
            _weigh_plain(tag, units, oldest, untils, stamps, model, counted)
    table = signals.table
    weighed = table.weigh(per_moment, model.weight, model.half_life, model.corroboration,
                          settings.body_mention_factor, MIN_CONTRIBUTION) if table is not None else None
    out = []
    for i, moment in enumerate(moments):
        found = counted[i]
        n = listed[i] if i < len(listed) else 0
        values = [c[0] for c in found]
        total = len(found)
        candidates = list(found)
        if table is not None and weighed is not None:
            news, pieces, live = weighed[i]
            values += news.tolist()
            total += len(news)
            candidates += table.largest(news, pieces, live, n)
        score = max(0.0, math.fsum(values))
        top = _largest(candidates, total if n is None else n)
        bests = [p.best for c in top if (p := _parts(c[1], c[3], model)) is not None]
        names = signals.titles(bests) if bests else {}
        out.append(Assessment(at=moment, score=score, counted=total,
                              contributions=[_contribution(v, tag, unit, m, stamps[i], model, names)
                                             for v, tag, unit, m in top]))
    return out


def _weigh_plain(tag: str, units: dict[Unit, list[Row]], oldest: list[str], untils: list[str],
                 stamps: list[float], model: _Model, counted: list[list[Counted]]) -> None:
    """Weigh the pieces of evidence of a tag without records at each moment, row by row."""
    half_life = model.half_life(tag)
    for unit, members in units.items():
        seen: tuple[int, int] | None = None
        parts: _Parts | None = None
        for i in range(len(untils)):
            span = _slice(members, oldest[i], untils[i])
            if span[0] >= span[1]:
                continue
            if span != seen:
                seen = span
                parts = _parts(tag, members[span[0]:span[1]], model)
            if parts is None:
                continue
            value = parts.value(stamps[i], half_life)
            if abs(value) >= MIN_CONTRIBUTION:
                counted[i].append((value, tag, unit, members[span[0]:span[1]]))


def _weigh_folded(tag: str, units: dict[Unit, list[Row]], oldest: list[str], untils: list[str],
                  stamps: list[float], model: _Model, counted: list[list[Counted]]) -> None:
    """Weigh the pieces of evidence of a tag that has records, at each moment, after folding news into records."""
    half_life = model.half_life(tag)
    for i in range(len(untils)):
        live: dict[Key, list[Row]] = {}
        for unit, members in units.items():
            lo, hi = _slice(members, oldest[i], untils[i])
            if lo < hi:
                live[key_of(tag, unit)] = members[lo:hi]
        for key, members in _fold_news_into_records(live, model.settings.story_window).items():
            parts = _parts(tag, members, model)
            if parts is None:
                continue
            value = parts.value(stamps[i], half_life)
            if abs(value) >= MIN_CONTRIBUTION:
                unit = (key[0], key[1]) if key[0] not in ("story", "article") else (
                    key[1] if key[0] == "story" else -key[1])
                counted[i].append((value, tag, unit, members))


def contributions_at(rows: Sequence[Row], at: datetime, settings: RiskSettings, *,
                     titles: Titles = no_titles) -> list[Contribution]:
    """Every non-negligible contribution to the score at ``at``, largest absolute value first (``rows``: one
    provider's signals, oldest first)."""
    return assess(Signals(rows, titles), [at], settings, listed=[None])[0].contributions


def score_of(contributions: Iterable[Contribution]) -> float:
    """The risk score: the sum of the contributions (good news offsets bad news), never below 0."""
    return max(0.0, math.fsum(c.contribution for c in contributions))
