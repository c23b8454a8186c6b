"""The factors of the risk model: weight by tag and direction, decay by half-life, corroboration, relevance.

Every factor reads :class:`~monitor.config.RiskSettings`, so retuning is a configuration change (docs/risk.md
gives each default and its reason).
"""

from __future__ import annotations

import math

from classifiers.taxonomy import UnknownTagError, tag_info
from monitor.config import RiskSettings

EFFECT_WEIGHTS = {"raises": 1.0, "lowers": -1.0, "neutral": 0.0, "depends": 0.0}
"""Weight of a declared tag that has no entry in ``[risk.weights]`` (a newly added tag), by its usual effect."""

DEFAULT_HALF_LIFE_DAYS = 30.0
"""Half-life of a tag with no entry in ``[risk.half_life_days]``."""

NEGLIGIBLE_DECAY = 1e-3
"""No signal is read past the age at which the longest half-life has decayed to this fraction (see
:func:`horizon_days`; each tag usually stops earlier, see :func:`horizon_for`)."""

MIN_CONTRIBUTION = 1e-3
"""Contributions smaller than this (in absolute value) are dropped as noise."""

DIRECTIONS = (None, "up", "down", "in", "out")
"""The directions signals carry (prices up/down, money in/out) or none."""


def weight_for(settings: RiskSettings, tag: str, direction: str | None) -> float:
    """The weight of ``tag`` in ``direction``: ``"tag:direction"`` if configured, else ``"tag"``, else by the tag's
    effect in the taxonomy (raises +1, lowers -1, otherwise 0); 0 for a name that is not a tag."""
    if direction and f"{tag}:{direction}" in settings.weights:
        return float(settings.weights[f"{tag}:{direction}"])
    if tag in settings.weights:
        return float(settings.weights[tag])
    try:
        return EFFECT_WEIGHTS.get(tag_info(tag).effect, 0.0)
    except UnknownTagError:
        return 0.0


def half_life_for(settings: RiskSettings, tag: str) -> float:
    """The half-life in days of ``tag``'s effect (30 days when not configured)."""
    return float(settings.half_life_days.get(tag, DEFAULT_HALF_LIFE_DAYS))


def decay(age_days: float, half_life_days: float) -> float:
    """``0.5 ** (age / half-life)``: 1 when fresh, 0.5 after one half-life; 1 for evidence from the future."""
    if age_days <= 0:
        return 1.0
    return 0.5 ** (age_days / half_life_days)


def corroboration(settings: RiskSettings, sources: int) -> float:
    """How much independent sources raise a story's confidence: ``1 + step x log2(sources)``, capped.

    One source gives 1.0; with the defaults (step 0.25, cap 2.0) two give 1.25, four 1.5 and sixteen or more 2.0, so
    ten outlets repeating one story never weigh like ten different stories.
    """
    n = max(1, sources)
    return min(settings.corroboration_max, 1.0 + settings.corroboration_step * math.log2(n))


def relevance(settings: RiskSettings, provider_score: float) -> float:
    """1 when the provider is the subject (named in the title, score 1), ``body_mention_factor`` when the article
    only mentions it in the body."""
    return 1.0 if provider_score >= 1.0 else settings.body_mention_factor


def horizon_days(settings: RiskSettings) -> float:
    """How far back evidence can ever matter: until the longest half-life has decayed to ``NEGLIGIBLE_DECAY``."""
    longest = max([DEFAULT_HALF_LIFE_DAYS, *settings.half_life_days.values()])
    return longest * math.log2(1 / NEGLIGIBLE_DECAY)


def max_weight(settings: RiskSettings, tag: str) -> float:
    """The largest absolute weight ``tag`` has in any direction."""
    directions = {*DIRECTIONS, *(k.split(":", 1)[1] for k in settings.weights if k.startswith(f"{tag}:"))}
    return max(abs(weight_for(settings, tag, d)) for d in directions)


def horizon_for(settings: RiskSettings, tag: str) -> float:
    """The age in days past which no piece of evidence of ``tag`` can contribute ``MIN_CONTRIBUTION``: its largest
    possible contribution (largest weight x confidence 1 x ``corroboration_max``) has decayed below it there.
    Never beyond :func:`horizon_days`; 0 for a tag that never contributes (weight 0 in every direction).

    With the defaults: outages 20 days, 21-day tags 230-243, 30-day tags 299-369, 45-day tags 448 (the cap).
    """
    largest = max_weight(settings, tag) * max(1.0, settings.corroboration_max)
    if largest < MIN_CONTRIBUTION:
        return 0.0
    return min(horizon_days(settings), half_life_for(settings, tag) * math.log2(largest / MIN_CONTRIBUTION))
