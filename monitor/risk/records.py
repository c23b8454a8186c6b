"""The risk engine's reads and writes of the database: signals with their evidence, snapshots, alerts.

All SQL of ``monitor/risk`` lives here; the rest of the package works on typed values.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from monitor.config import RiskSettings
from storage.store import Store
from storage.times import from_iso, to_iso

from .score import CHANGE_WINDOW, Row, Signals, Titles, group_rows, record_tags, since_bounds
from .table import NONE, Array, NewsTable
from .types import AlertEvent, ProviderRisk

_RECORD_COLUMNS = """s.id, s.tag, s.confidence, coalesce(s.provider_score, 1.0), nullif(s.direction, ''), s.published,
           s.article_id, s.incident_id, s.price_change_id, null, coalesce(i.source, pc.source), pc.snapshot_id"""
# (the fields of SignalRow, in order: these rows are used as read)

_RECORDS_SQL = """
    select {columns}
    from signals s
    left join incidents i on i.id = s.incident_id
    left join price_changes pc on pc.id = s.price_change_id
    where {provider} s.article_id is null
      and s.published >= ? and s.published <= ? and s.published >= (case s.tag {cases} end)
"""

_NEWS_SQL = """
    select s.id, case s.tag {codes} end, s.confidence, coalesce(s.provider_score, 1.0), nullif(s.direction, ''),
           (julianday(s.published) - 2440587.5) * 86400.0, s.article_id {provider_column}
    from signals s {hint}
    where {provider} s.article_id is not null
      and s.published >= ? and s.published <= ? and s.published >= (case s.tag {cases} end)
"""
# No join to ``articles``: its rows are wide (title, summary, text) and reading one per signal was most of the time
# of the risk stage at scale. Stories and sources come from :class:`ArticleIndex`, titles only for the contributions
# listed (:func:`titles_reader`). Every provider's news is read in one pass over the table (``not indexed``: in
# table order rather than one index walk per provider, which touches each page once instead of once a provider).

CHUNK = 500
"""Ids per ``in (...)`` query."""

FETCH = 65_536
"""Rows converted to columns at a time."""


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield list(ids[i:i + CHUNK])


def _marks(ids: Sequence[int]) -> str:
    return ",".join("?" * len(ids))


class ArticleIndex:
    """The story and source of articles, read when first needed and kept for the run (every provider scored in it
    shares one).

    Stories of a few articles (at most :data:`SCAN`) are read by id; past that, from the ``articles_story`` index
    alone (the story of every article from the lowest id asked: well under a second for a million articles, instead
    of reading one wide ``articles`` row per signal). Sources are read only for the articles that share a piece of
    evidence: from the ``article_sources`` index when the article is linked to one source only (the one that stored
    it: ``Store.add_article`` links every article it creates to its source), else from the article's row.
    """

    SCAN = 20_000
    """Articles past which stories are read from the index rather than by id."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._story: dict[int, int] = {}
        self._known: set[int] = set()
        self._by_id: Array | None = None
        self._from = 0
        self._source: dict[int, str] = {}

    def stories(self, articles: Array) -> Array:
        """The story of each of ``articles`` (ids), -1 for one in no story."""
        if not len(articles):
            return np.zeros(0, dtype=np.int64)
        lo, hi = int(articles.min()), int(articles.max())
        if self._by_id is None:
            missing = set(articles.tolist()) - self._known
            if len(missing) > self.SCAN:
                count, top = self.store.db.execute("select count(*), max(id) from articles").fetchone()
                if top is not None and top < 4 * count + 1000:  # dense ids (the usual case): an array by id
                    self._by_id = np.full(max(top, hi) + 1, -1, dtype=np.int64)
                    self._from = len(self._by_id)
                else:
                    self._story.update(self._scan(lo))
                    self._known |= missing
                    missing = set()
            if self._by_id is None:
                self._read(sorted(missing))
                get = self._story.get
                return np.array([get(a, -1) for a in articles.tolist()], dtype=np.int64)
        if hi >= len(self._by_id):
            self._by_id = np.concatenate([self._by_id, np.full(hi + 1 - len(self._by_id), -1, dtype=np.int64)])
        if lo < self._from:
            # (one string of "article,story" pairs: a third faster than a Python tuple per article)
            sql = ("select group_concat(id || ',' || story_id) from articles indexed by articles_story "
                   "where story_id is not null and id >= ? and id < ?")
            (text,) = self.store.db.execute(sql, [lo, self._from]).fetchone()
            if text:
                pairs = np.fromstring(text, dtype=np.int64, sep=",").reshape(-1, 2)
                self._by_id[pairs[:, 0]] = pairs[:, 1]
            self._from = lo
        result: Array = self._by_id[articles]
        return result

    def _scan(self, lo: int) -> sqlite3.Cursor:
        """(article, story) of the articles with ids from ``lo`` that are in a story, from the ``articles_story``
        index alone."""
        return self.store.db.execute(
            "select id, story_id from articles indexed by articles_story where story_id is not null and id >= ?", [lo])

    def _read(self, ids: Sequence[int]) -> None:
        for chunk in _chunks(ids):
            for article_id, story_id, source in self.store.db.execute(
                    f"select id, story_id, source from articles where id in ({_marks(chunk)})", chunk):
                if story_id is not None:
                    self._story[article_id] = story_id
                self._source[article_id] = source
        self._known.update(ids)

    def sources(self, ids: Iterable[int]) -> dict[int, str]:
        """The source of each article of ``ids`` (and of others already read)."""
        missing = sorted({i for i in ids if i not in self._source})
        several = []
        db = self.store.db
        for chunk in _chunks(missing):
            linked: dict[int, str | None] = {}
            for article_id, source in db.execute(
                    f"select article_id, source from article_sources where article_id in ({_marks(chunk)})", chunk):
                linked[article_id] = None if article_id in linked else source
            for article_id in chunk:
                if (source := linked.get(article_id)) is not None:
                    self._source[article_id] = source
                else:
                    several.append(article_id)
        for chunk in _chunks(several):
            self._source.update(db.execute(f"select id, source from articles where id in ({_marks(chunk)})", chunk))
        return self._source


