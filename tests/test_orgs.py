"""Organisations: the bundled catalogue, name matching, model-to-maker resolution on the real price lists,
subject-versus-mention attribution, and upstream links of third-party status incidents."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from crawl_support import STATUS, make_config, source_toml
from pytest_httpserver import HTTPServer

from classifiers.annotate import annotate, attributor_for, organisations, subject_model
from classifiers.orgs.catalogue import KINDS, load_catalogue
from classifiers.orgs.matcher import OrgMatcher
from classifiers.orgs.models import ModelResolver
from classifiers.orgs.subjects import unknown_lead
from classifiers.types import ArticleText, TagScore
from monitor.crawl import crawl_sources
from monitor.crawl.prices import diff_prices, parse_json_catalogue
from storage.store import Store

PRICES = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "prices"
CATALOGUE = load_catalogue()
NAMES = {o.id: o.names for o in CATALOGUE.values() if o.names}
ATTRIBUTOR = attributor_for(NAMES)


def test_catalogue_has_the_organisations_a_user_expects() -> None:
    assert len(CATALOGUE) >= 80
    kinds = Counter(o.kind for o in CATALOGUE.values())
    assert set(kinds) <= set(KINDS)
    for kind in ("lab", "open-lab", "platform", "cloud", "hyperscaler", "chips"):
        assert kinds[kind] >= 5, kind
    for org_id in ("openai", "anthropic", "xai", "deepseek", "mistral", "moonshot", "zhipu", "stability", "perplexity",
                   "cursor", "groq", "cerebras", "crusoe", "nebius", "fireworks", "scale-ai", "inflection", "coreweave",
                   "nvidia", "tsmc"):
        assert org_id in CATALOGUE, org_id
    owners: dict[str, str] = {}
    for org in CATALOGUE.values():
        for value in (*org.litellm_providers, *org.resells, *org.openrouter_vendors):
            assert owners.setdefault(value, org.id) == org.id, f"{value} claimed by {owners[value]} and {org.id}"
    assert CATALOGUE["openai"].status_page.startswith("https://")


def test_matcher_case_rules_and_longest_name() -> None:
    m = OrgMatcher({"anthropic": ("Anthropic", "Claude", "Claude Code"), "runway": ("=Runway", "Runway ML"),
                    "xai": ("xAI", "Grok")})
    text = "Claude Code usage doubles at ANTHROPIC; Runway raises as taxAI and the runway shrink"
    hits = m.find(text)
    assert [(h.org, h.start) for h in hits] == [("anthropic", 0), ("anthropic", text.index("ANTHROPIC")),
                                                ("runway", text.index("Runway"))]
    assert m.find("Claude Code")[0].end == len("Claude Code")  # the longer name wins
    assert m.find("the runway is short") == []


@pytest.mark.parametrize(
    ("model", "litellm", "maker", "seller"),
    [
        ("azure/o3", "azure", "openai", "microsoft"),
        ("bedrock/us-east-1/meta.llama3-8b-instruct-v1:0", "bedrock", "meta", "amazon"),
        ("us.anthropic.claude-3-7-sonnet-20250219-v1:0", "bedrock_converse", "anthropic", "amazon"),
        ("vertex_ai/claude-3-5-haiku", "vertex_ai-anthropic_models", "anthropic", "google"),
        ("vertex_ai/mistral-large@2407", "vertex_ai-mistral_models", "mistral", "google"),
        ("vertex_ai/meta/llama-4-scout-17b-16e-instruct-maas", "vertex_ai-llama_models", "meta", "google"),
        ("openrouter/x-ai/grok-4", "openrouter", "xai", "openrouter"),
        ("x-ai/grok-4.6", None, "xai", None),
        ("mistralai/mistral-large", None, "mistral", None),
        ("meta-llama/llama-3.3-70b-instruct", None, "meta", None),
        ("deepseek/deepseek-v4-pro", None, "deepseek", None),
        ("qwen/qwen3-max", None, "alibaba", None),
        ("fireworks_ai/accounts/fireworks/models/deepseek-r1", "fireworks_ai", "deepseek", "fireworks"),
        ("gpt-5.1", "openai", "openai", None),
        ("nvidia/llama-3.1-nemotron-70b-instruct", None, "nvidia", None),
    ],
)
def test_model_maker_and_seller(model: str, litellm: str | None, maker: str, seller: str | None) -> None:
    owner = ModelResolver(CATALOGUE).resolve(model, litellm)
    assert (owner.maker, owner.seller) == (maker, seller)


def _catalogue(name: str) -> dict[str, object]:
    path = PRICES / name
    if not path.is_file():
        pytest.skip(f"real price list {path} not present (it lives in ../shared/corpus beside the repository)")
    return json.loads(path.read_text(encoding="utf-8"))


def test_every_real_litellm_price_change_has_its_maker() -> None:
    """The two real LiteLLM catalogues a year apart: every price rise or cut is credited to a maker."""
    from monitor.config import PriceFields

    fields = PriceFields()
    before = parse_json_catalogue(_catalogue("litellm_model_prices_2025-05-31.json"), fields)
    after = parse_json_catalogue(_catalogue("litellm_model_prices_2026-07-24.json"), fields)
    resolver = ModelResolver(CATALOGUE)
    changes = [c for c in diff_prices(before, after) if c.direction in ("up", "down")]
    assert len(changes) >= 50
    unattributed = {c.model for c in changes if resolver.resolve(c.model, c.provider).maker is None}
    assert unattributed <= {"deepinfra/Gryphe/MythoMax-L2-13b"}  # a community fine-tune: no catalogue maker
    o3 = [c for c in changes if c.model == "azure/o3"]
    assert o3 and all(resolver.resolve(c.model, c.provider).maker == "openai" for c in o3)
    removed = [c for c in diff_prices(before, after) if c.direction == "removed"]
    assert sum(resolver.resolve(c.model, c.provider).maker is None for c in removed) <= len(removed) // 20


def test_openrouter_vendors_resolve() -> None:
    models = _catalogue("openrouter_api_v1_models_2026-08-18.json")["data"]
    assert isinstance(models, list)
    resolver = ModelResolver(CATALOGUE)
    unknown = Counter(m["id"].split("/")[0] for m in models if resolver.resolve(m["id"]).maker is None)
    # community fine-tuners and OpenRouter's own routers are not organisations capwatch watches
    assert set(unknown) <= {"openrouter", "thedrummer", "sao10k", "anthracite-org", "gryphe", "undi95", "hexgrad",
                            "nex-agi", "dots-studio", "alpindale", "neversleep", "raifle", "eva-unit-01", "mancer"}


def _roles(title: str, text: str, tags: list[str]) -> dict[str, tuple[bool, str]]:
    found = organisations(ArticleText("1", title, text), tags, ATTRIBUTOR)
    return {m.provider: (m.subject, m.role) for m in found}


def test_money_from_a_into_b_is_bs_event() -> None:
    roles = _roles("Microsoft invests $5 billion in Anthropic",
                   "The investment values Anthropic at $350 billion, Microsoft said.", ["funding_raise"])
    assert roles["anthropic"] == (True, "investee")
    assert roles["microsoft"][0] is False


def test_acquirer_and_acquired_both_have_roles() -> None:
    roles = _roles("Nvidia acquires Groq's assets in $20 billion deal",
                   "Groq's founders join Nvidia under the licence-and-hire agreement.", ["m_and_a"])
    assert roles["groq"] == (True, "acquired")
    assert roles["nvidia"][1] == "acquirer"


def test_background_mention_is_not_a_subject() -> None:
    roles = _roles("CoreWeave lands $2.6 billion loan", "The Nvidia-backed cloud will buy GPUs; OpenAI is a customer.",
                   ["debt_financing"])
    assert roles["coreweave"][0] is True
    assert roles["nvidia"][0] is False and roles["openai"][0] is False


def test_subject_model_is_committed() -> None:
    assert subject_model().version.startswith("subject-logreg-")


SHARED_STATUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "status"


@pytest.mark.parametrize("path", [STATUS / "statuspage_githubstatus_history_2025-10-04.atom",
                                  SHARED_STATUS / "statuspage_githubstatus_history.atom"], ids=["2025", "2026"])
def test_github_status_links_models_to_their_makers(path: Path, httpserver: HTTPServer, store: Store,
                                                    tmp_path: Path) -> None:
    """GitHub's real status history: model-named incidents link to their makers as upstream (GPT -> OpenAI);
    every incident stays GitHub's own; no incident links to an organisation its title does not name."""
    if not path.is_file():
        pytest.skip(f"{path} not present (it lives in ../shared/corpus beside the repository)")
    httpserver.expect_request("/gh").respond_with_data(path.read_bytes(), content_type="application/atom+xml")
    config = make_config(tmp_path, source_toml("github-status", httpserver.url_for("/gh"), kind="status",
                                               providers=["github"]))
    crawl_sources(config, store)
    incidents = {r["id"]: r for r in store.incidents()}
    signals = store.rows("select incident_id, provider, role, provider_score from signals where incident_id is not null")
    by_incident: dict[int, list[tuple[str, str]]] = {}
    for s in signals:
        by_incident.setdefault(s["incident_id"], []).append((s["provider"], s["role"]))
    expected = {"GPT": "openai", "Claude": "anthropic", "Gemini": "google"}
    named = 0
    for i, links in by_incident.items():
        title = incidents[i]["title"]
        assert links[0] == ("github", "own"), title
        for word, maker in expected.items():
            if word in title:
                named += 1
                assert (maker, "upstream") in links, title
        for provider, role in links[1:]:
            assert role == "upstream"
            assert OrgMatcher({provider: CATALOGUE[provider].names}).find(title), (title, provider)
    assert named >= 3
    assert all(s["provider_score"] < 1 for s in signals if s["role"] == "upstream")


