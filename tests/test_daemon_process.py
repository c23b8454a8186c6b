"""``capwatch run`` as a real process on a temp database against a loopback feed server.

The daemon crawls, processes, stops cleanly on SIGTERM (letting an in-flight crawl finish its writes; a second
signal exits at once), refuses a second instance on the same database, survives ``kill -9`` without a stale lock,
and a restart continues where the previous run stopped; ``--once`` runs one cycle, with JSON logs on request.
Waits poll the database or the log with a deadline, and an in-flight crawl is held by the feed server until the
test releases it: nothing depends on how fast the machine is.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fault_support import DEADLINE, Daemon, Env, make_env, query, wait_until
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

pytestmark = pytest.mark.slow

SOURCE = """
[[sources]]
name = "helix-news"
url = "{url}"
interval = "1m"
providers = ["helix"]
"""

ITEMS = [
    ("helix-raise", "Helix AI raises $500 million in Series C funding", "Fri, 01 May 2026 08:00:00 GMT"),
    ("helix-layoffs", "Helix Labs lays off 20% of its staff", "Sat, 02 May 2026 09:00:00 GMT"),
    ("helix-outage", "Helix API suffers a major outage", "Sun, 03 May 2026 10:00:00 GMT"),
]


def rss(items: list[tuple[str, str, str]]) -> str:
    entries = "".join(
        f"<item><title>{title}</title><link>http://news.example.org/{slug}</link><guid>{slug}</guid>"
        f"<pubDate>{date}</pubDate><description>{title}. More details inside.</description></item>"
        for slug, title, date in items
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Helix news</title>'
        f"<link>http://news.example.org/</link>{entries}</channel></rss>"
    )


@dataclass
class Feed:
    """What the loopback feed currently serves; with ``hold`` set, requests wait until ``release`` is set."""

    items: list[tuple[str, str, str]] = field(default_factory=lambda: list(ITEMS[:2]))
    hold: bool = False
    entered: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    def handle(self, request: Request) -> Response:
        self.entered.set()
        if self.hold:
            self.release.wait(DEADLINE)
        return Response(rss(self.items), content_type="application/rss+xml")


@pytest.fixture
def feed(httpserver: HTTPServer) -> Iterator[Feed]:
    f = Feed()
    httpserver.expect_request("/feed.xml").respond_with_handler(f.handle)
    yield f
    f.release.set()


@pytest.fixture
def env(tmp_path: Path, httpserver: HTTPServer, feed: Feed) -> Env:
    return make_env(tmp_path, SOURCE.format(url=httpserver.url_for("/feed.xml")))


def start(daemons: list[Daemon], env: Env, *args: str, name: str = "daemon") -> Daemon:
    d = Daemon(env, *args, name=name)
    daemons.append(d)
    return d


def classified_articles(db: Path) -> int:
    rows = query(db, "select count(*) from articles where classified_version is not null")
    return int(rows[0][0]) if rows else 0


def test_daemon_crawls_refuses_a_second_instance_and_stops_cleanly_on_sigterm(env: Env, daemons: list[Daemon]) -> None:
    first = start(daemons, env)
    wait_until(lambda: classified_articles(env.db) == 2, "two classified articles", first)

    second = start(daemons, env, name="second")
    assert second.wait() == 1
    refused = second.log
    assert "already running" in refused
    assert f"pid {first.proc.pid}" in refused
    assert str(env.db) in refused
    assert first.proc.poll() is None  # the first daemon is unaffected

    assert first.stop() == 0
    log = first.log
    assert "started" in log
    assert "crawl helix-news: " in log
    assert "SIGTERM received" in log
    assert log.rstrip().endswith("capwatch daemon stopped")
    assert "Traceback" not in log
    assert query(env.db, "pragma integrity_check") == [("ok",)]
    assert query(env.db, "select count(*) from articles") == [(2,)]
    assert (env.db.parent / "capwatch.db.lock").read_text() == ""


def test_sigterm_lets_an_in_flight_crawl_finish_its_writes(env: Env, daemons: list[Daemon], feed: Feed) -> None:
    feed.hold = True
    first = start(daemons, env, name="first")
    assert feed.entered.wait(DEADLINE), first.log

    first.proc.send_signal(signal.SIGTERM)
    wait_until(lambda: "stopping after the running jobs finish (crawl:helix-news" in first.log, "the stop message", first)
    assert first.proc.poll() is None  # still waiting for the crawl, which cannot finish before the release
    feed.release.set()
    assert first.wait() == 0, first.log
    assert first.log.rstrip().endswith("capwatch daemon stopped")
    # the crawl's writes completed; processing was left to the next start
    assert query(env.db, "select count(*) from articles") == [(2,)]
    assert classified_articles(env.db) == 0
    assert query(env.db, "pragma integrity_check") == [("ok",)]

    once = start(daemons, env, "--once", name="once")
    assert once.wait() == 0, once.log
    assert classified_articles(env.db) == 2


def test_a_second_signal_exits_at_once(env: Env, daemons: list[Daemon], feed: Feed) -> None:
    feed.hold = True
    first = start(daemons, env)
    assert feed.entered.wait(DEADLINE), first.log
    first.proc.send_signal(signal.SIGINT)
    wait_until(lambda: "SIGINT received: stopping after" in first.log, "the stop message", first)
    first.proc.send_signal(signal.SIGTERM)
    assert first.wait() == 128 + signal.SIGTERM
    assert "second SIGTERM: exiting immediately" in first.log
    feed.release.set()
    assert query(env.db, "pragma integrity_check") == [("ok",)]


def test_once_stops_after_the_current_stage_on_sigterm(env: Env, daemons: list[Daemon], feed: Feed) -> None:
    feed.hold = True
    once = start(daemons, env, "--once", name="once")
    assert feed.entered.wait(DEADLINE), once.log
    once.proc.send_signal(signal.SIGTERM)
    wait_until(lambda: "SIGTERM received: stopping after the current stage" in once.log, "the stop message", once)
    feed.release.set()
    assert once.wait() == 1, once.log
    assert "cycle interrupted" in once.log
    assert query(env.db, "select count(*) from articles") == [(2,)]  # the crawl in progress finished its writes
    assert classified_articles(env.db) == 0  # later stages were left for the next run
    assert query(env.db, "pragma integrity_check") == [("ok",)]


def test_restart_continues_where_it_stopped(env: Env, daemons: list[Daemon], feed: Feed) -> None:
    first = start(daemons, env, name="first")
    wait_until(lambda: classified_articles(env.db) == 2, "two classified articles", first)
    assert first.stop() == 0
    before = query(env.db, "select id, url, classified_version from articles order by id")

    # While the daemon is down the feed gains an entry and the source's next fetch time passes
    # (moving next_fetch back stands in for waiting out the one-minute interval).
    feed.items = list(ITEMS)
    conn = sqlite3.connect(env.db)
    with conn:
        conn.execute("update sources set next_fetch = '2000-01-01T00:00:00+00:00'")
    conn.close()

    again = start(daemons, env, name="again")
    wait_until(lambda: classified_articles(env.db) == 3, "the new entry, classified", again)
    assert again.stop() == 0

    after = query(env.db, "select id, url, classified_version from articles order by id")
    assert after[:2] == before  # the old articles are untouched: same ids, not re-classified
    assert len({row[1] for row in after}) == len(after) == 3
    assert str(after[2][1]).endswith("helix-outage")
    assert query(env.db, "pragma integrity_check") == [("ok",)]


def test_a_daemon_killed_with_sigkill_leaves_no_lock_behind(env: Env, daemons: list[Daemon]) -> None:
    first = start(daemons, env, name="killed")
    wait_until(lambda: "daemon started" in first.log, "the daemon to start", first)
    first.proc.send_signal(signal.SIGKILL)
    assert first.wait() == -signal.SIGKILL

    once = start(daemons, env, "--once", name="once")
    assert once.wait() == 0, once.log
    assert classified_articles(env.db) == 2
    assert query(env.db, "pragma integrity_check") == [("ok",)]


def test_once_runs_one_cycle_with_json_logs(env: Env, daemons: list[Daemon]) -> None:
    once = start(daemons, env, "--once", "--log-format", "json", name="once")
    assert once.wait() == 0, once.log
    records = [json.loads(line) for line in once.log.splitlines() if line.strip()]
    assert records, "no log lines"
    assert all({"time", "level", "logger", "message"} <= set(r) for r in records)
    crawls = [r for r in records if r.get("event") == "crawl"]
    assert crawls and crawls[0]["source"] == "helix-news" and crawls[0]["new_articles"] == 2
    assert records[-1]["event"] == "cycle" and records[-1]["ok"] is True
    assert classified_articles(env.db) == 2
