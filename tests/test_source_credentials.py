"""Hardening finding 10 (issue 16, the credentials part): a source URL's ``user:password@`` is used for the requests
but never shown, stored or logged — ``sources --json``, the database and the daemon's log carry ``***@``.

A loopback server answers only requests carrying the right basic-authentication header, so the tests also prove
that the credentials still reach the server (after a permanent redirect too).
"""

from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from fault_support import Daemon, make_env
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from monitor.cli import cli

USER, PASSWORD = "reader", "s3cret-pw"
AUTH = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()

FEED = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Private</title>
<item><title>Helix AI raises $500 million</title><link>/articles/1</link><guid>/articles/1</guid>
<pubDate>Mon, 02 Mar 2026 10:00:00 GMT</pubDate><description>Helix AI raised money.</description></item>
<item><title>Helix Labs lays off 20% of staff</title><link>/articles/2</link>
<pubDate>Mon, 02 Mar 2026 11:00:00 GMT</pubDate><description>Helix cuts jobs.</description></item>
</channel></rss>"""


@pytest.fixture
def private_feed(httpserver: HTTPServer) -> HTTPServer:
    """``/old.xml`` moved permanently to ``/feed.xml``; ``/loop.xml`` redirects to itself; all need the password."""

    def handler(request: Request) -> Response:
        if request.headers.get("Authorization") != AUTH:
            return Response("who are you?", status=401, headers={"WWW-Authenticate": 'Basic realm="feeds"'})
        if request.path == "/old.xml":
            return Response("", status=301, headers={"Location": "/feed.xml"})
        if request.path == "/loop.xml":
            return Response("", status=302, headers={"Location": "/loop.xml"})
        return Response(FEED, content_type="application/rss+xml")

    httpserver.expect_request("/old.xml").respond_with_handler(handler)
    httpserver.expect_request("/feed.xml").respond_with_handler(handler)
    httpserver.expect_request("/loop.xml").respond_with_handler(handler)
    return httpserver


def with_password(server: HTTPServer, path: str) -> str:
    return server.url_for(path).replace("://", f"://{USER}:{PASSWORD}@", 1)


def sources_toml(server: HTTPServer) -> str:
    return (f'\n[[sources]]\nname = "private"\nurl = "{with_password(server, "/old.xml")}"\ninterval = "30m"\n'
            f'\n[[sources]]\nname = "looping"\nurl = "{with_password(server, "/loop.xml")}"\ninterval = "30m"\n')


def database_text(db: Path) -> str:
    out = []
    with sqlite3.connect(db) as conn:
        for (table,) in conn.execute("select name from sqlite_master where type = 'table'").fetchall():
            for row in conn.execute(f'select * from "{table}"'):  # noqa: S608 - names from sqlite_master
                out.append(" ".join(str(v) for v in row))
    return "\n".join(out)


def invoke(config: Path, db: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), "--db", str(db), *args])


def test_redaction_helpers() -> None:
    from monitor.config import redact_url, redact_urls, with_credentials

    assert redact_url("https://u:p@ss@feeds.example/a?x=b@c") == "https://***@feeds.example/a?x=b@c"
    assert redact_url("https://feeds.example/a@b") == "https://feeds.example/a@b"
    assert redact_urls("loop back to http://u:p@h/x, then https://h/y") == "loop back to http://***@h/x, then https://h/y"
    assert with_credentials("https://***@feeds.example/new", "https://u:p@feeds.example/old") == \
        "https://u:p@feeds.example/new"
    assert with_credentials("https://***@elsewhere.example/new", "https://u:p@feeds.example/old") == \
        "https://***@elsewhere.example/new"


def test_credentials_are_used_but_never_shown_or_stored(private_feed: HTTPServer, tmp_path: Path,
                                                        write_config: Callable[..., Path]) -> None:
    config, db = write_config(sources_toml(private_feed)), tmp_path / "capwatch.db"
    for _ in range(2):  # the second crawl fetches the stored permanent-redirect target: with the credentials
        crawl = invoke(config, db, "crawl", "--force", "--json")
        rows = {r["source"]: r for r in json.loads(crawl.stdout)}
        assert rows["private"]["status"] == "ok" and rows["private"]["entries"] == 2, crawl.output
        assert rows["looping"]["status"] == "error" and "redirect loop" in rows["looping"]["error"]
        assert PASSWORD not in crawl.stdout + crawl.stderr
    assert "***@" in rows["looping"]["error"]

    listed = invoke(config, db, "sources", "--json")
    assert listed.exit_code == 0, listed.output
    assert PASSWORD not in listed.output and f"{USER}:" not in listed.output
    urls = {r["name"]: r["url"] for r in json.loads(listed.stdout)}
    assert urls["private"] == private_feed.url_for("/feed.xml").replace("://", "://***@")
    assert urls["looping"] == private_feed.url_for("/loop.xml").replace("://", "://***@")

    checked = invoke(config, db, "sources", "check", "--json")
    assert PASSWORD not in checked.stdout + checked.stderr
    assert all("***@" in r["url"] for r in json.loads(checked.stdout))

    stored = database_text(db)
    assert PASSWORD not in stored and f"{USER}:" not in stored
    assert "***@" in stored  # the source URLs, the articles' links, the redirect loop's message
    with sqlite3.connect(db) as conn:
        links = sorted(r[0] for r in conn.execute("select link from articles"))
    assert links == [private_feed.url_for(f"/articles/{i}").replace("://", "://***@") for i in (1, 2)]


def test_the_daemon_log_never_shows_the_password(private_feed: HTTPServer, tmp_path: Path,
                                                 daemons: list[Daemon]) -> None:
    env = make_env(tmp_path, sources_toml(private_feed))
    once = Daemon(env, "--once", name="once")
    daemons.append(once)
    assert once.wait() == 1, once.log  # the looping source failed
    log = once.log
    assert "crawl private: ok, 2 entries, 2 new articles" in log
    assert "crawl looping: error: redirect loop" in log and "http://***@" in log
    assert PASSWORD not in log


def test_a_config_error_does_not_show_the_password(tmp_path: Path, write_config: Callable[..., Path]) -> None:
    config = write_config(f'\n[[sources]]\nname = "typo"\nurl = "https://{USER}:{PASSWORD}@feeds.example/a feed"\n')
    result = invoke(config, tmp_path / "x.db", "sources")
    assert result.exit_code == 2
    assert 'sources[0].url: expected an http(s) URL, got "https://***@feeds.example/a feed"' in result.output
    assert PASSWORD not in result.output
