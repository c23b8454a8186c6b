"""``html`` sources: CSS selectors find article links, titles and dates; article text comes from trafilatura,
falling back to a bs4 extraction."""

from __future__ import annotations

from pathlib import Path

from crawl_support import make_config, source_toml
from pytest_httpserver import HTTPServer

from monitor.config import Selectors
from monitor.crawl import crawl_sources
from monitor.crawl.fulltext import extract_page, extract_text, fallback_text
from monitor.crawl.html_pages import parse_listing
from storage.store import Store

LISTING = """<!DOCTYPE html><html><body>
<nav><a href="/about">About</a></nav>
<div class="card"><h3 class="headline">Helix AI raises $2B at $20B valuation</h3>
  <a class="more" href="/news/helix-raise?utm_source=home&amp;utm_medium=web">Read more</a>
  <time datetime="2026-03-04T09:00:00Z">March 4</time></div>
<div class="card"><h3 class="headline">Northwind &amp; partners sign compute deal</h3>
  <a class="more" href="https://example.net/news/northwind-compute#top">Read more</a>
  <span class="date">March 5, 2026</span></div>
<div class="card"><h3 class="headline">Duplicate link</h3><a class="more" href="/news/helix-raise">Read more</a></div>
<div class="card"><a class="more" href="javascript:void(0)">Not a link</a></div>
</body></html>"""

ARTICLE = """<!DOCTYPE html><html><head><title>Helix AI raises $2B</title>
<meta property="article:published_time" content="2026-03-04T09:00:00+00:00"></head>
<body><header><a href="/">Home</a></header><nav>Menu</nav>
<article><h1>Helix AI raises $2B at $20B valuation</h1>
<p>Helix AI said on Tuesday that it raised $2 billion in a round led by long-time investors, valuing the company
at $20 billion.</p><p>The company said the money will pay for compute for the next two years as losses widen.</p>
<p>Analysts said the raise gives Helix enough runway to reach its revenue targets.</p></article>
<footer>Copyright</footer><script>track()</script></body></html>"""


def test_parse_listing_with_selectors() -> None:
    items = parse_listing(LISTING.encode(), "https://site.example.com/news/",
                          Selectors(link="a.more", title="h3.headline", date="time, span.date"))
    assert [(i.url, i.title) for i in items] == [
        ("https://site.example.com/news/helix-raise", "Helix AI raises $2B at $20B valuation"),
        ("https://example.net/news/northwind-compute", "Northwind & partners sign compute deal"),
    ]
    assert items[0].link == "https://site.example.com/news/helix-raise?utm_source=home&utm_medium=web"
    assert items[0].published is not None and items[0].published.isoformat() == "2026-03-04T09:00:00+00:00"
    assert items[1].published is not None and items[1].published.isoformat() == "2026-03-05T00:00:00+00:00"


def test_parse_listing_with_rows_and_link_text_titles() -> None:
    items = parse_listing(LISTING.encode(), "https://site.example.com/", Selectors(link="a", row="div.card"))
    assert [i.title for i in items] == ["Read more", "Read more"]
    assert len(parse_listing(b"<html><body></body></html>", "https://x.example/", Selectors(link="a"))) == 0


def test_article_text_by_trafilatura_and_fallback() -> None:
    text = extract_text(ARTICLE.encode(), "https://site.example.com/news/helix-raise")
    assert "raised $2 billion" in text and "Copyright" not in text and "track()" not in text
    page = extract_page(ARTICLE.encode(), "https://site.example.com/news/helix-raise")
    assert page.published is not None and page.published.date().isoformat() == "2026-03-04"
    tiny = "<html><body><main><p>Short note.</p></main><script>x()</script></body></html>"
    assert fallback_text(tiny) == "Short note."
    assert extract_text(tiny) == "Short note."
    assert extract_text(b"") == ""


def test_html_source_end_to_end(httpserver: HTTPServer, store: Store, tmp_path: Path) -> None:
    listing = LISTING.replace("https://example.net/news/northwind-compute#top", "/news/northwind-compute#top")
    httpserver.expect_request("/news/").respond_with_data(listing, content_type="text/html; charset=utf-8")
    httpserver.expect_request("/news/helix-raise").respond_with_data(ARTICLE, content_type="text/html")
    httpserver.expect_request("/news/northwind-compute").respond_with_data("gone", status=404)
    config = make_config(
        tmp_path,
        source_toml("site", httpserver.url_for("/news/"), kind="html", providers=["helix"],
                    selectors={"link": "a.more", "title": "h3.headline", "date": "time, span.date"}),
    )
    result = crawl_sources(config, store).by_name("site")
    assert (result.status, result.format, result.entries, result.new_articles) == ("ok", "html", 2, 2)
    assert "1 of 2 articles not fetched (HTTP 404)" in (result.warning or "")
    rows = {r["title"]: r for r in store.rows("select * from articles")}
    helix = rows["Helix AI raises $2B at $20B valuation"]
    assert "raised $2 billion" in helix["text"] and helix["published"] == "2026-03-04T09:00:00+00:00"
    assert helix["url"] == httpserver.url_for("/news/helix-raise").replace("localhost", "localhost")
    northwind = rows["Northwind & partners sign compute deal"]
    assert northwind["text"] == "" and northwind["published"] == "2026-03-05T00:00:00+00:00"
    # the next crawl does not fetch known articles again
    crawl_sources(config, store, force=True)
    assert sum(1 for req, _ in httpserver.log if req.path == "/news/helix-raise") == 1


def test_invalid_selector_is_a_readable_error(httpserver: HTTPServer, store: Store, tmp_path: Path) -> None:
    httpserver.expect_request("/p").respond_with_data(LISTING, content_type="text/html")
    config = make_config(tmp_path, source_toml("bad", httpserver.url_for("/p"), kind="html", selectors={"link": "a[["}))
    result = crawl_sources(config, store).by_name("bad")
    assert result.status == "error" and (result.error or "").startswith("invalid CSS selector")


def test_no_matching_links_is_a_warning(httpserver: HTTPServer, store: Store, tmp_path: Path) -> None:
    httpserver.expect_request("/p").respond_with_data(LISTING, content_type="text/html")
    config = make_config(tmp_path, source_toml("empty", httpserver.url_for("/p"), kind="html", selectors={"link": "a.nothing"}))
    result = crawl_sources(config, store).by_name("empty")
    assert result.status == "ok" and result.warning == 'no links matched selector "a.nothing"'
