"""Issue 16, crawler findings, each against real loopback servers and the real ``capwatch`` process:

- 2: different URLs are never merged on their title alone (1,000 "Daily update" feed items, 200 "Read more" links);
- 3: a ``Content-Encoding: gzip, gzip`` bomb stops at the body cap without being expanded in memory;
- 7: two ``capwatch crawl --force`` at once store every article once and neither fails (no IntegrityError).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
from crawl_support import rss
from fault_support import DEADLINE, FeedServer, WriteLock, capwatch, make_env, query
from pytest_httpserver import HTTPServer

from storage.store import Store

MIB = 1024 * 1024


# --------------------------------------------------------------------------------------------- finding 2
def test_a_thousand_feed_items_with_one_title_and_no_text_are_a_thousand_articles(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    items = [("Daily update", f"https://daily.example.org/updates/{i}") for i in range(1000)]
    entries = "".join(f"<item><title>{t}</title><link>{u}</link></item>" for t, u in items)  # no text at all
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Daily</title>{entries}</channel></rss>'
    httpserver.expect_request("/daily.xml").respond_with_data(feed, content_type="application/rss+xml")
    env = make_env(tmp_path, f'[[sources]]\nname = "daily"\nurl = "{httpserver.url_for("/daily.xml")}"\n')
    done = capwatch(env, "crawl", "--json")
    assert done.returncode == 0, done.stderr
    [row] = json.loads(done.stdout)
    assert (row["entries"], row["new"]) == (1000, 1000)
    stored = {url for (url,) in query(env.db, "select url from articles where title = 'Daily update'")}
    assert stored == {url for _, url in items}

    again = capwatch(env, "crawl", "--json", "--force")  # the same items again: all known by URL
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)[0]["new"] == 0
    assert query(env.db, "select count(*) from articles") == [(1000,)]


def test_two_hundred_read_more_links_on_a_listing_are_two_hundred_articles(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    links = "".join(f'<li><a class="more" href="/posts/{i}">Read more</a></li>' for i in range(200))
    page = f"<html><body><ul>{links}</ul></body></html>"
    httpserver.expect_request("/blog").respond_with_data(page, content_type="text/html")
    # the first articles' pages are fetched for their full text; they say nothing, like a cookie wall
    httpserver.expect_request(re.compile(r"/posts/\d+")).respond_with_data(
        "<html><body></body></html>", content_type="text/html"
    )
    env = make_env(
        tmp_path,
        f'[[sources]]\nname = "blog"\nkind = "html"\nurl = "{httpserver.url_for("/blog")}"\n'
        '[sources.selectors]\nlink = "a.more"\n',
    )
    done = capwatch(env, "crawl", "--json")
    assert done.returncode == 0, done.stderr
    [row] = json.loads(done.stdout)
    assert (row["entries"], row["new"]) == (200, 200)
    assert query(env.db, "select count(distinct url), count(*) from articles where title = 'Read more'") == [
        (200, 200)
    ]


def test_the_same_story_under_two_urls_is_still_stored_once(store: Store) -> None:
    """What content dedupe is for: one story (same title, same text) syndicated under a second URL."""
    from datetime import UTC, datetime

    from storage.store import NewArticle

    now = datetime(2026, 11, 1, tzinfo=UTC)

    def art(url: str, title: str, text: str = "", summary: str = "") -> NewArticle:
        return NewArticle(
            url=url, title=title, summary=summary, text=text, published=now, fetched=now, source="s"
        )

    first, created = store.add_article(
        art("https://a.example/1", "Helix cuts staff", "Helix AI laid off 30%.")
    )
    assert created
    assert store.add_article(art("https://b.example/x", "Helix cuts staff", "Helix AI laid off 30%.")) == (
        first,
        False,
    )
    # no body, or a body that only repeats the title: the URL alone identifies the article
    assert store.add_article(art("https://a.example/2", "Helix cuts staff"))[1] is True
    assert store.add_article(art("https://a.example/3", "Helix cuts staff"))[1] is True
    assert store.add_article(art("https://a.example/4", "Read more", summary="Read more"))[1] is True
    assert store.add_article(art("https://a.example/5", "Read more", summary=" read  MORE "))[1] is True
    assert store.article_count() == 5


# --------------------------------------------------------------------------------------------- finding 3
def _double_gzip_bomb(decoded: int) -> bytes:
    """``decoded`` zero bytes, gzipped twice (1 GiB: a body of about 1.8 KB)."""
    inner = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = bytes(MIB)
    layer = b"".join(inner.compress(block) for _ in range(decoded // MIB)) + inner.flush()
    outer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    return outer.compress(layer) + outer.flush()


MEASURED = """
import atexit, runpy, sys

OUT = sys.argv[1]


def peak():  # VmHWM: this program's own peak RSS (wait4's ru_maxrss would include the forking test process)
    with open("/proc/self/status") as status, open(OUT, "w") as out:
        out.write(next(line.split()[1] for line in status if line.startswith("VmHWM:")))


