"""The work the daemon schedules: crawl one source, process a crawl batch, flush the outbox, queue the digest.

Every job opens its own :class:`~storage.store.Store` (SQLite connections are not shared across threads) and
closes it when done; every write a stage makes is its own transaction, so stopping between two jobs, or killing
the process, never leaves anything half-written: what was not done is picked up by the next run.

Crawl jobs for different sources run in parallel. After each crawl a *processing* pass is requested — classify
the new articles, update risk, queue alert notifications. In the daemon the request goes to the
:class:`~monitor.scheduler.worker.BatchWorker`, which serves the requests of a whole crawl batch with one pass;
without one (``--once``, tests) the pass runs right away in the calling thread.
"""

from __future__ import annotations

import logging
import os
import random
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import fields, is_dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from classifiers.types import ClassifierError
from monitor.config import Config, Source
from monitor.crawl import crawl_sources
from monitor.crawl.report import SourceResult, failure_summary
from monitor.errors import CapwatchError
from monitor.notify import FlushReport, digest_due, enqueue_alert_notifications, enqueue_digest, flush_outbox
from monitor.pipeline import ClassifyReport, classify_articles
from monitor.risk import RiskReport, update_risk
from storage.store import Store, StoreError, database_error, is_environment_error
from storage.times import from_iso, utcnow

from .logging_setup import RESERVED_LOG_KEYS

log = logging.getLogger("capwatch.daemon")

# Errors whose message says it all (configuration, models, database): logged on one line, without a traceback.
EXPECTED_ERRORS: tuple[type[Exception], ...] = (CapwatchError, ClassifierError, StoreError)

# Jitter added to each crawl: a tenth of the source's interval, at most five minutes.
JITTER_FRACTION = 0.1
MAX_JITTER = timedelta(minutes=5)
# Sources that are due when the daemon starts are started this far apart (in configuration order).
STARTUP_STEP = timedelta(seconds=0.5)


