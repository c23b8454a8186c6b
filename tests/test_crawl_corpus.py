"""The feed fixture corpus, each file served on 127.0.0.1 and crawled as one source.

Covers RSS 0.91/1.0/2.0, Atom 0.3/1.0, JSON Feed 1.0/1.1, declared vs actual encoding mismatches, UTF-16,
malformed XML, HTML entities, an empty feed, an HTML page and binary junk served as feeds, real-world feeds, and a
5 MB feed generated here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from crawl_support import FEEDS, make_config, source_toml
from pytest_httpserver import HTTPServer

from monitor.crawl import crawl_sources
from storage.store import Store

Check = Callable[[dict[str, dict[str, Any]]], None]


@dataclass
class Case:
    file: str
    format: str | None
    entries: int
    stored: int
    status: str = "ok"
    content_type: str = "application/xml"
    error: str | None = None
    warning: str | None = None
    checks: list[Check] = field(default_factory=list)


def title_is(url: str, title: str) -> Check:
    def check(by_url: dict[str, dict[str, Any]]) -> None:
        assert by_url[url]["title"] == title

    return check


def published_is(url: str, iso: str, missing: bool = False) -> Check:
    def check(by_url: dict[str, dict[str, Any]]) -> None:
        assert by_url[url]["published"] == iso
        assert bool(by_url[url]["date_missing"]) is missing

    return check


def field_contains(url: str, column: str, text: str) -> Check:
    def check(by_url: dict[str, dict[str, Any]]) -> None:
        assert text in by_url[url][column]

    return check


def all_clean(by_url: dict[str, dict[str, Any]]) -> None:
    for row in by_url.values():
        for column in ("title", "summary", "text"):
            assert "<" not in row[column] or "<3" in row[column], (column, row[column])
            assert "&amp;" not in row[column] and "&nbsp;" not in row[column]
        assert row["published"].endswith("+00:00")


CAFE = "Café Zürich – Helix prices €"
CORPUS = [
    Case("rss091.xml", "rss091n", 2, 2, checks=[
        title_is("https://news.example.com/helix-raises", "Helix AI raises $400 million"),
        published_is("https://news.example.com/helix-raises", "FETCHED", missing=True)]),
    Case("rss10_rdf.xml", "rss10", 2, 2, checks=[
        published_is("https://rdf.example.com/a", "2026-03-02T08:30:00+00:00")]),
    Case("rss20.xml", "rss20", 3, 3, checks=[
        published_is("https://money.example.com/2026/northwind-ceo", "2026-03-04T13:15:00+00:00"),
        field_contains("https://money.example.com/2026/helix-loss", "guid", "money-1")]),
    Case("rss20_relative_links.xml", "rss20", 2, 2, checks=[
        title_is("http://127.0.0.1:PORT/posts/relative-one", "Relative one"),
        title_is("http://127.0.0.1:PORT/feeds/posts/relative-two?a=1&b=2", "Relative two")]),
    Case("rss20_html_in_titles.xml", "rss20", 1, 1, checks=[
        title_is("https://html.example.com/merge", "Helix & Northwind merge"),
        field_contains("https://html.example.com/merge", "summary", "The deal is worth $9 billion. Second paragraph.")]),
    Case("rss20_no_dates.xml", "rss20", 3, 3, checks=[
        published_is("https://nodate.example.com/1", "FETCHED", missing=True),
        published_is("https://nodate.example.com/3", "FETCHED", missing=True)]),
    Case("rss20_no_links.xml", "rss20", 3, 3, checks=[
        title_is("https://nolink.example.com/from-guid", "Permalink guid")]),
    Case("rss20_duplicates.xml", "rss20", 3, 2),
    Case("atom03.xml", "atom03", 2, 2, checks=[
        published_is("https://atom03.example.com/cfo", "2026-03-05T10:00:00+00:00")]),
    Case("atom10.xml", "atom10", 2, 2, checks=[
        title_is("https://atom.example.com/blog/posts/helix-investors", "Helix <3 investors"),
        published_is("https://atom.example.com/blog/posts/helix-investors", "2026-03-06T16:30:02+00:00"),
        field_contains("https://atom.example.com/blog/posts/helix-investors", "text", "A much longer body about Helix"),
        published_is("https://atom.example.com/blog/posts/updated-only", "2026-03-05T07:00:00+00:00")]),
    Case("atom10_xhtml.xml", "atom10", 1, 1, checks=[
        title_is("https://xhtml.example.com/prices", "Northwind prices rise"),
        field_contains("https://xhtml.example.com/prices", "text", "Output tokens cost 20% more.")]),
    Case("jsonfeed11.json", "json11", 3, 3, content_type="application/feed+json", checks=[
        title_is("https://json.example.com/relative-item", "Relative JSON link"),
        published_is("https://json.example.com/helix-ipo", "2026-03-07T14:00:00+00:00"),
        field_contains("https://json.example.com/helix-ipo", "author", "Grace")]),
    Case("jsonfeed10.json", "json1", 2, 2, content_type="application/json", checks=[
        title_is("https://elsewhere.example.net/b", "Linked post")]),
    Case("encoding_declared_utf8_actual_cp1252.xml", "rss20", 1, 1, warning="CharacterEncodingOverride",
         checks=[title_is("https://enc.example.com/mismatch", CAFE)]),
    Case("encoding_cp1252.xml", "rss20", 1, 1, checks=[title_is("https://enc.example.com/cp1252", CAFE)]),
    Case("encoding_utf16_bom.xml", "rss20", 1, 1, checks=[title_is("https://enc.example.com/utf16", CAFE)]),
    Case("encoding_header_latin1_actual_utf8.xml", "rss20", 1, 1, content_type="text/xml; charset=utf-8",
         checks=[title_is("https://enc.example.com/header", CAFE)]),
    Case("malformed.xml", "rss20", 1, 1, warning="malformed feed kept"),
    Case("entities.xml", "rss20", 2, 2, warning="undefined entity", checks=[
        title_is("https://entities.example.com/cafe", "Café — Helix AI’s pricing"),
        field_contains("https://entities.example.com/cafe", "summary", "Prices €3 → €2 & more.")]),
    Case("empty.xml", "rss20", 0, 0),
    Case("html_page.html", None, 0, 0, status="error", content_type="text/html", error="not a feed (got an HTML page)"),
    Case("not_a_feed.bin", None, 0, 0, status="error", content_type="application/octet-stream", error="not a feed"),
    Case("hackernews_2012_iso8859-1.xml", "rss20", 30, 30, content_type="application/rss+xml; charset=ISO-8859-1"),
    Case("techcrunch_scraped_2026-03-24.xml", "rss20", 10, 10),
    Case("blog_anthropic.xml", "rss20", 11, 11, checks=[
        field_contains("https://www.anthropic.com/news/claude-for-nonprofits", "title", "Claude for Nonprofits")]),
]


def test_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 20
    assert {c.file for c in CORPUS} <= {p.name for p in FEEDS.iterdir()}


def _articles(store: Store, source: str) -> dict[str, dict[str, Any]]:
    rows = store.rows(
        "select a.* from articles a join article_sources s on s.article_id = a.id where s.source = ?", [source]
    )
    return {r["url"]: r for r in rows}


@pytest.mark.parametrize("case", CORPUS, ids=[c.file for c in CORPUS])
def test_fixture_feed(case: Case, httpserver: HTTPServer, store: Store, tmp_path: Path) -> None:
    body = (FEEDS / case.file).read_bytes()
    httpserver.expect_request("/feeds/" + case.file).respond_with_data(body, content_type=case.content_type)
    config = make_config(tmp_path, source_toml("fixture", httpserver.url_for("/feeds/" + case.file)))
    report = crawl_sources(config, store)
    result = report.by_name("fixture")
    assert result.status == case.status, result.error
    assert result.format == case.format
    assert result.entries == case.entries
    if case.error:
        assert result.error is not None and case.error in result.error
        assert case.error in (store.source_state("fixture") or {})["last_error"]
    if case.warning:
        assert result.warning is not None and case.warning in result.warning
        assert case.warning in (store.source_state("fixture") or {})["last_warning"]
    by_url = _articles(store, "fixture")
    assert len(by_url) == case.stored == result.new_articles
    fetched = report.started.isoformat() if report.started else ""
    by_url = {u.replace(f"localhost:{httpserver.port}", f"127.0.0.1:{httpserver.port}"): r for u, r in by_url.items()}
    for check in case.checks:
        patched = {
            u.replace(f"127.0.0.1:{httpserver.port}", "127.0.0.1:PORT"): dict(r, published=r["published"].replace(fetched, "FETCHED"))
            for u, r in by_url.items()
        }
        check(patched)
    all_clean(by_url)
    # a second crawl finds nothing new and stores nothing twice
    again = crawl_sources(config, store, force=True).by_name("fixture")
    assert again.new_articles == 0
    assert len(_articles(store, "fixture")) == case.stored


def test_same_story_in_two_feeds_is_stored_once_and_linked_to_both(
    httpserver: HTTPServer, store: Store, tmp_path: Path
) -> None:
    for name in ("rss20.xml", "rss20_second_feed.xml"):
        httpserver.expect_request("/" + name).respond_with_data((FEEDS / name).read_bytes(), content_type="application/rss+xml")
    config = make_config(
        tmp_path,
        source_toml("money", httpserver.url_for("/rss20.xml")) + source_toml("syndicated", httpserver.url_for("/rss20_second_feed.xml")),
    )
    report = crawl_sources(config, store)
    assert report.new_articles == 4  # 3 + 2, one shared
    rows = store.rows("select id from articles where url = ?", ["https://money.example.com/2026/helix-loss"])
    assert len(rows) == 1
    article = store.article(rows[0]["id"])
    assert article is not None and sorted(article["sources"]) == ["money", "syndicated"]
    assert store.article_count() == 4


def test_five_megabyte_feed(httpserver: HTTPServer, store: Store, tmp_path: Path) -> None:
    """A 5 MB feed (generated here, not committed) is fetched under the 10 MB cap and every entry is stored."""
    filler = "Helix AI and Northwind compute capital spending analysis. " * 170
    items = "".join(
        f"<item><title>Big feed item {i}</title><link>https://big.example.com/item/{i}</link>"
        f"<guid>big-{i}</guid><pubDate>Mon, 02 Mar 2026 10:00:00 GMT</pubDate>"
        f"<description>{filler}</description></item>"
        for i in range(500)
    )
    body = f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Big</title>{items}</channel></rss>'.encode()
    assert 5_000_000 <= len(body) <= 6_000_000
    httpserver.expect_request("/big.xml").respond_with_data(body, content_type="application/rss+xml")
    config = make_config(tmp_path, source_toml("big", httpserver.url_for("/big.xml")))
    result = crawl_sources(config, store).by_name("big")
    assert result.status == "ok", result.error
    assert result.entries == 500 == result.new_articles
    assert store.article_count() == 500