def test_buyer_of_an_unknown_company_is_the_acquirer() -> None:
    """'A acquires B' raises risk for B, not A, even when B is not in the catalogue: A keeps its role and gets no
    m_and_a signal (classifiers.orgs.subjects.takes_risk), but other events of the article stay A's."""
    from monitor.pipeline import signals_for

    item = ArticleText("b", "Anthropic acquires Bun as Claude Code reaches $1B milestone", "The JavaScript runtime joins.")
    tags = [TagScore("m_and_a", 0.9), TagScore("revenue_growth", 0.8)]
    result = annotate(item, tags, ATTRIBUTOR, "test")
    assert [(p.provider, p.subject, p.role) for p in result.providers] == [("anthropic", True, "acquirer")]
    signals = signals_for(result, "2025-12-02T00:00:00+00:00", ())
    assert [(s.provider, s.tag) for s in signals] == [("anthropic", "revenue_growth")]


@pytest.mark.parametrize(
    ("title", "tag", "subject", "other", "other_role"),
    [
        ("Meta pays $14.3 billion for 49% of Scale AI and hires CEO Wang", "funding_raise", "scale-ai", "meta", "investor"),
        ("Alibaba sells 80 million SenseTime shares, cutting stake below 9%", "funding_raise", "sensetime", "alibaba",
         "investor"),
        ("xAI sues Apple, alleging it conspired to shut out rivals", "legal_regulatory", "apple", "xai", "plaintiff"),
        ("Meta hires SSI's chief executive", "leadership_change", "ssi", "meta", "hirer"),
        ("Nvidia in advanced talks to buy AI21 Labs for $2.5 billion", "m_and_a", "ai21", "nvidia", "acquirer"),
    ],
)
def test_deal_phrasing_gives_roles(title: str, tag: str, subject: str, other: str, other_role: str) -> None:
    roles = _roles(title, "", [tag])
    assert roles[subject][0] is True
    assert roles[other][1] == other_role


