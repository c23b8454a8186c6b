"""Numbered schema migrations, recorded in the ``_migrations`` table.

Each migration is a function registered with :func:`migration`; :func:`migrate` applies, in order, those not yet
recorded and records each one in the same transaction as its changes. Never edit a released migration: add a new one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils


@dataclass(frozen=True)
class Migration:
    number: int
    name: str
    apply: Callable[[sqlite_utils.Database], None]


MIGRATIONS: list[Migration] = []


def migration(number: int) -> Callable[[Callable[[sqlite_utils.Database], None]], Callable[[sqlite_utils.Database], None]]:
    """Register ``fn`` as migration ``number`` (numbers are unique and increasing)."""

    def register(fn: Callable[[sqlite_utils.Database], None]) -> Callable[[sqlite_utils.Database], None]:
        assert all(m.number != number for m in MIGRATIONS), f"duplicate migration {number}"
        MIGRATIONS.append(Migration(number, fn.__name__, fn))
        MIGRATIONS.sort(key=lambda m: m.number)
        return fn

    return register


def applied(db: sqlite_utils.Database) -> list[int]:
    """Numbers of the migrations already applied to ``db``."""
    if "_migrations" not in db.table_names():
        return []
    return [r["number"] for r in db.query("select number from _migrations order by number")]


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply every pending migration; return the names applied (empty when the schema is current)."""
    db.execute(
        "create table if not exists _migrations (number integer primary key, name text not null, applied_at text not null)"
    )
    done = set(applied(db))
    names = []
    for m in MIGRATIONS:
        if m.number in done:
            continue
        with db.conn:
            m.apply(db)
            db.execute(
                "insert into _migrations (number, name, applied_at) values (?, ?, ?)",
                [m.number, m.name, datetime.now(UTC).isoformat()],
            )
        names.append(f"{m.number:04d}_{m.name}")
    return names


# --------------------------------------------------------------------------------------------------- 0001
@migration(1)
def initial_schema(db: sqlite_utils.Database) -> None:
    """Sources state, articles with FTS, signals, stories, incidents, prices, risk, alerts and the outbox."""
    db.executescript(
        """
        create table sources (
            name text primary key,
            kind text not null,
            url text not null,
            current_url text,
            etag text,
            last_modified text,
            last_fetch text,
            last_success text,
            next_fetch text,
            error_count integer not null default 0,
            last_error text,
            last_status integer,
            last_format text,
            last_entry_count integer,
            last_warning text,
            paused_until text,
            disabled_reason text
        );
        create table articles (
            id integer primary key,
            url text not null unique,
            link text,
            guid text,
            content_hash text not null,
            title text not null default '',
            summary text not null default '',
            text text not null default '',
            author text,
            published text not null,
            date_missing integer not null default 0,
            fetched text not null,
            source text not null,
            story_id integer references stories(id),
            classified_version text,
            classified_at text
        );
        create index articles_published on articles(published);
        create index articles_hash on articles(content_hash);
        create index articles_unclassified on articles(classified_version);
        create table article_sources (
            article_id integer not null references articles(id) on delete cascade,
            source text not null,
            first_seen text not null,
            primary key (article_id, source)
        );
        create table stories (
            id integer primary key,
            title text not null,
            first_published text not null,
            last_published text not null,
            article_count integer not null default 1,
            source_count integer not null default 1,
            embedding blob
        );
        create table incidents (
            id integer primary key,
            source text not null,
            external_id text not null,
            provider text,
            title text not null,
            impact text,
            status text,
            components text not null default '[]',
            started text not null,
            resolved text,
            updated text,
            url text,
            body text not null default '',
            unique (source, external_id)
        );
        create table price_snapshots (
            id integer primary key,
            source text not null,
            fetched text not null,
            content_hash text not null,
            models text not null
        );
        create index price_snapshots_source on price_snapshots(source, fetched);
        create table price_changes (
            id integer primary key,
            source text not null,
            snapshot_id integer references price_snapshots(id),
            provider text,
            model text not null,
            field text not null,
            old_value real,
            new_value real,
            percent real,
            direction text not null,
            detected text not null
        );
        create table signals (
            id integer primary key,
            article_id integer references articles(id) on delete cascade,
            incident_id integer references incidents(id) on delete cascade,
            price_change_id integer references price_changes(id) on delete cascade,
            tag text not null,
            confidence real not null,
            provider text,
            provider_score real not null default 1.0,
            amount_usd real,
            amount_kind text,
            direction text,
            published text not null,
            model_version text not null,
            created text not null
        );
        create index signals_provider on signals(provider, published);
        create index signals_tag on signals(tag, published);
        create index signals_article on signals(article_id);
        create table risk_snapshots (
            id integer primary key,
            provider text not null,
            computed_at text not null,
            score real not null,
            level text not null,
            contributions text not null default '[]'
        );
        create index risk_snapshots_provider on risk_snapshots(provider, computed_at);
        create table alerts (
            id integer primary key,
            provider text not null,
            status text not null,
            level text not null,
            peak_level text not null,
            score real not null,
            opened_at text not null,
            updated_at text not null,
            resolved_at text,
            summary text not null,
            evidence text not null default '{}'
        );
        create index alerts_provider on alerts(provider, status);
        create table alert_events (
            id integer primary key,
            alert_id integer not null references alerts(id) on delete cascade,
            kind text not null,
            level text not null,
            previous_level text,
            score real not null,
            at text not null,
            evidence text not null default '{}'
        );
        create table deliveries (
            id integer primary key,
            channel text not null,
            target text not null,
            kind text not null,
            dedupe_key text not null unique,
            payload text not null,
            status text not null default 'pending',
            attempts integer not null default 0,
            next_attempt text not null,
            last_error text,
            created text not null,
            sent_at text
        );
        create index deliveries_due on deliveries(status, next_attempt);
        """
    )
    db.table("articles").enable_fts(["title", "summary", "text"], fts_version="FTS5", create_triggers=True, tokenize="porter")


