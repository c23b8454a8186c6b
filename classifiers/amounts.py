"""Extract money amounts from article text and convert them to US dollars.

Recognised forms (case-insensitive unless noted):

* symbol or code before the number: ``$6.4 billion``, ``US$2bn``, ``€500 million``, ``£2bn``, ``¥10 billion``,
  ``₹500 crore``, ``EUR 500M``, ``USD 1.2 billion``, ``C$50 million``, ``HK$3bn``;
* currency word or code after the number: ``1.5bn dollars``, ``500 million euros``, ``2 billion yuan``,
  ``300m USD``;
* multipliers: ``thousand``/``k``, ``million``/``mn``/``mln``/``m``, ``billion``/``bn``/``bln``/``b``,
  ``trillion``/``tn``/``t``, ``lakh`` (1e5) and ``crore`` (1e7); single-letter multipliers must be glued to the
  number (``$400M``);
* ranges ``$5-6 billion`` / ``$5 to $6 billion``: the low end is kept (the text keeps the whole range);
* per-token prices: ``$20 per million tokens``, ``$3.00 / 1M tokens``, ``$0.25 per 1M input tokens``: kind
  ``price``, and ``value_usd`` is the stated price per the stated unit (not normalised).

Conversion uses the fixed rates in :data:`USD_PER_UNIT` (approximate 2024 averages; good enough to rank
amounts, not for accounting). Amounts above :data:`MAX_PLAUSIBLE_USD` (or not finite) are *dropped*, never
clamped: ``$999999999999 trillion`` is a typo or a joke, and a clamped number would look real. A number is read
whole or not at all: ``$1e308``, ``$`` followed by 10,000 digits or ``$1.1234567`` (more than 18 digits or 6
decimals) give no amount rather than a piece of one; signs are not part of an amount (``€-5 billion`` is none).

The ``kind`` comes from the nearest kind word in the same sentence (see :data:`KIND_WORDS`); a per-token unit
always means ``price``, and a small amount without a kind next to a per-token price in the same sentence
(``$2 per million tokens, down from $4``) is a price too.
"""

from __future__ import annotations

import math
import re

from classifiers.types import Amount

USD_PER_UNIT: dict[str, float] = {
    "USD": 1.0,
    "EUR": 1.08,
    "GBP": 1.27,
    "JPY": 0.0067,
    "CNY": 0.138,
    "CAD": 0.73,
    "INR": 0.012,
    "AUD": 0.66,
    "CHF": 1.13,
    "KRW": 0.00075,
    "HKD": 0.128,
    "SGD": 0.74,
    "SEK": 0.095,
    "NZD": 0.61,
}
"""Fixed conversion rates: US dollars per one unit of each currency."""

MAX_PLAUSIBLE_USD = 1e14
"""Amounts above $100 trillion (about world GDP) are dropped as absurd."""

PRICE_PROPAGATION_MAX_USD = 1000.0
"""A kind-less amount below this, in the same sentence as a per-token price, is taken as a price too."""

MULTIPLIERS: dict[str, float] = {
    "thousand": 1e3,
    "k": 1e3,
    "lakh": 1e5,
    "million": 1e6,
    "mn": 1e6,
    "mln": 1e6,
    "m": 1e6,
    "crore": 1e7,
    "billion": 1e9,
    "bn": 1e9,
    "bln": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
    "t": 1e12,
}

_SYMBOLS: dict[str, str] = {
    "us$": "USD",
    "c$": "CAD",
    "ca$": "CAD",
    "a$": "AUD",
    "au$": "AUD",
    "hk$": "HKD",
    "s$": "SGD",
    "nz$": "NZD",
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
    "₩": "KRW",
    "rs": "INR",
    "rs.": "INR",
}

_WORDS: dict[str, str] = {
    "dollar": "USD",
    "dollars": "USD",
    "us dollars": "USD",
    "euro": "EUR",
    "euros": "EUR",
    "pound": "GBP",
    "pounds": "GBP",
    "pounds sterling": "GBP",
    "yen": "JPY",
    "yuan": "CNY",
    "renminbi": "CNY",
    "rmb": "CNY",
    "rupee": "INR",
    "rupees": "INR",
    "won": "KRW",
    "francs": "CHF",
    "swiss francs": "CHF",
    "kronor": "SEK",
}

