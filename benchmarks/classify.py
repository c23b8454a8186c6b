"""Benchmark the classifiers: articles per second next to a plain torch encode of the same texts, peak RSS, start-up.

Articles are built from the real-world test split, each padded with sentences from other items to a realistic
title + lede/body length (about 60 to 300 words). Usage::

    python benchmarks/classify.py [--articles 1000] [--backend all|onnx-int8|onnx|torch] [--rounds 3]
                                  [--no-keyword] [--no-startup] [--max-length N] [--json]

For each transformer backend, in one process and interleaved round by round (so every number sees the same
machine state), it times ``capwatch``'s classification (``TransformerClassifier.classify`` in batches of 64: the
encoder, the head, subject attribution, amounts) and a **plain torch fp32 encode** of the same encoder inputs
(the wheel's MiniLM through :class:`classifiers.encoder.Encoder`: tokenise, forward, mean-pool, normalise), and
reports the best round of each and their ratio. Models are loaded (and ONNX exports made) before timing.

Peak RSS (``VmHWM``, load included) is measured per backend in a **separate child process** that loads only
that classifier and classifies the same articles, because the parent holds torch for the baseline. Start-up is
the wall time from launching ``python -m monitor classifier predict --backend B`` on a one-line input to its
first output line (export already cached), best of three.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from classifiers.backends import BACKENDS  # noqa: E402
from classifiers.dataset import load_split  # noqa: E402
from classifiers.encoder import article_input  # noqa: E402
from classifiers.orgs.catalogue import load_catalogue  # noqa: E402
from classifiers.types import ArticleText, Classifier  # noqa: E402

NAMES = {o.id: o.names for o in load_catalogue().values() if o.names}
BATCH = 64
ROOT = Path(__file__).resolve().parent.parent


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
    """Peak resident set size of this process in MiB: ``VmHWM`` where /proc has it (it starts afresh at exec,
    unlike ``ru_maxrss``, which a child started by ``subprocess`` inherits from its parent), else ``ru_maxrss``."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(kind: str, backend: str, max_length: int | None) -> Classifier:
    """A classifier of ``kind`` (transformer on ``backend``) with its encoder loaded."""
    if kind == "keyword":
        from classifiers.keywords import KeywordClassifier

        return KeywordClassifier(NAMES)
    from classifiers.transformer import TransformerClassifier

    clf = TransformerClassifier(NAMES, backend=backend)
    if max_length:
        if backend == "torch":
            from classifiers.signal_model import TunedEncoder

            clf.encoder = TunedEncoder(clf.model, max_length=max_length)
        else:
            from classifiers.onnx_backend import OnnxTunedEncoder

            clf.encoder = OnnxTunedEncoder(clf.model, backend, max_length=max_length)
    _ = clf.encoder
    return clf


def time_classify(clf: Classifier, articles: list[ArticleText]) -> tuple[float, int]:
    """Seconds to classify ``articles`` in batches of 64, and how many got a tag."""
    started = time.perf_counter()
    tagged = 0
    for start in range(0, len(articles), BATCH):
        tagged += sum(1 for c in clf.classify(articles[start : start + BATCH]) if c.tags)
    return time.perf_counter() - started, tagged


def child(kind: str, backend: str, n: int, max_length: int | None) -> dict[str, Any]:
    """Load one classifier, classify ``n`` articles; its own rate, load time and peak RSS (run in a subprocess)."""
    articles = make_articles(n)
    started = time.perf_counter()
    clf = build(kind, backend, max_length)
    load_s = time.perf_counter() - started
    elapsed, tagged = time_classify(clf, articles)
    return {"kind": kind, "backend": backend if kind == "transformer" else None, "version": clf.version,
            "load_seconds": round(load_s, 2), "alone_articles_per_second": round(n / elapsed, 1),
            "tagged_fraction": round(tagged / n, 3), "peak_rss_mb": round(peak_rss_mb(), 1),
            "torch_imported": "torch" in sys.modules}


