"""The capwatch database: one SQLite file (WAL) accessed through sqlite-utils and typed query functions.

Every stage reads what the previous stage stored and writes its own tables, so each can be re-run alone.
Errors opening or migrating the file become :class:`monitor.errors.StorageError`-compatible ``StoreError``;
:func:`database_error` turns an ``sqlite3`` error met later (a lock that outlasted the busy timeout, a full disk, a
read-only file) into a one-line ``StoreError`` that names the file.

A write waits up to the busy timeout (30 s, or ``$CAPWATCH_DB_TIMEOUT`` seconds) for another process's write
transaction to end: SQLite retries meanwhile, so a short lock costs only the wait.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import sqlite_utils

from .migrations import migrate
from .search import Cond, Planner, article_sets, decorate
from .times import from_iso, to_iso, utcnow

DB_TIMEOUT_ENV = "CAPWATCH_DB_TIMEOUT"
DEFAULT_TIMEOUT = 30.0
"""Seconds a statement waits for another connection's lock before failing with ``database is locked``."""


class StoreError(Exception):
    """The database cannot be opened, migrated or written (locked, read-only, corrupt)."""


def busy_timeout() -> float:
    """The busy timeout in seconds: ``$CAPWATCH_DB_TIMEOUT`` when set (0 to 3600), else :data:`DEFAULT_TIMEOUT`."""
    raw = os.environ.get(DB_TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not 0 <= value <= 3600:  # (false for nan)
        raise StoreError(f"{DB_TIMEOUT_ENV}: expected a number of seconds from 0 to 3600, got {raw!r}")
    return value


def is_locked_error(exc: BaseException) -> bool:
    """True for SQLite's "database is locked" / "database table is locked" / busy errors."""
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def is_environment_error(exc: BaseException) -> bool:
    """True for errors about the database's surroundings rather than the SQL: locked or busy, read-only, disk full,
    disk I/O, file cannot be opened (:func:`database_error` words each one)."""
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    text = str(exc).lower()
    return is_locked_error(exc) or any(
        word in text for word in ("readonly", "read-only", "disk is full", "disk i/o", "unable to open")
    )


def database_error(path: Path | str, exc: sqlite3.Error, timeout: float | None = None) -> StoreError:
    """A one-line :class:`StoreError` naming the database file for an ``sqlite3`` error met while using it.

    ``timeout`` is the busy timeout a lock outlasted (default: the configured one, left unsaid when it is invalid).
    """
    text = str(exc) or exc.__class__.__name__
    lower = text.lower()
    if is_locked_error(exc):
        if timeout is None:
            with suppress(StoreError):
                timeout = busy_timeout()
        waited = f" after waiting {timeout:g} s" if timeout is not None else ""
        return StoreError(
            f"database {path} is locked by another process (still busy{waited}); nothing was lost: try again "
            f"when it is free, or set {DB_TIMEOUT_ENV} to wait longer"
        )
    if "readonly" in lower or "read-only" in lower:
        return StoreError(f"database {path} cannot be written ({text}): check the permissions of the file and its folder")
    if "disk is full" in lower:
        return StoreError(f"database {path} cannot be written: the disk is full ({text}); free some space and try again")
    if "disk i/o" in lower:
        return StoreError(f"database {path} cannot be written: {text} (is the disk full or failing?); nothing was lost: "
                          "the last transaction was rolled back")
    return StoreError(f"database {path}: {text}")


@dataclass(frozen=True)
class NewArticle:
    """An article as the crawler hands it to storage (``url`` is already canonical)."""

    url: str
    title: str
    summary: str
    text: str
    published: datetime
    fetched: datetime
    source: str
    link: str | None = None
    guid: str | None = None
    author: str | None = None
    date_missing: bool = False

    @property
    def content_hash(self) -> str:
        """A hash of the normalised title and text: equal for the same story text seen under two URLs."""
        basis = " ".join((self.title + " " + (self.text or self.summary)).lower().split())
        return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32]

    @property
    def has_body(self) -> bool:
        """True when the article carries text of its own (``text``, else ``summary``) beyond its title.

        Only such an article may be merged with another URL's article by content: a missing or empty body, or one
        that merely repeats the title, matches nothing (a feed of 1,000 "Daily update" items or a listing of 200
        "Read more" links are 1,000 and 200 articles, not one).
        """
        body = " ".join((self.text or self.summary).lower().split())
        return bool(body) and body != " ".join(self.title.lower().split())