_CODES = "|".join(sorted(set(USD_PER_UNIT) | {"RMB"}, key=len, reverse=True))
_SYMBOL_RE = r"US\$|CA\$|AU\$|HK\$|NZ\$|C\$|A\$|S\$|\$|€|£|¥|₹|₩|Rs\.?"
_NUM = r"\d{1,3}(?:,\d{3}){1,6}(?:\.\d{1,6})?|\d{1,18}(?:\.\d{1,6})?|\.\d{1,6}"
_MULT_WORD = r"trillion|billion|million|thousand|crore|lakh|bln|mln|bn|mn|tn"
_MULT = rf"(?:\s?(?P<multw>{_MULT_WORD})(?![A-Za-z])|(?P<mult1>[kKmMbBtT])(?![A-Za-z0-9]))"
_UNIT = (
    r"(?P<unit>\s*(?:/|per|a|for\s+every|for\s+each)\s*"
    r"(?:(?:1|one)\s*)?(?:(?:million|mn|m|thousand|k|1,000|1000|1,000,000|1000000)\s*)?"
    r"(?:(?:input|output|prompt|completion|cached|cached\s+input)\s+)?tokens?\b)"
)
_WORD_CUR = r"us\s+dollars|pounds\s+sterling|swiss\s+francs|dollars?|euros?|pounds?|yen|yuan|renminbi|rupees?|won|francs|kronor"

_NUM_END = r"(?!\.?\d|,\d|[eE][-+]?\d)"  # the whole number or nothing: never "$1" out of "$1e308" or "$1,23456"
_PREFIX_RE = re.compile(
    rf"(?:(?<![A-Za-z0-9])(?P<sym>{_SYMBOL_RE})\s?|(?<![A-Za-z])(?P<code>{_CODES})\s?)"
    rf"(?P<num>{_NUM}){_NUM_END}"
    rf"(?:\s?(?:-|–|to)\s?(?:{_SYMBOL_RE})?(?P<num2>{_NUM}))?"
    rf"{_MULT}?"
    rf"(?:{_UNIT})?",
    re.IGNORECASE,
)
_SUFFIX_RE = re.compile(
    rf"(?<![A-Za-z0-9.,$€£¥])(?P<num>{_NUM})"
    rf"(?:\s?(?:-|–|to)\s?(?P<num2>{_NUM}))?"
    rf"{_MULT}?\s?"
    rf"(?:(?P<word>{_WORD_CUR})|(?P<code>{_CODES}))(?![A-Za-z])"
    rf"(?:{_UNIT})?",
    re.IGNORECASE,
)

KIND_WORDS: dict[str, tuple[str, ...]] = {
    "raise": (
        "raise", "raises", "raised", "raising", "funding", "round", "fundraise", "fundraising", "series",
        "investment", "invest", "invests", "invested", "investing", "backing", "seed", "tender",
    ),
    "loss": (
        "loss", "losses", "lost", "lose", "loses", "losing", "burn", "burns", "burned", "burnt", "burning",
        "deficit", "shortfall", "cash-burn",
    ),
    "revenue": (
        "revenue", "revenues", "arr", "annualized", "annualised", "sales", "run-rate", "bookings", "turnover",
    ),
    "valuation": ("valuation", "valued", "valuing", "worth", "post-money", "pre-money"),
    "price": ("token", "tokens"),
    "debt": (
        "loan", "loans", "debt", "credit", "borrow", "borrows", "borrowed", "borrowing", "bond", "bonds",
        "notes", "facility", "lenders", "lender", "convertible",
    ),
}
"""Words that give an amount its kind; the nearest one in the same sentence wins."""

_KIND_BY_WORD: dict[str, str] = {w: kind for kind, words in KIND_WORDS.items() for w in words}
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z-]*")
_SENTENCE_END = re.compile(r"[.!?;](?=\s)|\n")


def _to_float(num: str) -> float:
    """Parse a matched number (commas as thousands separators)."""
    return float(num.replace(",", ""))


def _currency(match: re.Match[str]) -> str:
    """Return the ISO code of a match's currency."""
    groups = match.groupdict()
    if groups.get("sym"):
        return _SYMBOLS[groups["sym"].lower()]
    if groups.get("code"):
        code = groups["code"].upper()
        return "CNY" if code == "RMB" else code
    word = re.sub(r"\s+", " ", groups.get("word") or "").lower()
    return _WORDS.get(word, "USD")


