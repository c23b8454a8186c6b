"""Delivery: Slack alerts and the daily e-mail digest, through an outbox that loses nothing.

The stage contract (called by the scheduler and the CLI):

- :func:`enqueue_alert_notifications` — new alert events -> one outbox row per matching Slack route;
- :func:`digest_due` / :func:`enqueue_digest` — the day's digest, once per local day;
- :func:`flush_outbox` — send what is due, paced, marking each row sent, failed or scheduled for a retry;
- :func:`render_digest` — the digest as subject, text and HTML (``capwatch digest --preview``).

See docs/delivery.md for the outbox's guarantees.
"""

from __future__ import annotations

from .alerts import enqueue_alert_notifications
from .digest import Digest, digest_due, enqueue_digest, render_digest
from .flush import FlushReport, Pacer, flush_outbox

__all__ = [
    "Digest",
    "FlushReport",
    "Pacer",
    "digest_due",
    "enqueue_alert_notifications",
    "enqueue_digest",
    "flush_outbox",
    "render_digest",
]
