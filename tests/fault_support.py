"""capwatch as a real process, and the faults the reliability tests inject (tests/test_reliability_faults.py;
tests/test_daemon_process.py uses the process helpers too).

- :class:`Env`, :func:`make_env`, :class:`Daemon`: a temp configuration and database; ``capwatch run`` (or
  ``run --once``) as a subprocess logging to a file; :func:`capwatch`: one CLI command as a subprocess.
- :func:`query`, :func:`wait_until`: read the database from outside; poll a condition with a generous deadline.
- :class:`FeedServer`: many RSS feeds on 127.0.0.1; chosen feeds hold their answer until the test releases them.
- :class:`WriteLock`: another process holding SQLite's write lock on a database until the test releases it.
- :func:`size_limited`: a command line that runs with the size of the files it writes capped (``RLIMIT_FSIZE``): a
  full disk, without root or a special file system.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

from crawl_support import rss

DEADLINE = 40.0  # seconds; a generous upper bound, the usual wait is one or two seconds


# --------------------------------------------------------------------------------------------- processes
@dataclass
class Env:
    """Where a capwatch process finds its database and configuration (``vars``: its environment), and a folder
    for the log files."""

    db: Path
    vars: dict[str, str]
    logs: Path


# The keyword classifier and no encoder model (story clustering falls back to titles with a warning): loading
# MiniLM would cost every process start several seconds, and the models are not under test here.
BASE_CONFIG = """
[settings]
user_agent_contact = "https://example.org/capwatch-tests"
{settings}

[crawl]
allow_private_hosts = ["127.0.0.1", "localhost"]
respect_robots = false

[classifier]
kind = "keyword"
model_path = "{no_model}"

[providers.helix]
name = "Helix AI"
aliases = ["Helix", "Helix Labs"]

[providers.northwind]
name = "Northwind Models"
aliases = ["Northwind"]
{extra}
"""


def make_env(tmp_path: Path, extra: str = "", settings: str = "") -> Env:
    """A configuration in ``tmp_path`` (two providers, the keyword classifier, loopback allowed) plus ``extra``
    TOML (sources, notifications) and ``settings`` lines; the database path and a log folder beside it."""
    config = tmp_path / "sources.toml"
    text = BASE_CONFIG.format(settings=settings, no_model=tmp_path / "no-model", extra=extra)
    config.write_text(text, encoding="utf-8")
    db = tmp_path / "data" / "capwatch.db"
    logs = tmp_path / "logs"
    logs.mkdir()
    variables = dict(os.environ, CAPWATCH_CONFIG=str(config), CAPWATCH_DB=str(db), PYTHONUNBUFFERED="1")
    return Env(db=db, vars=variables, logs=logs)


class Daemon:
    """A ``capwatch run`` process whose stderr goes to a file."""

    def __init__(self, env: Env, *args: str, name: str = "daemon", command: list[str] | None = None) -> None:
        self.log_path = env.logs / f"{name}.log"
        self._log = open(self.log_path, "w", encoding="utf-8")  # noqa: SIM115 - closed in wait()
        self.proc = subprocess.Popen(
            command or [sys.executable, "-m", "monitor", "run", *args],
            env=env.vars,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8")

    def wait(self, timeout: float = DEADLINE) -> int:
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            self._log.close()

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.wait()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.wait()


def capwatch(env: Env, *args: str, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``capwatch ARGS`` (``python -m monitor``) to completion and return its result (text output)."""
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args], env={**env.vars, **(extra_env or {})}, capture_output=True,
        text=True, timeout=DEADLINE * 2, check=False,
    )


def size_limited(max_bytes: int, *args: str) -> list[str]:
    """A command line running ``python -m monitor ARGS`` unable to write any file beyond ``max_bytes``: writes past
    the limit fail with EFBIG, as they would with ENOSPC on a full disk (CPython ignores SIGXFSZ)."""
    code = (
        "import os, resource, sys; "
        f"resource.setrlimit(resource.RLIMIT_FSIZE, ({max_bytes}, {max_bytes})); "
        "os.execv(sys.executable, [sys.executable, '-m', 'monitor', *sys.argv[1:]])"
    )
    return [sys.executable, "-c", code, *args]


