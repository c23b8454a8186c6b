"""Turn an article's tag scores into a full :class:`Classification` (providers, amounts, direction).

Both classifiers (keyword baseline and transformer) decide only *which tags* apply; everything else about an
article is extracted the same way for both, here: the providers it mentions, the money amounts in it and the
direction of the news for the tags found.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from classifiers.amounts import extract_article_amounts
from classifiers.direction import direction_for
from classifiers.providers import match_providers
from classifiers.types import ArticleText, Classification, TagScore


def annotate(
    item: ArticleText, tags: Sequence[TagScore], providers: Mapping[str, Sequence[str]], model_version: str
) -> Classification:
    """Return the classification of ``item`` with ``tags`` sorted by confidence (highest first)."""
    ordered = sorted(tags, key=lambda t: -t.confidence)
    return Classification(
        id=item.id,
        tags=ordered,
        providers=match_providers(item.title, item.text, providers),
        amounts=extract_article_amounts(item.title, item.text),
        direction=direction_for([t.tag for t in ordered], item.title, item.text),
        model_version=model_version,
    )
