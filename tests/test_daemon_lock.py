"""One daemon per database: the fcntl lock beside the database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.errors import AlreadyRunningError
from monitor.scheduler.lock import DaemonLock, lock_path_for, read_lock_pid

HOLD_LOCK = """
import sys, time
from pathlib import Path
from monitor.scheduler.lock import DaemonLock
lock = DaemonLock(Path(sys.argv[1]))
lock.acquire()
print("locked", flush=True)
time.sleep(600)
"""


def test_lock_path_is_beside_the_database(tmp_path: Path) -> None:
    assert lock_path_for(tmp_path / "capwatch.db") == tmp_path / "capwatch.db.lock"


def test_lock_writes_the_pid_and_refuses_a_second_holder(tmp_path: Path) -> None:
    db = tmp_path / "sub" / "capwatch.db"
    with DaemonLock(db) as first:
        assert first.held
        assert read_lock_pid(first.path) == os.getpid()
        second = DaemonLock(db)
        with pytest.raises(AlreadyRunningError) as info:
            second.acquire()
        message = str(info.value)
        assert "already running" in message
        assert f"pid {os.getpid()}" in message
        assert str(db) in message
        assert info.value.exit_code == 1
        assert not second.held
    # released: the file stays (emptied) and the lock can be taken again
    assert first.path.exists()
    assert read_lock_pid(first.path) is None
    with DaemonLock(db) as again:
        assert again.held


def test_release_is_idempotent(tmp_path: Path) -> None:
    lock = DaemonLock(tmp_path / "x.db")
    lock.acquire()
    lock.acquire()  # already held: no-op
    lock.release()
    lock.release()
    assert not lock.held


def test_a_lock_left_by_a_killed_process_does_not_block(tmp_path: Path) -> None:
    db = tmp_path / "capwatch.db"
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(db)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(AlreadyRunningError, match=f"pid {holder.pid}"):
            DaemonLock(db).acquire()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
        if holder.stdout:
            holder.stdout.close()
    assert read_lock_pid(lock_path_for(db)) == holder.pid  # the stale pid is still written...
    with DaemonLock(db) as lock:  # ...but the kernel released the lock
        assert read_lock_pid(lock.path) == os.getpid()
