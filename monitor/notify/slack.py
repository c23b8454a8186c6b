"""Slack: render an alert event as a Block Kit message with a plain-text fallback, and post it to a webhook.

Posting goes through ``slack_sdk.webhook.WebhookClient`` with its own retry handlers switched off: the outbox
owns retries (so each attempt is recorded) and pacing. Outcomes: 2xx is delivered; 429 raises
:class:`RetryableError` with ``retry_after`` from the ``Retry-After`` header; 5xx and network errors raise
:class:`RetryableError`; any other status raises :class:`PermanentError` with Slack's reason (``no_service``,
``invalid_payload``, ...).
"""

from __future__ import annotations

import http.client
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from slack_sdk.errors import SlackRequestError
from slack_sdk.webhook import WebhookClient

from monitor.httpnumbers import header_seconds
from storage.times import from_iso

from .errors import PermanentError, RetryableError
from .evidence import EvidenceItem

TIMEOUT_SECONDS = 10
DEFAULT_RETRY_AFTER = 5.0
LEVEL_EMOJI = {
    "ok": ":large_green_circle:",
    "watch": ":large_yellow_circle:",
    "warning": ":large_orange_circle:",
    "critical": ":red_circle:",
}
_HEADLINES = {
    "opened": "risk alert opened at {level}",
    "escalated": "risk escalated to {level}",
    "deescalated": "risk eased to {level}",
    "resolved": "risk alert resolved",
}


@dataclass(frozen=True)
class AlertEventView:
    """Everything one Slack message about one alert event shows."""

    event_id: int
    alert_id: int
    provider: str
    provider_name: str
    kind: str
    level: str
    previous_level: str | None
    score: float
    at: str
    opened_at: str
    summary: str
    evidence: tuple[EvidenceItem, ...]

    @property
    def level_change(self) -> str:
        """``watch -> warning`` (``ok -> watch`` for a new alert)."""
        return f"{self.previous_level or 'ok'} \u2192 {self.level}"

    @property
    def headline(self) -> str:
        return _HEADLINES.get(self.kind, "risk changed to {level}").format(level=self.level)


# ------------------------------------------------------------------------------------------------ rendering
_MRKDWN = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
MAX_LINK_URL = 600  # three evidence lines (URL, 150-character title, details) fit in one 3,000-character section


def mrkdwn_escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn reserves (``&``, ``<``, ``>``).

    Text from outside (titles, summaries, URLs) always goes through this, so ``<!channel>``, ``<@U123>`` or
    ``<http://evil|click here>`` in an article title are shown as typed instead of notifying or linking.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escaped_clip(text: str, limit: int) -> str:
    """``text`` collapsed and escaped, at most ``limit`` characters long, never cut inside an ``&amp;``."""
    text = " ".join(text.split())
    escaped = mrkdwn_escape(text)
    if len(escaped) <= limit:
        return escaped
    out: list[str] = []
    size = 0
    for ch in text:
        piece = _MRKDWN.get(ch, ch)
        if size + len(piece) > limit - 1:
            break
        out.append(piece)
        size += len(piece)
    return "".join(out) + "\u2026"


def _link_url(url: object) -> str | None:
    """``url`` made safe inside ``<url|title>``, or None when it must not be linked (not http(s), too long)."""
    if not isinstance(url, str) or not url.lower().startswith(("http://", "https://")) or len(url) > MAX_LINK_URL:
        return None
    if any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in url):
        return None
    return url.replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")


def _link(item: EvidenceItem) -> str:
    title = _escaped_clip(item.title or item.url or "untitled", 150).replace("|", "\u2758")
    url = _link_url(item.url)
    return f"<{url}|{title}>" if url else title


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _when(iso: str) -> str:
    try:
        return from_iso(iso).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return iso


def _evidence_meta(item: EvidenceItem) -> str:
    parts = [str(p) for p in (item.tag, item.detail, item.source, str(item.published or "")[:10]) if p]
    return ", ".join(parts)


