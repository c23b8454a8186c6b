"""The daily digest: contents, once-a-day scheduling, and delivery to a real aiosmtpd server on 127.0.0.1."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from notify_support import BASE_CONFIG, NOW, SmtpHandler, make_cert, seed_digest, smtp_server

from monitor.config import Config, load_config
from monitor.notify import Pacer, digest_due, enqueue_digest, flush_outbox, outbox, render_digest
from storage.store import Store

RECIPIENTS = ["ops@example.org", "cto@example.org"]
# aiosmtpd counts only STARTTLS as TLS, so its implicit-TLS server here must allow AUTH "without" TLS
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_cert(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def sink() -> SmtpHandler:
    return SmtpHandler()


@pytest.fixture
def email_config(write_config: Callable[..., Path]) -> Callable[..., Config]:
    def make(port: int, security: str = "none", auth: bool = False, extra: str = "", user_env: bool = False) -> Config:
        user = 'username_env = "CAPWATCH_SMTP_USER"' if user_env else 'username = "digest-bot"'
        login = f'{user}\npassword_env = "CAPWATCH_SMTP_PASSWORD"\n' if auth else ""
        text = f"""
[notify]
retry_base_seconds = 60
{extra}
[notify.email]
smtp_host = "127.0.0.1"
smtp_port = {port}
security = "{security}"
from = "capwatch@alerts.example.org"
to = {RECIPIENTS!r}
subject_prefix = "[capwatch]"
{login}"""
        return load_config(write_config(text.replace("'", '"'), base=BASE_CONFIG))

    return make


def received(sink: SmtpHandler) -> EmailMessage:
    (mail,) = sink.messages
    msg = email.message_from_bytes(mail.content, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def parts(msg: EmailMessage) -> tuple[str, str]:
    plain = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert plain is not None and html is not None
    return plain.get_content().replace("\r\n", "\n"), html.get_content().replace("\r\n", "\n")


# --------------------------------------------------------------------------------------------- over SMTP
def test_digest_over_starttls_with_login(store: Store, sink: SmtpHandler, servers: list[Controller],
                                         cert: tuple[Path, Path], email_config: Callable[..., Config],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(cert[0]))  # trust the test certificate
    monkeypatch.setenv("CAPWATCH_SMTP_PASSWORD", "s3cret")
    server = smtp_server(sink, security="starttls", cert=cert, auth=(b"digest-bot", b"s3cret"))
    servers.append(server)
    config = email_config(server.port, "starttls", auth=True)
    seed_digest(store)

    delivery_id = enqueue_digest(config, store, now=NOW)
    assert delivery_id is not None
    report = flush_outbox(config, store, now=NOW, pacer=Pacer())

    assert report.sent == 1, report.errors
    (mail,) = sink.messages
    assert mail.tls and mail.login == b"digest-bot"
    assert mail.mail_from == "capwatch@alerts.example.org" and mail.rcpt_tos == RECIPIENTS
    msg = received(sink)
    # headers
    assert msg["From"] == "capwatch@alerts.example.org"
    assert msg["To"] == "ops@example.org, cto@example.org"
    assert msg["Subject"] == "[capwatch] Digest 2026-06-15: 1 critical; 1 new alert, 1 resolved"
    date = parsedate_to_datetime(msg["Date"])
    assert date == NOW and date.utcoffset() == timedelta(hours=2)  # local time of Europe/Paris in June
    assert re.fullmatch(r"<[^@<>\s]+@alerts\.example\.org>", msg["Message-ID"])
    assert msg["MIME-Version"] == "1.0"
    # structure: multipart/alternative, text first, then HTML, both UTF-8
    assert msg.get_content_type() == "multipart/alternative"
    subparts = list(msg.iter_parts())
    assert [p.get_content_type() for p in subparts] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in subparts)
    text, html = parts(msg)
    # text part: every section
    assert "Window: 2026-06-14 09:00 to 2026-06-15 09:00 (Europe/Paris)." in text
    assert "- Helix AI: critical 7.50 (+5.00, was watch)" in text
    assert "- Northwind Models: ok 0.80 (-1.60, was watch)" in text
    assert "Helix AI up to critical (score 7.50)" in text
    assert "Northwind Models: resolved 2026-06-14 23:00 (peak watch)" in text
    assert "[losses_burn 0.95] Helix burns <b>cash</b> & more (helix-blog)\n    https://news.example/helix/0" in text
    assert "https://news.example/helix/2" in text and "https://news.example/helix/3" not in text  # top three
    assert "Helix old story" not in text  # before the window
    assert "- Northwind Models nw-large input_price: 3 -> 3.6 +20.0% (up)" in text
    assert "Elevated API errors [major], started 2026-06-15 01:00, resolved 2026-06-15 02:00" in text
    assert "https://status.northwind.example/incidents/1" in text
    assert ("2 of 3 sources failing: northwind-status (HTTP 503 Service Unavailable, 4 in a row), "
            "ai-news (paused until 2026-06-15 11:00 after 6 errors).") in text
    # HTML part: the same facts, escaped, linked, styled inline
    assert "<style" not in html and 'style="' in html
    assert '<a href="https://news.example/helix/0" style="' in html
    assert "Helix burns &lt;b&gt;cash&lt;/b&gt; &amp; more" in html and "<b>cash</b>" not in html
    assert '<a href="https://status.northwind.example/incidents/1"' in html
    assert re.search(r"Helix AI</td>\s*<td[^>]*><span style=\"color:#c62828;font-weight:bold;\">critical</span>", html)
    assert "+5.00" in html and "(was watch)" in html
    assert "Northwind Models" in html and "nw-large" in html and "+20.0% up" in html
    assert "2 of 3 sources failing" in html
    d = outbox.get(store, delivery_id)
    assert d is not None and (d.status, d.attempts, d.sent_at) == ("sent", 1, NOW)


def test_digest_over_implicit_tls(store: Store, sink: SmtpHandler, servers: list[Controller],
                                  cert: tuple[Path, Path], email_config: Callable[..., Config],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(cert[0]))
    monkeypatch.setenv("CAPWATCH_SMTP_PASSWORD", "s3cret")
    monkeypatch.setenv("CAPWATCH_SMTP_USER", "digest-bot")
    server = smtp_server(sink, security="tls", cert=cert, auth=(b"digest-bot", b"s3cret"))
    servers.append(server)
    config = email_config(server.port, "tls", auth=True, user_env=True)

    enqueue_digest(config, store, now=NOW)
    assert flush_outbox(config, store, now=NOW, pacer=Pacer()).sent == 1
    (mail,) = sink.messages
    assert mail.tls and mail.login == b"digest-bot"
    assert received(sink)["Subject"] == "[capwatch] Digest 2026-06-15: all providers ok"


def test_untrusted_certificate_and_wrong_password(store: Store, sink: SmtpHandler, servers: list[Controller],
                                                  cert: tuple[Path, Path], email_config: Callable[..., Config],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    server = smtp_server(sink, security="tls", cert=cert, auth=(b"digest-bot", b"s3cret"))
    servers.append(server)
    monkeypatch.setenv("CAPWATCH_SMTP_PASSWORD", "wrong")
    config = email_config(server.port, "tls", auth=True)
    delivery_id = enqueue_digest(config, store, now=NOW)
    assert delivery_id is not None

    flush_outbox(config, store, now=NOW, pacer=Pacer())  # the test certificate is not trusted yet
    d = outbox.get(store, delivery_id)
    assert d is not None and d.status == "pending" and (d.last_error or "").startswith("TLS certificate not trusted")

    monkeypatch.setenv("SSL_CERT_FILE", str(cert[0]))
    flush_outbox(config, store, now=NOW + timedelta(minutes=5), pacer=Pacer())
    d = outbox.get(store, delivery_id)
    assert d is not None and d.status == "failed" and (d.last_error or "").startswith("SMTP 535")
    assert sink.messages == []


def test_temporary_smtp_failure_is_retried_permanent_one_is_not(store: Store, sink: SmtpHandler,
                                                                servers: list[Controller],
                                                                email_config: Callable[..., Config]) -> None:
    server = smtp_server(sink)
    servers.append(server)
    config = email_config(server.port)
    sink.replies.append("451 4.3.0 mailbox busy, try later")
    first = enqueue_digest(config, store, now=NOW)
    assert first is not None

    assert flush_outbox(config, store, now=NOW, pacer=Pacer()).retrying == 1
    d = outbox.get(store, first)
    assert d is not None and d.last_error == "SMTP 451: 4.3.0 mailbox busy, try later"
    assert d.next_attempt == NOW + timedelta(seconds=60)
    assert flush_outbox(config, store, now=NOW + timedelta(seconds=60), pacer=Pacer()).sent == 1
    assert len(sink.messages) == 1

    sink.replies.append("554 5.7.1 rejected as spam")
    tomorrow = NOW + timedelta(days=1)
    second = enqueue_digest(config, store, now=tomorrow)
    assert second is not None
    assert flush_outbox(config, store, now=tomorrow, pacer=Pacer()).failed == 1
    d = outbox.get(store, second)
    assert d is not None and (d.status, d.last_error) == ("failed", "SMTP 554: 5.7.1 rejected as spam")


def test_some_recipients_refused(store: Store, sink: SmtpHandler, servers: list[Controller],
                                 email_config: Callable[..., Config]) -> None:
    server = smtp_server(sink)
    servers.append(server)
    config = email_config(server.port)
    sink.refuse.add("cto@example.org")
    delivery_id = enqueue_digest(config, store, now=NOW)
    assert delivery_id is not None
    assert flush_outbox(config, store, now=NOW, pacer=Pacer()).sent == 1
    (mail,) = sink.messages
    assert mail.rcpt_tos == ["ops@example.org"]
    d = outbox.get(store, delivery_id)
    assert d is not None and (d.status, d.last_error) == ("sent", "recipients refused: cto@example.org")

    sink.refuse.add("ops@example.org")
    second = enqueue_digest(config, store, now=NOW + timedelta(days=1))
    assert second is not None
    assert flush_outbox(config, store, now=NOW + timedelta(days=1), pacer=Pacer()).failed == 1
    d = outbox.get(store, second)
    assert d is not None and d.last_error == "every recipient refused: ops@example.org: 550 5.1.1 no such user; cto@example.org: 550 5.1.1 no such user"


def test_smtp_server_down_then_back(store: Store, sink: SmtpHandler, servers: list[Controller],
                                    email_config: Callable[..., Config]) -> None:
    server = smtp_server(sink)
    port = server.port
    server.stop()
    config = email_config(port)
    delivery_id = enqueue_digest(config, store, now=NOW)
    assert delivery_id is not None
    assert flush_outbox(config, store, now=NOW, pacer=Pacer()).retrying == 1

    servers.append(Controller(sink, hostname="127.0.0.1", port=port))
    servers[-1].start()
    assert flush_outbox(config, store, now=NOW + timedelta(minutes=2), pacer=Pacer()).sent == 1
    assert len(sink.messages) == 1


# --------------------------------------------------------------------------------------------- scheduling
def test_due_once_per_local_day_after_the_configured_time(store: Store, email_config: Callable[..., Config]) -> None:
    config = email_config(2525)  # digest_time 08:00 Europe/Paris (UTC+2 in June)
    before = datetime(2026, 6, 15, 5, 59, tzinfo=UTC)  # 07:59 local
    at = datetime(2026, 6, 15, 6, 0, tzinfo=UTC)  # 08:00 local
    late = datetime(2026, 6, 15, 21, 59, tzinfo=UTC)  # 23:59 local, same day
    next_day_early = datetime(2026, 6, 15, 22, 30, tzinfo=UTC)  # 00:30 local on the 16th

    assert not digest_due(config, store, before)
    assert enqueue_digest(config, store, now=before) is None
    assert digest_due(config, store, at)
    first = enqueue_digest(config, store, now=at)
    assert first is not None
    assert outbox.get(store, first) is not None and outbox.get(store, first).dedupe_key == "digest:2026-06-15"  # type: ignore[union-attr]
    assert not digest_due(config, store, late)
    assert enqueue_digest(config, store, now=late) is None
    assert enqueue_digest(config, store, now=late, force=True) is None  # never twice for one day
    assert not digest_due(config, store, next_day_early)  # a new day, but before 08:00
    assert enqueue_digest(config, store, now=next_day_early, force=True) is not None  # --send: whatever the time
    assert enqueue_digest(config, store, now=datetime(2026, 6, 16, 7, 0, tzinfo=UTC)) is None  # already queued
    assert [r["dedupe_key"] for r in store.rows("select dedupe_key from deliveries order by id")] == [
        "digest:2026-06-15", "digest:2026-06-16"]


def test_window_runs_from_the_previous_digest(store: Store, email_config: Callable[..., Config]) -> None:
    config = email_config(2525)
    first = render_digest(config, store, now=NOW)
    assert "first digest: last 24 hours" in first.text and "No providers scored yet." not in first.text
    enqueue_digest(config, store, now=NOW)
    later = NOW + timedelta(days=1, hours=3)
    second = render_digest(config, store, now=later)
    assert "Window: 2026-06-15 09:00 to 2026-06-16 12:00 (Europe/Paris)." in second.text
    assert "first digest" not in second.text


def test_no_email_config(store: Store, write_config: Callable[..., Path]) -> None:
    config = load_config(write_config("", base=BASE_CONFIG))
    assert not digest_due(config, store, NOW)
    assert enqueue_digest(config, store, now=NOW) is None
    with pytest.raises(Exception, match="notify.email: not configured"):
        enqueue_digest(config, store, now=NOW, force=True)
