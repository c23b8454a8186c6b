"""Parse and format human durations such as ``30m``, ``1h30m``, ``7d`` or ``45s``."""

from __future__ import annotations

import re
from datetime import timedelta

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])")
_WHOLE = re.compile(r"^\s*(?:\d+(?:\.\d+)?\s*[smhdw]\s*)+$")


def parse_duration(text: str) -> timedelta:
    """Return the duration written in ``text`` (units s, m, h, d, w; parts may be combined: ``1h30m``).

    Raises ``ValueError`` for anything else, including zero, negative and absurdly long durations.
    """
    if not isinstance(text, str) or not _WHOLE.match(text.lower()):
        raise ValueError(f"not a duration: {text!r}")
    seconds = sum(float(n) * _UNITS[u] for n, u in _PART.findall(text.lower()))
    if seconds <= 0:
        raise ValueError(f"duration must be positive: {text!r}")
    try:
        return timedelta(seconds=seconds)
    except OverflowError:  # more than 999,999,999 days (or an infinite number of digits)
        raise ValueError(f"duration too long: {text[:40]!r}") from None


def format_duration(delta: timedelta) -> str:
    """Format a duration compactly, largest units first (``1h30m``, ``2d``, ``45s``)."""
    seconds = int(round(delta.total_seconds()))
    if seconds <= 0:
        return "0s"
    out = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            n, seconds = divmod(seconds, size)
            out.append(f"{n}{unit}")
    return "".join(out)