def _multiplier(match: re.Match[str]) -> float:
    """Return a match's multiplier (1.0 when none)."""
    word = match.group("multw")
    if word:
        return MULTIPLIERS[word.lower()]
    letter = match.group("mult1")
    if letter:
        return MULTIPLIERS[letter.lower()]
    return 1.0


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Return the bounds of the sentence around ``text[start:end]``."""
    left = 0
    for m in _SENTENCE_END.finditer(text, 0, start):
        left = m.end()
    m2 = _SENTENCE_END.search(text, end)
    right = m2.start() if m2 else len(text)
    return left, right


def _kind(text: str, span: tuple[int, int], unit: bool, neighbours: list[tuple[int, int]]) -> str | None:
    """Return the kind of the amount at ``span``: nearest kind word, not crossing another amount."""
    if unit:
        return "price"
    left, right = _sentence_bounds(text, *span)
    for other_start, other_end in neighbours:
        if other_end <= span[0]:
            left = max(left, other_end)
        elif other_start >= span[1]:
            right = min(right, other_start)
    best: tuple[int, str] | None = None
    for m in _WORD_RE.finditer(text, left, right):
        if span[0] <= m.start() < span[1]:
            continue
        kind = _KIND_BY_WORD.get(m.group(0).lower())
        if kind is None:
            continue
        if m.start() >= span[1]:
            distance = m.start() - span[1]
        else:
            # A word before the amount counts slightly further than one right after ("$2bn valuation").
            distance = span[0] - m.end() + 1
        if best is None or distance < best[0]:
            best = (distance, kind)
    return best[1] if best else None


def extract_amounts(text: str) -> list[Amount]:
    """Return the money amounts in ``text`` in order of appearance, converted to USD with a kind.

    Never raises on odd input: absurd or non-finite amounts are dropped (see module doc).
    """
    if not text:
        return []
    candidates: list[re.Match[str]] = list(_PREFIX_RE.finditer(text)) + list(_SUFFIX_RE.finditer(text))
    candidates.sort(key=lambda m: (m.start(), -(m.end() - m.start())))
    chosen: list[re.Match[str]] = []
    for m in candidates:
        if chosen and m.start() < chosen[-1].end():
            continue
        chosen.append(m)
    spans = [m.span() for m in chosen]
    amounts: list[Amount] = []
    sentences: list[tuple[int, int]] = []
    for i, m in enumerate(chosen):
        try:
            value = _to_float(m.group("num")) * _multiplier(m)
        except (ValueError, OverflowError):
            continue
        currency = _currency(m)
        value_usd = value * USD_PER_UNIT.get(currency, 1.0)
        if not math.isfinite(value_usd) or value_usd > MAX_PLAUSIBLE_USD or value_usd <= 0:
            continue
        neighbours = spans[:i] + spans[i + 1 :]
        kind = _kind(text, m.span(), bool(m.group("unit")), neighbours)
        amounts.append(Amount(round(value_usd, 6), kind, m.group(0).strip(), currency))
        sentences.append(_sentence_bounds(text, *m.span()))
    return _propagate_price(amounts, sentences)


def _propagate_price(amounts: list[Amount], sentences: list[tuple[int, int]]) -> list[Amount]:
    """Mark small kind-less amounts as prices when a per-token price sits in the same sentence.

    ("$2 per million tokens, down from $4": the $4 is the old price.)
    """
    priced = {sentences[i] for i, a in enumerate(amounts) if a.kind == "price"}
    return [
        Amount(a.value_usd, "price", a.text, a.currency)
        if a.kind is None and sentences[i] in priced and a.value_usd < PRICE_PROPAGATION_MAX_USD
        else a
        for i, a in enumerate(amounts)
    ]


def extract_article_amounts(title: str, text: str) -> list[Amount]:
    """Return the amounts of an article: body amounts, plus title amounts not repeated in the body."""
    body = extract_amounts(text or "")
    seen = {(a.value_usd, a.currency) for a in body}
    head = [a for a in extract_amounts(title or "") if (a.value_usd, a.currency) not in seen]
    return head + body
