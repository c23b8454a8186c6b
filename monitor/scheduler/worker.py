"""The processing worker: one thread that classifies, scores risk and queues alerts after each crawl batch.

Crawl jobs only *request* a pass (:meth:`BatchWorker.request` never blocks), so a slow pass — a transformer working
through a backlog — never holds a crawl thread. Requests that arrive while a pass runs are served together by one
more pass: every crawl is followed by a pass that started after it finished, and passes never overlap.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger("capwatch.daemon")


class BatchWorker:
    """Run ``run_pass`` in a background thread whenever work was requested since the last pass started."""

    def __init__(self, run_pass: Callable[[], object], *, name: str = "capwatch-process") -> None:
        self._run_pass = run_pass
        self._cond = threading.Condition()
        self._requested = 0  # requests so far
        self._served = 0  # requests covered by a pass that has started
        self._closing = False
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def start(self) -> None:
        """Start the worker thread."""
        self._thread.start()

    def request(self) -> None:
        """Ask for a pass (after a crawl finished); returns at once."""
        with self._cond:
            self._requested += 1
            self._cond.notify()

    def begin_close(self) -> None:
        """Start no further pass (the running one finishes); returns at once.

        Requests not yet served are dropped: what they would have processed is still in the database and is
        picked up by the next start.
        """
        with self._cond:
            self._closing = True
            self._cond.notify()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the worker thread to end (after :meth:`begin_close`)."""
        if self._thread.is_alive():
            self._thread.join(timeout)

    def close(self, timeout: float | None = None) -> None:
        """:meth:`begin_close`, then :meth:`join`."""
        self.begin_close()
        self.join(timeout)

    @property
    def idle(self) -> bool:
        """True when every request so far has been covered by a pass that has started (for tests and logs)."""
        with self._cond:
            return self._served == self._requested

    def _loop(self) -> None:
        while True:
            with self._cond:
                while self._served == self._requested and not self._closing:
                    self._cond.wait()
                if self._closing:
                    return
                self._served = self._requested
            try:
                self._run_pass()
            except Exception:  # the pass logs its own stage failures; this is a last resort
                log.exception("processing pass failed", extra={"event": "process", "ok": False})
