"""Run the whole pipeline (crawl -> classify -> risk -> alerts -> digest preview) on the bundled demo sources.

Everything happens offline: the sources are served by :class:`~monitor.demo.server.DemoServer` on 127.0.0.1 and
the configuration allows that loopback host explicitly (the crawler refuses private addresses by default).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storage.store import Store

from ..config import Config, parse_config
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


def run_demo(
    *,
    db_path: Path | None = None,
    out_dir: Path | None = None,
    classifier: str = "transformer",
    say: Callable[[str], None] = print,
) -> DemoResult:
    """Serve the demo sources, run every stage into ``db_path`` (a temp file by default), write the digest preview."""
    from ..crawl import crawl_sources
    from ..notify import render_digest
    from ..pipeline import classify_articles
    from ..risk import describe_alert, update_risk

    started = time.monotonic()
    out = Path(out_dir) if out_dir else Path(tempfile.mkdtemp(prefix="capwatch-demo-"))
    out.mkdir(parents=True, exist_ok=True)
    db = Path(db_path) if db_path else out / "demo.db"
    with DemoServer() as server:
        config_path = out / "sources.toml"
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
            result.classify = classify_articles(config, store)
            result.risk = update_risk(config, store)
            open_alerts = store.rows("select id from alerts where status = 'open' order by id")
            result.alerts = [describe_alert(store, int(r["id"])) for r in open_alerts]
            digest = render_digest(config, store)
            result.digest_path = out / "digest-preview.html"
            result.digest_path.write_text(digest.html, encoding="utf-8")
    result.seconds = time.monotonic() - started
    return result