# --------------------------------------------------------------------------------------------------- 0010
@migration(10)
def risk_indexes(db: sqlite_utils.Database) -> None:
    """Story ids never reused (AUTOINCREMENT: alerts keep pointing at the stories they cite even after
    ``capwatch risk --rebuild``), indexes the risk engine reads by, and at most one open alert per provider."""
    db.conn.commit()  # foreign keys can only be switched off outside a transaction (SQLite's table-rebuild recipe)
    db.execute("pragma foreign_keys = off")
    try:
        db.executescript(
            """
            begin;
            create table stories_new (
                id integer primary key autoincrement,
                title text not null,
                first_published text not null,
                last_published text not null,
                article_count integer not null default 1,
                source_count integer not null default 1,
                embedding blob
            );
            insert into stories_new (id, title, first_published, last_published, article_count, source_count, embedding)
                select id, title, first_published, last_published, article_count, source_count, embedding from stories;
            drop table stories;
            alter table stories_new rename to stories;
            create index if not exists stories_last_published on stories(last_published);
            create index if not exists articles_story on articles(story_id);
            create index if not exists alert_events_alert on alert_events(alert_id, id);
            create index if not exists risk_snapshots_time on risk_snapshots(computed_at);
            create unique index if not exists alerts_one_open on alerts(provider) where status = 'open';
            """
        )
        if db.execute("pragma foreign_key_check").fetchall():
            db.conn.rollback()
            raise sqlite3.IntegrityError("migration 10 would break article -> story references")
        db.conn.commit()  # re-running this migration after a crash before it is recorded is harmless
    finally:
        db.execute("pragma foreign_keys = on")


# --------------------------------------------------------------------------------------------------- 0020
@migration(20)
def delivery_claims(db: sqlite_utils.Database) -> None:
    """``deliveries.claimed_at``: marks an attempt in flight so two senders never send the same attempt."""
    db.execute("alter table deliveries add column claimed_at text")


# --------------------------------------------------------------------------------------------------- 0030
@migration(30)
def search_indexes(db: sqlite_utils.Database) -> None:
    """Indexes that let ``Store.search`` count and list the articles of one source or one provider (and tag)
    without reading the tables (docs/benchmarks.md, "Scale")."""
    db.execute("create index if not exists article_sources_source on article_sources(source, article_id)")
    db.execute("create index if not exists signals_provider_tag on signals(provider, tag, article_id)")


# --------------------------------------------------------------------------------------------------- 0040
@migration(40)
def organisations(db: sqlite_utils.Database) -> None:
    """Who an article is about: ``article_orgs`` (every organisation named, subject or mention, with its role),
    ``signals.role`` (the subject's role in the event), ``price_changes.seller`` (the reseller of a model when it
    is not its maker) and ``incidents.link`` (``own`` status page or ``upstream`` model maker named by another)."""
    db.executescript(
        """
        create table if not exists article_orgs (
            article_id integer not null references articles(id) on delete cascade,
            org text not null,
            role text not null,
            subject integer not null,
            score real not null,
            in_title integer not null,
            primary key (article_id, org)
        );
        create index if not exists article_orgs_org on article_orgs(org, subject, article_id);
        """
    )
    for table, column in (("signals", "role"), ("price_changes", "seller"), ("incidents", "link")):
        if column not in db[table].columns_dict:
            db.execute(f"alter table {table} add column {column} text")
