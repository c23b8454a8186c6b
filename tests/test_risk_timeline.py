"""Constructed timelines through the whole risk stage (``update_risk``): levels, alert lifecycle and evidence."""

from __future__ import annotations

import json
from datetime import timedelta

from risk_timeline import Timeline, day, risk_config, troubled

from monitor.config import Config
from monitor.risk import no_embedding, provider_risk_at, update_risk
from monitor.risk.records import alert_rows
from storage.store import Store


def _run_daily(config: Config, store: Store, days: range) -> list[tuple[int, str, str, float]]:
    """Run the stage at noon each day; return (day, kind, level, score) of every event."""
    events = []
    for n in days:
        report = update_risk(config, store, now=day(n).replace(hour=12), embed=no_embedding)
        events += [(n, e.kind, e.level, e.score) for e in report.events]
    return events


def test_losses_layoffs_and_price_rise_reach_warning_then_resolve_after_quiet_weeks(store: Store) -> None:
    config = risk_config()
    ids = troubled(store)
    events = _run_daily(config, store, range(0, 100))

    kinds = [(n, kind, level) for n, kind, level, _ in events]
    # day 0 (noon): one outlet's losses report alone stays below watch; the second outlet's (day 0.3) lifts it
    assert kinds[0] == (1, "opened", "watch")
    assert (10, "escalated", "warning") in kinds
    assert [k for _, k, _ in kinds] == ["opened", "escalated", "deescalated", "resolved"]
    resolved_day = kinds[-1][0]
    assert 35 <= resolved_day <= 70, kinds  # weeks of quiet, not days and not months

    # one alert for the whole episode, resolved, peak warning, with its evidence
    alerts = store.rows("select * from alerts")
    assert len(alerts) == 1
    alert = alerts[0]
    assert (alert["status"], alert["peak_level"], alert["level"]) == ("resolved", "warning", "ok")
    assert alert["summary"].startswith("Helix AI back to ok (score ") and alert["summary"].endswith("peaking at warning")
    assert alert["resolved_at"] == day(resolved_day).replace(hour=12).isoformat()
    recent = alert_rows(store, resolved_since=day(resolved_day - 3))
    assert [a["id"] for a in recent] == [alert["id"]]
    assert alert_rows(store, resolved_since=day(resolved_day + 1)) == []
    assert alert_rows(store, status="open") == []
    evidence = json.loads(alert["evidence"])
    assert set(ids["losses"]) | set(ids["layoffs"]) <= set(evidence["articles"])
    assert set(ids["prices"]) <= set(evidence["price_changes"])
    assert len(evidence["stories"]) == 2
    escalated = store.rows("select * from alert_events where kind = 'escalated'")[0]
    tags = {c["tag"] for c in json.loads(escalated["evidence"])["contributions"]}
    assert tags == {"losses_burn", "layoffs", "api_pricing"}
    assert escalated["previous_level"] == "watch" and escalated["level"] == "warning"

    # the healthy provider never moved
    assert store.rows("select count(*) as n from alerts where provider = 'northwind'")[0]["n"] == 0
    assert store.rows("select distinct level from risk_snapshots where provider = 'northwind'") == [{"level": "ok"}]


def test_unchanged_state_is_idempotent(store: Store) -> None:
    config = risk_config()
    troubled(store)
    now = day(11)
    first = update_risk(config, store, now=now, embed=no_embedding)
    assert [e.kind for e in first.events] == ["opened"]
    second = update_risk(config, store, now=now, embed=no_embedding)
    third = update_risk(config, store, now=day(11.5), embed=no_embedding)
    assert second.events == [] and third.events == []
    assert store.rows("select count(*) as n from alert_events")[0]["n"] == 1
    snapshots = store.rows("select provider, count(*) as n from risk_snapshots group by provider")
    assert {r["provider"]: r["n"] for r in snapshots} == {"helix": 2, "northwind": 2}
    assert first.providers[0].score == second.providers[0].score


def test_every_provider_is_reported_and_unattributed_signals_are_ignored(store: Store) -> None:
    config = risk_config()
    t = Timeline(store)
    t.article("Unnamed AI startup runs out of cash", 0, tags={"losses_burn": 0.99}, provider=None)
    report = update_risk(config, store, now=day(1), embed=no_embedding)
    assert {(p.provider, p.name, p.level, p.score) for p in report.providers} == {
        ("helix", "Helix AI", "ok", 0.0), ("northwind", "Northwind Models", "ok", 0.0)}
    assert report.events == []
    assert report.articles_clustered == 1 and report.stories_created == 1


