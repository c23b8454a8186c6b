"""Train and evaluate the subject model on the real-world corpus's subject labels.

Each tagged real item names its ``subject``, the organisations that are subjects of its events (``providers``)
and those only mentioned (``mentions``). For every catalogue organisation the matcher finds in an item, the
training label is 1 when the organisation is a labelled subject and 0 otherwise. The weights are fitted on
``real-train`` with the same exact logistic regression as the signal head; the threshold is tuned on ``real-dev``.

:func:`evaluate_subjects` reports, over tagged items:

* ``primary_found``: the labelled subject is among the organisations attributed as subjects (items whose subject
  is a catalogue organisation);
* ``primary_top1``: the best-scoring subject is the labelled subject;
* ``no_mention_credited``: no organisation labelled as a mention only gets a signal (is attributed as a subject of
  a tag its role takes risk from: an acquirer is a subject but gets no ``m_and_a`` signal, see
  :func:`classifiers.orgs.subjects.credited_tags`);
* ``coverage``: the share of tagged items whose labelled subject is in the catalogue at all.

Items in an organisation's own voice (``kind: voice``: its blog, newsroom or status page) are attributed as
capwatch attributes them in production, with the organisation as the source's own channel (``own = true`` in
sources.toml), so "We're cutting prices" counts for the voice's owner (also when the owner is not in the catalogue:
a user who reads a company's status page declares that company as a provider); ``news_primary_found`` and
``news_no_mention_credited`` give the same measures on third-party news alone, where nothing but the text helps.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from classifiers.dataset import Example
from classifiers.orgs.catalogue import Org
from classifiers.orgs.subjects import FEATURE_NAMES, Attributor, SubjectModel, credited_tags, features

GOLD_ID_ALIASES = {
    "hugging-face": "huggingface",
    "google-deepmind": "google",
    "deepmind": "google",
    "alphabet": "google",
    "aws": "amazon",
    "x-ai": "xai",
    "meta-platforms": "meta",
    "mistral-ai": "mistral",
    "stability-ai": "stability",
    "together-ai": "together",
    "character": "character-ai",
    "anysphere": "cursor",
    "moonshot-ai": "moonshot",
    "zhipu-ai": "zhipu",
    "z-ai": "zhipu",
    "qwen": "alibaba",
    "safe-superintelligence": "ssi",
    "codeium": "windsurf",
    "lambda-labs": "lambda",
    "weights-and-biases": "coreweave",
    "weights-biases": "coreweave",
}
"""Ids labellers sometimes wrote for catalogue organisations, mapped to the catalogue id."""


def gold(org_id: str | None) -> str | None:
    """The catalogue id a labelled organisation id stands for."""
    if not org_id:
        return None
    return GOLD_ID_ALIASES.get(org_id, org_id)


def _attributor(orgs: Mapping[str, Org], model: SubjectModel) -> Attributor:
    return Attributor.for_names({o.id: o.names for o in orgs.values() if o.names}, orgs, model)


def subject_rows(examples: Sequence[Example], orgs: Mapping[str, Org]) -> tuple[np.ndarray, np.ndarray]:
    """Feature rows and 0/1 labels for every (tagged item, organisation found) pair."""
    at = _attributor(orgs, SubjectModel(np.zeros(len(FEATURE_NAMES)), 0.0))
    xs: list[np.ndarray] = []
    ys: list[float] = []
    for ex in examples:
        if not ex.tags:
            continue
        positives = {gold(p) for p in ex.providers} | {gold(ex.subject)}
        found, x = features(ex.title, ex.text, at.matcher.find(ex.title), at.matcher.find(ex.text), ex.tags, at.kinds)
        for org, row in zip(found, x, strict=True):
            xs.append(row)
            ys.append(1.0 if org in positives else 0.0)
    if not xs:
        return np.zeros((0, len(FEATURE_NAMES))), np.zeros(0)
    return np.vstack(xs), np.asarray(ys)


def evaluate_subjects(model: SubjectModel, examples: Sequence[Example], orgs: Mapping[str, Org]) -> dict[str, Any]:
    """Attribution quality on the tagged items of ``examples`` (see the module doc for the measures)."""
    at = _attributor(orgs, model)
    tagged = [e for e in examples if e.tags]
    in_catalogue = [e for e in tagged if gold(e.subject) in orgs]
    found = top1 = clean = news_found = news_clean = news_n = news_tagged = 0
    misses: list[dict[str, Any]] = []
    for ex in tagged:
        subject = gold(ex.subject)
        own: tuple[str, ...] = (subject,) if ex.kind == "voice" and subject else ()
        result = at.attribute(ex.title, ex.text, ex.tags, own=own)
        subjects = [r.org for r in result if r.subject]
        credited = {r.org for r in result if credited_tags(r, ex.tags)}
        mention_only = {gold(m) for m in ex.mentions} - {gold(p) for p in ex.providers} - {gold(ex.subject)}
        ok_clean = not (credited & mention_only)
        clean += ok_clean
        news_tagged += ex.kind == "news"
        news_clean += ex.kind == "news" and ok_clean
        if gold(ex.subject) in orgs:
            hit = gold(ex.subject) in subjects
            found += hit
            news_n += ex.kind == "news"
            news_found += ex.kind == "news" and hit
            top1 += bool(subjects) and subjects[0] == gold(ex.subject)
            if not hit or not ok_clean:
                misses.append({"id": ex.id, "title": ex.title, "subject": ex.subject, "predicted": subjects})
        elif not ok_clean:
            misses.append({"id": ex.id, "title": ex.title, "subject": ex.subject, "predicted": subjects})
    n = len(in_catalogue)
    return {
        "n_tagged": len(tagged),
        "n_subject_in_catalogue": n,
        "coverage": round(n / len(tagged), 4) if tagged else 0.0,
        "primary_found": round(found / n, 4) if n else 0.0,
        "primary_top1": round(top1 / n, 4) if n else 0.0,
        "no_mention_credited": round(clean / len(tagged), 4) if tagged else 0.0,
        "news_primary_found": round(news_found / news_n, 4) if news_n else 0.0,
        "news_no_mention_credited": round(news_clean / news_tagged, 4) if news_tagged else 0.0,
        "misses": misses,
    }


def train_subject_model(
    train: Sequence[Example], dev: Sequence[Example], orgs: Mapping[str, Org], *, l2: float = 1.0
) -> SubjectModel:
    """Fit the weights on ``train``, pick the threshold that maximises found x clean on ``dev``."""
    from classifiers.logistic import fit_logistic

    x, y = subject_rows(train, orgs)
    weights, bias = fit_logistic(x, y, l2=l2)
    # the version covers the weights and the deal phrasing, so that a change to either makes classify re-tag
    from classifiers.orgs.subjects import ROLE_PATTERNS_TEXT

    digest = hashlib.sha256(np.round(weights, 6).tobytes() + str(round(bias, 6)).encode()
                            + ROLE_PATTERNS_TEXT.encode()).hexdigest()[:8]
    model = SubjectModel(weights, bias, 0.5, f"subject-logreg-{digest}")
    best = (-1.0, 0.5)
    for threshold in np.arange(0.2, 0.81, 0.05):
        model.threshold = float(round(threshold, 2))
        rep = evaluate_subjects(model, dev, orgs)
        score = rep["primary_found"] + rep["no_mention_credited"]
        if score > best[0] + 1e-9:
            best = (score, model.threshold)
    model.threshold = best[1]
    return model


def fit_and_save(
    data_dir: str | os.PathLike[str] | None = None, path: str | os.PathLike[str] | None = None
) -> SubjectModel:
    """Train on ``real-train``, tune on ``real-dev``, record the real-dev measures and save the artifact."""
    from classifiers.dataset import load_split
    from classifiers.orgs.catalogue import load_catalogue
    from classifiers.orgs.subjects import SUBJECT_ARTIFACT

    catalogue = load_catalogue()
    dev = load_split("real-dev", data_dir)
    model = train_subject_model(load_split("real-train", data_dir), dev, catalogue)
    report = evaluate_subjects(model, dev, catalogue)
    model.metrics = {"real-dev": {k: v for k, v in report.items() if k != "misses"}}
    model.save(path or SUBJECT_ARTIFACT)
    return model
