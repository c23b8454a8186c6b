"""Read the labelled JSONL splits shipped in ``classifiers/data`` and fingerprint them.

Two corpora, each split by story (an event reported twice stays in one split):

* the **real-world corpus** in ``classifiers/data/real/`` (``real-train`` / ``real-dev`` / ``real-test``): headlines
  and ledes written in our own words after real, dated reports, each with its source address, its subject and the
  other organisations it names (docs/classifier.md has the labelling guide);
* the **synthetic templates** in ``classifiers/data/`` (``synthetic-train`` / ``synthetic-validation`` /
  ``synthetic-test``; the bare names ``train`` / ``validation`` / ``test`` are kept as aliases), used as extra
  training data only.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from classifiers.taxonomy import is_tag
from classifiers.types import ArticleText, ClassifierError

DATA_DIR = Path(__file__).resolve().parent / "data"
REAL_DIR = "real"
"""Folder of the real-world corpus, inside the data folder."""
SPLITS = ("train", "validation", "test")
"""The synthetic splits by their file names (also accepted as split names)."""
REAL_SPLITS = ("real-train", "real-dev", "real-test")
SYNTHETIC_SPLITS = ("synthetic-train", "synthetic-validation", "synthetic-test")
ALL_SPLITS = REAL_SPLITS + SYNTHETIC_SPLITS
ITEM_KINDS = ("news", "voice", "negative")
"""``kind`` of a real item: a third party's report, the organisation's own words, or a hard negative."""


@dataclass(frozen=True)
class Example:
    """One labelled article: its text, its gold tags (empty = none) and its story id.

    Real-world items also carry the gold ``direction``, the ``subject`` (the organisation the item is mainly
    about), ``providers`` (every organisation that is a subject of a tagged event), ``mentions`` (organisations
    only named), deal ``roles``, the report's ``date`` and ``source_url``, the item ``kind`` and the labeller's
    ``note``; synthetic examples leave them empty.
    """

    id: str
    title: str
    text: str
    tags: tuple[str, ...]
    story: str
    direction: str | None = None
    subject: str | None = None
    providers: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    roles: tuple[tuple[str, str], ...] = ()
    date: str = ""
    source_url: str = ""
    kind: str = ""
    note: str = ""

    @property
    def is_hard_negative(self) -> bool:
        """True for a real item written as a hard negative (it must stay untagged)."""
        return self.kind == "negative"

    def article(self) -> ArticleText:
        """Return the unlabelled :class:`ArticleText` view."""
        return ArticleText(self.id, self.title, self.text)


def split_path(split: str, data_dir: str | os.PathLike[str] | None = None) -> Path:
    """Return the file of ``split`` in ``data_dir`` (default: the shipped data).

    ``real-X`` is ``real/X.jsonl``; ``synthetic-X`` and the bare ``X`` are ``X.jsonl``. An unknown split name
    raises :class:`ClassifierError` listing the known ones.
    """
    base = Path(data_dir or DATA_DIR)
    if split.startswith("real-") and split in REAL_SPLITS:
        return base / REAL_DIR / f"{split.removeprefix('real-')}.jsonl"
    name = split.removeprefix("synthetic-")
    if name in SPLITS:
        return base / f"{name}.jsonl"
    raise ClassifierError(f"unknown split {split!r}; expected one of {', '.join(ALL_SPLITS)}")


def _strings(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise TypeError(f"expected a list, got {type(value).__name__}")
    return tuple(str(v) for v in value)


def example_from_row(row: dict[str, object]) -> Example:
    """Build an :class:`Example` from one JSON object; unknown tags are dropped.

    Raises ``KeyError`` / ``TypeError`` / ``ValueError`` on a malformed row (the loader adds the line number).
    """
    roles = row.get("roles") or {}
    if not isinstance(roles, dict):
        raise TypeError("roles must be an object")
    direction = row.get("direction")
    subject = row.get("subject")
    return Example(
        id=str(row["id"]),
        title=str(row.get("title") or ""),
        text=str(row.get("text") or ""),
        tags=tuple(t for t in _strings(row.get("tags")) if is_tag(t)),
        story=str(row.get("story") or row["id"]),
        direction=str(direction) if direction else None,
        subject=str(subject) if subject else None,
        providers=_strings(row.get("providers")),
        mentions=_strings(row.get("mentions")),
        roles=tuple(sorted((str(k), str(v)) for k, v in roles.items())),
        date=str(row.get("date") or ""),
        source_url=str(row.get("source_url") or ""),
        kind=str(row.get("kind") or ""),
        note=str(row.get("note") or ""),
    )


def load_split(split: str, data_dir: str | os.PathLike[str] | None = None) -> list[Example]:
    """Load one split; unknown tags are dropped, bad lines raise :class:`ClassifierError` with the line number."""
    path = split_path(split, data_dir)
    if not path.is_file():
        fix = "python -m classifiers.data.build_real" if split in REAL_SPLITS else "python -m classifiers.data.build_dataset"
        raise ClassifierError(f"no labelled data at {path}; run `{fix}`")
    out: list[Example] = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                if not isinstance(row, dict):
                    raise TypeError("not a JSON object")
                out.append(example_from_row(row))
            except (ValueError, KeyError, TypeError) as exc:
                raise ClassifierError(f"{path}:{lineno}: bad example ({exc})") from exc
    return out


def data_hash(splits: tuple[str, ...] = ("synthetic-train", "synthetic-validation"), data_dir: str | os.PathLike[str] | None = None) -> str:
    """Return a short SHA-256 of the given split files' bytes (identifies the training data)."""
    digest = hashlib.sha256()
    for split in splits:
        digest.update(split.encode())
        digest.update(split_path(split, data_dir).read_bytes())
    return digest.hexdigest()[:10]