def query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    """Read the database from outside (empty if it is not created or migrated yet)."""
    if not db.exists():
        return []
    conn = sqlite3.connect(db, timeout=10)
    try:
        return conn.execute(sql).fetchall()
    except sqlite3.OperationalError:
        return []
    finally:
        conn.close()


def wait_until(check: Callable[[], bool], what: str, daemon: Daemon) -> None:
    """Poll ``check`` until it holds; fail (with the daemon's log) if the daemon exits first or at the deadline."""
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if check():
            return
        if daemon.proc.poll() is not None:
            raise AssertionError(f"daemon exited ({daemon.proc.returncode}) before {what}:\n{daemon.log}")
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}:\n{daemon.log}")


# --------------------------------------------------------------------------------------------- feeds
TITLES = ("Helix AI lays off {n}% of its staff", "Helix raises ${n} million", "Northwind cuts API prices by {n}%",
          "Helix CFO departs after {n} months", "Northwind signs a {n} MW data-center deal")


class FeedServer:
    """``feeds`` RSS feeds on 127.0.0.1 (``/feed/<i>.xml``), each listing ``items`` articles with unique URLs.

    Feeds whose index is in ``held`` answer only once ``release`` is set (their request stays in flight), so a test
    knows a crawl is unfinished; every feed answers after ``delay`` seconds. ``entered`` records the feeds asked for.
    """

    def __init__(self, feeds: int, items: int, *, held: set[int] | None = None, delay: float = 0.0) -> None:
        self.feeds, self.items = feeds, items
        self.held = set(held or ())
        self.delay = delay
        self.release = threading.Event()
        self.entered: set[int] = set()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def articles(self, feed: int) -> list[tuple[str, str]]:
        """The ``(title, url)`` of the articles feed ``feed`` lists."""
        return [
            (TITLES[(feed + j) % len(TITLES)].format(n=10 + feed * self.items + j) + f" (report {feed}-{j})",
             f"https://news.example.org/feed{feed}/story-{j}")
            for j in range(self.items)
        ]

    def urls(self) -> set[str]:
        """Every article URL the server lists."""
        return {url for feed in range(self.feeds) for _, url in self.articles(feed)}

    def url(self, feed: int) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/feed/{feed}.xml"

    def sources_toml(self, interval: str = "30m") -> str:
        """One ``[[sources]]`` block per feed."""
        return "".join(
            f'\n[[sources]]\nname = "feed-{i}"\nurl = "{self.url(i)}"\ninterval = "{interval}"\n' for i in range(self.feeds)
        )

    def start(self) -> FeedServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server API)
                try:
                    feed = int(self.path.rsplit("/", 1)[-1].removesuffix(".xml"))
                except ValueError:
                    feed = -1
                if not 0 <= feed < server.feeds:
                    self.send_error(404)
                    return
                with server._lock:
                    server.entered.add(feed)
                if feed in server.held:
                    server.release.wait(DEADLINE)
                if server.delay:
                    time.sleep(server.delay)
                body = rss(server.articles(feed), title=f"Feed {feed}")
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a killed client leaves a broken pipe behind: expected here

        self._server = Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        self.release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


# --------------------------------------------------------------------------------------------- database lock
HOLD_WRITE_LOCK = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=60)
conn.execute("begin exclusive")
print("locked", flush=True)
sys.stdin.readline()  # until the test writes a line or closes the pipe (or dies)
conn.execute("rollback")
conn.close()
print("released", flush=True)
"""


class WriteLock:
    """Another process holding SQLite's write lock on ``db`` (``BEGIN EXCLUSIVE``) from ``__enter__`` until
    :meth:`release`. In WAL mode readers go on; every writer waits for its busy timeout, then fails."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> WriteLock:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", HOLD_WRITE_LOCK, str(self.db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        assert line == "locked", f"the lock holder did not take the lock: {line!r}"
        return self

    @property
    def held(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def release(self) -> None:
        """End the other process's transaction (rolled back) and wait for it to exit."""
        if self.proc is None or self.proc.poll() is not None:
            return
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("release\n")
        self.proc.stdin.close()
        assert self.proc.stdout.readline().strip() == "released"
        self.proc.wait(timeout=DEADLINE)
        self.proc.stdout.close()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self.proc is None:
            return
        if exc_type is None:
            self.release()
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=DEADLINE)
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None and not pipe.closed:
                pipe.close()
