"""Numbers servers send in headers (``Retry-After``, ``Cache-Control: max-age``), read with caps.

A header is outside data: ``Retry-After: inf``, ``nan``, ``1e20`` or a 20-digit number must neither crash a
``timedelta`` nor park a queue for centuries. :func:`header_seconds` is the one place they are read: delta-seconds
(an integer or a decimal) or an HTTP date, only finite values, never more than the caller's cap.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

_NUMBER = re.compile(r"^\+?\d+(?:\.\d+)?$")
MAX_DIGITS = 12
"""More digits than this is treated as the cap (no header means a wait of 30,000 years)."""


def header_seconds(value: str | None, now: datetime | None = None, *, cap: float) -> float | None:
    """Seconds from ``now`` that a header asks for, at most ``cap``; None when absent, unparseable or not
    positive. Delta-seconds must be a plain decimal number (``inf``, ``nan``, ``1e20`` and negatives are not)."""
    if not value:
        return None
    text = value.strip()
    if _NUMBER.match(text):
        if len(text.split(".")[0].lstrip("+")) > MAX_DIGITS:
            return cap
        seconds = float(text)
        return min(seconds, cap) if math.isfinite(seconds) and seconds > 0 else None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    try:
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    except OverflowError:
        return None
    return min(seconds, cap) if seconds > 0 else None
