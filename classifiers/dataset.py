"""Read the labelled JSONL splits shipped in ``classifiers/data`` and fingerprint them."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from classifiers.taxonomy import is_tag
from classifiers.types import ArticleText, ClassifierError

DATA_DIR = Path(__file__).resolve().parent / "data"
SPLITS = ("train", "validation", "test")


@dataclass(frozen=True)
class Example:
    """One labelled article: its text, its gold tags (empty = none) and its story id."""

    id: str
    title: str
    text: str
    tags: tuple[str, ...]
    story: str

    def article(self) -> ArticleText:
        """Return the unlabelled :class:`ArticleText` view."""
        return ArticleText(self.id, self.title, self.text)


def split_path(split: str, data_dir: str | os.PathLike[str] | None = None) -> Path:
    """Return the path of ``<split>.jsonl`` in ``data_dir`` (default: the shipped data)."""
    return Path(data_dir or DATA_DIR) / f"{split}.jsonl"


def load_split(split: str, data_dir: str | os.PathLike[str] | None = None) -> list[Example]:
    """Load one split; unknown tags are dropped, bad lines raise :class:`ClassifierError` with the line number."""
    path = split_path(split, data_dir)
    if not path.is_file():
        raise ClassifierError(f"no labelled data at {path}; run `python -m classifiers.data.build_dataset`")
    out: list[Example] = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                out.append(
                    Example(
                        id=str(row["id"]),
                        title=str(row.get("title") or ""),
                        text=str(row.get("text") or ""),
                        tags=tuple(t for t in row.get("tags") or [] if is_tag(t)),
                        story=str(row.get("story") or row["id"]),
                    )
                )
            except (ValueError, KeyError, TypeError) as exc:
                raise ClassifierError(f"{path}:{lineno}: bad example ({exc})") from exc
    return out


def data_hash(splits: tuple[str, ...] = ("train", "validation"), data_dir: str | os.PathLike[str] | None = None) -> str:
    """Return a short SHA-256 of the given split files' bytes (identifies the training data)."""
    digest = hashlib.sha256()
    for split in splits:
        digest.update(split.encode())
        digest.update(split_path(split, data_dir).read_bytes())
    return digest.hexdigest()[:10]
