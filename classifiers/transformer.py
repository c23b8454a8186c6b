"""The transformer classifier (name ``"transformer"``): the fine-tuned MiniLM signal model.

Tags come from the signal model (a tag is emitted when its probability reaches the tag's threshold tuned on
real-dev); organisations, subjects, amounts and directions come from the rule-based modules and the subject
model, exactly as for the keyword baseline. The version is the signal model's version as served by the backend
(:func:`classifiers.backends.version_for`: ``-int8`` appended for ``onnx-int8``) joined to the subject
model's, so retraining either, or switching to or from int8, makes ``capwatch classify`` re-tag.

The backend (``[classifier] backend``: ``onnx-int8``, ``onnx`` or ``torch``, :data:`DEFAULT_BACKEND` when not
given) runs the encoder; see :mod:`classifiers.onnx_backend`. Nothing is loaded until the first non-empty batch.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from classifiers.annotate import annotate, attributor_for, subject_model
from classifiers.backends import DEFAULT_BACKEND, check_backend, version_for
from classifiers.encoder import resolve_model_path
from classifiers.signal_model import (
    SignalEncoder,
    SignalModel,
    TunedEncoder,
    load_signal_model,
    read_signal_version,
)
from classifiers.taxonomy import is_tag
from classifiers.types import ArticleText, Classification, TagScore

_CACHE: dict[tuple[str, str, str, str], SignalEncoder] = {}
_CACHE_LOCK = threading.Lock()


def get_tuned_encoder(model: SignalModel, model_path: str | os.PathLike[str] | None = None,
                      backend: str = "torch", cache_dir: str | os.PathLike[str] | None = None) -> SignalEncoder:
    """The process-wide encoder of ``model`` (by weights) for ``backend`` and the encoder folder, loaded (and for
    ONNX backends exported) on first use."""
    folder = ""
    if check_backend(backend) != "torch":
        from classifiers.onnx_backend import default_cache_dir

        folder = str(Path(cache_dir).expanduser() if cache_dir else default_cache_dir())
    key = (model.weights_sha256 or model.version, str(Path(resolve_model_path(model_path)).resolve()), backend, folder)
    with _CACHE_LOCK:
        if key not in _CACHE:
            if backend == "torch":
                _CACHE[key] = TunedEncoder(model, model_path)
            else:
                from classifiers.onnx_backend import OnnxTunedEncoder

                _CACHE[key] = OnnxTunedEncoder(model, backend, model_path, cache_dir=folder)
        return _CACHE[key]


def transformer_version(artifact_path: str | os.PathLike[str] | None = None, backend: str = DEFAULT_BACKEND) -> str:
    """The version a :class:`TransformerClassifier` would have, read from the artifact's JSON without loading
    any weights (for deciding whether anything needs classifying)."""
    return f"{version_for(read_signal_version(artifact_path), backend)}+{subject_model().version}"


class TransformerClassifier:
    """Classifies articles with the fine-tuned signal model."""

    name = "transformer"

    def __init__(
        self,
        providers: Mapping[str, Sequence[str]],
        *,
        model_path: str | os.PathLike[str] | None = None,
        artifact_path: str | os.PathLike[str] | None = None,
        signal_model: SignalModel | None = None,
        backend: str | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        """Load the signal model (``artifact_path`` or the committed one) over the encoder (``model_path`` or
        the packaged one), to be run by ``backend`` (default :data:`DEFAULT_BACKEND`); ONNX exports are cached in
        ``cache_dir`` (default :func:`classifiers.onnx_backend.default_cache_dir`).

        Raises :class:`~classifiers.types.ModelMissingError` if either is missing and
        :class:`~classifiers.types.ClassifierError` for an unknown backend.
        """
        self.providers = providers
        self.backend = check_backend(backend or DEFAULT_BACKEND)
        self.attributor = attributor_for(providers)
        self.model = signal_model if signal_model is not None else load_signal_model(artifact_path)
        resolve_model_path(model_path)  # a missing encoder is an error now, not at the first article
        self._model_path = model_path
        self._cache_dir = cache_dir
        self._encoder: SignalEncoder | None = None
        self.version = f"{version_for(self.model.version, self.backend)}+{subject_model().version}"
        self._known = [is_tag(t) for t in self.model.tags]

    @property
    def encoder(self) -> SignalEncoder:
        """The backend's encoder, loaded (torch and the weights, or the ONNX session, exported first if the cache
        lacks it) on first use: a classifier with nothing to classify never loads it."""
        if self._encoder is None:
            self._encoder = get_tuned_encoder(self.model, self._model_path, self.backend, self._cache_dir)
        return self._encoder

    @encoder.setter
    def encoder(self, value: SignalEncoder) -> None:
        self._encoder = value

    def classify(self, items: Sequence[ArticleText]) -> list[Classification]:
        """Classify ``items`` in one batched encoder pass; one result per item, in order."""
        if not items:
            return []
        probs = self.encoder.probabilities([(it.title, it.text) for it in items])
        out: list[Classification] = []
        for item, row in zip(items, probs, strict=True):
            tags = [
                TagScore(tag, round(float(p), 4))
                for tag, p, thr, known in zip(self.model.tags, row, self.model.thresholds, self._known, strict=True)
                if known and p >= thr
            ]
            out.append(annotate(item, tags, self.attributor, self.version))
        return out
