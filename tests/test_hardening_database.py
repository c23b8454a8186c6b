"""Hardening finding 8 (issue 16): failures that looked like success.

- a mistyped ``--db`` made an empty database (and its folders) and the read commands reported it as healthy;
- ``capwatch demo --db REAL.db`` wrote fictional articles into a real database, and a second demo run on the same
  database invented price changes and alerts;
- ``run --once`` exited 0 when every source failed;
- a database file replaced or deleted under a running daemon: it silently went on writing to the new file.

Everything runs the real program: the CLI through click's runner, or ``capwatch run`` as a process against a
loopback feed server.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from fault_support import DEADLINE, Daemon, Env, FeedServer, make_env, query, wait_until

from monitor.cli import cli
from storage.store import NewArticle, Store
from storage.times import utcnow

READ_COMMANDS = [
    ["alerts"],
    ["risk"],
    ["search", "helix"],
    ["show", "1"],
    ["sources"],
    ["orgs"],
    ["deliveries"],
    ["digest", "--preview", "{tmp}/digest.html"],
    ["backtest", "--from", "30d"],
    ["notify", "--no-send"],
]


def invoke(config: Path, db: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), "--db", str(db), *args])


@pytest.mark.parametrize("args", READ_COMMANDS, ids=lambda a: a[0])
def test_read_commands_refuse_a_database_that_does_not_exist(args: list[str], tmp_path: Path,
                                                             write_config: Callable[..., Path]) -> None:
    config = write_config("")
    db = tmp_path / "typo" / "nested" / "capwatch.db"
    args = [a.format(tmp=tmp_path) for a in args]
    result = invoke(config, db, *args)
    assert result.exit_code == 2, result.output
    assert f"no database at {db} — run `capwatch init`" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "typo").exists()  # neither the file nor its folders

    # after `capwatch init` the same command works on the (empty) database
    assert invoke(config, db, "init").exit_code == 0
    assert invoke(config, db, *args).exit_code in (0, 1)  # `show 1`: no such article (1), the others 0


def test_commands_that_fill_a_database_still_create_it(tmp_path: Path, write_config: Callable[..., Path]) -> None:
    db = tmp_path / "new" / "capwatch.db"
    result = invoke(write_config(""), db, "classify")
    assert result.exit_code == 0, result.output
    assert db.exists()


# ------------------------------------------------------------------------------------------------ demo
def counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in  # noqa: S608 - fixed names
                ("articles", "incidents", "price_snapshots", "price_changes", "signals", "stories", "alerts",
                 "alert_events", "risk_snapshots", "sources")}


def demo(db: Path, out: Path) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), "demo", "--keyword", "--out", str(out)])


def test_demo_refuses_a_database_with_data_of_its_own(tmp_path: Path) -> None:
    real = tmp_path / "real.db"
    with Store(real) as store:
        store.ensure_source("techcrunch-ai", "feed", "https://techcrunch.com/category/ai/feed/")
        store.add_article(NewArticle(url="https://techcrunch.com/a", title="Helix AI raises $1B", summary="",
                                     text="", published=utcnow(), fetched=utcnow(), source="techcrunch-ai"))
    before = hashlib.sha256(real.read_bytes()).hexdigest()
    result = demo(real, tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert "holds data that is not the demo's (source techcrunch-ai)" in result.output
    assert hashlib.sha256(real.read_bytes()).hexdigest() == before  # not a byte written

    other = tmp_path / "notes.db"  # some other program's SQLite database
    with sqlite3.connect(other) as conn:
        conn.execute("create table notes (body text)")
    result = demo(other, tmp_path / "out2")
    assert result.exit_code == 2 and "is not a capwatch database" in result.output, result.output
    with sqlite3.connect(other) as conn:
        assert [r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")] == ["notes"]


def test_demo_twice_on_its_own_database_invents_nothing(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    first = demo(db, tmp_path / "out")
    assert first.exit_code == 0, first.output
    after_first = counts(db)
    assert after_first["articles"] > 10 and after_first["price_changes"] > 0 and after_first["alerts"] > 0

    second = demo(db, tmp_path / "out")
    assert second.exit_code == 0, second.output
    assert counts(db) == after_first
    assert "already holds the demo's data: nothing crawled" in second.output
    assert "ALERT" in second.output  # the same result is shown again


# ------------------------------------------------------------------------------------------------ run --once
@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    server = FeedServer(feeds=1, items=2).start()
    yield server
    server.stop()


def test_run_once_exits_1_when_a_source_failed(tmp_path: Path, feeds: FeedServer, daemons: list[Daemon]) -> None:
    refused = '\n[[sources]]\nname = "gone"\nurl = "http://127.0.0.1:9/feed.xml"\ninterval = "30m"\n'
    env = make_env(tmp_path, feeds.sources_toml() + refused)
    once = Daemon(env, "--once", name="once")
    daemons.append(once)
    assert once.wait() == 1, once.log
    assert "crawl: 1 of 2 sources failed: 1 connection refused" in once.log, once.log
    assert query(env.db, "select count(*) from articles") == [(2,)]  # the healthy feed was still stored...
    assert query(env.db, "select count(*) from articles where classified_version is not null") == [(2,)]  # ...and processed


def test_run_once_exits_0_when_every_source_answered(tmp_path: Path, feeds: FeedServer, daemons: list[Daemon]) -> None:
    env = make_env(tmp_path, feeds.sources_toml())
    once = Daemon(env, "--once", name="once")
    daemons.append(once)
    assert once.wait() == 0, once.log
    assert "sources failed" not in once.log


# ------------------------------------------------------------------------------------------------ the daemon's file
def started(tmp_path: Path, feeds: FeedServer, daemons: list[Daemon]) -> tuple[Env, Daemon]:
    env = make_env(tmp_path, feeds.sources_toml())
    daemon = Daemon(env)
    daemons.append(daemon)
    wait_until(lambda: query(env.db, "select count(*) from articles") == [(2,)], "the first crawl", daemon)
    return env, daemon


def test_daemon_stops_when_its_database_is_replaced(tmp_path: Path, feeds: FeedServer, daemons: list[Daemon]) -> None:
    env, daemon = started(tmp_path, feeds, daemons)
    replacement = tmp_path / "other.db"
    with sqlite3.connect(replacement) as conn:
        conn.execute("create table marker (x integer)")
    os.replace(replacement, env.db)
    assert daemon.wait(DEADLINE) == 1, daemon.log
    assert f"the database {env.db} was replaced by another file while the daemon ran" in daemon.log
    assert "capwatch daemon stopped: the database" in daemon.log
    # nothing was written into the new file
    with sqlite3.connect(env.db) as conn:
        assert [r[0] for r in conn.execute("select name from sqlite_master")] == ["marker"]


def test_daemon_stops_when_its_database_is_deleted(tmp_path: Path, feeds: FeedServer, daemons: list[Daemon]) -> None:
    env, daemon = started(tmp_path, feeds, daemons)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{env.db}{suffix}").unlink(missing_ok=True)
    assert daemon.wait(DEADLINE) == 1, daemon.log
    assert f"the database {env.db} was deleted while the daemon ran" in daemon.log
    assert not env.db.exists()  # not re-created empty
