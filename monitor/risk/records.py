"""The risk engine's reads and writes of the database: signals with their evidence, snapshots, alerts.

All SQL of ``monitor/risk`` lives here; the rest of the package works on typed values.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from storage.store import Store
from storage.times import from_iso, to_iso

from .score import SignalRow
from .types import AlertEvent, ProviderRisk

_SIGNALS_SQL = """
    select s.id, s.tag, s.confidence, s.provider, s.provider_score, s.direction, s.published,
           s.article_id, s.incident_id, s.price_change_id,
           a.story_id, a.title as article_title, coalesce(a.link, a.url) as article_url, a.source as article_source,
           i.title as incident_title, i.url as incident_url, i.source as incident_source,
           pc.snapshot_id, pc.source as price_source, pc.model, pc.field, pc.old_value, pc.new_value, pc.percent
    from signals s
    left join articles a on a.id = s.article_id
    left join incidents i on i.id = s.incident_id
    left join price_changes pc on pc.id = s.price_change_id
    where s.provider = ? and s.published >= ? and s.published <= ? and s.tag != 'none'
    order by s.published, s.id
"""


def _price_title(r: dict[str, Any]) -> str:
    old, new, pct = r.get("old_value"), r.get("new_value"), r.get("percent")
    change = f"{old:g} -> {new:g}" if old is not None and new is not None else "changed"
    percent = f" ({pct:+.0f}%)" if pct is not None else ""
    return f"price list: {r.get('model')} {r.get('field')} {change}{percent}"


def load_signals(store: Store, provider: str, since: datetime, until: datetime) -> list[SignalRow]:
    """The signals about ``provider`` published in [since, until], oldest first, with their evidence."""
    out = []
    for r in store.rows(_SIGNALS_SQL, [provider, to_iso(since), to_iso(until)]):
        if r["article_id"] is not None:
            title, url, source = r["article_title"] or "", r["article_url"], r["article_source"]
        elif r["incident_id"] is not None:
            title, url, source = f"status: {r['incident_title']}", r["incident_url"], r["incident_source"]
        elif r["price_change_id"] is not None:
            title, url, source = _price_title(r), None, r["price_source"]
        else:
            title, url, source = "", None, None
        out.append(
            SignalRow(
                id=int(r["id"]),
                tag=r["tag"],
                confidence=float(r["confidence"]),
                provider=r["provider"],
                provider_score=float(r["provider_score"] if r["provider_score"] is not None else 1.0),
                direction=r["direction"] or None,
                published=from_iso(r["published"]),
                article_id=r["article_id"],
                incident_id=r["incident_id"],
                price_change_id=r["price_change_id"],
                story_id=r["story_id"],
                source=source,
                title=title,
                url=url,
                snapshot_id=r["snapshot_id"],
            )
        )
    return out


def previous_level(store: Store, provider: str, before: datetime) -> str | None:
    """The level of ``provider``'s latest snapshot computed strictly before ``before`` (None if there is none)."""
    rows = store.rows(
        "select level from risk_snapshots where provider = ? and computed_at < ? order by computed_at desc, id desc limit 1",
        [provider, to_iso(before)],
    )
    return str(rows[0]["level"]) if rows else None


SNAPSHOT_SPACING = timedelta(hours=1)
"""A provider's latest snapshot is updated in place, not repeated, while its level is unchanged and it is younger
than this: at most one row per provider per hour, plus one per level change, however often the stage runs."""

SNAPSHOT_CONTRIBUTIONS = 20
"""Contributions kept in a snapshot (largest first, without id lists: alerts keep the full evidence)."""


def _snapshot_contributions(risk: ProviderRisk) -> str:
    keep = ("key", "tag", "direction", "contribution", "sources", "published", "title")
    return json.dumps([{k: c.to_dict()[k] for k in keep} for c in risk.contributions[:SNAPSHOT_CONTRIBUTIONS]])


def write_snapshot(store: Store, risk: ProviderRisk) -> None:
    """Store ``risk`` as the provider's snapshot at ``risk.at`` (see :data:`SNAPSHOT_SPACING`)."""
    at = to_iso(risk.at)
    latest = store.rows(
        "select id, computed_at, level from risk_snapshots where provider = ? and computed_at <= ? "
        "order by computed_at desc, id desc limit 1",
        [risk.provider, at],
    )
    values = [at, round(risk.score, 6), risk.level, _snapshot_contributions(risk)]
    if latest and (latest[0]["computed_at"] == at or (
            latest[0]["level"] == risk.level and risk.at - from_iso(latest[0]["computed_at"]) < SNAPSHOT_SPACING)):
        store.db.execute(
            "update risk_snapshots set computed_at = ?, score = ?, level = ?, contributions = ? where id = ?",
            [*values, latest[0]["id"]],
        )
        return
    store.db.execute(
        "insert into risk_snapshots (computed_at, score, level, contributions, provider) values (?, ?, ?, ?, ?)",
        [*values, risk.provider],
    )


def open_alert(store: Store, provider: str) -> dict[str, Any] | None:
    """The open alert of ``provider`` (at most one), with its evidence parsed."""
    rows = store.rows("select * from alerts where provider = ? and status = 'open' order by id desc limit 1", [provider])
    if not rows:
        return None
    row = rows[0]
    row["evidence"] = json.loads(row["evidence"] or "{}")
    return row


def insert_alert(store: Store, provider: str, level: str, score: float, at: datetime, summary: str,
                 evidence: dict[str, Any]) -> int:
    """Open a new alert; return its id."""
    cur = store.db.execute(
        """insert into alerts (provider, status, level, peak_level, score, opened_at, updated_at, resolved_at, summary,
           evidence) values (?, 'open', ?, ?, ?, ?, ?, null, ?, ?)""",
        [provider, level, level, round(score, 6), to_iso(at), to_iso(at), summary, json.dumps(evidence)],
    )
    return int(cur.lastrowid or 0)


def update_alert(store: Store, alert_id: int, **fields: Any) -> None:
    """Set ``fields`` of one alert (``evidence`` is JSON-encoded, datetimes stored as ISO text)."""
    values = {
        k: json.dumps(v) if k == "evidence" else to_iso(v) if isinstance(v, datetime) else v for k, v in fields.items()
    }
    assignments = ", ".join(f"{k} = ?" for k in values)
    store.db.execute(f"update alerts set {assignments} where id = ?", [*values.values(), alert_id])


def insert_event(store: Store, event: AlertEvent) -> int:
    """Append one alert event; return its id."""
    cur = store.db.execute(
        "insert into alert_events (alert_id, kind, level, previous_level, score, at, evidence) values (?, ?, ?, ?, ?, ?, ?)",
        [event.alert_id, event.kind, event.level, event.previous_level, round(event.score, 6), to_iso(event.at),
         json.dumps(event.evidence)],
    )
    return int(cur.lastrowid or 0)


def alert_rows(store: Store, *, status: str | None = None, provider: str | None = None,
               resolved_since: datetime | None = None) -> list[dict[str, Any]]:
    """Alerts, newest first: all, only ``status``, or open ones plus those resolved since ``resolved_since``."""
    where, params = ["1 = 1"], []
    if status is not None:
        where.append("status = ?")
        params.append(status)
    if resolved_since is not None:
        where.append("(status = 'open' or resolved_at >= ?)")
        params.append(to_iso(resolved_since))
    if provider is not None:
        where.append("provider = ?")
        params.append(provider)
    return store.rows(f"select * from alerts where {' and '.join(where)} order by opened_at desc, id desc", params)
