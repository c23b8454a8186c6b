"""Hypothesis: random and mutated feed bytes never raise out of a crawl; the source records an error instead."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from crawl_support import FEEDS, STATUS, make_config, source_toml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer

from monitor.config import Config
from monitor.crawl import crawl_sources
from monitor.crawl.feeds import parse_feed
from storage.store import Store

SEEDS = [(FEEDS / name).read_bytes() for name in ("rss20.xml", "atom10.xml", "jsonfeed11.json", "rss10_rdf.xml")]
SEEDS.append((STATUS / "openai_incidentio_history.atom").read_bytes())


@st.composite
def mutated_feed(draw: st.DrawFn) -> bytes:
    """A real feed with random byte edits: flips, deletions, insertions and truncation."""
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 12))):
        if not data:
            break
        pos = draw(st.integers(0, len(data) - 1))
        op = draw(st.sampled_from(["flip", "delete", "insert", "truncate", "markup"]))
        if op == "flip":
            data[pos] = draw(st.integers(0, 255))
        elif op == "delete":
            del data[pos : pos + draw(st.integers(1, 40))]
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=30))
        elif op == "markup":
            data[pos:pos] = draw(st.sampled_from([b"<", b"&", b"]]>", b"<![CDATA[", b"&#0;", b"\xff\xfe", b"<item>", b"</channel>"]))
        else:
            del data[pos:]
    return bytes(data)


def _crawl_body(server: HTTPServer, store: Store, config: Config, body: bytes, content_type: str) -> None:
    server.clear()
    server.expect_request("/fuzz").respond_with_data(body, content_type=content_type)
    report = crawl_sources(config, store, force=True)  # one crawl, the same bytes read as each source kind
    for kind in ("fuzz-feed", "fuzz-status", "fuzz-prices", "fuzz-html"):
        result = report.by_name(kind)
        assert result.status in ("ok", "error")
        state = store.source_state(kind)
        assert state is not None
        if result.status == "error":
            assert result.error and state["last_error"] == result.error and state["error_count"] >= 1
        else:
            assert state["error_count"] == 0


@pytest.fixture
def fuzz_config(httpserver: HTTPServer, tmp_path: Path) -> Config:
    url = httpserver.url_for("/fuzz")
    return make_config(
        tmp_path,
        source_toml("fuzz-feed", url) + source_toml("fuzz-status", url, kind="status")
        + source_toml("fuzz-prices", url, kind="prices") + source_toml("fuzz-html", url, kind="html", selectors={"link": "a"}),
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=st.binary(max_size=2048), content_type=st.sampled_from(["application/rss+xml", "text/html", "application/json", "text/plain; charset=utf-16"]))
def test_random_bytes_never_raise(body: bytes, content_type: str, httpserver: HTTPServer, store: Store, fuzz_config: Config) -> None:
    _crawl_body(httpserver, store, fuzz_config, body, content_type)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=mutated_feed())
def test_mutated_feeds_never_raise(body: bytes, httpserver: HTTPServer, store: Store, fuzz_config: Config) -> None:
    _crawl_body(httpserver, store, fuzz_config, body, "application/xml")


@settings(max_examples=200, deadline=None)
@given(body=st.one_of(st.binary(max_size=4096), mutated_feed()), headers=st.dictionaries(
    st.sampled_from(["content-type", "content-location", "content-language", "etag"]), st.text(max_size=40), max_size=3))
def test_parser_never_raises(body: bytes, headers: dict[str, str]) -> None:
    parsed = parse_feed(body, headers, "https://fuzz.example.com/feed", datetime(2026, 3, 10, tzinfo=UTC))
    assert (parsed.error is None) or not parsed.entries
    for entry in parsed.entries:
        assert entry.url and entry.published.tzinfo is not None
