"""The transformer classifier (name ``"transformer"``): the fine-tuned MiniLM signal model.

Tags come from the signal model (a tag is emitted when its probability reaches the tag's threshold tuned on
real-dev); organisations, subjects, amounts and directions come from the rule-based modules and the subject
model, exactly as for the keyword baseline. The version is the signal model's version joined to
the subject model's, so retraining either makes ``capwatch classify`` re-tag.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from classifiers.annotate import annotate, attributor_for, subject_model
from classifiers.encoder import resolve_model_path
from classifiers.signal_model import SignalModel, TunedEncoder, load_signal_model
from classifiers.taxonomy import is_tag
from classifiers.types import ArticleText, Classification, TagScore

_CACHE: dict[tuple[str, str], TunedEncoder] = {}
_CACHE_LOCK = threading.Lock()


def get_tuned_encoder(model: SignalModel, model_path: str | os.PathLike[str] | None = None) -> TunedEncoder:
    """The process-wide :class:`TunedEncoder` for ``model`` (by version) and the encoder folder."""
    key = (model.version, str(Path(resolve_model_path(model_path)).resolve()))
    with _CACHE_LOCK:
        if key not in _CACHE:
            _CACHE[key] = TunedEncoder(model, model_path)
        return _CACHE[key]


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
    ) -> None:
        """Load the signal model (``artifact_path`` or the committed one) over the encoder (``model_path`` or
        the packaged one).

        Raises :class:`~classifiers.types.ModelMissingError` if either is missing.
        """
        self.providers = providers
        self.attributor = attributor_for(providers)
        self.model = signal_model if signal_model is not None else load_signal_model(artifact_path)
        resolve_model_path(model_path)  # a missing encoder is an error now, not at the first article
        self._model_path = model_path
        self._encoder: TunedEncoder | None = None
        self.version = f"{self.model.version}+{subject_model().version}"
        self._known = [is_tag(t) for t in self.model.tags]

    @property
    def encoder(self) -> TunedEncoder:
        """The tuned encoder, loaded (torch and the weights) on first use: a classifier with nothing to
        classify never loads it."""
        if self._encoder is None:
            self._encoder = get_tuned_encoder(self.model, self._model_path)
        return self._encoder

    @encoder.setter
    def encoder(self, value: TunedEncoder) -> None:
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
