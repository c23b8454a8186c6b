"""Which Slack routes hear of an alert event, and where a route's webhook URL comes from.

A route has a ``min_level`` and optionally a list of providers (empty: every provider). It receives:

- ``opened`` and ``escalated`` events whose new level is at least ``min_level``;
- ``deescalated`` events whose previous level was at least ``min_level`` (it was told about that level);
- ``resolved`` events of alerts whose peak level reached ``min_level`` (it was told the alert exists).

So a ``critical`` channel hears of an alert when it turns critical, of each step down from critical, and of
its resolution; an ``everything`` channel (``min_level = "watch"``) hears of every event.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from monitor.config import LEVELS, SlackRoute

from .errors import RetryableError


@dataclass(frozen=True)
class EventFacts:
    """What routing needs to know about one alert event."""

    provider: str
    kind: str  # opened | escalated | deescalated | resolved
    level: str
    previous_level: str | None
    peak_level: str


def level_rank(level: str | None) -> int:
    """0 for ok (or unknown/None), 3 for critical."""
    return LEVELS.index(level) if level in LEVELS else 0


def route_matches(route: SlackRoute, event: EventFacts) -> bool:
    """True when ``route`` should receive ``event`` (see the module docstring for the rule)."""
    if route.providers and event.provider not in route.providers:
        return False
    if event.kind == "resolved":
        relevant = event.peak_level
    elif event.kind == "deescalated":
        relevant = event.previous_level or event.peak_level
    else:
        relevant = event.level
    return level_rank(relevant) >= level_rank(route.min_level)


def matching_routes(routes: tuple[SlackRoute, ...], event: EventFacts) -> list[SlackRoute]:
    """The routes, in configuration order, that receive ``event``."""
    return [r for r in routes if route_matches(r, event)]


def webhook_url(env_name: str) -> str:
    """The webhook URL kept in environment variable ``env_name``.

    Raises :class:`RetryableError` when it is unset: setting it (and restarting) lets the message through.
    """
    url = os.environ.get(env_name, "").strip()
    if not url:
        raise RetryableError(f"environment variable {env_name} (the Slack webhook URL) is not set")
    return url
