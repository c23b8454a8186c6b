"""``capwatch crawl``, ``capwatch sources`` and ``capwatch sources check`` against a loopback server, and the
default sources.toml."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from crawl_support import FEEDS, config_text, source_toml
from pytest_httpserver import HTTPServer

from monitor.commands.pipeline import crawl
from monitor.commands.sources import sources
from monitor.config import load_config
from monitor.context import AppContext

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def app_paths(httpserver: HTTPServer, tmp_path: Path) -> tuple[Path, Path]:
    httpserver.expect_request("/feed").respond_with_data((FEEDS / "rss20.xml").read_bytes(), content_type="application/rss+xml")
    httpserver.expect_request("/missing").respond_with_data("no", status=404)
    httpserver.expect_request("/page").respond_with_data((FEEDS / "html_page.html").read_bytes(), content_type="text/html")
    config = tmp_path / "sources.toml"
    config.write_text(
        config_text(
            source_toml("good", httpserver.url_for("/feed"))
            + source_toml("missing", httpserver.url_for("/missing"))
            + source_toml("page", httpserver.url_for("/page"))
            + source_toml("off", httpserver.url_for("/feed"), enabled=False)
        ),
        encoding="utf-8",
    )
    return config, tmp_path / "cli.db"


def _run(paths: tuple[Path, Path], command: object, args: list[str], exit_code: int = 0, *, stderr: bool = False) -> str:
    app = AppContext(config_path=paths[0], db_path=paths[1])
    try:
        result = CliRunner().invoke(command, args, obj=app, terminal_width=250)  # type: ignore[arg-type]
    finally:
        app.close()
    assert result.exit_code == exit_code, result.output + repr(result.exception)
    return result.output if stderr else result.stdout


def test_crawl_command_reports_each_source_and_totals(app_paths: tuple[Path, Path]) -> None:
    out = _run(app_paths, crawl, [], exit_code=1, stderr=True)  # failing sources: exit 1 (hardening finding 8)
    assert "good" in out and "HTTP 404 Not Found" in out and "not a feed (got an HTML page)" in out
    assert "3 fetched, 2 failed; 3 new articles" in out
    assert "2 of 4 sources failed: 1 HTTP 404, 1 not a feed" in out
    rows = {r["source"]: r for r in json.loads(_run(app_paths, crawl, ["--json", "--force", "--source", "good"]))}
    assert list(rows) == ["good"]
    assert (rows["good"]["status"], rows["good"]["entries"], rows["good"]["new"]) == ("ok", 3, 0)


def test_sources_lists_state_with_readable_errors(app_paths: tuple[Path, Path]) -> None:
    before = {r["name"]: r for r in json.loads(_run(app_paths, sources, ["--json"]))}
    assert before["good"]["status"] == "new" and before["off"]["status"] == "disabled"
    _run(app_paths, crawl, [], exit_code=1)
    rows = {r["name"]: r for r in json.loads(_run(app_paths, sources, ["--json"]))}
    assert (rows["good"]["status"], rows["good"]["entries"], rows["good"]["error_count"], rows["good"]["format"]) == ("ok", 3, 0, "rss20")
    assert (rows["missing"]["status"], rows["missing"]["error_count"], rows["missing"]["last_error"]) == ("failing", 1, "HTTP 404 Not Found")
    assert rows["page"]["last_error"] == "not a feed (got an HTML page)"
    assert rows["good"]["next_fetch"] > rows["good"]["last_fetch"]
    table = _run(app_paths, sources, [])
    for column in ("name", "kind", "enabled", "last_fetch", "next_fetch", "error_count", "last_error", "paused_until"):
        assert column in table
    assert "HTTP 404 Not Found" in table
    parsed = list(csv.DictReader(io.StringIO(_run(app_paths, sources, ["--csv"]))))
    assert [r["name"] for r in parsed] == ["good", "missing", "page", "off"]


def test_sources_check_fetches_once_and_stores_nothing(app_paths: tuple[Path, Path]) -> None:
    rows = {r["name"]: r for r in json.loads(_run(app_paths, sources, ["check", "--json"], exit_code=1))}
    assert (rows["good"]["status"], rows["good"]["http"], rows["good"]["format"], rows["good"]["entries"]) == ("ok", 200, "rss20", 3)
    assert (rows["missing"]["status"], rows["missing"]["error"]) == ("error", "HTTP 404 Not Found")
    assert rows["page"]["error"] == "not a feed (got an HTML page)"
    table = _run(app_paths, sources, ["check"], exit_code=1, stderr=True)
    assert "2 of 4 sources answered with content" in table  # a disabled source is checked too
    assert "2 of 4 sources failed: 1 HTTP 404, 1 not a feed" in table
    state = {r["name"]: r for r in json.loads(_run(app_paths, sources, ["--json"]))}
    assert state["good"]["status"] == "new"  # check stores nothing


def test_default_sources_toml() -> None:
    config = load_config(ROOT / "sources.toml")
    assert len(config.sources) >= 25
    kinds = {s.kind for s in config.sources}
    assert kinds == {"feed", "html", "status", "prices"}
    assert set(config.providers) >= {"openai", "anthropic", "xai", "google", "mistral", "cohere", "meta", "coreweave", "lambda", "together"}
    assert {"xAI", "Grok", "Colossus"} <= set(config.providers["xai"].aliases)
    assert {"Anthropic", "Claude"} <= set(config.providers["anthropic"].aliases)
    assert config.crawl.allow_private_hosts == ()
    assert config.classifier.kind == "transformer"
    news_search = [s for s in config.sources if s.name.startswith("news-")]
    assert {p for s in news_search for p in s.providers} == set(config.providers)  # one news search per provider
    assert sum(1 for s in config.sources if s.kind == "status") >= 5
    assert any(s.kind == "prices" and "litellm" in s.url for s in config.sources)
    for s in config.sources:
        assert s.url.startswith("https://")
        assert s.interval.total_seconds() >= 300
    assert config.notify.slack is not None and config.notify.slack.routes[0].webhook_url_env == "CAPWATCH_SLACK_WEBHOOK"
    assert config.notify.email is not None and config.notify.email.password_env == "CAPWATCH_SMTP_PASSWORD"
