"""The digest on a flooded day (issue 16, finding 1): 220,000 price changes and 20,000 incidents in one window.

Seeds a temporary database, then runs ``capwatch digest --send`` as a process against an aiosmtpd server on
127.0.0.1 that refuses messages over 1 MB (552), and prints the outcome, the time, the process's peak RSS and the
size of the message the server accepted.

    .venv/bin/python benchmarks/digest_flood.py [--prices 220000] [--incidents 20000] [--limit 1000000]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from storage.store import Store  # noqa: E402
from storage.times import to_iso  # noqa: E402

CONFIG = """
[settings]
user_agent_contact = "https://example.org/capwatch-bench"
timezone = "Europe/Paris"

[classifier]
kind = "keyword"

[providers.helix]
name = "Helix AI"

[providers.northwind]
name = "Northwind Models"

[notify.email]
smtp_host = "127.0.0.1"
smtp_port = {port}
security = "none"
from = "capwatch@example.org"
to = ["team@example.org"]
"""


class Sink:
    """Keeps the size of every accepted message."""

    def __init__(self) -> None:
        self.sizes: list[int] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd API)
        self.sizes.append(len(envelope.original_content))
        return "250 OK"


def seed(db: Path, prices: int, incidents: int) -> None:
    now = datetime.now(UTC)
    with Store(db) as store, store.transaction():
        store.db.conn.executemany(
            """insert into price_changes (source, provider, model, field, old_value, new_value, percent, direction,
               detected) values ('prices', ?, ?, 'input', 1.0, ?, ?, ?, ?)""",
            [
                (
                    ("helix", "northwind")[i % 2],
                    f"model-{i}",
                    1.0 + (i % 90 - 45) / 100,
                    i % 90 - 45 or 1,
                    "up" if i % 90 >= 45 else "down",
                    to_iso(now - timedelta(hours=2)),
                )
                for i in range(prices)
            ],
        )
        store.db.conn.executemany(
            """insert into incidents (source, external_id, provider, title, impact, status, started, resolved, url)
               values ('status', ?, 'northwind', ?, 'minor', 'resolved', ?, ?, ?)""",
            [
                (
                    f"inc-{i}",
                    f"Elevated error rates {i}",
                    to_iso(now - timedelta(hours=3)),
                    to_iso(now - timedelta(hours=1)),
                    f"https://status.example/{i}",
                )
                for i in range(incidents)
            ],
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prices", type=int, default=220_000)
    parser.add_argument("--incidents", type=int, default=20_000)
    parser.add_argument("--limit", type=int, default=1_000_000, help="the SMTP server's SIZE (bytes)")
    args = parser.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    sink = Sink()
    server = Controller(sink, hostname="127.0.0.1", port=port, data_size_limit=args.limit)
    server.start()
    try:
        with tempfile.TemporaryDirectory(prefix="capwatch-digest-") as tmp:
            config, db = Path(tmp) / "sources.toml", Path(tmp) / "capwatch.db"
            config.write_text(CONFIG.format(port=port), encoding="utf-8")
            seed(db, args.prices, args.incidents)
            env = dict(os.environ, CAPWATCH_CONFIG=str(config), CAPWATCH_DB=str(db))
            started = time.monotonic()
            proc = subprocess.Popen(
                [sys.executable, "-m", "monitor", "digest", "--send"],
                env=env,
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            assert proc.stdout is not None
            output = proc.stdout.read()
            _, status, usage = os.wait4(proc.pid, 0)
            seconds = time.monotonic() - started
    finally:
        server.stop()
    code = os.waitstatus_to_exitcode(status)
    print(output.strip())
    print(
        f"{args.prices:,} price changes, {args.incidents:,} incidents: exit {code}, {seconds:.1f} s, "
        f"peak RSS {usage.ru_maxrss / 1024:.0f} MiB, accepted messages {sink.sizes} bytes (server SIZE {args.limit:,})"
    )
    return 0 if code == 0 and sink.sizes and max(sink.sizes) <= args.limit else 1


if __name__ == "__main__":
    sys.exit(main())
