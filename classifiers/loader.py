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
    backend: str | None = None,
) -> Classifier:
    """Return a ready classifier of ``kind`` matching ``providers`` (id -> aliases).

    ``model_path`` overrides the packaged encoder folder, ``artifact_path`` the committed head and ``backend``
    the encoder's runtime (``onnx-int8``, ``onnx`` or ``torch``; default
    :data:`classifiers.onnx_backend.DEFAULT_BACKEND`) (transformer only). The encoder itself is loaded at the
    first non-empty batch. Raises :class:`~classifiers.types.ModelMissingError` when the transformer's encoder or
    artifact is missing, and :class:`~classifiers.types.ClassifierError` for an unknown kind or backend.
    """
    if kind == "keyword":
        from classifiers.keywords import KeywordClassifier

        return KeywordClassifier(providers)
    if kind == "transformer":
        from classifiers.transformer import TransformerClassifier

        return TransformerClassifier(providers, model_path=model_path, artifact_path=artifact_path, backend=backend)
    raise ClassifierError(f"unknown classifier kind {kind!r}; expected one of {', '.join(KINDS)}")


def classifier_version(kind: str, *, artifact_path: str | None = None, backend: str | None = None) -> str:
    """The ``version`` the classifier :func:`load_classifier` would build has, without loading its model (the
    transformer's is read from the artifact's JSON), so a caller can check for pending work first."""
    if kind == "keyword":
        from classifiers.annotate import subject_model
        from classifiers.keywords import VERSION

        return f"{VERSION}+{subject_model().version}"
    if kind == "transformer":
        from classifiers.backends import DEFAULT_BACKEND
        from classifiers.transformer import transformer_version

        return transformer_version(artifact_path, backend or DEFAULT_BACKEND)
    raise ClassifierError(f"unknown classifier kind {kind!r}; expected one of {', '.join(KINDS)}")
