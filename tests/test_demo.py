"""The offline demo runs end to end: sources served on loopback, every stage, at least one explained alert."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import httpx
from click.testing import CliRunner

from monitor.cli import cli
from monitor.demo.server import DemoServer
from storage.store import Store


def test_demo_server_serves_every_format() -> None:
    with DemoServer() as server, httpx.Client(base_url=server.base_url) as client:
        for path, minimum in (("/wire/rss.xml", 10), ("/techdaily/atom.xml", 10), ("/status/helix/history.atom", 5)):
            response = client.get(path)
            assert response.status_code == 200
            parsed = feedparser.parse(response.content)
            assert not parsed.bozo, (path, parsed.get("bozo_exception"))
            assert len(parsed.entries) >= minimum
            assert all(e.get("link") and e.get("published_parsed") for e in parsed.entries)
        listing = client.get("/ledger/").text
        assert listing.count('class="story-card"') >= 10
        first = listing.split('href="/ledger/articles/', 1)[1].split('"', 1)[0]
        assert "<article>" in client.get(f"/ledger/articles/{first}").text
        assert len(json.loads(client.get("/prices/models.json").text)) >= 5
        assert client.get("/nope").status_code == 404


def test_demo_end_to_end(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    result = CliRunner().invoke(cli, ["--db", str(db), "demo", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "ALERT" in out and "Helix AI" in out
    # the alert cites its articles: at least one article URL served by the demo follows an ALERT line
    alert_block = out[out.index("ALERT"):]
    assert "http://127.0.0.1:" in alert_block and "/articles/" in alert_block
    assert (tmp_path / "out" / "digest-preview.html").exists()
    assert "transformer" in out

    # what was printed is what is stored: Helix above ok, the healthy providers at ok
    runner = CliRunner()
    risk = runner.invoke(cli, ["--db", str(db), "--config", str(tmp_path / "out" / "sources.toml"), "risk", "--json"])
    assert risk.exit_code == 0, risk.output
    levels = {row["provider"]: row["level"] for row in json.loads(risk.output)}
    assert levels["helix"] in ("warning", "critical")
    assert levels["northwind"] == "ok" and levels["lumen"] == "ok"

    # attribution: Helix stories that name Northwind in passing add nothing to Northwind; the down round is money out
    with Store(db) as store:
        northwind = store.rows(
            "select a.title from signals s join articles a on a.id = s.article_id where s.provider = 'northwind'")
        assert northwind and all("Helix" not in r["title"] and "Strand" not in r["title"] for r in northwind)
        mentions = store.rows("select count(*) as n from article_orgs where org = 'northwind' and subject = 0")
        assert mentions[0]["n"] >= 3  # still searchable with --provider northwind
        down = store.rows("select s.direction from signals s join articles a on a.id = s.article_id "
                          "where s.provider = 'helix' and s.tag = 'funding_raise' and a.title like '%down round%'")
        assert [r["direction"] for r in down] == ["out"]
