"""News evidence as columns: the article signals of a provider, weighed with numpy.

At a million articles the risk stage weighs about 650,000 signals in 360,000 pieces of evidence, at two moments,
on every run; doing that one Python object at a time took most of its time. A :class:`NewsTable` keeps the article
signals of the tags that have no exact record (status page, price list: news of those tags may be folded into a
record, which :mod:`monitor.risk.score` does row by row) as arrays sorted by piece of evidence, and weighs every
piece at once: the same factors, in the same order of operations, as :func:`monitor.risk.score._parts` (which
still builds the listed contributions, from the rows of their pieces).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from storage.times import from_iso, to_iso

Array = npt.NDArray[Any]

NONE = 0
"""Direction code of a signal without a direction."""


class NewsTable:
    """Article signals (one provider's), sorted by (tag, piece of evidence, published, id).

    Columns: signal ``ids``, ``tags`` (codes into ``tag_names``), ``confidence``, ``provider_score``,
    ``directions`` (codes into ``direction_names``, 0: none), ``epoch`` (published, seconds), ``articles``, ``units``
    (the story, or minus the article id when it is in none: :data:`monitor.risk.score.Unit`) and ``sources``
    (codes into ``source_names``; set for the articles of pieces with several signals, the only ones whose source
    can matter). ``starts`` are the first rows of the pieces.
    """

    def __init__(self, *, ids: Array, tags: Array, confidence: Array, provider_score: Array, directions: Array,
                 epoch: Array, articles: Array, units: Array, sources: Array, tag_names: Sequence[str],
                 direction_names: Sequence[str | None], source_names: Sequence[str], sort: bool = True) -> None:
        if sort:
            order = np.lexsort((ids, epoch, units, tags))
            ids, tags, confidence, provider_score = ids[order], tags[order], confidence[order], provider_score[order]
            directions, epoch, articles, units = directions[order], epoch[order], articles[order], units[order]
            sources = sources[order]
        self.ids, self.tags, self.confidence, self.provider_score = ids, tags, confidence, provider_score
        self.directions, self.epoch, self.articles, self.units, self.sources = directions, epoch, articles, units, sources
        self.tag_names, self.direction_names, self.source_names = list(tag_names), list(direction_names), source_names
        n = len(ids)
        if n:
            change = np.empty(n, dtype=bool)
            change[0] = True
            change[1:] = (tags[1:] != tags[:-1]) | (units[1:] != units[:-1])
            self.starts = np.flatnonzero(change)
        else:
            self.starts = np.zeros(0, dtype=np.int64)
        self.sizes = np.diff(np.append(self.starts, n))

    def __len__(self) -> int:
        return len(self.ids)

    def subset(self, rows: Array) -> NewsTable:
        """The rows ``rows`` (a boolean mask or indexes, keeping the order) as a table."""
        return NewsTable(ids=self.ids[rows], tags=self.tags[rows], confidence=self.confidence[rows],
                         provider_score=self.provider_score[rows], directions=self.directions[rows],
                         epoch=self.epoch[rows], articles=self.articles[rows], units=self.units[rows],
                         sources=self.sources[rows], tag_names=self.tag_names, direction_names=self.direction_names,
                         source_names=self.source_names, sort=False)

    def row(self, i: int) -> tuple[Any, ...]:
        """Row ``i`` as a :class:`~monitor.risk.score.SignalRow`-ordered tuple (source: the article's, when known)."""
        unit = int(self.units[i])
        code = int(self.sources[i])
        return (int(self.ids[i]), self.tag_names[self.tags[i]], float(self.confidence[i]),
                float(self.provider_score[i]), self.direction_names[self.directions[i]],
                to_iso(datetime.fromtimestamp(int(self.epoch[i]), UTC)), int(self.articles[i]), None, None,
                unit if unit >= 0 else None, self.source_names[code] if code >= 0 else None, None)

    def members(self, piece: int, live: Array | None = None) -> list[tuple[Any, ...]]:
        """The rows of piece ``piece`` (those of ``live`` only, when given), oldest first."""
        start = int(self.starts[piece])
        rows = range(start, start + int(self.sizes[piece]))
        return [self.row(i) for i in rows if live is None or live[i]]

    def _majority(self, piece: int, live: Array) -> int:
        """The direction code of piece ``piece`` (live rows) when they have several: the most common one, ties to
        the most confident signal's (as :func:`monitor.risk.score._direction`)."""
        start = int(self.starts[piece])
        part = slice(start, start + int(self.sizes[piece]))
        rows = [(d, c, i) for d, c, i, alive in zip(self.directions[part].tolist(), self.confidence[part].tolist(),
                                                    self.ids[part].tolist(), live[part].tolist(), strict=True)
                if alive and d != NONE]
        counts: dict[int, int] = {}
        for d, _, _ in rows:
            counts[d] = counts.get(d, 0) + 1
        top = max(counts.values())
        tied = [d for d, n in counts.items() if n == top]
        if len(tied) == 1:
            return tied[0]
        return max((c, -i, d) for d, c, i in rows if d in tied)[2]

    def weigh(self, moments: Sequence[tuple[Mapping[str, str], str, float]], weight: Callable[[str, str | None], float],
              half_life: Callable[[str], float], corroboration: Callable[[int], float], bmf: float,
              floor: float) -> list[tuple[Array, Array, Array]]:
        """For each moment (per-tag oldest publication, latest publication, timestamp), the pieces whose
        contribution counts: (values, piece indexes, rows live at that moment)."""
        out: list[tuple[Array, Array, Array]] = []
        n, pieces = len(self.ids), len(self.starts)
        if not n:
            for _ in moments:
                out.append((np.zeros(0), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)))
            return out
        starts = self.starts
        piece_of = np.repeat(np.arange(pieces), self.sizes)
        piece_tag = self.tags[starts]
        weights = np.array([[weight(t, d) for d in self.direction_names] for t in self.tag_names], dtype=np.float64)
        half_lives = np.array([half_life(t) for t in self.tag_names], dtype=np.float64)[piece_tag]
        confidence = self.confidence * np.where(self.provider_score >= 1.0, 1.0, bmf)
        several = self.sizes > 1
        for bounds, until, at_ts in moments:
            oldest = np.array([_epoch(bounds[t]) for t in self.tag_names], dtype=np.int64)
            live = (self.epoch >= oldest[self.tags]) & (self.epoch <= _epoch(until))
            count = np.add.reduceat(live.astype(np.int64), starts)
            present = count > 0
            first = np.minimum.reduceat(np.where(live, self.epoch, np.iinfo(np.int64).max), starts)
            best = np.maximum.reduceat(np.where(live, confidence, -np.inf), starts)
            # direction: none, the only one, or (several different) the majority, decided row by row
            directed = live & (self.directions != NONE)
            lowest = np.minimum.reduceat(np.where(directed, self.directions, np.iinfo(np.int64).max), starts)
            highest = np.maximum.reduceat(np.where(directed, self.directions, NONE), starts)
            piece_direction = np.where(highest == NONE, NONE, lowest)
            for p in np.flatnonzero(present & (highest != NONE) & (lowest != highest)).tolist():
                piece_direction[p] = self._majority(p, live)
            # independent sources: distinct sources among the live rows of pieces with several rows
            outlets = np.ones(pieces, dtype=np.int64)
            shared = several & (count > 1)
            if shared.any():
                rows = live & shared[piece_of]
                width = len(self.source_names) + 1
                pairs = np.unique(piece_of[rows] * width + self.sources[rows])
                outlets = np.where(shared, np.bincount(pairs // width, minlength=pieces), 1)
            table = np.array([corroboration(k) for k in range(int(outlets.max()) + 1)], dtype=np.float64)
            value = np.zeros(pieces)
            alive = np.flatnonzero(present)
            age = (at_ts - first[alive].astype(np.float64)) / 86400
            with np.errstate(over="ignore", under="ignore"):
                fade = np.where(age <= 0, 1.0, 0.5 ** (age / half_lives[alive]))
            value[alive] = (weights[piece_tag[alive], piece_direction[alive]] * best[alive] * table[outlets[alive]]
                            * fade)
            keep = present & (np.abs(value) >= floor)
            out.append((value[keep], np.flatnonzero(keep), live))
        return out

    def largest(self, values: Array, pieces: Array, live: Array,
                n: int | None) -> list[tuple[float, str, int, list[tuple[Any, ...]]]]:
        """(value, tag, unit, live rows) of the pieces of :meth:`weigh`'s answer for one moment that may be among the
        ``n`` largest by absolute value (ties included; None: all)."""
        chosen = np.arange(len(values))
        if n is not None and len(values) > n:
            if n <= 0:
                return []
            size = np.abs(values)
            chosen = np.flatnonzero(size >= -np.partition(-size, n - 1)[n - 1])
        out = []
        for j in chosen.tolist():
            p = int(pieces[j])
            start = int(self.starts[p])
            out.append((float(values[j]), self.tag_names[self.tags[start]], int(self.units[start]),
                        self.members(p, live)))
        return out


def _epoch(text: str) -> int:
    return int(from_iso(text).timestamp())


def from_rows(rows: Sequence[tuple[Any, ...]], sources: Mapping[int, str]) -> NewsTable:
    """A table of article signal rows (:class:`~monitor.risk.score.SignalRow` field order); ``sources`` gives the
    source of an article whose row has none."""
    tag_names: dict[str, int] = {}
    direction_names: dict[str | None, int] = {None: NONE}
    source_names: dict[str, int] = {}
    columns: list[list[Any]] = [[] for _ in range(9)]
    for r in rows:
        aid = r[6]
        name = r[10] or sources.get(aid) or f"article{aid}"
        for column, value in zip(columns, (
                r[0], tag_names.setdefault(r[1], len(tag_names)), r[2], r[3],
                direction_names.setdefault(r[4] or None, len(direction_names)), _epoch(r[5]), aid,
                r[9] if r[9] is not None else -aid, source_names.setdefault(name, len(source_names))), strict=True):
            column.append(value)
    ints = np.int64
    return NewsTable(ids=np.array(columns[0], dtype=ints), tags=np.array(columns[1], dtype=ints),
                     confidence=np.array(columns[2], dtype=np.float64),
                     provider_score=np.array(columns[3], dtype=np.float64),
                     directions=np.array(columns[4], dtype=ints), epoch=np.array(columns[5], dtype=ints),
                     articles=np.array(columns[6], dtype=ints), units=np.array(columns[7], dtype=ints),
                     sources=np.array(columns[8], dtype=ints), tag_names=list(tag_names),
                     direction_names=list(direction_names), source_names=list(source_names))