def _price_title(r: dict[str, Any]) -> str:
    old, new, pct = r.get("old_value"), r.get("new_value"), r.get("percent")
    change = f"{old:g} -> {new:g}" if old is not None and new is not None else "changed"
    percent = f" ({pct:+.0f}%)" if pct is not None else ""
    return f"price list: {r.get('model')} {r.get('field')} {change}{percent}"


def titles_reader(store: Store) -> Titles:
    """A :data:`~monitor.risk.score.Titles` reading the title and link of each row's article, incident or price
    change (each once: answers are kept)."""
    known: dict[int, tuple[str, str | None]] = {}

    def titles(rows: Sequence[Row]) -> dict[int, tuple[str, str | None]]:
        todo = [r for r in rows if r[0] not in known]
        # (positions: 0 signal id, 6 article, 7 incident, 8 price change)
        by_article = {r[6]: r[0] for r in todo if r[6] is not None}
        by_incident = {r[7]: r[0] for r in todo if r[6] is None and r[7] is not None}
        by_change = {r[8]: r[0] for r in todo if r[6] is None and r[7] is None and r[8] is not None}
        found: dict[int, tuple[str, str | None]] = {}
        for chunk in _chunks(list(by_article)):
            for a in store.rows(f"select id, title, coalesce(link, url) as url from articles where id in ({_marks(chunk)})",
                                chunk):
                found[a["id"]] = (a["title"] or "", a["url"])
        for r in todo:
            known[r[0]] = found.get(r[6], ("", None)) if r[6] is not None else ("", None)
        for chunk in _chunks(list(by_incident)):
            for i in store.rows(f"select id, title, url from incidents where id in ({_marks(chunk)})", chunk):
                known[by_incident[i["id"]]] = (f"status: {i['title']}", i["url"])
        for chunk in _chunks(list(by_change)):
            for pc in store.rows(f"select * from price_changes where id in ({_marks(chunk)})", chunk):
                known[by_change[pc["id"]]] = (_price_title(pc), None)
        return {r[0]: known[r[0]] for r in rows}

    return titles


