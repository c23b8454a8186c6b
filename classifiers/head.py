"""The multi-label signal head: one logistic regression per tag over sentence embeddings.

The head is stored as a small JSON artifact (default :data:`DEFAULT_ARTIFACT`) holding, for each tag, a weight
vector, a bias and a decision threshold tuned on the validation split, plus the encoder id, the training data
hash, the metrics measured at training time and a version string ``minilm-logreg-<short data hash>``.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from classifiers.types import ClassifierError, ModelMissingError

ARTIFACT_FORMAT = 1
DEFAULT_ARTIFACT = Path(__file__).resolve().parent / "artifacts" / "signal_head.json"


@dataclass
class SignalHead:
    """Per-tag logistic regression weights (``tags x dim``), biases and thresholds, with provenance."""

    tags: list[str]
    weights: np.ndarray
    biases: np.ndarray
    thresholds: np.ndarray
    encoder_id: str
    data_hash: str
    version: str
    metrics: dict[str, Any] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)

    @property
    def dim(self) -> int:
        """Embedding dimension the head expects."""
        return int(self.weights.shape[1])

    def predict_proba(self, embeddings: np.ndarray) -> np.ndarray:
        """Return ``(n, len(tags))`` probabilities for ``(n, dim)`` embeddings."""
        logits = embeddings.astype(np.float64) @ self.weights.T + self.biases
        return 1.0 / (1.0 + np.exp(-np.clip(logits, -40.0, 40.0)))

    def to_dict(self) -> dict[str, Any]:
        """Serialise to the JSON artifact layout (weights rounded to 6 decimals)."""
        return {
            "format": ARTIFACT_FORMAT,
            "version": self.version,
            "encoder_id": self.encoder_id,
            "data_hash": self.data_hash,
            "tags": list(self.tags),
            "thresholds": [round(float(t), 4) for t in self.thresholds],
            "biases": [round(float(b), 6) for b in self.biases],
            "weights": [[round(float(w), 6) for w in row] for row in self.weights],
            "metrics": self.metrics,
            "training": self.training,
        }

    def save(self, path: str | os.PathLike[str] = DEFAULT_ARTIFACT) -> Path:
        """Write the artifact as JSON to ``path`` (parents created) and return the path."""
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(out.suffix + ".tmp")
        tmp.write_text(json.dumps(self.to_dict(), indent=1) + "\n", encoding="utf-8")
        tmp.replace(out)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SignalHead:
        """Build a head from the artifact layout; raise :class:`ClassifierError` if it is malformed."""
        try:
            tags = [str(t) for t in data["tags"]]
            weights = np.asarray(data["weights"], dtype=np.float64)
            biases = np.asarray(data["biases"], dtype=np.float64)
            thresholds = np.asarray(data["thresholds"], dtype=np.float64)
            head = cls(
                tags=tags,
                weights=weights,
                biases=biases,
                thresholds=thresholds,
                encoder_id=str(data["encoder_id"]),
                data_hash=str(data["data_hash"]),
                version=str(data["version"]),
                metrics=dict(data.get("metrics") or {}),
                training=dict(data.get("training") or {}),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ClassifierError(f"malformed signal head artifact ({exc})") from exc
        n = len(tags)
        if weights.ndim != 2 or weights.shape[0] != n or biases.shape != (n,) or thresholds.shape != (n,):
            raise ClassifierError("malformed signal head artifact (shape mismatch between tags and weights)")
        if not all(math.isfinite(float(x)) for x in np.concatenate([weights.ravel(), biases, thresholds])):
            raise ClassifierError("malformed signal head artifact (non-finite numbers)")
        return head


def load_head(path: str | os.PathLike[str] | None = None) -> SignalHead:
    """Load the artifact at ``path`` (default: the committed one).

    Raises :class:`ModelMissingError` if the file does not exist, :class:`ClassifierError` if it is invalid.
    """
    p = Path(path) if path else DEFAULT_ARTIFACT
    if not p.is_file():
        raise ModelMissingError(
            f"no trained signal head at {p}; run `capwatch classifier train` (or set classifier.artifact_path)"
        )
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ClassifierError(f"cannot read signal head artifact {p} ({exc})") from exc
    if not isinstance(data, dict):
        raise ClassifierError(f"cannot read signal head artifact {p} (not a JSON object)")
    return SignalHead.from_dict(data)
