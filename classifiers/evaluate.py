"""Evaluate the transformer classifier and the keyword baseline on a labelled split (default: test)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from classifiers.dataset import Example, load_split
from classifiers.keywords import KeywordClassifier
from classifiers.metrics import multilabel_report
from classifiers.taxonomy import TAG_NAMES
from classifiers.types import Classifier


def evaluate_classifier(classifier: Classifier, examples: Sequence[Example], batch_size: int = 256) -> dict[str, Any]:
    """Classify ``examples`` and return the multi-label report (plus the classifier's name and version)."""
    predicted: list[list[str]] = []
    for start in range(0, len(examples), batch_size):
        chunk = examples[start : start + batch_size]
        predicted.extend([t.tag for t in c.tags] for c in classifier.classify([e.article() for e in chunk]))
    report = multilabel_report([list(e.tags) for e in examples], predicted, TAG_NAMES)
    report["classifier"] = classifier.name
    report["version"] = classifier.version
    return report


def evaluate(
    *,
    split: str = "test",
    providers: Mapping[str, Sequence[str]] | None = None,
    model_path: str | os.PathLike[str] | None = None,
    artifact_path: str | os.PathLike[str] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Return ``{"split", "n", "transformer": report, "keyword": report, "macro_f1_gain"}`` for ``split``."""
    from classifiers.transformer import TransformerClassifier

    examples = load_split(split, data_dir)
    provider_map = providers or {}
    transformer = TransformerClassifier(provider_map, model_path=model_path, artifact_path=artifact_path)
    t_report = evaluate_classifier(transformer, examples)
    k_report = evaluate_classifier(KeywordClassifier(provider_map), examples)
    return {
        "split": split,
        "n": len(examples),
        "transformer": t_report,
        "keyword": k_report,
        "macro_f1_gain": round(t_report["macro_f1"] - k_report["macro_f1"], 4),
    }


def format_report(result: dict[str, Any]) -> str:
    """Render an :func:`evaluate` result as a plain-text table: per-tag P/R/F1 for both classifiers."""
    t, k = result["transformer"], result["keyword"]
    lines = [
        f"split={result['split']} n={result['n']}  transformer={t['version']}  baseline={k['version']}",
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
    for key in ("micro_f1", "macro_f1", "none_accuracy", "exact_match"):
        lines.append(f"{key:<26} | {t[key]:>17.3f} | {k[key]:>17.3f}")
    lines.append(f"macro-F1 gain over keyword baseline: {result['macro_f1_gain']:+.3f}")
    return "\n".join(lines)
