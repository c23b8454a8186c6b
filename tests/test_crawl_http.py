"""Server behaviours against real HTTP servers on 127.0.0.1: conditional GET, redirects, 410, 429/503 with
Retry-After, 5xx back-off and pause, timeouts, body caps, gzip, redirect loops, politeness and the private-address
guard for full-text fetches."""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from crawl_support import FEEDS, make_config, rss, source_toml
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from monitor.crawl import crawl_sources
from monitor.crawl.fetch import describe_transport_error, user_agent
from storage.store import Store
from storage.times import from_iso

FEED = (FEEDS / "rss20.xml").read_bytes()


@pytest.fixture
def threaded_server() -> Iterator[HTTPServer]:
    """A threaded server, for handlers that sleep or stream without end."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


def _requests(server: HTTPServer, path: str) -> list[Request]:
    return [req for req, _ in server.log if req.path == path]


# ------------------------------------------------------------------------------------------------ conditional GET
def test_conditional_get_sends_validators_and_304_stores_nothing(httpserver: HTTPServer, store: Store, tmp_path: Path) -> None:
    etag, modified = '"rev-7"', "Tue, 03 Mar 2026 14:00:00 GMT"

    def handler(request: Request) -> Response:
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(FEED, content_type="application/rss+xml", headers={"ETag": etag, "Last-Modified": modified})

    httpserver.expect_request("/feed").respond_with_handler(handler)
    config = make_config(tmp_path, source_toml("news", httpserver.url_for("/feed")))
    first = crawl_sources(config, store).by_name("news")
    assert (first.status, first.new_articles) == ("ok", 3)
    state = store.source_state("news")
    assert state is not None and (state["etag"], state["last_modified"]) == (etag, modified)

    second = crawl_sources(config, store, force=True).by_name("news")
    assert (second.status, second.http_status, second.new_articles) == ("not-modified", 304, 0)
    sent = _requests(httpserver, "/feed")[-1].headers
    assert sent["If-None-Match"] == etag and sent["If-Modified-Since"] == modified
    assert store.article_count() == 3
    state = store.source_state("news")
    assert state is not None and state["last_entry_count"] == 3 and state["error_count"] == 0


def test_user_agent_names_capwatch_and_the_contact_url(httpserver: HTTPServer, store: Store, tmp_path: Path) -> None:
    httpserver.expect_request("/feed").respond_with_data(FEED, content_type="application/rss+xml")
    crawl_sources(make_config(tmp_path, source_toml("news", httpserver.url_for("/feed"))), store)
    sent = _requests(httpserver, "/feed")[0].headers
    assert sent["User-Agent"] == user_agent("https://example.org/capwatch-tests")
    assert "https://example.org/capwatch-tests" in sent["User-Agent"] and sent["User-Agent"].startswith("capwatch/")
    assert "gzip" in sent["Accept-Encoding"]


def test_cache_control_max_age_stretches_the_next_fetch(httpserver: HTTPServer, store: Store, tmp_path: Path) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        FEED, content_type="application/rss+xml", headers={"Cache-Control": "public, max-age=7200"}
    )
    config = make_config(tmp_path, source_toml("news", httpserver.url_for("/feed"), interval="30m"))
    report = crawl_sources(config, store)
    state = store.source_state("news")
    assert state is not None and report.started is not None
    assert from_iso(state["next_fetch"]) - report.started == timedelta(hours=2)
    # not due yet: skipped without a request
    again = crawl_sources(config, store, now=report.started + timedelta(hours=1)).by_name("news")
    assert again.status == "skipped"
    assert len(_requests(httpserver, "/feed")) == 1


# ------------------------------------------------------------------------------------------------ redirects
@pytest.mark.parametrize("code", [301, 308])
def test_permanent_redirect_updates_the_stored_url(code: int, httpserver: HTTPServer, store: Store, tmp_path: Path) -> None:
    httpserver.expect_request("/old").respond_with_data("", status=code, headers={"Location": "/new"})
    httpserver.expect_request("/new").respond_with_data(FEED, content_type="application/rss+xml")
    config = make_config(tmp_path, source_toml("moved", httpserver.url_for("/old")))
    assert crawl_sources(config, store).by_name("moved").new_articles == 3
    state = store.source_state("moved")
    assert state is not None and state["current_url"] == httpserver.url_for("/new")
    crawl_sources(config, store, force=True)
    assert len(_requests(httpserver, "/old")) == 1 and len(_requests(httpserver, "/new")) == 2


def test_temporary_redirect_keeps_the_configured_url(httpserver: HTTPServer, store: Store, tmp_path: Path) -> None:
    httpserver.expect_request("/feed").respond_with_data("", status=302, headers={"Location": "/elsewhere"})
    httpserver.expect_request("/elsewhere").respond_with_data(FEED, content_type="application/rss+xml")
    config = make_config(tmp_path, source_toml("temp", httpserver.url_for("/feed")))
    assert crawl_sources(config, store).by_name("temp").status == "ok"
    state = store.source_state("temp")
    assert state is not None and state["current_url"] == httpserver.url_for("/feed")


def test_redirect_loop_and_too_many_redirects_are_readable_errors(httpserver: HTTPServer, store: Store, tmp_path: Path) -> None:
    httpserver.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data("", status=302, headers={"Location": "/a"})
    for i in range(8):
        httpserver.expect_request(f"/r{i}").respond_with_data("", status=301, headers={"Location": f"/r{i + 1}"})
    config = make_config(
        tmp_path, source_toml("loop", httpserver.url_for("/a")) + source_toml("chain", httpserver.url_for("/r0")),
        max_redirects=5,
    )
    report = crawl_sources(config, store)
    assert report.by_name("loop").status == "error"
    assert (report.by_name("loop").error or "").startswith("redirect loop")
    assert report.by_name("chain").error == "too many redirects (more than 5)"
    assert len(_requests(httpserver, "/r6")) == 0  # stopped after five redirects
    state = store.source_state("loop")
    assert state is not None and state["error_count"] == 1 and state["last_error"].startswith("redirect loop")


# ------------------------------------------------------------------------------------------------ error statuses
def test_410_gone_disables_the_source_and_says_so(httpserver: HTTPServer, store: Store, tmp_path: Path) -> None:
    httpserver.expect_request("/gone").respond_with_data("gone", status=410)
    config = make_config(tmp_path, source_toml("old", httpserver.url_for("/gone")))
    first = crawl_sources(config, store).by_name("old")
    assert first.status == "disabled" and "410 Gone" in (first.error or "")
    state = store.source_state("old")
    assert state is not None and "410 Gone" in state["disabled_reason"]
    later = crawl_sources(config, store, now=from_iso(state["last_fetch"]) + timedelta(days=30)).by_name("old")
    assert later.status == "disabled" and "410 Gone" in (later.error or "")
    assert len(_requests(httpserver, "/gone")) == 1


@pytest.mark.parametrize(
    ("status", "retry_after", "reason"),
    [
        (429, "120", "HTTP 429 Too Many Requests (retry after 120s)"),
        (503, "Wed, 21 Oct 2099 07:28:00 GMT", "HTTP 503 Service Unavailable (retry after"),
    ],
)
def test_retry_after_stretches_the_next_fetch(
    status: int, retry_after: str, reason: str, httpserver: HTTPServer, store: Store, tmp_path: Path
) -> None:
    httpserver.expect_request("/busy").respond_with_data("slow down", status=status, headers={"Retry-After": retry_after})
    config = make_config(tmp_path, source_toml("busy", httpserver.url_for("/busy")), backoff_base="1s", max_pause="1d")
    report = crawl_sources(config, store)
    result = report.by_name("busy")
    assert result.status == "error" and (result.error or "").startswith(reason)
    state = store.source_state("busy")
    assert state is not None and report.started is not None
    wait = from_iso(state["next_fetch"]) - report.started
    assert wait >= timedelta(seconds=120) if status == 429 else wait == timedelta(days=1)  # capped at max_pause


def test_server_errors_back_off_pause_and_resume(httpserver: HTTPServer, store: Store, tmp_path: Path) -> None:
    httpserver.expect_request("/flaky").respond_with_data("boom", status=500)
    config = make_config(
        tmp_path, source_toml("flaky", httpserver.url_for("/flaky")), pause_after_failures=3, backoff_base="1m", max_pause="1h"
    )
    now = None
    delays = []
    for attempt in range(1, 4):
        report = crawl_sources(config, store, now=now)
        assert report.by_name("flaky").error == "HTTP 500 Internal Server Error"
        state = store.source_state("flaky")
        assert state is not None and state["error_count"] == attempt
        now = from_iso(state["next_fetch"])
        assert report.started is not None
        delays.append(now - report.started)
    # exponential with +-15 % jitter: ~1m, ~2m, ~4m
    for delay, minutes in zip(delays, (1, 2, 4), strict=True):
        assert timedelta(minutes=minutes * 0.84) <= delay <= timedelta(minutes=minutes * 1.16)
    state = store.source_state("flaky")
    assert state is not None and state["paused_until"] is not None  # paused after 3 in a row
    assert now is not None
    paused = crawl_sources(config, store, now=now - timedelta(seconds=1)).by_name("flaky")
    assert paused.status == "paused" and "HTTP 500" in (paused.error or "")
    assert len(_requests(httpserver, "/flaky")) == 3
    # the pause ends on its own; the server has recovered
    httpserver.clear()
    httpserver.expect_request("/flaky").respond_with_data(FEED, content_type="application/rss+xml")
    resumed = crawl_sources(config, store, now=now + timedelta(seconds=1)).by_name("flaky")
    assert resumed.status == "ok" and resumed.new_articles == 3
    state = store.source_state("flaky")
    assert state is not None and (state["error_count"], state["last_error"], state["paused_until"]) == (0, None, None)


@pytest.mark.parametrize(("status", "reason"), [(404, "HTTP 404 Not Found"), (403, "HTTP 403 Forbidden")])
def test_client_errors_are_named(status: int, reason: str, httpserver: HTTPServer, store: Store, tmp_path: Path) -> None:
    httpserver.expect_request("/x").respond_with_data("no", status=status)
    result = crawl_sources(make_config(tmp_path, source_toml("x", httpserver.url_for("/x"))), store).by_name("x")
    assert (result.status, result.error, result.http_status) == ("error", reason, status)


# ------------------------------------------------------------------------------------------------ slow, endless, gzip
def test_slow_server_times_out(threaded_server: HTTPServer, store: Store, tmp_path: Path) -> None:
    def slow(request: Request) -> Response:
        time.sleep(1.5)
        return Response(FEED, content_type="application/rss+xml")

    threaded_server.expect_request("/slow").respond_with_handler(slow)
    config = make_config(tmp_path, source_toml("slow", threaded_server.url_for("/slow")), read_timeout=0.3)
    result = crawl_sources(config, store).by_name("slow")
    assert result.status == "error" and (result.error or "").startswith("timeout")
    state = store.source_state("slow")
    assert state is not None and state["last_error"].startswith("timeout")


def test_total_timeout_stops_a_trickling_body(threaded_server: HTTPServer, store: Store, tmp_path: Path) -> None:
    def trickle(request: Request) -> Response:
        def body() -> Iterator[bytes]:
            yield b'<?xml version="1.0"?><rss version="2.0"><channel>'
            for _ in range(100):
                time.sleep(0.1)  # each chunk arrives within the read timeout, the whole never does
                yield b" "

        return Response(body(), content_type="application/rss+xml")

    threaded_server.expect_request("/trickle").respond_with_handler(trickle)
    config = make_config(tmp_path, source_toml("trickle", threaded_server.url_for("/trickle")), read_timeout=1.0, total_timeout=0.8)
    result = crawl_sources(config, store).by_name("trickle")
    assert result.status == "error" and "timeout (no complete answer" in (result.error or "")


def test_endless_body_is_cut_at_the_cap(threaded_server: HTTPServer, store: Store, tmp_path: Path) -> None:
    def endless(request: Request) -> Response:
        def body() -> Iterator[bytes]:
            yield b'<?xml version="1.0"?><rss version="2.0"><channel>'
            while True:
                yield b"<!-- padding -->" * 4096

        return Response(body(), content_type="application/rss+xml")

    threaded_server.expect_request("/endless").respond_with_handler(endless)
    config = make_config(tmp_path, source_toml("endless", threaded_server.url_for("/endless")), max_body_bytes=1024 * 1024)
    result = crawl_sources(config, store).by_name("endless")
    assert result.status == "error"
    assert result.error == "body larger than 1 MB (download stopped)"


def test_declared_content_length_over_the_cap_is_refused(httpserver: HTTPServer, store: Store, tmp_path: Path) -> None:
    httpserver.expect_request("/huge").respond_with_data(b"x" * 300_000, content_type="application/rss+xml")
    config = make_config(tmp_path, source_toml("huge", httpserver.url_for("/huge")), max_body_bytes=100_000)
    result = crawl_sources(config, store).by_name("huge")
    assert (result.error or "").startswith("body larger than 97 KB (Content-Length 292 KB)")


def test_gzip_body_is_decoded(httpserver: HTTPServer, store: Store, tmp_path: Path) -> None:
    httpserver.expect_request("/gz").respond_with_data(
        gzip.compress(FEED), content_type="application/rss+xml", headers={"Content-Encoding": "gzip"}
    )
    result = crawl_sources(make_config(tmp_path, source_toml("gz", httpserver.url_for("/gz"))), store).by_name("gz")
    assert (result.status, result.new_articles) == ("ok", 3)


def test_gzip_bomb_is_cut_at_the_cap_on_decoded_bytes(httpserver: HTTPServer, store: Store, tmp_path: Path) -> None:
    bomb = gzip.compress(b"<rss>" + b" " * (20 * 1024 * 1024))
    assert len(bomb) < 100_000
    httpserver.expect_request("/bomb").respond_with_data(bomb, content_type="application/rss+xml", headers={"Content-Encoding": "gzip"})
    config = make_config(tmp_path, source_toml("bomb", httpserver.url_for("/bomb")), max_body_bytes=1024 * 1024)
    result = crawl_sources(config, store).by_name("bomb")
    assert result.error == "body larger than 1 MB (download stopped)"


def test_connection_refused_is_readable(store: Store, tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = crawl_sources(make_config(tmp_path, source_toml("down", f"http://127.0.0.1:{port}/feed")), store).by_name("down")
    assert result.status == "error" and (result.error or "").startswith("connection refused")


@pytest.mark.parametrize(
    ("exc", "reason"),
    [
        (httpx.ConnectError("[Errno -2] Name or service not known"), "DNS: cannot resolve feeds.example.com"),
        (httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"), "TLS: [SSL: CERTIFICATE_VERIFY_FAILED]"),
        (httpx.ConnectTimeout("timed out"), "timeout (no connection to feeds.example.com)"),
        (httpx.ReadTimeout("timed out"), "timeout (no data from feeds.example.com)"),
        (httpx.RemoteProtocolError("Server disconnected without sending a response."), "protocol error: Server disconnected"),
    ],
)
def test_transport_errors_have_stable_reasons(exc: Exception, reason: str) -> None:
    assert describe_transport_error(exc, "https://feeds.example.com/rss").startswith(reason)


# ------------------------------------------------------------------------------------------------ politeness
def test_at_most_per_host_requests_in_flight(threaded_server: HTTPServer, store: Store, tmp_path: Path) -> None:
    lock = threading.Lock()
    active = [0]
    peak = [0]

    def handler(request: Request) -> Response:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.2)
        with lock:
            active[0] -= 1
        return Response(rss([(request.path, f"https://p.example.com{request.path}")]), content_type="application/rss+xml")

    sources = ""
    for i in range(6):
        threaded_server.expect_request(f"/f{i}").respond_with_handler(handler)
        sources += source_toml(f"f{i}", threaded_server.url_for(f"/f{i}"))
    config = make_config(tmp_path, sources, per_host=2, concurrency=8)
    report = crawl_sources(config, store)
    assert [r.status for r in report.results] == ["ok"] * 6
    assert 1 <= peak[0] <= 2


def test_robots_txt_is_obeyed_for_html_pages_and_fetched_once(httpserver: HTTPServer, store: Store, tmp_path: Path) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    listing = '<html><body><a class="post" href="/ok/a1">Helix news</a><a class="post" href="/private/a2">Secret</a></body></html>'
    httpserver.expect_request("/news").respond_with_data(listing, content_type="text/html")
    httpserver.expect_request("/private/news").respond_with_data(listing, content_type="text/html")
    httpserver.expect_request("/ok/a1").respond_with_data(
        "<html><body><article><p>" + "Helix AI reported revenue growth this quarter. " * 20 + "</p></article></body></html>",
        content_type="text/html",
    )
    sel = {"link": "a.post"}
    config = make_config(
        tmp_path,
        source_toml("public", httpserver.url_for("/news"), kind="html", selectors=sel)
        + source_toml("hidden", httpserver.url_for("/private/news"), kind="html", selectors=sel),
        respect_robots=True,
    )
    report = crawl_sources(config, store)
    assert report.by_name("hidden").status == "error" and report.by_name("hidden").error == "blocked by robots.txt"
    public = report.by_name("public")
    assert public.status == "ok" and public.new_articles == 2
    assert "blocked by robots.txt" in (public.warning or "")  # the /private/ article page was not fetched
    assert len(_requests(httpserver, "/robots.txt")) == 1
    assert len(_requests(httpserver, "/private/a2")) == 0 and len(_requests(httpserver, "/private/news")) == 0
    text = store.rows("select text from articles where url like '%/ok/a1'")[0]["text"]
    assert "revenue growth" in text


# ------------------------------------------------------------------------------------------------ private addresses
def _internal_feed(port: int) -> bytes:
    return rss(
        [
            ("Internal service", f"http://127.0.0.1:{port}/internal"),
            ("Cloud metadata", "http://169.254.169.254/latest/meta-data/"),
            ("Private network", "http://10.1.2.3/admin"),
            ("Local file", "file:///etc/passwd"),
        ]
    )


def test_full_text_never_fetches_private_addresses_by_default(httpserver: HTTPServer, store: Store, tmp_path: Path) -> None:
    httpserver.expect_request("/feed").respond_with_data(_internal_feed(httpserver.port), content_type="application/rss+xml")
    httpserver.expect_request("/internal").respond_with_data("<html><body><p>secret</p></body></html>", content_type="text/html")
    config = make_config(
        tmp_path, source_toml("sneaky", httpserver.url_for("/feed"), fetch_full_text=True), allow_private_hosts=[]
    )
    result = crawl_sources(config, store).by_name("sneaky")
    assert result.status == "ok" and result.new_articles == 4  # the entries are kept, only the fetch is refused
    assert "private address" in (result.warning or "")
    assert len(_requests(httpserver, "/internal")) == 0
    texts = [r["text"] for r in store.rows("select text from articles")]
    assert all("secret" not in t for t in texts)


def test_allow_list_opens_loopback_for_full_text(httpserver: HTTPServer, store: Store, tmp_path: Path) -> None:
    httpserver.expect_request("/feed").respond_with_data(_internal_feed(httpserver.port), content_type="application/rss+xml")
    httpserver.expect_request("/internal").respond_with_data(
        "<html><body><article><p>" + "Northwind Models announced a restructuring plan. " * 20 + "</p></article></body></html>",
        content_type="text/html",
    )
    config = make_config(
        tmp_path, source_toml("demo", httpserver.url_for("/feed"), fetch_full_text=True), allow_private_hosts=["127.0.0.1"]
    )
    result = crawl_sources(config, store).by_name("demo")
    assert result.status == "ok"
    assert len(_requests(httpserver, "/internal")) == 1
    text = store.rows("select text from articles where url like '%/internal'")[0]["text"]
    assert "restructuring plan" in text
    assert "2 of 3 articles not fetched" in (result.warning or "")  # metadata and 10.x stay blocked
    # a file: link is no link at all: the entry is kept under a stable id, nothing is fetched
    row = store.rows("select url, link from articles where title = 'Local file'")[0]
    assert row["url"].startswith("urn:capwatch:entry:") and row["link"] is None


def test_a_redirect_to_a_private_address_is_refused(httpserver: HTTPServer, store: Store, tmp_path: Path) -> None:
    """A public-looking article link that redirects inside is checked again on the redirect hop."""
    httpserver.expect_request("/feed").respond_with_data(
        rss([("Redirecting", f"http://127.0.0.1:{httpserver.port}/hop")]), content_type="application/rss+xml"
    )
    httpserver.expect_request("/hop").respond_with_data("", status=302, headers={"Location": "http://10.0.0.7/secret"})
    config = make_config(
        tmp_path, source_toml("hop", httpserver.url_for("/feed"), fetch_full_text=True), allow_private_hosts=["127.0.0.1"]
    )
    result = crawl_sources(config, store).by_name("hop")
    assert "private address: 10.0.0.7" in (result.warning or "")


def test_untrusted_certificate_is_a_tls_error(store: Store, tmp_path: Path) -> None:
    """A real TLS server on 127.0.0.1 with a self-signed certificate: the reason names TLS, nothing crashes."""
    import shutil
    import ssl
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a self-signed certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=127.0.0.1"],
        check=True, capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=context)
    server.start()
    try:
        server.expect_request("/feed").respond_with_data(FEED, content_type="application/rss+xml")
        result = crawl_sources(make_config(tmp_path, source_toml("tls", server.url_for("/feed"))), store).by_name("tls")
    finally:
        server.stop()
    assert result.status == "error" and (result.error or "").startswith("TLS: ")
    assert "CERTIFICATE_VERIFY_FAILED" in (result.error or "")


def test_naive_now_is_taken_as_utc(httpserver: HTTPServer, store: Store, tmp_path: Path) -> None:
    from datetime import datetime

    httpserver.expect_request("/feed").respond_with_data(FEED, content_type="application/rss+xml")
    config = make_config(tmp_path, source_toml("news", httpserver.url_for("/feed")))
    report = crawl_sources(config, store, now=datetime(2026, 3, 10, 12, 0))
    assert report.by_name("news").status == "ok"
    assert report.started.isoformat() == "2026-03-10T12:00:00+00:00"
    later = crawl_sources(config, store, now=datetime(2026, 3, 10, 12, 10)).by_name("news")
    assert later.status == "skipped"  # due again only after the 30 minute interval


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Cache-Control": "max-age=99999999999999999999"}, 200),
        ({"Retry-After": "99999999999999999999"}, 429),
        ({"Retry-After": "inf"}, 503),
    ],
)
def test_absurd_header_numbers_are_capped_not_a_crash(headers: dict[str, str], status: int, httpserver: HTTPServer,
                                                      store: Store, tmp_path: Path) -> None:
    """Hostile Cache-Control / Retry-After numbers: the crawl stores what it got and waits at most a bounded time."""
    httpserver.expect_request("/f").respond_with_data(FEED, status=status, content_type="application/rss+xml",
                                                      headers=headers)
    config = make_config(tmp_path, source_toml("f", httpserver.url_for("/f")), backoff_base="1m", max_pause="1d")
    report = crawl_sources(config, store)
    result = report.by_name("f")
    assert "internal error" not in (result.error or "")
    assert (result.status == "ok") == (status == 200)
    if status == 200:
        assert result.new_articles > 0
    state = store.source_state("f")
    assert state is not None and report.started is not None
    assert from_iso(state["next_fetch"]) - report.started <= timedelta(days=7)


def test_bidi_override_in_a_served_title_is_dropped(httpserver: HTTPServer, store: Store, tmp_path: Path) -> None:
    body = rss([("Helix \u202egnissim\u202c raises $1B", "https://e.org/a")])
    httpserver.expect_request("/bidi").respond_with_data(body, content_type="application/rss+xml")
    config = make_config(tmp_path, source_toml("bidi", httpserver.url_for("/bidi")))
    assert crawl_sources(config, store).by_name("bidi").new_articles == 1
    (row,) = store.rows("select title from articles")
    assert row["title"] == "Helix gnissim raises $1B"


def test_unreachable_host_is_not_reported_as_robots_rules(store: Store, tmp_path: Path) -> None:
    """Hardening finding 8: a host that does not answer was reported as "blocked by robots.txt"."""
    with socket.socket() as sock:  # a port on loopback that nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = make_config(tmp_path, source_toml("gone", f"http://127.0.0.1:{port}/news", kind="html",
                                               selectors={"link": "a"}), respect_robots=True)
    result = crawl_sources(config, store, force=True).by_name("gone")
    assert result.status == "error"
    assert (result.error or "").startswith("robots.txt unreachable (") and "blocked by robots.txt" not in result.error
