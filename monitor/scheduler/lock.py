"""One daemon per database: an exclusive ``fcntl.flock`` on a lock file beside the database.

The lock file is ``<db>.lock`` (for ``capwatch.db``: ``capwatch.db.lock``) and holds the owner's pid. The lock is
held by the open file, not by the file's existence: the kernel releases it when the process exits for any reason,
``kill -9`` included, so a stale lock file never blocks a restart. The file itself is left in place on release
(only emptied): deleting it would let a process that opened the old file and a process that creates a new one both
believe they hold the lock.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType
from typing import IO

from monitor.errors import AlreadyRunningError


def lock_path_for(db_path: Path) -> Path:
    """The lock file of the database at ``db_path``: the same path with ``.lock`` appended."""
    return db_path.with_name(db_path.name + ".lock")


def read_lock_pid(lock_path: Path) -> int | None:
    """The pid written in ``lock_path``, or None when the file is missing, empty or unreadable."""
    try:
        text = lock_path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None


class DaemonLock:
    """An exclusive, non-blocking lock on ``<db>.lock``; use as a context manager or call acquire/release.

    :meth:`acquire` raises :class:`~monitor.errors.AlreadyRunningError` (exit code 1) naming the pid of the
    process that holds the lock when another process (or another DaemonLock in this process) already holds it.
    """

    def __init__(self, db_path: Path) -> None:
        self.db_path = Path(db_path)
        self.path = lock_path_for(self.db_path)
        self._file: IO[str] | None = None

    @property
    def held(self) -> bool:
        """True while this object holds the lock."""
        return self._file is not None

    def acquire(self) -> None:
        """Take the lock and write our pid into the lock file, or raise AlreadyRunningError."""
        if self._file is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # "a+" creates the file if needed and never truncates a file another process may be describing.
        f = open(self.path, "a+", encoding="ascii")  # noqa: SIM115 - kept open for the lifetime of the lock
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.close()
            pid = read_lock_pid(self.path)
            who = f"pid {pid}" if pid is not None else "unknown pid"
            raise AlreadyRunningError(
                f"another capwatch daemon ({who}) is already running on {self.db_path} "
                f"(lock file {self.path}); stop it first, or use another --db"
            ) from None
        except OSError as exc:
            f.close()
            raise AlreadyRunningError(f"cannot lock {self.path}: {exc}") from None
        f.seek(0)
        f.truncate()
        f.write(f"{os.getpid()}\n")
        f.flush()
        self._file = f

    def release(self) -> None:
        """Empty the lock file and release the lock (idempotent)."""
        f, self._file = self._file, None
        if f is None:
            return
        try:
            f.seek(0)
            f.truncate()
            f.flush()
        except OSError:
            pass
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)
            f.close()

    def __enter__(self) -> DaemonLock:
        self.acquire()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.release()
