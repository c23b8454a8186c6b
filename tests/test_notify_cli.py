"""The delivery commands (notify, digest, deliveries), invoked through click with real local servers."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import click
import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner, Result
from notify_support import BASE_CONFIG, SlackStub, SmtpHandler, simple_alert, smtp_server

from monitor.commands.notify import COMMANDS
from monitor.context import AppContext
from monitor.errors import CapwatchError, NotFoundError
from storage.store import Store
from storage.times import utcnow

COMMAND = {c.name: c for c in COMMANDS}


@pytest.fixture
def smtp() -> Iterator[tuple[SmtpHandler, Controller]]:
    handler = SmtpHandler()
    controller = smtp_server(handler)
    yield handler, controller
    controller.stop()


@pytest.fixture
def run(tmp_path: Path, write_config: Callable[..., Path], smtp: tuple[SmtpHandler, Controller], slack: SlackStub,
        monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Invoke one command as `capwatch --config ... --db ... NAME ARGS` would (same context object)."""
    monkeypatch.setenv("HOOK_ALL", slack.url("/all"))
    config = write_config(
        f"""
[notify]
retry_base_seconds = 60
[notify.slack]
min_interval_seconds = 0
[[notify.slack.routes]]
name = "all"
webhook_url_env = "HOOK_ALL"
[notify.email]
smtp_host = "127.0.0.1"
smtp_port = {smtp[1].port}
security = "none"
from = "capwatch@example.org"
to = ["team@example.org"]
""",
        base=BASE_CONFIG,
    )
    db = tmp_path / "cli.db"

    def invoke(name: str, *args: str) -> Result:
        app = AppContext(config_path=config, db_path=db)
        try:
            return CliRunner().invoke(COMMAND[name], list(args), obj=app, catch_exceptions=True)
        finally:
            app.close()

    return invoke


def db_store(tmp_path: Path) -> Store:
    return Store(tmp_path / "cli.db")


def test_commands_are_registered() -> None:
    assert set(COMMAND) == {"notify", "digest", "deliveries"}
    assert all(isinstance(c, click.Command) for c in COMMANDS)


def test_digest_preview_writes_html_and_plain_run_prints_text(run: Callable[..., Result], tmp_path: Path) -> None:
    out = tmp_path / "out" / "digest.html"
    result = run("digest", "--preview", str(out))
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "capwatch digest &middot;" in html
    assert f"wrote {out} ([capwatch] Digest " in result.output

    text = run("digest")
    assert text.exit_code == 0 and "RISK\n" in text.output and "SOURCES\n" in text.output


def test_digest_send_sends_now_and_never_twice(run: Callable[..., Result], smtp: tuple[SmtpHandler, Controller],
                                               tmp_path: Path) -> None:
    handler, _ = smtp
    result = run("digest", "--send")
    assert result.exit_code == 0, result.output
    assert "sent today's digest to team@example.org" in result.output
    assert len(handler.messages) == 1 and handler.messages[0].rcpt_tos == ["team@example.org"]

    again = run("digest", "--send")
    assert isinstance(again.exception, CapwatchError) and "never sent twice" in str(again.exception)
    assert len(handler.messages) == 1

    listing = run("deliveries", "--json")
    rows = json.loads(listing.output)
    assert [(r["channel"], r["kind"], r["status"], r["attempts"]) for r in rows] == [("email", "digest", "sent", 1)]


def test_notify_runs_the_stage_and_deliveries_retry_requeues(run: Callable[..., Result], slack: SlackStub,
                                                             tmp_path: Path) -> None:
    with db_store(tmp_path) as store:
        simple_alert(store, at=utcnow() - timedelta(minutes=1))
    slack.script.append((410, {}, "channel_is_archived"))

    result = run("notify")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("queued 1 Slack message(s)")
    failed = json.loads(run("deliveries", "--status", "failed", "--json").output)
    assert [(r["channel"], r["last_error"]) for r in failed] == [("slack", "HTTP 410: channel_is_archived")]

    requeued = run("deliveries", "--retry", str(failed[0]["id"]))
    assert requeued.exit_code == 0 and "is due again" in requeued.output
    assert run("notify").exit_code == 0
    sent = json.loads(run("deliveries", "--status", "sent", "--json").output)
    assert failed[0]["id"] in [r["id"] for r in sent]
    assert len(slack.requests) == 2

    refused = run("deliveries", "--retry", str(failed[0]["id"]))
    assert isinstance(refused.exception, CapwatchError) and "never sent twice" in str(refused.exception)
    missing = run("deliveries", "--retry", "9999")
    assert isinstance(missing.exception, NotFoundError)


def test_deliveries_table_and_csv(run: Callable[..., Result]) -> None:
    assert run("deliveries").output.strip() == "The outbox is empty."
    assert run("deliveries", "--csv").output.startswith("id,channel,target,kind,status,attempts,")
