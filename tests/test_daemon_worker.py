"""The processing worker: one pass per crawl batch, never two at once, nothing after close."""

from __future__ import annotations

import threading

from monitor.scheduler.worker import BatchWorker

WAIT = 30.0  # an upper bound for events that happen within milliseconds


class Passes:
    """A pass function that can be held inside its first run, counting runs."""

    def __init__(self, *, hold_first: bool = False, fail_first: bool = False) -> None:
        self.count = 0
        self.hold_first = hold_first
        self.fail_first = fail_first
        self.entered = threading.Event()
        self.release = threading.Event()
        self.done = [threading.Event() for _ in range(5)]
        self.overlap = False
        self._inside = False

    def __call__(self) -> None:
        if self._inside:
            self.overlap = True
        self._inside = True
        self.count += 1
        n = self.count
        try:
            if n == 1:
                self.entered.set()
                if self.hold_first:
                    assert self.release.wait(WAIT)
                if self.fail_first:
                    raise RuntimeError("boom")
        finally:
            self._inside = False
            self.done[n - 1].set()


def test_requests_during_a_pass_are_served_by_one_more_pass() -> None:
    passes = Passes(hold_first=True)
    worker = BatchWorker(passes)
    worker.start()
    try:
        worker.request()
        assert passes.entered.wait(WAIT)
        for _ in range(3):  # three crawls finish while the first pass runs
            worker.request()
        passes.release.set()
        assert passes.done[1].wait(WAIT)
        assert worker.idle
    finally:
        worker.close(WAIT)
    assert passes.count == 2
    assert not passes.overlap


def test_close_lets_the_running_pass_finish_and_drops_pending_requests() -> None:
    passes = Passes(hold_first=True)
    worker = BatchWorker(passes)
    worker.start()
    worker.request()
    assert passes.entered.wait(WAIT)
    worker.request()
    worker.begin_close()
    passes.release.set()
    worker.join(WAIT)
    assert passes.done[0].is_set()
    assert passes.count == 1


def test_a_failing_pass_does_not_stop_the_worker() -> None:
    passes = Passes(fail_first=True)
    worker = BatchWorker(passes)
    worker.start()
    try:
        worker.request()
        assert passes.done[0].wait(WAIT)
        worker.request()
        assert passes.done[1].wait(WAIT)
    finally:
        worker.close(WAIT)
    assert passes.count == 2
