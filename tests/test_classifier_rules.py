"""Taxonomy, direction rules and the keyword baseline."""

from __future__ import annotations

import pytest

from classifiers.direction import direction_for, funding_direction, pricing_direction
from classifiers.keywords import KEYWORD_RULES, KeywordClassifier, keyword_scores
from classifiers.taxonomy import EFFECTS, NONE, TAG_NAMES, TAGS, UnknownTagError, tag_info
from classifiers.types import ArticleText, TagScore


def test_taxonomy_has_the_twelve_tags() -> None:
    assert TAG_NAMES == (
        "funding_raise", "debt_financing", "losses_burn", "revenue_growth", "layoffs", "leadership_change",
        "compute_deal", "api_pricing", "deprecation", "outage", "m_and_a", "legal_regulatory",
    )
    assert NONE == "none" and NONE not in TAG_NAMES
    assert all(t.effect in EFFECTS and t.description for t in TAGS)
    assert tag_info("outage").effect == "raises"
    assert tag_info("api_pricing").effect == "depends"


def test_unknown_tag_is_a_key_error() -> None:
    with pytest.raises(UnknownTagError):
        tag_info("none")
    with pytest.raises(KeyError):
        tag_info("weather")


def test_keyword_rules_tolerate_missing_tags(monkeypatch: pytest.MonkeyPatch) -> None:
    import classifiers.keywords as kw

    monkeypatch.setattr(kw, "TAG_NAMES", (*TAG_NAMES, "brand_new_tag"))
    scores = keyword_scores("Anything at all", "")
    assert scores["brand_new_tag"] == 0.0
    assert set(KEYWORD_RULES) <= set(TAG_NAMES)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("OpenAI cuts GPT-4o prices by 50%", "down"),
        ("DeepSeek slashes V3 API prices, sparking price war", "down"),
        ("Anthropic raises Claude API prices", "up"),
        ("Anthropic raises prices of Claude 3.5 Haiku fourfold", "up"),
        ("xAI tightens rate limits for Grok API", "up"),
        ("Google raises rate limits for Gemini", "down"),
        ("Price: $3.00 -> $2.50 per 1M tokens", "down"),
        ("Mistral makes its API cheaper", "down"),
        ("Cohere ends free API tier", "up"),
        ("OpenAI raises the context window", None),
        ("", None),
    ],
)
def test_pricing_direction(text: str, expected: str | None) -> None:
    assert pricing_direction(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mistral raises $600M Series B", "in"),
        ("Inflection secures $1.3 billion in funding led by Microsoft", "in"),
        ("CoreWeave borrows $2 billion from lenders", "in"),
        ("SoftBank pulls out of Stability AI round", "out"),
        ("Talks for Character.AI funding collapse", "out"),
        ("Investor sells its stake in the lab", "out"),
        ("Apple walks away from the lab's funding round", "out"),
        ("The chip start-up is raising at a valuation below its 2021 mark", "out"),
        ("Fund marks down its stake by 17%", "out"),
        ("The $50 billion round is in jeopardy after founders quit", "out"),
        ("Carmaker stops funding its robotaxi unit", "out"),
        ("The cloud slashes its IPO valuation to $23B from $32B", "out"),
        ("Lenders called a default after accounts were restated", "out"),
        ("Perplexity nears $500m raise at $14bn, led by Accel", "in"),
        ("Perplexity launches a browser", None),
    ],
)
def test_funding_direction(text: str, expected: str | None) -> None:
    assert funding_direction(text) == expected


def test_direction_for_prefers_pricing_then_funding() -> None:
    title = "xAI raises $6 billion and cuts API prices"
    assert direction_for(["api_pricing", "funding_raise"], title, "") == "down"
    assert direction_for([TagScore("funding_raise", 0.9)], title, "") == "in"
    assert direction_for(["outage"], title, "") is None
    assert direction_for([], title, "") is None


def test_keyword_baseline_tags_and_extracts() -> None:
    clf = KeywordClassifier({"openai": ["OpenAI"], "xai": ["xAI"]})
    results = clf.classify(
        [
            ArticleText("1", "OpenAI raises $6.6 billion at $157 billion valuation", "Led by Thrive Capital."),
            ArticleText("2", "taxAI launches a product", "XAIDEN too."),
            ArticleText("3", "xAI API down for hours", "Elevated error rates on the status page."),
        ]
    )
    assert [r.id for r in results] == ["1", "2", "3"]
    assert results[0].tags[0].tag == "funding_raise"
    assert [a.kind for a in results[0].amounts] == ["raise", "valuation"]
    assert results[0].providers[0].provider == "openai"
    assert results[1].tags == [] and results[1].providers == []
    assert "outage" in [t.tag for t in results[2].tags]
    assert all(r.model_version == clf.version and r.model_version.startswith("keyword-2+") for r in results)
