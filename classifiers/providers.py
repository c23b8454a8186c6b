"""Find which providers an article is about, from their configured aliases.

Matching rules:

* Aliases match on word boundaries: a letter or digit directly before or after the alias prevents the match, so
  ``xAI`` does not match ``taxAI`` and ``XAIDEN`` does not match ``xAI``. Punctuation does not, so possessives
  (``OpenAI's``, ``OpenAI’s``) and hyphenated forms (``xAI-backed``) match.
* Aliases that are short (four characters or fewer: ``Grok``, ``Meta``, ``GLM``), contain a digit (``AI21``), or
  are mixed-case starting with a lowercase letter (``xAI``) match case-sensitively. Other aliases
  (``Anthropic``, ``OpenAI``, ``Stability AI``) match case-insensitively, so all-caps headlines still match.
* An alias written ``=Name`` matches only with exactly that case (bare names that are also common words:
  ``=Runway``, ``=Cursor``; see the catalogue's ``names_exact``).
* Whitespace inside an alias matches any run of whitespace.
* A provider named in the title is the subject: score 1.0. A provider named only in the body scores
  :data:`BODY_BASE_SCORE`, plus :data:`BODY_STEP` per further mention, capped at :data:`BODY_MAX_SCORE` (< 1).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

from classifiers.types import ProviderMention

TITLE_SCORE = 1.0
BODY_BASE_SCORE = 0.5
BODY_STEP = 0.1
BODY_MAX_SCORE = 0.9

_WORD_CHAR = r"A-Za-z0-9_"


def is_case_sensitive(alias: str) -> bool:
    """Return True if ``alias`` must match with its exact case (short, has a digit, or starts lower-then-upper)."""
    stripped = alias.strip()
    letters = [c for c in stripped if c.isalpha()]
    if len(stripped) <= 4 or any(c.isdigit() for c in stripped):
        return True
    return bool(letters) and letters[0].islower() and any(c.isupper() for c in letters[1:])


@lru_cache(maxsize=4096)
def alias_pattern(alias: str) -> re.Pattern[str] | None:
    """Compile the word-boundary regex for one alias (None for an empty alias)."""
    stripped = alias.strip()
    exact = stripped.startswith("=")
    stripped = stripped.removeprefix("=").strip()
    if not stripped:
        return None
    body = r"\s+".join(re.escape(part) for part in stripped.split())
    flags = 0 if exact or is_case_sensitive(stripped) else re.IGNORECASE
    return re.compile(rf"(?<![{_WORD_CHAR}]){body}(?![{_WORD_CHAR}])", flags)


def _spans(text: str, aliases: Sequence[str]) -> list[tuple[int, int]]:
    """Return the merged (non-overlapping) spans where any alias occurs in ``text``."""
    found: list[tuple[int, int]] = []
    for alias in aliases:
        pattern = alias_pattern(alias)
        if pattern is None:
            continue
        found.extend(m.span() for m in pattern.finditer(text))
    found.sort()
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def match_providers(title: str, text: str, providers: Mapping[str, Sequence[str]]) -> list[ProviderMention]:
    """Return the providers named in ``title``/``text``, best first.

    ``providers`` maps a provider id to its aliases (the display name should be one of them; the id itself is
    not matched unless listed). Title mentions score 1.0; body-only mentions score less (see module doc).
    Ties are broken by earliest mention, then id.
    """
    results: list[tuple[float, int, str, ProviderMention]] = []
    for provider_id, aliases in providers.items():
        alias_list = [aliases] if isinstance(aliases, str) else list(aliases)
        title_spans = _spans(title or "", alias_list)
        body_spans = _spans(text or "", alias_list)
        if title_spans:
            mention = ProviderMention(provider_id, TITLE_SCORE, True)
            first = title_spans[0][0]
        elif body_spans:
            score = min(BODY_MAX_SCORE, BODY_BASE_SCORE + BODY_STEP * (len(body_spans) - 1))
            mention = ProviderMention(provider_id, round(score, 4), False)
            first = len(title or "") + 1 + body_spans[0][0]
        else:
            continue
        results.append((-mention.score, first, provider_id, mention))
    results.sort(key=lambda r: (r[0], r[1], r[2]))
    return [r[3] for r in results]
