"""Write what a source yielded to the store: articles, incidents with their ``outage`` signals, and price
snapshots with their change rows and ``api_pricing``/``deprecation`` signals.

Each function returns counts for the :class:`~monitor.crawl.report.SourceResult`; storage errors propagate (the
runner records them as the source's error and keeps the validators unchanged, so the next crawl retries in full).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from classifiers.providers import alias_pattern
from monitor.config import Config, Provider, Source
from storage.store import NewArticle, NewSignal, Store

from .prices import ModelPrice, diff_prices, load_snapshot, map_provider, snapshot_hash, snapshot_json
from .status import IMPACT_CONFIDENCE, Incident, incident_row

STATUS_MODEL_VERSION = "status-1"
PRICES_MODEL_VERSION = "prices-1"
REMOVED_MODEL_CONFIDENCE = 0.8


def store_articles(store: Store, articles: Sequence[NewArticle]) -> int:
    """Add one source's articles in one transaction (deduplicated by the store); return how many were new."""
    return sum(int(created) for _, created in store.add_articles(articles))


def provider_in_text(text: str, providers: Mapping[str, Provider]) -> str | None:
    """The first provider (in configuration order) one of whose names occurs in ``text`` on word boundaries."""
    for pid, provider in providers.items():
        for name in provider.names:
            pattern = alias_pattern(name)
            if pattern is not None and pattern.search(text):
                return pid
    return None


def incident_provider(source: Source, config: Config, incident: Incident) -> str | None:
    """The source's first configured provider, else the provider named in the incident's title."""
    if source.providers:
        return source.providers[0]
    return provider_in_text(incident.title, config.providers)


def store_incidents(store: Store, config: Config, source: Source, incidents: Iterable[Incident]) -> tuple[int, int]:
    """Upsert incidents and (re)place their ``outage`` signals; return ``(created, updated)``."""
    created = updated = 0
    for incident in incidents:
        provider = incident_provider(source, config, incident)
        signal = NewSignal(
            tag="outage",
            confidence=IMPACT_CONFIDENCE.get(incident.impact, 0.7),
            published=incident.started,
            model_version=STATUS_MODEL_VERSION,
            provider=provider,
        )
        _, state = store.save_incident(incident_row(source.name, provider, incident), signal)
        created += state == "created"
        updated += state == "updated"
    return created, updated


def store_prices(
    store: Store, config: Config, source: Source, models: Mapping[str, ModelPrice], fetched: datetime
) -> int:
    """Snapshot ``models`` if they differ from the last snapshot; return the number of change rows stored.

    The first snapshot of a source records no changes. Price rises and cuts become ``api_pricing`` signals
    (direction up/down, confidence 1.0); a model removed from the list becomes a ``deprecation`` signal.
    """
    text = snapshot_json(models)
    digest = snapshot_hash(text)
    previous = store.latest_price_snapshot(source.name)
    if previous is not None and previous["content_hash"] == digest:
        return 0
    changes = diff_prices(load_snapshot(previous["models"]), models) if previous is not None else []
    fallback = source.providers[0] if source.providers else None
    rows, signals = [], []
    for change in changes:
        provider = map_provider(change.provider, config.providers, fallback)
        rows.append(
            {
                "provider": provider,
                "model": change.model,
                "field": change.field,
                "old_value": change.old,
                "new_value": change.new,
                "percent": change.percent,
                "direction": change.direction,
            }
        )
        signal = None
        if change.direction in ("up", "down") and change.field in ("input", "output"):
            signal = NewSignal(
                tag="api_pricing", confidence=1.0, published=fetched, model_version=PRICES_MODEL_VERSION,
                provider=provider, direction=change.direction,
            )
        elif change.field == "model" and change.direction == "removed":
            signal = NewSignal(
                tag="deprecation", confidence=REMOVED_MODEL_CONFIDENCE, published=fetched,
                model_version=PRICES_MODEL_VERSION, provider=provider,
            )
        signals.append(signal)
    store.save_price_snapshot(source.name, fetched, digest, text, rows, signals)
    return len(rows)
