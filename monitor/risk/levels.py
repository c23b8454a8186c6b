"""Risk levels (ok < watch < warning < critical) from a score, with hysteresis.

A level is entered when the score reaches its threshold, and left only when the score falls below
``threshold x (1 - hysteresis)``: a score wobbling around a threshold does not flap between two levels.
"""

from __future__ import annotations

from collections.abc import Mapping

from monitor.config import LEVELS


def level_rank(level: str | None) -> int:
    """0 for ok (and None or an unknown name), 1 watch, 2 warning, 3 critical."""
    return LEVELS.index(level) if level in LEVELS else 0


def raw_level(score: float, thresholds: Mapping[str, float], factor: float = 1.0) -> str:
    """The highest level whose threshold (times ``factor``) ``score`` reaches; ``ok`` below them all."""
    found = LEVELS[0]
    for name in LEVELS[1:]:
        if score >= thresholds[name] * factor:
            found = name
    return found


def level_for(score: float, previous: str | None, thresholds: Mapping[str, float], hysteresis: float) -> str:
    """The level of ``score`` given the ``previous`` level (None: no history, only rising thresholds count).

    Rising uses the thresholds; a level already held is kept while the score stays at or above its threshold
    lowered by the ``hysteresis`` fraction.
    """
    up = raw_level(score, thresholds)
    if previous is None:
        return up
    down = raw_level(score, thresholds, 1.0 - hysteresis)
    kept = LEVELS[min(level_rank(previous), level_rank(down))]
    return up if level_rank(up) >= level_rank(kept) else kept
