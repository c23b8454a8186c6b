"""Slack delivery through the outbox, against a real HTTP server on 127.0.0.1 standing in for the webhook."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from notify_support import (
    BASE_CONFIG,
    NOW,
    SlackStub,
    add_alert,
    add_article,
    add_event,
    add_signal,
    simple_alert,
)

from monitor.config import Config, load_config
from monitor.notify import FlushReport, Pacer, enqueue_alert_notifications, flush_outbox, outbox
from storage.store import Store


@pytest.fixture
def slack_config(write_config: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, slack: SlackStub
                 ) -> Callable[..., Config]:
    """A config with one catch-all route to ``/all`` (or the given routes TOML), pacing ``interval`` seconds."""

    def make(routes: str | None = None, *, interval: float = 0.0, extra: str = "") -> Config:
        monkeypatch.setenv("HOOK_ALL", slack.url("/all"))
        monkeypatch.setenv("HOOK_CRITICAL", slack.url("/critical"))
        monkeypatch.setenv("HOOK_NORTHWIND", slack.url("/northwind"))
        routes = routes or '[[notify.slack.routes]]\nname = "all"\nwebhook_url_env = "HOOK_ALL"\n'
        text = f"[notify]\nretry_base_seconds = 30\n{extra}\n[notify.slack]\nmin_interval_seconds = {interval}\n{routes}"
        return load_config(write_config(text, base=BASE_CONFIG))

    return make


def flush(config: Config, store: Store, *, now: datetime = NOW, ignore_schedule: bool = False) -> FlushReport:
    """Flush at ``now`` with a fresh pacer (pacing state does not leak between tests)."""
    return flush_outbox(config, store, now=now, pacer=Pacer(), ignore_schedule=ignore_schedule)


def first_evidence(body: dict[str, Any]) -> str:
    """The title of the first evidence link of a message (``1. <url|title> ...``)."""
    line = body["blocks"][-2]["text"]["text"].split("\n")[1]
    return str(line.split("|", 1)[1].split(">", 1)[0])


def deliveries(store: Store) -> list[outbox.Delivery]:
    return [d for d in (outbox.get(store, r["id"]) for r in store.rows("select id from deliveries order by id")) if d]


# --------------------------------------------------------------------------------------------- payload
def test_block_kit_payload_names_provider_levels_score_and_top_three_evidence(store: Store, slack: SlackStub,
                                                                           slack_config: Callable[..., Config]) -> None:
    config = slack_config()
    sigs = []
    for i, (title, conf) in enumerate([("Helix burns $2B <fast> & loud", 0.97), ("Helix CFO leaves", 0.91),
                                       ("Helix delays payments", 0.88), ("Helix blog post", 0.40)]):
        art = add_article(store, title, f"https://news.example/helix/{i}", source="helix-blog")
        sigs.append(add_signal(store, "helix", "losses_burn", conf, article_id=art))
    alert = add_alert(store, "helix", "critical", score=7.4, opened_at=NOW - timedelta(hours=2),
                      summary="Losses and departures at Helix.", evidence={"signals": sigs})
    add_event(store, alert, "escalated", "critical", previous="warning", score=7.4, at=NOW - timedelta(minutes=1),
              evidence={"signals": sigs})

    assert enqueue_alert_notifications(config, store, now=NOW) == 1
    report = flush(config, store)

    assert report.sent == 1 and len(slack.requests) == 1
    req = slack.requests[0]
    assert req.path == "/all" and req.headers["Content-Type"].startswith("application/json")
    body = req.json
    text = body["text"]
    assert "Helix AI" in text and "warning -> critical" in text and "7.40" in text
    assert "https://news.example/helix/0" in text and "https://news.example/helix/2" in text
    assert "https://news.example/helix/3" not in text  # only the top three
    blocks = body["blocks"]
    assert [b["type"] for b in blocks] == ["header", "section", "section", "section", "context"]
    assert blocks[0]["text"] == {"type": "plain_text", "text": "Helix AI: risk escalated to critical", "emoji": True}
    fields = [f["text"] for f in blocks[1]["fields"]]
    assert fields[0] == "*Provider*\nHelix AI"
    assert fields[1] == "*Level*\n:red_circle: warning \u2192 critical"
    assert fields[2] == "*Score*\n7.40"
    assert fields[3].startswith(f"*Alert*\n#{alert}, opened ")
    assert blocks[2]["text"]["text"] == "Losses and departures at Helix."
    evidence = blocks[3]["text"]["text"].split("\n")
    assert evidence[0] == "*Top evidence*"
    assert evidence[1] == ("1. <https://news.example/helix/0|Helix burns $2B &lt;fast&gt; &amp; loud> \u2014 "
                           "_losses_burn, confidence 0.97, helix-blog, 2026-06-15_")
    assert evidence[2].startswith("2. <https://news.example/helix/1|Helix CFO leaves>")
    assert evidence[3].startswith("3. <https://news.example/helix/2|Helix delays payments>")
    assert len(evidence) == 4
    (d,) = deliveries(store)
    assert (d.status, d.attempts, d.sent_at, d.dedupe_key) == ("sent", 1, NOW, f"slack:all:alert_event:{d.payload['event_id']}")


def test_routes_by_level_and_provider(store: Store, slack: SlackStub, slack_config: Callable[..., Config]) -> None:
    config = slack_config(
        """
