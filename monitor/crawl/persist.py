"""Write what a source yielded to the store: articles, incidents with their ``outage`` signals, and price
snapshots with their change rows and ``api_pricing``/``deprecation`` signals.

Each function returns counts for the :class:`~monitor.crawl.report.SourceResult`; storage errors propagate (the
runner records them as the source's error and keeps the validators unchanged, so the next crawl retries in full).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from classifiers.orgs.matcher import matcher_for
from classifiers.orgs.models import ModelResolver
from monitor.config import Config, Source
from storage.store import NewArticle, NewSignal, Store

from .prices import ModelPrice, diff_prices, load_snapshot, snapshot_hash, snapshot_json
from .status import IMPACT_CONFIDENCE, Incident, incident_row

STATUS_MODEL_VERSION = "status-2"
PRICES_MODEL_VERSION = "prices-2"
UPSTREAM_SCORE = 0.5
"""Provider score of an upstream link (below 1: the risk model weighs it by ``body_mention_factor``)."""
REMOVED_MODEL_CONFIDENCE = 0.8


def store_articles(store: Store, articles: Sequence[NewArticle]) -> int:
    """Add one source's articles in one transaction; return how many were new.

    Deduplicated by the store (:meth:`Store.add_articles`): by canonical URL, and across URLs only by title *and*
    body, never by title alone. An article another process (a second ``crawl``) stored a moment earlier counts as
    known, not as an error.
    """
    return sum(int(created) for _, created in store.add_articles(articles))


def incident_links(source: Source, config: Config, incident: Incident) -> list[tuple[str, str]]:
    """Who an incident belongs to, and how: ``[(provider, link), ...]``, the page's own provider first.

    A status source that names its providers is that provider's own page: the incident is the provider's (link
    ``own``). Every other organisation the incident's title names — a model family such as "GPT 5.6" or "Claude
    Sonnet 4" on GitHub's page, an upstream maker on a reseller's — is linked as ``upstream``, with lower weight
    in the risk score. An incident naming nobody on a page with no provider is linked to nobody.
    """
    links: list[tuple[str, str]] = [(p, "own") for p in source.providers[:1]]
    for hit in matcher_for(config.org_names).find(incident.title):
        if all(hit.org != p for p, _ in links):
            links.append((hit.org, "upstream"))
    return links


def store_incidents(store: Store, config: Config, source: Source, incidents: Iterable[Incident]) -> tuple[int, int]:
    """Upsert incidents and (re)place their ``outage`` signals; return ``(created, updated)``."""
    created = updated = 0
    for incident in incidents:
        links = incident_links(source, config, incident)
        confidence = IMPACT_CONFIDENCE.get(incident.impact, 0.7)
        signals = [
            NewSignal(tag="outage", confidence=confidence, published=incident.started,
                      model_version=STATUS_MODEL_VERSION, provider=provider,
                      provider_score=UPSTREAM_SCORE if link == "upstream" else 1.0, role=link)
            for provider, link in links
        ] or [NewSignal(tag="outage", confidence=confidence, published=incident.started,
                        model_version=STATUS_MODEL_VERSION)]
        provider, link = links[0] if links else (None, None)
        _, state = store.save_incident(dict(incident_row(source.name, provider, incident), link=link), signals)
        created += state == "created"
        updated += state == "updated"
    return created, updated


def store_prices(
    store: Store, config: Config, source: Source, models: Mapping[str, ModelPrice], fetched: datetime
) -> int:
    """Snapshot ``models`` if they differ from the last snapshot; return the number of change rows stored.

    The first snapshot of a source records no changes. Each change is credited to the model's maker and, when
    it differs, its seller (``azure/o3`` is OpenAI's model sold by Microsoft; see
    :class:`classifiers.orgs.models.ModelResolver`); a model whose maker is unknown falls back to the source's
    first provider. Price rises and cuts become ``api_pricing`` signals (direction up/down, confidence 1.0); a
    model removed from the list becomes a ``deprecation`` signal; both are the maker's.
    """
    text = snapshot_json(models)
    digest = snapshot_hash(text)
    previous = store.latest_price_snapshot(source.name)
    if previous is not None and previous["content_hash"] == digest:
        return 0
    changes = diff_prices(load_snapshot(previous["models"]), models) if previous is not None else []
    fallback = source.providers[0] if source.providers else None
    resolver = ModelResolver(config.orgs)
    rows, signals = [], []
    for change in changes:
        owner = resolver.resolve(change.model, change.provider)
        provider = owner.maker or fallback
        rows.append(
            {
                "provider": provider,
                "seller": owner.seller if owner.seller != provider else None,
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
    _, change_ids = store.save_price_snapshot(source.name, fetched, digest, text, rows, signals)
    return len(change_ids)  # 0 when a concurrent crawl of this source stored the same list first
