"""Split the real-world corpus by story into ``real/train.jsonl``, ``real/dev.jsonl`` and ``real/test.jsonl``.

Run ``python -m classifiers.data.build_real`` after adding labelled items: it reads every ``*.jsonl`` in
``classifiers/data/real/`` (the three split files and any new batch files), checks each item against the format
in docs/classifier.md, groups items into stories and writes the three split files (about 60 / 20 / 20 of the
story groups), removing the batch files it merged.

Grouping is deliberately conservative, so that no event leaks from train into test: two items are in one group
when they share a ``story`` slug, or when they have the same subject and the same tags and dates at most
:data:`SAME_EVENT_DAYS` apart (two outlets reporting one event under different slugs).

Items already in a split file stay in their split: a new batch only adds items (a new report of an old story
joins that story's split), so that items once held out are never moved into training.

New groups are assigned to splits by iterative stratification (Sechidis et al., 2011), deterministically: groups
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


def assign_splits(
    rows: Sequence[dict[str, Any]], fixed: Sequence[str | None] | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Return split name -> rows, every story group in exactly one split (rows keep their input order).

    ``fixed`` gives, per row, the split it already belongs to (``None`` for a new row). Fixed rows never move, so
    adding a batch leaves every earlier item in its split and the test split is never reshuffled into training.
    A new row whose story group holds fixed rows joins their split (the one holding most of them, should a new
    report bridge two old groups); the remaining new groups are stratified on top of what the splits already hold.
    """
    groups = group_stories(rows)
    fixed = list(fixed) if fixed is not None else [None] * len(rows)
    members: dict[int, list[int]] = {}
    for i, g in enumerate(groups):
        members.setdefault(g, []).append(i)
    totals: Counter[str] = Counter(label for row in rows for label in _labels(row))
    want = {
        s: {label: share * n for label, n in totals.items()}
        for s, share in zip(SPLIT_FILES, SHARES, strict=True)
    }
    want_items = {s: share * len(rows) for s, share in zip(SPLIT_FILES, SHARES, strict=True)}
    have: dict[str, Counter[str]] = {s: Counter() for s in SPLIT_FILES}
    have_items: Counter[str] = Counter()

    def order(g: int) -> tuple[float, int, str]:
        labels = {label for i in members[g] for label in _labels(rows[i])}
        return (
            min(totals[label] for label in labels),
            -len(members[g]),
            min(str(rows[i]["story"]) for i in members[g]),
        )

    split_of: dict[int, str] = {}
    pinned: dict[int, Counter[str]] = {}
    for i, where in enumerate(fixed):
        if where is not None:
            pinned.setdefault(groups[i], Counter())[where] += 1
    for g, where_counts in pinned.items():
        split_of[g] = where_counts.most_common(1)[0][0]
        for i in members[g]:
            where = fixed[i] or split_of[g]
            have[where].update(_labels(rows[i]))
            have_items[where] += 1
    for g in sorted((g for g in members if g not in split_of), key=order):
        counts = Counter(label for i in members[g] for label in _labels(rows[i]))

        def need(s: str, counts: Counter[str] = counts) -> tuple[float, float, int]:
            label_need = sum(
                n * (want[s][label] - have[s][label]) / want[s][label] for label, n in counts.items()
            )
            return (label_need, (want_items[s] - have_items[s]) / want_items[s], -SPLIT_FILES.index(s))

        best = max(SPLIT_FILES, key=need)
        split_of[g] = best
        have[best].update(counts)
        have_items[best] += len(members[g])
    # a new report of an old story goes where that story is, even when the date rule also ties it to another group
    slug_split = {str(row["story"]): where for row, where in zip(rows, fixed, strict=True) if where is not None}
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in SPLIT_FILES}
    for row, g, where in zip(rows, groups, fixed, strict=True):
        out[where or slug_split.get(str(row["story"])) or split_of[g]].append(row)
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
    split_files = {
        name: {str(r["id"]) for r in read_items([folder / f"{name}.jsonl"])}
        for name in SPLIT_FILES
        if (folder / f"{name}.jsonl").exists()
    }
    rows.sort(key=lambda r: str(r["id"]))
    fixed = [next((name for name, ids in split_files.items() if str(r["id"]) in ids), None) for r in rows]
    splits = assign_splits(rows, fixed)
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