[[notify.slack.routes]]
name = "critical"
webhook_url_env = "HOOK_CRITICAL"
min_level = "critical"

[[notify.slack.routes]]
name = "everything"
webhook_url_env = "HOOK_ALL"

[[notify.slack.routes]]
name = "northwind-team"
webhook_url_env = "HOOK_NORTHWIND"
min_level = "warning"
providers = ["northwind"]
"""
    )
    t = NOW - timedelta(hours=1)
    simple_alert(store, "helix", level="watch", at=t, title="Helix watch")
    simple_alert(store, "helix", level="critical", previous="watch", kind="escalated", at=t + timedelta(minutes=1),
                 title="Helix critical")
    simple_alert(store, "northwind", level="watch", at=t + timedelta(minutes=2), title="Northwind watch")
    simple_alert(store, "northwind", level="warning", previous="watch", kind="escalated", at=t + timedelta(minutes=3),
                 title="Northwind warning")

    assert enqueue_alert_notifications(config, store, now=NOW) == 6
    flush(config, store)

    got = sorted((r.path, r.json["blocks"][0]["text"]["text"]) for r in slack.requests)
    assert got == [
        ("/all", "Helix AI: risk alert opened at watch"),
        ("/all", "Helix AI: risk escalated to critical"),
        ("/all", "Northwind Models: risk alert opened at watch"),
        ("/all", "Northwind Models: risk escalated to warning"),
        ("/critical", "Helix AI: risk escalated to critical"),
        ("/northwind", "Northwind Models: risk escalated to warning"),
    ]


def test_missing_webhook_variable_is_retried_with_its_name(store: Store, slack_config: Callable[..., Config],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    config = slack_config()
    monkeypatch.delenv("HOOK_ALL")
    simple_alert(store)
    enqueue_alert_notifications(config, store, now=NOW)
    report = flush(config, store)
    (d,) = deliveries(store)
    assert report.retrying == 1 and d.status == "pending"
    assert d.last_error == "environment variable HOOK_ALL (the Slack webhook URL) is not set"
    assert d.next_attempt == NOW + timedelta(seconds=30)


# --------------------------------------------------------------------------------------------- pacing
def test_at_most_one_message_a_second_per_webhook(store: Store, slack: SlackStub,
                                                  slack_config: Callable[..., Config]) -> None:
    config = slack_config(interval=1.0)
    for i in range(3):
        simple_alert(store, level="warning", at=NOW - timedelta(minutes=10 - i), title=f"Helix story {i}")
    assert enqueue_alert_notifications(config, store, now=NOW) == 3

    report = flush(config, store)

    assert report.sent == 3
    times = [r.at for r in slack.requests]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert len(gaps) == 2 and all(g >= 0.9 for g in gaps), gaps
    # sent in the order the events happened
    assert [first_evidence(r.json) for r in slack.requests] == [f"Helix story {i}" for i in range(3)]


def test_webhooks_are_paced_separately(store: Store, slack: SlackStub, slack_config: Callable[..., Config]) -> None:
    config = slack_config(
        """
