"""Hardening finding 5 (issue 16): story clustering is no longer quadratic, and clusters as before.

* The same stories as the rule applied to every story and every headline in the window (the reference below is
  the old implementation's loop, kept here): candidate blocking (shared title words, centroid cosine), dropping
  stories out of reach and keeping them in memory across chunks change nothing.
* The work per article does not grow with the articles already clustered: twice the near-identical headlines
  cost about twice the title comparisons (they cost four times as many before). Counted, not timed.

The throughput at 100,000 articles is measured by ``benchmarks/cluster_scale.py`` (docs/scaling.md).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from risk_timeline import T0, risk_config

from monitor.config import RiskSettings
from monitor.risk import stories as clustering
from monitor.risk.stories import _match, _normalise, _Story, _title_providers, assign_stories, no_embedding
from monitor.risk.titles import title_tokens
from storage.store import NewArticle, Store

DIM = 64
EVENTS = ["{p} lays off {n} staff", "{p} cuts {n} jobs amid restructuring", "{p} raises ${n} million",
          "{p} reports ${n} million loss", "{p} API outage hits {n} customers", "{p} raises prices by {n}%"]
NAMES = ["Helix AI", "Helix Labs", "Northwind", "Northwind Models"]
FILLER = ["board", "investors", "memo", "staff", "europe", "growth", "cloud", "deal", "chips", "revenue", "quarter",
          "filing", "court", "rival", "talks", "sources", "data", "center", "partner", "region"]


def hashed_embed(texts: list[str]) -> np.ndarray:
    """A deterministic stand-in for the encoder: hashed words, randomly projected, L2-normalised."""
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    for i, text in enumerate(texts):
        for word in text.lower().split()[:16]:
            seed = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
            out[i] += np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
        out[i] /= max(float(np.linalg.norm(out[i])), 1e-9)
    return out


def similar_titles(count: int, days: float, seed: int) -> list[tuple[str, datetime, str]]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        event = rng.randrange(len(EVENTS))
        base = random.Random(f"{event}:{rng.randrange(3)}")
        title = rng.choice(["", "Report: ", "Update: "]) + EVENTS[event].format(
            p=rng.choice(NAMES), n=base.randrange(10, 900) + rng.randrange(-2, 3)) + " " + " ".join(
            base.sample(FILLER, 2) + rng.sample(FILLER, 2))
        out.append((title, T0 + timedelta(days=rng.random() * days), f"source-{rng.randrange(6)}"))
    return out


def fill(store: Store, items: list[tuple[str, datetime, str]]) -> None:
    for i, (title, when, source) in enumerate(items):
        store.add_article(NewArticle(url=f"https://{source}.example/{i}", title=title, summary="",
                                     text=f"item {i}", published=when, fetched=when, source=source))


def reference(store: Store, settings: RiskSettings, aliases: Mapping[str, Sequence[str]],
              embed: Any) -> dict[int, int]:
    """The clustering before the fix, in memory: per chunk of CHUNK articles, every story in the window (by last
    article, then id, then the ones the chunk creates), every headline of each; article id -> story number."""
    rows = store.rows("select id, title, summary, text, published, source from articles order by published, id")
    stories: list[_Story] = []
    story_of: dict[int, int] = {}
    window = settings.story_window
    for start in range(0, len(rows), clustering.CHUNK):
        chunk = rows[start : start + clustering.CHUNK]
        times = [datetime.fromisoformat(a["published"]) for a in chunk]
        from classifiers.encoder import article_input

        vectors = embed([article_input(a["title"], f"{a['summary']}\n{a['text']}".strip()) for a in chunk])
        lo, hi = min(times) - window, max(times) + window
        loaded = sorted((s for s in stories if s.last >= lo and s.first <= hi), key=lambda s: (s.last, s.id))
        for i, a in enumerate(chunk):
            vec = _normalise(np.asarray(vectors[i], dtype=np.float32)) if vectors.shape[1] else None
            tokens, providers = title_tokens(a["title"]), _title_providers(a["title"], aliases)
            best = _match(settings, times[i], tokens, providers, vec, loaded)
            if best is None:
                best = _Story(id=len(stories), title=a["title"], first=times[i], last=times[i], count=1,
                              sources={a["source"]}, embedding=vec, titles=[tokens], providers=set(providers))
                stories.append(best)
                loaded.append(best)
            else:
                if vec is not None:
                    old = best.embedding
                    best.embedding = _normalise(old * best.count + vec) if old is not None else vec
                best.count += 1
                best.titles.append(tokens)
                best.providers |= providers
                best.first, best.last = min(best.first, times[i]), max(best.last, times[i])
            story_of[int(a["id"])] = best.id
    return story_of


def partition(story_of: Mapping[int, int]) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for article, story in story_of.items():
        groups.setdefault(story, set()).add(article)
    return {frozenset(g) for g in groups.values()}


@pytest.mark.parametrize("embed", [hashed_embed, no_embedding], ids=["embeddings", "titles-only"])
def test_same_stories_as_comparing_with_every_story_and_headline(embed: Any, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # every headline is compared here, as before: the sample of MAX_STORY_TITLES is the one documented difference
    monkeypatch.setattr(clustering, "MAX_STORY_TITLES", 10**9, raising=False)
    config = risk_config()
    with Store(tmp_path / "a.db") as store:
        fill(store, similar_titles(900, days=12, seed=5))  # four chunks; stories fall out of the 3-day window
        expected = partition(reference(store, config.risk, config.provider_aliases, embed))
        report = assign_stories(store, config.risk, config.provider_aliases, embed)
        got = partition({r["id"]: r["story_id"] for r in store.rows("select id, story_id from articles")})
    assert report.articles == 900 and report.created == len(expected)
    assert 20 < len(expected) < 600  # neither all apart nor all in one story: the comparison means something
    assert got == expected


def count_title_comparisons(tmp_path: Path, name: str, count: int, monkeypatch: pytest.MonkeyPatch) -> int:
    calls = 0
    real = clustering.dice

    def counted(a: frozenset[str], b: frozenset[str]) -> float:
        nonlocal calls
        calls += 1
        return real(a, b)

    monkeypatch.setattr(clustering, "dice", counted)  # the real comparison, counted
    config = risk_config()
    with Store(tmp_path / f"{name}.db") as store:
        # one event, near-identical headlines with distinct numbers, all within one story's window
        fill(store, [(f"Helix AI lays off {100 + i} people", T0 + timedelta(minutes=i), "wire") for i in range(count)])
        report = assign_stories(store, config.risk, config.provider_aliases, no_embedding)
    assert report.created == 1
    return calls


def test_title_comparisons_grow_linearly_with_the_articles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    small = count_title_comparisons(tmp_path, "small", 600, monkeypatch)
    large = count_title_comparisons(tmp_path, "large", 1200, monkeypatch)
    assert large <= 2.2 * small, (small, large)  # quadratic would be 4x (it was: 179,700 -> 719,400)
    assert large <= 1200 * clustering.MAX_STORY_TITLES
