"""Issue 16, delivery findings, through the real commands against real loopback servers:

- 1: a day with tens of thousands of price changes and incidents gives a digest within its byte limit (summarised:
  largest items per provider and exact counts), and a digest the SMTP server refuses for its size (552) is rendered
  smaller and sent, or stays pending — the day's digest is never dropped;
- 10: ``notify``'s summary counts a message sent after a Slack 429 wait once, as sent, not also as retrying.
"""

from __future__ import annotations

import email
import json
from collections.abc import Callable
from datetime import timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner, Result
from notify_support import BASE_CONFIG, SlackStub, SmtpHandler, free_port, insert, simple_alert

from monitor.commands.notify import COMMANDS
from monitor.context import AppContext
from storage.store import Store
from storage.times import to_iso, utcnow

COMMAND = {c.name: c for c in COMMANDS}


def sized_smtp(handler: SmtpHandler, limit: int) -> Controller:
    """An aiosmtpd server on 127.0.0.1 that advertises ``SIZE limit`` and refuses bigger messages with 552."""
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), data_size_limit=limit)
    controller.start()
    return controller


Runner = Callable[..., Result]


@pytest.fixture
def cli(tmp_path: Path, write_config: Callable[..., Path]) -> Callable[..., Runner]:
    """``cli(smtp_port, extra_email_lines)``: a runner of `capwatch NAME ARGS` with that e-mail configuration."""

    def make(port: int, email_extra: str = "", extra: str = "") -> Runner:
        config = write_config(
            f"""
[notify]
retry_base_seconds = 60
{extra}
[notify.email]
smtp_host = "127.0.0.1"
smtp_port = {port}
security = "none"
from = "capwatch@example.org"
to = ["team@example.org"]
{email_extra}
""",
            base=BASE_CONFIG,
        )

        def invoke(name: str, *args: str) -> Result:
            app = AppContext(config_path=config, db_path=tmp_path / "cli.db")
            try:
                return CliRunner().invoke(COMMAND[name], list(args), obj=app, catch_exceptions=True)
            finally:
                app.close()

        return invoke

    return make


def seed_flood(db: Path, *, prices: dict[str, int], incidents: dict[str, int]) -> None:
    """A day of ``prices[provider]`` price changes and ``incidents[provider]`` incidents, all in the last hours
    (what a 110k-model price list whose prices all change does to a database)."""
    now = utcnow()
    with Store(db) as store, store.transaction():
        rows = []
        for provider, n in prices.items():
            for i in range(n):
                old = 1.0 + i % 97
                up = i % 2 == 0
                new = old * (1.0 + (i % 50 + 1) / 100) if up else old * (1.0 - (i % 40 + 1) / 100)
                rows.append(
                    (
                        "prices",
                        provider,
                        f"{provider}-model-{i:06d}",
                        "input" if i % 3 else "output",
                        old,
                        new,
                        (new - old) / old * 100,
                        "up" if up else "down",
                        to_iso(now - timedelta(hours=2)),
                    )
                )
        store.db.conn.executemany(
            """insert into price_changes (source, provider, model, field, old_value, new_value, percent, direction,
               detected) values (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            rows,
        )
        store.db.conn.executemany(
            """insert into incidents (source, external_id, provider, title, impact, status, started, resolved, url)
               values (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                (
                    f"{provider}-status",
                    f"inc-{i}",
                    provider,
                    f"Elevated error rates on endpoint {i}",
                    "minor",
                    "resolved" if i % 4 else "investigating",
                    to_iso(now - timedelta(hours=3, minutes=i % 120)),
                    None if i % 4 == 0 else to_iso(now - timedelta(hours=1)),
                    f"https://status.example/{provider}/{i}",
                )
                for provider, n in incidents.items()
                for i in range(n)
            ],
        )


def parts(raw: bytes) -> tuple[str, str]:
    """The text and HTML parts of a received message."""
    msg = email.message_from_bytes(raw, policy=default_policy)
    assert isinstance(msg, EmailMessage)
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert text is not None and html is not None
    return str(text.get_content()), str(html.get_content())


def deliveries(run: Runner) -> list[dict[str, object]]:
    result = run("deliveries", "--json")
    assert result.exit_code == 0, result.output
    rows: list[dict[str, object]] = json.loads(result.output)
    return rows


# --------------------------------------------------------------------------------------------- finding 1
@pytest.mark.slow
def test_a_flood_of_price_changes_and_incidents_gives_a_digest_within_one_megabyte(
    cli: Callable[..., Runner], servers: list[Controller], tmp_path: Path
) -> None:
    handler = SmtpHandler()
    servers.append(sized_smtp(handler, 1_000_000))  # a server that takes 1 MB, the default digest limit
    run = cli(servers[0].port)
    seed_flood(
        tmp_path / "cli.db",
        prices={"helix": 30_000, "northwind": 10_000},
        incidents={"northwind": 4_000, "helix": 1_000},
    )

    result = run("digest", "--send")

    assert result.exit_code == 0, result.output + repr(result.exception)
    (mail,) = handler.messages
    assert len(mail.content) <= 1_000_000
    text, html = parts(mail.content)
    assert "Summarised: everything would not fit the digest's size limit (1,000,000 bytes)" in text
    assert "40,000 price changes; the largest" in text
    assert "- Helix AI: 30,000 changes (15,000 up, 15,000 down, 0 other)" in text
    assert "- Northwind Models: 10,000 changes (5,000 up, 5,000 down, 0 other)" in text
    assert "5,000 incidents" in text and "- Northwind Models: 4,000 incidents, 1,000 ongoing" in text
    assert "40,000 price changes" in html and "Summarised" in html
    # the largest changes are listed, ten per provider (+49% is the largest rise in the data, -40% the largest cut)
    listed = [line for line in text.splitlines() if line.startswith("- Helix AI helix-model-")]
    assert len(listed) == 10 and all("+49.0% (up)" in line for line in listed)
    assert sum(line.startswith("- Northwind Models northwind-model-") for line in text.splitlines()) == 10
    assert [r["status"] for r in deliveries(run)] == ["sent"]


