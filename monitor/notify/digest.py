"""The daily digest: render it (Jinja2, text + HTML), decide when it is due, and queue it once per local day.

It is due once the configured ``digest_time`` has passed in the configured ``timezone`` and no digest for that
local date (dedupe key ``digest:YYYY-MM-DD``) is in the outbox, whatever its status: a day's digest is never
queued, hence never sent, twice. A run that starts after ``digest_time`` sends that day's digest late; a day on
which nothing runs after ``digest_time`` has none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import jinja2

from storage.store import Store
from storage.times import to_iso, utcnow

from ..config import Config, EmailSettings
from ..errors import ConfigError
from . import outbox
from .digest_data import DigestData, digest_key, gather_digest
from .mail import email_payload, new_message_id

LEVEL_COLORS = {"ok": "#2e7d32", "watch": "#b58900", "warning": "#e65100", "critical": "#c62828", None: "#757575"}


@dataclass(frozen=True)
class Digest:
    """A rendered digest."""

    subject: str
    text: str
    html: str
    data: DigestData


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
_ENV.filters.update(score=_score, delta=_delta, local=_local, pct=_pct, num=_num, http_url=_http_url)


def subject_line(data: DigestData, prefix: str) -> str:
    """``[capwatch] Digest 2026-11-28: 1 critical, 2 warning; 3 new alerts, 1 resolved`` (ASCII only)."""
    levels = [f"{data.count(lv)} {lv}" for lv in ("critical", "warning", "watch") if data.count(lv)]
    alerts = []
    if data.new_alerts:
        alerts.append(f"{len(data.new_alerts)} new alert{'s' if len(data.new_alerts) != 1 else ''}")
    if data.resolved_alerts:
        alerts.append(f"{len(data.resolved_alerts)} resolved")
    summary = ", ".join(levels) or "all providers ok"
    if alerts:
        summary += "; " + ", ".join(alerts)
    return f"{prefix} Digest {data.day.isoformat()}: {summary}".strip()


def render_digest(config: Config, store: Store, *, now: datetime | None = None) -> Digest:
    """Render the digest for the window ending ``now`` (default: the current time)."""
    now = now or utcnow()
    data = gather_digest(config, store, now)
    prefix = config.notify.email.subject_prefix if config.notify.email else "[capwatch]"
    subject = subject_line(data, prefix)
    context = {"d": data, "subject": subject, "colors": LEVEL_COLORS, "tz": config.settings.timezone}
    text = _ENV.get_template("digest.txt.j2").render(context)
    html = _ENV.get_template("digest.html.j2").render(context)
    return Digest(subject=subject, text=text, html=html, data=data)


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
    local_now = now.astimezone(ZoneInfo(config.settings.timezone))
    payload = email_payload(
        email,
        subject=digest.subject,
        text=digest.text,
        html=digest.html,
        date=local_now,
        message_id=new_message_id(key.replace(":", "."), email.sender),
    )
    payload.update(day=digest.data.day.isoformat(), since=to_iso(digest.data.since))
    return outbox.enqueue(store, "email", ", ".join(email.to), "digest", key, payload, now)
