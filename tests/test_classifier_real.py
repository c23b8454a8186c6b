"""The real-world labelled corpus: format, splits by story, the eval command, and a small end-to-end train."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from classifiers.cli import classifier as classifier_group
from classifiers.data.build_real import ItemError, assign_splits, build, check_item, group_stories, read_items
from classifiers.dataset import DATA_DIR, REAL_SPLITS, load_split
from classifiers.signal_model import load_signal_model
from classifiers.taxonomy import TAG_NAMES

REAL = {split: load_split(split) for split in REAL_SPLITS}
ALL = [e for items in REAL.values() for e in items]


def test_corpus_size_mix_and_sources() -> None:
    assert len(ALL) >= 1500
    kinds = Counter(e.kind for e in ALL)
    assert set(kinds) == {"news", "voice", "negative"}
    assert kinds["negative"] / len(ALL) >= 0.3
    positives = Counter(t for e in ALL for t in e.tags)
    assert set(positives) == set(TAG_NAMES)
    assert min(positives.values()) >= 60, positives
    subjects = {e.subject for e in ALL if e.tags and e.subject}
    assert len(subjects) >= 60
    for e in ALL:
        assert e.source_url.startswith(("http://", "https://")) and e.date[:2] in ("19", "20"), e.id
        assert bool(e.tags) == bool(e.providers), e.id
        assert not (e.is_hard_negative and e.tags), e.id


def test_every_shipped_item_passes_the_format_check() -> None:
    rows = read_items(sorted((DATA_DIR / "real").glob("*.jsonl")))
    assert len(rows) == len(ALL)


def test_splits_never_share_a_story_and_keep_the_shares() -> None:
    stories = {split: {e.story for e in items} for split, items in REAL.items()}
    assert not stories["real-train"] & stories["real-dev"]
    assert not stories["real-train"] & stories["real-test"]
    assert not stories["real-dev"] & stories["real-test"]
    share = {split: len(items) / len(ALL) for split, items in REAL.items()}
    assert 0.55 <= share["real-train"] <= 0.65 and 0.15 <= share["real-test"] <= 0.25
    test_tags = Counter(t for e in REAL["real-test"] for t in e.tags)
    assert min(test_tags[t] for t in TAG_NAMES) >= 12  # stratified: every tag measurable on test


def _row(i: int, story: str, subject: str, tags: list[str], date: str) -> dict[str, object]:
    return {"id": f"x{i}", "title": f"t{i}", "text": "a lede long enough to count as one", "tags": tags,
            "direction": None, "subject": subject, "providers": [subject] if tags else [], "mentions": [],
            "date": date, "source_url": "https://example.org/a", "kind": "news" if tags else "negative",
            "story": story}


def test_grouping_merges_one_event_reported_under_two_slugs() -> None:
    rows = [
        _row(1, "acme-layoffs-2025-01", "acme", ["layoffs"], "2025-01-10"),
        _row(2, "acme-cuts-jobs-2025-01", "acme", ["layoffs"], "2025-01-14"),  # same event, another outlet
        _row(3, "acme-layoffs-2025-06", "acme", ["layoffs"], "2025-06-01"),  # a later round: another event
        _row(4, "acme-layoffs-2025-01", "acme", ["layoffs"], "2025-01-11"),
    ]
    groups = group_stories(rows)
    assert groups[0] == groups[1] == groups[3] != groups[2]
    splits = assign_splits(rows)
    placed = {str(r["id"]): name for name, part in splits.items() for r in part}
    assert placed["x1"] == placed["x2"] == placed["x4"]


def test_build_keeps_existing_items_in_their_split(tmp_path: Path) -> None:
    """A new batch only adds items: old ones never move, a new report of an old story joins its split."""
    old = {
        "train": [_row(1, "acme-layoffs-2025-01", "acme", ["layoffs"], "2025-01-10")],
        "dev": [_row(2, "beta-raise-2025-02", "beta", ["funding_raise"], "2025-02-01")],
        "test": [_row(3, "gamma-outage-2025-03", "gamma", ["outage"], "2025-03-01")],
    }
    for name, part in old.items():
        (tmp_path / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in part), encoding="utf-8")
    batch = [_row(10 + i, f"new-{i}", f"org{i}", ["layoffs"], "2025-05-01") for i in range(10)]
    batch.append(_row(30, "gamma-down-2025-03", "gamma", ["outage"], "2025-03-04"))  # another outlet, same event
    (tmp_path / "batch_new.jsonl").write_text("".join(json.dumps(r) + "\n" for r in batch), encoding="utf-8")
    counts = build(tmp_path)
    assert sum(counts.values()) == 14 and not (tmp_path / "batch_new.jsonl").exists()
    placed = {
        json.loads(line)["id"]: name
        for name in ("train", "dev", "test")
        for line in (tmp_path / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    }
    assert (placed["x1"], placed["x2"], placed["x3"]) == ("train", "dev", "test")
    assert placed["x30"] == "test"
    assert {placed[f"x{10 + i}"] for i in range(10)} == {"train", "dev", "test"}


def test_format_check_names_the_rule() -> None:
    good = _row(1, "s", "acme", ["layoffs"], "2025-01-10")
    check_item(good)
    with pytest.raises(ItemError, match="hard negative"):
        check_item(dict(good, kind="negative"))
    with pytest.raises(ItemError, match="date"):
        check_item(dict(good, date="Jan 2025"))
    with pytest.raises(ItemError, match="providers"):
        check_item(dict(good, providers=[]))


def test_eval_command_reports_real_test() -> None:
    result = CliRunner().invoke(classifier_group, ["eval", "--split", "real-test", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    t, k = report["transformer"], report["keyword"]
    assert report["n"] == len(REAL["real-test"])
    assert set(t["per_tag"]) == set(TAG_NAMES) and all("support" in v for v in t["per_tag"].values())
    assert t["hard_negatives"] > 100 and 0 <= t["hard_negatives_untagged"] <= 1
    assert t["version"] == k["version"].replace(k["version"].split("+")[0], t["version"].split("+")[0])
    assert report["macro_f1_gain"] == pytest.approx(t["macro_f1"] - k["macro_f1"], abs=1e-3)
    assert report["subjects"]["n_tagged"] > 0
    text = CliRunner().invoke(classifier_group, ["eval", "--split", "real-test"])
    assert "macro_f1" in text.stdout and "hard_negatives_untagged" in text.stdout and "subjects:" in text.stdout


def _sample(folder: Path) -> None:
    """A small copy of the shipped data: 40 real-train, 30 real-dev and real-test items, 40 synthetic."""
    real = folder / "real"
    real.mkdir(parents=True)
    for split, n in (("train", 40), ("dev", 30), ("test", 30)):
        lines = (DATA_DIR / "real" / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()[:n]
        (real / f"{split}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for split in ("train", "validation", "test"):
        lines = (DATA_DIR / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()[:40]
        (folder / f"{split}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.slow
def test_small_end_to_end_train_then_predict(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _sample(data)
    artifact, subjects = tmp_path / "m" / "signal.json", tmp_path / "m" / "subjects.json"
    runner = CliRunner()
    trained = runner.invoke(classifier_group, ["train", "--data-dir", str(data), "--artifact", str(artifact),
                                               "--subject-artifact", str(subjects), "--epochs", "1",
                                               "--layers", "1", "--json"])
    assert trained.exit_code == 0, trained.output
    out = json.loads(trained.stdout)
    model = load_signal_model(artifact)
    assert out["version"] == model.version and model.version.startswith("minilm-ft1-")
    assert model.layers == [5] and model.training["n_real_train"] == 40
    assert subjects.is_file() and out["subject_version"].startswith("subject-logreg-")
    line = json.dumps({"id": "1", "title": "Anthropic raises $13 billion", "text": "The round values it at $183bn."})
    predicted = runner.invoke(classifier_group, ["predict", "--artifact", str(artifact)], input=line)
    assert predicted.exit_code == 0, predicted.output
    assert json.loads(predicted.stdout)["id"] == "1"
    evaluated = runner.invoke(classifier_group, ["eval", "--split", "real-test", "--data-dir", str(data),
                                                 "--artifact", str(artifact), "--json"])
    assert evaluated.exit_code == 0, evaluated.output
    assert json.loads(evaluated.stdout)["n"] == 30
