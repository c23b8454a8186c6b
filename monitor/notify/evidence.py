"""The pieces of evidence behind an alert event, as titles with links, strongest first.

The risk engine stores, with each alert and event, ``contributions`` (largest first: tag, contribution, title,
url, sources, published) and the ids of the signals, stories and articles behind them. The strongest evidence
is the risk-raising contributions by size; when there are fewer than asked for, the named signals (by confidence),
then the named articles and the articles of the named stories (newest first) fill in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from storage.store import Store


@dataclass(frozen=True)
class EvidenceItem:
    """One piece of evidence as shown in a message."""

    title: str
    url: str | None
    tag: str | None = None
    detail: str | None = None  # "risk +2.31, 3 sources" or "confidence 0.97"
    source: str | None = None
    published: str | None = None


_SIGNAL_SQL = """
    select s.id, s.tag, s.confidence, s.published,
           coalesce(a.title, i.title, pc.model || ' ' || pc.field || ' ' || coalesce(pc.old_value, '?') || ' -> ' || coalesce(pc.new_value, '?'), '') as title,
           coalesce(a.link, a.url, i.url, src.url) as url,
           coalesce(a.source, i.source, pc.source) as source
    from signals s
    left join articles a on a.id = s.article_id
    left join incidents i on i.id = s.incident_id
    left join price_changes pc on pc.id = s.price_change_id
    left join sources src on src.name = pc.source
    where s.id in ({marks})
"""


def parse_evidence(text: str | None) -> dict[str, Any]:
    """Read an ``evidence`` column; anything but a JSON object reads as empty."""
    try:
        raw = json.loads(text or "{}")
    except ValueError:
        return {}
    return raw if isinstance(raw, dict) else {}


def has_evidence(evidence: dict[str, Any]) -> bool:
    """True when ``evidence`` names any contribution, signal, story or article."""
    return any(evidence.get(k) for k in ("contributions", "signals", "stories", "articles"))


def _ids(evidence: dict[str, Any], key: str) -> list[int]:
    values = evidence.get(key) or []
    if not isinstance(values, list):
        return []
    return [int(v) for v in values if isinstance(v, int) or (isinstance(v, str) and v.isdigit())]


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _from_contributions(evidence: dict[str, Any]) -> list[EvidenceItem]:
    rows = [c for c in evidence.get("contributions") or [] if isinstance(c, dict)]
    rows = [c for c in rows if isinstance(c.get("contribution"), int | float) and c["contribution"] > 0]
    rows.sort(key=lambda c: c["contribution"], reverse=True)
    items = []
    for c in rows:
        sources = c.get("sources")
        detail = f"risk {c['contribution']:+.2f}" + (f", {sources} sources" if isinstance(sources, int) and sources > 1 else "")
        items.append(EvidenceItem(title=str(c.get("title") or c.get("url") or c.get("key") or ""), url=_str_or_none(c.get("url")),
                                  tag=_str_or_none(c.get("tag")), detail=detail, published=_str_or_none(c.get("published"))))
    return items


def _from_signals(store: Store, ids: list[int]) -> list[EvidenceItem]:
    if not ids:
        return []
    rows = store.rows(_SIGNAL_SQL.format(marks=",".join("?" * len(ids))), ids)
    rows.sort(key=lambda r: r["published"] or "", reverse=True)
    rows.sort(key=lambda r: r["confidence"] or 0.0, reverse=True)
    return [EvidenceItem(title=r["title"] or r["url"] or "", url=r["url"], tag=r["tag"],
                         detail=f"confidence {r['confidence']:.2f}", source=r["source"], published=r["published"])
            for r in rows]


def _from_articles(store: Store, article_ids: list[int], story_ids: list[int]) -> list[EvidenceItem]:
    ids = list(article_ids)
    if story_ids:
        marks = ",".join("?" * len(story_ids))
        ids += [r["id"] for r in store.rows(f"select id from articles where story_id in ({marks})", story_ids)]
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    rows = store.rows(
        f"select title, coalesce(link, url) as url, source, published from articles where id in ({marks}) order by published desc",
        ids,
    )
    return [EvidenceItem(title=r["title"] or r["url"], url=r["url"], source=r["source"], published=r["published"])
            for r in rows]


def top_evidence(store: Store, evidence: dict[str, Any], limit: int = 3) -> list[EvidenceItem]:
    """The ``limit`` strongest pieces of evidence, one per link (see the module docstring for the order)."""
    items: list[EvidenceItem] = []
    seen: set[str] = set()

    def take(candidates: list[EvidenceItem]) -> None:
        for item in candidates:
            key = item.url or item.title
            if len(items) >= limit or not key or key in seen:
                continue
            seen.add(key)
            items.append(replace(item, title=item.title.strip() or (item.url or "")))

    take(_from_contributions(evidence))
    if len(items) < limit:
        take(_from_signals(store, _ids(evidence, "signals")))
    if len(items) < limit:
        take(_from_articles(store, _ids(evidence, "articles"), _ids(evidence, "stories")))
    return items
