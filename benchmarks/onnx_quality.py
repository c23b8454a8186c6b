"""Quality of the ONNX backends against torch, measured on the real-world corpus; prints the backend it implies.

For every item of classifiers/data/real/*.jsonl (title + text, the classifier's 64-token input) it compares the
ONNX fp32 and int8 embeddings with torch's: mean and minimum cosine, the largest tag-probability difference, and
the share of items whose tags (the head's thresholds) are identical to torch's. It also checks that the
``tokenizers`` tokenizer the ONNX backends use gives the same ids as transformers' ``AutoTokenizer``, and
measures the real-test macro-F1 of each backend with :func:`classifiers.evaluate.report_for` and its encoding
speed over the corpus (interleaved rounds, same process). Then it applies the rule of docs/classifier.md
"Backends": ``onnx-int8`` if its macro-F1 is within 0.01 of torch's and it keeps hard negatives untagged at the
0.92 target (when torch does), else ``onnx`` if faster, else ``torch``.

Usage::

    python benchmarks/onnx_quality.py [--rounds 2] [--json]

Exports go to the model cache ($CAPWATCH_MODEL_CACHE or <data dir>/models), made on first use.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from classifiers.dataset import REAL_SPLITS, load_split  # noqa: E402
from classifiers.encoder import article_input  # noqa: E402
from classifiers.evaluate import report_for  # noqa: E402
from classifiers.orgs.catalogue import load_catalogue  # noqa: E402
from classifiers.signal_model import head_probabilities  # noqa: E402
from classifiers.transformer import TransformerClassifier  # noqa: E402

ONNX_BACKENDS = ("onnx", "onnx-int8")
MAX_F1_DROP = 0.01
MIN_HARD_NEGATIVES = 0.92
"""The signal-quality target for hard negatives left untagged on real-test (docs/classifier.md)."""


def tags_of(clf: TransformerClassifier, probs: np.ndarray) -> list[tuple[str, ...]]:
    """The tag set of each row of probabilities under the classifier's thresholds."""
    keep = probs >= clf.model.thresholds[None, :]
    return [tuple(t for t, k in zip(clf.model.tags, row, strict=True) if k) for row in keep]


def measure(rounds: int) -> dict[str, Any]:
    """Run every comparison and return the numbers (see the module docstring)."""
    names = {o.id: o.names for o in load_catalogue().values() if o.names}
    examples = [e for split in REAL_SPLITS for e in load_split(split)]
    texts = [article_input(e.title, e.text) for e in examples]
    test = load_split("real-test")
    clfs = {b: TransformerClassifier(names, backend=b) for b in ("torch", *ONNX_BACKENDS)}
    encoders = {b: c.encoder for b, c in clfs.items()}  # exports (first run only) and loads everything up front

    from classifiers.onnx_backend import OnnxTunedEncoder
    from classifiers.signal_model import TunedEncoder

    torch_enc = encoders["torch"]
    onnx_enc = encoders["onnx"]
    assert isinstance(torch_enc, TunedEncoder) and isinstance(onnx_enc, OnnxTunedEncoder)
    hf = torch_enc.base.tokenizer(texts, truncation=True, max_length=torch_enc.max_length)["input_ids"]
    ours = [[i for i, m in zip(e.ids, e.attention_mask, strict=True) if m]
            for e in onnx_enc.tokenizer.tokenizer.encode_batch([t or " " for t in texts])]
    same_ids = sum(1 for a, b in zip(hf, ours, strict=True) if list(a) == b)

    seconds: dict[str, list[float]] = {b: [] for b in encoders}
    emb: dict[str, np.ndarray] = {}
    for _ in range(rounds):
        for b, enc in encoders.items():
            started = time.perf_counter()
            emb[b] = enc.encode(texts)
            seconds[b].append(time.perf_counter() - started)
    model = clfs["torch"].model
    ref_probs = head_probabilities(model, emb["torch"])
    ref_tags = tags_of(clfs["torch"], ref_probs)
    result: dict[str, Any] = {
        "items": len(texts),
        "window": torch_enc.max_length,
        "tokenizer_same_ids": same_ids,
        "version": {b: c.version for b, c in clfs.items()},
        "texts_per_second": {b: round(len(texts) / min(s), 1) for b, s in seconds.items()},
        "backends": {},
    }
    for b in ONNX_BACKENDS:
        cos = (emb[b] * emb["torch"]).sum(axis=1)
        probs = head_probabilities(model, emb[b])
        same = sum(1 for x, y in zip(tags_of(clfs[b], probs), ref_tags, strict=True) if x == y)
        result["backends"][b] = {
            "cosine_mean": round(float(cos.mean()), 5),
            "cosine_min": round(float(cos.min()), 5),
            "max_abs_embedding_diff": float(np.abs(emb[b] - emb["torch"]).max()),
            "max_abs_probability_diff": float(np.abs(probs - ref_probs).max()),
            "same_tags": round(same / len(texts), 4),
            "different_tags": len(texts) - same,
        }
    f1 = {}
    for b, clf in clfs.items():
        report = report_for(clf, test)
        f1[b] = {"macro_f1": report["macro_f1"], "micro_f1": report["micro_f1"],
                 "hard_negatives_untagged": report["hard_negatives_untagged"]}
    result["real_test"] = f1
    result["choice"] = choose(f1, result["texts_per_second"])
    return result


