"""Pure parts of the crawler: canonical URLs, scheduling policy, the private-address guard, text and dates."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta

import pytest

from monitor.config import CrawlSettings
from monitor.crawl.canonical import canonical_url, host_of
from monitor.crawl.dates import parse_date, plausible
from monitor.crawl.netguard import BlockedURL, NetGuard
from monitor.crawl.schedule import (
    after_failure,
    failure_delay,
    next_after_success,
    parse_max_age,
    parse_retry_after,
)
from monitor.crawl.text import html_to_text

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTPS://Example.COM/Path?b=2&a=1#frag", "https://example.com/Path?a=1&b=2"),
        ("https://example.com", "https://example.com/"),
        ("http://example.com:80/x", "http://example.com/x"),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
        ("https://example.com/a?utm_source=rss&utm_medium=feed&id=7", "https://example.com/a?id=7"),
        ("https://example.com/a?fbclid=abc&gclid=def&mc_cid=1", "https://example.com/a"),
        ("https://example.com/a?UTM_Campaign=x&q=ai+news", "https://example.com/a?q=ai+news"),
        ("https://example.com./a", "https://example.com/a"),
        ("https://[2001:DB8::1]/a", "https://[2001:db8::1]/a"),
        ("urn:capwatch:entry:abc", "urn:capwatch:entry:abc"),
        ("  https://example.com/a  ", "https://example.com/a"),
        ("https://example.com:notaport/x", "https://example.com:notaport/x"),
    ],
)
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical
    assert canonical_url(canonical_url(url)) == canonical_url(url)


def test_host_of() -> None:
    assert host_of("https://Example.com:443/x") == "example.com"
    assert host_of("http://127.0.0.1:8080/x") == "127.0.0.1:8080"


def test_retry_after_and_max_age() -> None:
    assert parse_retry_after("120", NOW) == timedelta(seconds=120)
    assert parse_retry_after("Tue, 10 Mar 2026 12:05:00 GMT", NOW) == timedelta(minutes=5)
    assert parse_retry_after("Tue, 10 Mar 2026 11:00:00 GMT", NOW) is None  # in the past
    assert parse_retry_after("soon", NOW) is None and parse_retry_after(None, NOW) is None
    assert parse_max_age("public, max-age=600") == timedelta(seconds=600)
    assert parse_max_age("s-maxage=10, max-age=60") == timedelta(seconds=60)
    assert parse_max_age("no-cache, max-age=600") is None
    assert parse_max_age("max-age=0") is None


def test_next_after_success_only_stretches() -> None:
    assert next_after_success(NOW, timedelta(minutes=30), None) == NOW + timedelta(minutes=30)
    assert next_after_success(NOW, timedelta(minutes=30), timedelta(minutes=5)) == NOW + timedelta(minutes=30)
    assert next_after_success(NOW, timedelta(minutes=30), timedelta(hours=3)) == NOW + timedelta(hours=3)
    assert next_after_success(NOW, timedelta(minutes=30), timedelta(days=30)) == NOW + timedelta(days=1)


def test_backoff_is_exponential_with_jitter_and_capped() -> None:
    settings = CrawlSettings(backoff_base=timedelta(minutes=5), max_pause=timedelta(hours=2), pause_after_failures=4)
    rng = random.Random(7)
    for n, minutes in ((1, 5), (2, 10), (3, 20), (4, 40), (5, 80)):
        delay = failure_delay(n, settings, rng)
        assert timedelta(minutes=minutes * 0.85) <= delay <= timedelta(minutes=minutes * 1.15)
    assert failure_delay(30, settings, rng) <= timedelta(hours=2)
    delays = {failure_delay(3, settings, random.Random(seed)) for seed in range(20)}
    assert len(delays) > 10  # jitter spreads retries
    next_fetch, paused = after_failure(3, settings, NOW, timedelta(minutes=30), None, rng)
    assert paused is None and next_fetch > NOW
    next_fetch, paused = after_failure(4, settings, NOW, timedelta(minutes=30), None, rng)
    assert paused == next_fetch
    next_fetch, _ = after_failure(1, settings, NOW, timedelta(minutes=30), timedelta(minutes=45), rng)
    assert next_fetch == NOW + timedelta(minutes=45)  # Retry-After wins over a shorter back-off


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/x", "http://10.0.0.1/", "http://192.168.1.1/", "http://172.16.0.1/", "http://169.254.169.254/",
        "http://[::1]/", "http://[fe80::1]/", "http://0.0.0.0/", "http://localhost/", "http://printer.local/",
        "http://224.0.0.1/", "http://[::ffff:127.0.0.1]/", "file:///etc/passwd", "ftp://example.com/", "gopher://x/",
        "http:///nohost",
        # IPv6 addresses that carry a private IPv4 address: 6to4, NAT64, Teredo (hardening finding 10)
        "http://[2002:a9fe:a9fe::]/", "http://[2002:0a00:0001::1]/", "http://[64:ff9b::10.0.0.1]/",
        "http://[64:ff9b::a9fe:a9fe]/", "http://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/",
    ],
)
def test_guard_blocks_private_and_non_http(url: str) -> None:
    with pytest.raises(BlockedURL):
        asyncio.run(NetGuard().check(url))


def test_guard_allow_list() -> None:
    guard = NetGuard(["127.0.0.1", "localhost", "10.20.0.0/16"])
    for url in ("http://127.0.0.1:8080/a", "http://localhost/a", "http://10.20.3.4/a"):
        asyncio.run(guard.check(url))
    with pytest.raises(BlockedURL, match="private address: 10.21.0.1 is not public"):
        asyncio.run(guard.check("http://10.21.0.1/"))
    asyncio.run(NetGuard().check("http://93.184.215.14/"))  # a public literal needs no DNS
    asyncio.run(NetGuard().check("http://[2002:5db8:d70e::]/"))  # 6to4 of that public address is public too


@pytest.mark.parametrize(
    ("fragment", "text"),
    [
        ("<p>Hello <b>world</b></p><p>Again</p>", "Hello world Again"),
        ("A &amp; B &eacute;", "A & B é"),
        ("plain   text\n here", "plain text here"),
        ("<script>alert(1)</script>Visible", "Visible"),
        ("x < y and y > z", "x < y and y > z"),
        ("<li>one</li><li>two</li>", "one two"),
        ("", ""),
        (None, ""),
    ],
)
def test_html_to_text(fragment: str | None, text: str) -> None:
    assert html_to_text(fragment) == text


def test_dates() -> None:
    assert parse_date("2026-03-01T10:00:00+02:00") == datetime(2026, 3, 1, 8, tzinfo=UTC)
    assert parse_date("Sun, 01 Mar 2026 10:00:00 GMT") == datetime(2026, 3, 1, 10, tzinfo=UTC)
    assert parse_date("March 1st, 2026") == datetime(2026, 3, 1, tzinfo=UTC)
    assert parse_date("yesterday-ish") is None
    assert plausible(datetime(1970, 1, 2, tzinfo=UTC), NOW) is None
    assert plausible(NOW + timedelta(days=30), NOW) is None
    assert plausible(NOW - timedelta(days=3), NOW) == NOW - timedelta(days=3)


def test_bidi_controls_never_reach_stored_text() -> None:
    """U+202E RIGHT-TO-LEFT OVERRIDE and friends can make a title display as something else (finding 10)."""
    assert html_to_text("<p>Helix \u202eevil\u202c raises \u2066$1B\u2069\u200f</p>") == "Helix evil raises $1B"
