"""The daemon's jobs and when they run, without starting a scheduler or waiting for a clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from pytest_httpserver import HTTPServer

from monitor.config import Source, load_config
from monitor.scheduler.daemon import build_scheduler
from monitor.scheduler.jobs import DaemonJobs, crawl_jitter, first_run_time, next_due
from storage.store import Store
from storage.times import from_iso, to_iso

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
SOURCE = Source(name="helix-news", url="http://127.0.0.1/feed.xml", interval=timedelta(minutes=30))

# No encoder model: story clustering falls back to titles (the daemon is under test, not MiniLM).
CONFIG = """
[settings]
user_agent_contact = "https://example.org/capwatch-tests"

[crawl]
allow_private_hosts = ["127.0.0.1", "localhost"]
respect_robots = false

[classifier]
kind = "keyword"
model_path = "{no_model}"

[providers.helix]
name = "Helix AI"
aliases = ["Helix", "Helix Labs"]

[[sources]]
name = "helix-news"
url = "{url}"
interval = "30m"
providers = ["helix"]

[[sources]]
name = "northwind-blog"
url = "http://127.0.0.1:9/feed.xml"
interval = "2h"

[[sources]]
name = "old-feed"
url = "http://127.0.0.1:9/old.xml"
enabled = false
"""


def write_config(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(CONFIG.format(url=url, no_model=tmp_path / "no-model"), encoding="utf-8")
    return path

RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Helix news</title><link>http://example.org/</link>
<item><title>Helix AI raises $500 million Series C</title><link>http://example.org/helix-raise</link>
<pubDate>Fri, 01 May 2026 08:00:00 GMT</pubDate><description>Helix AI raised $500 million in new funding.</description></item>
</channel></rss>"""


def test_jitter_is_a_tenth_of_the_interval_capped_at_five_minutes() -> None:
    assert crawl_jitter(timedelta(minutes=1)) == 6
    assert crawl_jitter(timedelta(minutes=30)) == 180
    assert crawl_jitter(timedelta(days=1)) == 300


def test_sources_due_at_start_run_at_once_half_a_second_apart() -> None:
    assert first_run_time(None, SOURCE, NOW) == NOW
    assert first_run_time(None, SOURCE, NOW, slot=3) == NOW + timedelta(seconds=1.5)
    overdue = {"next_fetch": to_iso(NOW - timedelta(hours=3))}
    assert first_run_time(overdue, SOURCE, NOW, slot=1) == NOW + timedelta(seconds=0.5)


def test_a_source_fetched_before_runs_when_the_crawler_says_it_is_due_plus_jitter() -> None:
    due = NOW + timedelta(minutes=12)
    state = {"next_fetch": to_iso(due), "last_fetch": to_iso(NOW - timedelta(minutes=18))}
    assert next_due(state, SOURCE) == due
    for _ in range(50):
        assert due <= first_run_time(state, SOURCE, NOW, slot=4) <= due + timedelta(seconds=180)


def test_a_paused_source_waits_for_its_pause_to_end() -> None:
    paused = NOW + timedelta(hours=6)
    state = {"next_fetch": to_iso(NOW + timedelta(minutes=5)), "paused_until": to_iso(paused)}
    assert next_due(state, SOURCE) == paused


def test_without_next_fetch_the_interval_counts_from_the_last_fetch() -> None:
    state = {"last_fetch": to_iso(NOW - timedelta(minutes=10))}
    assert next_due(state, SOURCE) == NOW + timedelta(minutes=20)


