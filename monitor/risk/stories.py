"""Cluster articles about the same event into stories, incrementally.

An article joins the best-matching story whose time span, widened by ``story_window``, covers its publication
time, when

* the encoder embeddings agree: cosine to the story's centroid >= ``story_similarity``, or
* the headlines agree: title similarity (see :mod:`monitor.risk.titles`) to one of the story's titles
  >= ``title_similarity``, and the cosine is at least ``story_min_cosine`` (only the title test applies when no
  embedding is available: the embedder returned zero-width vectors or the story has none),

and the providers named in the two titles are not disjoint ("Helix raises $1B" never joins "Northwind raises $1B").
Otherwise it starts a new story. Articles are taken in published order; a story keeps the L2-normalised mean of
its members' embeddings (float32 bytes) so the next run continues where this one stopped. ``source_count`` is the
number of distinct sources among the members.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from classifiers.encoder import TEXT_CHARS, article_input
from classifiers.providers import match_providers
from monitor.config import RiskSettings
from storage.store import Store
from storage.times import from_iso, to_iso

from .titles import dice, title_tokens

log = logging.getLogger(__name__)

Embed = Callable[[list[str]], np.ndarray]
"""Texts -> a ``(len(texts), dim)`` array of L2-normalised embeddings (``dim`` 0: no embeddings, titles only)."""

CHUNK = 256
"""Articles embedded and clustered per transaction."""


def no_embedding(texts: list[str]) -> np.ndarray:
    """An embedder that gives none: clustering then compares titles only."""
    return np.zeros((len(texts), 0), dtype=np.float32)


def encoder_embedder(model_path: str | None) -> Embed:
    """The real embedder (MiniLM, loaded on first use, once per process); titles only if the model is missing."""
    from classifiers.types import ClassifierError

    def embed(texts: list[str]) -> np.ndarray:
        from classifiers.encoder import get_encoder

        try:
            encoder = get_encoder(model_path)
        except ClassifierError as exc:
            log.warning("story clustering falls back to titles only: %s", exc)
            return no_embedding(texts)
        return encoder.encode(texts)

    return embed


@dataclass
class StoryReport:
    """What one clustering run did."""

    articles: int = 0
    created: int = 0


@dataclass
class _Story:
    id: int
    title: str
    first: datetime
    last: datetime
    count: int
    sources: set[str]
    embedding: np.ndarray | None
    titles: list[frozenset[str]] = field(default_factory=list)
    providers: set[str] = field(default_factory=set)


def _title_providers(title: str, aliases: Mapping[str, Sequence[str]]) -> set[str]:
    return {m.provider for m in match_providers(title, "", aliases) if m.in_title}


def _vector(blob: bytes | None) -> np.ndarray | None:
    if not blob:
        return None
    return np.frombuffer(blob, dtype=np.float32).copy()


def _normalise(v: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(v))
    return (v / norm).astype(np.float32) if norm > 0 else v.astype(np.float32)


def _load_stories(store: Store, lo: datetime, hi: datetime, aliases: Mapping[str, Sequence[str]]) -> dict[int, _Story]:
    rows = store.rows(
        "select * from stories where last_published >= ? and first_published <= ?", [to_iso(lo), to_iso(hi)]
    )
    stories = {
        int(r["id"]): _Story(
            id=int(r["id"]),
            title=r["title"],
            first=from_iso(r["first_published"]),
            last=from_iso(r["last_published"]),
            count=int(r["article_count"]),
            sources=set(),
            embedding=_vector(r["embedding"]),
        )
        for r in rows
    }
    if stories:
        marks = ",".join("?" * len(stories))
        for m in store.rows(f"select story_id, title, source from articles where story_id in ({marks})", list(stories)):
            s = stories[int(m["story_id"])]
            s.titles.append(title_tokens(m["title"]))
            s.sources.add(m["source"])
            s.providers |= _title_providers(m["title"], aliases)
    return stories


def _match(settings: RiskSettings, published: datetime, tokens: frozenset[str], providers: set[str],
           vec: np.ndarray | None, stories: Sequence[_Story]) -> _Story | None:
    """The best story for an article, or None (see the module docstring for the rule)."""
    best: tuple[float, _Story] | None = None
    window = settings.story_window
    for s in stories:
        if not s.first - window <= published <= s.last + window:
            continue
        if providers and s.providers and not providers & s.providers:
            continue
        tsim = max((dice(tokens, t) for t in s.titles), default=0.0)
        if vec is not None and s.embedding is not None and s.embedding.shape == vec.shape:
            cos = float(vec @ s.embedding)
            same = cos >= settings.story_similarity or (tsim >= settings.title_similarity and cos >= settings.story_min_cosine)
            strength = cos + tsim
        else:
            same = tsim >= settings.title_similarity
            strength = tsim
        if same and (best is None or strength > best[0]):
            best = (strength, s)
    return best[1] if best else None


def _join(store: Store, story: _Story, article: dict[str, Any], published: datetime, tokens: frozenset[str],
          providers: set[str], vec: np.ndarray | None) -> None:
    if vec is not None:
        old = story.embedding
        story.embedding = _normalise(old * story.count + vec) if old is not None and old.shape == vec.shape else vec
    story.count += 1
    story.sources.add(article["source"])
    story.titles.append(tokens)
    story.providers |= providers
    if published < story.first:
        story.first, story.title = published, article["title"]
    story.last = max(story.last, published)
    store.db.execute(
        """update stories set title = ?, first_published = ?, last_published = ?, article_count = ?, source_count = ?,
           embedding = ? where id = ?""",
        [story.title, to_iso(story.first), to_iso(story.last), story.count, len(story.sources),
         story.embedding.tobytes() if story.embedding is not None else None, story.id],
    )
    store.db.execute("update articles set story_id = ? where id = ?", [story.id, article["id"]])


def _create(store: Store, article: dict[str, Any], published: datetime, tokens: frozenset[str], providers: set[str],
            vec: np.ndarray | None) -> _Story:
    cur = store.db.execute(
        """insert into stories (title, first_published, last_published, article_count, source_count, embedding)
           values (?, ?, ?, 1, 1, ?)""",
        [article["title"], to_iso(published), to_iso(published), vec.tobytes() if vec is not None else None],
    )
    story = _Story(id=int(cur.lastrowid or 0), title=article["title"], first=published, last=published, count=1,
                   sources={article["source"]}, embedding=vec, titles=[tokens], providers=set(providers))
    store.db.execute("update articles set story_id = ? where id = ?", [story.id, article["id"]])
    return story


def assign_stories(store: Store, settings: RiskSettings, aliases: Mapping[str, Sequence[str]],
                   embed: Embed | None = None) -> StoryReport:
    """Put every article without a story into one, oldest first; ``embed`` None compares titles only.

    Each chunk of :data:`CHUNK` articles is committed on its own: a crash loses at most the chunk in progress,
    and its articles are simply clustered on the next run.
    """
    report = StoryReport()
    pending = [int(r["id"]) for r in store.rows("select id from articles where story_id is null order by published, id")]
    for start in range(0, len(pending), CHUNK):
        ids = pending[start : start + CHUNK]
        chunk = store.rows(
            f"""select id, title, summary, substr(text, 1, {TEXT_CHARS}) as text, published, source from articles
                where id in ({",".join("?" * len(ids))}) order by published, id""",
            ids,
        )
        texts = [article_input(a["title"], f"{a['summary']}\n{a['text']}".strip()) for a in chunk]
        vectors = (embed or no_embedding)(texts)
        use_vectors = vectors.ndim == 2 and vectors.shape[0] == len(chunk) and vectors.shape[1] > 0
        times = [from_iso(a["published"]) for a in chunk]
        stories = _load_stories(store, min(times) - settings.story_window, max(times) + settings.story_window, aliases)
        with store.transaction():
            for i, article in enumerate(chunk):
                vec = _normalise(np.asarray(vectors[i], dtype=np.float32)) if use_vectors else None
                tokens = title_tokens(article["title"])
                providers = _title_providers(article["title"], aliases)
                story = _match(settings, times[i], tokens, providers, vec, list(stories.values()))
                if story is None:
                    story = _create(store, article, times[i], tokens, providers, vec)
                    stories[story.id] = story
                    report.created += 1
                else:
                    _join(store, story, article, times[i], tokens, providers, vec)
                report.articles += 1
    return report


def rebuild_stories(store: Store) -> int:
    """Forget every story (articles keep their signals) so the next :func:`assign_stories` re-clusters all;
    return the number of stories removed."""
    with store.transaction():
        count = int(store.db.execute("select count(*) from stories").fetchone()[0])
        store.db.execute("update articles set story_id = null where story_id is not null")
        store.db.execute("delete from stories")
    return count