def run_child(kind: str, backend: str, n: int, max_length: int | None) -> dict[str, Any]:
    """Run :func:`child` in a fresh interpreter and return its JSON."""
    cmd = [sys.executable, __file__, "--child", kind, "--backend", backend, "--articles", str(n)]
    if max_length:
        cmd += ["--max-length", str(max_length)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def startup(backend: str, tries: int = 3) -> float:
    """Best wall time from launching ``classifier predict --backend`` on one line to its first output line."""
    line = json.dumps({"id": "s", "title": "Anthropic cuts Claude API prices", "text": "Now $3 per million tokens."})
    best = float("inf")
    for _ in range(tries):
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "monitor", "classifier", "predict", "--backend", backend],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                cwd=ROOT)
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(line + "\n")
        proc.stdin.close()  # predict answers per 64 lines or at the end of its input
        proc.stdout.readline()
        best = min(best, time.perf_counter() - started)
        proc.wait()
    return round(best, 2)


def side_by_side(backends: list[str], articles: list[ArticleText], rounds: int,
                 max_length: int | None) -> dict[str, Any]:
    """Interleaved rounds in this process: the plain torch encode, then each backend's classify."""
    from classifiers.encoder import Encoder

    texts = [article_input(a.title, a.text) for a in articles]
    plain = Encoder(max_length=max_length)
    clfs = {b: build("transformer", b, max_length) for b in backends}
    plain.encode(texts[:BATCH])  # warm up every path once
    for clf in clfs.values():
        clf.classify(articles[:BATCH])
    baseline: list[float] = []
    took: dict[str, list[float]] = {b: [] for b in backends}
    for _ in range(rounds):
        started = time.perf_counter()
        plain.encode(texts)
        baseline.append(time.perf_counter() - started)
        for b, clf in clfs.items():
            took[b].append(time_classify(clf, articles)[0])
    base_rate = len(texts) / min(baseline)
    return {
        "plain_torch_texts_per_second": round(base_rate, 1),
        "plain_torch_rounds": [round(len(texts) / s, 1) for s in baseline],
        "backends": {
            b: {"articles_per_second": round(len(articles) / min(s), 1),
                "rounds": [round(len(articles) / x, 1) for x in s],
                "ratio_to_plain_torch": round(len(articles) / min(s) / base_rate, 2),
                "version": clfs[b].version}
            for b, s in took.items()
        },
    }


def main() -> None:
    """Parse arguments, run the benchmark(s) and print the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--backend", choices=["all", *BACKENDS], default="all")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-keyword", action="store_true", help="Skip the keyword baseline.")
    parser.add_argument("--no-startup", action="store_true", help="Skip the predict start-up measurement.")
    parser.add_argument("--max-length", type=int, default=None, help="Override the encoder's token limit.")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", choices=["transformer", "keyword"], default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.backend, args.articles, args.max_length)))
        return
    backends = list(BACKENDS) if args.backend == "all" else [args.backend]
    articles = make_articles(args.articles)
    words = sum(len(a.title.split()) + len(a.text.split()) for a in articles) / len(articles)
    for b in backends:  # export before anything is timed (first use only)
        if b != "torch":
            run_child("transformer", b, 1, args.max_length)
    result: dict[str, Any] = {"articles": len(articles), "mean_words": round(words, 1),
                              **side_by_side(backends, articles, max(1, args.rounds), args.max_length)}
    for b in backends:
        result["backends"][b].update(run_child("transformer", b, len(articles), args.max_length))
        if not args.no_startup:
            result["backends"][b]["predict_startup_seconds"] = startup(b)
    if not args.no_keyword:
        result["keyword"] = run_child("keyword", "torch", len(articles), None)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{len(articles)} articles, mean {words:.0f} words; plain torch fp32 encode of the same texts: "
          f"{result['plain_torch_texts_per_second']:.1f} texts/s (rounds {result['plain_torch_rounds']})")
    for b, r in result["backends"].items():
        start = f"  predict start-up {r['predict_startup_seconds']:.2f}s" if "predict_startup_seconds" in r else ""
        print(f"transformer/{b:<9} {r['articles_per_second']:>7.1f} articles/s = {r['ratio_to_plain_torch']:.2f}x plain "
              f"torch (rounds {r['rounds']}); alone {r['alone_articles_per_second']:.1f}/s, load {r['load_seconds']:.1f}s, "
              f"peak RSS {r['peak_rss_mb']:.0f} MiB, torch imported: {r['torch_imported']}{start}  ({r['version']})")
    if "keyword" in result:
        k = result["keyword"]
        print(f"keyword             {k['alone_articles_per_second']:>7.1f} articles/s  peak RSS {k['peak_rss_mb']:.0f} MiB")


if __name__ == "__main__":
    main()
