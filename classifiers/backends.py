"""The encoder backends of the transformer classifier, and how each one names its outputs (no heavy imports).

``[classifier] backend`` is one of :data:`BACKENDS`: ``onnx-int8`` (ONNX Runtime, int8 weights per channel),
``onnx`` (ONNX Runtime, fp32) or ``torch``. See :mod:`classifiers.onnx_backend` and docs/classifier.md "Backends".
"""

from __future__ import annotations

from classifiers.types import ClassifierError

BACKENDS = ("onnx-int8", "onnx", "torch")
"""The backends of ``[classifier] backend``."""
DEFAULT_BACKEND = "onnx"
"""Chosen from the measured numbers in docs/classifier.md "Backends": ONNX Runtime fp32 gives torch's outputs
exactly, faster and in less memory; int8 is faster still but leaves fewer hard negatives untagged than the
signal-quality target asks for (0.915 against 0.92 on real-test)."""
INT8_SUFFIX = "-int8"
"""Appended to the signal model's version by the ``onnx-int8`` backend, whose outputs differ from torch's."""


def check_backend(backend: str) -> str:
    """Return ``backend`` if it is one of :data:`BACKENDS`; raise :class:`ClassifierError` otherwise."""
    if backend not in BACKENDS:
        raise ClassifierError(f"unknown classifier backend {backend!r}; expected one of {', '.join(BACKENDS)}")
    return backend


def version_for(signal_version: str, backend: str) -> str:
    """The signal model version as served by ``backend``.

    fp32 ONNX computes the same function as torch (embeddings within about 1e-6; the same tags on the whole real
    corpus), so ``onnx`` and ``torch`` share the artifact's version and switching between them re-tags nothing;
    int8 weights change the outputs, so ``onnx-int8`` appends :data:`INT8_SUFFIX` and switching to or from it
    makes ``capwatch classify`` re-tag.
    """
    return signal_version + (INT8_SUFFIX if check_backend(backend) == "onnx-int8" else "")
