"""A regex keyword baseline classifier (name ``"keyword"``), also used as the evaluation baseline.

Each tag has a list of ``(pattern, weight)`` rules in :data:`KEYWORD_RULES`, keyed by tag name. A tag's
confidence combines its matching rules as ``1 - prod(1 - weight)``, with title matches weighted up by
:data:`TITLE_BOOST`; tags at or above :data:`EMIT_THRESHOLD` are emitted. A tag without rules simply never
fires, so adding a tag to the taxonomy needs no change here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from classifiers.annotate import annotate, attributor_for, subject_model
from classifiers.taxonomy import TAG_NAMES
from classifiers.types import ArticleText, Classification, TagScore

VERSION = "keyword-2"
EMIT_THRESHOLD = 0.5
TITLE_BOOST = 1.2

_GAP = r"(?:[^\s.,;]+\s+){0,3}?"

KEYWORD_RULES: dict[str, list[tuple[str, float]]] = {
    "funding_raise": [
        (r"\brais(?:es|ed|ing)\s+" + _GAP + r"(?:\$|€|£|funding|capital|money|series|round)", 0.7),
        (r"\b(?:series\s+[a-h]|seed\s+round|funding\s+round|mega-?round|pre-seed)\b", 0.7),
        (r"\b(?:valuation|valued\s+at)\b", 0.55),
        (r"\b(?:secures?|lands?|closes?|bags?|nets?)\s+" + _GAP + r"(?:funding|investment|round|\$|€|£)", 0.6),
        (r"\b(?:invests?|invested|investment)\s+(?:of\s+)?" + _GAP + r"in(?:to)?\b", 0.5),
        (r"\b(?:tender\s+offer|fundrais(?:e|ing))\b", 0.55),
    ],
    "debt_financing": [
        (r"\b(?:credit\s+(?:line|facility)|revolving\s+credit|term\s+loan|loan|loans)\b", 0.7),
        (r"\b(?:debt\s+financing|debt\s+deal|raises?\s+" + _GAP + r"debt|borrow(?:s|ed|ing)?)\b", 0.7),
        (r"\b(?:bonds?|notes\s+offering|convertible\s+notes|gpu-backed|collateral(?:ized)?)\b", 0.6),
    ],
    "losses_burn": [
        (r"\b(?:net\s+loss|losses|lost\s+\$|operating\s+loss)\b", 0.7),
        (r"\b(?:cash\s+burn|burn(?:s|ed|ing)?\s+(?:through\s+)?" + _GAP + r"(?:cash|\$|billion|million))\b", 0.7),
        (r"\b(?:running\s+(?:low|out)\s+of\s+(?:cash|money)|missed\s+payments?|unprofitable|in\s+the\s+red)\b",
         0.65),
        (r"\bnegative\s+(?:gross\s+)?margins?\b", 0.6),
    ],
    "revenue_growth": [
        (r"\b(?:annuali[sz]ed\s+revenue|revenue\s+run[\s-]?rate|arr)\b", 0.7),
        (r"\brevenue\b" + r".{0,40}?\b(?:hits?|tops?|reach(?:es|ed)?|doubl|tripl|surpass|grow|grew|jump|soar)",
         0.65),
        (r"\b(?:profitable|profitability|turns?\s+a\s+profit)\b", 0.6),
        (r"\b(?:revenue|sales)\s+(?:growth|surge|jump)\b", 0.6),
    ],
    "layoffs": [
        (r"\b(?:lay(?:s|ing)?\s+off|laid\s+off|layoffs?|job\s+cuts|cuts?\s+" + _GAP + r"(?:jobs|staff|workforce|"
         r"employees|headcount))\b", 0.8),
        (r"\b(?:hiring\s+freeze|restructur(?:e|es|ed|ing)|downsiz(?:e|es|ed|ing))\b", 0.6),
    ],
    "leadership_change": [
        (r"\b(?:steps?\s+down|stepped\s+down|resign(?:s|ed)?|depart(?:s|ed|ure)|leaves|exits?|ousted|"
         r"fired|quits?)\b", 0.6),
        (r"\b(?:new\s+ceo|names?\s+" + _GAP + r"(?:ceo|chief|president|cto|cfo)|appoint(?:s|ed)?|co-?founder\s+"
         r"leaves|board\s+(?:fight|clash|shake-?up|turmoil))\b", 0.6),
    ],
    "compute_deal": [
        (r"\b(?:gpus?|h100s?|h200s?|b200s?|blackwell|tpus?|accelerators?)\b", 0.45),
        (r"\b(?:data[\s-]?cent(?:er|re)s?|compute\s+(?:deal|contract|capacity)|cloud\s+(?:deal|contract))\b",
         0.55),
        (r"\b(?:signs?|inks?|strikes?)\s+" + _GAP + r"(?:deal|contract|agreement)\b", 0.35),
    ],
    "api_pricing": [
        (r"\b(?:api\s+)?(?:price|prices|pricing)\b", 0.55),
        (r"\bper\s+(?:million|1m|1,000|thousand)\s+(?:input\s+|output\s+)?tokens\b", 0.6),
        (r"\b(?:rate[\s-]?limits?|quotas?|free\s+tier|usage\s+tiers?)\b", 0.55),
        (r"\b(?:cheaper|more\s+expensive|price\s+cut)\b", 0.5),
    ],
    "deprecation": [
        (r"\b(?:deprecat(?:e|es|ed|ing|ion)|retir(?:e|es|ed|ing|ement)|sunset(?:s|ting)?|end[\s-]of[\s-]life)\b",
         0.75),
        (r"\b(?:shut(?:s|ting)?\s+down|shutdown|discontinu(?:e|es|ed|ing))\b", 0.6),
    ],
    "outage": [
        (r"\b(?:outage|outages|went\s+down|goes\s+down|is\s+down|downtime|degraded|disruption)\b", 0.75),
        (r"\b(?:elevated\s+error\s+rates?|incident|service\s+interruption|unavailable)\b", 0.55),
    ],
    "m_and_a": [
        (r"\b(?:acquir(?:e|es|ed|ing)|acquisition|buys|bought|takeover|merger|merges?)\b", 0.7),
        (r"\b(?:acqui-?hire|licens(?:e|ing)\s+(?:and|&)\s+hire|to\s+buy)\b", 0.65),
    ],
    "legal_regulatory": [
        (r"\b(?:lawsuit|sues|sued|suing|litigation|class\s+action|court|judge)\b", 0.7),
        (r"\b(?:fine[ds]?|fining|investigation|probe|antitrust|ftc|regulators?|export\s+controls?|subpoena)\b",
         0.6),
        (r"\b(?:copyright|infringement|settlement|gdpr)\b", 0.5),
    ],
}
"""Keyword rules keyed by tag name: list of (regex, weight). Missing tags simply never fire."""

_COMPILED: dict[str, list[tuple[re.Pattern[str], float]]] = {
    tag: [(re.compile(p, re.IGNORECASE), w) for p, w in rules] for tag, rules in KEYWORD_RULES.items()
}


def keyword_scores(title: str, text: str) -> dict[str, float]:
    """Return a confidence in [0, 1] for every taxonomy tag from keyword rules on ``title`` and ``text``."""
    scores: dict[str, float] = {}
    for tag in TAG_NAMES:
        miss = 1.0
        for pattern, weight in _COMPILED.get(tag, []):
            if pattern.search(title or ""):
                miss *= 1.0 - min(0.95, weight * TITLE_BOOST)
            elif pattern.search(text or ""):
                miss *= 1.0 - weight
        scores[tag] = round(1.0 - miss, 4)
    return scores


class KeywordClassifier:
    """Regex keyword baseline implementing the :class:`~classifiers.types.Classifier` protocol."""

    name = "keyword"

    def __init__(self, providers: Mapping[str, Sequence[str]]) -> None:
        """Create a classifier matching the given providers (id -> aliases).

        Its version is :data:`VERSION` joined to the subject model's, as for the transformer classifier.
        """
        self.providers = providers
        self.attributor = attributor_for(providers)
        self.version = f"{VERSION}+{subject_model().version}"

    def classify(self, items: Sequence[ArticleText]) -> list[Classification]:
        """Classify each item: tags at or above the threshold, providers, amounts and direction."""
        out: list[Classification] = []
        for item in items:
            scores = keyword_scores(item.title, item.text)
            tags = [TagScore(t, s) for t, s in scores.items() if s >= EMIT_THRESHOLD]
            out.append(annotate(item, tags, self.attributor, self.version))
        return out
