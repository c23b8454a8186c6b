"""Parse the ``--since``/``--until``/``--from``/``--to`` values people type: ``7d``, ``12h``, ``2026-11-01``."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from storage.times import utcnow

from .durations import parse_duration


def parse_when(text: str, *, now: datetime | None = None) -> datetime:
    """A relative duration (``7d`` = 7 days ago) or an ISO date/time (UTC unless it says otherwise)."""
    try:
        return (now or utcnow()) - parse_duration(text)
    except ValueError:
        pass
    except OverflowError:  # "9999999d": before year 1, so simply "since the beginning"
        return datetime.min.replace(tzinfo=UTC)
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f'expected a duration like "7d" or a date like "2026-11-01", got "{text}"') from None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


class WhenParam(click.ParamType):
    """A click parameter type for :func:`parse_when`."""

    name = "WHEN"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            return parse_when(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


WHEN = WhenParam()