def test_funding_raise_lowers_risk(store: Store) -> None:
    config = risk_config()
    t = Timeline(store)
    t.article("Helix AI lost $1.4 billion last year", 0, tags={"losses_burn": 0.9}, source="wire")
    t.article("Helix AI cuts 200 jobs", 1, tags={"layoffs": 0.9}, source="ledger")
    before = provider_risk_at(config, store, "helix", day(3))
    t.article("Helix AI raises $2 billion led by Sequoia", 2, tags={"funding_raise": 0.95}, direction="in")
    after = provider_risk_at(config, store, "helix", day(3))
    assert before.level == "watch" and before.score > 3
    assert after.score < before.score - 1.0
    assert after.level == "ok"
    funding = next(c for c in after.contributions if c.tag == "funding_raise")
    assert funding.contribution < 0 and funding in after.top
    # money leaving (a round falling through) is the opposite signal
    t.article("Helix AI funding talks collapse as investors pull out", 2.5, tags={"funding_raise": 0.95},
              direction="out")
    collapsed = provider_risk_at(config, store, "helix", day(3))
    assert collapsed.score > after.score + 1.0


def test_outage_effect_decays_within_days(store: Store) -> None:
    config = risk_config()
    t = Timeline(store)
    t.incident("Elevated error rates on the API", 0)
    t.article("Helix AI suffers hours-long API outage", 0.1, tags={"outage": 0.9}, source="wire")
    fresh = provider_risk_at(config, store, "helix", day(0.2))
    assert len(fresh.contributions) == 1  # the news about the incident is folded into the status record
    outage = fresh.contributions[0]
    assert outage.tag == "outage" and outage.sources == 2 and outage.incident_ids and outage.article_ids
    later = [provider_risk_at(config, store, "helix", day(n)).score for n in (2, 4, 7, 14)]
    assert later[0] < fresh.score * 0.55
    assert later[2] < fresh.score * 0.1
    assert later[3] < 0.01
    assert all(a > b for a, b in zip(later, later[1:], strict=False))
    # a lone outage never raises a level on its own
    assert fresh.level == "ok"


def test_one_alert_steps_down_and_back_up_without_reopening(store: Store) -> None:
    config = risk_config()
    t = Timeline(store)
    for source in ("wire", "ledger"):
        t.article(f"Helix AI lost $1.4 billion last year ({source})", 0, tags={"losses_burn": 0.95}, source=source)
        t.article(f"Helix AI lays off 40% of staff ({source})", 1, tags={"layoffs": 0.95}, source=source)
        t.article(f"Helix AI misses payments to GPU suppliers ({source})", 25, tags={"losses_burn": 0.95},
                  source=source)
    events = [(n, k, lvl) for n, k, lvl, _ in _run_daily(config, store, range(0, 30))]
    assert events == [(0, "opened", "watch"), (1, "escalated", "warning"), (11, "deescalated", "watch"),
                      (25, "escalated", "warning")]
    alerts = store.rows("select * from alerts")
    assert len(alerts) == 1 and alerts[0]["status"] == "open" and alerts[0]["level"] == "warning"
    history = store.rows("select kind, level, previous_level from alert_events order by id")
    assert [(h["kind"], h["previous_level"]) for h in history] == [
        ("opened", None), ("escalated", "watch"), ("deescalated", "warning"), ("escalated", "watch")]


def test_frequent_runs_keep_one_snapshot_per_hour_unless_the_level_changes(store: Store) -> None:
    config = risk_config()
    troubled(store)
    for minutes in range(0, 60, 5):  # twelve runs within an hour, Helix at watch throughout
        update_risk(config, store, now=day(9) + timedelta(minutes=minutes), embed=no_embedding)
    update_risk(config, store, now=day(10), embed=no_embedding)  # the price rise: warning, a new row at once
    update_risk(config, store, now=day(10) + timedelta(minutes=5), embed=no_embedding)
    rows = store.rows("select computed_at, level, contributions from risk_snapshots where provider = 'helix' "
                      "order by computed_at")
    assert [(r["computed_at"], r["level"]) for r in rows] == [
        ((day(9) + timedelta(minutes=55)).isoformat(), "watch"),
        ((day(10) + timedelta(minutes=5)).isoformat(), "warning"),
    ]
    kept = json.loads(rows[-1]["contributions"])
    assert [c["tag"] for c in kept] == ["losses_burn", "layoffs", "api_pricing"]
    assert set(kept[0]) == {"key", "tag", "direction", "contribution", "sources", "published", "title"}