def choose(f1: dict[str, dict[str, float]], speed: dict[str, float]) -> dict[str, str]:
    """The rule: int8 if its real-test macro-F1 drops by less than 0.01 vs torch and it keeps the share of hard
    negatives left untagged at the signal-quality target (0.92) when torch does; else fp32 ONNX if faster than
    torch; else torch."""
    drop = f1["torch"]["macro_f1"] - f1["onnx-int8"]["macro_f1"]
    negatives = f1["onnx-int8"]["hard_negatives_untagged"]
    keeps_negatives = negatives >= MIN_HARD_NEGATIVES or f1["torch"]["hard_negatives_untagged"] < MIN_HARD_NEGATIVES
    if drop < MAX_F1_DROP and keeps_negatives:
        return {"backend": "onnx-int8", "why": f"int8 macro-F1 drop {drop:+.4f} < {MAX_F1_DROP}"}
    if drop < MAX_F1_DROP:
        why = f"int8 leaves {negatives:.3f} of hard negatives untagged (< {MIN_HARD_NEGATIVES}, torch keeps it)"
        return {"backend": "onnx" if speed["onnx"] > speed["torch"] else "torch", "why": why}
    if speed["onnx"] > speed["torch"]:
        return {"backend": "onnx", "why": f"int8 drops {drop:.4f}; fp32 ONNX is faster than torch"}
    return {"backend": "torch", "why": f"int8 drops {drop:.4f}; fp32 ONNX is not faster"}


def main() -> None:
    """Parse arguments, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="Interleaved speed rounds (best is kept).")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    r = measure(max(1, args.rounds))
    if args.json:
        print(json.dumps(r, indent=2))
        return
    print(f"{r['items']} real items, {r['window']}-token window; tokenizers ids equal to AutoTokenizer's for "
          f"{r['tokenizer_same_ids']} of {r['items']}")
    print(f"{'backend':<10} {'cos mean':>9} {'cos min':>8} {'max |dp|':>9} {'same tags':>10} {'real-test macro-F1':>19} "
          f"{'texts/s':>8}  version")
    for b in ("torch", *ONNX_BACKENDS):
        q = r["backends"].get(b)
        cols = (f"{q['cosine_mean']:>9.5f} {q['cosine_min']:>8.5f} {q['max_abs_probability_diff']:>9.2g} "
                f"{q['same_tags']:>10.4f}") if q else f"{'—':>9} {'—':>8} {'—':>9} {'—':>10}"
        print(f"{b:<10} {cols} {r['real_test'][b]['macro_f1']:>19.4f} {r['texts_per_second'][b]:>8.1f}  "
              f"{r['version'][b]}")
    print(f"default by the rule: {r['choice']['backend']} ({r['choice']['why']})")


if __name__ == "__main__":
    main()
