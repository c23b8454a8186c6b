"""When a source is fetched next: intervals stretched by ``Cache-Control: max-age`` and ``Retry-After``,
exponential back-off with jitter after failures, and a pause after N consecutive failures.

Pure functions of (state, settings, now) so that the policy is tested without a clock or a network.
"""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta

from monitor.config import CrawlSettings
from monitor.httpnumbers import header_seconds

JITTER = 0.15  # +-15 % on failure delays, so that sources failing together do not retry together
MAX_STRETCH = timedelta(days=1)  # a server cannot push a source further away than this on success
_MAX_AGE = re.compile(r"(?:^|[,\s])(?:s-)?max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


MAX_RETRY_AFTER = timedelta(days=7)
"""The longest wait a server's Retry-After can ask for (the source's back-off caps it further)."""


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """Seconds (``120``) or an HTTP date, at most :data:`MAX_RETRY_AFTER`; None when absent, unparseable, not
    finite or in the past (:func:`monitor.httpnumbers.header_seconds`)."""
    seconds = header_seconds(value, now, cap=MAX_RETRY_AFTER.total_seconds())
    return timedelta(seconds=seconds) if seconds is not None else None


def parse_max_age(cache_control: str | None) -> timedelta | None:
    """The ``max-age`` of a Cache-Control header, at most :data:`MAX_STRETCH` (None if absent, zero, or
    ``no-cache``/``no-store``)."""
    if not cache_control:
        return None
    lower = cache_control.lower()
    if "no-store" in lower or "no-cache" in lower:
        return None
    match = _MAX_AGE.search(cache_control)
    if not match:
        return None
    seconds = header_seconds(match.group(1), cap=MAX_STRETCH.total_seconds())
    return timedelta(seconds=seconds) if seconds is not None else None


def next_after_success(now: datetime, interval: timedelta, max_age: timedelta | None) -> datetime:
    """The next fetch after a success or a 304: the interval, stretched (never shortened) by max-age."""
    wait = interval
    if max_age is not None and max_age > wait:
        wait = min(max_age, max(interval, MAX_STRETCH))
    return now + wait


def failure_delay(failures: int, settings: CrawlSettings, rng: random.Random | None = None) -> timedelta:
    """Back-off after ``failures`` consecutive failures: base x 2^(n-1), capped at max_pause, with jitter."""
    n = max(1, failures)
    base = settings.backoff_base.total_seconds()
    raw = min(settings.max_pause.total_seconds(), base * (2 ** min(n - 1, 40)))
    factor = 1.0 + (rng or random).uniform(-JITTER, JITTER)
    return timedelta(seconds=min(settings.max_pause.total_seconds(), raw * factor))


def after_failure(
    failures: int,
    settings: CrawlSettings,
    now: datetime,
    interval: timedelta,
    retry_after: timedelta | None = None,
    rng: random.Random | None = None,
) -> tuple[datetime, datetime | None]:
    """``(next_fetch, paused_until)`` after a failure; paused once failures reach ``pause_after_failures``.

    The delay is the exponential back-off, never shorter than a server's ``Retry-After`` (capped at max_pause).
    A paused source resumes on its own when ``paused_until`` has passed.
    """
    delay = failure_delay(failures, settings, rng)
    if retry_after is not None:
        delay = max(delay, min(retry_after, settings.max_pause))
    when = now + delay
    paused = when if failures >= settings.pause_after_failures else None
    return when, paused


def is_due(next_fetch: datetime | None, now: datetime) -> bool:
    """True when a source has never been fetched or its next fetch time has come."""
    return next_fetch is None or next_fetch <= now