@pytest.mark.parametrize(
    ("title", "tags", "subjects", "not_subjects"),
    [
        # the headline opens with a company the catalogue does not know, and a deal role names the subject
        ("SpaceX buys xAI, folding Grok into Musk's rocket company", ["m_and_a"], {"xai"}, set()),
        # a backer named in front of the subject, an investor in an unknown company
        ("Microsoft-backed app-building unicorn heads into insolvency", ["losses_burn"], set(), {"microsoft"}),
        ("Nvidia to invest nearly €860M in Nokia", ["funding_raise"], set(), {"nvidia"}),
        # a supplier's product bought with borrowed money is no party; in a compute deal both parties are subjects
        ("Crusoe borrows $200M from Upper90 to buy Nvidia GPUs", ["debt_financing"], {"crusoe"}, {"nvidia"}),
        ("OpenAI signs $10B+ deal for 750MW of Cerebras compute", ["compute_deal"], {"openai", "cerebras"}, set()),
        ("Intel sets aside about $1.6 billion for SambaNova", ["m_and_a"], {"sambanova"}, set()),
    ],
)
def test_subjects_when_a_party_is_unknown_or_a_product(
    title: str, tags: list[str], subjects: set[str], not_subjects: set[str]
) -> None:
    roles = _roles(title, "", tags)
    assert {org for org in subjects if roles[org][0]} == subjects, roles
    assert not {org for org in not_subjects if roles.get(org, (False, ""))[0]}, roles


@pytest.mark.parametrize(
    ("title", "lead"),
    [
        ("Cerence appoints former Intel CEO Brian Krzanich as chief executive", True),
        ("Legora hits $5.6 billion valuation in Series C, stepping up rivalry with Harvey", True),
        ("Yann LeCun plans to leave Meta and raise money for a world-models startup", False),  # a person
        ("South Korea halts new DeepSeek downloads over privacy breaches", False),  # a place
        ("FTC fines OpenAI", False),  # an agency
        ("OpenAI raises $40 billion", False),  # a known company
        ("The startup raises $40 billion", False),
    ],
)
def test_unknown_company_leading_the_headline(title: str, lead: bool) -> None:
    """A headline opening with one unknown capitalised word and an event verb has its subject already, so the
    organisations it names are held to the stricter :data:`OTHERS_THRESHOLD`."""
    assert unknown_lead(title, ATTRIBUTOR.matcher.find(title)) is lead


@pytest.mark.parametrize(
    ("title", "defendants", "plaintiff"),
    [
        ("Authors sue OpenAI and Microsoft over training data", {"openai", "microsoft"}, None),
        ("xAI sues OpenAI and Apple, alleging a conspiracy", {"openai", "apple"}, "xai"),
    ],
)
def test_every_listed_defendant_is_a_subject(title: str, defendants: set[str], plaintiff: str | None) -> None:
    roles = _roles(title, "", ["legal_regulatory"])
    assert {org for org, (subject, role) in roles.items() if subject and role == "defendant"} == defendants
    if plaintiff:
        assert roles[plaintiff] == (False, "plaintiff")
