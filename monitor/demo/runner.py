"""Run the whole pipeline (crawl -> classify -> risk -> alerts -> digest preview) on the bundled demo sources.

Everything happens offline: the sources are served by :class:`~monitor.demo.server.DemoServer` on 127.0.0.1 and
the configuration allows that loopback host explicitly (the crawler refuses private addresses by default).

The demo writes only into a new database or one holding nothing but a previous demo's data
(:func:`inspect_database`): a database with any other source, article, incident or price list is refused with
:class:`DemoDatabaseError` before anything is written to it. On a database that already holds the demo's
articles the demo crawls nothing: it classifies what is left, scores risk at the moment the first run scored it,
and prints the same result, so running it twice invents no article, price change or alert.
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from storage.store import Store
from storage.times import from_iso

from ..config import Config, parse_config
from ..errors import CapwatchError
from .server import DemoServer

DEMO_PROVIDERS = """
[providers.helix]
name = "Helix AI"
aliases = ["Helix", "Helix Labs", "Strand"]

[providers.northwind]
name = "Northwind Models"
aliases = ["Northwind"]

[providers.quanta]
name = "Quanta Cloud"
aliases = ["Quanta"]
kind = "cloud"

[providers.lumen]
name = "Lumen Labs"
aliases = ["Lumen"]
"""


def demo_config_text(base_url: str, *, classifier: str = "transformer") -> str:
    """The demo's sources.toml, pointing at the loopback server at ``base_url``."""
    return f"""# capwatch demo configuration (generated): bundled sample sources served on loopback.
[settings]
user_agent_contact = "https://example.org/capwatch-demo"
timezone = "UTC"

[crawl]
allow_private_hosts = ["127.0.0.1"]

[classifier]
kind = "{classifier}"
{DEMO_PROVIDERS}
[[sources]]
name = "wire"
kind = "feed"
url = "{base_url}/wire/rss.xml"
interval = "15m"

[[sources]]
name = "techdaily"
kind = "feed"
url = "{base_url}/techdaily/atom.xml"
interval = "30m"

[[sources]]
name = "ledger"
kind = "html"
url = "{base_url}/ledger/"
interval = "1h"
selectors = {{ link = "article.story-card h2 a", date = "time" }}

[[sources]]
name = "helix-status"
kind = "status"
url = "{base_url}/status/helix/history.atom"
interval = "5m"
providers = ["helix"]

[[sources]]
name = "northwind-status"
kind = "status"
url = "{base_url}/status/northwind/history.atom"
interval = "5m"
providers = ["northwind"]

[[sources]]
name = "model-prices"
kind = "prices"
url = "{base_url}/prices/models.json"
interval = "6h"
"""


class DemoDatabaseError(CapwatchError):
    """The database given to the demo holds data that is not the demo's (exit code 2: nothing was written)."""

    exit_code = 2


def _demo_sources() -> dict[str, str]:
    """Each demo source's name and the path of its URL on the demo server."""
    config = parse_config(demo_config_text("http://127.0.0.1:9"), "demo.toml")
    return {s.name: urlsplit(s.url).path for s in config.sources}


@dataclass
class DemoDatabase:
    """What a database holds, as far as the demo is concerned."""

    base_url: str | None = None  # the demo server a previous run crawled (None: nothing crawled yet)
    articles: int = 0
    scored_at: datetime | None = None  # the latest risk snapshot of a previous run


def inspect_database(path: Path) -> DemoDatabase:
    """Read (never write) ``path``: an empty :class:`DemoDatabase` if it does not exist or holds nothing, what a
    previous demo left if it holds only demo data, else :class:`DemoDatabaseError` naming what is foreign."""
    if not path.exists() or path.stat().st_size == 0:
        return DemoDatabase()
    refuse = f"{path} holds data that is not the demo's"
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise DemoDatabaseError(f"{path} cannot be read as a database ({exc}): the demo writes only into a new "
                                "database or one of its own") from None
    try:
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
        if not tables:
            return DemoDatabase()
        if "sources" not in tables or "articles" not in tables:
            raise DemoDatabaseError(f"{path} is not a capwatch database: the demo writes only into a new database "
                                    "or one of its own")
        paths = _demo_sources()
        bases: set[str] = set()
        for name, url in conn.execute("select name, url from sources"):
            parts = urlsplit(url or "")
            if name not in paths or parts.path != paths[name] or parts.hostname != "127.0.0.1":
                raise DemoDatabaseError(f"{refuse} (source {name}): use a new --db, or leave --db out")
            bases.add(f"{parts.scheme}://{parts.netloc}")
        for table in ("articles", "incidents", "price_snapshots"):
            if table not in tables:
                continue
            for (source,) in conn.execute(f"select distinct source from {table}"):  # noqa: S608 - fixed names
                if source not in paths:
                    raise DemoDatabaseError(f"{refuse} ({table} from {source}): use a new --db, or leave --db out")
        articles = int(conn.execute("select count(*) from articles").fetchone()[0])
        scored = conn.execute("select max(computed_at) from risk_snapshots").fetchone()[0] \
            if "risk_snapshots" in tables else None
    except sqlite3.DatabaseError as exc:
        raise DemoDatabaseError(f"{path} cannot be read as a database ({exc}): the demo writes only into a new "
                                "database or one of its own") from None
    finally:
        conn.close()
    if len(bases) > 1:
        raise DemoDatabaseError(f"{refuse} (sources of several servers): use a new --db, or leave --db out")
    return DemoDatabase(base_url=next(iter(bases), None), articles=articles,
                        scored_at=from_iso(scored) if scored else None)