def test_the_scheduler_holds_one_crawl_job_per_enabled_source_and_the_notify_jobs(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, "http://127.0.0.1:9/feed.xml"))
    jobs = DaemonJobs(config, tmp_path / "capwatch.db")
    states = {"northwind-blog": {"next_fetch": to_iso(NOW + timedelta(minutes=40))}}
    scheduler = build_scheduler(config, jobs, states, NOW)
    scheduler.start(paused=True)  # applies the job defaults; a paused scheduler runs nothing
    try:
        by_id = {job.id: job for job in scheduler.get_jobs()}
    finally:
        scheduler.shutdown(wait=False)
    assert set(by_id) == {"crawl:helix-news", "crawl:northwind-blog", "catch-up", "flush", "digest"}

    for job in by_id.values():
        assert job.coalesce is True
        assert job.max_instances == 1
        assert job.misfire_grace_time is not None and job.misfire_grace_time >= 60

    helix = by_id["crawl:helix-news"]
    assert isinstance(helix.trigger, IntervalTrigger)
    assert helix.trigger.interval == timedelta(minutes=30)
    assert helix.trigger.jitter == 180
    assert helix.executor == "crawl"
    assert helix.args == ("helix-news",)
    assert helix.next_run_time == NOW  # never fetched: first due source, runs at once
    assert helix.misfire_grace_time == 1800

    northwind = by_id["crawl:northwind-blog"]
    assert northwind.trigger.interval == timedelta(hours=2)
    assert northwind.trigger.jitter == 300
    assert NOW + timedelta(minutes=40) <= northwind.next_run_time <= NOW + timedelta(minutes=45)

    flush = by_id["flush"]
    assert isinstance(flush.trigger, IntervalTrigger)
    assert flush.trigger.interval == timedelta(minutes=1)

    digest = by_id["digest"]
    assert isinstance(digest.trigger, CronTrigger)
    fields = {f.name: str(f) for f in digest.trigger.fields}
    assert (fields["hour"], fields["minute"]) == ("8", "0")
    assert str(digest.trigger.timezone) == config.settings.timezone


def test_a_crawl_job_stores_articles_then_follows_the_crawlers_next_fetch(tmp_path: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed.xml").respond_with_data(RSS, content_type="application/rss+xml")
    config = load_config(write_config(tmp_path, httpserver.url_for("/feed.xml")))
    db = tmp_path / "capwatch.db"
    jobs = DaemonJobs(config, db)
    moves: list[tuple[str, datetime | None]] = []
    jobs.set_rescheduler(lambda name, when: moves.append((name, when)))

    jobs.crawl("helix-news")

    with Store(db) as store:
        assert store.article_count() == 1
        row = store.rows("select classified_version from articles")[0]
        assert row["classified_version"]  # processed after the crawl batch
        state = store.source_state("helix-news")
    assert state is not None and state["next_fetch"]
    due = from_iso(state["next_fetch"])
    assert len(moves) == 1
    name, when = moves[0]
    assert name == "helix-news" and when is not None
    assert due <= when <= due + timedelta(seconds=crawl_jitter(timedelta(minutes=30)))


def test_jobs_do_nothing_once_the_daemon_is_stopping(tmp_path: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed.xml").respond_with_data(RSS, content_type="application/rss+xml")
    config = load_config(write_config(tmp_path, httpserver.url_for("/feed.xml")))
    jobs = DaemonJobs(config, tmp_path / "capwatch.db")
    jobs.stop.set()
    jobs.crawl("helix-news")
    assert jobs.flush() is True
    assert len(httpserver.log) == 0
    assert not (tmp_path / "capwatch.db").exists()


def test_the_digest_runs_at_the_configured_local_time(tmp_path: Path) -> None:
    path = tmp_path / "digest.toml"
    path.write_text('[settings]\ndigest_time = "07:30"\ntimezone = "Europe/Paris"\n', encoding="utf-8")
    config = load_config(path)
    scheduler = build_scheduler(config, DaemonJobs(config, tmp_path / "x.db"), {}, NOW)
    digest = scheduler.get_job("digest")
    # 2026-05-01 is in summer time (UTC+2): 07:30 in Paris is 05:30 UTC, the next one is the next morning
    assert digest.trigger.get_next_fire_time(None, NOW).astimezone(UTC) == datetime(2026, 5, 2, 5, 30, tzinfo=UTC)


def test_a_source_the_crawler_disables_is_dropped_from_the_schedule(tmp_path: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed.xml").respond_with_data("gone", status=410)
    config = load_config(write_config(tmp_path, httpserver.url_for("/feed.xml")))
    jobs = DaemonJobs(config, tmp_path / "capwatch.db")
    moves: list[tuple[str, datetime | None]] = []
    jobs.set_rescheduler(lambda name, when: moves.append((name, when)))
    jobs.crawl("helix-news")
    assert moves == [("helix-news", None)]
