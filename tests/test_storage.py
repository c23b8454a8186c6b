"""The SQLite store: migrations, WAL, dedupe on insert, full-text search with filters."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from storage.migrations import MIGRATIONS, applied
from storage.store import NewArticle, NewSignal, Store

NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)


def article(url: str, title: str, text: str = "body text", days: int = 0, source: str = "s1") -> NewArticle:
    when = NOW - timedelta(days=days)
    return NewArticle(url=url, title=title, summary="", text=text, published=when, fetched=NOW, source=source)


def test_fresh_database_is_fully_migrated(tmp_path: Path) -> None:
    with Store(tmp_path / "new.db") as store:
        assert applied(store.db) == [m.number for m in MIGRATIONS]
        tables = set(store.db.table_names())
        assert {"sources", "articles", "articles_fts", "signals", "stories", "risk_snapshots", "alerts",
                "deliveries", "price_snapshots", "incidents", "_migrations"} <= tables
        assert store.db.execute("pragma journal_mode").fetchone()[0] == "wal"
        assert store.integrity_check() == "ok"


def test_reopening_applies_nothing(tmp_path: Path) -> None:
    Store(tmp_path / "db.db").close()
    with Store(tmp_path / "db.db") as again:
        assert again.applied_migrations == []


def test_older_database_is_upgraded_and_keeps_data(tmp_path: Path) -> None:
    """A database made by the first release (migration 1 only) gains the later migrations, data intact."""
    path = tmp_path / "old.db"
    import sqlite_utils

    from storage.migrations import MIGRATIONS as ALL

    db = sqlite_utils.Database(path)
    db.execute("create table _migrations (number integer primary key, name text not null, applied_at text not null)")
    ALL[0].apply(db)
    db.execute("insert into _migrations values (1, 'initial_schema', '2026-01-01T00:00:00+00:00')")
    db.execute(
        "insert into articles (url, content_hash, title, published, fetched, source) "
        "values ('https://e.org/a', 'h', 'Old article', '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00', 's')"
    )
    db.conn.commit()
    db.conn.close()
    with Store(path) as store:
        assert store.applied_migrations == [f"{m.number:04d}_{m.name}" for m in ALL[1:]]
        assert applied(store.db) == [m.number for m in ALL]
        assert store.rows("select title from articles") == [{"title": "Old article"}]


def test_same_url_or_same_content_is_stored_once_and_linked_to_both_sources(store: Store) -> None:
    first, created = store.add_article(article("https://e.org/a", "Helix AI raises prices"))
    assert created
    again, created = store.add_article(article("https://e.org/a", "Helix AI raises prices", source="s2"))
    assert (again, created) == (first, False)
    mirror, created = store.add_article(article("https://mirror.org/x", "Helix AI raises prices", source="s3"))
    assert (mirror, created) == (first, False)
    assert store.article_count() == 1
    row = store.article(first)
    assert row is not None and sorted(row["sources"]) == ["s1", "s2", "s3"]


def test_search_full_text_and_filters(store: Store) -> None:
    a, _ = store.add_article(article("https://e.org/1", "Helix AI cash burn widens", "losses mount", days=2))
    b, _ = store.add_article(article("https://e.org/2", "Northwind raises a round", "funding news", days=30, source="s2"))
    store.replace_article_signals(a, [NewSignal("losses_burn", 0.9, NOW, "t1", provider="helix")], "t1")
    store.replace_article_signals(b, [NewSignal("funding_raise", 0.8, NOW, "t1", provider="northwind")], "t1")
    assert [r["id"] for r in store.search("burn")] == [a]
    assert [r["id"] for r in store.search(None, provider="northwind")] == [b]
    assert [r["id"] for r in store.search(None, tag="losses_burn")] == [a]
    assert [r["id"] for r in store.search(None, since=NOW - timedelta(days=7))] == [a]
    assert [r["id"] for r in store.search(None, until=NOW - timedelta(days=7))] == [b]
    assert [r["id"] for r in store.search(None, source="s2")] == [b]
    assert store.search('"cash burn" NOT northwind')[0]["tags"] == "losses_burn"


def test_reclassifying_replaces_signals(store: Store) -> None:
    a, _ = store.add_article(article("https://e.org/1", "Helix AI layoffs"))
    store.replace_article_signals(a, [NewSignal("layoffs", 0.9, NOW, "v1", provider="helix")], "v1")
    assert store.articles_to_classify("v1") == []
    assert len(store.articles_to_classify("v2")) == 1
    store.replace_article_signals(a, [NewSignal("layoffs", 0.7, NOW, "v2", provider="helix"),
                                      NewSignal("losses_burn", 0.6, NOW, "v2", provider="helix")], "v2")
    assert sorted(s["tag"] for s in store.signals(provider="helix")) == ["layoffs", "losses_burn"]


def test_unopenable_path_is_a_store_error(tmp_path: Path) -> None:
    import pytest

    from storage.store import StoreError

    (tmp_path / "dir.db").mkdir()
    with pytest.raises(StoreError, match="cannot open database"):
        Store(tmp_path / "dir.db")
    assert sqlite3.sqlite_version_info >= (3, 35)


def test_search_gives_the_same_page_through_every_plan(store: Store, monkeypatch: object) -> None:
    """Whichever plan ``storage.search`` picks (a small set driving, a walk of the date index, full-text windows
    and batches), a search returns exactly the newest matching articles; ids are deliberately not in date order."""
    import random

    from storage.search import Planner

    rng = random.Random(3)
    words = ["funding", "burn", "outage", "lawsuit", "gpu", "rare"]
    providers, tags, sources = ["helix", "northwind", "quanta"], ["losses_burn", "outage", "layoffs"], ["s1", "s2", "s3"]
    expected: dict[int, dict[str, object]] = {}
    for i in range(120):
        text = " ".join(rng.choice(words[:5]) for _ in range(3)) + (" rare" if i % 17 == 0 else "")
        src = rng.choice(sources)
        aid, _ = store.add_article(article(f"https://e.org/{i}", f"story {i}", text, days=rng.randrange(60), source=src))
        extra = rng.choice(sources)
        store.add_article(article(f"https://e.org/{i}", f"story {i}", text, source=extra))  # seen in a second feed
        sigs = [NewSignal(rng.choice(tags), 0.9, NOW, "t", provider=rng.choice(providers)) for _ in range(rng.randrange(3))]
        store.replace_article_signals(aid, sigs, "t")
        expected[aid] = {"words": set(text.split()), "sources": {src, extra}, "signals": {(s.provider, s.tag) for s in sigs}}
    published = {r["id"]: r["published"] for r in store.rows("select id, published from articles")}

    def brute(word: str | None, provider: str | None, tag: str | None, source: str | None, since: datetime | None,
              limit: int) -> list[int]:
        hits = [
            aid for aid, e in expected.items()
            if (word is None or word in e["words"])  # type: ignore[operator]
            and (source is None or source in e["sources"])  # type: ignore[operator]
            and (provider is None and tag is None or any(  # type: ignore[attr-defined]
                (provider is None or p == provider) and (tag is None or t == tag) for p, t in e["signals"]))
            and (since is None or published[aid] >= since.isoformat())
        ]
        return sorted(hits, key=lambda a: (published[a], a), reverse=True)[:limit]

    cases = [(w, p, t, s, d, lim) for w in (None, "funding", "rare") for p in (None, "helix") for t in (None, "outage")
             for s in (None, "s2") for d in (None, NOW - timedelta(days=20)) for lim in (1, 7, 500)]
    for limits in ({}, {"drive_limit": 3, "materialize_limit": 6, "window": 5}, {"drive_limit": 0, "window": 1},
                   {"drive_limit": 50, "materialize_limit": 6, "window": 5}, {"drive_limit": 0, "materialize_limit": 0}):
        monkeypatch.setattr(store, "search_planner", lambda limits=limits: Planner(store.db.conn, **limits))  # type: ignore[attr-defined]
        for w, p, t, s, d, lim in cases:
            got = [r["id"] for r in store.search(w, provider=p, tag=t, source=s, since=d, limit=lim)]
            assert got == brute(w, p, t, s, d, lim), (limits, w, p, t, s, d, lim)
