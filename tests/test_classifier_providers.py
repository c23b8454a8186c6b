"""Provider matching: word boundaries, case rules, possessives, title vs body scores."""

from __future__ import annotations

from classifiers.providers import BODY_MAX_SCORE, is_case_sensitive, match_providers

PROVIDERS = {
    "xai": ["xAI", "Grok"],
    "openai": ["OpenAI", "ChatGPT"],
    "anthropic": ["Anthropic", "Claude"],
    "ai21": ["AI21 Labs", "AI21"],
    "stability": ["Stability AI"],
    "character": ["Character.AI"],
}


def ids(title: str, text: str = "") -> list[str]:
    """Matched provider ids for a title and body."""
    return [m.provider for m in match_providers(title, text, PROVIDERS)]


def test_xai_is_not_matched_inside_words() -> None:
    assert ids("taxAI launches a tax assistant") == []
    assert ids("XAIDEN raises seed round") == []
    assert ids("Relaxai is a new app") == []


def test_xai_short_mixed_case_is_case_sensitive() -> None:
    assert ids("XAI methods explain model decisions") == []
    assert ids("xai is lowercase here") == []
    assert ids("xAI raises $6 billion") == ["xai"]


def test_possessives_and_punctuation_match() -> None:
    assert ids("OpenAI's revenue doubles") == ["openai"]
    assert ids("OpenAI’s board meets") == ["openai"]
    assert ids("xAI's Grok goes down") == ["xai"]
    assert ids("(xAI) said") == ["xai"]
    assert ids("xAI-backed startup") == ["xai"]


def test_normal_words_match_case_insensitively() -> None:
    assert ids("ANTHROPIC CUTS PRICES") == ["anthropic"]
    assert ids("openai and anthropic") == ["openai", "anthropic"]


def test_case_rules() -> None:
    assert is_case_sensitive("xAI")
    assert is_case_sensitive("AI21")
    assert is_case_sensitive("Grok")
    assert not is_case_sensitive("Anthropic")
    assert not is_case_sensitive("Stability AI")


def test_ai21_alias_with_digits() -> None:
    assert ids("AI21 unveils Jamba") == ["ai21"]
    assert ids("ai21 lowercase") == []
    assert ids("AI21Labs") == []
    assert ids("AI21 Labs raises money") == ["ai21"]


def test_multiword_and_dotted_aliases() -> None:
    assert ids("Stability  AI shuts down service") == ["stability"]
    assert ids("Character.AI hires") == ["character"]
    assert ids("CharacterXAI") == []


def test_title_mention_is_subject_and_ranked_first() -> None:
    found = match_providers("Anthropic cuts prices", "The move follows OpenAI. OpenAI and ChatGPT...", PROVIDERS)
    assert [m.provider for m in found] == ["anthropic", "openai"]
    assert found[0].score == 1.0 and found[0].in_title
    assert 0 < found[1].score < 1.0 and not found[1].in_title


def test_body_score_grows_with_mentions_but_stays_below_one() -> None:
    once = match_providers("News", "OpenAI said.", PROVIDERS)[0].score
    thrice = match_providers("News", "OpenAI said. OpenAI added. ChatGPT is down.", PROVIDERS)[0].score
    many = match_providers("News", " ".join(["OpenAI said."] * 50), PROVIDERS)[0].score
    assert once < thrice <= many == BODY_MAX_SCORE < 1.0


def test_sorted_by_score_then_first_mention() -> None:
    found = match_providers("Claude and ChatGPT compared", "xAI too.", PROVIDERS)
    assert [m.provider for m in found] == ["anthropic", "openai", "xai"]


def test_string_alias_and_empty_inputs() -> None:
    assert match_providers("", "", PROVIDERS) == []
    assert [m.provider for m in match_providers("Groq is fast", "", {"groq": "Groq"})] == ["groq"]
    assert match_providers("anything", "", {"empty": ["", "  "]}) == []
