"""Build constructed timelines for the risk tests: articles, incidents and price changes with their signals, written
straight through Store (no crawler, no classifier)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from monitor.config import Config, parse_config
from storage.store import NewArticle, NewSignal, Store
from storage.times import to_iso

_SERIAL = itertools.count(1)
"""Numbers URLs and external ids uniquely across every timeline of a test run."""

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
"""Day 0 of every constructed timeline."""

PROVIDERS = """
[providers.helix]
name = "Helix AI"
aliases = ["Helix", "Helix Labs"]

[providers.northwind]
name = "Northwind Models"
aliases = ["Northwind"]
"""


def risk_config(extra: str = "") -> Config:
    """A configuration with the two test providers and the default risk settings (plus ``extra`` TOML)."""
    return parse_config(PROVIDERS + "\n" + extra, "sources.toml")


def day(n: float) -> datetime:
    """``n`` days after :data:`T0`."""
    return T0 + timedelta(days=n)


class Timeline:
    """Writes evidence into ``store``; every method returns the id of what it wrote."""

    def __init__(self, store: Store, origin: datetime = T0) -> None:
        self.store = store
        self.origin = origin

    def at(self, when: float) -> datetime:
        """``when`` days after this timeline's origin."""
        return self.origin + timedelta(days=when)

    def article(self, title: str, when: float, *, tags: dict[str, float], provider: str | None = "helix",
                source: str = "wire", direction: str | None = None, provider_score: float = 1.0,
                summary: str = "") -> int:
        """An article published on day ``when`` by ``source`` with one signal per tag (tag -> confidence)."""
        self.count = next(_SERIAL)
        published = self.at(when)
        article_id, created = self.store.add_article(NewArticle(
            url=f"https://{source}.example.com/{self.count}", title=title, summary=summary or title,
            text=f"({source}, item {self.count})",
            published=published, fetched=published, source=source,
        ))
        assert created
        self.store.add_signals([
            NewSignal(tag=tag, confidence=conf, published=published, model_version="test", provider=provider,
                      provider_score=provider_score, direction=direction, article_id=article_id)
            for tag, conf in tags.items()
        ])
        return article_id

    def incident(self, title: str, when: float, *, provider: str = "helix", confidence: float = 0.9,
                 source: str = "helix-status") -> int:
        """A status-page incident starting on day ``when`` with its ``outage`` signal."""
        self.count = next(_SERIAL)
        started = self.at(when)
        cur = self.store.db.execute(
            "insert into incidents (source, external_id, provider, title, impact, status, started, resolved, url) "
            "values (?, ?, ?, ?, 'major', 'resolved', ?, ?, ?)",
            [source, f"inc{self.count}", provider, title, to_iso(started), to_iso(started + timedelta(hours=2)),
             f"https://status.example.com/inc{self.count}"],
        )
        self.store.db.conn.commit()
        incident_id = int(cur.lastrowid or 0)
        self.store.add_signals([NewSignal(tag="outage", confidence=confidence, published=started, model_version="status",
                                          provider=provider, incident_id=incident_id)])
        return incident_id

    def price_changes(self, when: float, changes: list[tuple[str, float, float]], *, provider: str = "helix",
                      source: str = "model-prices") -> list[int]:
        """One price-list snapshot on day ``when`` with (model, old, new) input-price changes and their signals."""
        detected = self.at(when)
        snap = self.store.db.execute(
            "insert into price_snapshots (source, fetched, content_hash, models) values (?, ?, ?, '{}')",
            [source, to_iso(detected), f"hash{when}"],
        ).lastrowid
        ids = []
        for model, old, new in changes:
            direction = "up" if new > old else "down"
            cur = self.store.db.execute(
                "insert into price_changes (source, snapshot_id, provider, model, field, old_value, new_value, percent, "
                "direction, detected) values (?, ?, ?, ?, 'input', ?, ?, ?, ?, ?)",
                [source, snap, provider, model, old, new, (new - old) / old * 100, direction, to_iso(detected)],
            )
            ids.append(int(cur.lastrowid or 0))
        self.store.db.conn.commit()
        self.store.add_signals([
            NewSignal(tag="api_pricing", confidence=1.0, published=detected, model_version="prices", provider=provider,
                      direction="up" if new > old else "down", price_change_id=pid)
            for pid, (_, old, new) in zip(ids, changes, strict=True)
        ])
        return ids


def troubled(store: Store, origin: datetime = T0) -> dict[str, list[int]]:
    """Helix: losses (day 0) and layoffs (day 5), each reported by two outlets, then a price rise (day 10).

    With the default settings the second losses report (day 0.3) lifts Helix to watch, the price rise to warning;
    returns the ids written by kind (``losses``, ``layoffs`` articles, ``prices`` price changes).
    """
    t = Timeline(store, origin)
    losses = [
        t.article("Helix AI lost $1.4 billion last year, filings show", 0, tags={"losses_burn": 0.9}, source="wire"),
        t.article("Helix AI lost $1.4 billion in 2025, filings show", 0.3, tags={"losses_burn": 0.85}, source="ledger"),
    ]
    layoffs = [
        t.article("Helix AI lays off 310 people in restructuring", 5, tags={"layoffs": 0.9}, source="techdaily"),
        t.article("Helix AI lays off 310 people as cash runs low", 5.2, tags={"layoffs": 0.9}, source="wire"),
    ]
    prices = t.price_changes(10, [("helix/strand-3.5", 3.0, 4.5), ("helix/strand-3.5-mini", 0.4, 0.6)])
    return {"losses": losses, "layoffs": layoffs, "prices": prices}
