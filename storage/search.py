"""How :meth:`storage.store.Store.search` finds a page of articles, newest first, fast on a million of them.

A search is a full-text query (FTS5) and filters. Each filter but the date range is a *set* of article ids (the
full-text matches, the articles seen in a source, the articles with a signal about a provider and/or tag, the
articles naming an organisation);
the range is a span of the ``articles_published`` index. SQLite cannot know how big a set is, and the best plan
depends on it, so the sets are counted first (cheaply: up to a cap, from indexes) and the plan is chosen here:

1. A set of at most :data:`DRIVE_LIMIT` articles *drives*: its articles are looked up by id, checked against the
   other filters and sorted (a few thousand rows at most).
2. Otherwise the ``published`` index is *walked* newest first and each article is checked against the sets, until
   ``limit`` match: large sets are dense, so the walk is short. A set listable from an index and smaller than
   :data:`MATERIALIZE_LIMIT` is checked by membership (read once); a larger one by a probe per article.
3. A large full-text set is never read whole when it can be helped, since a common word matches a quarter of all
   articles. Walking, only its matches among the newest :data:`WINDOW` articles of the range are read (FTS5
   reads just that id range of its index: ids grow with crawl time), then among four times more, and so on.
   Driven by a small set, the candidates are tested in growing batches, each against the id range it spans.

Tags and providers are read for the returned page only. docs/benchmarks.md ("Scale") has the measurements.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

DRIVE_LIMIT = 2000
"""A set of at most this many articles drives the search."""

MATERIALIZE_LIMIT = 50_000
"""A set listable from an index and at most this big is read once and tested by membership while walking."""

WINDOW = 20_000
"""How many of the newest articles of the range a walk with a large full-text set reads first."""

Cond = tuple[str, list[Any]]
"""An SQL condition over the articles alias ``a``, with its parameters."""


@dataclass(frozen=True)
class ArticleSet:
    """One filter as a set of article ids."""

    name: str
    ids: str
    """SQL listing the set's article ids."""
    members: str
    """SQL giving one row per member, from an index alone where possible (for capped counts)."""
    probe: str | None
    """An SQL condition testing the single article ``a.id``; None: tested by membership only."""
    params: list[Any]
    listable: bool
    """Whether ``ids`` reads an index alone (so that reading the whole set is cheap)."""


def article_sets(query: str | None, provider: str | None, tag: str | None, source: str | None,
                 mentions: str | None = None) -> list[ArticleSet]:
    """The sets of a search's filters: ``provider`` (with ``tag``) means a signal about the provider (it is a
    subject of the article's event); ``mentions`` means the article names the organisation at all."""
    sets = []
    if mentions is not None:
        sets.append(ArticleSet(
            "orgs", "select article_id from article_orgs where org = ?",
            "select 1 from article_orgs where org = ?",
            "exists (select 1 from article_orgs where article_id = a.id and org = ?)", [mentions], True))
    if query:
        fts = "select rowid from articles_fts where articles_fts match ?"
        sets.append(ArticleSet("fts", fts, fts, None, [query], True))
    if source is not None:
        sets.append(ArticleSet(
            "source", "select article_id from article_sources where source = ?",
            "select 1 from article_sources where source = ?",
            "exists (select 1 from article_sources where article_id = a.id and source = ?)", [source], True))
    if provider is not None or tag is not None:
        cond = [c for c, v in (("provider = ?", provider), ("tag = ?", tag)) if v is not None]
        sets.append(ArticleSet(
            "signals", f"select article_id from signals where {' and '.join(cond)}",
            f"select 1 from signals where {' and '.join(cond)}",
            # "+" keeps the probe on the (article_id) index: one article's few signals, never a whole provider
            f"exists (select 1 from signals where article_id = a.id and +{' and +'.join(cond)})",
            [v for v in (provider, tag) if v is not None],
            provider is not None,  # (provider, tag, article_id) index; a tag alone needs the table for article_id
        ))
    return sets


