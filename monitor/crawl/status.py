"""``status`` sources: provider status-page feeds become incidents.

Supported: Atlassian Statuspage ``history.atom``/``history.rss`` (each entry's body is a list of dated updates,
``<small>Aug 21, 00:37 UTC</small><strong>Resolved</strong> - text``) and incident.io feeds (``Status: Resolved``
and an ``Affected components`` list with each component's state). Any other feed still yields one incident per
entry from its title, dates and text.

For each incident: a stable external id (the entry id, else its link), title, status (the latest update's label;
``resolved`` once any update resolved it), impact (``critical`` | ``major`` | ``minor`` | ``maintenance`` |
``none``, from component states or words of the text), affected components, start (the earliest update, else the
entry date) and resolve time. Never raises for any input.
"""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bs4 import BeautifulSoup, Tag

from storage.times import to_iso

from .dates import plausible
from .feeds import FeedEntry, ParsedFeed
from .text import collapse

IMPACT_ORDER = ("none", "maintenance", "minor", "major", "critical")
IMPACT_CONFIDENCE = {"critical": 1.0, "major": 0.9, "minor": 0.7, "none": 0.4, "maintenance": 0.4}
RESOLVED_LABELS = frozenset({"resolved", "completed", "postmortem"})
_MONTHS = {m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_STAMP = re.compile(r"([A-Za-z]{3})[a-z]*\.?\s+(\d{1,2})\s*(?:,\s*(\d{4}))?\s*,?\s+(\d{1,2}):(\d{2})\s*(UTC|GMT)?")
_COMPONENT_STATE = re.compile(
    r"(?P<name>[A-Z][\w .&/()+'-]{0,60}?) (?:is|are) (?:experiencing |currently experiencing )?"
    r"(?P<state>a major outage|major outage|a partial outage|partial outage|degraded availability|"
    r"degraded performance|under maintenance|operating normally)"
)
_AFFECTED = re.compile(r"This incident affected:\s*(?P<list>[^.<]+)", re.IGNORECASE)
_STATE_IMPACT = {
    "full outage": "critical",
    "major outage": "critical",
    "a major outage": "critical",
    "partial outage": "major",
    "a partial outage": "major",
    "degraded availability": "major",
    "degraded performance": "minor",
    "under maintenance": "maintenance",
    "maintenance": "maintenance",
    "operational": "none",
    "operating normally": "none",
}
_WORD_IMPACT = (
    ("critical", re.compile(r"\b(major outage|full outage|complete outage|totally unavailable|all requests fail)", re.I)),
    ("major", re.compile(r"\b(outage|unavailable|down for|partial outage|degraded availability|not loading|failing)", re.I)),
    ("minor", re.compile(r"\b(elevated|errors?|degraded|latency|slow|delay|intermittent|issue|increased)", re.I)),
    ("maintenance", re.compile(r"\b(maintenance|scheduled)\b", re.I)),
)


@dataclass
class Incident:
    """One incident as read from a status feed."""

    external_id: str
    title: str
    impact: str
    status: str
    components: list[str]
    started: datetime
    resolved: datetime | None
    updated: datetime
    url: str | None
    body: str
    updates: list[tuple[datetime | None, str, str]] = field(default_factory=list)  # (when, label, text)


def worst(a: str, b: str) -> str:
    """The more severe of two impact levels."""
    return a if IMPACT_ORDER.index(a) >= IMPACT_ORDER.index(b) else b


def _soup(html: str) -> BeautifulSoup:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return BeautifulSoup(html, "lxml")


def _stamp(text: str, reference: datetime) -> datetime | None:
    """``Aug 21, 00:37 UTC`` (year taken from ``reference``, the entry date, stepping back over New Year)."""
    match = _STAMP.search(text)
    if not match:
        return None
    month = _MONTHS.get(match.group(1).lower()[:3])
    if month is None:
        return None
    year = int(match.group(3)) if match.group(3) else reference.year
    try:
        when = datetime(year, month, int(match.group(2)), int(match.group(4)), int(match.group(5)), tzinfo=UTC)
    except ValueError:
        return None
    if not match.group(3) and when > reference + timedelta(days=2):
        try:
            when = when.replace(year=year - 1)
        except ValueError:
            return None
    return plausible(when, reference)  # an explicit year before 1990 or after the entry itself: no date


def statuspage_updates(html: str, reference: datetime) -> list[tuple[datetime | None, str, str]]:
    """The dated updates of a Statuspage entry body, newest first: ``(when, label, text)``."""
    soup = _soup(html)
    updates = []
    for p in soup.find_all("p"):
        small = p.find("small")
        strong = p.find("strong")
        if not isinstance(strong, Tag):
            continue
        when = _stamp(collapse(small.get_text(" ")), reference) if isinstance(small, Tag) else None
        label = collapse(strong.get_text(" ")).lower()
        if isinstance(small, Tag):
            small.extract()
        strong.extract()
        text = collapse(p.get_text(" ")).lstrip("-– ").strip()
        updates.append((when, label, text))
    return updates


def incidentio_details(html: str) -> tuple[str | None, list[tuple[str, str]]]:
    """``(status, [(component, state), ...])`` from an incident.io entry body."""
    soup = _soup(html)
    text = collapse(soup.get_text(" "))
    match = re.search(r"Status:\s*([A-Za-z ]+?)(?:\s{2,}|$|\s(?=[A-Z][a-z]+ ))", text)
    status = match.group(1).strip().lower() if match else None
    components = []
    for li in soup.find_all("li"):
        item = collapse(li.get_text(" "))
        m = re.match(r"(.+?)\s*\(([^()]+)\)\s*$", item)
        if m:
            components.append((m.group(1).strip(), m.group(2).strip().lower()))
        elif item:
            components.append((item, ""))
    return status, components


def detect_format(parsed: ParsedFeed, body: bytes, configured: str = "auto") -> str:
    """``statuspage`` | ``incidentio`` | ``feed`` (a generic feed of incidents)."""
    if configured in ("statuspage", "incidentio"):
        return configured
    head = body[:200_000]
    if b"incident.io" in head or b"Affected components" in head or b"Status: " in head:
        return "incidentio"
    if b"data-var" in head or b"Incident/" in head or b"Statuspage" in head or b"/incidents/" in head:
        return "statuspage"
    return "feed"


def _impact_from_words(text: str) -> str:
    for level, pattern in _WORD_IMPACT:
        if pattern.search(text):
            return level
    return "minor"


def incident_from_entry(entry: FeedEntry, fmt: str) -> Incident:
    """Build the incident of one status-feed entry."""
    reference = entry.updated or entry.published
    external_id = entry.guid or entry.link or entry.url
    components: list[str] = []
    impact = "none"
    status = ""
    resolved: datetime | None = None
    updates: list[tuple[datetime | None, str, str]] = []
    html = entry.html or entry.summary
    if fmt == "incidentio":
        status_text, comps = incidentio_details(html)
        status = status_text or ""
        for name, state in comps:
            components.append(name)
            if state in _STATE_IMPACT:
                impact = worst(impact, _STATE_IMPACT[state])
        if impact == "none":
            impact = _impact_from_words(entry.title)
    else:
        updates = statuspage_updates(html, reference) if "<" in html else []
        labels = [u[1] for u in updates]
        status = next((label for label in labels if label not in ("update",)), labels[0] if labels else "")
        for when, label, _ in updates:
            if label in RESOLVED_LABELS and label != "postmortem" and when is not None and (resolved is None or when > resolved):
                resolved = when
        if any(label in ("resolved", "completed") for label in labels):
            status = "resolved" if "resolved" in labels else "completed"
        all_text = " ".join(u[2] for u in updates) or entry.text
        for m in _COMPONENT_STATE.finditer(all_text):
            name = m.group("name").strip()
            if name not in components and len(name.split()) <= 5:
                components.append(name)
            impact = worst(impact, _STATE_IMPACT.get(m.group("state"), "minor"))
        for m in _AFFECTED.finditer(all_text):
            for name in re.split(r",\s*|\s+and\s+", m.group("list")):
                if name.strip() and name.strip() not in components:
                    components.append(name.strip())
        if "scheduled" in labels or "in progress" in labels and "maintenance" in entry.title.lower():
            impact = worst(impact, "maintenance")
        if impact == "none":
            impact = _impact_from_words(entry.title + " " + all_text[:2000])
    if status in ("resolved", "completed") and resolved is None:
        resolved = entry.updated or entry.published
    dated = [u[0] for u in updates if u[0] is not None]
    started = min(dated) if dated else entry.published
    body = "\n".join(f"{w.isoformat() if w else ''} {label}: {text}".strip() for w, label, text in updates) or entry.text
    return Incident(
        external_id=external_id[:500],
        title=entry.title or "(untitled incident)",
        impact=impact,
        status=status or "unknown",
        components=components,
        started=started,
        resolved=resolved,
        updated=max([entry.updated or entry.published, *dated]),
        url=entry.link,
        body=body,
        updates=updates,
    )


def parse_status(parsed: ParsedFeed, body: bytes, configured_format: str = "auto") -> tuple[list[Incident], str]:
    """Incidents of an already parsed status feed and the detected format name."""
    fmt = detect_format(parsed, body, configured_format)
    incidents: dict[str, Incident] = {}
    for entry in parsed.entries:
        try:
            incident = incident_from_entry(entry, fmt)
        except Exception:  # noqa: BLE001 - one odd entry must not lose the others
            continue
        previous = incidents.get(incident.external_id)
        if previous is None or incident.updated >= previous.updated:
            incidents[incident.external_id] = incident
    return list(incidents.values()), fmt


def incident_row(source: str, provider: str | None, inc: Incident) -> dict[str, Any]:
    """The ``incidents`` table row of ``inc`` (times as ISO text)."""
    return {
        "source": source,
        "external_id": inc.external_id,
        "provider": provider,
        "title": inc.title,
        "impact": inc.impact,
        "status": inc.status,
        "components": json.dumps(inc.components),
        "started": to_iso(inc.started),
        "resolved": to_iso(inc.resolved) if inc.resolved else None,
        "updated": to_iso(inc.updated),
        "url": inc.url,
        "body": inc.body,
    }
