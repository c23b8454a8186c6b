"""Train the signal head: L2-regularised logistic regression per tag on MiniLM embeddings.

Each tag's regression is fitted exactly with Newton's method (iteratively reweighted least squares) on the
train split, so training is deterministic; positives are up-weighted to balance each tag. Each tag's decision
threshold is then tuned on the validation split to maximise F1. The resulting head is evaluated on the test
split (and the keyword baseline next to it) and written as the JSON artifact.
"""

from __future__ import annotations

import os
import random
from collections.abc import Sequence
from typing import Any

import numpy as np

from classifiers.dataset import Example, data_hash, load_split
from classifiers.encoder import ENCODER_ID, Encoder, get_encoder
from classifiers.head import DEFAULT_ARTIFACT, SignalHead
from classifiers.keywords import KeywordClassifier
from classifiers.metrics import multilabel_report
from classifiers.taxonomy import TAG_NAMES
from classifiers.types import ClassifierError

SEED = 13
L2 = 0.3
"""L2 penalty (on the weights, not the bias), in units of one fully-weighted example."""
POSITIVE_WEIGHT_CAP = 5.0
NEWTON_ITERATIONS = 25
THRESHOLD_GRID = tuple(round(0.1 + 0.025 * i, 3) for i in range(33))  # 0.10 .. 0.90
AUGMENT_VIEWS = False
"""Also train on the title alone and the text alone of each training example (more phrasing variety)."""
THRESHOLD_SHRINK = 0.25
"""Tuned thresholds are pulled this fraction of the way back to 0.5, to damp noise from a small validation set."""


def labels_matrix(examples: Sequence[Example], tags: Sequence[str]) -> np.ndarray:
    """Return an ``(n, len(tags))`` 0/1 matrix of gold labels."""
    y = np.zeros((len(examples), len(tags)), dtype=np.float64)
    index = {t: i for i, t in enumerate(tags)}
    for row, ex in enumerate(examples):
        for tag in ex.tags:
            if tag in index:
                y[row, index[tag]] = 1.0
    return y


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = L2, iterations: int = NEWTON_ITERATIONS) -> tuple[np.ndarray, float]:
    """Fit one weighted, L2-regularised logistic regression with Newton steps; return ``(weights, bias)``."""
    n, d = x.shape
    pos = float(y.sum())
    if pos == 0 or pos == n:
        return np.zeros(d), (-8.0 if pos == 0 else 8.0)
    w_pos = min(POSITIVE_WEIGHT_CAP, (n - pos) / pos)
    sample_w = np.where(y > 0, w_pos, 1.0)
    xb = np.hstack([x, np.ones((n, 1))])
    beta = np.zeros(d + 1)
    reg = np.full(d + 1, l2)
    reg[-1] = 1e-6
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(xb @ beta, -40, 40)))
        grad = xb.T @ (sample_w * (p - y)) + reg * beta
        hess = (xb * (sample_w * p * (1 - p))[:, None]).T @ xb + np.diag(reg)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if float(np.max(np.abs(step))) < 1e-7:
            break
    return beta[:-1], float(beta[-1])


def tune_threshold(probs: np.ndarray, y: np.ndarray) -> float:
    """Return the threshold maximising F1 of ``probs >= t`` against ``y`` (ties: closest to 0.5), shrunk to 0.5."""
    if y.sum() == 0:
        return 0.5
    best_t, best_f1 = 0.5, -1.0
    for t in sorted(THRESHOLD_GRID, key=lambda v: abs(v - 0.5)):
        pred = probs >= t
        tp = float((pred & (y > 0)).sum())
        fp = float((pred & (y == 0)).sum())
        fn = float((~pred & (y > 0)).sum())
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f1 > best_f1 + 1e-9:
            best_t, best_f1 = t, f1
    return round(best_t + THRESHOLD_SHRINK * (0.5 - best_t), 4)