def fallback_text(view: AlertEventView) -> str:
    """The plain-text version (notifications, clients without Block Kit): headline, levels, score, evidence links."""
    lines = [
        f"{mrkdwn_escape(view.provider_name)}: {view.headline} "
        f"({view.previous_level or 'ok'} -> {view.level}, score {view.score:.2f})",
    ]
    if view.summary:
        lines.append(_escaped_clip(view.summary, 500))
    for i, item in enumerate(view.evidence, 1):
        url = _link_url(item.url)
        lines.append(f"{i}. {_escaped_clip(item.title, 150)}" + (f" {mrkdwn_escape(url)}" if url else ""))
    return "\n".join(lines)


def render_alert_message(view: AlertEventView) -> dict[str, Any]:
    """The webhook body: ``{"text": fallback, "blocks": [...]}`` within Block Kit's size limits."""
    emoji = LEVEL_EMOJI.get(view.level, "")
    header = _clip(f"{view.provider_name}: {view.headline}", 150)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": header, "emoji": True}},
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": f"*Provider*\n{mrkdwn_escape(view.provider_name)}"},
                {"type": "mrkdwn", "text": "*Level*\n" + " ".join(filter(None, (emoji, view.level_change)))},
                {"type": "mrkdwn", "text": f"*Score*\n{view.score:.2f}"},
                {"type": "mrkdwn", "text": f"*Alert*\n#{view.alert_id}, opened {_when(view.opened_at)}"},
            ],
        },
    ]
    if view.summary:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _escaped_clip(view.summary, 2900)}})
    if view.evidence:
        lines = [
            f"{i}. {_link(item)}" + (f" \u2014 _{_escaped_clip(meta, 200)}_" if (meta := _evidence_meta(item)) else "")
            for i, item in enumerate(view.evidence, 1)
        ]
        text = "*Top evidence*\n" + "\n".join(lines)
    else:
        text = "*Top evidence*\nNo evidence recorded for this event."
    blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}})
    blocks.append(
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": f"capwatch \u00b7 {view.kind} \u00b7 {_when(view.at)} \u00b7 event #{view.event_id}"}],
        }
    )
    return {"text": fallback_text(view), "blocks": blocks}


# ------------------------------------------------------------------------------------------------ sending
MAX_RETRY_AFTER = 3600.0
"""The longest a 429 can hold a webhook's queue (seconds); ``Retry-After: 99999999999`` waits this long."""


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date, at most
    :data:`MAX_RETRY_AFTER`; 0 for a past date or a non-positive number; a default when absent or not a finite
    number (``inf``, ``nan``, ``1e20``)."""
    if not value:
        return DEFAULT_RETRY_AFTER
    seconds = header_seconds(value, now, cap=MAX_RETRY_AFTER)
    if seconds is not None:
        return seconds
    text = value.strip()
    if text.startswith("-") and text[1:].replace(".", "", 1).isdigit():
        return 0.0
    try:
        parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return DEFAULT_RETRY_AFTER
    return 0.0  # a valid date in the past


def _client(url: str) -> WebhookClient:
    client = WebhookClient(url, timeout=TIMEOUT_SECONDS, retry_handlers=[])
    host = urlsplit(url).hostname or ""
    if client.proxy and urllib.request.proxy_bypass(host):
        client.proxy = None  # slack-sdk reads HTTPS_PROXY but not NO_PROXY; honour NO_PROXY too
    return client


def post_message(url: str, message: dict[str, Any]) -> None:
    """POST ``message`` to the incoming webhook ``url``; return on 2xx, raise a DeliveryError otherwise."""
    try:
        response = _client(url).send_dict(message)
    except SlackRequestError:
        # the message would quote the URL, which is a secret: name the problem only
        raise RetryableError("the webhook URL is not an http(s) URL") from None
    except ValueError:  # http.client.InvalidURL and friends, whose messages quote the URL
        raise RetryableError("the webhook URL is malformed") from None
    except (OSError, http.client.HTTPException) as exc:
        raise RetryableError(f"network error: {exc.__class__.__name__}: {exc}") from None
    status = response.status_code
    body = _clip(str(response.body or ""), 200)
    if 200 <= status < 300:
        return
    if status == 429:
        headers = {str(k).lower(): str(v) for k, v in dict(response.headers or {}).items()}
        wait = retry_after_seconds(headers.get("retry-after"))
        raise RetryableError(f"HTTP 429 rate limited (Retry-After {wait:g}s)", retry_after=wait)
    if status >= 500:
        raise RetryableError(f"HTTP {status}: {body}")
    raise PermanentError(f"HTTP {status}: {body}")
