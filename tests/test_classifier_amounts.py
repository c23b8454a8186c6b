"""Money amount extraction: formats, currencies, kinds and absurd inputs."""

from __future__ import annotations

import pytest

from classifiers.amounts import MAX_PLAUSIBLE_USD, USD_PER_UNIT, extract_amounts, extract_article_amounts


def one(text: str):
    """Extract exactly one amount from ``text``."""
    found = extract_amounts(text)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "usd", "currency", "span"),
    [
        ("OpenAI raised $6.4 billion", 6.4e9, "USD", "$6.4 billion"),
        ("a loan of EUR 500M from banks", 500e6 * USD_PER_UNIT["EUR"], "EUR", "EUR 500M"),
        ("Mistral lands €500 million", 500e6 * USD_PER_UNIT["EUR"], "EUR", "€500 million"),
        ("it burns 1.5bn dollars a year", 1.5e9, "USD", "1.5bn dollars"),
        ("valued at £2bn", 2e9 * USD_PER_UNIT["GBP"], "GBP", "£2bn"),
        ("Sakana raised ¥20 billion", 20e9 * USD_PER_UNIT["JPY"], "JPY", "¥20 billion"),
        ("a 2 billion yuan round", 2e9 * USD_PER_UNIT["CNY"], "CNY", "2 billion yuan"),
        ("C$50 million from the province", 50e6 * USD_PER_UNIT["CAD"], "CAD", "C$50 million"),
        ("Krutrim raised ₹500 crore", 500e7 * USD_PER_UNIT["INR"], "INR", "₹500 crore"),
        ("revenue of $1,250,000.50", 1250000.5, "USD", "$1,250,000.50"),
        ("ARR hit $1.2B", 1.2e9, "USD", "$1.2B"),
        ("a $400M facility", 400e6, "USD", "$400M"),
        ("US$2bn credit line", 2e9, "USD", "US$2bn"),
    ],
)
def test_formats_and_currencies(text: str, usd: float, currency: str, span: str) -> None:
    amount = one(text)
    assert amount.value_usd == pytest.approx(usd)
    assert amount.currency == currency
    assert amount.text == span


@pytest.mark.parametrize(
    ("text", "usd", "span"),
    [
        ("GPT-5 costs $20 per million tokens", 20.0, "$20 per million tokens"),
        ("input is $3.00 / 1M tokens now", 3.0, "$3.00 / 1M tokens"),
        ("just $0.25/M tokens", 0.25, "$0.25/M tokens"),
        ("$15 per million output tokens", 15.0, "$15 per million output tokens"),
    ],
)
def test_per_token_prices_are_kind_price(text: str, usd: float, span: str) -> None:
    amount = one(text)
    assert amount.kind == "price"
    assert amount.value_usd == pytest.approx(usd)
    assert amount.text == span


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("The startup raised $300 million in a Series C.", "raise"),
        ("It lost $5 billion last year.", "loss"),
        ("The lab is burning $1 billion a month.", "loss"),
        ("Annualized revenue passed $2 billion.", "revenue"),
        ("ARR reached $400 million.", "revenue"),
        ("The company is now valued at $40 billion.", "valuation"),
        ("It took a $2 billion loan from banks.", "debt"),
        ("A new $750 million credit facility was signed.", "debt"),
        ("It agreed to pay $10 million for the domain.", None),
    ],
)
def test_kind_from_sentence_words(text: str, kind: str | None) -> None:
    assert one(text).kind == kind


def test_nearest_kind_word_wins_for_two_amounts() -> None:
    found = extract_amounts("Anthropic raised $13 billion at a $183 billion valuation.")
    assert [(a.value_usd, a.kind) for a in found] == [(13e9, "raise"), (183e9, "valuation")]


def test_kind_does_not_leak_across_sentences() -> None:
    found = extract_amounts("It raised money last year. Separately, it paid $5 million in fees.")
    assert found[0].kind is None


def test_range_keeps_low_end() -> None:
    amount = one("seeking $5-6 billion in new funding")
    assert amount.value_usd == 5e9
    assert amount.text == "$5-6 billion"


@pytest.mark.parametrize(
    "text",
    [
        "$999999999999 trillion",
        "$" + "9" * 400,
        "€" + "9" * 18 + " trillion",
        f"${MAX_PLAUSIBLE_USD * 10:.0f}",
    ],
)
def test_absurd_amounts_are_dropped_not_crashing(text: str) -> None:
    assert extract_amounts(text) == []


def test_no_currency_means_no_amount() -> None:
    assert extract_amounts("The 2024 model has 405 billion parameters and a 1M token context") == []
    assert extract_amounts("") == []
    assert extract_amounts("taxAI 3M") == []


def test_single_letter_multiplier_must_be_glued() -> None:
    assert one("it costs $5 more").value_usd == 5.0


def test_article_amounts_deduplicate_title_and_body() -> None:
    found = extract_article_amounts("xAI raises $6bn", "xAI has raised $6 billion from investors.")
    assert len(found) == 1
    assert found[0].value_usd == 6e9


def test_rates_are_positive_and_usd_is_one() -> None:
    assert USD_PER_UNIT["USD"] == 1.0
    assert {"EUR", "GBP", "JPY", "CNY", "CAD", "INR"} <= set(USD_PER_UNIT)
    assert all(rate > 0 for rate in USD_PER_UNIT.values())


def test_old_price_next_to_per_token_price_is_a_price() -> None:
    found = extract_amounts("Grok now costs $2 per million tokens, down from $4. It raised $6 billion.")
    assert [(a.value_usd, a.kind) for a in found] == [(2.0, "price"), (4.0, "price"), (6e9, "raise")]
