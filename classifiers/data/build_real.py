"""Split the real-world corpus by story into ``real/train.jsonl``, ``real/dev.jsonl`` and ``real/test.jsonl``.

Run ``python -m classifiers.data.build_real`` after adding labelled items: it reads every ``*.jsonl`` in
``classifiers/data/real/`` (the three split files and any new batch files), checks each item against the format
in docs/classifier.md, groups items into stories and writes the three split files (about 60 / 20 / 20 of the
story groups), removing the batch files it merged.

Grouping is deliberately conservative, so that no event leaks from train into test: two items are in one group
when they share a ``story`` slug, or when they have the same subject and the same tags and dates at most
:data:`SAME_EVENT_DAYS` apart (two outlets reporting one event under different slugs).

Groups are then assigned to splits by iterative stratification (Sechidis et al., 2011), deterministically: groups
holding the rarest labels go first, larger groups before smaller ones, and each goes to the split that most lacks
its labels relative to the 60 / 20 / 20 target (hard negatives count as a label of their own). Real news reports
one event many times (nine outlets on one round of layoffs), so a random assignment of groups leaves a rare tag
with a handful of test items; stratification keeps every tag's share close to the target in every split.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from classifiers.dataset import DATA_DIR, ITEM_KINDS, REAL_DIR
from classifiers.taxonomy import TAG_NAMES

SPLIT_FILES = ("train", "dev", "test")
SHARES = (0.6, 0.2, 0.2)
SAME_EVENT_DAYS = 10
DIRECTIONS = ("in", "out", "up", "down")
REQUIRED = ("id", "title", "text", "tags", "date", "source_url", "kind", "story")
_DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")


class ItemError(ValueError):
    """An item that does not follow the corpus format; the message names the item and the rule."""


def check_item(row: dict[str, Any]) -> None:
    """Raise :class:`ItemError` unless ``row`` follows the corpus format (docs/classifier.md, "Item format")."""
    name = row.get("id", "?")
    for key in REQUIRED:
        if key != "tags" and not row.get(key):
            raise ItemError(f"{name}: missing {key}")
    tags = row.get("tags")
    if not isinstance(tags, list) or any(t not in TAG_NAMES for t in tags):
        raise ItemError(f"{name}: tags must be a list of known tags, got {tags!r}")
    if row["kind"] not in ITEM_KINDS:
        raise ItemError(f"{name}: kind must be one of {ITEM_KINDS}")
    if row["kind"] == "negative" and tags:
        raise ItemError(f"{name}: a hard negative carries no tags")
    direction = row.get("direction")
    if direction is not None and direction not in DIRECTIONS:
        raise ItemError(f"{name}: direction must be one of {DIRECTIONS} or null")
    if not _DATE.match(str(row["date"])):
        raise ItemError(f"{name}: date must be YYYY-MM-DD or YYYY-MM")
    if not str(row["source_url"]).startswith(("http://", "https://")):
        raise ItemError(f"{name}: source_url must be an http(s) address")
    if bool(tags) != bool(row.get("providers")):
        raise ItemError(f"{name}: providers must be given exactly when the item has tags")


def _day(value: str) -> date:
    parts = [int(p) for p in value.split("-")]
    return date(parts[0], parts[1], parts[2] if len(parts) > 2 else 15)


def group_stories(rows: Sequence[dict[str, Any]]) -> list[int]:
    """Return a group number per row (see the module doc for when two rows share a group)."""
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    by_story: dict[str, int] = {}
    by_event: dict[tuple[str, tuple[str, ...]], list[int]] = {}
    for i, row in enumerate(rows):
        first = by_story.setdefault(str(row["story"]), i)
        union(first, i)
        if row.get("tags") and row.get("subject"):
            by_event.setdefault((str(row["subject"]), tuple(sorted(row["tags"]))), []).append(i)
    for members in by_event.values():
        members.sort(key=lambda i: _day(rows[i]["date"]))
        for a, b in zip(members, members[1:], strict=False):
            if abs((_day(rows[b]["date"]) - _day(rows[a]["date"])).days) <= SAME_EVENT_DAYS:
                union(a, b)
    return [find(i) for i in range(len(rows))]


NEGATIVE = "(negative)"


def _labels(row: dict[str, Any]) -> list[str]:
    return list(row["tags"]) or [NEGATIVE]


def assign_splits(rows: Sequence[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Return split name -> rows, every story group in exactly one split (rows keep their input order)."""
    groups = group_stories(rows)
    members: dict[int, list[int]] = {}
    for i, g in enumerate(groups):
        members.setdefault(g, []).append(i)
    totals: Counter[str] = Counter(label for row in rows for label in _labels(row))
    want = {s: {label: share * n for label, n in totals.items()} for s, share in zip(SPLIT_FILES, SHARES, strict=True)}
    want_items = {s: share * len(rows) for s, share in zip(SPLIT_FILES, SHARES, strict=True)}
    have: dict[str, Counter[str]] = {s: Counter() for s in SPLIT_FILES}
    have_items: Counter[str] = Counter()

    def order(g: int) -> tuple[float, int, str]:
        labels = {label for i in members[g] for label in _labels(rows[i])}
        return (min(totals[label] for label in labels), -len(members[g]), min(str(rows[i]["story"]) for i in members[g]))

    split_of: dict[int, str] = {}
    for g in sorted(members, key=order):
        counts = Counter(label for i in members[g] for label in _labels(rows[i]))

        def need(s: str, counts: Counter[str] = counts) -> tuple[float, float, int]:
            label_need = sum(n * (want[s][label] - have[s][label]) / want[s][label] for label, n in counts.items())
            return (label_need, (want_items[s] - have_items[s]) / want_items[s], -SPLIT_FILES.index(s))

        best = max(SPLIT_FILES, key=need)
        split_of[g] = best
        have[best].update(counts)
        have_items[best] += len(members[g])
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in SPLIT_FILES}
    for row, g in zip(rows, groups, strict=True):
        out[split_of[g]].append(row)
    return out


def read_items(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """Read and check every item in ``paths``; duplicate ids are an error."""
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for path in paths:
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                raise ItemError(f"{path}:{lineno}: not JSON ({exc})") from exc
            check_item(row)
            if row["id"] in seen:
                raise ItemError(f"{path}:{lineno}: duplicate id {row['id']}")
            seen.add(row["id"])
            rows.append(row)
    return rows


def build(folder: Path | None = None) -> dict[str, int]:
    """Merge every ``*.jsonl`` in ``folder`` (default: the shipped real corpus) into the three split files."""
    folder = folder or DATA_DIR / REAL_DIR
    paths = sorted(folder.glob("*.jsonl"))
    rows = read_items(paths)
    rows.sort(key=lambda r: str(r["id"]))
    splits = assign_splits(rows)
    for name, part in splits.items():
        tmp = folder / f"{name}.jsonl.tmp"
        tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in part), encoding="utf-8")
        tmp.replace(folder / f"{name}.jsonl")
    for path in paths:
        if path.stem not in SPLIT_FILES:
            path.unlink()
    return {name: len(part) for name, part in splits.items()}


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry: build the splits and print their sizes."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        counts = build(Path(args[0]) if args else None)
    except ItemError as exc:
        print(f"build_real: {exc}", file=sys.stderr)
        return 2
    print(" ".join(f"{k}={v}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