def fit_head(
    x_train: np.ndarray,
    train: Sequence[Example],
    x_val: np.ndarray,
    validation: Sequence[Example],
    tags: Sequence[str] = TAG_NAMES,
    *,
    l2: float = L2,
    data_hash_value: str = "adhoc",
) -> SignalHead:
    """Fit weights on the train embeddings and tune thresholds on the validation embeddings."""
    y_train = labels_matrix(train, tags)
    y_val = labels_matrix(validation, tags)
    weights = np.zeros((len(tags), x_train.shape[1]))
    biases = np.zeros(len(tags))
    for i in range(len(tags)):
        weights[i], biases[i] = fit_logistic(x_train.astype(np.float64), y_train[:, i], l2=l2)
    head = SignalHead(
        tags=list(tags),
        weights=weights,
        biases=biases,
        thresholds=np.full(len(tags), 0.5),
        encoder_id=ENCODER_ID,
        data_hash=data_hash_value,
        version=f"minilm-logreg-{data_hash_value[:8]}",
        training={"l2": l2, "positive_weight_cap": POSITIVE_WEIGHT_CAP, "threshold_shrink": THRESHOLD_SHRINK,
                  "seed": SEED, "n_train": len(train), "n_validation": len(validation)},
    )
    if len(validation):
        probs = head.predict_proba(x_val)
        head.thresholds = np.array([tune_threshold(probs[:, i], y_val[:, i]) for i in range(len(tags))])
    return head


def predicted_tags(head: SignalHead, x: np.ndarray) -> list[list[str]]:
    """Return the tags the head emits for each embedding row."""
    probs = head.predict_proba(x)
    return [[t for t, p, thr in zip(head.tags, row, head.thresholds, strict=True) if p >= thr] for row in probs]


def train(
    *,
    data_dir: str | os.PathLike[str] | None = None,
    artifact_path: str | os.PathLike[str] | None = DEFAULT_ARTIFACT,
    model_path: str | os.PathLike[str] | None = None,
    encoder: Encoder | None = None,
    l2: float = L2,
    limit: int | None = None,
    augment: bool = AUGMENT_VIEWS,
) -> SignalHead:
    """Train the head on the shipped splits, evaluate it on the test split and save the artifact.

    ``limit`` keeps only the first N training examples (for quick tests); ``augment`` adds title-only and
    text-only views of each training example. ``artifact_path=None`` skips saving.
    Deterministic: fixed seed, exact solver. Returns the head with ``metrics`` filled in.
    """
    random.seed(SEED)
    np.random.seed(SEED)
    train_ex = load_split("train", data_dir)
    val_ex = load_split("validation", data_dir)
    test_ex = load_split("test", data_dir)
    if limit is not None:
        train_ex = train_ex[:limit]
    if not train_ex:
        raise ClassifierError("no training examples")
    enc = encoder or get_encoder(model_path)
    x_train = enc.encode_articles([(e.title, e.text) for e in train_ex])
    fit_ex = list(train_ex)
    if augment:
        views = [e for e in train_ex if e.title.strip() and e.text.strip()]
        x_views = enc.encode([e.title for e in views] + [e.text for e in views])
        x_train = np.vstack([x_train, x_views])
        fit_ex += views + views
    x_val = enc.encode_articles([(e.title, e.text) for e in val_ex])
    head = fit_head(x_train, fit_ex, x_val, val_ex, l2=l2, data_hash_value=data_hash(data_dir=data_dir))
    head.training["augment_views"] = augment
    head.training["max_tokens"] = enc.max_length
    head.training["n_train"] = len(train_ex)
    metrics: dict[str, Any] = {}
    if test_ex:
        x_test = enc.encode_articles([(e.title, e.text) for e in test_ex])
        gold = [list(e.tags) for e in test_ex]
        metrics["test"] = multilabel_report(gold, predicted_tags(head, x_test), head.tags)
        kw = KeywordClassifier({}).classify([e.article() for e in test_ex])
        metrics["test_keyword_baseline"] = multilabel_report(gold, [[t.tag for t in c.tags] for c in kw], head.tags)
    if val_ex:
        metrics["validation"] = multilabel_report([list(e.tags) for e in val_ex], predicted_tags(head, x_val), head.tags)
    head.metrics = _summary_metrics(metrics)
    if artifact_path is not None:
        head.save(artifact_path)
    return head


def _summary_metrics(metrics: dict[str, Any]) -> dict[str, Any]:
    """Keep the artifact small: per-tag F1 plus the headline numbers of each report."""
    out: dict[str, Any] = {}
    for name, rep in metrics.items():
        out[name] = {k: v for k, v in rep.items() if k != "per_tag"}
        out[name]["per_tag_f1"] = {t: m["f1"] for t, m in rep["per_tag"].items()}
    return out