def file_identity(path: Path) -> tuple[int, int] | None:
    """``(device, inode)`` of the file at ``path``, or None when there is no file there."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino


def crawl_jitter(interval: timedelta) -> float:
    """Seconds of random delay added to every crawl of a source with this interval (10%, at most 5 minutes)."""
    return min(interval.total_seconds() * JITTER_FRACTION, MAX_JITTER.total_seconds())


def next_due(state: dict[str, Any] | None, source: Source) -> datetime | None:
    """When the crawler next wants ``source`` fetched, from its stored state; None if it was never fetched.

    ``next_fetch`` (set by the crawler, backoff included) wins; otherwise ``last_fetch + interval``. A
    ``paused_until`` later than that (a source paused after repeated failures) pushes it further.
    """
    if not state:
        return None
    due: datetime | None = None
    if state.get("next_fetch"):
        due = from_iso(state["next_fetch"])
    elif state.get("last_fetch"):
        due = from_iso(state["last_fetch"]) + source.interval
    if state.get("paused_until"):
        paused = from_iso(state["paused_until"])
        due = paused if due is None or paused > due else due
    return due


def is_due_at_start(state: dict[str, Any] | None, source: Source, now: datetime) -> bool:
    """True when ``source`` was never fetched or its next fetch time has passed."""
    due = next_due(state, source)
    return due is None or due <= now


def first_run_time(state: dict[str, Any] | None, source: Source, now: datetime, slot: int = 0) -> datetime:
    """When the daemon first crawls ``source``.

    A source that is due starts ``slot`` x 0.5 s after ``now`` (the caller numbers the due sources 0, 1, 2 ...
    so they do not all fire at once); any other source starts when it is due, plus the usual jitter.
    """
    due = next_due(state, source)
    if due is None or due <= now:
        return now + slot * STARTUP_STEP
    return due + timedelta(seconds=random.uniform(0, crawl_jitter(source.interval)))


def report_fields(report: Any) -> dict[str, Any]:
    """The scalar fields of a stage report, as structured log fields (``extra=``); names a log record already
    uses (``name``, ``message`` ...) are left out."""
    if not is_dataclass(report) or isinstance(report, type):
        return {}
    out: dict[str, Any] = {}
    for f in fields(report):
        value = getattr(report, f.name)
        if isinstance(value, bool | int | float | str) and f.name not in RESERVED_LOG_KEYS:
            out[f.name] = value
    return out


def log_crawl_result(result: SourceResult) -> None:
    """One line per crawled source: ``crawl NAME: STATUS, N entries, N new articles[, ...][: error]``
    (a warning when the fetch failed or the source is paused)."""
    parts = [result.status if result.status != "skipped" else "skipped (not due yet)"]
    if result.status in ("ok", "not-modified"):
        parts.append(f"{result.entries} entries")
        parts.append(f"{result.new_articles} new articles")
        if result.new_incidents or result.updated_incidents:
            parts.append(f"{result.new_incidents} new / {result.updated_incidents} updated incidents")
        if result.price_changes:
            parts.append(f"{result.price_changes} price changes")
    message = f"crawl {result.name}: " + ", ".join(parts)
    if result.error:
        message += f": {result.error}"
    elif result.warning:
        message += f" (warning: {result.warning})"
    level = logging.WARNING if result.status in ("error", "paused") else logging.INFO
    extra = {"event": "crawl", "source": result.name, **report_fields(result)}
    log.log(level, "%s", message, extra=extra)


def log_classify_report(report: ClassifyReport) -> None:
    """``classify: N articles tagged, M signals (classifier version)``; DEBUG when there was nothing to tag."""
    level = logging.INFO if report.articles else logging.DEBUG
    log.log(
        level, "classify: %d articles tagged, %d signals (%s %s)", report.articles, report.signals,
        report.classifier, report.version,
        extra={"event": "classify", "articles": report.articles, "signals": report.signals,
               "classifier": report.classifier, "version": report.version},
    )


def log_risk_report(report: RiskReport) -> None:
    """One line per alert event (a warning when a level rose), then a summary of the scores."""
    for event in report.events:
        rose = event.kind in ("opened", "escalated")
        log.log(
            logging.WARNING if rose else logging.INFO, "alert %s: %s", event.kind, event.summary,
            extra={"event": "alert", "kind": event.kind, "provider": event.provider, "level": event.level,
                   "previous_level": event.previous_level, "score": round(event.score, 3), "alert_id": event.alert_id},
        )
    levels = {p.provider: p.level for p in report.providers}
    raised = {k: v for k, v in levels.items() if v != "ok"}
    changed = bool(report.events or report.articles_clustered or report.stories_created)
    log.log(
        logging.INFO if changed else logging.DEBUG,
        "risk: %d providers scored (%s), %d articles clustered into %d new stories",
        len(levels), ", ".join(f"{k}={v}" for k, v in sorted(raised.items())) or "all ok",
        report.articles_clustered, report.stories_created,
        extra={"event": "risk", "levels": levels, "alert_events": len(report.events),
               "articles_clustered": report.articles_clustered, "stories_created": report.stories_created},
    )


def log_alerts_queued(queued: int) -> None:
    """``alerts: N notifications queued`` when alert events produced outbox rows."""
    if queued:
        log.info("alerts: %d notifications queued", queued, extra={"event": "alerts", "queued": queued})


def log_flush_report(report: FlushReport) -> None:
    """``outbox: N sent, N retrying, N failed, N held`` when something was attempted; each error as a warning."""
    for error in report.errors:
        log.warning("delivery: %s", error, extra={"event": "delivery-error"})
    log.log(
        logging.INFO if report.attempted else logging.DEBUG,
        "outbox: %d sent, %d retrying, %d failed, %d held", report.sent, report.retrying, report.failed, report.held,
        extra={"event": "flush", "sent": report.sent, "retrying": report.retrying, "failed": report.failed,
               "held": report.held},
    )


class DaemonJobs:
    """The bodies of the daemon's jobs, sharing one stop flag and the crawl-batch bookkeeping.

    ``stop`` is set when the daemon is asked to stop: jobs that have not started yet then return at once, and a
    crawl that finishes after it leaves processing to the next start (nothing is lost: unclassified articles and
    undelivered notifications stay in the database).

    The database file is the one the daemon started with: its device and inode are noted on the first open and
    compared before every job opens it again (and by :meth:`check_database`). When the file was deleted or
    replaced, no job opens it (that would write into an empty new database, or into someone else's), ``fatal``
    says why, and ``stop`` is set: the daemon stops with that error.
    """

    def __init__(self, config: Config, db_path: Path, *, stop: threading.Event | None = None,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.config = config
        self.db_path = Path(db_path)
        self.stop = stop or threading.Event()
        self.clock = clock
        self._running_lock = threading.Lock()
        self._running: dict[str, int] = {}
        self._reschedule: Callable[[str, datetime | None], None] | None = None
        self._request_processing: Callable[[], object] = self.process
        self._identity = file_identity(self.db_path)
        self.fatal: str | None = None
        self._fatal_lock = threading.Lock()

    # ------------------------------------------------------------------------------------------------ plumbing
    def set_rescheduler(self, reschedule: Callable[[str, datetime | None], None]) -> None:
        """Let crawl jobs move their own next run to the time the crawler says the source is next due
        (``reschedule(name, when)``), or remove it (``when`` None) when the crawler disabled the source."""
        self._reschedule = reschedule

    def set_processing_request(self, request: Callable[[], object]) -> None:
        """Send processing requests (one per finished crawl, one at start-up) to ``request`` instead of running
        the pass in the calling thread."""
        self._request_processing = request

    def running(self) -> list[str]:
        """Names of the jobs running right now (for the stop message)."""
        with self._running_lock:
            return sorted(name for name, n in self._running.items() if n > 0)

    @contextmanager
    def _job(self, name: str) -> Iterator[None]:
        with self._running_lock:
            self._running[name] = self._running.get(name, 0) + 1
        try:
            yield
        finally:
            with self._running_lock:
                self._running[name] -= 1

    def check_database(self) -> str | None:
        """None while the database file is the one the daemon started with; otherwise (deleted or replaced) the
        error, logged once, with ``fatal`` and ``stop`` set."""
        with self._fatal_lock:
            if self.fatal is not None or self._identity is None:
                return self.fatal
            now = file_identity(self.db_path)
            if now == self._identity:
                return None
            what = "deleted" if now is None else "replaced by another file"
            self.fatal = (f"the database {self.db_path} was {what} while the daemon ran: stopping so as not to "
                          "write into the new file (restart the daemon to use it)")
        log.error("%s", self.fatal, extra={"event": "database", "ok": False, "database_changed": what})
        self.stop.set()
        return self.fatal

    def _open_store(self) -> Store | None:
        """A fresh connection for this job (one per job: connections are not shared across threads), or None
        (logged) when the database cannot be opened right now or is no longer the daemon's file."""
        if self.check_database() is not None:
            return None
        try:
            store = Store(self.db_path)
        except StoreError as exc:
            log.error("cannot open the database: %s", exc, extra={"event": "database", "ok": False})
            return None
        if self._identity is None:
            self._identity = file_identity(self.db_path)
        elif self.check_database() is not None:  # replaced between the check and the open
            store.close()
            return None
        return store

    def _stage(self, name: str, fn: Callable[[], Any], what: str | None = None) -> tuple[bool, Any]:
        """Run one stage and report whether it succeeded. A failure is logged as ``<what> failed: <reason>``: one
        line for capwatch's own errors (a missing model, a locked database, a full disk ...), with the traceback
        otherwise. Nothing is retried here: the job's next run (or the next processing pass) does the work."""
        try:
            result = fn()
        except Exception as exc:
            if isinstance(exc, StoreError) or is_environment_error(exc):
                # the database locked past the busy timeout, a full disk ...: one line, naming the file
                error = database_error(self.db_path, exc) if isinstance(exc, sqlite3.Error) else exc
                log.error("%s failed: %s; retried at the next run", what or name, error,
                          extra={"event": name, "ok": False, "database": True})
            elif isinstance(exc, EXPECTED_ERRORS):
                log.error("%s failed: %s", what or name, exc, extra={"event": name, "ok": False})
            else:
                log.exception("%s failed: %s", what or name, exc, extra={"event": name, "ok": False})
            return False, None
        return True, result

    # ------------------------------------------------------------------------------------------------ crawl
    def crawl(self, source_name: str) -> None:
        """Crawl one source if it is due, then request processing (unless the daemon is stopping)."""
        if self.stop.is_set():
            return
        with self._job(f"crawl:{source_name}"):
            self._stage("crawl", lambda: self._crawl(source_name), f"crawl {source_name}")
        if not self.stop.is_set():
            self._request_processing()

    def _crawl(self, source_name: str) -> None:
        store = self._open_store()
        if store is None:
            return
        try:
            report = crawl_sources(self.config, store, names=[source_name])
            for r in report.results:
                log_crawl_result(r)
            if any(r.status == "disabled" for r in report.results):
                self._drop(source_name)
            else:
                self._follow_crawler_schedule(store, source_name)
        finally:
            store.close()

    def _drop(self, source_name: str) -> None:
        """Stop crawling a source the crawler disabled (410 Gone); a fixed configuration needs a restart anyway."""
        if self._reschedule is None:
            return
        log.warning("source %s is disabled: not crawled again until the daemon restarts", source_name,
                    extra={"event": "schedule", "source": source_name})
        self._reschedule(source_name, None)

    def _follow_crawler_schedule(self, store: Store, source_name: str) -> None:
        """Move the source's next run to when the crawler next wants it (a backoff pause, a not-yet-due skip)."""
        if self._reschedule is None:
            return
        source = self.config.source(source_name)
        due = next_due(store.source_state(source_name), source)
        if due is not None and due > self.clock():
            self._reschedule(source_name, due + timedelta(seconds=random.uniform(0, crawl_jitter(source.interval))))

    # ------------------------------------------------------------------------------------------------ process
    def process(self) -> bool:
        """One processing pass: classify unclassified articles, update risk, queue alert notifications.

        Each stage runs even if an earlier one failed (each reads what is stored); returns True if all succeeded.
        """
        with self._job("process"):
            store = self._open_store()
            if store is None:
                return False
            try:
                ok = True
                for name, run, report in (
                    ("classify", lambda: classify_articles(self.config, store), log_classify_report),
                    ("risk", lambda: update_risk(self.config, store, now=self.clock()), log_risk_report),
                    ("alerts", lambda: enqueue_alert_notifications(self.config, store, now=self.clock()), log_alerts_queued),
                ):
                    if self.stop.is_set():  # stopping: the remaining stages run at the next start
                        return False
                    done, result = self._stage(name, run)
                    if done:
                        report(result)
                    ok = ok and done
            finally:
                store.close()
        return ok

    # ------------------------------------------------------------------------------------------------ notify
    def flush(self) -> bool:
        """Deliver what is due in the outbox (failed deliveries stay there and are retried with backoff)."""
        if self.stop.is_set():
            return True
        with self._job("flush"):
            store = self._open_store()
            if store is None:
                return False
            try:
                ok, report = self._stage("flush", lambda: flush_outbox(self.config, store, clock=self.clock))
            finally:
                store.close()
        if ok:
            log_flush_report(report)
        return ok

    def digest(self) -> bool:
        """Queue today's digest if it is due and not yet queued, then deliver it."""
        if self.stop.is_set():
            return True
        with self._job("digest"):
            store = self._open_store()
            if store is None:
                return False
            try:
                now = self.clock()
                ok, delivery = self._stage(
                    "digest",
                    lambda: enqueue_digest(self.config, store, now=now) if digest_due(self.config, store, now) else None,
                )
            finally:
                store.close()
        if ok and delivery is not None:
            log.info("digest queued (delivery %s)", delivery, extra={"event": "digest", "delivery": delivery})
            return self.flush()
        return ok

    # ------------------------------------------------------------------------------------------------ whole runs
    def catch_up(self) -> None:
        """At start-up: finish what a previous run left undone (unclassified articles, risk, a missed digest,
        undelivered notifications)."""
        if self.stop.is_set():
            return
        self._request_processing()
        self.digest()
        self.flush()

    def run_cycle(self) -> bool:
        """``capwatch run --once``: crawl every due source, process, queue the digest if due, flush the outbox.

        Returns True when every stage succeeded and no source failed to fetch (the failures are logged with a
        one-line summary, "2 of 5 sources failed: 1 DNS, 1 timeout", and the later stages still run); False as
        well when ``stop`` was set, after the stage that was running then.
        """

        def crawl_all() -> bool:
            store = self._open_store()
            if store is None:
                return False
            try:
                report = crawl_sources(self.config, store)
            finally:
                store.close()
            for r in report.results:
                log_crawl_result(r)
            summary = failure_summary(report.results)
            if summary:
                log.error("crawl: %s", summary, extra={"event": "crawl-summary", "ok": False})
                return False
            return True

        with self._job("crawl"):
            done, opened = self._stage("crawl", crawl_all)
        ok = done and bool(opened)
        for stage in (self.process, self.digest, self.flush):
            if self.stop.is_set():
                return False
            ok = stage() and ok
        return ok and not self.stop.is_set()
