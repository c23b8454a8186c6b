"""Story clustering: near-duplicate articles about one event become one story, counted once with more confidence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from risk_timeline import Timeline, day, risk_config

from monitor.errors import NotFoundError
from monitor.risk import describe_story, provider_risk_at, rebuild_stories, update_risk
from monitor.risk.stories import Embed, assign_stories, encoder_embedder, no_embedding
from monitor.risk.titles import title_similarity, title_tokens
from storage.store import Store

LAYOFFS_BODY = ("Helix AI is cutting about 310 jobs, roughly 22% of its staff, after reporting a widening net loss. "
                "The company said the restructuring will focus resources on its core API business.")

COPIES = [
    ("Helix AI lays off 310 employees as losses mount", LAYOFFS_BODY),
    ("Helix AI to cut 22% of workforce", "The AI lab Helix AI will lay off around 310 people, according to an internal "
     "memo, as the startup struggles with mounting losses and slowing sales of its API."),
    ("Helix AI cuts 310 jobs in restructuring", LAYOFFS_BODY),
    ("Helix AI layoffs hit 310 staff as net loss widens", LAYOFFS_BODY),
    ("Helix AI sheds 22% of its staff", "Helix AI is laying off roughly 310 employees, about 22% of the company, as "
     "losses widen; the restructuring refocuses the lab on its API business."),
    ("Helix AI announces 310 layoffs", LAYOFFS_BODY),
    ("Helix AI to lay off 310 workers amid widening losses", LAYOFFS_BODY),
    ("Helix AI restructures, cutting 310 jobs", LAYOFFS_BODY),
    ("Helix AI lays off more than a fifth of staff", LAYOFFS_BODY),
    ("Report: Helix AI cutting 310 roles", LAYOFFS_BODY),
]

DISTINCT = [
    ("Helix AI closes its Paris research office", "Helix AI will shut its Paris research lab and move the 40 "
     "researchers there to London, the company told staff."),
    ("Helix AI freezes hiring across its sales team", "A memo seen by reporters says Helix AI has stopped all hiring "
     "in sales and marketing until the end of the year."),
    ("Helix AI shuts down its consumer chatbot app", "Helix AI is discontinuing its consumer chat app next month to "
     "concentrate on enterprise customers."),
    ("Helix AI ends contracts with 200 data labelers in Kenya", "Contract workers who labelled training data for "
     "Helix AI were told their engagement ends on Friday."),
    ("Helix AI's robotics unit is disbanded", "The small robotics group Helix AI set up two years ago has been "
     "dissolved and its hardware sold."),
    ("Helix AI cancels its annual developer conference", "Helix AI called off HelixConf, citing a need to focus on "
     "product work, a week after tickets went on sale."),
    ("Helix AI asks remaining staff to take pay cuts", "Senior employees at Helix AI were asked to accept salary "
     "reductions of up to 20% in exchange for equity."),
    ("Helix AI quietly winds down its Tokyo sales office", "Helix AI's Japanese subsidiary is being liquidated, "
     "according to a filing with Tokyo regulators."),
    ("Helix AI offshores customer support to a contractor", "Helix AI is replacing its in-house support team with "
     "an outsourcing firm in Manila."),
    ("Helix AI delays bonuses for engineering staff", "Engineers at Helix AI learned that this year's performance "
     "bonuses will be paid six months late."),
]
SOURCES = ["wire", "ledger", "techdaily", "blog", "daily", "journal", "gazette", "post", "times", "herald"]


@pytest.fixture(scope="module")
def embed() -> Embed:
    """The real MiniLM encoder (loaded once per process)."""
    return encoder_embedder(None)


def _story_rows(store: Store) -> list[dict[str, object]]:
    return store.rows("select id, title, article_count, source_count, embedding from stories order by id")


def test_title_tokens_normalise_amounts_plurals_and_stop_words() -> None:
    assert title_tokens("Northwind raises $2.1 billion; Helix’s GPUs") == {"northwind", "raise", "2.1b", "helix",
                                                                           "gpu"}
    assert title_similarity("Helix AI lays off 310 people", "Helix AI lays off 310 people") == 1.0
    assert title_similarity("", "Helix") == 0.0


def test_titles_only_clusters_copies_within_the_window_and_per_provider(store: Store) -> None:
    t = Timeline(store)
    first = t.article("Helix AI lays off 310 people", 0, tags={"layoffs": 0.9}, source="wire")
    copy = t.article("Helix AI lays off 310 people, memo says", 1, tags={"layoffs": 0.8}, source="ledger")
    same_outlet = t.article("Helix AI lays off 310 people", 1.5, tags={"layoffs": 0.8}, source="wire")
    other_provider = t.article("Northwind lays off 310 people", 1, tags={"layoffs": 0.9}, provider="northwind")
    much_later = t.article("Helix AI lays off 310 people", 30, tags={"layoffs": 0.9}, source="techdaily")
    report = assign_stories(store, risk_config().risk, risk_config().provider_aliases, no_embedding)
    assert (report.articles, report.created) == (5, 3)
    story_of = {r["id"]: r["story_id"] for r in store.rows("select id, story_id from articles")}
    assert story_of[first] == story_of[copy] == story_of[same_outlet]
    assert len({story_of[first], story_of[other_provider], story_of[much_later]}) == 3
    story = store.rows("select * from stories where id = ?", [story_of[first]])[0]
    assert (story["article_count"], story["source_count"], story["embedding"]) == (3, 2, None)
    assert story["title"] == "Helix AI lays off 310 people"
    # incremental: a later run attaches a new copy to the stored story
    late_copy = t.article("Helix AI lays off 310 people, sources say", 2, tags={"layoffs": 0.8}, source="daily")
    assert assign_stories(store, risk_config().risk, risk_config().provider_aliases, no_embedding).created == 0
    assert store.rows("select story_id from articles where id = ?", [late_copy])[0]["story_id"] == story_of[first]
    assert store.rows("select source_count from stories where id = ?", [story_of[first]])[0]["source_count"] == 3


def test_encoder_clusters_paraphrases_but_not_other_events(store: Store, embed: Embed) -> None:
    t = Timeline(store)
    a = t.article(COPIES[0][0], 0, tags={"layoffs": 0.9}, source="wire", summary=COPIES[0][1])
    b = t.article(COPIES[1][0], 0.4, tags={"layoffs": 0.9}, source="ledger", summary=COPIES[1][1])
    others = [t.article(title, 0.2 + i / 10, tags={"layoffs": 0.9}, source=SOURCES[i], summary=body)
              for i, (title, body) in enumerate(DISTINCT[:4])]
    loss = t.article("Helix AI reports $1.2B annual loss", 0.5, tags={"losses_burn": 0.9}, summary=(
        "Helix AI lost $1.2 billion last year as spending on compute outpaced revenue, according to financial "
        "statements seen by reporters."))
    assign_stories(store, risk_config().risk, risk_config().provider_aliases, embed)
    story_of = {r["id"]: r["story_id"] for r in store.rows("select id, story_id from articles")}
    assert story_of[a] == story_of[b]
    assert len({story_of[x] for x in [a, *others, loss]}) == 6
    stored = store.rows("select embedding from stories where id = ?", [story_of[a]])[0]["embedding"]
    vector = np.frombuffer(stored, dtype=np.float32)
    assert vector.shape == (384,) and abs(float(np.linalg.norm(vector)) - 1.0) < 1e-4


def test_ten_copies_of_one_story_raise_risk_less_than_ten_distinct_stories(tmp_path: Path, embed: Embed) -> None:
    config = risk_config()
    scores = {}
    for name, items in (("single", COPIES[:1]), ("copies", COPIES), ("distinct", DISTINCT)):
        with Store(tmp_path / f"{name}.db") as store:
            t = Timeline(store)
            for i, (title, body) in enumerate(items):
                t.article(title, i / 10, tags={"layoffs": 0.9}, source=SOURCES[i], summary=body)
            report = update_risk(config, store, now=day(1), embed=embed)
            scores[name] = report.providers[0].score
            stories = _story_rows(store)
            if name == "copies":
                assert len(stories) == 1
                assert (stories[0]["article_count"], stories[0]["source_count"]) == (10, 10)
                (only,) = report.providers[0].contributions
                assert only.sources == 10 and len(only.article_ids) == 10
            if name == "distinct":
                assert len(stories) == 10
    assert scores["single"] < scores["copies"]  # more outlets, more confidence
    assert scores["copies"] < 2 * scores["single"]  # ...but capped: one event
    assert scores["copies"] * 4 < scores["distinct"]


def test_rebuild_reclusters_from_scratch(store: Store) -> None:
    t = Timeline(store)
    for i in range(3):
        t.article("Helix AI lays off 310 people", i / 10, tags={"layoffs": 0.9}, source=SOURCES[i])
    settings, aliases = risk_config().risk, risk_config().provider_aliases
    assign_stories(store, settings, aliases, no_embedding)
    assert rebuild_stories(store) == 1
    assert store.rows("select count(*) as n from articles where story_id is null")[0]["n"] == 3
    strict = risk_config("[risk]\ntitle_similarity = 1.0\nstory_window = \"1m\"\n").risk
    assert assign_stories(store, strict, aliases, no_embedding).created == 3


def test_describe_story_lists_members_and_signals(store: Store) -> None:
    t = Timeline(store)
    ids = [t.article("Helix AI lays off 310 people", i / 10, tags={"layoffs": 0.7 + i / 10}, source=SOURCES[i])
           for i in range(2)]
    assign_stories(store, risk_config().risk, risk_config().provider_aliases, no_embedding)
    story_id = store.rows("select story_id from articles where id = ?", [ids[0]])[0]["story_id"]
    record = describe_story(store, story_id)
    assert [a["id"] for a in record["articles"]] == ids
    assert record["sources"] == ["ledger", "wire"] and record["source_count"] == 2
    assert record["signals"] == [{"provider": "helix", "tag": "layoffs", "direction": None, "confidence": 0.8,
                                  "articles": 2}]
    assert "embedding" not in record
    risk = provider_risk_at(risk_config(), store, "helix", day(1))
    assert risk.contributions[0].story_id == story_id
    with pytest.raises(NotFoundError):
        describe_story(store, 999)
