"""Cluster articles about the same event into stories, incrementally.

An article joins the best-matching story whose time span, widened by ``story_window``, covers its publication
time, when

* the encoder embeddings agree: cosine to the story's centroid >= ``story_similarity``, or
* the headlines agree: title similarity (see :mod:`monitor.risk.titles`) to one of the story's titles
  >= ``title_similarity``, and the cosine is at least ``story_min_cosine`` (only the title test applies when no
  embedding is available: the embedder returned zero-width vectors or the story has none),

and the providers named in the two titles are not disjoint ("Helix raises $1B" never joins "Northwind raises $1B").
Among the stories that qualify, the one with the largest cosine + title similarity wins (on a tie, the one whose
last article was the oldest when its chunk of :data:`CHUNK` articles started).
Otherwise the article starts a new story. Articles are taken in published order; a story keeps the L2-normalised
mean of its members' embeddings (float32 bytes) so the next run continues where this one stopped.
``source_count`` is the number of distinct sources among the members.

A story's "titles" for the title test are its first :data:`MAX_STORY_TITLES` distinct headlines (as word sets):
a story of thousands of near-identical headlines is compared through a bounded sample, not through every member.

Cost: the work per article does not grow with the number of articles already clustered. Only stories whose window
can still be reached stay in memory (articles come oldest first, so a story whose last article is more than
``story_window`` older than the current one is dropped), and of those only *candidates* are compared: the stories
sharing a title word with the article (an inverted index; without a shared word the title similarity is 0) and
the stories whose centroid's cosine reaches ``story_similarity`` (one matrix product over the centroids in memory).
Every other story could not qualify under the rule above, so the result is the same as comparing with all of them.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
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

MAX_STORY_TITLES = 64
"""Distinct headlines per story that the title test compares with (the story's first ones)."""

COSINE_SLACK = 1e-4
"""Stories whose centroid cosine (from the matrix product) is this close below ``story_similarity`` are still
candidates; their exact cosine is then computed as before, so float rounding cannot drop a match."""


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

    def add_title(self, tokens: frozenset[str]) -> bool:
        """Keep ``tokens`` among the compared titles if new and there is room; True when kept."""
        if len(self.titles) >= MAX_STORY_TITLES or tokens in self.titles:
            return False
        self.titles.append(tokens)
        return True


def _title_providers(title: str, aliases: Mapping[str, Sequence[str]]) -> set[str]:
    return {m.provider for m in match_providers(title, "", aliases) if m.in_title}


def _vector(blob: bytes | None) -> np.ndarray | None:
    if not blob:
        return None
    return np.frombuffer(blob, dtype=np.float32).copy()


def _normalise(v: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(v))
    return (v / norm).astype(np.float32) if norm > 0 else v.astype(np.float32)


class _Index:
    """The stories that later articles can still reach, with the two candidate indexes over them.

    ``by_token`` maps a title word to the stories having it in one of their compared titles; the centroid matrix
    holds one row per story with an embedding of the index's dimension (the first one seen).
    """

    def __init__(self, aliases: Mapping[str, Sequence[str]]) -> None:
        self.aliases = aliases
        self.stories: dict[int, _Story] = {}
        self.dropped: set[int] = set()
        self.by_token: defaultdict[str, set[int]] = defaultdict(set)
        self.dim: int | None = None
        self.matrix = np.zeros((0, 0), dtype=np.float32)
        self.row_of: dict[int, int] = {}
        self.story_at: list[int] = []  # row -> story id (-1: free)
        self.free: list[int] = []
        self.rank: dict[int, int] = {}  # story id -> place in the tie-break order
        self.next_rank = 0

    def rank_stories(self) -> None:
        """Fix the tie-break order for a chunk: stories by last article, oldest first, then by id; the stories the
        chunk creates follow in creation order (:meth:`add`)."""
        ordered = sorted(self.stories.values(), key=lambda s: (s.last, s.id))
        self.rank = {s.id: k for k, s in enumerate(ordered)}
        self.next_rank = len(ordered)

    # ------------------------------------------------------------------------------------------ membership
    def load(self, store: Store, lo: datetime, hi: datetime) -> None:
        """Add the stored stories overlapping ``[lo, hi]`` that are not in memory yet (members read once)."""
        rows = store.rows(
            "select * from stories where last_published >= ? and first_published <= ? order by id",
            [to_iso(lo), to_iso(hi)],
        )
        fresh = {
            int(r["id"]): _Story(
                id=int(r["id"]), title=r["title"], first=from_iso(r["first_published"]),
                last=from_iso(r["last_published"]), count=int(r["article_count"]), sources=set(),
                embedding=_vector(r["embedding"]),
            )
            for r in rows
            if int(r["id"]) not in self.stories and int(r["id"]) not in self.dropped
        }
        if not fresh:
            return
        ids = list(fresh)
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            members = store.rows(
                f"select story_id, title, source from articles where story_id in ({','.join('?' * len(part))}) "
                "order by published, id",
                part,
            )
            seen_titles: set[tuple[int, str]] = set()
            for m in members:
                s = fresh[int(m["story_id"])]
                s.sources.add(m["source"])
                key = (s.id, m["title"] or "")
                if key in seen_titles:
                    continue
                seen_titles.add(key)
                s.add_title(title_tokens(m["title"]))
                s.providers |= _title_providers(m["title"], self.aliases)
        for s in fresh.values():
            self.add(s)

    def add(self, story: _Story) -> None:
        """Index a story (new, or read from the database)."""
        self.stories[story.id] = story
        if story.id not in self.rank:
            self.rank[story.id] = self.next_rank
            self.next_rank += 1
        for tokens in story.titles:
            for token in tokens:
                self.by_token[token].add(story.id)
        self.set_embedding(story)

    def drop_before(self, oldest: datetime) -> None:
        """Forget the stories whose last article is older than ``oldest`` (no later article can reach them)."""
        gone = [s for s in self.stories.values() if s.last < oldest]
        for s in gone:
            del self.stories[s.id]
            self.dropped.add(s.id)
            for tokens in s.titles:
                for token in tokens:
                    ids = self.by_token.get(token)
                    if ids is not None:
                        ids.discard(s.id)
                        if not ids:
                            del self.by_token[token]
            row = self.row_of.pop(s.id, None)
            if row is not None:
                self.matrix[row] = 0.0
                self.story_at[row] = -1
                self.free.append(row)

    def title_added(self, story: _Story, tokens: frozenset[str]) -> None:
        for token in tokens:
            self.by_token[token].add(story.id)

    def set_embedding(self, story: _Story) -> None:
        """Put (or update) the story's centroid in the matrix, when it has the index's dimension."""
        vec = story.embedding
        if vec is None or vec.ndim != 1 or vec.shape[0] == 0:
            return
        if self.dim is None:
            self.dim = int(vec.shape[0])
            self.matrix = np.zeros((64, self.dim), dtype=np.float32)
        if vec.shape[0] != self.dim:
            return  # another encoder's vectors: compared through the title test only, as the rule says
        row = self.row_of.get(story.id)
        if row is None:
            if self.free:
                row = self.free.pop()
            else:
                row = len(self.story_at)
                if row >= self.matrix.shape[0]:
                    grown = np.zeros((self.matrix.shape[0] * 2, self.dim), dtype=np.float32)
                    grown[: self.matrix.shape[0]] = self.matrix
                    self.matrix = grown
                self.story_at.append(-1)
            self.row_of[story.id] = row
            self.story_at[row] = story.id
        self.matrix[row] = vec

    # ------------------------------------------------------------------------------------------ candidates
    def candidates(self, tokens: Iterable[str], vec: np.ndarray | None, min_cosine: float, *,
                   everything: bool = False) -> list[_Story]:
        """The stories that can qualify: sharing a title word, or with a centroid cosine near ``min_cosine`` or
        above (``everything``: all in memory); in the order ties are broken in (:meth:`rank_stories`)."""
        if everything:
            return sorted(self.stories.values(), key=lambda s: self.rank[s.id])
        ids: set[int] = set()
        for token in tokens:
            ids |= self.by_token.get(token, set())
        if vec is not None and self.dim is not None and vec.shape == (self.dim,) and self.story_at:
            used = len(self.story_at)
            cosines = self.matrix[:used] @ vec
            for row in np.flatnonzero(cosines >= min_cosine - COSINE_SLACK):
                sid = self.story_at[int(row)]
                if sid >= 0:
                    ids.add(sid)
        return sorted((self.stories[i] for i in ids), key=lambda s: self.rank[s.id])


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


def _join(index: _Index, story: _Story, article: dict[str, Any], published: datetime, tokens: frozenset[str],
          providers: set[str], vec: np.ndarray | None) -> None:
    """Add an article to a story in memory (written by :func:`_write` at the end of the chunk)."""
    if vec is not None:
        old = story.embedding
        story.embedding = _normalise(old * story.count + vec) if old is not None and old.shape == vec.shape else vec
        index.set_embedding(story)
    story.count += 1
    story.sources.add(article["source"])
    if story.add_title(tokens):
        index.title_added(story, tokens)
    story.providers |= providers
    if published < story.first:
        story.first, story.title = published, article["title"]
    story.last = max(story.last, published)


def _write(store: Store, changed: Sequence[_Story], members: Sequence[tuple[int, int]]) -> None:
    """Store the stories a chunk changed and its articles' story ids ``(story_id, article_id)``."""
    store.db.conn.executemany(
        """update stories set title = ?, first_published = ?, last_published = ?, article_count = ?, source_count = ?,
           embedding = ? where id = ?""",
        [[s.title, to_iso(s.first), to_iso(s.last), s.count, len(s.sources),
          s.embedding.tobytes() if s.embedding is not None else None, s.id] for s in changed],
    )
    store.db.conn.executemany("update articles set story_id = ? where id = ?", members)


def _create(store: Store, article: dict[str, Any], published: datetime, tokens: frozenset[str], providers: set[str],
            vec: np.ndarray | None) -> _Story:
    cur = store.db.execute(
        """insert into stories (title, first_published, last_published, article_count, source_count, embedding)
           values (?, ?, ?, 1, 1, ?)""",
        [article["title"], to_iso(published), to_iso(published), vec.tobytes() if vec is not None else None],
    )
    return _Story(id=int(cur.lastrowid or 0), title=article["title"], first=published, last=published, count=1,
                  sources={article["source"]}, embedding=vec, titles=[tokens], providers=set(providers))


def assign_stories(store: Store, settings: RiskSettings, aliases: Mapping[str, Sequence[str]],
                   embed: Embed | None = None) -> StoryReport:
    """Put every article without a story into one, oldest first; ``embed`` None compares titles only.

    Each chunk of :data:`CHUNK` articles is committed on its own: a crash loses at most the chunk in progress,
    and its articles are simply clustered on the next run. Time and memory grow with the number of articles to
    cluster and with the stories inside one ``story_window``, not with their product (see the module docstring).
    """
    report = StoryReport()
    window: timedelta = settings.story_window
    index = _Index(aliases)
    everyone = settings.title_similarity <= 0  # then even titles sharing no word pass the title test
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
        index.drop_before(min(times) - window)
        index.load(store, min(times) - window, max(times) + window)
        index.rank_stories()
        changed: dict[int, _Story] = {}
        members: list[tuple[int, int]] = []
        with store.transaction():
            for i, article in enumerate(chunk):
                vec = _normalise(np.asarray(vectors[i], dtype=np.float32)) if use_vectors else None
                tokens = title_tokens(article["title"])
                providers = _title_providers(article["title"], aliases)
                candidates = index.candidates(tokens, vec, settings.story_similarity, everything=everyone)
                story = _match(settings, times[i], tokens, providers, vec, candidates)
                if story is None:
                    story = _create(store, article, times[i], tokens, providers, vec)
                    index.add(story)
                    report.created += 1
                else:
                    _join(index, story, article, times[i], tokens, providers, vec)
                    changed[story.id] = story
                members.append((story.id, int(article["id"])))
                report.articles += 1
            _write(store, list(changed.values()), members)
    return report


def rebuild_stories(store: Store) -> int:
    """Forget every story (articles keep their signals) so the next :func:`assign_stories` re-clusters all;
    return the number of stories removed."""
    with store.transaction():
        count = int(store.db.execute("select count(*) from stories").fetchone()[0])
        store.db.execute("update articles set story_id = null where story_id is not null")
        store.db.execute("delete from stories")
    return count
