"""Benchmark the classifiers: articles per second and peak RSS for 1,000 articles with one model load.

Articles are built from the real-world test split, each padded with sentences from other items to a realistic
title + lede/body length (about 60 to 300 words). Usage::

    python benchmarks/classify.py [--articles 1000] [--kind transformer|keyword|both] [--max-length N] [--json]

Peak RSS is the process maximum (``ru_maxrss``), so it includes the model load.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from classifiers.dataset import load_split  # noqa: E402
from classifiers.orgs.catalogue import load_catalogue  # noqa: E402
from classifiers.types import ArticleText, Classifier  # noqa: E402

NAMES = {o.id: o.names for o in load_catalogue().values() if o.names}


def make_articles(n: int, seed: int = 7) -> list[ArticleText]:
    """Return ``n`` articles of realistic length built from the real-world test split."""
    rng = random.Random(seed)
    examples = load_split("real-test")
    sentences = [s.strip() + "." for e in examples for s in e.text.split(". ") if len(s) > 30]
    out: list[ArticleText] = []
    for i in range(n):
        base = examples[i % len(examples)]
        extra = " ".join(rng.sample(sentences, rng.randint(1, 12)))
        out.append(ArticleText(f"bench-{i}", base.title, f"{base.text} {extra}"))
    return out


def peak_rss_mb() -> float:
    """Peak resident set size of this process in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(kind: str, articles: list[ArticleText], max_length: int | None) -> dict[str, Any]:
    """Load one classifier of ``kind`` and time classifying ``articles`` in batches of 64."""
    t0 = time.perf_counter()
    clf: Classifier
    if kind == "transformer":
        from classifiers.signal_model import TunedEncoder
        from classifiers.transformer import TransformerClassifier

        transformer = TransformerClassifier(NAMES)
        if max_length:
            transformer.encoder = TunedEncoder(transformer.model, max_length=max_length)
        clf = transformer
    else:
        from classifiers.keywords import KeywordClassifier

        clf = KeywordClassifier(NAMES)
    load_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    tagged = 0
    for start in range(0, len(articles), 64):
        tagged += sum(1 for c in clf.classify(articles[start : start + 64]) if c.tags)
    elapsed = time.perf_counter() - t1
    return {
        "kind": kind,
        "version": clf.version,
        "articles": len(articles),
        "load_seconds": round(load_s, 2),
        "classify_seconds": round(elapsed, 2),
        "articles_per_second": round(len(articles) / elapsed, 1),
        "tagged_fraction": round(tagged / len(articles), 3),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def main() -> None:
    """Parse arguments, run the benchmark(s) and print the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--kind", choices=["transformer", "keyword", "both"], default="both")
    parser.add_argument("--max-length", type=int, default=None, help="Override the encoder's token limit.")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    articles = make_articles(args.articles)
    words = sum(len(a.title.split()) + len(a.text.split()) for a in articles) / len(articles)
    kinds = ["keyword", "transformer"] if args.kind == "both" else [args.kind]
    results = [run(kind, articles, args.max_length) for kind in kinds]
    if args.json:
        print(json.dumps({"mean_words": round(words, 1), "results": results}, indent=2))
        return
    print(f"{len(articles)} articles, mean {words:.0f} words")
    for r in results:
        print(
            f"{r['kind']:<12} {r['articles_per_second']:>8.1f} articles/s  load {r['load_seconds']:.1f}s  "
            f"classify {r['classify_seconds']:.1f}s  peak RSS {r['peak_rss_mb']:.0f} MiB  ({r['version']})"
        )


if __name__ == "__main__":
    main()
