"""The daily digest: render it (Jinja2, text + HTML), decide when it is due, and queue it once per local day.

It is due once the configured ``digest_time`` has passed in the configured ``timezone`` and no digest for that
local date (dedupe key ``digest:YYYY-MM-DD``) is in the outbox, whatever its status: a day's digest is never
queued, hence never sent, twice. A run that starts after ``digest_time`` sends that day's digest late; a day on
which nothing runs after ``digest_time`` has none.

Size: the e-mail (text and HTML parts, as sent) stays within ``notify.email.digest_max_bytes`` (default 1 MB):
:func:`render_digest` uses the first of :data:`~.digest_data.SUMMARY_LEVELS` that fits, from everything down to
counts only. When the SMTP server still refuses the message for its size, :func:`shrink_digest` renders the same
window again under the server's limit (or half the size when it gives none) and the outbox sends that instead:
the day's digest is retried, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import jinja2

from storage.store import Store
from storage.times import from_iso, to_iso, utcnow

from ..config import Config, EmailSettings
from ..errors import ConfigError
from . import outbox
from .digest_data import SUMMARY_LEVELS, DigestData, digest_key, gather_digest, window_rows, window_start
from .mail import MessageTooLarge, email_payload, message_size, new_message_id
from .outbox import Delivery

DEFAULT_MAX_BYTES = EmailSettings().digest_max_bytes
MIN_ROW_BYTES = 300
"""Fewer bytes than any listed row takes in the e-mail (HTML row and text line): a window with more rows than the
budget divided by this is not rendered in full at all (220,000 price changes would make 175 MB of HTML)."""
SERVER_HEADROOM = 2048
"""Bytes kept free under a server's advertised SIZE (its own Received: headers)."""

LEVEL_COLORS = {"ok": "#2e7d32", "watch": "#b58900", "warning": "#e65100", "critical": "#c62828", None: "#757575"}


@dataclass(frozen=True)
class Digest:
    """A rendered digest."""

    subject: str
    text: str
    html: str
    data: DigestData
    size: int = 0  # bytes of the e-mail as sent (0: not measured)


def _score(v: float | None) -> str:
    return "-" if v is None else f"{v:.2f}"


def _delta(v: float | None) -> str:
    if v is None:
        return "new"
    if abs(v) < 0.005:
        return "="
    return f"{v:+.2f}"


def _local(dt: datetime | None, tz: str = "UTC") -> str:
    return "" if dt is None else dt.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


def _pct(v: float | None) -> str:
    return "" if v is None else f"{v:+.1f}%"


def _num(v: float | None) -> str:
    return "-" if v is None else f"{v:.6g}"


def _count(v: int) -> str:
    return f"{v:,}"


def _http_url(v: object) -> str:
    """``v`` when it is an http(s) URL, else "" (a ``javascript:`` or ``data:`` link from a feed is never a link)."""
    if isinstance(v, str) and v.strip().lower().startswith(("http://", "https://")) and not any(ord(c) < 0x20 for c in v):
        return v.strip()
    return ""


_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("monitor.notify", "templates"),
    autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=True),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_ENV.filters.update(score=_score, delta=_delta, local=_local, pct=_pct, num=_num, http_url=_http_url, count=_count)


def subject_line(data: DigestData, prefix: str) -> str:
    """``[capwatch] Digest 2026-11-28: 1 critical, 2 warning; 3 new alerts, 1 resolved`` (ASCII only)."""
    levels = [f"{data.count(lv)} {lv}" for lv in ("critical", "warning", "watch") if data.count(lv)]
    alerts = []
    new, resolved = data.total("new_alerts"), data.total("resolved_alerts")
    if new:
        alerts.append(f"{new} new alert{'s' if new != 1 else ''}")
    if resolved:
        alerts.append(f"{resolved} resolved")
    summary = ", ".join(levels) or "all providers ok"
    if alerts:
        summary += "; " + ", ".join(alerts)
    return f"{prefix} Digest {data.day.isoformat()}: {summary}".strip()


def _payload(config: Config, digest: Digest, key: str, now: datetime) -> dict[str, Any]:
    email = config.notify.email or EmailSettings()
    local_now = now.astimezone(ZoneInfo(config.settings.timezone))
    return email_payload(
        email,
        subject=digest.subject,
        text=digest.text,
        html=digest.html,
        date=local_now,
        message_id=new_message_id(key.replace(":", "."), email.sender),
    )


