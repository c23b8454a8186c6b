"""Records for ``capwatch show alert:ID`` and ``show story:ID``: the alert or story with everything behind it."""

from __future__ import annotations

import json
from typing import Any

from monitor.errors import NotFoundError
from storage.store import Store


def _marks(ids: list[int]) -> str:
    return ",".join("?" * len(ids))


def _articles(store: Store, ids: list[int]) -> list[dict[str, Any]]:
    if not ids:
        return []
    return store.rows(
        f"""select id, published, source, title, coalesce(link, url) as url, story_id from articles
            where id in ({_marks(ids)}) order by published, id""",
        ids,
    )


def _stories(store: Store, ids: list[int]) -> list[dict[str, Any]]:
    if not ids:
        return []
    return store.rows(
        f"""select id, title, first_published, last_published, article_count, source_count from stories
            where id in ({_marks(ids)}) order by first_published, id""",
        ids,
    )


def describe_alert(store: Store, alert_id: int) -> dict[str, Any]:
    """The alert ``alert_id`` with its events, the contributions behind its score and the stories, articles,
    incidents, price changes and signals that raised it. Raises NotFoundError for an unknown id."""
    rows = store.rows("select * from alerts where id = ?", [alert_id])
    if not rows:
        raise NotFoundError(f"no alert with id {alert_id}")
    alert = rows[0]
    evidence: dict[str, Any] = json.loads(alert.pop("evidence") or "{}")
    out: dict[str, Any] = {"id": alert["id"], "provider": alert["provider"],
                           "provider_name": evidence.get("provider_name", alert["provider"])}
    out.update({k: v for k, v in alert.items() if k not in out})
    out["score"] = round(float(alert["score"]), 3)
    out["thresholds"] = evidence.get("thresholds", {})
    out["contributions"] = [
        {k: c.get(k) for k in ("tag", "direction", "contribution", "sources", "published", "title", "story_id", "key")}
        for c in evidence.get("contributions", [])
    ]
    out["events"] = [
        {"at": e["at"], "kind": e["kind"], "level": e["level"], "previous_level": e["previous_level"],
         "score": round(float(e["score"]), 2)}
        for e in store.rows("select * from alert_events where alert_id = ? order by id", [alert_id])
    ]
    out["stories"] = _stories(store, list(evidence.get("stories", [])))
    out["articles"] = _articles(store, list(evidence.get("articles", [])))
    incidents = list(evidence.get("incidents", []))
    out["incidents"] = store.rows(
        f"select id, source, title, impact, started, resolved, url from incidents where id in ({_marks(incidents)}) "
        "order by started", incidents) if incidents else []
    changes = list(evidence.get("price_changes", []))
    out["price_changes"] = store.rows(
        f"""select id, source, model, field, old_value, new_value, percent, direction, detected from price_changes
            where id in ({_marks(changes)}) order by detected, id""", changes) if changes else []
    signals = list(evidence.get("signals", []))
    out["signals"] = store.rows(
        f"""select id, tag, provider, round(confidence, 3) as confidence, direction, published, article_id,
                   incident_id, price_change_id from signals where id in ({_marks(signals)}) order by published, id""",
        signals) if signals else []
    return out


def describe_story(store: Store, story_id: int) -> dict[str, Any]:
    """The story ``story_id`` with its member articles and, per provider and tag, the best signal confidence and how
    many articles carry it. Raises NotFoundError for an unknown id."""
    rows = store.rows(
        "select id, title, first_published, last_published, article_count, source_count from stories where id = ?",
        [story_id],
    )
    if not rows:
        raise NotFoundError(f"no story with id {story_id}")
    story = rows[0]
    members = store.rows("select id from articles where story_id = ? order by published, id", [story_id])
    story["articles"] = _articles(store, [int(m["id"]) for m in members])
    story["sources"] = sorted({a["source"] for a in story["articles"]})
    story["signals"] = store.rows(
        """select s.provider, s.tag, s.direction, round(max(s.confidence), 3) as confidence,
                  count(distinct s.article_id) as articles
           from signals s join articles a on a.id = s.article_id
           where a.story_id = ? group by s.provider, s.tag, s.direction order by s.provider, confidence desc""",
        [story_id],
    )
    return story