def _read(store: Store, settings: RiskSettings, first: datetime, last: datetime, providers: Sequence[str],
          one: bool) -> tuple[dict[str, list[Row]], _News | None]:
    """Read the signals of ``providers`` (``one``: a single provider, through its index): records and signals
    without evidence as rows, by provider; article signals as columns."""
    bounds = since_bounds(settings, first - CHANGE_WINDOW)
    records: dict[str, list[Row]] = {p: [] for p in providers}
    if not bounds or not providers:
        return records, None
    tags = list(bounds)
    cases = " ".join("when ? then ?" for _ in tags)
    window = [min(bounds.values()), to_iso(last)]
    case_params = [x for tag in tags for x in (tag, bounds[tag])]
    where_provider = "s.provider = ? and" if one else ""
    head = [providers[0]] if one else []
    sql = _RECORDS_SQL.format(columns=_RECORD_COLUMNS + ("" if one else ", s.provider"), provider=where_provider,
                              cases=cases)
    for r in store.db.execute(sql, [*head, *window, *case_params]):
        if one:
            records[providers[0]].append(r)
        elif (rows := records.get(r[-1])) is not None:
            rows.append(r)  # (with the provider as a 13th column: rows are read by position)
    codes = " ".join(f"when ? then {i}" for i in range(len(tags)))
    sql = _NEWS_SQL.format(codes=codes, provider_column="" if one else ", s.provider", hint="" if one else "not indexed",
                           provider=where_provider, cases=cases)
    news = _News(tags, providers)
    cur = store.db.execute(sql, [*tags, *head, *window, *case_params])
    while chunk := cur.fetchmany(FETCH):
        news.add(chunk, providers[0] if one else None)
    return records, news


class _News:
    """Article signals read as columns (see :data:`_NEWS_SQL`), for several providers."""

    def __init__(self, tags: list[str], providers: Sequence[str]) -> None:
        self.tags = tags
        self.provider_codes = {p: i for i, p in enumerate(providers)}
        self.direction_codes: dict[str | None, int] = {None: NONE}
        self.parts: list[list[Array]] = []

    def add(self, rows: list[tuple[Any, ...]], provider: str | None) -> None:
        block = np.array(rows, dtype=object)
        directions = np.zeros(len(rows), dtype=np.int64)
        for i in np.flatnonzero(block[:, 4] != None).tolist():  # noqa: E711 (element-wise)
            directions[i] = self.direction_codes.setdefault(block[i, 4], len(self.direction_codes))
        if provider is None:
            get = self.provider_codes.get
            providers = np.array([get(p, -1) for p in block[:, 7].tolist()], dtype=np.int64)
        else:
            providers = np.full(len(rows), self.provider_codes[provider], dtype=np.int64)
        self.parts.append([block[:, 0].astype(np.int64), block[:, 1].astype(np.int64), block[:, 2].astype(np.float64),
                           block[:, 3].astype(np.float64), directions,
                           np.rint(block[:, 5].astype(np.float64)).astype(np.int64), block[:, 6].astype(np.int64),
                           providers])

    def columns(self) -> list[Array]:
        if not self.parts:
            return [np.zeros(0, dtype=t) for t in (np.int64, np.int64, np.float64, np.float64, np.int64, np.int64,
                                                   np.int64, np.int64)]
        out = [np.concatenate([part[k] for part in self.parts]) for k in range(8)]
        self.parts = []
        return out


def load_signals(store: Store, provider: str, settings: RiskSettings, first: datetime, last: datetime, *,
                 articles: ArticleIndex | None = None) -> Signals:
    """The signals about ``provider`` needed to score it at any moment from ``first`` to ``last`` and seven days
    before each: published by ``last`` and within their tag's horizon of ``first - CHANGE_WINDOW``.

    ``articles`` (shared by the providers of one run) gives the articles' stories and sources.
    """
    return next(_load(store, [provider], settings, first, last, articles, one=True))[1]


def load_all_signals(store: Store, providers: Iterable[str], settings: RiskSettings, first: datetime,
                     last: datetime, *, articles: ArticleIndex | None = None) -> Iterator[tuple[str, Signals]]:
    """:func:`load_signals` for each of ``providers`` (in that order), read in one pass over the signals."""
    yield from _load(store, list(providers), settings, first, last, articles, one=False)


