"""Evaluate the transformer classifier and the keyword baseline on a labelled split (default: real-test).

The report holds, for each classifier: per-tag precision / recall / F1 with support, micro and macro F1, exact
match, and the share of hard negatives (real items written to be confusable with events) left untagged. On the
real-world splits it adds the direction of financing events (how many ``out`` events — down rounds, write-downs,
investors pulling out — the classifier calls ``out``) and subject attribution (:mod:`classifiers.orgs.train_subjects`),
both measured with the gold tags so that they do not depend on the tagger.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from classifiers.dataset import REAL_SPLITS, Example, load_split
from classifiers.keywords import KeywordClassifier
from classifiers.metrics import multilabel_report
from classifiers.taxonomy import TAG_NAMES
from classifiers.types import Classification, Classifier

FINANCING = ("funding_raise", "debt_financing")


def classify_all(classifier: Classifier, examples: Sequence[Example], batch_size: int = 256) -> list[Classification]:
    """Classify ``examples`` in batches."""
    out: list[Classification] = []
    for start in range(0, len(examples), batch_size):
        out.extend(classifier.classify([e.article() for e in examples[start : start + batch_size]]))
    return out


def report_for(classifier: Classifier, examples: Sequence[Example],
               results: Sequence[Classification] | None = None) -> dict[str, Any]:
    """The multi-label report of ``classifier`` on ``examples`` (plus hard negatives and direction)."""
    results = list(results) if results is not None else classify_all(classifier, examples)
    predicted = [[t.tag for t in c.tags] for c in results]
    report = multilabel_report([list(e.tags) for e in examples], predicted, TAG_NAMES)
    report["classifier"] = classifier.name
    report["version"] = classifier.version
    negatives = [i for i, e in enumerate(examples) if e.is_hard_negative]
    report["hard_negatives"] = len(negatives)
    report["hard_negatives_untagged"] = (
        round(sum(1 for i in negatives if not predicted[i]) / len(negatives), 4) if negatives else None
    )
    report["direction"] = direction_report(examples, results)
    report["confusions"] = confusions(examples, predicted)
    return report


def confusions(examples: Sequence[Example], predicted: Sequence[Sequence[str]], top: int = 15) -> list[dict[str, Any]]:
    """The most frequent (gold, predicted) pairs where a gold tag was missed and another predicted instead, or a
    tag was predicted on an untagged item (gold ``none``), most frequent first."""
    counts: dict[tuple[str, str], int] = {}
    for ex, pred in zip(examples, predicted, strict=True):
        extra = [t for t in pred if t not in ex.tags]
        missed = [t for t in ex.tags if t not in pred] or (["none"] if not ex.tags else [])
        for gold_tag in missed:
            for wrong in extra or (["none"] if gold_tag != "none" else []):
                counts[(gold_tag, wrong)] = counts.get((gold_tag, wrong), 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    return [{"gold": g, "predicted": p, "count": n} for (g, p), n in ranked]


def direction_report(examples: Sequence[Example], results: Sequence[Classification]) -> dict[str, Any]:
    """For gold financing items: how many ``out`` items are called ``out``, how many ``in`` items are not."""
    gold_out = [i for i, e in enumerate(examples) if set(FINANCING) & set(e.tags) and e.direction == "out"]
    gold_in = [i for i, e in enumerate(examples) if set(FINANCING) & set(e.tags) and e.direction == "in"]
    out_hits = sum(1 for i in gold_out if results[i].direction == "out")
    in_kept = sum(1 for i in gold_in if results[i].direction != "out")
    return {
        "financing_out": len(gold_out),
        "out_recall": round(out_hits / len(gold_out), 4) if gold_out else None,
        "financing_in": len(gold_in),
        "in_not_out": round(in_kept / len(gold_in), 4) if gold_in else None,
    }


def evaluate(
    *,
    split: str = "real-test",
    providers: Mapping[str, Sequence[str]] | None = None,
    model_path: str | os.PathLike[str] | None = None,
    artifact_path: str | os.PathLike[str] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    backend: str | None = None,
) -> dict[str, Any]:
    """Return ``{"split", "n", "backend", "transformer", "keyword", "macro_f1_gain", "subjects"?}`` for ``split``;
    the transformer's encoder runs on ``backend`` (default :data:`classifiers.backends.DEFAULT_BACKEND`)."""
    from classifiers.orgs.catalogue import load_catalogue
    from classifiers.transformer import TransformerClassifier

    examples = load_split(split, data_dir)
    catalogue = load_catalogue()
    provider_map = providers or {o.id: o.names for o in catalogue.values() if o.names}
    transformer = TransformerClassifier(provider_map, model_path=model_path, artifact_path=artifact_path,
                                        backend=backend)
    t_report = report_for(transformer, examples)
    k_report = report_for(KeywordClassifier(provider_map), examples)
    result: dict[str, Any] = {
        "split": split,
        "n": len(examples),
        "backend": transformer.backend,
        "transformer": t_report,
        "keyword": k_report,
        "macro_f1_gain": round(t_report["macro_f1"] - k_report["macro_f1"], 4),
    }
    if split in REAL_SPLITS:
        from classifiers.annotate import subject_model
        from classifiers.orgs.train_subjects import evaluate_subjects

        subjects = evaluate_subjects(subject_model(), examples, catalogue)
        subjects["misses"] = subjects["misses"][:20]
        result["subjects"] = subjects
    return result


def format_report(result: dict[str, Any]) -> str:
    """Render an :func:`evaluate` result as a plain-text table: per-tag P/R/F1 for both classifiers."""
    t, k = result["transformer"], result["keyword"]
    lines = [
        f"split={result['split']} n={result['n']}  transformer={t['version']} ({result.get('backend', 'torch')})  "
        f"baseline={k['version']}",
        f"{'tag':<18} {'support':>7} | {'P':>5} {'R':>5} {'F1':>5} | {'kw P':>5} {'kw R':>5} {'kw F1':>5}",
        "-" * 68,
    ]
    for tag in TAG_NAMES:
        a, b = t["per_tag"][tag], k["per_tag"][tag]
        lines.append(
            f"{tag:<18} {a['support']:>7} | {a['precision']:>5.2f} {a['recall']:>5.2f} {a['f1']:>5.2f} | "
            f"{b['precision']:>5.2f} {b['recall']:>5.2f} {b['f1']:>5.2f}"
        )
    lines.append("-" * 68)
    for key in ("micro_f1", "macro_f1", "exact_match", "none_accuracy", "hard_negatives_untagged"):
        a, b = t.get(key), k.get(key)
        if a is None:
            continue
        lines.append(f"{key:<26} | {a:>17.3f} | {b:>17.3f}")
    lines.append(f"macro-F1 gain over keyword baseline: {result['macro_f1_gain']:+.3f}")
    d = t["direction"]
    if d["financing_out"]:
        lines.append(f"financing direction: {d['out_recall']:.3f} of {d['financing_out']} money-out events called out, "
                     f"{d['in_not_out']:.3f} of {d['financing_in']} money-in events not")
    s = result.get("subjects")
    if s:
        lines.append(
            f"subjects: primary subject found {s['primary_found']:.3f} (top-1 {s['primary_top1']:.3f}) of "
            f"{s['n_subject_in_catalogue']} items; no mention-only company credited in {s['no_mention_credited']:.3f} "
            f"of {s['n_tagged']} tagged items; subject in the catalogue for {s['coverage']:.3f}"
        )
    return "\n".join(lines)
