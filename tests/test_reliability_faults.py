"""Faults, with the real program: ``kill -9`` in the middle of a crawl, the SMTP server and the Slack webhook down,
the database locked by another process, and a full disk.

Every server is real and on 127.0.0.1 (RSS feeds, an aiosmtpd SMTP server, an HTTP endpoint standing in for a Slack
webhook); capwatch runs as ``python -m monitor`` subprocesses, except where an hour has to pass: the daemon's
delivery jobs then run in this process on a simulated clock, and the real ``capwatch notify`` finishes the job.
Nothing waits for a fixed time to assert on it: the tests poll the database or the log with a generous deadline,
and what must stay unfinished (a crawl at the kill, a lock) is held by the test until it releases it.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from fault_support import (
    DEADLINE,
    Daemon,
    Env,
    FeedServer,
    WriteLock,
    capwatch,
    make_env,
    query,
    size_limited,
    wait_until,
)
from notify_support import SlackStub, SmtpHandler, free_port, simple_alert
from pytest_httpserver import HTTPServer

from monitor.config import load_config
from monitor.notify import enqueue_alert_notifications, outbox
from monitor.scheduler.jobs import DaemonJobs
from storage.store import NewArticle, Store, StoreError
from storage.times import utcnow

pytestmark = pytest.mark.slow


def start(daemons: list[Daemon], env: Env, *args: str, name: str, command: list[str] | None = None) -> Daemon:
    d = Daemon(env, *args, name=name, command=command)
    daemons.append(d)
    return d


def count(db: Path, sql: str) -> int:
    rows = query(db, sql)
    return int(rows[0][0]) if rows else -1


def unclassified(db: Path) -> int:
    return count(db, "select count(*) from articles where classified_version is null")


def seed_articles(db: Path, n: int, *, words: int = 20) -> None:
    """``n`` articles as the crawler would store them (one transaction), not yet classified."""
    now = utcnow()
    with Store(db) as store:
        store.add_articles([
            NewArticle(url=f"https://news.example.org/seed/{i}", title=f"Helix AI lays off staff, report {i}",
                       summary=f"Helix layoffs, part {i}.", text=" ".join(["Helix cuts jobs again."] * words),
                       published=now - timedelta(hours=1), fetched=now, source="seed")
            for i in range(n)
        ])


def assert_consistent(db: Path) -> None:
    assert query(db, "pragma integrity_check") == [("ok",)]
    assert query(db, "pragma foreign_key_check") == []


# --------------------------------------------------------------------------------------------- kill -9
FEEDS, ITEMS = 12, 6
HELD = {3, 8}  # these feeds answer only after the kill: the crawl is certainly unfinished when it lands


def test_kill_9_in_the_middle_of_a_crawl_loses_nothing_and_stores_nothing_twice(tmp_path: Path,
                                                                                daemons: list[Daemon]) -> None:
    feeds = FeedServer(FEEDS, ITEMS, held=HELD, delay=0.05).start()
    try:
        env = make_env(tmp_path, feeds.sources_toml(interval="30m"))
        killed = start(daemons, env, name="killed")
        # Due sources start half a second apart: by now some feeds are stored (and being classified), some are
        # being written or fetched, a held one is in flight and the last ones have not started.
        wait_until(lambda: count(env.db, "select count(*) from articles") >= 3 * ITEMS and min(HELD) in feeds.entered,
                   "articles from three feeds and a held feed in flight", killed)
        killed.proc.send_signal(signal.SIGKILL)
        assert killed.wait() == -signal.SIGKILL

        assert_consistent(env.db)
        at_kill = set(query(env.db, "select id, url from articles"))
        assert 3 * ITEMS <= len(at_kill) < FEEDS * ITEMS

        feeds.release.set()  # the sources are reachable again: the next cycle must complete
        restart = start(daemons, env, "--once", name="restart")
        assert restart.wait() == 0, restart.log
        assert "cycle finished" in restart.log and "Traceback" not in restart.log, restart.log

        assert_consistent(env.db)
        rows = query(env.db, "select id, url from articles")
        urls = [url for _, url in rows]
        assert len(urls) == len(set(urls)) == FEEDS * ITEMS  # each article exactly once
        assert set(urls) == feeds.urls()  # none lost
        assert at_kill <= set(rows)  # what was stored before the kill kept its row
        assert unclassified(env.db) == 0
        assert count(env.db, "select count(*) from sources where last_success is not null and error_count = 0") == FEEDS
        assert count(env.db, "select count(*) from (select url from articles group by url having count(*) > 1)") == 0
    finally:
        feeds.stop()


# --------------------------------------------------------------------------------------------- deliveries
def midday_zone(now: datetime) -> str:
    """An ``Etc/GMT`` zone in which ``now`` is between 12:00 and 13:00: three hours earlier is the same local day,
    after an 08:00 digest time, whenever the test runs."""
    shift = 12 - now.astimezone(UTC).hour  # hours east of UTC: -11 ... 12
    return "UTC" if shift == 0 else f"Etc/GMT{'-' if shift > 0 else '+'}{abs(shift)}"


def test_smtp_down_at_digest_time_and_slack_down_for_an_hour_then_everything_is_delivered_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_now = utcnow()
    t0 = real_now - timedelta(hours=3)  # the simulated hour runs in the past, so the real CLI finds all of it due
    slack = SlackStub().start()
    slack.failing = 503  # down, for as long as the test says
    sink = SmtpHandler()
    smtp_port = free_port()  # nothing listens there yet: connection refused
    smtp: Controller | None = None
    monkeypatch.setenv("HOOK_ALL", slack.url("/all"))
    try:
        env = make_env(tmp_path, settings=f'digest_time = "08:00"\ntimezone = "{midday_zone(real_now)}"', extra=f"""