class Planner:
    """Finds the ids of one search page on ``conn`` (see the module docstring)."""

    def __init__(self, conn: sqlite3.Connection, *, drive_limit: int = DRIVE_LIMIT,
                 materialize_limit: int = MATERIALIZE_LIMIT, window: int = WINDOW) -> None:
        self.conn = conn
        self.drive_limit = drive_limit
        self.materialize_limit = materialize_limit
        self.window = window

    def _scalar(self, sql: str, params: Sequence[Any]) -> Any:
        row = self.conn.execute(sql, list(params)).fetchone()
        return row[0] if row else None

    def _count(self, s: ArticleSet, cap: int) -> int:
        """How many articles ``s`` holds, counting no further than ``cap + 1``."""
        return int(self._scalar(f"select count(*) from ({s.members} limit {cap + 1})", s.params))

    def page(self, sets: list[ArticleSet], span: list[Cond], limit: int) -> list[int]:
        """Ids of the newest ``limit`` articles in every set and the ``span`` (date conditions), newest first."""
        sizes = {s.name: self._count(s, self.drive_limit) for s in sets}
        if 0 in sizes.values():
            return []
        readable = set()  # sets worth reading whole (that matters only when sets are intersected)
        if len(sets) > 1:
            for s in sets:
                if s.listable and s.name != "fts" and sizes[s.name] > self.drive_limit:
                    sizes[s.name] = self._count(s, self.materialize_limit)
                    if sizes[s.name] <= self.materialize_limit:
                        readable.add(s.name)
        small = [s for s in sets if sizes[s.name] <= self.drive_limit]
        driver = min(small, key=lambda s: sizes[s.name]) if small else None
        fts = next((s for s in sets if s.name == "fts" and s is not driver), None)
        tests: list[Cond] = []
        for s in sets:
            if s is driver:
                tests.append((f"a.id in ({s.ids})", s.params))  # the way in: its few articles, looked up by id
            elif s is fts:
                continue  # below
            elif s.probe is None or s.name in readable:
                tests.append((f"+a.id in ({s.ids})", s.params))  # read once; "+": a test, never the way in
            else:
                tests.append((s.probe, s.params))
        if fts is None:
            return self.ids([*tests, *span], limit, walk=driver is None)
        if driver is None:
            return self._walk_windows(tests, span, fts, limit)
        members = int(self._scalar(f"select count(*) from ({fts.members} limit {self.materialize_limit + 1})",
                                   fts.params))
        if members <= self.materialize_limit:  # cheap to read whole
            return self.ids([*tests, (f"+a.id in ({fts.ids})", fts.params), *span], limit, walk=False)
        return self._test_in_batches(self.ids([*tests, *span], None, walk=False), fts, limit)

    def ids(self, conditions: list[Cond], limit: int | None, *, walk: bool) -> list[int]:
        """Ids of the articles meeting every condition, newest first; ``walk``: along the ``published`` index."""
        where = " and ".join(c for c, _ in conditions) or "1"
        sql = (f"select a.id from articles a {'indexed by articles_published' if walk else ''} where {where} "
               f"order by a.published desc, a.id desc {'' if limit is None else f'limit {int(limit)}'}")
        return [r[0] for r in self.conn.execute(sql, [p for _, ps in conditions for p in ps])]

    def _walk_windows(self, tests: list[Cond], span: list[Cond], fts: ArticleSet, limit: int) -> list[int]:
        """Walk the newest ``window`` articles of the span, then 4 times more, and so on, reading each time only
        the full-text matches between the window's smallest and largest ids, until ``limit`` match."""
        window = max(self.window, 200 * limit)
        span_sql = " and ".join(c for c, _ in span) or "1"
        span_params = [p for _, ps in span for p in ps]
        while True:
            edge = self._scalar(f"select a.published from articles a indexed by articles_published where {span_sql} "
                                f"order by a.published desc, a.id desc limit 1 offset {window - 1}", span_params)
            if edge is None:  # the window would hold the whole span: read the whole set
                return self.ids([*tests, (f"+a.id in ({fts.ids})", fts.params), *span], limit, walk=True)
            walked = [*span, ("a.published >= ?", [edge])]
            lo, hi = self.conn.execute(
                "select min(a.id), max(a.id) from articles a indexed by articles_published where "
                + " and ".join(c for c, _ in walked), [p for _, ps in walked for p in ps]).fetchone()
            cut = (f"+a.id in ({fts.ids} and rowid between ? and ?)", [*fts.params, lo, hi])
            found = self.ids([*tests, cut, *walked], limit, walk=True)
            if len(found) >= limit:
                return found
            window *= 4

    def _test_in_batches(self, candidates: list[int], fts: ArticleSet, limit: int) -> list[int]:
        """The first ``limit`` of ``candidates`` (ids, newest first) that the full-text query matches, tested in
        growing batches, each against only the full-text matches between its smallest and largest id."""
        out: list[int] = []
        start, batch = 0, max(100, 2 * limit)
        while start < len(candidates) and len(out) < limit:
            chunk = candidates[start : start + batch]
            marks = ",".join("?" * len(chunk))
            hits = {r[0] for r in self.conn.execute(
                f"select a.id from articles a where a.id in ({marks}) and +a.id in ({fts.ids} and rowid between ? and ?)",
                [*chunk, *fts.params, min(chunk), max(chunk)])}
            out.extend(i for i in chunk if i in hits)
            start += len(chunk)
            batch *= 2
        return out[:limit]


def decorate(conn: sqlite3.Connection, ids: list[int]) -> list[dict[str, Any]]:
    """The rows a search returns for article ``ids``, in that order, with their tags and providers."""
    by_id: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), 10_000):  # stay under SQLite's limit on parameters
        chunk = ids[start : start + 10_000]
        cur = conn.execute(
            f"""
            select a.id, a.published, a.source, a.title, coalesce(a.link, a.url) as url,
                   (select group_concat(distinct tag) from signals where article_id = a.id) as tags,
                   (select group_concat(distinct provider) from signals where article_id = a.id) as providers
            from articles a where a.id in ({",".join("?" * len(chunk))})
            """,
            chunk,
        )
        names = [d[0] for d in cur.description]
        for row in cur:
            by_id[row[0]] = dict(zip(names, row, strict=True))
    return [by_id[i] for i in ids]
