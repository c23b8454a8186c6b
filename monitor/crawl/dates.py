"""Dates found in feeds and pages, normalised to aware UTC datetimes."""

from __future__ import annotations

import calendar
import contextlib
import re
import time
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from feedparser.datetimes import _parse_date as feedparser_parse_date

FUTURE_TOLERANCE = timedelta(days=2)
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%Y-%m-%d", "%b %d %Y", "%B %d %Y", "%m/%d/%Y")


def from_struct(value: time.struct_time | None) -> datetime | None:
    """A feedparser ``*_parsed`` value (UTC struct_time) as a datetime; None if absent or impossible."""
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC)
    except (OverflowError, ValueError, OSError, TypeError):
        return None


def parse_date(text: str | None) -> datetime | None:
    """Parse ISO 8601, RFC 822 and the common human forms (``March 3, 2026``); None when nothing fits.

    A date without a time zone is taken as UTC.
    """
    if not text:
        return None
    text = re.sub(r"\s+", " ", text).strip()
    if not text or len(text) > 200:
        return None
    parsed: datetime | None = None
    with contextlib.suppress(ValueError):
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed is None:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            parsed = None
    if parsed is None:
        try:
            parsed = from_struct(feedparser_parse_date(text))
        except Exception:  # noqa: BLE001 - feedparser's date handlers may raise on odd input
            parsed = None
    if parsed is None:
        cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text)
        for fmt in _FORMATS:
            try:
                parsed = datetime.strptime(cleaned, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def plausible(value: datetime | None, fetched: datetime) -> datetime | None:
    """``value`` unless it is before 1990 or more than two days after the fetch (then None: treat as missing)."""
    if value is None or value < EARLIEST or value > fetched + FUTURE_TOLERANCE:
        return None
    return value
