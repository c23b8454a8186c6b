"""Title similarity for story clustering: overlap of the meaningful words of two headlines.

Titles are lower-cased and split into words (``$2.1B`` and ``2.1 billion`` both become ``2.1b``); stop words are dropped and a
plural ``s`` is trimmed from longer words, so "Helix AI lays off 310 people" and "Helix Labs layoffs: 310 people"
share ``helix``, ``310`` and ``people``. Similarity is the Dice coefficient of the two word sets (0 to 1).
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)*[a-z]*")
_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(billion|bn|million|mn)\b")
_POSSESSIVE = re.compile(r"'s\b")
_UNITS = {"billion": "b", "bn": "b", "million": "m", "mn": "m"}
STOP_WORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "for", "from", "has", "have", "in", "into", "is",
    "it", "its", "of", "on", "or", "over", "says", "say", "said", "that", "the", "their", "this", "to", "up", "was",
    "were", "will", "with", "after", "amid", "new", "report", "reports",
})


def title_tokens(title: str) -> frozenset[str]:
    """The meaningful, normalised words of ``title``."""
    text = _POSSESSIVE.sub("", (title or "").lower().replace("\u2019", "'"))
    text = _AMOUNT.sub(lambda m: m.group(1) + _UNITS[m.group(2)], text)
    out = set()
    for token in _TOKEN.findall(text):
        token = token.replace(",", "")
        if token in STOP_WORDS or (len(token) == 1 and not token.isdigit()):
            continue
        if len(token) > 3 and token.endswith("s") and not token.endswith("ss") and not token[-2].isdigit():
            token = token[:-1]
        out.add(token)
    return frozenset(out)


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    """The Dice coefficient of two word sets: 2|a & b| / (|a| + |b|), 0 when either is empty."""
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def title_similarity(a: str, b: str) -> float:
    """How alike two headlines are, from 0 (no shared meaningful word) to 1 (the same words)."""
    return dice(title_tokens(a), title_tokens(b))
