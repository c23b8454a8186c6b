"""Hardening finding 6 (issue 16): time spent waiting for a per-host slot does not count against a fetch's deadline.

Sixteen healthy feeds on one loopback host each answer after a pause; with two requests per host at a time the
last ones wait several times the per-fetch deadline for their slot. Before the fix those timed out — some were
never even requested — and were recorded as failures with a back-off. Now each feed's deadline starts when its
request does: every feed is requested, answers in time and is stored, and no source backs off.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from crawl_support import config_text
from fault_support import FeedServer

from monitor.cli import cli
from storage.store import Store

FEEDS = 16
PAUSE = 0.5  # seconds each feed takes to answer
DEADLINE = 2.0  # total_timeout: 4x one answer, but a quarter of the time the last feed waits for its slot


@pytest.fixture
def slow_host() -> Iterator[FeedServer]:
    server = FeedServer(feeds=FEEDS, items=1, delay=PAUSE).start()
    yield server
    server.stop()


def test_waiting_for_a_host_slot_does_not_count_against_the_deadline(slow_host: FeedServer, tmp_path: Path) -> None:
    config = tmp_path / "sources.toml"
    config.write_text(config_text(slow_host.sources_toml(), per_host=2, concurrency=8, total_timeout=DEADLINE,
                                  read_timeout=DEADLINE), encoding="utf-8")
    db = tmp_path / "capwatch.db"
    result = CliRunner().invoke(cli, ["--config", str(config), "--db", str(db), "crawl", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["status"] for r in rows] == ["ok"] * FEEDS, [r["error"] for r in rows if r["error"]]
    assert slow_host.entered == set(range(FEEDS))  # every feed was requested
    with Store(db) as store:
        states = store.sources_state()
        assert len(states) == FEEDS
        assert all(s["error_count"] == 0 and s["last_error"] is None and s["paused_until"] is None for s in states)
        assert store.rows("select count(*) as n from articles")[0]["n"] == FEEDS
