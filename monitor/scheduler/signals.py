"""SIGINT and SIGTERM for the daemon: the first asks for a graceful stop, a second one exits at once.

The handler does no locking work of its own (it records the signal; the kernel-level wake-up goes through a
socket pair registered with :func:`signal.set_wakeup_fd`), so it cannot deadlock with the interrupted code.
A second signal calls ``os._exit(128 + signal)``: SQLite rolls back any open transaction, so the database stays
consistent even then.
"""

from __future__ import annotations

import logging
import os
import select
import signal
import socket
from collections.abc import Callable
from types import FrameType, TracebackType

log = logging.getLogger("capwatch.daemon")

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def signal_name(signum: int) -> str:
    """``SIGTERM`` for 15, and so on."""
    return signal.Signals(signum).name


class StopSignals:
    """Install the stop handlers for SIGINT and SIGTERM (main thread only) until :meth:`restore` / ``with`` exit.

    ``on_first(signum)`` runs inside the handler on the first signal; it must not take a lock the main thread may
    hold (setting a :class:`threading.Event` nobody waits on from the main thread is fine).
    """

    def __init__(self, on_first: Callable[[int], None] | None = None) -> None:
        self.received: int | None = None
        self._on_first = on_first
        self._rsock, self._wsock = socket.socketpair()
        self._rsock.setblocking(False)
        self._wsock.setblocking(False)
        self._old_fd = signal.set_wakeup_fd(self._wsock.fileno(), warn_on_full_buffer=False)
        self._old_handlers = {sig: signal.signal(sig, self._handle) for sig in STOP_SIGNALS}

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.received is not None:
            log.warning("second %s: exiting immediately", signal_name(signum), extra={"event": "forced-stop"})
            os._exit(128 + signum)
        self.received = signum
        if self._on_first is not None:
            self._on_first(signum)

    def wait(self, timeout: float | None = None) -> int | None:
        """Block until a stop signal arrives (returns at once if one already did) and return its number; with
        ``timeout``, return None when no signal came within that many seconds."""
        while self.received is None:
            ready, _, _ = select.select([self._rsock], [], [], timeout)
            try:
                while self._rsock.recv(64):
                    pass
            except BlockingIOError:
                pass
            if not ready and timeout is not None:
                break
        return self.received

    def restore(self) -> None:
        """Put back the previous handlers and wake-up fd."""
        for sig, handler in self._old_handlers.items():
            signal.signal(sig, handler)
        signal.set_wakeup_fd(self._old_fd)
        self._rsock.close()
        self._wsock.close()

    def __enter__(self) -> StopSignals:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.restore()
