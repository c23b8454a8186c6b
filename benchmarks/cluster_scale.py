"""Story clustering at scale: N articles with similar titles clustered in one run, its time and peak RSS.

Builds a fresh database of ``--articles`` articles (default 100,000) over ``--days`` days whose headlines are
variations of a few dozen events about ten providers ("Helix AI lays off 310 staff", "Helix AI cuts 312 jobs",
"Report: Helix AI lays off 305 employees" ...: numbers, verbs, prefixes and filler words vary), then runs
:func:`monitor.risk.stories.assign_stories` over all of them in a fresh process and reports the wall time, the
CPU time, the peak RSS (``ru_maxrss`` of that process) and the stories made.

The embedder is a cheap deterministic stand-in (a hashed bag of title words and bigrams, randomly projected to
384 dimensions and L2-normalised): the real MiniLM encoder runs at ~13-50 texts/s on this machine's 2 cores, so
encoding 100,000 texts (hours) would dominate and hide the clustering's own cost. ``--titles-only`` clusters
without embeddings.

``--compare N`` also builds an N-article database and clusters it, and a copy of it, with this code and with the
implementation at git revision ``--old-rev`` (default ``HEAD``: the quadratic one until this change is committed;
pass the commit before it afterwards), and checks that both partition the articles the same way.

Usage::

    python benchmarks/cluster_scale.py                       # 100k articles, stand-in embeddings
    python benchmarks/cluster_scale.py --articles 20000 --compare 20000
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.config import parse_config  # noqa: E402
from storage.store import Store  # noqa: E402

DIM = 384
PROVIDERS = [
    ("helix", "Helix AI"), ("northwind", "Northwind Models"), ("aurora", "Aurora Labs"), ("quanta", "Quanta AI"),
    ("basalt", "Basalt"), ("cirrus", "Cirrus Intelligence"), ("ember", "Ember AI"), ("fjord", "Fjord Systems"),
    ("granite", "Granite Labs"), ("halcyon", "Halcyon AI"),
]
EVENTS = [
    "{p} {lays} off {n} {staff}", "{p} cuts {n} jobs {why}", "{p} raises ${m} million in Series {r}",
    "{p} reports ${m} million quarterly loss", "{p} API outage hits {customers}", "{p} raises prices for {model}",
    "{p} CEO steps down {why}", "{p} in talks to raise ${m} million", "{p} delays launch of {model}",
    "{p} signs ${m} million compute deal with {partner}", "{p} faces lawsuit over {topic}",
    "{p} shuts down {product}",
]
WORDS = {
    "lays": ["lays", "is laying", "to lay"], "staff": ["staff", "employees", "workers", "people"],
    "why": ["", "as losses mount", "amid restructuring", "after board review", "in cost push"],
    "r": ["A", "B", "C", "D"], "customers": ["customers", "developers", "enterprise clients"],
    "model": ["its flagship model", "Nova-2", "the pro tier", "embeddings"],
    "partner": ["a cloud provider", "Stratus", "a chip maker"], "topic": ["training data", "privacy", "patents"],
    "product": ["its consumer app", "the chatbot", "its robotics unit"],
}
PREFIXES = ["", "", "", "Report: ", "Exclusive: ", "Update: "]
SOURCES = [f"source-{i}" for i in range(40)]


def peak_rss_mib() -> float:
    """This process's peak resident set size in MiB (``ru_maxrss`` is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_titles(count: int, days: int, seed: int) -> list[tuple[str, datetime, str]]:
    """``count`` (title, published, source), oldest first: each event recurs as a burst of similar headlines."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    out = []
    for _ in range(count):
        pid, pname = rng.choice(PROVIDERS)
        event = rng.randrange(len(EVENTS))
        # one event of a provider recurs every few days with a new number: similar titles, different stories
        epoch = rng.randrange(max(1, days // 4))
        when = start + timedelta(days=epoch * 4 + rng.random() * 2, seconds=rng.randrange(3600))
        base = random.Random(f"{pid}:{event}:{epoch}")
        slots: dict[str, object] = {k: rng.choice(v) if rng.random() < 0.3 else base.choice(v) for k, v in WORDS.items()}
        slots.update(p=pname, n=base.randrange(50, 2000) + rng.randrange(-3, 4), m=base.randrange(10, 900))
        title = rng.choice(PREFIXES) + " ".join(EVENTS[event].format(**slots).split())
        out.append((title, when, rng.choice(SOURCES)))
    out.sort(key=lambda t: t[1])
    return out


def build(db: Path, count: int, days: int, seed: int) -> None:
    """A migrated database holding the articles (no stories yet)."""
    Store(db).close()
    conn = sqlite3.connect(db)
    rows = []
    for i, (title, when, source) in enumerate(make_titles(count, days, seed)):
        url = f"https://{source}.example/{i}"
        stamp = when.isoformat().replace("+00:00", "Z")
        rows.append((url, url, hashlib.sha1(url.encode()).hexdigest(), title, "", "", stamp, stamp, source))
    conn.executemany(
        "insert into articles (url, link, content_hash, title, summary, text, published, fetched, source) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.commit()
    conn.close()


class HashedEmbedder:
    """A deterministic stand-in for the encoder: hashed title words and bigrams, randomly projected."""

    def __init__(self) -> None:
        self.cache: dict[str, np.ndarray] = {}

    def _word(self, word: str) -> np.ndarray:
        vec = self.cache.get(word)
        if vec is None:
            seed = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
            vec = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
            self.cache[word] = vec
        return vec

    def __call__(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for i, text in enumerate(texts):
            words = text.lower().split()[:24]
            for w in words:
                out[i] += self._word(w)
            for a, b in zip(words, words[1:], strict=False):
                out[i] += 0.5 * self._word(f"{a} {b}")
            norm = float(np.linalg.norm(out[i]))
            if norm > 0:
                out[i] /= norm
        return out


def _module_at(rev: str) -> ModuleType:
    """monitor.risk.stories as it was at git revision ``rev`` (imported under another name)."""
    source = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:monitor/risk/stories.py"], check=True,
                            capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp()) / "stories_old.py"
    path.write_text(source.replace("from .titles import", "from monitor.risk.titles import"))
    spec = importlib.util.spec_from_file_location("stories_old", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["stories_old"] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def child(db: Path, titles_only: bool, rev: str | None, max_titles: int | None = None) -> dict[str, Any]:
    """Cluster every article of ``db`` in this (fresh) process; timings, peak RSS and the stories made."""
    if rev is None:
        from monitor.risk import stories as module

        if max_titles:
            module.MAX_STORY_TITLES = max_titles
    else:
        module = _module_at(rev)
    config = parse_config("".join(f'[providers.{pid}]\nname = "{name}"\n' for pid, name in PROVIDERS), "bench.toml")
    aliases = config.provider_aliases
    embed = module.no_embedding if titles_only else HashedEmbedder()
    rss0 = peak_rss_mib()
    with Store(db) as store:
        wall0, cpu0 = time.perf_counter(), time.process_time()
        report = module.assign_stories(store, config.risk, aliases, embed)
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        sizes = [r["article_count"] for r in store.rows("select article_count from stories")]
    return {"articles": report.articles, "stories": report.created, "largest_story": max(sizes, default=0),
            "seconds": round(wall, 1), "cpu_seconds": round(cpu, 1), "peak_rss_mib": round(peak_rss_mib(), 0),
            "rss_before_mib": round(rss0, 0)}


def partition(db: Path) -> set[frozenset[int]]:
    """The articles grouped by story."""
    conn = sqlite3.connect(db)
    groups: dict[int, set[int]] = {}
    for aid, sid in conn.execute("select id, story_id from articles"):
        groups.setdefault(sid, set()).add(aid)
    conn.close()
    return {frozenset(g) for g in groups.values()}


def run_child(db: Path, titles_only: bool, rev: str | None, max_titles: int | None = None) -> dict[str, Any]:
    args = [sys.executable, __file__, "--child", str(db)] + (["--titles-only"] if titles_only else [])
    args += ["--old-rev", rev] if rev else []
    args += ["--max-titles", str(max_titles)] if max_titles else []
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"clustering failed:\n{done.stderr}")
    out = done.stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--titles-only", action="store_true", help="Cluster without embeddings.")
    parser.add_argument("--compare", type=int, default=0, metavar="N",
                        help="Also cluster the first N articles with --old-rev and compare the stories.")
    parser.add_argument("--old-rev", default=None, help="Git revision of the old implementation (default HEAD).")
    parser.add_argument("--max-titles", type=int, default=None, metavar="K",
                        help="Compare with the first K distinct headlines of a story (default: MAX_STORY_TITLES); "
                        "a K above every story's size makes the new clustering equal the old one exactly.")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.titles_only, args.old_rev, args.max_titles)))
        return
    work = Path(tempfile.mkdtemp(prefix="capwatch-cluster-"))
    try:
        db = work / "cluster.db"
        t0 = time.perf_counter()
        build(db, args.articles, args.days, args.seed)
        print(f"built {args.articles:,} articles over {args.days} days in {time.perf_counter() - t0:.1f} s", flush=True)
        result = run_child(db, args.titles_only, None, args.max_titles)
        mode = "titles only" if args.titles_only else "stand-in embeddings"
        print(f"new: {result['articles']:,} articles -> {result['stories']:,} stories (largest {result['largest_story']:,})"
              f" in {result['seconds']} s wall, {result['cpu_seconds']} s CPU, peak RSS {result['peak_rss_mib']:.0f} MiB"
              f" ({mode})", flush=True)
        if args.compare:
            small, old = work / "small-new.db", work / "small-old.db"
            build(small, args.compare, args.days, args.seed)
            shutil.copy(small, old)
            new_r = run_child(small, args.titles_only, None, args.max_titles)
            old_r = run_child(old, args.titles_only, args.old_rev or "HEAD")
            same = partition(small) == partition(old)
            print(f"compare at {args.compare:,}: new {new_r['seconds']} s, old ({args.old_rev or 'HEAD'}) "
                  f"{old_r['seconds']} s; same stories: {same}", flush=True)
            if not same:
                raise SystemExit(1)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
