"""Turn an article's tag scores into a full :class:`Classification` (providers, amounts, direction).

Both classifiers (keyword baseline and transformer) decide only *which tags* apply; everything else about an
article is extracted the same way for both, here: the organisations it names and which of them the event is
about (:mod:`classifiers.orgs.subjects`), the money amounts in it and the direction of the news for the tags
found.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

from classifiers.amounts import extract_article_amounts
from classifiers.direction import direction_for
from classifiers.orgs.catalogue import load_catalogue
from classifiers.orgs.subjects import Attributor, SubjectModel, load_subject_model
from classifiers.types import ArticleText, Classification, ProviderMention, TagScore


@lru_cache(maxsize=1)
def subject_model() -> SubjectModel:
    """The committed subject model, loaded once per process."""
    return load_subject_model()


def attributor_for(providers: Mapping[str, Sequence[str]]) -> Attributor:
    """The attributor for ``providers`` (id -> names) with the catalogue's kinds and the committed subject model;
    a classifier builds it once."""
    return Attributor.for_names(providers, load_catalogue(), subject_model())


def organisations(item: ArticleText, tags: Sequence[str], attributor: Attributor) -> list[ProviderMention]:
    """Every organisation ``attributor`` knows that is named in ``item``, subjects first, with its role."""
    roles = attributor.attribute(item.title, item.text, tags, own=item.own)
    return [ProviderMention(r.org, 1.0 if r.in_title else 0.9 if r.subject else 0.5, r.in_title, r.subject, r.role)
            for r in roles]


def annotate(
    item: ArticleText,
    tags: Sequence[TagScore],
    attributor: Attributor,
    model_version: str,
) -> Classification:
    """Return the classification of ``item`` with ``tags`` sorted by confidence (highest first); organisations
    are attributed with ``attributor`` (:func:`attributor_for`)."""
    ordered = sorted(tags, key=lambda t: -t.confidence)
    names = [t.tag for t in ordered]
    return Classification(
        id=item.id,
        tags=ordered,
        providers=organisations(item, names, attributor),
        amounts=extract_article_amounts(item.title, item.text),
        direction=direction_for(names, item.title, item.text),
        model_version=model_version,
    )