def _load(store: Store, providers: list[str], settings: RiskSettings, first: datetime, last: datetime,
          articles: ArticleIndex | None, *, one: bool) -> Iterator[tuple[str, Signals]]:
    articles = articles or ArticleIndex(store)
    titles = titles_reader(store)
    records, news = _read(store, settings, first, last, providers, one)
    if news is None:
        for provider in providers:
            yield provider, Signals(titles=titles)
        return
    ids, tags, confidence, provider_score, directions, epoch, article_ids, provider_codes = news.columns()
    keep = provider_codes >= 0
    stories = articles.stories(article_ids)
    units = np.where(stories >= 0, stories, -article_ids)
    # the news of a tag its provider has records of goes with the records (it may be folded into one)
    recorded = {news.provider_codes[p]: {news.tags.index(t) for t in record_tags(rows) if t in news.tags}
                for p, rows in records.items()}
    aside = np.zeros(len(ids), dtype=bool)
    for code, tag_codes in recorded.items():
        if tag_codes:
            aside |= (provider_codes == code) & np.isin(tags, list(tag_codes))
    order = np.lexsort((ids, epoch, units, tags, provider_codes))
    order = order[keep[order]]
    columns = [c[order] for c in (ids, tags, confidence, provider_score, directions, epoch, article_ids, units,
                                  provider_codes, aside)]
    ids, tags, confidence, provider_score, directions, epoch, article_ids, units, provider_codes, aside = columns
    # sources: of the articles of pieces with several signals, and of the news set aside
    n = len(ids)
    change = np.ones(n, dtype=bool)
    change[1:] = (provider_codes[1:] != provider_codes[:-1]) | (tags[1:] != tags[:-1]) | (units[1:] != units[:-1])
    starts = np.flatnonzero(change)
    sizes = np.diff(np.append(starts, n))
    shared = np.repeat(sizes > 1, sizes) | aside
    needed = np.unique(article_ids[shared])
    names = articles.sources(needed.tolist()) if len(needed) else {}
    source_names: dict[str, int] = {}
    codes = [source_names.setdefault(names.get(a) or f"article{a}", len(source_names)) for a in needed.tolist()]
    sources = np.full(n, -1, dtype=np.int64)
    sources[shared] = np.asarray(codes, dtype=np.int64)[np.searchsorted(needed, article_ids[shared])]
    direction_names = list(news.direction_codes)
    source_list = list(source_names)
    bounds = np.searchsorted(provider_codes, np.arange(len(providers) + 1))
    for code, provider in enumerate(providers):
        lo, hi = int(bounds[code]), int(bounds[code + 1])
        part = slice(lo, hi)
        table = NewsTable(ids=ids[part], tags=tags[part], confidence=confidence[part],
                          provider_score=provider_score[part], directions=directions[part], epoch=epoch[part],
                          articles=article_ids[part], units=units[part], sources=sources[part], tag_names=news.tags,
                          direction_names=direction_names, source_names=source_list, sort=False)
        rows = records[provider]
        if aside[part].any():
            rows = rows + [table.row(i) for i in np.flatnonzero(aside[part]).tolist()]
            table = table.subset(~aside[part])
        pieces = group_rows(rows)
        yield provider, Signals(titles=titles, pieces=pieces, table=table if len(table) else None, sources=names)


def signal_times(store: Store, provider: str, start: datetime, end: datetime) -> list[datetime]:
    """When each signal about ``provider`` published in [start, end] was published (every tag but ``none``, even
    one that never contributes), oldest first, one entry per signal."""
    rows = store.db.execute(
        "select published from signals where provider = ? and published >= ? and published <= ? and tag != 'none' "
        "order by published", [provider, to_iso(start), to_iso(end)]).fetchall()
    return [from_iso(text) for (text,) in rows]


def previous_level(store: Store, provider: str, before: datetime) -> str | None:
    """The level of ``provider``'s latest snapshot computed strictly before ``before`` (None if there is none)."""
    rows = store.rows(
        "select level from risk_snapshots where provider = ? and computed_at < ? order by computed_at desc, id desc limit 1",
        [provider, to_iso(before)],
    )
    return str(rows[0]["level"]) if rows else None


SNAPSHOT_SPACING = timedelta(hours=1)
"""A provider's latest snapshot is updated in place, not repeated, while its level is unchanged and it is younger
than this: at most one row per provider per hour, plus one per level change, however often the stage runs."""