[[notify.slack.routes]]
name = "helix"
webhook_url_env = "HOOK_ALL"
providers = ["helix"]

[[notify.slack.routes]]
name = "northwind"
webhook_url_env = "HOOK_NORTHWIND"
providers = ["northwind"]
""",
        interval=1.0,
    )
    for i in range(2):
        simple_alert(store, "helix", at=NOW - timedelta(minutes=10 - i), title=f"helix {i}")
    for i in range(2):
        simple_alert(store, "northwind", at=NOW - timedelta(minutes=5 - i), title=f"northwind {i}")
    enqueue_alert_notifications(config, store, now=NOW)

    assert flush(config, store).sent == 4

    # the second webhook does not wait behind the first one's pace: they alternate
    assert [(r.path, first_evidence(r.json)) for r in slack.requests] == [
        ("/all", "helix 0"), ("/northwind", "northwind 0"), ("/all", "helix 1"), ("/northwind", "northwind 1")]
    for path in ("/all", "/northwind"):
        a, b = (r.at for r in slack.requests if r.path == path)
        assert b - a >= 0.9


def test_429_waits_for_retry_after_then_sends_once(store: Store, slack: SlackStub,
                                                   slack_config: Callable[..., Config]) -> None:
    config = slack_config()
    slack.script.append((429, {"Retry-After": "1"}, "rate_limited"))
    simple_alert(store)
    enqueue_alert_notifications(config, store, now=NOW)

    report = flush(config, store)

    # one message, sent after one wait: not also "retrying" (hardening finding 10)
    assert (report.sent, report.retrying, report.rate_limit_waits) == (1, 0, 1)
    first, second = slack.requests
    assert second.at - first.at >= 0.9
    assert first.body == second.body
    (d,) = deliveries(store)
    assert (d.status, d.attempts) == ("sent", 2)
    assert d.last_error == "HTTP 429 rate limited (Retry-After 1s)"


def test_long_retry_after_defers_to_a_later_flush(store: Store, slack: SlackStub,
                                                  slack_config: Callable[..., Config]) -> None:
    config = slack_config()
    slack.script.append((429, {"Retry-After": "120"}, "rate_limited"))
    simple_alert(store, title="first", at=NOW - timedelta(minutes=2))
    simple_alert(store, title="second", at=NOW - timedelta(minutes=1))
    enqueue_alert_notifications(config, store, now=NOW)

    report = flush(config, store)
    assert (report.sent, report.retrying, report.held) == (0, 1, 1)
    first = deliveries(store)[0]
    assert first.next_attempt == NOW + timedelta(seconds=120)

    report = flush(config, store, now=NOW + timedelta(seconds=60))
    assert report.attempted == 0 and report.held == 2  # the second waits behind the first: order is kept
    report = flush(config, store, now=NOW + timedelta(seconds=121))
    assert report.sent == 2
    assert [first_evidence(r.json) for r in slack.requests] == ["first", "first", "second"]


# --------------------------------------------------------------------------------------------- outbox
def test_a_delivered_alert_is_never_sent_again(store: Store, slack: SlackStub,
                                               slack_config: Callable[..., Config]) -> None:
    config = slack_config()
    simple_alert(store)
    assert enqueue_alert_notifications(config, store, now=NOW) == 1
    assert flush(config, store).sent == 1

    assert enqueue_alert_notifications(config, store, now=NOW + timedelta(minutes=1)) == 0
    later = flush(config, store, now=NOW + timedelta(days=1), ignore_schedule=True)

    assert later.attempted == 0 and len(slack.requests) == 1
    with pytest.raises(ValueError, match="already sent"):
        outbox.requeue(store, deliveries(store)[0].id, NOW)


def test_server_down_for_a_while_gets_every_message_once_it_returns(store: Store, slack: SlackStub,
                                                                     slack_config: Callable[..., Config]) -> None:
    config = slack_config()
    port = slack.port
    slack.stop()  # nothing listens on the port now: connection refused
    for i in range(3):
        simple_alert(store, at=NOW - timedelta(minutes=10 - i), title=f"story {i}")
    assert enqueue_alert_notifications(config, store, now=NOW) == 3

    down = flush(config, store)
    assert (down.sent, down.retrying, down.held) == (0, 1, 2)
    first = deliveries(store)[0]
    assert first.attempts == 1 and first.last_error and first.last_error.startswith("network error")
    again = flush(config, store, now=NOW + timedelta(seconds=10))  # before the backoff: nothing is tried
    assert again.attempted == 0 and again.held == 3
    still_down = flush(config, store, now=NOW + timedelta(seconds=31))
    assert still_down.retrying == 1 and deliveries(store)[0].next_attempt == NOW + timedelta(seconds=31 + 60)

    slack.start(port)
    back = flush(config, store, now=NOW + timedelta(hours=1))

    assert back.sent == 3
    assert [first_evidence(r.json) for r in slack.requests] == ["story 0", "story 1", "story 2"]
    assert [d.status for d in deliveries(store)] == ["sent"] * 3
    assert flush(config, store, now=NOW + timedelta(hours=2), ignore_schedule=True).attempted == 0
    assert len(slack.requests) == 3


def test_5xx_is_retried_with_backoff(store: Store, slack: SlackStub, slack_config: Callable[..., Config]) -> None:
    config = slack_config()
    slack.script.extend([(503, {}, "upstream down"), (500, {}, "oops")])
    simple_alert(store)
    enqueue_alert_notifications(config, store, now=NOW)

    assert flush(config, store).retrying == 1
    (d,) = deliveries(store)
    assert (d.attempts, d.next_attempt, d.last_error) == (1, NOW + timedelta(seconds=30), "HTTP 503: upstream down")
    assert flush(config, store, now=NOW + timedelta(seconds=30)).retrying == 1
    (d,) = deliveries(store)
    assert d.next_attempt == NOW + timedelta(seconds=90)  # 30 s, then 60 s
    assert flush(config, store, now=NOW + timedelta(seconds=89)).attempted == 0
    assert flush(config, store, now=NOW + timedelta(seconds=90)).sent == 1
    assert len(slack.requests) == 3


def test_4xx_marks_failed_with_reason_and_the_queue_moves_on(store: Store, slack: SlackStub,
                                                             slack_config: Callable[..., Config]) -> None:
    config = slack_config()
    slack.script.append((404, {}, "no_service"))
    simple_alert(store, title="first", at=NOW - timedelta(minutes=2))
    simple_alert(store, title="second", at=NOW - timedelta(minutes=1))
    enqueue_alert_notifications(config, store, now=NOW)

    report = flush(config, store)

    assert (report.failed, report.sent) == (1, 1)
    first, second = deliveries(store)
    assert (first.status, first.last_error) == ("failed", "HTTP 404: no_service")
    assert second.status == "sent"


def test_gives_up_after_max_attempts_and_can_be_requeued(store: Store, slack: SlackStub,
                                                         slack_config: Callable[..., Config]) -> None:
    config = slack_config(extra="max_attempts = 2")
    slack.script.extend([(500, {}, "down")] * 2)
    simple_alert(store)
    enqueue_alert_notifications(config, store, now=NOW)
    flush(config, store)
    report = flush(config, store, now=NOW + timedelta(minutes=5))
    (d,) = deliveries(store)
    assert report.failed == 1 and d.status == "failed"
    assert d.last_error == "gave up after 2 attempts: HTTP 500: down"

    outbox.requeue(store, d.id, NOW + timedelta(minutes=6))
    assert flush(config, store, now=NOW + timedelta(minutes=6)).sent == 1
    assert len(slack.requests) == 3


def test_crash_between_send_and_mark_resends_later(store: Store, slack: SlackStub,
                                                   slack_config: Callable[..., Config],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The documented duplicate window: the receiver has the message but the process dies before marking it."""
    config = slack_config()
    simple_alert(store)
    enqueue_alert_notifications(config, store, now=NOW)

    def crash(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt("killed")

    with monkeypatch.context() as m, pytest.raises(KeyboardInterrupt):
        m.setattr(outbox, "mark_sent", crash)
        flush(config, store)

    (d,) = deliveries(store)
    assert (d.status, d.attempts, d.next_attempt, d.claimed_at) == ("pending", 1, NOW + outbox.LEASE, NOW)
    # the attempt may still be in flight: neither a flush, a forced flush nor a requeue touches it yet
    assert flush(config, store, now=NOW + timedelta(seconds=30)).attempted == 0
    assert flush(config, store, now=NOW + timedelta(seconds=30), ignore_schedule=True).attempted == 0
    with pytest.raises(RuntimeError, match="being sent right now"):
        outbox.requeue(store, d.id, NOW + timedelta(seconds=30))
    # once the lease has passed, it is sent again: the receiver now has it twice
    assert flush(config, store, now=NOW + outbox.LEASE).sent == 1
    assert len(slack.requests) == 2 and slack.requests[0].body == slack.requests[1].body
    (d,) = deliveries(store)
    assert (d.status, d.attempts, d.claimed_at) == ("sent", 2, None)


def test_old_events_are_not_announced(store: Store, slack: SlackStub, slack_config: Callable[..., Config]) -> None:
    config = slack_config()
    simple_alert(store, at=NOW - timedelta(hours=25), title="old news")
    simple_alert(store, at=NOW - timedelta(hours=23), title="recent news")
    assert enqueue_alert_notifications(config, store, now=NOW) == 1
    (d,) = deliveries(store)
    assert first_evidence(d.payload["message"]) == "recent news"


def test_no_slack_config_queues_nothing(store: Store, write_config: Callable[..., Path]) -> None:
    config = load_config(write_config("", base=BASE_CONFIG))
    simple_alert(store)
    assert enqueue_alert_notifications(config, store, now=NOW) == 0


@pytest.mark.parametrize(("header", "wait"), [("inf", 5.0), ("nan", 5.0), ("1e20", 5.0), ("99999999999", 3600.0)])
def test_hostile_retry_after_is_bounded_not_a_crash(header: str, wait: float, store: Store, slack: SlackStub,
                                                    slack_config: Callable[..., Config]) -> None:
    """A real 429 from the loopback webhook with an absurd Retry-After: the flush goes on, the message waits a
    bounded time and stays in the outbox."""
    config = slack_config()
    slack.script.append((429, {"Retry-After": header}, "rate_limited"))
    simple_alert(store)
    enqueue_alert_notifications(config, store, now=NOW)
    report = flush(config, store)
    sent = 1 if wait <= 5 else 0  # waited out within the flush, or left for a later one
    assert (report.sent, report.retrying, report.rate_limit_waits) == (sent, 1 - sent, sent)
    (d,) = deliveries(store)
    if wait > 5:
        assert d.status == "pending" and d.next_attempt == NOW + timedelta(seconds=wait)