@dataclass
class DemoResult:
    """What the demo produced, for printing and for tests."""

    db_path: Path
    config: Config
    crawl: Any = None
    classify: Any = None
    risk: Any = None
    alerts: list[dict[str, Any]] = field(default_factory=list)
    digest_path: Path | None = None
    seconds: float = 0.0
    rerun: bool = False  # the database already held the demo's articles: nothing was crawled


def run_demo(
    *,
    db_path: Path | None = None,
    out_dir: Path | None = None,
    classifier: str = "transformer",
    say: Callable[[str], None] = print,
) -> DemoResult:
    """Serve the demo sources, run every stage into ``db_path`` (a temp file by default), write the digest preview.

    Raises :class:`DemoDatabaseError` (before writing anything) when ``db_path`` holds data that is not the
    demo's; on a database holding a previous demo's articles nothing is crawled (see the module docstring).
    """
    from ..crawl import crawl_sources

    started = time.monotonic()
    out = Path(out_dir) if out_dir else Path(tempfile.mkdtemp(prefix="capwatch-demo-"))
    db = Path(db_path) if db_path else out / "demo.db"
    previous = inspect_database(db)  # before anything is written (refuses a database that is not the demo's)
    out.mkdir(parents=True, exist_ok=True)
    config_path = out / "sources.toml"
    if previous.articles and previous.base_url:
        config_path.write_text(demo_config_text(previous.base_url, classifier=classifier), encoding="utf-8")
        config = parse_config(config_path.read_text(encoding="utf-8"), config_path)
        result = DemoResult(db_path=db, config=config, rerun=True)
        say(f"{db} already holds the demo's data: nothing crawled, risk as of "
            f"{previous.scored_at:%Y-%m-%d %H:%M} UTC" if previous.scored_at else
            f"{db} already holds the demo's data: nothing crawled")
        with Store(db) as store:
            _process(config, store, result, out, previous.scored_at)
        result.seconds = time.monotonic() - started
        return result
    with DemoServer() as server:
        config_path.write_text(demo_config_text(server.base_url, classifier=classifier), encoding="utf-8")
        config = parse_config(config_path.read_text(encoding="utf-8"), config_path)
        result = DemoResult(db_path=db, config=config)
        say(f"demo sources served at {server.base_url} (config: {config_path})")
        with Store(db) as store:
            result.crawl = crawl_sources(config, store, force=True)
            # the price list changes between two crawls: the second snapshot yields exact price-change records
            server.site.price_state = "after"
            second = crawl_sources(config, store, names=["model-prices"], force=True)
            result.crawl.results.extend(second.results)
            _process(config, store, result, out, None)
    result.seconds = time.monotonic() - started
    return result


def _process(config: Config, store: Store, result: DemoResult, out: Path, at: datetime | None) -> None:
    """Classify, score risk at ``at`` (default now), collect the open alerts and write the digest preview."""
    from ..notify import render_digest
    from ..pipeline import classify_articles
    from ..risk import describe_alert, update_risk

    result.classify = classify_articles(config, store)
    result.risk = update_risk(config, store, now=at)
    open_alerts = store.rows("select id from alerts where status = 'open' order by id")
    result.alerts = [describe_alert(store, int(r["id"])) for r in open_alerts]
    digest = render_digest(config, store, now=at)
    result.digest_path = out / "digest-preview.html"
    result.digest_path.write_text(digest.html, encoding="utf-8")
