"""Routing rules, evidence ranking and small parsing rules of the delivery package."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from notify_support import BASE_CONFIG, NOW, add_alert, add_article, add_event, add_signal, insert, iso

from monitor.config import SlackRoute, parse_config
from monitor.notify.alerts import event_view, recent_alert_events
from monitor.notify.evidence import parse_evidence, top_evidence
from monitor.notify.outbox import backoff
from monitor.notify.routes import EventFacts, route_matches
from monitor.notify.slack import retry_after_seconds
from storage.store import Store

CRITICAL = SlackRoute(name="critical", webhook_url_env="A", min_level="critical")
EVERYTHING = SlackRoute(name="all", webhook_url_env="B", min_level="watch")
HELIX_ONLY = SlackRoute(name="helix", webhook_url_env="C", min_level="warning", providers=("helix",))


@pytest.mark.parametrize(
    ("kind", "level", "previous", "peak", "expected"),
    [
        ("opened", "watch", None, "watch", {"all"}),
        ("opened", "critical", None, "critical", {"all", "critical", "helix"}),
        ("escalated", "warning", "watch", "warning", {"all", "helix"}),
        ("escalated", "critical", "warning", "critical", {"all", "critical", "helix"}),
        # stepping down from a level a route was told about: it hears of it
        ("deescalated", "warning", "critical", "critical", {"all", "critical", "helix"}),
        ("deescalated", "watch", "warning", "critical", {"all", "helix"}),
        # resolution goes to every route that heard of the alert (its peak reached the route's level)
        ("resolved", "ok", "watch", "critical", {"all", "critical", "helix"}),
        ("resolved", "ok", "watch", "watch", {"all"}),
    ],
)
def test_route_matches(kind: str, level: str, previous: str | None, peak: str, expected: set[str]) -> None:
    event = EventFacts(provider="helix", kind=kind, level=level, previous_level=previous, peak_level=peak)
    assert {r.name for r in (CRITICAL, EVERYTHING, HELIX_ONLY) if route_matches(r, event)} == expected


def test_provider_filter() -> None:
    event = EventFacts(provider="northwind", kind="opened", level="critical", previous_level=None, peak_level="critical")
    assert not route_matches(HELIX_ONLY, event) and route_matches(CRITICAL, event)


def test_evidence_prefers_the_engines_largest_contributions(store: Store) -> None:
    """The risk engine's evidence format: contributions largest first, plus id lists."""
    art = add_article(store, "Helix lays off 30%", "https://news.example/layoffs")
    sig = add_signal(store, "helix", "layoffs", 0.99, article_id=art)
    evidence = {
        "contributions": [
            {"key": "story:1", "tag": "losses_burn", "contribution": 2.4, "title": "Helix burn rate doubles",
             "url": "https://news.example/burn", "sources": 3, "published": "2026-06-14T10:00:00+00:00"},
            {"key": "story:2", "tag": "funding_raise", "contribution": -1.5, "title": "Helix raises $1B",
             "url": "https://news.example/raise", "sources": 1, "published": "2026-06-13T10:00:00+00:00"},
            {"key": "story:3", "tag": "leadership_change", "contribution": 3.1, "title": "Helix CEO out",
             "url": "https://news.example/ceo", "sources": 1, "published": "2026-06-15T06:00:00+00:00"},
        ],
        "signals": [sig],
    }
    items = top_evidence(store, evidence, 3)
    assert [(i.title, i.detail) for i in items] == [
        ("Helix CEO out", "risk +3.10"),
        ("Helix burn rate doubles", "risk +2.40, 3 sources"),
        ("Helix lays off 30%", "confidence 0.99"),  # risk-lowering contributions are not evidence of risk
    ]


