"""Unicode sparklines for risk series in the terminal."""

from __future__ import annotations

from collections.abc import Sequence

BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float], top: float | None = None) -> str:
    """One bar per value, scaled from 0 to the larger of ``top`` and the series' maximum.

    Passing the watch threshold as ``top`` keeps a calm series flat instead of stretching its noise to full
    height. Negative values draw as the lowest bar; an empty series gives an empty string.
    """
    if not values:
        return ""
    ceiling = max(max(values), top or 0.0)
    if ceiling <= 0:
        return BARS[0] * len(values)
    steps = len(BARS) - 1
    return "".join(BARS[max(0, min(steps, round(v / ceiling * steps)))] for v in values)