def render_digest(
    config: Config,
    store: Store,
    *,
    now: datetime | None = None,
    max_bytes: int | None = None,
    since: datetime | None = None,
    first: bool = False,
) -> Digest:
    """Render the digest for the window ending ``now`` (default: the current time; starting at ``since`` when given,
    else at the previous digest) as an e-mail of at most ``max_bytes`` (default: ``notify.email.digest_max_bytes``,
    1 MB): in full when it fits, else summarised (:data:`~.digest_data.SUMMARY_LEVELS`: the largest items per
    provider and counts of everything, down to counts only). The result is the first level that fits, or the
    smallest one when none does."""
    now = now or utcnow()
    budget = max_bytes or (config.notify.email.digest_max_bytes if config.notify.email else DEFAULT_MAX_BYTES)
    if since is None:
        since, first = window_start(config, store, now)
    too_long = window_rows(store, since, now) * MIN_ROW_BYTES > budget
    prefix = config.notify.email.subject_prefix if config.notify.email else "[capwatch]"
    digest: Digest | None = None
    for limits in SUMMARY_LEVELS:
        if limits.complete and too_long:
            continue
        data = gather_digest(config, store, now, limits, since=since, first=first)
        subject = subject_line(data, prefix)
        context = {"d": data, "subject": subject, "colors": LEVEL_COLORS, "tz": config.settings.timezone,
                   "max_bytes": budget}
        text = _ENV.get_template("digest.txt.j2").render(context)
        html = _ENV.get_template("digest.html.j2").render(context)
        digest = Digest(subject=subject, text=text, html=html, data=data)
        size = message_size(_payload(config, digest, digest_key(config, now), now))
        digest = Digest(subject=subject, text=text, html=html, data=data, size=size)
        if size <= budget:
            break
    assert digest is not None
    return digest


def _email_settings(config: Config) -> EmailSettings | None:
    email = config.notify.email
    return email if email is not None and email.to else None


def digest_due(config: Config, store: Store, now: datetime) -> bool:
    """True when e-mail is configured, the local ``digest_time`` has passed today and today's digest is not queued."""
    if _email_settings(config) is None:
        return False
    local = now.astimezone(ZoneInfo(config.settings.timezone))
    if local.time().replace(tzinfo=None) < config.settings.digest_time:
        return False
    return outbox.by_key(store, digest_key(config, now)) is None


def enqueue_digest(config: Config, store: Store, *, now: datetime | None = None, force: bool = False) -> int | None:
    """Queue today's digest if due (``force``: whatever the time of day); return its id, or None if not queued.

    Never queues a second digest for the same local date, even with ``force``. Raises ConfigError when ``force``
    is given but e-mail is not configured.
    """
    email = _email_settings(config)
    if email is None:
        if force:
            raise ConfigError(f"{config.path.name}: notify.email: not configured (set smtp_host, from and to = [...])")
        return None
    now = now or utcnow()
    key = digest_key(config, now)
    if not force and not digest_due(config, store, now):
        return None
    if outbox.by_key(store, key) is not None:
        return None
    digest = render_digest(config, store, now=now)
    payload = _payload(config, digest, key, now)
    # the window, so that the same digest can be rendered again smaller (shrink_digest)
    payload.update(day=digest.data.day.isoformat(), since=to_iso(digest.data.since), until=to_iso(now),
                   first=digest.data.first)
    return outbox.enqueue(store, "email", ", ".join(email.to), "digest", key, payload, now)


def shrink_digest(config: Config, store: Store, delivery: Delivery, refusal: MessageTooLarge) -> dict[str, Any] | None:
    """A smaller rendering of a queued digest the SMTP server refused for its size, or None when there is none.

    The same window is rendered again under the server's advertised ``SIZE`` (less :data:`SERVER_HEADROOM`), or
    under half the refused size when the server gave no limit; the subject, Date and Message-ID stay those of the
    queued message. None when the payload predates this (no window stored) or the new rendering is not smaller.
    """
    payload = delivery.payload
    if not payload.get("until") or not payload.get("since"):
        return None
    target = refusal.limit - SERVER_HEADROOM if refusal.limit else refusal.size // 2
    target = max(min(target, refusal.size - 1), 1)
    digest = render_digest(config, store, now=from_iso(payload["until"]), since=from_iso(payload["since"]),
                           first=bool(payload.get("first")), max_bytes=target)
    smaller = dict(payload, text=digest.text, html=digest.html)
    return smaller if message_size(smaller) < refusal.size else None
