"""Alert lifecycle: one alert per provider episode, with events as its level moves.

* ``opened`` when a provider without an open alert rises above ok;
* ``escalated`` / ``deescalated`` when the open alert's provider moves to a higher / lower level above ok;
* ``resolved`` when it falls back to ok (after hysteresis, see :mod:`monitor.risk.levels`).

An unchanged level produces nothing, so running the stage again never repeats an alert. Each alert and each event
stores its evidence: the contributions behind the score and the ids of the signals, stories, articles, incidents
and price changes that raised it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any

from storage.store import Store
from storage.times import to_iso

from . import records
from .levels import level_rank
from .types import AlertEvent, Contribution, ProviderRisk

EVIDENCE_CONTRIBUTIONS = 15
"""How many contributions (largest first) an alert's evidence keeps."""

ID_FIELDS = ("signals", "stories", "articles", "incidents", "price_changes")


def transition(open_level: str | None, level: str) -> str | None:
    """The event that moving to ``level`` causes, given the open alert's level (None: no open alert)."""
    if open_level is None:
        return "opened" if level_rank(level) > 0 else None
    if level_rank(level) == 0:
        return "resolved"
    if level_rank(level) > level_rank(open_level):
        return "escalated"
    if level_rank(level) < level_rank(open_level):
        return "deescalated"
    return None


def evidence_ids(contributions: Iterable[Contribution]) -> dict[str, list[int]]:
    """The ids of what raised the score: signals, stories, articles, incidents, price changes of the positive
    contributions given (an alert gives the listed ones: at most ``LISTED``, however many make up the score)."""
    ids: dict[str, set[int]] = {k: set() for k in ID_FIELDS}
    for c in contributions:
        if c.contribution <= 0:
            continue
        ids["signals"].update(c.signal_ids)
        if c.story_id is not None:
            ids["stories"].add(c.story_id)
        ids["articles"].update(c.article_ids)
        ids["incidents"].update(c.incident_ids)
        ids["price_changes"].update(c.price_change_ids)
    return {k: sorted(v) for k, v in ids.items()}


def evidence_for(risk: ProviderRisk, thresholds: dict[str, float]) -> dict[str, Any]:
    """The evidence of ``risk``: score, level, thresholds, the largest contributions, the ids behind the listed
    ones and how many contributions make up the score (``counted``)."""
    kept = risk.contributions[:EVIDENCE_CONTRIBUTIONS]
    return {
        "provider_name": risk.name,
        "at": to_iso(risk.at),
        "score": round(risk.score, 4),
        "level": risk.level,
        "change_7d": round(risk.change_7d, 4),
        "thresholds": dict(thresholds),
        "counted": risk.counted,
        "contributions": [c.to_dict() for c in kept],
        **evidence_ids(risk.contributions),
    }


def merge_evidence(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """``new`` evidence, with the id lists joined to ``old``'s so nothing that made the alert is forgotten."""
    merged = dict(new)
    for key in ID_FIELDS:
        merged[key] = sorted(set(old.get(key, [])) | set(new.get(key, [])))
    return merged


def summary_for(risk: ProviderRisk, kind: str) -> str:
    """One line saying what happened and why: the level, the score and the three largest risk-raising items.

    The alert row keeps the summary of its latest event.
    """
    if kind == "resolved":
        return f"{risk.name} back to ok (score {risk.score:.2f})"
    raising = [c for c in risk.contributions if c.contribution > 0][:3]
    why = "; ".join(f"{c.tag} {c.contribution:+.2f}: {c.title}" for c in raising)
    verb = {"opened": "at", "escalated": "up to", "deescalated": "down to"}[kind]
    return f"{risk.name} {verb} {risk.level} (score {risk.score:.2f}) — {why}" if why else (
        f"{risk.name} {verb} {risk.level} (score {risk.score:.2f})")


def advance(store: Store, risk: ProviderRisk, thresholds: dict[str, float], at: datetime) -> AlertEvent | None:
    """Apply ``risk`` to the provider's alert (open, escalate, deescalate or resolve it); return the event, if any.

    Call inside a transaction.
    """
    current = records.open_alert(store, risk.provider)
    kind = transition(current["level"] if current else None, risk.level)
    if kind is None:
        return None
    evidence = evidence_for(risk, thresholds)
    summary = summary_for(risk, kind)
    previous = current["level"] if current else None
    if current is None:
        alert_id = records.insert_alert(store, risk.provider, risk.level, risk.score, at, summary, evidence)
    else:
        alert_id = int(current["id"])
        fields: dict[str, Any] = {"level": risk.level, "score": round(risk.score, 6), "updated_at": at,
                                  "evidence": merge_evidence(current["evidence"], evidence)}
        if kind == "resolved":
            summary = f"{summary} after peaking at {current['peak_level']}"
            fields.update(status="resolved", resolved_at=at)
        fields["summary"] = summary
        if level_rank(risk.level) > level_rank(current["peak_level"]):
            fields["peak_level"] = risk.level
        records.update_alert(store, alert_id, **fields)
    event = AlertEvent(alert_id=alert_id, event_id=0, provider=risk.provider, kind=kind, level=risk.level,
                       previous_level=previous, score=risk.score, at=at, summary=summary, evidence=evidence)
    event_id = records.insert_event(store, event)
    return replace(event, event_id=event_id)
