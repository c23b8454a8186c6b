"""``capwatch run``: the long-running daemon (APScheduler 3) and its one-shot ``--once`` cycle.

Jobs (see docs/daemon.md):

- ``crawl:<source>`` for every enabled source, every ``interval`` plus a random jitter (10% of the interval, at
  most 5 minutes) so sources do not fire together; the first run is when the source is next due according to its
  stored state (immediately for a source never fetched). After each crawl batch the processing worker
  (:mod:`.worker`) classifies, updates risk and queues alerts.
- ``flush``: deliver the outbox every minute.
- ``digest``: queue the daily digest at ``settings.digest_time`` in ``settings.timezone``.
- ``catch-up``: once at start-up, process what a previous run left undone, queue a missed digest, flush.

Every job coalesces missed runs into one, never runs twice at the same time, and still runs if it is late by less
than its misfire grace time. SIGINT or SIGTERM stop the daemon gracefully: no new job starts, running jobs finish
their current write, and the process exits 0. A second signal exits at once (SQLite rolls back any open
transaction, so the database stays consistent). Only one daemon runs per database (see :mod:`.lock`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from monitor.config import Config
from monitor.durations import format_duration
from monitor.errors import StorageError
from storage.store import Store, StoreError
from storage.times import utcnow

from .jobs import DaemonJobs, crawl_jitter, first_run_time, is_due_at_start
from .lock import DaemonLock
from .logging_setup import configure_logging
from .signals import StopSignals, signal_name
from .worker import BatchWorker

log = logging.getLogger("capwatch.daemon")

FLUSH_INTERVAL = timedelta(minutes=1)
MAX_CRAWL_WORKERS = 4
# How late a job may start and still run (seconds). Crawls: one interval (later than that, the next run is due).
FLUSH_GRACE = 60
DIGEST_GRACE = 6 * 3600
CATCH_UP_GRACE = 3600
DATABASE_CHECK_SECONDS = 2.0
"""How often the main thread checks that the database file is still the one the daemon opened (every job checks
too, before it opens the database)."""


def crawl_job_id(source_name: str) -> str:
    """The scheduler id of a source's crawl job."""
    return f"crawl:{source_name}"


def build_scheduler(config: Config, jobs: DaemonJobs, states: dict[str, dict[str, Any]], now: datetime) -> BackgroundScheduler:
    """A (not yet started) scheduler holding every job of the daemon; ``states`` maps source name to stored state."""
    tz = ZoneInfo(config.settings.timezone)
    sources = [s for s in config.sources if s.enabled]
    scheduler = BackgroundScheduler(
        executors={
            "default": ThreadPoolExecutor(2),
            "crawl": ThreadPoolExecutor(max(1, min(MAX_CRAWL_WORKERS, len(sources)))),
        },
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": FLUSH_GRACE},
        timezone=tz,
    )
    slot = 0
    for source in sources:
        state = states.get(source.name)
        first = first_run_time(state, source, now, slot)
        if is_due_at_start(state, source, now):
            slot += 1
        scheduler.add_job(
            jobs.crawl,
            IntervalTrigger(
                seconds=source.interval.total_seconds(),
                start_date=first,
                jitter=crawl_jitter(source.interval),
                timezone=UTC,
            ),
            args=[source.name],
            id=crawl_job_id(source.name),
            name=f"crawl {source.name}",
            executor="crawl",
            next_run_time=first,
            misfire_grace_time=max(FLUSH_GRACE, int(source.interval.total_seconds())),
        )
    scheduler.add_job(
        jobs.catch_up, DateTrigger(run_date=now, timezone=UTC), id="catch-up", name="catch up",
        misfire_grace_time=CATCH_UP_GRACE,
    )
    scheduler.add_job(
        jobs.flush,
        IntervalTrigger(seconds=FLUSH_INTERVAL.total_seconds(), start_date=now + FLUSH_INTERVAL, timezone=UTC),
        id="flush",
        name="flush outbox",
    )
    digest_at = config.settings.digest_time
    scheduler.add_job(
        jobs.digest,
        CronTrigger(hour=digest_at.hour, minute=digest_at.minute, timezone=tz),
        id="digest",
        name="daily digest",
        misfire_grace_time=DIGEST_GRACE,
    )
    return scheduler


def _check_database(db_path: Path) -> dict[str, dict[str, Any]]:
    """Open (create, migrate) the database once before anything is scheduled; return every source's state."""
    try:
        with Store(db_path) as store:
            return {row["name"]: row for row in store.sources_state()}
    except StoreError as exc:
        raise StorageError(str(exc)) from None