[notify]
retry_base_seconds = 30

[notify.slack]
min_interval_seconds = 0

[[notify.slack.routes]]
name = "all"
webhook_url_env = "HOOK_ALL"

[notify.email]
smtp_host = "127.0.0.1"
smtp_port = {smtp_port}
security = "none"
from = "capwatch@alerts.example.org"
to = ["team@example.org"]
""")
        env.vars["HOOK_ALL"] = slack.url("/all")
        config = load_config(Path(env.vars["CAPWATCH_CONFIG"]))
        clock = [t0]
        jobs = DaemonJobs(config, env.db, clock=lambda: clock[0])  # the daemon's own jobs, on a simulated clock

        with Store(env.db) as store:
            for i, (kind, level, previous) in enumerate(
                [("opened", "watch", None), ("escalated", "warning", "watch"), ("escalated", "critical", "warning")]
            ):
                simple_alert(store, kind=kind, level=level, previous=previous, at=t0 - timedelta(minutes=10 - i),
                             title=f"Helix misses payroll, week {i}")
            assert enqueue_alert_notifications(config, store, now=t0) == 3  # what the alerts stage queues

        # 1. Digest time, SMTP down, Slack down: the digest is queued, nothing is delivered, nothing is lost.
        assert jobs.digest()
        with Store(env.db) as store:
            rows = [outbox.get(store, int(r["id"])) for r in store.rows("select id from deliveries order by id")]
        deliveries = [d for d in rows if d is not None]
        assert [(d.channel, d.kind, d.status) for d in deliveries] == [("slack", "alert", "pending")] * 3 + [
            ("email", "digest", "pending")]
        first, digest = deliveries[0], deliveries[3]
        assert first.attempts == 1 and (first.last_error or "").startswith("HTTP 503")
        assert [d.attempts for d in deliveries[1:3]] == [0, 0]  # queued behind the first: order is kept
        assert digest.attempts == 1 and "SMTP connection error" in (digest.last_error or "")
        assert len(slack.requests) == 1 and not sink.messages

        # 2. An hour and ten minutes of flushes, one a minute; the SMTP server returns after twenty minutes.
        for minute in range(1, 71):
            clock[0] = t0 + timedelta(minutes=minute)
            if minute == 20:
                smtp = Controller(sink, hostname="127.0.0.1", port=smtp_port)
                smtp.start()
            assert jobs.flush()
        with Store(env.db) as store:
            after_hour = [outbox.get(store, d.id) for d in deliveries]
        assert all(d is not None for d in after_hour)
        first_now, digest_now = after_hour[0], after_hour[3]
        assert first_now is not None and digest_now is not None
        # the digest went out once its backoff ended, while Slack was still down
        assert digest_now.status == "sent" and digest_now.sent_at is not None
        assert t0 + timedelta(minutes=20) <= digest_now.sent_at <= clock[0]
        assert len(sink.messages) == 1 and b"Digest" in sink.messages[0].content
        # Slack: still pending after an hour, retried with growing gaps (at most an hour), never given up
        assert [d.status for d in after_hour[:3] if d] == ["pending"] * 3
        assert 2 < first_now.attempts < config.notify.max_attempts
        assert len(slack.requests) == first_now.attempts  # one request per attempt, none for the ones behind it
        assert all(r.json == first.payload["message"] for r in slack.requests)
        assert clock[0] < first_now.next_attempt <= clock[0] + timedelta(hours=1)
        assert [d.attempts for d in after_hour[1:3] if d] == [0, 0]

        # 3. Slack is back; the real `capwatch notify` (real clock, 3 hours later) delivers the rest.
        slack.failing = None
        down_requests = len(slack.requests)
        result = capwatch(env, "notify")
        assert result.returncode == 0, result.stderr
        assert "queued 0 Slack message(s)\n" in result.stdout  # nothing queued twice, no second digest
        assert "sent 3, retrying 0, failed 0" in result.stdout
        delivered = [r.json for r in slack.requests[down_requests:]]
        assert delivered == [d.payload["message"] for d in deliveries[:3]]  # each once, in order
        with Store(env.db) as store:
            assert [r["status"] for r in store.rows("select status from deliveries order by id")] == ["sent"] * 4

        again = capwatch(env, "notify")
        assert again.returncode == 0 and "sent 0, retrying 0, failed 0, waiting 0" in again.stdout, again.stdout
        assert len(slack.requests) == down_requests + 3 and len(sink.messages) == 1
    finally:
        slack.stop()
        if smtp is not None:
            smtp.stop()


# --------------------------------------------------------------------------------------------- database locked
def test_store_writes_fail_with_a_typed_error_naming_the_database(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "capwatch.db"
    seed_articles(db, 1)
    monkeypatch.setenv("CAPWATCH_DB_TIMEOUT", "0.2")
    now = utcnow()
    article = NewArticle(url="https://news.example.org/late", title="Helix late story", summary="", text="Helix.",
                         published=now, fetched=now, source="seed")
    with Store(db) as store, WriteLock(db):
        assert store.timeout == 0.2
        locked = rf"^database {re.escape(str(db))} is locked by another process \(still busy after waiting 0.2 s\)"
        with pytest.raises(StoreError, match=locked):
            store.add_article(article)
        with pytest.raises(StoreError, match=locked), store.transaction():
            store.db.execute("update articles set title = 'changed'")
        assert store.article_count() == 1  # reading goes on
    with Store(db) as store:  # the lock is gone: the same write succeeds
        assert store.add_article(article)[1] is True
        assert [r["title"] for r in store.rows("select title from articles order by id")][0] != "changed"
    monkeypatch.setenv("CAPWATCH_DB_TIMEOUT", "soon")
    with pytest.raises(StoreError, match="CAPWATCH_DB_TIMEOUT: expected a number of seconds from 0 to 3600, got 'soon'"):
        Store(db)


def test_a_locked_database_is_a_clear_error_and_a_shorter_lock_is_waited_out(tmp_path: Path) -> None:
    env = make_env(tmp_path)
    seed_articles(env.db, 5)
    with WriteLock(env.db) as lock:
        # readers are not blocked (WAL)
        search = capwatch(env, "search", "Helix", "--json")
        assert search.returncode == 0, search.stderr

        # a writer waits for its busy timeout, then says what happened, in one line, with exit code 1
        failed = capwatch(env, "classify", extra_env={"CAPWATCH_DB_TIMEOUT": "0.5"})
        assert failed.returncode == 1
        assert failed.stderr.startswith(
            f"Error: database {env.db} is locked by another process (still busy after waiting 0.5 s)"), failed.stderr
        assert len(failed.stderr.strip().splitlines()) == 1 and "Traceback" not in failed.stderr
        assert unclassified(env.db) == 5

        # a lock that ends within the busy timeout costs only the wait
        waiting = subprocess.Popen(
            [sys.executable, "-m", "monitor", "classify"], env={**env.vars, "CAPWATCH_DB_TIMEOUT": "60"},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        try:
            time.sleep(2.0)  # time to start and reach its first write (the outcome does not depend on it)
            assert waiting.poll() is None  # it cannot finish while the lock is held
            lock.release()
            out, err = waiting.communicate(timeout=DEADLINE)
        finally:
            if waiting.poll() is None:
                waiting.kill()
                waiting.communicate()
        assert waiting.returncode == 0, err
        assert "articles tagged: 5" in out
    assert unclassified(env.db) == 0
    assert_consistent(env.db)


def test_the_daemon_logs_a_locked_database_in_one_line_and_retries_at_the_next_run(tmp_path: Path,
                                                                                    daemons: list[Daemon]) -> None:
    feeds = FeedServer(1, 3, held={0}).start()
    try:
        env = make_env(tmp_path, feeds.sources_toml(interval="30m"))
        env.vars["CAPWATCH_DB_TIMEOUT"] = "0.5"
        seed_articles(env.db, 3)  # left unclassified by a previous run
        with Store(env.db) as store:
            store.ensure_source("feed-0", "feed", feeds.url(0))  # known, never fetched: due at start
        with WriteLock(env.db) as lock:
            daemon = start(daemons, env, name="locked")
            # the start-up catch-up pass cannot classify; the crawl waits for its (held) feed
            wait_until(lambda: "classify failed: database" in daemon.log, "the classify failure", daemon)
            assert unclassified(env.db) == 3
            lock.release()
        feeds.release.set()
        # the crawl stores the feed's articles and asks for a pass: it classifies what the failed pass left too
        wait_until(lambda: unclassified(env.db) == 0 and count(env.db, "select count(*) from articles") == 6,
                   "every article classified", daemon)
        assert daemon.stop() == 0
        log = daemon.log
        line = next(x for x in log.splitlines() if "classify failed" in x)
        assert f"classify failed: database {env.db} is locked by another process" in line
        assert line.endswith("retried at the next run")
        assert "crawl feed-0: ok, 3 entries, 3 new articles" in log
        assert "Traceback" not in log, log
        assert log.rstrip().endswith("capwatch daemon stopped")
        assert_consistent(env.db)
    finally:
        feeds.stop()


# --------------------------------------------------------------------------------------------- full disk
def test_a_full_disk_fails_the_cycle_cleanly_and_the_next_run_completes(tmp_path: Path,
                                                                        daemons: list[Daemon]) -> None:
    env = make_env(tmp_path)
    seed_articles(env.db, 200)
    limit = env.db.stat().st_size  # no file may grow past the database's size: the log of changes fills up first
    full = start(daemons, env, name="disk-full", command=size_limited(limit, "run", "--once"))
    assert full.wait() == 1, full.log
    log = full.log
    assert re.search(rf"classify failed: database {re.escape(str(env.db))} cannot be written: "
                     r"(the disk is full|disk I/O error)", log), log
    assert "Traceback" not in log, log
    assert "cycle finished with errors" in log
    assert_consistent(env.db)
    assert unclassified(env.db) > 0  # the cycle stopped part-way

    again = start(daemons, env, "--once", name="space-again")
    assert again.wait() == 0, again.log
    assert unclassified(env.db) == 0
    assert count(env.db, "select count(*) from articles") == 200
    assert_consistent(env.db)


def test_a_crawl_into_a_locked_database_fails_once_and_clearly(tmp_path: Path, httpserver: HTTPServer) -> None:
    """The crawler does not report a locked database as N per-source "internal errors" and exit 0: the first
    write that fails stops the crawl, which says so in one line with exit code 1; the next crawl stores it all."""
    items = "".join(
        f"<item><title>Helix AI item {i}</title><link>{httpserver.url_for(f'/a{i}')}</link>"
        f"<pubDate>Fri, 01 May 2026 0{i}:00:00 GMT</pubDate><description>Helix AI news {i}</description></item>"
        for i in range(3)
    )
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
    httpserver.expect_request("/feed.xml").respond_with_data(feed, content_type="application/rss+xml")
    env = make_env(tmp_path, extra=f'[[sources]]\nname = "helix-news"\nurl = "{httpserver.url_for("/feed.xml")}"\n')
    assert capwatch(env, "init").returncode == 0
    with WriteLock(env.db):
        failed = capwatch(env, "crawl", extra_env={"CAPWATCH_DB_TIMEOUT": "0.3"})
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "Traceback" not in failed.stderr
    assert f"database {env.db} is locked by another process" in failed.stderr
    again = capwatch(env, "crawl")
    assert again.returncode == 0, again.stderr
    assert count(env.db, "select count(*) from articles") == 3
    assert_consistent(env.db)
