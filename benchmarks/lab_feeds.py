"""Classify every item of the real lab and news feeds in ../shared/corpus/feeds and list the tagged ones.

The feeds are the labs' real blog feeds (OpenAI, Anthropic, Google, NVIDIA, Nov–Dec 2025), a Hacker News feed
and a TechCrunch feed, none of them written by this project and none used for training. Each item is parsed by
capwatch's own feed parser and classified as the classify stage does (title, then summary and text, at most
4,000 characters) by the committed transformer classifier, with every catalogue organisation recognised.
Usage::

    python benchmarks/lab_feeds.py [--feeds DIR] [--json]

docs/classifier.md ("Real feeds") lists the tagged items with a right/wrong judgement for each.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from classifiers.orgs.catalogue import load_catalogue  # noqa: E402
from classifiers.transformer import TransformerClassifier  # noqa: E402
from classifiers.types import ArticleText  # noqa: E402
from monitor.crawl.feeds import parse_feed  # noqa: E402
from monitor.pipeline import MAX_TEXT_CHARS  # noqa: E402

DEFAULT_FEEDS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "feeds"


def main() -> None:
    """Parse, classify and print the tagged items (and the count of all items)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=Path, default=DEFAULT_FEEDS)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    names = {o.id: o.names for o in load_catalogue().values() if o.names}
    clf = TransformerClassifier(names)
    rows, total = [], 0
    for path in sorted(args.feeds.glob("*.xml")):
        feed = parse_feed(path.read_bytes(), {}, f"https://example.org/{path.name}", datetime.now(UTC))
        items = [ArticleText(str(i), e.title, (e.summary + "\n\n" + e.text).strip()[:MAX_TEXT_CHARS])
                 for i, e in enumerate(feed.entries)]
        total += len(items)
        for item, result in zip(items, clf.classify(items), strict=True):
            if result.tags:
                rows.append({
                    "feed": path.stem, "title": item.title,
                    "tags": [t.tag for t in result.tags], "direction": result.direction,
                    "subjects": [p.provider for p in result.providers if p.subject],
                })
    if args.json:
        print(json.dumps({"version": clf.version, "items": total, "tagged": rows}, indent=2))
        return
    print(f"{clf.version}: {len(rows)} of {total} items tagged")
    for r in rows:
        print(f"{r['feed']:<28} {','.join(r['tags']):<32} {','.join(r['subjects']):<20} {r['title'][:90]}")


if __name__ == "__main__":
    main()
