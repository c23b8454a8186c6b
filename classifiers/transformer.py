"""The transformer classifier (name ``"transformer"``): MiniLM embeddings + the trained logistic-regression head.

Tags come from the head (a tag is emitted when its probability reaches the tag's tuned threshold); providers,
amounts and direction come from the rule-based modules, exactly as for the keyword baseline.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from classifiers.annotate import annotate
from classifiers.encoder import ENCODER_ID, Encoder, get_encoder
from classifiers.head import SignalHead, load_head
from classifiers.taxonomy import is_tag
from classifiers.types import ArticleText, Classification, ClassifierError, TagScore


class TransformerClassifier:
    """Embeds articles with MiniLM and applies the per-tag logistic regression head."""

    name = "transformer"

    def __init__(
        self,
        providers: Mapping[str, Sequence[str]],
        *,
        model_path: str | os.PathLike[str] | None = None,
        artifact_path: str | os.PathLike[str] | None = None,
        encoder: Encoder | None = None,
        head: SignalHead | None = None,
    ) -> None:
        """Load the head (``artifact_path`` or the committed one) and the encoder (``model_path`` or packaged).

        Raises :class:`~classifiers.types.ModelMissingError` if either is missing.
        """
        self.providers = providers
        self.head = head if head is not None else load_head(artifact_path)
        if self.head.encoder_id != ENCODER_ID:
            raise ClassifierError(
                f"signal head was trained on {self.head.encoder_id!r}, not {ENCODER_ID!r}; "
                "run `capwatch classifier train`"
            )
        self.encoder = encoder if encoder is not None else get_encoder(model_path)
        if self.encoder.dim != self.head.dim:
            raise ClassifierError(
                f"signal head expects {self.head.dim}-dim embeddings, encoder gives {self.encoder.dim}; "
                "run `capwatch classifier train`"
            )
        self.version = self.head.version
        self._known = [is_tag(t) for t in self.head.tags]

    def classify(self, items: Sequence[ArticleText]) -> list[Classification]:
        """Classify ``items`` in one batched encoder pass; one result per item, in order."""
        if not items:
            return []
        emb = self.encoder.encode_articles([(it.title, it.text) for it in items])
        probs = self.head.predict_proba(emb)
        out: list[Classification] = []
        for item, row in zip(items, probs, strict=True):
            tags = [
                TagScore(tag, round(float(p), 4))
                for tag, p, thr, known in zip(self.head.tags, row, self.head.thresholds, self._known, strict=True)
                if known and p >= thr
            ]
            out.append(annotate(item, tags, self.providers, self.version))
        return out
