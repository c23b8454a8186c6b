"""Benchmark: 500 feeds x 20 entries on a loopback server — a first full crawl cycle, then a second cycle
answered with 304 — against ``feedparser.parse(url)`` called on each feed one after another on the same server.

Reports wall time and peak RSS of each run (each run is measured in its own fresh process, so peak RSS is that
run's own), and the crawler/feedparser time ratios. Targets on a 2-core machine: 304 cycle < 5 s, full < 30 s.
Usage: python benchmarks/crawl_cycle.py [--feeds 500] [--entries 20] [--json]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from loopback import LoopbackServer  # noqa: E402

TEXT = ("Helix AI raised capital while Northwind cut prices and signed a compute deal for new GPUs; analysts "
        "expect revenue growth, but losses widen as data-center spending climbs.")
WORDS = TEXT.split(" ")


def make_feed(feed: int, entries: int) -> bytes:
    """An RSS 2.0 feed with ``entries`` distinct items (~600 characters of text each)."""
    items = []
    for e in range(entries):
        text = " ".join(WORDS[(feed + e + k) % len(WORDS)] for k in range(90))
        items.append(
            f"<item><title>Feed {feed} story {e}: {WORDS[(feed * 7 + e) % len(WORDS)]} update</title>"
            f"<link>https://news{feed % 50}.example.com/{feed}/story-{e}?utm_source=rss</link>"
            f"<guid isPermaLink=\"false\">feed-{feed}-{e}</guid>"
            f"<pubDate>Mon, {1 + e % 28:02d} Sep 2026 {e % 24:02d}:00:00 GMT</pubDate>"
            f"<description>&lt;p&gt;{text}&lt;/p&gt;</description></item>"
        )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Bench feed {feed}</title>'
        f"<link>https://bench.example.com/{feed}</link><description>benchmark</description>{''.join(items)}"
        "</channel></rss>"
    ).encode()


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _crawl_worker(base: str, feeds: int, db: str, force: bool, out: Any) -> None:
    from monitor.config import parse_config
    from monitor.crawl import crawl_sources
    from storage.store import Store

    sources = "".join(f'[[sources]]\nname = "feed-{i:04d}"\nurl = "{base}/feed/{i}.xml"\ninterval = "30m"\n' for i in range(feeds))
    config = parse_config('[crawl]\nallow_private_hosts = ["127.0.0.1"]\nrespect_robots = false\nper_host = 8\n' + sources)
    store = Store(db)
    cpu0, start = _cpu_seconds(), time.perf_counter()
    report = crawl_sources(config, store, force=force)
    wall, cpu = time.perf_counter() - start, _cpu_seconds() - cpu0
    statuses: dict[str, int] = {}
    for r in report.results:
        statuses[r.status] = statuses.get(r.status, 0) + 1
    out.put({"wall": wall, "cpu": cpu, "rss_mb": _peak_rss_mb(), "statuses": statuses, "new_articles": report.new_articles,
             "articles": store.article_count()})
    store.close()


def _feedparser_worker(base: str, feeds: int, conditional: dict[str, str] | None, out: Any) -> None:
    import feedparser

    etags: dict[str, str] = {}
    entries = 0
    statuses: dict[int, int] = {}
    cpu0, start = _cpu_seconds(), time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i in range(feeds):
            url = f"{base}/feed/{i}.xml"
            d = feedparser.parse(url, etag=(conditional or {}).get(url))
            entries += len(d.entries)
            statuses[d.get("status", 0)] = statuses.get(d.get("status", 0), 0) + 1
            if d.get("etag"):
                etags[url] = d["etag"]
    wall, cpu = time.perf_counter() - start, _cpu_seconds() - cpu0
    out.put({"wall": wall, "cpu": cpu, "rss_mb": _peak_rss_mb(), "entries": entries, "statuses": statuses, "etags": etags})


def _run(target: Any, *args: Any) -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, queue))
    proc.start()
    result = queue.get(timeout=600)
    proc.join(60)
    return dict(result)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--entries", type=int, default=20)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    routes = {
        f"/feed/{i}.xml": (make_feed(i, args.entries), {"Content-Type": "application/rss+xml", "ETag": f'"v1-{i}"'})
        for i in range(args.feeds)
    }
    load = os.getloadavg()
    with LoopbackServer(routes) as base, tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "bench.db")
        full = _run(_crawl_worker, base, args.feeds, db, False)
        cached = _run(_crawl_worker, base, args.feeds, db, True)
        fp_full = _run(_feedparser_worker, base, args.feeds, None)
        fp_cached = _run(_feedparser_worker, base, args.feeds, fp_full.pop("etags"))
        fp_cached.pop("etags")
    results = {
        "feeds": args.feeds,
        "entries_per_feed": args.entries,
        "crawl_full": full,
        "crawl_304": cached,
        "feedparser_full": fp_full,
        "feedparser_304": fp_cached,
        "ratio_full": full["wall"] / fp_full["wall"],
        "ratio_304": cached["wall"] / fp_cached["wall"],
        "load_average": load[0],
    }
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"{args.feeds} feeds x {args.entries} entries on 127.0.0.1")
        print(f"load average before the run: {load[0]:.2f} (2 cores; other jobs inflate wall times, not CPU times)")
        print(f"crawl, full cycle : {full['wall']:6.2f} s  cpu {full['cpu']:6.2f} s  peak RSS {full['rss_mb']:6.1f} MB  "
              f"{full['new_articles']} new articles  {full['statuses']}")
        print(f"crawl, 304 cycle  : {cached['wall']:6.2f} s  cpu {cached['cpu']:6.2f} s  peak RSS {cached['rss_mb']:6.1f} MB  "
              f"{cached['new_articles']} new articles  {cached['statuses']}")
        print(f"feedparser.parse(url), sequential : {fp_full['wall']:6.2f} s  cpu {fp_full['cpu']:6.2f} s  peak RSS {fp_full['rss_mb']:6.1f} MB  "
              f"{fp_full['entries']} entries")
        print(f"feedparser.parse(url, etag=...)   : {fp_cached['wall']:6.2f} s  cpu {fp_cached['cpu']:6.2f} s  peak RSS {fp_cached['rss_mb']:6.1f} MB  "
              f"{fp_cached['statuses']}")
        print(f"ratio crawl/feedparser: full {results['ratio_full']:.2f}, 304 {results['ratio_304']:.2f}")
        print(f"targets: 304 cycle < 5 s: {'met' if cached['wall'] < 5 else 'MISSED'}; "
              f"full cycle < 30 s: {'met' if full['wall'] < 30 else 'MISSED'}")
    ok = full["new_articles"] == args.feeds * args.entries and cached["new_articles"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
