"""The signal taxonomy: the one place where tags are declared.

Every other module iterates over :data:`TAGS` / :data:`TAG_NAMES`, so adding a tag here (plus, optionally,
keyword patterns and training examples keyed by its name) touches no other code.
"""

from __future__ import annotations

from dataclasses import dataclass

EFFECTS = ("raises", "lowers", "neutral", "depends")
"""Allowed values of :attr:`TagInfo.effect` (the tag's usual effect on a provider's stability risk)."""

NONE = "none"
"""Label used for an article that carries none of the tags."""


@dataclass(frozen=True)
class TagInfo:
    """One signal tag: its name, a human description and its usual effect on stability risk."""

    name: str
    description: str
    effect: str


class UnknownTagError(KeyError):
    """Raised by :func:`tag_info` for a name that is not a tag."""


TAGS: tuple[TagInfo, ...] = (
    TagInfo(
        "funding_raise",
        "Equity round, valuation or strategic investment into the provider.",
        "lowers",
    ),
    TagInfo(
        "debt_financing",
        "Loans, credit lines, GPU-backed debt or bonds taken on by the provider.",
        "raises",
    ),
    TagInfo(
        "losses_burn",
        "Net loss, cash burn, negative margin, missed payments or running short of cash.",
        "raises",
    ),
    TagInfo(
        "revenue_growth",
        "Revenue or ARR milestones, profitability.",
        "lowers",
    ),
    TagInfo(
        "layoffs",
        "Layoffs, hiring freeze or restructuring.",
        "raises",
    ),
    TagInfo(
        "leadership_change",
        "CEO, founder or executive departures, board conflict.",
        "raises",
    ),
    TagInfo(
        "compute_deal",
        "GPU purchases, cloud or data-center contracts, chip supply.",
        "neutral",
    ),
    TagInfo(
        "api_pricing",
        "API price cut or rise, new tiers, rate-limit or quota change (a rise raises risk, a cut is neutral).",
        "depends",
    ),
    TagInfo(
        "deprecation",
        "Model, API or product retirement or shutdown.",
        "raises",
    ),
    TagInfo(
        "outage",
        "Incidents or degraded service.",
        "raises",
    ),
    TagInfo(
        "m_and_a",
        "Acquisition, acqui-hire or license-and-hire deal (raises risk for the acquired).",
        "raises",
    ),
    TagInfo(
        "legal_regulatory",
        "Lawsuits, fines, investigations or export controls.",
        "raises",
    ),
)

TAG_NAMES: tuple[str, ...] = tuple(t.name for t in TAGS)

_BY_NAME: dict[str, TagInfo] = {t.name: t for t in TAGS}


def tag_info(name: str) -> TagInfo:
    """Return the :class:`TagInfo` for ``name``; raise :class:`UnknownTagError` if it is not a tag."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise UnknownTagError(name) from None


def is_tag(name: str) -> bool:
    """Return True if ``name`` is a declared tag (``"none"`` is not)."""
    return name in _BY_NAME
