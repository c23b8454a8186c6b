"""Turn new alert events (written by the risk engine) into Slack messages in the outbox.

Each (route, event) pair becomes one delivery with dedupe key ``slack:{route}:alert_event:{event id}``; the
message is rendered now and stored whole, so a retry sends exactly what was queued. Running this twice enqueues
nothing new. Only events at most ``lookback`` old (24 hours by default) are considered, so adding a route, or
re-running the risk engine over history, does not flood a channel with old news (those alerts remain in
``capwatch alerts`` and in the digest).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from storage.store import Store
from storage.times import to_iso, utcnow

from ..config import Config
from . import outbox
from .evidence import has_evidence, parse_evidence, top_evidence
from .routes import EventFacts, matching_routes
from .slack import AlertEventView, render_alert_message

DEFAULT_LOOKBACK = timedelta(hours=24)


def recent_alert_events(store: Store, since: datetime) -> list[dict[str, Any]]:
    """Alert events at or after ``since`` with their alert's provider, peak level and summary, oldest first.

    The alert's summary describes its latest event only (events have no summary of their own).
    """
    return store.rows(
        """select e.id, e.alert_id, e.kind, e.level, e.previous_level, e.score, e.at, e.evidence,
                  a.provider, a.peak_level, a.summary, a.opened_at, a.evidence as alert_evidence,
                  (select max(id) from alert_events x where x.alert_id = e.alert_id) as latest_event_id
           from alert_events e join alerts a on a.id = e.alert_id
           where e.at >= ? order by e.at, e.id""",
        [to_iso(since)],
    )


def event_view(config: Config, store: Store, row: dict[str, Any]) -> AlertEventView:
    """The Slack view of one event row (its own evidence, else its alert's)."""
    evidence = parse_evidence(row["evidence"])
    if not has_evidence(evidence):
        evidence = parse_evidence(row["alert_evidence"])
    provider = config.providers.get(row["provider"])
    return AlertEventView(
        event_id=int(row["id"]),
        alert_id=int(row["alert_id"]),
        provider=row["provider"],
        provider_name=provider.name if provider else row["provider"],
        kind=row["kind"],
        level=row["level"],
        previous_level=row["previous_level"],
        score=float(row["score"]),
        at=row["at"],
        opened_at=row["opened_at"],
        summary=(row["summary"] or "") if row["id"] == row["latest_event_id"] else "",
        evidence=tuple(top_evidence(store, evidence, 3)),
    )


def alert_dedupe_key(route_name: str, event_id: int) -> str:
    return f"slack:{route_name}:alert_event:{event_id}"


def enqueue_alert_notifications(
    config: Config, store: Store, *, now: datetime | None = None, lookback: timedelta = DEFAULT_LOOKBACK
) -> int:
    """Queue one Slack message per (matching route, recent alert event) not queued before; return how many."""
    slack = config.notify.slack
    if slack is None or not slack.routes:
        return 0
    now = now or utcnow()
    events = recent_alert_events(store, now - lookback)
    wanted: list[tuple[dict[str, Any], list[Any]]] = []
    for row in events:
        facts = EventFacts(
            provider=row["provider"],
            kind=row["kind"],
            level=row["level"],
            previous_level=row["previous_level"],
            peak_level=row["peak_level"],
        )
        routes = matching_routes(slack.routes, facts)
        if routes:
            wanted.append((row, routes))
    known = outbox.existing_keys(store, [alert_dedupe_key(r.name, row["id"]) for row, routes in wanted for r in routes])
    added = 0
    for row, routes in wanted:
        todo = [r for r in routes if alert_dedupe_key(r.name, row["id"]) not in known]
        if not todo:
            continue
        view = event_view(config, store, row)
        message = render_alert_message(view)
        for route in todo:
            payload = {
                "route": route.name,
                "webhook_url_env": route.webhook_url_env,
                "provider": view.provider,
                "alert_id": view.alert_id,
                "event_id": view.event_id,
                "event": view.kind,
                "level": view.level,
                "message": message,
            }
            key = alert_dedupe_key(route.name, view.event_id)
            if outbox.enqueue(store, "slack", route.name, "alert", key, payload, now) is not None:
                added += 1
    return added
