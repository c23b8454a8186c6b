"""Find every organisation named in a text with one combined regular expression per case mode.

Names follow the rules of :mod:`classifiers.providers` (word boundaries; short, digit-bearing and lower-then-upper
names match case-sensitively, the others case-insensitively; whitespace inside a name matches any run of
whitespace; a name written ``=Name`` matches only with exactly that case). Where two names overlap, the longer wins ("Claude Code" over "Claude"), and one place in the text
counts for one organisation only. With a catalogue of about 200 organisations and 1,000 names, two compiled
alternations scan a text once instead of running a thousand searches.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from classifiers.providers import is_case_sensitive

_WORD = r"A-Za-z0-9_"
EXACT = "="
"""A name starting with this character is matched with exactly its case, whatever its length."""


@dataclass(frozen=True)
class Hit:
    """One place where an organisation is named: ``org`` id and the character span."""

    org: str
    start: int
    end: int


def _key(name: str, sensitive: bool) -> str:
    flat = " ".join(name.split())
    return flat if sensitive else flat.lower()


def _alternation(names: Sequence[str], flags: int) -> re.Pattern[str] | None:
    if not names:
        return None
    parts = [r"\s+".join(re.escape(p) for p in n.split()) for n in sorted(names, key=lambda n: (-len(n), n))]
    return re.compile(rf"(?<![{_WORD}])(?:{'|'.join(parts)})(?![{_WORD}])", flags)


class OrgMatcher:
    """Finds the organisations of a fixed id -> names mapping in texts."""

    def __init__(self, names_by_org: Mapping[str, Sequence[str]]) -> None:
        """Compile the mapping; a name claimed by two organisations stays with the first."""
        self.lookup: dict[tuple[bool, str], str] = {}
        sensitive: list[str] = []
        insensitive: list[str] = []
        for org_id, names in names_by_org.items():
            for raw in [names] if isinstance(names, str) else names:
                name = " ".join(str(raw).split())
                exact = name.startswith(EXACT)
                name = name.removeprefix(EXACT).strip()
                if not name:
                    continue
                case = exact or is_case_sensitive(name)
                key = (case, _key(name, case))
                if key in self.lookup:
                    continue
                self.lookup[key] = org_id
                (sensitive if case else insensitive).append(name)
        self.patterns = [
            (True, _alternation(sensitive, 0)),
            (False, _alternation(insensitive, re.IGNORECASE)),
        ]

    def find(self, text: str) -> list[Hit]:
        """Every non-overlapping place an organisation is named in ``text``, in text order."""
        if not text:
            return []
        hits: list[Hit] = []
        for case, pattern in self.patterns:
            if pattern is None:
                continue
            for m in pattern.finditer(text):
                org = self.lookup.get((case, _key(m.group(0), case)))
                if org is not None:
                    hits.append(Hit(org, m.start(), m.end()))
        hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
        kept: list[Hit] = []
        for h in hits:
            if kept and h.start < kept[-1].end:
                continue
            kept.append(h)
        return kept


@lru_cache(maxsize=8)
def _cached(items: tuple[tuple[str, tuple[str, ...]], ...]) -> OrgMatcher:
    return OrgMatcher(dict(items))


def matcher_for(names_by_org: Mapping[str, Sequence[str]]) -> OrgMatcher:
    """The :class:`OrgMatcher` for ``names_by_org``, compiled once per distinct mapping."""
    items = tuple((k, (v,) if isinstance(v, str) else tuple(v)) for k, v in names_by_org.items())
    return _cached(items)