def test_evidence_falls_back_to_articles_and_stories(store: Store) -> None:
    insert(store, "stories", {"id": 7, "title": "s", "first_published": iso(NOW), "last_published": iso(NOW)})
    a1 = add_article(store, "Lone article", "https://news.example/lone", published=NOW - timedelta(hours=1))
    a2 = add_article(store, "Story member", "https://news.example/member", published=NOW)
    store.db.execute("update articles set story_id = 7 where id = ?", [a2])
    store.db.conn.commit()
    items = top_evidence(store, parse_evidence(json.dumps({"articles": [a1], "stories": [7]})), 3)
    assert [i.url for i in items] == ["https://news.example/member", "https://news.example/lone"]
    assert parse_evidence("not json") == {} and parse_evidence("[1, 2]") == {}


def test_event_without_evidence_uses_its_alerts(store: Store) -> None:
    art = add_article(store, "Alert-level evidence", "https://news.example/alert")
    sig = add_signal(store, "helix", "losses_burn", 0.8, article_id=art)
    alert = add_alert(store, "helix", "watch", score=2.0, evidence={"signals": [sig]})
    add_event(store, alert, "opened", "watch", at=NOW)
    (row,) = recent_alert_events(store, NOW - timedelta(hours=1))
    view = event_view(parse_config(BASE_CONFIG), store, row)
    assert [(i.title, i.url) for i in view.evidence] == [("Alert-level evidence", "https://news.example/alert")]
    assert view.provider_name == "Helix AI" and view.level_change == "ok \u2192 watch"


def test_retry_after_forms() -> None:
    assert retry_after_seconds("3") == 3.0
    assert retry_after_seconds("0.5") == 0.5
    now = datetime(2026, 6, 15, 7, 0, tzinfo=UTC)
    assert retry_after_seconds("Mon, 15 Jun 2026 07:00:30 GMT", now) == 30.0
    assert retry_after_seconds(None) == 5.0 and retry_after_seconds("soon") == 5.0
    assert retry_after_seconds("-4") == 0.0


def test_backoff_doubles_up_to_an_hour() -> None:
    assert [backoff(n, 30).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff(12, 30) == timedelta(hours=1)


@pytest.mark.parametrize("url", ["ftp://hooks.example/secret-token", "http://127.0.0.1:99999/secret-token"])
def test_a_bad_webhook_url_is_reported_without_quoting_it(url: str) -> None:
    from monitor.notify.errors import RetryableError
    from monitor.notify.slack import post_message

    with pytest.raises(RetryableError) as info:
        post_message(url, {"text": "x"})
    assert "secret-token" not in info.value.reason


def test_a_claim_is_taken_by_one_process_only(tmp_path: Path) -> None:
    """Two connections (two processes) race for one delivery: only the first claim wins."""
    from monitor.notify import outbox

    with Store(tmp_path / "race.db") as one, Store(tmp_path / "race.db") as two:
        delivery_id = outbox.enqueue(one, "slack", "all", "alert", "k", {"message": {}}, NOW)
        assert delivery_id is not None
        seen_by_one, seen_by_two = outbox.get(one, delivery_id), outbox.get(two, delivery_id)
        assert seen_by_one is not None and seen_by_two is not None
        assert outbox.claim(one, seen_by_one, NOW, NOW + timedelta(seconds=30))
        assert not outbox.claim(two, seen_by_two, NOW, NOW + timedelta(seconds=30))
        claimed = outbox.get(two, delivery_id)
        assert claimed is not None and claimed.attempts == 1 and claimed.next_attempt == NOW + outbox.LEASE


def test_hostile_retry_after_values() -> None:
    from monitor.httpnumbers import header_seconds
    from monitor.notify.slack import MAX_RETRY_AFTER

    for bad in ("inf", "nan", "1e20", "-inf", "Infinity"):
        assert retry_after_seconds(bad) == 5.0  # not a number a server may send: the default wait
    assert retry_after_seconds("99999999999") == MAX_RETRY_AFTER
    assert retry_after_seconds("9" * 40) == MAX_RETRY_AFTER
    assert header_seconds("9" * 40, cap=60.0) == 60.0
    assert header_seconds("0", cap=60.0) is None and header_seconds("", cap=60.0) is None
    assert header_seconds("Fri, 31 Dec 9999 23:59:59 GMT", cap=60.0) == 60.0