SNAPSHOT_CONTRIBUTIONS = 20
"""Contributions kept in a snapshot (largest first, without id lists: alerts keep the full evidence)."""


def _snapshot_contributions(risk: ProviderRisk) -> str:
    keep = ("key", "tag", "direction", "contribution", "sources", "published", "title")
    return json.dumps([{k: c.to_dict()[k] for k in keep} for c in risk.contributions[:SNAPSHOT_CONTRIBUTIONS]])


def write_snapshot(store: Store, risk: ProviderRisk) -> None:
    """Store ``risk`` as the provider's snapshot at ``risk.at`` (see :data:`SNAPSHOT_SPACING`)."""
    at = to_iso(risk.at)
    latest = store.rows(
        "select id, computed_at, level from risk_snapshots where provider = ? and computed_at <= ? "
        "order by computed_at desc, id desc limit 1",
        [risk.provider, at],
    )
    values = [at, round(risk.score, 6), risk.level, _snapshot_contributions(risk)]
    if latest and (latest[0]["computed_at"] == at or (
            latest[0]["level"] == risk.level and risk.at - from_iso(latest[0]["computed_at"]) < SNAPSHOT_SPACING)):
        store.db.execute(
            "update risk_snapshots set computed_at = ?, score = ?, level = ?, contributions = ? where id = ?",
            [*values, latest[0]["id"]],
        )
        return
    store.db.execute(
        "insert into risk_snapshots (computed_at, score, level, contributions, provider) values (?, ?, ?, ?, ?)",
        [*values, risk.provider],
    )


def open_alert(store: Store, provider: str) -> dict[str, Any] | None:
    """The open alert of ``provider`` (at most one), with its evidence parsed."""
    rows = store.rows("select * from alerts where provider = ? and status = 'open' order by id desc limit 1", [provider])
    if not rows:
        return None
    row = rows[0]
    row["evidence"] = json.loads(row["evidence"] or "{}")
    return row


def insert_alert(store: Store, provider: str, level: str, score: float, at: datetime, summary: str,
                 evidence: dict[str, Any]) -> int:
    """Open a new alert; return its id."""
    cur = store.db.execute(
        """insert into alerts (provider, status, level, peak_level, score, opened_at, updated_at, resolved_at, summary,
           evidence) values (?, 'open', ?, ?, ?, ?, ?, null, ?, ?)""",
        [provider, level, level, round(score, 6), to_iso(at), to_iso(at), summary, json.dumps(evidence)],
    )
    return int(cur.lastrowid or 0)


def update_alert(store: Store, alert_id: int, **fields: Any) -> None:
    """Set ``fields`` of one alert (``evidence`` is JSON-encoded, datetimes stored as ISO text)."""
    values = {
        k: json.dumps(v) if k == "evidence" else to_iso(v) if isinstance(v, datetime) else v for k, v in fields.items()
    }
    assignments = ", ".join(f"{k} = ?" for k in values)
    store.db.execute(f"update alerts set {assignments} where id = ?", [*values.values(), alert_id])


def insert_event(store: Store, event: AlertEvent) -> int:
    """Append one alert event; return its id."""
    cur = store.db.execute(
        "insert into alert_events (alert_id, kind, level, previous_level, score, at, evidence) values (?, ?, ?, ?, ?, ?, ?)",
        [event.alert_id, event.kind, event.level, event.previous_level, round(event.score, 6), to_iso(event.at),
         json.dumps(event.evidence)],
    )
    return int(cur.lastrowid or 0)


def alert_rows(store: Store, *, status: str | None = None, provider: str | None = None,
               resolved_since: datetime | None = None) -> list[dict[str, Any]]:
    """Alerts, newest first: all, only ``status``, or open ones plus those resolved since ``resolved_since``."""
    where, params = ["1 = 1"], []
    if status is not None:
        where.append("status = ?")
        params.append(status)
    if resolved_since is not None:
        where.append("(status = 'open' or resolved_at >= ?)")
        params.append(to_iso(resolved_since))
    if provider is not None:
        where.append("provider = ?")
        params.append(provider)
    return store.rows(f"select * from alerts where {' and '.join(where)} order by opened_at desc, id desc", params)
