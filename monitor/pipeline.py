"""The classify stage: read unclassified articles, tag them, store their signals.

Each article gets one signal per (tag, subject) pair: only the organisations the event is about (subjects, see
:mod:`classifiers.orgs.subjects`) get signals, with their role; every organisation the article names, subject or
mention, is stored in ``article_orgs`` (``search --provider`` finds articles that mention a provider). In an
acquisition the acquirer keeps its role but gets no ``m_and_a`` signal: the deal raises risk for the acquired.
A signal remembers the classifier version, so ``capwatch classify --all`` re-tags everything after retraining.
Articles naming no organisation keep their signals with provider NULL (searchable by tag, ignored by the risk
score), unless their source names providers in sources.toml, which then stand in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from classifiers.loader import classifier_version, load_classifier
from classifiers.orgs.subjects import takes_risk
from classifiers.types import Amount, ArticleText, Classification, Classifier
from storage.store import ArticleOrg, NewSignal, Store
from storage.times import from_iso

from .config import Config

# Which amount kinds belong to which tag: the first matching amount is stored with the signal.
AMOUNT_KINDS: dict[str, tuple[str | None, ...]] = {
    "funding_raise": ("raise", "valuation"),
    "debt_financing": ("debt", "raise"),
    "losses_burn": ("loss",),
    "revenue_growth": ("revenue",),
    "compute_deal": ("debt", "raise", None),
    "api_pricing": ("price",),
    "m_and_a": ("valuation", "raise", None),
    "legal_regulatory": (None,),
}
MAX_TEXT_CHARS = 4000


@dataclass
class ClassifyReport:
    """What one classify run did."""

    classifier: str
    version: str
    articles: int = 0
    signals: int = 0
    tags: Counter[str] = field(default_factory=Counter)
    providers: Counter[str] = field(default_factory=Counter)


@lru_cache(maxsize=4)
def _cached_classifier(kind: str, providers: tuple[tuple[str, tuple[str, ...]], ...], model_path: str | None,
                       artifact_path: str | None, backend: str) -> Classifier:
    return load_classifier(kind, providers=dict(providers), model_path=model_path, artifact_path=artifact_path,
                           backend=backend)


def get_classifier(config: Config, kind: str | None = None) -> Classifier:
    """The configured classifier, built once per process (the transformer loads its encoder at the first
    non-empty batch)."""
    providers = tuple(config.org_names.items())
    return _cached_classifier(kind or config.classifier.kind, providers, config.classifier.model_path,
                              config.classifier.artifact_path, config.classifier.backend)


def current_version(config: Config, kind: str | None = None) -> str:
    """The version the configured classifier tags with, read without loading any model."""
    return classifier_version(kind or config.classifier.kind, artifact_path=config.classifier.artifact_path,
                              backend=config.classifier.backend)


def _amount_for(tag: str, amounts: Sequence[Amount]) -> Amount | None:
    kinds = AMOUNT_KINDS.get(tag)
    if not kinds:
        return None
    for kind in kinds:
        for a in amounts:
            if a.kind == kind:
                return a
    return None


def signals_for(result: Classification, published: str, fallback_providers: Sequence[str]) -> list[NewSignal]:
    """Turn one classification into signals: one per (tag, subject), amounts, direction and role attached."""
    when = from_iso(published)
    subjects: list[tuple[str | None, float, str | None]] = (
        [(m.provider, m.score, m.role) for m in result.providers if m.subject]
        or [(p, 1.0, "subject") for p in fallback_providers]
        or [(None, 1.0, None)]
    )
    out = []
    for tag in result.tags:
        amount = _amount_for(tag.tag, result.amounts)
        direction = result.direction if tag.tag in ("api_pricing", "funding_raise", "debt_financing") else None
        for provider, score, role in subjects:
            if not takes_risk(role, tag.tag):
                continue
            out.append(
                NewSignal(
                    tag=tag.tag,
                    confidence=float(tag.confidence),
                    published=when,
                    model_version=result.model_version,
                    provider=provider,
                    provider_score=float(score),
                    amount_usd=amount.value_usd if amount else None,
                    amount_kind=amount.kind if amount else None,
                    direction=direction,
                    role=role,
                )
            )
    return out


def orgs_for(result: Classification) -> list[ArticleOrg]:
    """Every organisation the classification names, for ``article_orgs``."""
    return [ArticleOrg(m.provider, m.role, m.subject, m.score, m.in_title) for m in result.providers]


def classify_articles(
    config: Config,
    store: Store,
    *,
    redo_all: bool = False,
    kind: str | None = None,
    batch_size: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> ClassifyReport:
    """Tag every article not yet classified by the current classifier version (every article with ``redo_all``).

    What is pending is checked first, with the version read from the artifact: when nothing is, no classifier or
    model is loaded at all.
    """
    name = kind or config.classifier.kind
    version = current_version(config, kind)
    pending = store.articles_to_classify(version, redo_all=redo_all)
    if not pending:
        return ClassifyReport(classifier=name, version=version)
    clf = get_classifier(config, kind)
    if clf.version != version:  # the artifact changed under us: trust the loaded model's version
        version = clf.version
        pending = store.articles_to_classify(version, redo_all=redo_all)
    report = ClassifyReport(classifier=clf.name, version=version)
    source_providers = {s.name: s.providers for s in config.sources}
    own_channels = {s.name: s.providers for s in config.sources if s.own}
    size = batch_size or config.settings.classify_batch
    for start in range(0, len(pending), size):
        batch = pending[start : start + size]
        items = [
            ArticleText(id=str(a["id"]), title=a["title"], text=(a["summary"] + "\n\n" + a["text"]).strip()[:MAX_TEXT_CHARS],
                        own=own_channels.get(a["source"], ()))
            for a in batch
        ]
        results = clf.classify(items)
        for article, result in zip(batch, results, strict=True):
            signals = signals_for(result, article["published"], source_providers.get(article["source"], ()))
            store.replace_article_signals(int(article["id"]), signals, clf.version, orgs_for(result))
            report.articles += 1
            report.signals += len(signals)
            report.tags.update({t.tag for t in result.tags})
            report.providers.update({s.provider for s in signals if s.provider})
        if progress:
            progress(len(batch))
    return report
