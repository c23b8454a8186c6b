"""The risk commands: ``risk`` (table, one provider, --history), ``alerts``, ``backtest`` and ``show`` of alerts."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from risk_timeline import Timeline, risk_config, troubled

from monitor.cli import cli
from monitor.risk.sparkline import BARS
from monitor.risk.stories import assign_stories, no_embedding
from storage.store import Store
from storage.times import utcnow


@pytest.fixture
def paths(tmp_path: Path, write_config: Callable[[str], Path]) -> tuple[Path, Path]:
    """A config (providers helix, northwind) and a database where Helix's trouble built over the last 12 days
    (already clustered, so the commands need no encoder)."""
    db = tmp_path / "cli.db"
    with Store(db) as store:
        origin = utcnow() - timedelta(days=12)
        troubled(store, origin)
        Timeline(store, origin).article("Northwind Models raises $2.1 billion", 3, tags={"funding_raise": 0.9},
                                        provider="northwind", direction="in")
        assign_stories(store, risk_config().risk, risk_config().provider_aliases, no_embedding)
    return write_config(""), db


def run(paths: tuple[Path, Path], *args: str) -> Result:
    config, db = paths
    return CliRunner().invoke(cli, ["--config", str(config), "--db", str(db), *args])


def test_risk_lists_every_provider_with_level_score_change_and_top(paths: tuple[Path, Path]) -> None:
    result = run(paths, "risk", "--json")
    assert result.exit_code == 0, result.output
    rows = {r["provider"]: r for r in json.loads(result.output)}
    assert set(rows) == {"helix", "northwind"}
    helix = rows["helix"]
    assert helix["level"] == "warning" and helix["name"] == "Helix AI"
    assert 5 <= helix["score"] < 8 and helix["change_7d"] > 0  # the price rise came two days ago
    assert {t["tag"] for t in helix["top"]} == {"losses_burn", "layoffs", "api_pricing"}
    assert (rows["northwind"]["level"], rows["northwind"]["score"]) == ("ok", 0.0)

    table = run(paths, "risk")
    assert table.exit_code == 0 and "Helix AI" in table.output and "warning" in table.output
    csv = run(paths, "risk", "--csv")
    assert csv.output.splitlines()[0] == "provider,name,level,score,change_7d,top"


def test_risk_for_one_provider_explains_the_score(paths: tuple[Path, Path]) -> None:
    result = run(paths, "risk", "helix", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [(r["tag"], r["sources"]) for r in rows] == [("losses_burn", 2), ("layoffs", 2), ("api_pricing", 1)]
    assert rows[0]["contribution"] > rows[1]["contribution"] > rows[2]["contribution"] > 0
    assert rows[2]["title"].startswith("price list: helix/strand-3.5") and rows[2]["direction"] == "up"
    table = run(paths, "risk", "helix")
    assert "Helix AI: warning, score" in table.output and "losses_burn" in table.output


def test_risk_for_one_provider_says_how_many_contributions_are_not_listed(
        paths: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    import monitor.risk.engine as engine

    monkeypatch.setattr(engine, "LISTED", 2)
    table = run(paths, "risk", "helix")
    assert table.exit_code == 0, table.output
    assert "... and 1 smaller contributions, also counted in the score (3 in all)." in table.output
    rows = json.loads(run(paths, "risk", "helix", "--json").output)
    assert [r["tag"] for r in rows] == ["losses_burn", "layoffs"]  # machine output stays a plain list
    monkeypatch.setattr(engine, "LISTED", 100)
    assert "smaller contributions" not in run(paths, "risk", "helix").output


def test_risk_history_draws_a_sparkline(paths: tuple[Path, Path]) -> None:
    result = run(paths, "risk", "helix", "--history", "--days", "20")
    assert result.exit_code == 0, result.output
    first_line = result.output.splitlines()[0]
    assert first_line.startswith("Helix AI, last 20 days: ")
    bars = first_line.split(": ", 1)[1].split()[0]
    assert len(bars) == 20 and set(bars) <= set(BARS) and bars[0] == BARS[0] and BARS[-1] in bars
    rows = json.loads(run(paths, "risk", "helix", "--history", "--days", "20", "--json").output)
    assert len(rows) == 20
    assert [r["level"] for r in rows[:4]] == ["ok"] * 4
    assert rows[-1]["level"] == "warning" and "warning" in {r["level"] for r in rows}
    assert rows[-1]["date"] == utcnow().date().isoformat()


def test_alerts_and_show_alert_with_its_evidence(paths: tuple[Path, Path]) -> None:
    assert run(paths, "risk").exit_code == 0
    assert run(paths, "risk").exit_code == 0  # unchanged: no second alert, no second event
    alerts = json.loads(run(paths, "alerts", "--json").output)
    assert [(a["provider"], a["status"], a["level"]) for a in alerts] == [("helix", "open", "warning")]
    assert "Helix AI at warning" in alerts[0]["summary"]
    assert json.loads(run(paths, "alerts", "--provider", "northwind", "--json").output) == []
    assert run(paths, "alerts", "--open", "--csv").output.splitlines()[1].startswith(f"{alerts[0]['id']},helix,open")
    assert len(run(paths, "alerts", "--all", "--csv").output.splitlines()) == 2

    shown = run(paths, "show", f"alert:{alerts[0]['id']}", "--json")
    assert shown.exit_code == 0, shown.output
    record = json.loads(shown.output)
    assert record["provider_name"] == "Helix AI" and record["status"] == "open"
    assert [e["kind"] for e in record["events"]] == ["opened"]
    assert len(record["articles"]) == 4 and len(record["stories"]) == 2 and len(record["price_changes"]) == 2
    assert {c["tag"] for c in record["contributions"]} == {"losses_burn", "layoffs", "api_pricing"}
    assert all(a["url"].startswith("https://") for a in record["articles"])
    missing = run(paths, "show", "alert:999")
    assert missing.exit_code == 1 and "no alert with id 999" in missing.output


def test_backtest_command_lists_what_would_have_fired_and_stores_nothing(paths: tuple[Path, Path]) -> None:
    today = utcnow().date()
    start = (today - timedelta(days=30)).isoformat()
    result = run(paths, "backtest", "--from", start, "--to", today.isoformat(), "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [(r["provider"], r["alert"], r["event"], r["level"]) for r in rows] == [
        ("helix", 1, "opened", "watch"), ("helix", 1, "escalated", "warning")]
    opened_day = (utcnow() - timedelta(days=12 - 0.3)).date().isoformat()
    assert rows[0]["at"].startswith(opened_day)
    assert "losses_burn" in rows[0]["evidence"]
    table = run(paths, "backtest", "--from", "30d")
    assert table.exit_code == 0 and "nothing was sent" in table.output.splitlines()[0]
    with Store(paths[1]) as store:
        assert store.rows("select count(*) as n from alerts")[0]["n"] == 0


def test_errors_are_one_line_with_exit_codes(paths: tuple[Path, Path]) -> None:
    unknown = run(paths, "risk", "nobody")
    assert unknown.exit_code == 1 and 'no provider "nobody"' in unknown.output
    assert run(paths, "risk", "--history").exit_code == 2
    assert run(paths, "backtest", "--from", "2026-05-01", "--to", "2026-04-01").exit_code == 2
    assert run(paths, "backtest", "--from", "soon").exit_code == 2
    assert run(paths, "alerts", "--all", "--open").exit_code == 2


def test_rebuild_reclusters_and_falls_back_to_titles_without_the_model(
    paths: tuple[Path, Path], write_config: Callable[..., Path], caplog: pytest.LogCaptureFixture
) -> None:
    from risk_timeline import PROVIDERS

    config = write_config("", base=PROVIDERS + '\n[classifier]\nkind = "keyword"\nmodel_path = "/nonexistent/model"\n')
    with Store(paths[1]) as store:
        before = store.rows("select a.id, s.title from articles a join stories s on s.id = a.story_id order by a.id")
    result = run((config, paths[1]), "risk", "--rebuild", "--json")
    assert result.exit_code == 0, result.output
    assert "titles only" in caplog.text  # the encoder is missing: clustering compared headlines
    with Store(paths[1]) as store:
        after = store.rows("select a.id, s.title from articles a join stories s on s.id = a.story_id order by a.id")
        assert store.rows("select min(id) as first from stories")[0]["first"] > 3  # new stories, same grouping
    assert after == before
