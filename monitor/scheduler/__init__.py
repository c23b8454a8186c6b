"""The daemon behind ``capwatch run``: APScheduler 3 jobs that drive crawl, classify, risk and delivery.

``from monitor.scheduler import run_daemon`` imports the daemon (and with it every stage) on first use only, so
importing :mod:`monitor.scheduler.lock` or :mod:`monitor.scheduler.logging_setup` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .daemon import run_daemon

__all__ = ["run_daemon"]


def __getattr__(name: str) -> Any:
    if name == "run_daemon":
        from .daemon import run_daemon

        return run_daemon
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
