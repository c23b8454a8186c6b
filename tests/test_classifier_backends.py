"""The encoder backends: config switch, the ONNX export of the real model, agreement with torch, lazy loading.

The real model is exported once per test session into the session's model cache (conftest ``model_cache``); the
torch and ONNX classifiers are built once per module. No timing is asserted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import MINIMAL_CONFIG

import classifiers.onnx_backend as onnx_backend
import monitor.pipeline as pipeline
from classifiers.backends import BACKENDS, DEFAULT_BACKEND, INT8_SUFFIX, version_for
from classifiers.cli import classifier as classifier_group
from classifiers.dataset import load_split
from classifiers.encoder import article_input
from classifiers.loader import classifier_version, load_classifier
from classifiers.onnx_backend import OnnxTunedEncoder, ensure_exported, export_path
from classifiers.signal_model import TunedEncoder, load_signal_model
from classifiers.transformer import TransformerClassifier, transformer_version
from classifiers.types import ArticleText, Classifier, ClassifierError
from monitor.config import Config, ConfigError, load_config
from storage.store import NewArticle, Store

PROVIDERS = {"openai": ["OpenAI", "ChatGPT"], "anthropic": ["Anthropic", "Claude"], "xai": ["xAI", "Grok"]}
ITEMS = 48
INT8_MIN_AGREEMENT = 0.9
"""docs/classifier.md "Backends": int8 gives torch's tags on 98.4 % of the real corpus; a few real items may differ."""


@pytest.fixture(scope="module")
def classifiers_by_backend(model_cache: Path) -> dict[str, TransformerClassifier]:
    """A transformer classifier per backend, encoders loaded (the ONNX ones exported into the session cache)."""
    out = {b: TransformerClassifier(PROVIDERS, backend=b, cache_dir=model_cache) for b in BACKENDS}
    for clf in out.values():
        _ = clf.encoder
    return out


@pytest.fixture(scope="module")
def real_items() -> list[ArticleText]:
    """The first real-test items (tagged and hard negatives alike)."""
    return [e.article() for e in load_split("real-test")[:ITEMS]]


# --------------------------------------------------------------------------------------------- config
def test_backend_setting_is_validated_and_documented(write_config: Callable[..., Path]) -> None:
    default = load_config(write_config())
    assert default.classifier.backend == DEFAULT_BACKEND == "onnx"
    for backend in BACKENDS:
        chosen = load_config(write_config(base=MINIMAL_CONFIG.replace('kind = "keyword"', f'kind = "keyword"\nbackend = "{backend}"')))
        assert chosen.classifier.backend == backend
    with pytest.raises(ConfigError) as info:
        load_config(write_config(base=MINIMAL_CONFIG.replace('kind = "keyword"', 'kind = "keyword"\nbackend = "gpu"')))
    assert str(info.value) == 'sources.toml: classifier.backend: expected "onnx-int8", "onnx" or "torch", got "gpu"'
    root = Path(__file__).resolve().parent.parent
    assert "backend" in (root / "sources.toml").read_text(encoding="utf-8")
    assert 'backend = "onnx"' in (root / "docs" / "classifier.md").read_text(encoding="utf-8")


def test_unknown_backend_is_a_classifier_error() -> None:
    with pytest.raises(ClassifierError, match="unknown classifier backend 'gpu'"):
        load_classifier("transformer", providers=PROVIDERS, backend="gpu")


def test_only_int8_changes_the_version() -> None:
    model = load_signal_model()
    assert version_for(model.version, "torch") == version_for(model.version, "onnx") == model.version
    assert version_for(model.version, "onnx-int8") == model.version + INT8_SUFFIX
    for backend in BACKENDS:
        clf = TransformerClassifier(PROVIDERS, backend=backend)
        assert clf._encoder is None  # building a classifier loads no encoder
        assert clf.version == transformer_version(None, backend) == classifier_version("transformer", backend=backend)
    assert classifier_version("keyword") == load_classifier("keyword", providers=PROVIDERS).version


