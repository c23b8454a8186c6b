"""``capwatch search`` and ``capwatch show`` over a small database: filters, formats, errors."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from storage.store import ArticleOrg, NewArticle, NewSignal, Store
from storage.times import utcnow


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "q.db"
    now = utcnow()
    with Store(path) as store:
        rows = [
            ("https://e.org/1", "Helix AI burns $230M a month as losses widen", "helix", "losses_burn", 3, "wire"),
            ("https://e.org/2", "Helix Labs cuts 22% of staff", "helix", "layoffs", 20, "ledger"),
            ("https://e.org/3", "Northwind raises $2.1 billion", "northwind", "funding_raise", 40, "wire"),
        ]
        for url, title, provider, tag, days, source in rows:
            when = now - timedelta(days=days)
            art = NewArticle(url=url, title=title, summary="", text=title + " according to people familiar.",
                             published=when, fetched=now, source=source)
            aid, _ = store.add_article(art)
            store.replace_article_signals(aid, [NewSignal(tag, 0.9, when, "test-1", provider=provider, role="subject")],
                                          "test-1", [ArticleOrg(provider, "subject", True, 1.0, True)])
        # an article about Helix that names Northwind, Helix's investor, and OpenAI in passing
        when = now - timedelta(days=1)
        art = NewArticle(url="https://e.org/4", title="Helix AI raises $300M led by Northwind",
                         summary="", text="The round values Helix above OpenAI's 2019 mark.", published=when,
                         fetched=now, source="wire")
        aid, _ = store.add_article(art)
        store.replace_article_signals(
            aid, [NewSignal("funding_raise", 0.9, when, "test-1", provider="helix", role="investee", direction="in")],
            "test-1", [ArticleOrg("helix", "investee", True, 1.0, True), ArticleOrg("northwind", "investor", False, 0.5, True),
                       ArticleOrg("openai", "mention", False, 0.5, False)])
    return path


def run(db: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--db", str(db), *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_search_table_json_csv(db: Path) -> None:
    assert "losses widen" in run(db, "search", "losses")
    rows = json.loads(run(db, "search", "helix", "--json"))
    assert [r["id"] for r in rows] == [4, 1, 2]
    rows = rows[1:]
    assert rows[0]["tags"] == "losses_burn" and rows[0]["providers"] == "helix"
    parsed = list(csv.DictReader(io.StringIO(run(db, "search", "--about", "northwind", "--csv"))))
    assert [r["title"] for r in parsed] == ["Northwind raises $2.1 billion"]


def test_search_filters(db: Path) -> None:
    ids = lambda *a: [r["id"] for r in json.loads(run(db, "search", *a, "--json"))]  # noqa: E731
    assert ids("--since", "7d") == [4, 1]
    assert ids("--until", "7d") == [2, 3]
    assert ids("--tag", "layoffs") == [2]
    assert ids("--source", "wire") == [4, 1, 3]
    assert ids("--limit", "1") == [4]
    assert ids('"cash" OR losses', "--provider", "helix") == [1]


def test_search_provider_means_named_about_means_subject(db: Path) -> None:
    ids = lambda *a: [r["id"] for r in json.loads(run(db, "search", *a, "--json"))]  # noqa: E731
    assert ids("--provider", "northwind") == [4, 3]  # named as the investor, and its own raise
    assert ids("--about", "northwind") == [3]
    assert ids("--provider", "openai") == [4]
    assert ids("--about", "openai") == []
    assert ids("--about", "helix", "--tag", "funding_raise") == [4]
    assert ids("--provider", "northwind", "--tag", "funding_raise") == [4, 3]


def test_orgs_lists_recent_signals(db: Path, write_config) -> None:
    config = str(write_config())
    rows = json.loads(run(db, "--config", config, "orgs", "--days", "30", "--json"))
    assert [r["org"] for r in rows] == ["helix"]  # Northwind's raise is 40 days old
    helix = rows[0]
    assert (helix["signals"], helix["articles"], helix["watched"], helix["name"]) == (3, 3, True, "Helix AI")
    assert helix["tags"] == {"funding_raise": 1, "layoffs": 1, "losses_burn": 1}
    rows = json.loads(run(db, "--config", config, "orgs", "--days", "60", "--json"))
    northwind = next(r for r in rows if r["org"] == "northwind")
    assert (northwind["signals"], northwind["mentioned_in"]) == (1, 2)
    table = run(db, "--config", config, "orgs", "--days", "60")
    assert "Helix AI" in table and "funding_raise: 1" in table


def test_search_bad_input_is_a_clean_error(db: Path) -> None:
    result = CliRunner().invoke(cli, ["--db", str(db), "search", "--since", "yesterday-ish"])
    assert result.exit_code == 2 and "expected a duration" in result.output
    result = CliRunner().invoke(cli, ["--db", str(db), "search", 'AND "unbalanced'])
    assert result.exit_code == 1 and "bad search query" in result.output and "Traceback" not in result.output


def test_show_article(db: Path) -> None:
    out = run(db, "show", "1")
    assert "Helix AI burns" in out and "losses_burn" in out
    record = json.loads(run(db, "show", "article:2", "--json"))
    assert record["signals"][0]["tag"] == "layoffs" and record["sources"] == ["ledger"]


def test_show_unknown_ids(db: Path) -> None:
    result = CliRunner().invoke(cli, ["--db", str(db), "show", "99"])
    assert result.exit_code == 1 and "no article with id 99" in result.output
    result = CliRunner().invoke(cli, ["--db", str(db), "show", "banana:1"])
    assert result.exit_code == 2


@pytest.mark.parametrize(
    "args",
    [
        ["show", "alert:99999999999999999999"],
        ["show", "99999999999999999999"],
        ["show", "story:99999999999999999999"],
        ["deliveries", "--retry", "99999999999999999999"],
        ["backtest", "--from", "0001-01-01"],
        ["backtest", "--from", "1000000d"],
        ["backtest", "--from", "90d", "--to", "9999-12-31"],
    ],
)
def test_absurd_numbers_and_dates_are_usage_errors(db: Path, write_config, args: list[str]) -> None:
    """Hardening finding 9: each of these ended in a traceback (OverflowError)."""
    result = CliRunner().invoke(cli, ["--config", str(write_config()), "--db", str(db), *args])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
