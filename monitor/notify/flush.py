"""Send the due messages of the outbox: paced per destination, in order per destination, retried with backoff.

Rules (docs/delivery.md explains them for users):

- Messages to one destination (one Slack webhook, one SMTP server) leave in the order they were queued. While
  the oldest is waiting for its retry time, the ones behind it wait too, so "opened" never arrives after
  "resolved".
- Each destination gets at most one message per ``min_interval_seconds`` (Slack; 1 s by default), measured from
  the end of one request to the start of the next, across flushes of the same process.
- A 429 blocks the destination for ``Retry-After`` seconds; when that is at most ``max_wait_seconds`` the flush
  waits and tries again (the message is counted once, by the outcome of that later attempt; the wait is counted
  in ``rate_limit_waits``), otherwise the message (and those behind it) wait for a later flush (``retrying``).
- An SMTP refusal for size (552) re-renders a digest smaller (under the server's SIZE, else half as large) and
  sends that in the same flush; when it cannot get smaller it is retried like a 5xx below, never failed at once.
- 5xx, network errors and missing settings keep the message pending with exponential backoff
  (``retry_base_seconds`` x 2^(attempt-1), at most one hour) and stop that destination for this flush;
  after ``max_attempts`` attempts the message is marked failed. Other 4xx mark it failed at once.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum

from storage.store import Store
from storage.times import utcnow

from ..config import Config
from . import outbox
from .digest import shrink_digest
from .errors import DeliveryError, PermanentError, RetryableError
from .mail import MessageTooLarge, send_email
from .outbox import Delivery
from .routes import webhook_url
from .slack import post_message

DEFAULT_MAX_WAIT = 30.0


class Pacer:
    """Earliest next send per destination, on the monotonic clock, shared by the flushes of one process."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._ready: dict[str, float] = {}
        self._lock = threading.Lock()

    def ready_at(self, key: str) -> float:
        """When ``key`` may next be sent to (monotonic seconds; 0 when it never was)."""
        with self._lock:
            return self._ready.get(key, 0.0)

    def wait(self, key: str, sleep: Callable[[float], object]) -> None:
        """Sleep until ``key`` may be sent to."""
        delay = self.ready_at(key) - self._clock()
        if delay > 0:
            sleep(delay)

    def hold(self, key: str, seconds: float) -> None:
        """Send nothing to ``key`` for ``seconds`` from now (after a send, or a 429's Retry-After)."""
        with self._lock:
            self._ready[key] = max(self._ready.get(key, 0.0), self._clock() + seconds)


DEFAULT_PACER = Pacer()