atexit.register(peak)
sys.argv = ["capwatch", *sys.argv[2:]]
runpy.run_module("monitor", run_name="__main__", alter_sys=True)
"""


def _run_measured(env_vars: dict[str, str], args: list[str], folder: Path) -> tuple[int, int, str, str]:
    """Run ``capwatch ARGS`` to completion; return its exit code, its peak RSS in bytes, its stdout and stderr."""
    peak = folder / "peak-kib"
    done = subprocess.run(
        [sys.executable, "-c", MEASURED, str(peak), *args],
        env=env_vars,
        capture_output=True,
        text=True,
        timeout=DEADLINE * 2,
        check=False,
    )
    return done.returncode, int(peak.read_text()) * 1024, done.stdout, done.stderr


@pytest.mark.slow
def test_a_double_gzip_bomb_stops_at_the_cap_without_expanding(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    bomb = _double_gzip_bomb(1024 * MIB)
    assert len(bomb) < 4096
    httpserver.expect_request("/bomb.xml").respond_with_data(
        bomb, content_type="application/rss+xml", headers={"Content-Encoding": "gzip, gzip"}
    )
    feed = rss([("Helix update", "https://helix.example/1")])
    twice = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    once = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    inner = once.compress(feed) + once.flush()
    httpserver.expect_request("/fine.xml").respond_with_data(
        twice.compress(inner) + twice.flush(),
        content_type="application/rss+xml",
        headers={"Content-Encoding": "gzip, gzip"},
    )
    env = make_env(
        tmp_path,
        f'[[sources]]\nname = "bomb"\nurl = "{httpserver.url_for("/bomb.xml")}"\n'
        f'[[sources]]\nname = "fine"\nurl = "{httpserver.url_for("/fine.xml")}"\n',
    )
    code, peak, stdout, stderr = _run_measured(env.vars, ["crawl", "--json"], tmp_path)
    assert code == 1, stderr  # the bomb is a failing source
    assert "1 of 2 sources failed" in stderr and "Traceback" not in stderr
    rows = {r["source"]: r for r in json.loads(stdout)}
    assert rows["bomb"]["status"] == "error"
    assert rows["bomb"]["error"] == "body larger than 10 MB (download stopped)"
    assert (rows["fine"]["status"], rows["fine"]["new"]) == ("ok", 1)  # two honest layers decode as before
    # 1 GiB was one received chunk away: the process never held more than the cap and its own working set
    assert peak < 256 * MIB, f"peak RSS {peak / MIB:.0f} MiB"


# --------------------------------------------------------------------------------------------- finding 7
def _sleeping_in_sqlite(pid: int) -> bool:
    """True when a thread of ``pid`` sleeps in SQLite's busy handler (waiting for the write lock)."""
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return False
    for tid in tasks:
        try:
            if Path(f"/proc/{pid}/task/{tid}/wchan").read_text().strip() == "hrtimer_nanosleep":
                return True
        except OSError:
            continue
    return False


@pytest.mark.slow
def test_two_forced_crawls_at_once_store_each_article_once_without_errors(tmp_path: Path) -> None:
    feeds = FeedServer(feeds=24, items=15).start()
    try:
        env = make_env(tmp_path, feeds.sources_toml())
        assert (
            capwatch(env, "init").returncode == 0
        )  # sources registered: nothing else writes before the articles
        with WriteLock(env.db):
            # Both crawls fetch every feed, then wait for the write lock with their first articles checked as
            # unknown: when it is released they race to insert the same URLs.
            procs = []
            for name in ("a", "b"):
                out = open(tmp_path / f"crawl-{name}.json", "w", encoding="utf-8")  # noqa: SIM115 - closed below
                err = open(tmp_path / f"crawl-{name}.err", "w", encoding="utf-8")  # noqa: SIM115
                procs.append(
                    (
                        subprocess.Popen(
                            [sys.executable, "-m", "monitor", "crawl", "--force", "--json"],
                            env=env.vars,
                            stdout=out,
                            stderr=err,
                        ),
                        out,
                        err,
                    )
                )
            deadline = time.monotonic() + DEADLINE
            while time.monotonic() < deadline and not all(_sleeping_in_sqlite(p.pid) for p, _, _ in procs):
                assert all(p.poll() is None for p, _, _ in procs), (
                    "a crawl ended while the database was locked"
                )
                time.sleep(0.05)
        results = []
        for name, (proc, out, err) in zip("ab", procs, strict=True):
            code = proc.wait(timeout=DEADLINE * 2)
            out.close()
            err.close()
            stderr = (tmp_path / f"crawl-{name}.err").read_text(encoding="utf-8")
            assert code == 0, stderr
            assert "IntegrityError" not in stderr and "Traceback" not in stderr
            results.append(json.loads((tmp_path / f"crawl-{name}.json").read_text(encoding="utf-8")))
    finally:
        feeds.stop()
    for rows in results:
        assert all(r["status"] == "ok" and r["error"] is None for r in rows), rows
    urls = feeds.urls()
    assert {url for (url,) in query(env.db, "select url from articles")} == urls
    assert query(env.db, "select count(*) from articles") == [(len(urls),)]
    # every article is new for exactly one of the two crawls, a duplicate for the other
    assert sum(r["new"] for rows in results for r in rows) == len(urls)
