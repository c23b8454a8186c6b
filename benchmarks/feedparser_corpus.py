"""Acceptance: crawl feedparser's own test corpus (../shared/corpus/feedparser, ~2,100 real-world feed files),
each file served on 127.0.0.1 as one source, and check that

1. the crawl never crashes (every source gets a result; no "internal error"),
2. every entry with an http(s) link that ``feedparser.parse`` itself finds is stored and linked to its source,
3. a second crawl sends conditional headers, gets 304s and stores nothing new.

Each file's ``Header:`` comment lines become response headers, as in feedparser's own test harness.
Usage: python benchmarks/feedparser_corpus.py [CORPUS_DIR]   (exit status 0 = accepted; CI runs it when
../shared exists). Prints a summary and the first mismatches.
"""

from __future__ import annotations

import mimetypes
import re
import sys
import tempfile
import time
import warnings
from pathlib import Path
from urllib.parse import urljoin

import feedparser

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from loopback import LoopbackServer  # noqa: E402

from monitor.config import parse_config  # noqa: E402
from monitor.crawl import crawl_sources  # noqa: E402
from monitor.crawl.canonical import canonical_url  # noqa: E402
from monitor.crawl.feeds import http_link  # noqa: E402
from monitor.crawl.text import html_to_text  # noqa: E402
from storage.store import Store  # noqa: E402

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "feedparser"
_HEADER = re.compile(rb"^\s*Header:\s*([A-Za-z-]+):\s*(.*?)\s*$", re.MULTILINE)


def served_headers(body: bytes, name: str) -> dict[str, str]:
    """Response headers for one corpus file: its ``Header:`` lines, else a content type from its extension."""
    headers: dict[str, str] = {}
    for key, value in _HEADER.findall(body[:4000]):
        k = key.decode("latin-1")
        headers["Content-Type" if k.lower() == "content-type" else k] = value.decode("latin-1")
    headers.setdefault("Content-Type", mimetypes.guess_type(name)[0] or "application/xml")
    return headers


def main(corpus: Path) -> int:
    files = sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix in (".xml", ".json"))
    routes: dict[str, tuple[bytes, dict[str, str]]] = {}
    names: dict[str, Path] = {}
    for i, path in enumerate(files):
        body = path.read_bytes()
        headers = served_headers(body, path.name)
        headers["ETag"] = f'"fp-{i}"'
        route = f"/{i:05d}/{path.name}"
        routes[route] = (body, headers)
        names[f"fp-{i:05d}"] = path
    with LoopbackServer(routes) as base, tempfile.TemporaryDirectory() as tmp:
        sources = "".join(
            f'[[sources]]\nname = "{name}"\nurl = "{base}/{name[3:]}/{path.name}"\ninterval = "1h"\n'
            for name, path in names.items()
        )
        config = parse_config(
            '[crawl]\nallow_private_hosts = ["127.0.0.1"]\nrespect_robots = false\nconcurrency = 16\nper_host = 16\n'
            + sources
        )
        store = Store(Path(tmp) / "corpus.db")
        t0 = time.perf_counter()
        report = crawl_sources(config, store)
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        second = crawl_sources(config, store, force=True)
        second_time = time.perf_counter() - t0

        crashed = [r for r in report.results if r.error and r.error.startswith("internal error")]
        status_counts: dict[str, int] = {}
        for r in report.results:
            status_counts[r.status] = status_counts.get(r.status, 0) + 1
        linked: dict[str, set[str]] = {}
        titles: dict[str, set[str]] = {}
        for row in store.rows(
            "select s.source, a.url, a.title from article_sources s join articles a on a.id = s.article_id"
        ):
            linked.setdefault(row["source"], set()).add(row["url"])
            titles.setdefault(row["source"], set()).add(row["title"])

        total_entries = with_link = kept = kept_by_content = linkless_kept = 0
        missing: list[str] = []
        by_content: list[str] = []
        for name, path in names.items():
            body, headers = routes[f"/{name[3:]}/{path.name}"]
            url = f"{base}/{name[3:]}/{path.name}"
            lowered = {k.lower(): v for k, v in headers.items()}
            lowered["content-location"] = urljoin(url, lowered["content-location"]) if "content-location" in lowered else url
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                # same options as the crawler (no sanitizer: titles are reduced to text the same way below)
                parsed = feedparser.parse(body, response_headers=lowered, sanitize_html=False, resolve_relative_uris=False)
            for entry in parsed.entries:
                total_entries += 1
                link = http_link(entry.get("link"), url)
                if link is None:
                    # kept under a stable id: its (clean) title is stored for this source, or it has no title
                    # (an http(s) guid stands in for the link: it is the entry's URL then)
                    title = html_to_text(entry.get("title") or "")[:1000]
                    guid = entry.get("id") if isinstance(entry.get("id"), str) else None
                    guid_url = http_link(guid, url) if guid and guid.startswith(("http://", "https://")) else None
                    if (
                        (guid_url and canonical_url(guid_url) in linked.get(name, set()))
                        or (title and title in titles.get(name, set()))
                        or (not title and titles.get(name))
                    ):
                        linkless_kept += 1
                    else:
                        missing.append(f"{path.relative_to(corpus)}: entry without link {title[:60]!r}")
                    continue
                with_link += 1
                if canonical_url(link) in linked.get(name, set()):
                    kept += 1
                elif html_to_text(entry.get("title") or "")[:1000] in titles.get(name, set()):
                    kept_by_content += 1  # the same story was already stored from another file (content hash)
                    by_content.append(f"{path.relative_to(corpus)}: {link}")
                else:
                    missing.append(f"{path.relative_to(corpus)}: {link}")

        not_modified = sum(1 for r in second.results if r.status == "not-modified")
        fetched_ok = sum(1 for r in report.results if r.status == "ok")
        print(f"corpus: {len(files)} files in {corpus}")
        print(f"first crawl: {first:.1f}s, statuses {status_counts}, {report.new_articles} new articles")
        print(f"internal errors (crashes): {len(crashed)}")
        for r in report.results:
            if r.status == "error":
                print(f"  error: {names[r.name].relative_to(corpus)}: {r.error}")
        print(f"entries feedparser finds: {total_entries}; with an http(s) link: {with_link}")
        print(f"  stored and linked to their source: {kept} by URL + {kept_by_content} by content = "
              f"{kept + kept_by_content} of {with_link}; missing: {len(missing)}")
        print(f"  entries without an http(s) link kept under a stable id: {linkless_kept} of {total_entries - with_link}")
        print(f"second crawl: {second_time:.1f}s, {not_modified} of {fetched_ok} ok sources answered 304, "
              f"{second.new_articles} new articles")
        for line in by_content[:5]:
            print("  kept by content:", line)
        for line in missing[:20]:
            print("  missing:", line)
        for r in crashed[:20]:
            print("  crash:", r.name, names[r.name], r.error)
        store.close()
    ok = (
        not crashed
        and len(report.results) == len(files)
        and not missing
        and second.new_articles == 0
        and not_modified == fetched_ok
    )
    print("ACCEPTED" if ok else "NOT ACCEPTED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CORPUS))