def _describe_schedule(config: Config, scheduler: BackgroundScheduler) -> None:
    """Log what will run when: the number of sources, the digest time, and each source's cadence and first crawl."""
    tz = config.settings.timezone
    enabled = [s for s in config.sources if s.enabled]
    log.info(
        "%d sources to crawl, digest at %s %s, outbox flushed every minute",
        len(enabled), config.settings.digest_time.strftime("%H:%M"), tz,
        extra={"event": "schedule", "sources": len(enabled)},
    )
    for source in config.sources:
        if not source.enabled:
            log.info("source %s is disabled: not crawled", source.name, extra={"event": "schedule", "source": source.name})
            continue
        job = scheduler.get_job(crawl_job_id(source.name))
        when: datetime | None = job.next_run_time if job else None
        log.info(
            "source %s: every %s (jitter up to %s), first crawl at %s",
            source.name, format_duration(source.interval), format_duration(timedelta(seconds=crawl_jitter(source.interval))),
            when.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M:%S %Z") if when else "?",
            extra={"event": "schedule", "source": source.name,
                   "first_run": when.astimezone(UTC).isoformat(timespec="seconds") if when else None},
        )
    if not enabled:
        log.warning("no enabled sources in %s: nothing will be crawled", config.path, extra={"event": "schedule"})


def run_daemon(config: Config, db_path: Path, *, once: bool = False, log_format: str = "human") -> int:
    """Run the daemon on ``db_path`` until SIGINT/SIGTERM (or one full cycle with ``once``); return the exit code.

    Raises :class:`~monitor.errors.AlreadyRunningError` if another daemon holds the database's lock and
    :class:`~monitor.errors.StorageError` if the database cannot be opened. Returns 0 after a clean stop, 1 when
    it stopped because the database file was deleted or replaced; with ``once``, 0 if every stage succeeded and
    no source failed, 1 otherwise.
    """
    configure_logging(log_format)
    db_path = Path(db_path)
    with DaemonLock(db_path):
        states = _check_database(db_path)
        log.info("using database %s", db_path, extra={"event": "database", "db": str(db_path)})
        if once:
            return _run_once(config, db_path)
        return _serve(config, db_path, states)


def _run_once(config: Config, db_path: Path) -> int:
    """One cycle in this thread; a first SIGINT/SIGTERM ends it after the running stage (exit 1)."""
    jobs = DaemonJobs(config, db_path)

    def stop(signum: int) -> None:
        log.info("%s received: stopping after the current stage", signal_name(signum),
                 extra={"event": "stopping", "signal": signal_name(signum)})
        jobs.stop.set()  # safe in a handler here: the main thread only ever reads this event

    with StopSignals(on_first=stop):
        ok = jobs.run_cycle()
    if jobs.fatal is not None:
        log.error("cycle stopped: %s", jobs.fatal, extra={"event": "cycle", "ok": False})
        return 1
    if jobs.stop.is_set():
        log.info("cycle interrupted", extra={"event": "cycle", "ok": False})
        return 1
    log.info("cycle finished%s", "" if ok else " with errors", extra={"event": "cycle", "ok": ok})
    return 0 if ok else 1


def _serve(config: Config, db_path: Path, states: dict[str, dict[str, Any]]) -> int:
    """Start the scheduler, sleep until SIGINT/SIGTERM, then stop: no new job, running jobs finish (exit 0).

    The database file is checked every :data:`DATABASE_CHECK_SECONDS` (and by every job): deleted or replaced,
    the daemon stops the same way and returns 1 with the error logged.
    """
    stop = threading.Event()
    guard = threading.Lock()  # serialises job rescheduling with the start of shutdown (both need the job store)
    jobs = DaemonJobs(config, db_path, stop=stop)
    scheduler = build_scheduler(config, jobs, states, utcnow())

    def reschedule(source_name: str, when: datetime | None) -> None:
        with guard:
            if stop.is_set():
                return
            with contextlib.suppress(JobLookupError):
                if when is None:
                    scheduler.remove_job(crawl_job_id(source_name))
                else:
                    scheduler.modify_job(crawl_job_id(source_name), next_run_time=when)

    jobs.set_rescheduler(reschedule)
    worker = BatchWorker(jobs.process)
    jobs.set_processing_request(worker.request)
    signals = StopSignals()
    try:
        _describe_schedule(config, scheduler)
        worker.start()
        scheduler.start()
        log.info("capwatch daemon started (pid %d)", os.getpid(), extra={"event": "started"})
        signum: int | None = None
        while signum is None and jobs.check_database() is None:
            signum = signals.wait(timeout=DATABASE_CHECK_SECONDS)
        running = jobs.running()
        after = f" after the running jobs finish ({', '.join(running)})" if running else ""
        if signum is None:
            log.error("stopping%s: %s", after, jobs.fatal, extra={"event": "stopping", "running": running})
        else:
            log.info(
                "%s received: stopping%s", signal_name(signum), after,
                extra={"event": "stopping", "signal": signal_name(signum), "running": running},
            )
        with guard:
            stop.set()
        worker.begin_close()
        scheduler.shutdown(wait=True)
        worker.join()
    finally:
        signals.restore()
    if jobs.fatal is not None:
        log.error("capwatch daemon stopped: %s", jobs.fatal, extra={"event": "stopped", "ok": False})
        return 1
    log.info("capwatch daemon stopped", extra={"event": "stopped"})
    return 0
