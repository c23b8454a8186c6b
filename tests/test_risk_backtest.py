"""Backtest: replaying stored evidence lists the alerts that would have fired, when they would have, and writes
nothing but stories."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from importlib import resources

import pytest
from risk_timeline import day, risk_config, troubled

from monitor.pipeline import classify_articles
from monitor.risk import no_embedding, provider_risk_at, update_risk
from monitor.risk.backtest import run_backtest
from storage.store import NewArticle, Store
from storage.times import to_iso, utcnow

WRITTEN = ("alerts", "alert_events", "risk_snapshots", "deliveries")


def _counts(store: Store) -> dict[str, int]:
    return {t: int(store.db.execute(f"select count(*) from {t}").fetchone()[0]) for t in WRITTEN}


def test_backtest_lists_each_alert_event_when_its_evidence_crossed(store: Store) -> None:
    config = risk_config()
    ids = troubled(store)
    result = run_backtest(config, store, day(-5), day(100), embed=no_embedding)
    events = [(e.at, e.provider, e.alert, e.kind, e.level, e.previous_level) for e in result.events]
    assert events[:2] == [
        (day(0.3), "helix", 1, "opened", "watch", None),  # the second outlet's losses report
        (day(10), "helix", 1, "escalated", "warning", "watch"),  # the price list change
    ]
    assert [e[3] for e in events[2:]] == ["deescalated", "resolved"]
    resolved = result.events[-1]
    assert resolved.at.time().isoformat() == "00:00:00" and day(35) < resolved.at < day(70)
    escalated = result.events[1]
    assert {c.tag for c in escalated.top} == {"losses_burn", "layoffs", "api_pricing"}
    assert escalated.top[0].article_ids or escalated.top[0].price_change_ids
    assert result.articles == 4 and result.signals == 6
    # nothing stored or queued: no alert, no snapshot, no delivery; the articles were clustered
    assert _counts(store) == dict.fromkeys(WRITTEN, 0)
    assert store.rows("select count(*) as n from articles where story_id is null")[0]["n"] == 0
    assert len(ids["losses"]) == 2


def test_backtest_agrees_with_the_live_stage(store: Store) -> None:
    config = risk_config()
    troubled(store)
    replay = run_backtest(config, store, day(-1), day(30), embed=no_embedding)
    live = []
    for hour in range(0, 30 * 24, 6):
        report = update_risk(config, store, now=day(-1) + timedelta(hours=hour), embed=no_embedding)
        live += [(e.kind, e.level) for e in report.events]
    assert [(e.kind, e.level) for e in replay.events] == live


def test_backtest_window_and_provider_filter(store: Store) -> None:
    config = risk_config()
    troubled(store)
    before = run_backtest(config, store, day(-30), day(-1), embed=no_embedding)
    assert before.events == [] and before.articles == 0
    # started while Helix was already at warning: the replay opens the alert at its start
    inside = run_backtest(config, store, day(12), day(14), embed=no_embedding)
    assert [(e.at, e.kind, e.level) for e in inside.events] == [(day(12), "opened", "warning")]
    other = run_backtest(config, store, day(-5), day(100), providers=["northwind"], embed=no_embedding)
    assert other.events == []
    with pytest.raises(ValueError):
        run_backtest(config, store, day(5), day(5), embed=no_embedding)


def _load_demo_articles(store: Store) -> None:
    """The demo's articles (monitor/demo/data/articles.json), dated relative to now, as the crawler would store them."""
    data = json.loads(resources.files("monitor.demo").joinpath("data/articles.json").read_text(encoding="utf-8"))
    now = utcnow()
    for item in data:
        published = now - timedelta(days=float(item["days_ago"]))
        store.add_article(NewArticle(
            url=f"http://127.0.0.1/{item['outlet']}/articles/{item['id']}", title=item["title"],
            summary=item.get("summary", ""), text=item.get("body", ""), published=published, fetched=published,
            source=item["outlet"],
        ))


def test_backtest_over_the_demo_articles_opens_the_troubled_provider_on_the_crossing_day(store: Store) -> None:
    from monitor.config import parse_config
    from monitor.demo.runner import DEMO_PROVIDERS

    demo = parse_config(DEMO_PROVIDERS + '\n[classifier]\nkind = "keyword"\n', "sources.toml")
    _load_demo_articles(store)
    classify_articles(demo, store, kind="keyword")
    now = utcnow()
    start = now - timedelta(days=60)
    result = run_backtest(demo, store, start, now, embed=no_embedding)
    opened = [e for e in result.events if e.kind == "opened"]
    assert [e.provider for e in opened] == ["helix"]
    assert {e.provider for e in result.events} == {"helix"}  # the healthy providers never leave ok
    crossing = opened[0]
    watch = demo.risk.thresholds["watch"]
    assert provider_risk_at(demo, store, "helix", crossing.at).score >= watch
    # ...and at no earlier moment a signal arrived did the score reach the threshold
    earlier = {r["published"] for r in store.rows(
        "select published from signals where provider = 'helix' and published >= ? and published < ?",
        [to_iso(start), to_iso(crossing.at)])}
    assert earlier
    assert all(provider_risk_at(demo, store, "helix", datetime.fromisoformat(t)).score < watch for t in earlier)
    assert _counts(store) == dict.fromkeys(WRITTEN, 0)