@pytest.mark.slow
def test_a_digest_refused_for_its_size_is_rendered_smaller_and_sent(
    cli: Callable[..., Runner], servers: list[Controller], tmp_path: Path
) -> None:
    handler = SmtpHandler()
    servers.append(sized_smtp(handler, 150_000))  # less than the 1 MB capwatch may send
    run = cli(servers[0].port)
    seed_flood(tmp_path / "cli.db", prices={"helix": 400, "northwind": 200}, incidents={"northwind": 100})

    result = run("digest", "--send")

    assert result.exit_code == 0, result.output + repr(result.exception)
    assert "sent today's digest" in result.output
    (mail,) = handler.messages
    assert len(mail.content) <= 150_000
    text, _ = parts(mail.content)
    assert "600 price changes; the largest" in text and "- Helix AI: 400 changes" in text
    (row,) = deliveries(run)
    assert (row["status"], row["attempts"]) == (
        "sent",
        2,
    )  # the full digest (refused), then the summarised one
    assert "SMTP 552" in str(row["last_error"]) and "server limit 150000" in str(row["last_error"])


def test_the_digest_byte_limit_is_configurable(
    cli: Callable[..., Runner], servers: list[Controller], tmp_path: Path
) -> None:
    handler = SmtpHandler()
    servers.append(sized_smtp(handler, 10_000_000))
    run = cli(servers[0].port, "digest_max_bytes = 40000")
    seed_flood(tmp_path / "cli.db", prices={"helix": 400, "northwind": 200}, incidents={"northwind": 100})

    assert run("digest", "--send").exit_code == 0
    (mail,) = handler.messages
    assert len(mail.content) <= 40_000
    assert (
        "Summarised: everything would not fit the digest's size limit (40,000 bytes)"
        in parts(mail.content)[0]
    )
    (row,) = deliveries(run)
    assert (row["status"], row["attempts"]) == ("sent", 1)  # within the limit from the start: one attempt


@pytest.mark.slow
def test_a_digest_too_large_even_summarised_stays_pending_and_goes_out_later(
    cli: Callable[..., Runner], servers: list[Controller], tmp_path: Path
) -> None:
    handler = SmtpHandler()
    servers.append(sized_smtp(handler, 3_000))  # less than any digest: nothing can pass
    run = cli(servers[0].port)
    seed_flood(tmp_path / "cli.db", prices={"helix": 500}, incidents={})

    result = run("digest", "--send")
    assert result.exit_code == 1 and "digest not sent" in str(result.exception)
    (row,) = deliveries(run)
    assert row["status"] == "pending" and "SMTP 552" in str(row["last_error"])  # retried later, not failed
    assert handler.messages == []

    # the operator raises the server's limit: the pending digest of that day goes out on a later run
    servers[0].stop()
    servers.pop()
    bigger = sized_smtp(handler, 10_000_000)
    servers.append(bigger)
    run = cli(bigger.port)
    with Store(tmp_path / "cli.db") as store, store.transaction():
        store.db.execute("update deliveries set next_attempt = ?", [to_iso(utcnow() - timedelta(seconds=1))])
    assert run("notify").exit_code == 0
    (row,) = deliveries(run)
    assert row["status"] == "sent" and len(handler.messages) == 1
    assert "500 price changes" in parts(handler.messages[0].content)[0]


# --------------------------------------------------------------------------------------------- finding 10
def test_notify_counts_a_message_sent_after_a_429_wait_once(
    cli: Callable[..., Runner],
    servers: list[Controller],
    slack: SlackStub,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    handler = SmtpHandler()
    servers.append(sized_smtp(handler, 1_000_000))
    monkeypatch.setenv("HOOK_ALL", slack.url("/all"))
    run = cli(
        servers[0].port,
        extra="[notify.slack]\nmin_interval_seconds = 0\n[[notify.slack.routes]]\n"
        'name = "all"\nwebhook_url_env = "HOOK_ALL"\n',
    )
    with Store(tmp_path / "cli.db") as store:
        today = utcnow().astimezone(ZoneInfo("Europe/Paris")).date().isoformat()
        insert(
            store,
            "deliveries",
            {  # today's digest went out already: only the Slack messages are sent here
                "channel": "email",
                "target": "team@example.org",
                "kind": "digest",
                "dedupe_key": f"digest:{today}",
                "payload": "{}",
                "status": "sent",
                "attempts": 1,
                "next_attempt": to_iso(utcnow()),
                "created": to_iso(utcnow()),
                "sent_at": to_iso(utcnow()),
            },
        )
        simple_alert(store, at=utcnow() - timedelta(minutes=2), title="Helix misses payroll")
        simple_alert(store, "northwind", at=utcnow() - timedelta(minutes=1), title="Northwind halts signups")
    slack.script.append((429, {"Retry-After": "1"}, "rate_limited"))

    result = run("notify", "--no-send")
    assert result.exit_code == 0 and result.output.startswith("queued 2 Slack message(s)")
    result = run("notify")

    assert result.exit_code == 0, result.output
    assert "sent 2, retrying 0, failed 0, waiting 0 (1 rate-limit wait in this run)" in result.stdout
    assert "rate limited, trying again in 1s: HTTP 429" in result.stderr
    assert len(slack.requests) == 3  # the 429, then each message once
    assert sorted(str(r["status"]) for r in deliveries(run) if r["channel"] == "slack") == ["sent", "sent"]
