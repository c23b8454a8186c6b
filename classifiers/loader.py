"""Build a classifier by kind: ``"transformer"`` (MiniLM + trained head) or ``"keyword"`` (regex baseline)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from classifiers.types import Classifier, ClassifierError

KINDS = ("transformer", "keyword")


def load_classifier(
    kind: str,
    *,
    providers: Mapping[str, Sequence[str]],
    model_path: str | None = None,
    artifact_path: str | None = None,
) -> Classifier:
    """Return a ready classifier of ``kind`` matching ``providers`` (id -> aliases).

    ``model_path`` overrides the packaged encoder folder and ``artifact_path`` the committed head (transformer
    only). Raises :class:`~classifiers.types.ModelMissingError` when the transformer's encoder or artifact is
    missing, and :class:`~classifiers.types.ClassifierError` for an unknown kind.
    """
    if kind == "keyword":
        from classifiers.keywords import KeywordClassifier

        return KeywordClassifier(providers)
    if kind == "transformer":
        from classifiers.transformer import TransformerClassifier

        return TransformerClassifier(providers, model_path=model_path, artifact_path=artifact_path)
    raise ClassifierError(f"unknown classifier kind {kind!r}; expected one of {', '.join(KINDS)}")