# --------------------------------------------------------------------------------------------- export
def test_export_is_cached_and_keyed_by_weights_and_backend(classifiers_by_backend: dict[str, TransformerClassifier],
                                                         model_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model = classifiers_by_backend["onnx-int8"].model
    fp32, int8 = export_path(model, "onnx", cache_dir=model_cache), export_path(model, "onnx-int8", cache_dir=model_cache)
    assert fp32.is_file() and int8.is_file() and fp32 != int8
    assert model.weights_sha256[:16] in fp32.name and fp32.name.endswith("-fp32.onnx") and int8.name.endswith("-int8.onnx")
    assert int8.stat().st_size < fp32.stat().st_size / 2
    assert not list(model_cache.glob(".*.tmp"))

    def no_export(*args: object) -> None:
        raise AssertionError("exported again")

    monkeypatch.setattr(onnx_backend, "_export_fp32", no_export)
    monkeypatch.setattr(onnx_backend, "_quantize", no_export)
    assert ensure_exported(model, "onnx-int8", cache_dir=model_cache) == int8
    other = load_signal_model()
    other.weights_sha256 = "0" * 64  # a retrained artifact: another file, never the old export
    assert export_path(other, "onnx", cache_dir=model_cache) != fp32
    with pytest.raises(ClassifierError, match="torch backend has no ONNX export"):
        export_path(model, "torch")


def test_failed_export_is_one_clear_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("exporter exploded\nwith details")

    monkeypatch.setattr(onnx_backend, "_export_fp32", broken)
    with pytest.raises(ClassifierError) as info:
        OnnxTunedEncoder(load_signal_model(), "onnx", cache_dir=tmp_path)
    message = str(info.value)
    assert "\n" not in message and "exporter exploded" in message
    assert 'backend = "torch"' in message and "capwatch classifier export" in message
    assert not list(tmp_path.iterdir())  # nothing half-written left behind


def test_predict_exits_3_when_the_export_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAPWATCH_MODEL_CACHE", str(tmp_path))
    monkeypatch.setattr(onnx_backend, "_export_fp32", lambda *a: (_ for _ in ()).throw(RuntimeError("no exporter")))
    line = '{"id": "1", "title": "OpenAI raises $1bn", "text": ""}\n'
    result = CliRunner().invoke(classifier_group, ["predict", "--backend", "onnx"], input=line)
    assert result.exit_code == 3
    assert "no exporter" in result.stderr and 'backend = "torch"' in result.stderr


def test_export_command_prints_the_cached_file(classifiers_by_backend: dict[str, TransformerClassifier],
                                               model_cache: Path) -> None:
    result = CliRunner().invoke(classifier_group, ["export", "--backend", "onnx-int8"])
    assert result.exit_code == 0, result.output
    expected = export_path(classifiers_by_backend["onnx-int8"].model, "onnx-int8", cache_dir=model_cache)
    assert result.stdout.strip() == str(expected)


# --------------------------------------------------------------------------------------------- agreement
def test_onnx_tokenizer_matches_autotokenizer(classifiers_by_backend: dict[str, TransformerClassifier],
                                              real_items: list[ArticleText]) -> None:
    torch_enc = classifiers_by_backend["torch"].encoder
    onnx_enc = classifiers_by_backend["onnx"].encoder
    assert isinstance(torch_enc, TunedEncoder) and isinstance(onnx_enc, OnnxTunedEncoder)
    texts = [article_input(a.title, a.text) for a in real_items] + ["", "ÉLAN Labs — « prix » 50 % ↑"]
    want = torch_enc.base.tokenizer([t or " " for t in texts], padding=True, truncation=True,
                                    max_length=torch_enc.max_length, return_tensors="np")
    got = onnx_enc.tokenizer(texts)
    assert np.array_equal(got["input_ids"], want["input_ids"])
    assert np.array_equal(got["attention_mask"], want["attention_mask"])


def test_onnx_fp32_gives_torchs_tags(classifiers_by_backend: dict[str, TransformerClassifier],
                                     real_items: list[ArticleText]) -> None:
    pairs = [(a.title, a.text) for a in real_items]
    ref = classifiers_by_backend["torch"].encoder.probabilities(pairs)
    got = classifiers_by_backend["onnx"].encoder.probabilities(pairs)
    assert np.abs(got - ref).max() < 1e-4
    torch_tags = [[t.tag for t in c.tags] for c in classifiers_by_backend["torch"].classify(real_items)]
    onnx_tags = [[t.tag for t in c.tags] for c in classifiers_by_backend["onnx"].classify(real_items)]
    assert onnx_tags == torch_tags
    assert any(torch_tags)


def test_onnx_int8_stays_within_the_documented_tolerance(classifiers_by_backend: dict[str, TransformerClassifier],
                                                         real_items: list[ArticleText]) -> None:
    texts = [article_input(a.title, a.text) for a in real_items]
    cosine = (classifiers_by_backend["torch"].encoder.encode(texts)
              * classifiers_by_backend["onnx-int8"].encoder.encode(texts)).sum(axis=1)
    assert cosine.min() > 0.95 and cosine.mean() > 0.99
    torch_tags = [[t.tag for t in c.tags] for c in classifiers_by_backend["torch"].classify(real_items)]
    int8 = classifiers_by_backend["onnx-int8"].classify(real_items)
    agree = sum(1 for c, ref in zip(int8, torch_tags, strict=True) if [t.tag for t in c.tags] == ref)
    assert agree >= INT8_MIN_AGREEMENT * len(real_items)
    assert int8[0].model_version == classifiers_by_backend["onnx-int8"].version


def test_onnx_encoder_handles_empty_and_long_batches(classifiers_by_backend: dict[str, TransformerClassifier]) -> None:
    enc = classifiers_by_backend["onnx-int8"].encoder
    assert enc.encode([]).shape == (0, 384)
    vectors = enc.encode(["", "x", "word " * 500] * 15)  # more than one batch, empty and over-long texts
    assert vectors.shape == (45, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


# --------------------------------------------------------------------------------------------- lazy loading
@pytest.fixture
def counting_factory(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Replace the pipeline's classifier factory by one that records every classifier it builds."""
    built: list[str] = []
    real = pipeline.load_classifier

    def factory(kind: str, **kwargs: object) -> Classifier:
        built.append(kind)
        return real(kind, **kwargs)  # type: ignore[arg-type]

    pipeline._cached_classifier.cache_clear()
    monkeypatch.setattr(pipeline, "load_classifier", factory)
    yield built
    pipeline._cached_classifier.cache_clear()


def _article(store: Store, n: int) -> None:
    now = datetime(2026, 11, 1, tzinfo=UTC)
    store.add_article(NewArticle(url=f"https://e.org/{n}", title=f"Helix AI cuts {n}% of staff", summary="",
                                 text="The layoffs hit every team, the company said.", published=now, fetched=now,
                                 source="wire"))


def test_no_classifier_is_built_when_nothing_is_pending(counting_factory: list[str], store: Store,
                                                         write_config: Callable[..., Path]) -> None:
    config = load_config(write_config())
    report = pipeline.classify_articles(config, store)
    assert counting_factory == [] and report.articles == 0
    assert report.version == classifier_version("keyword")

    _article(store, 10)
    assert pipeline.classify_articles(config, store).articles == 1
    assert counting_factory == ["keyword"]

    pipeline._cached_classifier.cache_clear()  # a new process: the classified article is not pending any more
    assert pipeline.classify_articles(config, store).articles == 0
    assert counting_factory == ["keyword"]


def test_transformer_with_nothing_pending_loads_nothing(counting_factory: list[str], store: Store,
                                                         write_config: Callable[..., Path]) -> None:
    config = load_config(write_config(base=MINIMAL_CONFIG.replace('kind = "keyword"', 'kind = "transformer"')))
    report = pipeline.classify_articles(config, store)
    assert counting_factory == [] and report.classifier == "transformer"
    assert report.version == transformer_version(None, config.classifier.backend)


def test_switching_to_or_from_int8_makes_articles_pending(store: Store, write_config: Callable[..., Path]) -> None:
    def config(backend: str) -> Config:
        return load_config(write_config(base=MINIMAL_CONFIG.replace(
            'kind = "keyword"', f'kind = "transformer"\nbackend = "{backend}"')))

    _article(store, 1)
    [row] = store.articles_to_classify(None, redo_all=True)
    store.replace_article_signals(int(row["id"]), [], pipeline.current_version(config("torch")))
    assert store.articles_to_classify(pipeline.current_version(config("onnx"))) == []
    assert len(store.articles_to_classify(pipeline.current_version(config("onnx-int8")))) == 1
