"""Multi-label metrics: per-tag precision/recall/F1 plus micro and macro F1."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def _f1(p: float, r: float) -> float:
    """Harmonic mean of precision and recall (0 when both are 0)."""
    return 2 * p * r / (p + r) if p + r else 0.0


def multilabel_report(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]], tags: Sequence[str]) -> dict[str, Any]:
    """Compare gold and predicted tag lists; return per-tag P/R/F1/support and micro/macro F1.

    Macro F1 averages the per-tag F1 over ``tags`` that have gold support or predictions. Also reports
    ``none_accuracy``: how often an article with no gold tag got no predicted tag, and ``exact_match``.
    """
    per: dict[str, dict[str, float]] = {}
    tp_all = fp_all = fn_all = 0
    for tag in tags:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if tag in g and tag in p)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if tag not in g and tag in p)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if tag in g and tag not in p)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        per[tag] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(_f1(precision, recall), 4),
            "support": tp + fn,
        }
        tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
    micro_p = tp_all / (tp_all + fp_all) if tp_all + fp_all else 0.0
    micro_r = tp_all / (tp_all + fn_all) if tp_all + fn_all else 0.0
    scored = [per[t]["f1"] for t in tags if per[t]["support"] or any(t in p for p in pred)]
    none_gold = [i for i, g in enumerate(gold) if not g]
    return {
        "per_tag": per,
        "micro_precision": round(micro_p, 4),
        "micro_recall": round(micro_r, 4),
        "micro_f1": round(_f1(micro_p, micro_r), 4),
        "macro_f1": round(sum(scored) / len(scored), 4) if scored else 0.0,
        "none_accuracy": round(sum(1 for i in none_gold if not pred[i]) / len(none_gold), 4) if none_gold else 0.0,
        "exact_match": round(sum(1 for g, p in zip(gold, pred, strict=True) if set(g) == set(p)) / len(gold), 4)
        if gold
        else 0.0,
        "n": len(gold),
    }