@dataclass
class FlushReport:
    """What one flush did, counting each message once, by where it ended: ``sent``; ``retrying`` (a failed attempt,
    left pending for a later flush); ``failed``; ``held`` (not attempted: not due yet, queued behind one that is,
    or taken by another process). A message rate limited (429) and sent after waiting within the flush counts as
    sent, not as retrying; ``rate_limit_waits`` counts those waits."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    held: int = 0
    rate_limit_waits: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return self.sent + self.retrying + self.failed


class _Outcome(Enum):
    SENT = "sent"
    FAILED = "failed"
    RETRY_NOW = "retry-now"  # rate limited briefly: wait in this flush, then try again
    RETRY_LATER = "retry-later"  # stop this destination for this flush
    TAKEN = "taken"  # another process claimed it first


@dataclass(frozen=True)
class _Lane:
    key: str
    interval: float


def _lane(config: Config, d: Delivery) -> _Lane:
    """The destination a delivery goes to, for ordering and pacing."""
    if d.channel == "slack":
        interval = config.notify.slack.min_interval_seconds if config.notify.slack else 1.0
        env = str(d.payload.get("webhook_url_env", ""))
        try:
            return _Lane("slack:" + webhook_url(env), interval)
        except DeliveryError:
            return _Lane("slack-env:" + env, interval)
    if d.channel == "email" and config.notify.email is not None:
        return _Lane(f"email:{config.notify.email.smtp_host}:{config.notify.email.smtp_port}", 0.0)
    return _Lane(f"{d.channel}:{d.target}", 0.0)


def _send(config: Config, d: Delivery) -> str | None:
    """Hand one delivery to its channel; return a note to keep with it, or raise a DeliveryError."""
    if d.channel == "slack":
        post_message(webhook_url(str(d.payload.get("webhook_url_env", ""))), d.payload["message"])
        return None
    if d.channel == "email":
        if config.notify.email is None:
            raise RetryableError("notify.email is not configured")
        refused = send_email(config.notify.email, d.payload)
        return f"recipients refused: {', '.join(refused)}" if refused else None
    raise PermanentError(f"unknown channel {d.channel!r}")


def _attempt(
    config: Config, store: Store, d: Delivery, lane: _Lane, clock: Callable[[], datetime], pacer: Pacer,
    report: FlushReport, max_wait_seconds: float,
) -> _Outcome:
    settings = config.notify
    wait = outbox.backoff(d.attempts + 1, settings.retry_base_seconds)
    if not outbox.claim(store, d, clock(), clock() + wait):
        return _Outcome.TAKEN
    attempt = d.attempts + 1
    try:
        try:
            note = _send(config, d)
        finally:
            pacer.hold(lane.key, lane.interval)
    except PermanentError as exc:
        outbox.mark_failed(store, d.id, exc.reason)
        report.failed += 1
        report.errors.append(f"delivery {d.id} ({d.channel} {d.target}) failed: {exc.reason}")
        return _Outcome.FAILED
    except Exception as exc:  # RetryableError, or a bug in a sender: either way, try again later
        reason = exc.reason if isinstance(exc, DeliveryError) else f"unexpected {exc.__class__.__name__}: {exc}"
        retry_after = exc.retry_after if isinstance(exc, RetryableError) else None
        if isinstance(exc, MessageTooLarge) and d.kind == "digest":
            try:
                smaller = shrink_digest(config, store, d, exc)
            except Exception as err:  # noqa: BLE001 - rendering failed: keep the digest, retry it as it is
                smaller = None
                reason += f" (cannot render it smaller: {err.__class__.__name__}: {err})"
            if smaller is not None:  # the same digest, summarised further: sent again in this flush
                outbox.replace_payload(store, d.id, smaller, reason, clock())
                report.errors.append(
                    f"delivery {d.id} ({d.channel} {d.target}) too large for the server ({reason}); "
                    "rendered smaller, sending that"
                )
                return _Outcome.RETRY_NOW
        if attempt >= settings.max_attempts:
            outbox.mark_failed(store, d.id, f"gave up after {attempt} attempts: {reason}")
            report.failed += 1
            report.errors.append(f"delivery {d.id} ({d.channel} {d.target}) failed after {attempt} attempts: {reason}")
            return _Outcome.FAILED
        if retry_after is not None:
            pacer.hold(lane.key, retry_after)
            outbox.mark_retry(store, d.id, reason, clock() + timedelta(seconds=retry_after))
            if retry_after <= max_wait_seconds:  # waited out in this flush: its outcome is the next attempt's
                report.rate_limit_waits += 1
                report.errors.append(
                    f"delivery {d.id} ({d.channel} {d.target}) rate limited, trying again in {retry_after:g}s: {reason}"
                )
                return _Outcome.RETRY_NOW
        report.retrying += 1
        report.errors.append(f"delivery {d.id} ({d.channel} {d.target}) will be retried: {reason}")
        if retry_after is not None:
            return _Outcome.RETRY_LATER
        outbox.mark_retry(store, d.id, reason, clock() + wait)
        return _Outcome.RETRY_LATER
    outbox.mark_sent(store, d.id, clock(), note)
    report.sent += 1
    return _Outcome.SENT


def flush_outbox(
    config: Config,
    store: Store,
    *,
    now: datetime | None = None,
    sleep: Callable[[float], object] = time.sleep,
    pacer: Pacer | None = None,
    ids: list[int] | None = None,
    ignore_schedule: bool = False,
    max_wait_seconds: float = DEFAULT_MAX_WAIT,
    clock: Callable[[], datetime] | None = None,
) -> FlushReport:
    """Send every due pending delivery (only ``ids`` when given; due or not with ``ignore_schedule``, except one
    whose attempt another process has in flight).

    ``now`` fixes the wall clock used for due times and scheduling, or ``clock`` supplies it at each step
    (default: the real time at each step); pacing always uses the real monotonic clock and ``sleep``.
    """
    pacer = pacer or DEFAULT_PACER
    if clock is None:
        clock = (lambda: now) if now is not None else utcnow
    report = FlushReport()
    lanes: dict[str, deque[Delivery]] = {}
    info: dict[str, _Lane] = {}
    stopped: set[str] = set()
    for d in outbox.pending(store, ids=ids):
        lane = _lane(config, d)
        waiting = d.in_flight(clock()) if ignore_schedule else d.next_attempt > clock()
        if lane.key in stopped or waiting:
            stopped.add(lane.key)  # keep the order: nothing overtakes a message waiting for its retry
            report.held += 1
            continue
        lanes.setdefault(lane.key, deque()).append(d)
        info[lane.key] = lane
    while lanes:
        key = min(lanes, key=pacer.ready_at)
        queue = lanes[key]
        pacer.wait(key, sleep)
        d = queue.popleft()
        outcome = _attempt(config, store, d, info[key], clock, pacer, report, max_wait_seconds)
        if outcome is _Outcome.RETRY_NOW:
            again = outbox.get(store, d.id)
            if again is not None and again.status == "pending":
                queue.appendleft(again)
            else:  # (changed by another process meanwhile: not this flush's to count as sent or failed)
                report.held += 1
        elif outcome in (_Outcome.RETRY_LATER, _Outcome.TAKEN):  # TAKEN: another process is sending this lane
            report.held += len(queue) + (outcome is _Outcome.TAKEN)
            queue.clear()
        if not queue:
            del lanes[key]
    return report
