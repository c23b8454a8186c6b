"""Status sources: Statuspage and incident.io feeds become incidents with ``outage`` signals; updates update."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from crawl_support import STATUS, make_config, source_toml
from pytest_httpserver import HTTPServer

from monitor.crawl import crawl_sources
from monitor.crawl.status import IMPACT_CONFIDENCE
from storage.store import Store


@pytest.mark.parametrize(
    ("file", "fmt", "incidents", "owner"),
    [
        ("claude_statuspage_history.rss", "statuspage", 4, "anthropic"),
        ("statuspage_githubstatus_history_2025-10-04.atom", "statuspage", 25, "github"),
        ("openai_incidentio_history.atom", "incidentio", 2, "openai"),
        ("openai_incidentio_history.rss", "incidentio", 1, "openai"),
    ],
)
def test_real_status_feeds(file: str, fmt: str, incidents: int, owner: str, httpserver: HTTPServer, store: Store,
                           tmp_path: Path) -> None:
    httpserver.expect_request("/history").respond_with_data((STATUS / file).read_bytes(), content_type="application/xml")
    config = make_config(tmp_path, source_toml("status", httpserver.url_for("/history"), kind="status", providers=[owner]))
    result = crawl_sources(config, store).by_name("status")
    assert (result.status, result.format, result.entries, result.new_incidents) == ("ok", fmt, incidents, incidents)
    rows = store.incidents(source="status")
    assert len(rows) == incidents
    assert {r["provider"] for r in rows} == {owner}
    signals = store.rows("select * from signals where incident_id is not null")
    own = [s for s in signals if s["role"] == "own"]
    assert len(own) == incidents  # one own signal per incident, plus an upstream one per other maker named
    for s in own:
        assert (s["tag"], s["provider"], s["model_version"]) == ("outage", owner, "status-2")
    assert all(s["role"] == "upstream" and s["provider"] != owner for s in signals if s["role"] != "own")
    for row in rows:
        assert row["impact"] in IMPACT_CONFIDENCE and row["started"] <= row["updated"]
        if row["resolved"]:
            assert row["started"] <= row["resolved"]
    again = crawl_sources(config, store, force=True).by_name("status")
    assert (again.new_incidents, again.updated_incidents) == (0, 0)
    assert len(store.rows("select id from signals")) == len(signals)


def test_statuspage_details(httpserver: HTTPServer, store: Store, tmp_path: Path) -> None:
    httpserver.expect_request("/gh").respond_with_data(
        (STATUS / "statuspage_githubstatus_history_2025-10-04.atom").read_bytes(), content_type="application/atom+xml"
    )
    config = make_config(tmp_path, source_toml("github-status", httpserver.url_for("/gh"), kind="status"))
    crawl_sources(config, store)
    by_title = {r["title"]: r for r in reversed(store.incidents())}  # the newest of equal titles wins
    copilot = by_title["Incident with Copilot"]
    assert (copilot["status"], copilot["started"], copilot["resolved"]) == (
        "resolved", "2025-10-03T02:41:00+00:00", "2025-10-03T03:47:00+00:00"
    )
    assert copilot["url"] == "https://www.githubstatus.com/incidents/34wtrn4nngwk"
    runners = by_title["Degraded Performance for GitHub Actions MacOS Runners"]
    assert runners["components"] == ["Actions"]
    # no source provider: the provider named in the title (Gemini is an alias of google in the test config)
    gemini = by_title["Degraded Gemini 2.5 Pro experience in Copilot"]
    assert gemini["provider"] == "google"
    assert copilot["provider"] is None


def test_incident_update_updates_instead_of_duplicating(httpserver: HTTPServer, store: Store, tmp_path: Path) -> None:
    httpserver.expect_request("/s").respond_with_data((STATUS / "incidentio_update_v1.atom").read_bytes(), content_type="application/atom+xml")
    config = make_config(tmp_path, source_toml("helix-status", httpserver.url_for("/s"), kind="status", providers=["helix"]))
    first = crawl_sources(config, store).by_name("helix-status")
    assert (first.new_incidents, first.updated_incidents) == (1, 0)
    [incident] = store.incidents()
    assert (incident["impact"], incident["status"], incident["components"]) == (
        "major", "investigating", ["Chat Completions", "Embeddings"]
    )
    [signal] = store.rows("select * from signals")
    assert (signal["confidence"], signal["incident_id"], signal["provider"]) == (0.9, incident["id"], "helix")

    httpserver.clear()
    httpserver.expect_request("/s").respond_with_data((STATUS / "incidentio_update_v2.atom").read_bytes(), content_type="application/atom+xml")
    second = crawl_sources(config, store, force=True).by_name("helix-status")
    assert (second.new_incidents, second.updated_incidents) == (1, 1)  # the maintenance is new, the outage updated
    rows = {r["external_id"]: r for r in store.incidents()}
    assert len(rows) == 2
    outage = rows["https://status.helix.example/incidents/01HELIXAPI"]
    assert (outage["id"], outage["title"], outage["impact"], outage["status"]) == (
        incident["id"], "Helix API unavailable", "critical", "identified"
    )
    assert outage["started"] == "2026-03-02T10:20:00+00:00"  # first seen, not moved by the update
    signals = store.rows("select incident_id, confidence, published from signals order by incident_id")
    assert [(s["incident_id"], s["confidence"]) for s in signals] == [
        (outage["id"], 1.0), (rows["https://status.helix.example/incidents/01MAINT"]["id"], 0.4)
    ]
    assert signals[0]["published"] == "2026-03-02T10:20:00+00:00"


def test_statuspage_update_resolves_across_new_year(httpserver: HTTPServer, store: Store, tmp_path: Path) -> None:
    httpserver.expect_request("/s").respond_with_data((STATUS / "statuspage_update_v1.rss").read_bytes(), content_type="application/rss+xml")
    config = make_config(tmp_path, source_toml("nw-status", httpserver.url_for("/s"), kind="status", providers=["northwind"]))
    crawl_sources(config, store)
    httpserver.clear()
    httpserver.expect_request("/s").respond_with_data((STATUS / "statuspage_update_v2.rss").read_bytes(), content_type="application/rss+xml")
    result = crawl_sources(config, store, force=True).by_name("nw-status")
    assert (result.new_incidents, result.updated_incidents) == (0, 1)
    [row] = store.incidents()
    assert (row["status"], row["impact"], row["started"], row["resolved"]) == (
        "resolved", "critical", "2025-12-31T23:50:00+00:00", "2026-01-01T01:10:00+00:00"
    )
    assert sorted(row["components"]) == ["Fine-tuning", "Inference API"]
    assert "major outage" in row["body"]
    [signal] = store.rows("select confidence, provider from signals")
    assert (signal["confidence"], signal["provider"]) == (1.0, "northwind")
    assert json.loads(store.rows("select components from incidents")[0]["components"]) == row["components"]