@dataclass(frozen=True)
class NewSignal:
    """One tag on one piece of evidence (an article, an incident or a price change)."""

    tag: str
    confidence: float
    published: datetime
    model_version: str
    provider: str | None = None
    provider_score: float = 1.0
    amount_usd: float | None = None
    amount_kind: str | None = None
    direction: str | None = None
    role: str | None = None
    article_id: int | None = None
    incident_id: int | None = None
    price_change_id: int | None = None


@dataclass(frozen=True)
class ArticleOrg:
    """One organisation named in an article: its role, whether the article is about it, its score."""

    org: str
    role: str
    subject: bool
    score: float
    in_title: bool


P = ParamSpec("P")
R = TypeVar("R")


def _typed_errors(method: Callable[P, R]) -> Callable[P, R]:
    """Make a :class:`Store` write method raise :class:`StoreError` (via :meth:`Store.error`) instead of a raw
    ``sqlite3.OperationalError`` when the database is locked past the busy timeout, read-only or out of space."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        store = args[0]
        assert isinstance(store, Store)
        with store.typed_errors():
            return method(*args, **kwargs)

    return wrapper


class Store:
    """Open (creating and migrating if needed) the database at ``path``.

    The write methods raise :class:`StoreError` when the database is locked past the busy timeout (or read-only,
    or the disk is full), like :meth:`transaction`; a write made straight on ``db`` raises the ``sqlite3`` error,
    which the CLI and the daemon word the same way (:func:`database_error`).
    """

    def __init__(self, path: Path | str, *, migrate_schema: bool = True, timeout: float | None = None) -> None:
        self.path = Path(path)
        self.timeout = busy_timeout() if timeout is None else timeout
        conn: sqlite3.Connection | None = None
        try:
            if str(path) != ":memory:":
                self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(path), timeout=self.timeout, check_same_thread=False)
            self.db = sqlite_utils.Database(conn)
            self.db.execute("pragma foreign_keys = on")
            self.db.execute(f"pragma busy_timeout = {int(self.timeout * 1000)}")
            if str(path) != ":memory:":
                self.db.execute("pragma journal_mode = wal")
            self.db.execute("pragma synchronous = normal")
            self.applied_migrations = migrate(self.db) if migrate_schema else []
        except (sqlite3.DatabaseError, OSError) as exc:
            if conn is not None:
                conn.close()
            if isinstance(exc, sqlite3.Error) and is_locked_error(exc):
                raise self.error(exc) from None
            raise StoreError(f"{path}: cannot open database: {exc}") from None

    def error(self, exc: sqlite3.Error) -> StoreError:
        """:func:`database_error` for this database (its path and busy timeout)."""
        return database_error(self.path, exc, self.timeout)

    def close(self) -> None:
        self.db.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def typed_errors(self) -> Iterator[None]:
        """Turn an ``sqlite3`` error about the database's surroundings (locked past the busy timeout, read-only,
        disk full: :func:`is_environment_error`) into :meth:`error`'s :class:`StoreError`; others pass unchanged."""
        try:
            yield
        except sqlite3.OperationalError as exc:
            if is_environment_error(exc):
                raise self.error(exc) from None
            raise

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes so that a crash leaves all or none of them (rolled back on any error; a locked database,
        a full disk ... raise :class:`StoreError`)."""
        with self.typed_errors(), self.db.conn:
            yield

    @contextmanager
    def write_transaction(self) -> Iterator[None]:
        """Like :meth:`transaction`, but holding the write lock from the start (``BEGIN IMMEDIATE``, waiting up to
        the busy timeout for another process's write to end).

        What the block reads therefore stays true until it commits: a check-then-insert ("is this URL known?")
        cannot race another process inserting the same row. Inside an open transaction it joins that one.
        """
        conn = self.db.conn
        with self.typed_errors():
            if conn.in_transaction:
                yield
                return
            conn.execute("begin immediate")
            try:
                yield
            except BaseException:
                conn.rollback()
                raise
            conn.commit()

    def rows(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        """Run a read query and return plain dicts."""
        return list(self.db.query(sql, params))

    def integrity_check(self) -> str:
        """``ok`` when ``PRAGMA integrity_check`` finds nothing wrong, else its first message."""
        return str(self.db.execute("pragma integrity_check").fetchone()[0])

    # ------------------------------------------------------------------------------------------------ sources
    def source_state(self, name: str) -> dict[str, Any] | None:
        rows = self.rows("select * from sources where name = ?", [name])
        return rows[0] if rows else None

    @_typed_errors
    def ensure_source(self, name: str, kind: str, url: str) -> dict[str, Any]:
        """Create the state row of a configured source if missing; keep state if the URL is unchanged."""
        with self.write_transaction():  # two crawls starting at once must not both insert the row
            self._ensure_source_row(name, kind, url)
        state = self.source_state(name)
        assert state is not None
        return state

    def _ensure_source_row(self, name: str, kind: str, url: str) -> None:
        state = self.source_state(name)
        if state is None:
            self.db.table("sources").insert({"name": name, "kind": kind, "url": url, "current_url": url})
        elif state["url"] != url:
            # the config now names another URL: start over with fresh HTTP cache state
            self.db.table("sources").update(
                name, {"kind": kind, "url": url, "current_url": url, "etag": None, "last_modified": None}
            )
        else:
            self.db.table("sources").update(name, {"kind": kind})

    @_typed_errors
    def update_source(self, name: str, **fields: Any) -> None:
        self.db.table("sources").update(name, fields)

    def sources_state(self) -> list[dict[str, Any]]:
        return self.rows("select * from sources order by name")

    # ------------------------------------------------------------------------------------------------ articles
    @_typed_errors
    def add_article(self, art: NewArticle) -> tuple[int, bool]:
        """Store ``art`` unless its canonical URL is known, or another URL's article has the same title and the
        same body (only when ``art`` has one: :attr:`NewArticle.has_body`; a title alone never merges two URLs).

        Returns ``(article_id, created)``. The source is linked to the article either way, so one article seen in
        two feeds is stored once and linked to both. Safe against another process storing the same URL at the same
        moment (two crawls at once): the check and the insert hold the write lock together, so the second one
        finds the first one's row and reports a duplicate, never an integrity error.
        """
        with self.write_transaction():
            return self._add_article_row(art)

    @_typed_errors
    def add_articles(self, articles: Sequence[NewArticle]) -> list[tuple[int, bool]]:
        """:meth:`add_article` for many articles in one transaction (the crawler's path: one commit per feed)."""
        with self.write_transaction():
            return [self._add_article_row(art) for art in articles]

    def _add_article_row(self, art: NewArticle) -> tuple[int, bool]:
        """The dedupe-insert-link of one article; the caller holds the (write) transaction."""
        conn = self.db.conn
        found = conn.execute("select id from articles where url = ?", [art.url]).fetchone()
        if found is None and art.has_body:
            found = conn.execute(
                "select id from articles where content_hash = ? and title = ? limit 1", [art.content_hash, art.title]
            ).fetchone()
        if found is not None:
            article_id, created = int(found[0]), False
        else:
            row = {f.name: getattr(art, f.name) for f in fields(art)}  # (asdict deep-copies: slow per row)
            row.update(
                published=to_iso(art.published),
                fetched=to_iso(art.fetched),
                date_missing=int(art.date_missing),
                content_hash=art.content_hash,
            )
            columns = ", ".join(row)
            marks = ", ".join("?" for _ in row)
            cursor = conn.execute(
                f"insert into articles ({columns}) values ({marks}) on conflict (url) do nothing", list(row.values())
            )
            if cursor.rowcount == 1:
                article_id, created = int(cursor.lastrowid or 0), True
            else:  # stored meanwhile by a caller that did not hold the write lock: a duplicate, not an error
                article_id, created = int(conn.execute("select id from articles where url = ?", [art.url]).fetchone()[0]), False
        conn.execute(
            "insert or ignore into article_sources (article_id, source, first_seen) values (?, ?, ?)",
            [article_id, art.source, to_iso(art.fetched)],
        )
        return article_id, created

    def article(self, article_id: int) -> dict[str, Any] | None:
        rows = self.rows("select * from articles where id = ?", [article_id])
        if not rows:
            return None
        row = rows[0]
        row["sources"] = [r["source"] for r in self.rows("select source from article_sources where article_id = ?", [article_id])]
        return row

    def article_count(self) -> int:
        return int(self.db.execute("select count(*) from articles").fetchone()[0])

    def articles_to_classify(self, version: str | None, *, redo_all: bool = False, limit: int | None = None) -> list[dict[str, Any]]:
        """Articles not yet classified by ``version`` (all of them with ``redo_all``), oldest first."""
        sql = "select id, title, summary, text, published, source from articles"
        params: list[Any] = []
        if not redo_all:
            sql += " where classified_version is null or classified_version != ?"
            params.append(version)
        sql += " order by published, id"
        if limit:
            sql += f" limit {int(limit)}"
        return self.rows(sql, params)

    # ------------------------------------------------------------------------------------------------ signals
    @_typed_errors
    def replace_article_signals(self, article_id: int, signals: Iterable[NewSignal], version: str,
                                orgs: Iterable[ArticleOrg] = ()) -> None:
        """Replace the signals and named organisations of one article (their ``article_id`` is set here) and
        mark it classified by ``version``, atomically."""
        now = to_iso(utcnow())
        with self.db.conn:
            self.db.execute("delete from signals where article_id = ?", [article_id])
            self.db.execute("delete from article_orgs where article_id = ?", [article_id])
            self._insert_signals((replace(s, article_id=article_id) for s in signals), now)
            self.db.conn.executemany(
                "insert or replace into article_orgs (article_id, org, role, subject, score, in_title) values (?, ?, ?, ?, ?, ?)",
                [(article_id, o.org, o.role, int(o.subject), o.score, int(o.in_title)) for o in orgs],
            )
            self.db.execute(
                "update articles set classified_version = ?, classified_at = ? where id = ?", [version, now, article_id]
            )

    @_typed_errors
    def add_signals(self, signals: Iterable[NewSignal]) -> None:
        with self.db.conn:
            self._insert_signals(signals, to_iso(utcnow()))

    def _insert_signals(self, signals: Iterable[NewSignal], now: str) -> None:
        rows = []
        for s in signals:
            row = asdict(s)
            row["published"] = to_iso(s.published)
            row["created"] = now
            rows.append(row)
        if rows:
            self.db.table("signals").insert_all(rows)

    def org_activity(self, since: datetime) -> list[dict[str, Any]]:
        """Per organisation with signals published since ``since``: signal and article counts, the tags with
        their counts (``tags``: ``{tag: n}``, most first), the newest signal's time, and how many articles name it.

        Only subject signals count (signals carry the organisation the event is about); ``mentioned_in`` counts
        the articles that name it at all in the same period.
        """
        rows = self.rows(
            """select s.provider as org, count(*) as signals, count(distinct s.article_id) as articles,
                      max(s.published) as last_signal
               from signals s where s.provider is not null and s.published >= ?
               group by s.provider order by signals desc, org""",
            [to_iso(since)],
        )
        tags: dict[str, dict[str, int]] = {}
        for r in self.rows(
            """select provider as org, tag, count(*) as n from signals
               where provider is not null and published >= ? group by provider, tag order by n desc, tag""",
            [to_iso(since)],
        ):
            tags.setdefault(r["org"], {})[r["tag"]] = int(r["n"])
        mentioned = {
            r["org"]: int(r["n"])
            for r in self.rows(
                """select o.org, count(*) as n from article_orgs o join articles a on a.id = o.article_id
                   where a.published >= ? group by o.org""",
                [to_iso(since)],
            )
        }
        for r in rows:
            r["tags"] = tags.get(r["org"], {})
            r["mentioned_in"] = mentioned.get(r["org"], 0)
        return rows

    def signals(
        self,
        *,
        provider: str | None = None,
        tag: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[dict[str, Any]]:
        """Signals with their evidence's title, URL and source, newest first."""
        where, params = ["1 = 1"], []
        for column, value in (("s.provider", provider), ("s.tag", tag)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if since is not None:
            where.append("s.published >= ?")
            params.append(to_iso(since))
        if until is not None:
            where.append("s.published <= ?")
            params.append(to_iso(until))
        return self.rows(
            f"""
            select s.*, coalesce(a.title, i.title, pc.model) as title,
                   coalesce(a.link, a.url, i.url) as url,
                   coalesce(a.source, i.source, pc.source) as source, a.story_id as story_id
            from signals s
            left join articles a on a.id = s.article_id
            left join incidents i on i.id = s.incident_id
            left join price_changes pc on pc.id = s.price_change_id
            where {' and '.join(where)}
            order by s.published desc, s.id desc
            """,
            params,
        )

    # ------------------------------------------------------------------------------------------------ search
    def search(
        self,
        query: str | None,
        *,
        provider: str | None = None,
        tag: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        source: str | None = None,
        mentions: str | None = None,
        limit: int = 50,
    ) -> list[dict[str, Any]]:
        """Full-text search (FTS5 syntax) over articles with filters; newest first (``published``, then id).

        ``provider`` and ``tag`` together mean one signal with both (the provider is a subject of the article's
        event); ``mentions`` keeps articles that name that organisation at all, subject or not. The plan is chosen by :mod:`storage.search`
        from the sizes of the filters, so that common words and broad filters stay fast on large databases.
        """
        span: list[Cond] = []
        if since is not None:
            span.append(("a.published >= ?", [to_iso(since)]))
        if until is not None:
            span.append(("a.published <= ?", [to_iso(until)]))
        try:
            ids = self.search_planner().page(article_sets(query, provider, tag, source, mentions), span, limit)
            return decorate(self.db.conn, ids)
        except sqlite3.OperationalError as exc:
            raise StoreError(f"bad search query {query!r}: {exc}") from None

    def search_planner(self) -> Planner:
        """The planner :meth:`search` uses (tests shrink its limits to exercise every plan on small data)."""
        return Planner(self.db.conn)

    # ------------------------------------------------------------------------------------------------ outbox
    @_typed_errors
    def enqueue_delivery(self, channel: str, target: str, kind: str, dedupe_key: str, payload: dict[str, Any]) -> int | None:
        """Write a message to the outbox unless ``dedupe_key`` is already there; return its id or None."""
        now = to_iso(utcnow())
        with self.db.conn:
            cur = self.db.execute(
                """insert or ignore into deliveries (channel, target, kind, dedupe_key, payload, status, attempts,
                   next_attempt, created) values (?, ?, ?, ?, ?, 'pending', 0, ?, ?)""",
                [channel, target, kind, dedupe_key, json.dumps(payload), now, now],
            )
            return int(cur.lastrowid or 0) if cur.rowcount else None

    # ------------------------------------------------------------------------------------------------ crawler:
    # incidents and price lists (written by monitor/crawl; see docs/crawler.md)
    @_typed_errors
    def save_source_state(self, name: str, **values: Any) -> None:
        """Set crawl-state columns of one source in one statement (the crawler's per-fetch bookkeeping)."""
        if not values:
            return
        assignments = ", ".join(f"{column} = ?" for column in values)
        with self.db.conn:
            self.db.conn.execute(f"update sources set {assignments} where name = ?", [*values.values(), name])

    @_typed_errors
    def save_incident(self, row: dict[str, Any], signals: Sequence[NewSignal]) -> tuple[int, str]:
        """Insert or update one incident (unique per source and external id) and its ``outage`` signals.

        Returns ``(incident_id, state)`` with state ``created``, ``updated`` or ``unchanged``; an update never moves
        ``started`` later than first stored, and the signals are published at ``started``. A created or updated
        incident gets exactly ``signals`` (their ``incident_id`` filled in: one for the page's own provider, one
        per upstream maker it names): an update deletes the old signals and inserts the new ones in the same
        transaction.
        """
        compare = ("provider", "link", "title", "impact", "status", "components", "started", "resolved", "updated", "url",
                   "body")
        now = to_iso(utcnow())
        with self.write_transaction():  # the lookup and the insert together: another crawl cannot insert in between
            found = self.rows(
                "select * from incidents where source = ? and external_id = ?", [row["source"], row["external_id"]]
            )
            if found:
                incident_id = int(found[0]["id"])
                # feeds that only carry an "updated" time must not move the start later
                row = dict(row, started=min(found[0]["started"], row["started"]))
                if all(found[0].get(k) == row.get(k) for k in compare):
                    return incident_id, "unchanged"
                self.db.table("incidents").update(incident_id, {k: row.get(k) for k in compare})
                self.db.execute("delete from signals where incident_id = ?", [incident_id])
                state = "updated"
            else:
                incident_id = int(self.db.table("incidents").insert(row).last_pk or 0)
                state = "created"
            started = from_iso(row["started"])
            self._insert_signals([replace(s, incident_id=incident_id, published=started) for s in signals], now)
        return incident_id, state

    def incidents(self, *, source: str | None = None, provider: str | None = None) -> list[dict[str, Any]]:
        """Incidents, newest start first (``components`` decoded to a list)."""
        where, params = ["1 = 1"], []
        for column, value in (("source", source), ("provider", provider)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        rows = self.rows(f"select * from incidents where {' and '.join(where)} order by started desc, id desc", params)
        for r in rows:
            r["components"] = json.loads(r["components"] or "[]")
        return rows

    def latest_price_snapshot(self, source: str) -> dict[str, Any] | None:
        """The most recent price snapshot of ``source`` (``models`` still JSON text), or None."""
        rows = self.rows(
            "select * from price_snapshots where source = ? order by fetched desc, id desc limit 1", [source]
        )
        return rows[0] if rows else None

    @_typed_errors
    def save_price_snapshot(
        self,
        source: str,
        fetched: datetime,
        content_hash: str,
        models_json: str,
        changes: Sequence[dict[str, Any]],
        signals: Sequence[NewSignal | None],
    ) -> tuple[int, list[int]]:
        """Store a snapshot, its change rows and one optional signal per change, atomically.

        ``signals[i]`` belongs to ``changes[i]`` (None: no signal); its ``price_change_id`` is filled in.
        Returns ``(snapshot_id, change_ids)``; ``(0, [])`` stores nothing when the latest snapshot of ``source`` already
        has ``content_hash`` (another crawl of the same source stored the same list a moment earlier: its changes
        are recorded once).
        """
        now = to_iso(utcnow())
        with self.write_transaction():
            latest = self.latest_price_snapshot(source)
            if latest is not None and latest["content_hash"] == content_hash:
                return 0, []
            snapshot_id = int(
                self.db.table("price_snapshots").insert(
                    {"source": source, "fetched": to_iso(fetched), "content_hash": content_hash, "models": models_json}
                ).last_pk
                or 0
            )
            change_ids: list[int] = []
            pending: list[NewSignal] = []
            for change, signal in zip(changes, signals, strict=True):
                row = dict(change, source=source, snapshot_id=snapshot_id, detected=to_iso(fetched))
                change_id = int(self.db.table("price_changes").insert(row).last_pk or 0)
                change_ids.append(change_id)
                if signal is not None:
                    pending.append(replace(signal, price_change_id=change_id))
            self._insert_signals(pending, now)
        return snapshot_id, change_ids

    def price_changes(self, *, source: str | None = None, provider: str | None = None) -> list[dict[str, Any]]:
        """Price changes, newest first."""
        where, params = ["1 = 1"], []
        for column, value in (("source", source), ("provider", provider)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        return self.rows(f"select * from price_changes where {' and '.join(where)} order by detected desc, id", params)
