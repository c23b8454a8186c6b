"""E-mail: build the multipart (text + HTML) message from an outbox payload and send it over SMTP.

Security is ``starttls`` (plain connect, then ``STARTTLS``, refused if the server does not offer it), ``tls``
(implicit TLS, usually port 465) or ``none`` (a local relay; credentials are never sent without TLS).
Certificates are verified against the system store (``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` are honoured).
The user name is ``username`` or the variable named by ``username_env``; the password is read from the variable
named by ``password_env``. Outcomes: SMTP 4xx replies, network errors and missing credentials raise
:class:`RetryableError`; a refusal for size (552, 5.3.4, "message size exceeds ...") raises
:class:`MessageTooLarge` (retryable: the digest can be rendered smaller); other 5xx replies (bad login, refused
sender or every recipient refused) raise :class:`PermanentError`.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime
from typing import Any

from ..config import EmailSettings
from .errors import PermanentError, RetryableError

TIMEOUT_SECONDS = 30.0
SIZE_REFUSAL = re.compile(r"\b5\.3\.4\b|\bsize\b|too (large|big)|too much mail data|exceeds? .*(limit|maximum)", re.I)
"""What a 5xx reply that refuses a message for its size says (the code 552 always does)."""


class MessageTooLarge(RetryableError):
    """The SMTP server refused the message for its size: ``size`` is the message's, ``limit`` the server's
    advertised ``SIZE`` (None when it did not say). Retryable: a smaller rendering may pass."""

    def __init__(self, reason: str, *, size: int, limit: int | None) -> None:
        super().__init__(reason)
        self.size = size
        self.limit = limit


def message_size(payload: dict[str, Any]) -> int:
    """The size in bytes of the message built from ``payload``, as it goes over SMTP."""
    return len(build_message(payload).as_bytes())


def _size_refusal(code: int, text: str) -> bool:
    return code == 552 or (code >= 500 and SIZE_REFUSAL.search(text) is not None)


def new_message_id(idstring: str, sender: str) -> str:
    """A globally unique ``Message-ID`` in the sender's domain, made once when the message is queued (so every
    retry carries the same one, and mail clients can fold a duplicate into the original).

    Short (``<digest.2026-06-15.9f86d081884c7d65@example.org>``) so that the header needs no folding.
    """
    domain = sender.rsplit("@", 1)[-1].strip("> ") if "@" in sender else ""
    return f"<{idstring}.{secrets.token_hex(8)}@{domain or 'capwatch.localhost'}>"


def email_payload(
    settings: EmailSettings, *, subject: str, text: str, html: str, date: datetime, message_id: str
) -> dict[str, Any]:
    """The outbox payload of one e-mail: everything needed to rebuild the identical message on every attempt."""
    return {
        "from": settings.sender,
        "to": list(settings.to),
        "subject": subject,
        "date": format_datetime(date),
        "message_id": message_id,
        "text": text,
        "html": html,
    }


def build_message(payload: dict[str, Any]) -> EmailMessage:
    """A ``multipart/alternative`` message: ``text/plain`` first, then ``text/html`` (clients show the last
    part they can render), with Date, Message-ID, From, To and Subject headers."""
    msg = EmailMessage(policy=SMTP_POLICY)
    msg["Subject"] = payload["subject"]
    msg["From"] = payload["from"]
    msg["To"] = ", ".join(payload["to"])
    msg["Date"] = payload["date"]
    msg["Message-ID"] = payload["message_id"]
    msg.set_content(payload["text"], subtype="plain", charset="utf-8")
    msg.add_alternative(payload["html"], subtype="html", charset="utf-8")
    return msg


def _credentials(settings: EmailSettings) -> tuple[str, str] | None:
    username = settings.username
    if settings.username_env:
        username = os.environ.get(settings.username_env, "").strip() or None
        if username is None:
            raise RetryableError(f"environment variable {settings.username_env} (the SMTP user name) is not set")
    if username is None:
        return None
    password = os.environ.get(settings.password_env, "") if settings.password_env else ""
    if not password:
        raise RetryableError(
            f"environment variable {settings.password_env} (the SMTP password) is not set"
            if settings.password_env
            else "notify.email.username is set but notify.email.password_env is not"
        )
    return username, password


def _reply(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
    return f"SMTP {exc.smtp_code}: {' '.join(text.split())}"


def send_email(settings: EmailSettings, payload: dict[str, Any]) -> list[str]:
    """Send the payload's message; return the recipients the server refused (when it accepted the others)."""
    credentials = _credentials(settings)
    if credentials and settings.security == "none":
        raise RetryableError('refusing to send SMTP credentials without TLS (notify.email.security = "none")')
    msg = build_message(payload)
    context = ssl.create_default_context()
    limit: int | None = None  # the server's SIZE, once it said it
    try:
        smtp: smtplib.SMTP
        if settings.security == "tls":
            smtp = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_SECONDS, context=context)
        else:
            smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_SECONDS)
        try:
            smtp.ehlo()
            if settings.security == "starttls":
                if not smtp.has_extn("starttls"):
                    raise PermanentError(f"{settings.smtp_host}:{settings.smtp_port} does not offer STARTTLS")
                smtp.starttls(context=context)
                smtp.ehlo()
            advertised = smtp.esmtp_features.get("size", "").strip()
            limit = int(advertised) if advertised.isdigit() and int(advertised) > 0 else None
            if credentials:
                smtp.login(*credentials)
            refused = smtp.send_message(msg, from_addr=payload["from"], to_addrs=payload["to"])
            with contextlib.suppress(smtplib.SMTPException, OSError):
                smtp.quit()  # the message was accepted: a failed QUIT must not turn into a retry (a duplicate)
        finally:
            smtp.close()
        return sorted(refused)
    except (PermanentError, RetryableError):
        raise
    except smtplib.SMTPRecipientsRefused as exc:
        reasons = "; ".join(
            f"{rcpt}: {code} {reply.decode('utf-8', 'replace') if isinstance(reply, bytes) else reply}"
            for rcpt, (code, reply) in exc.recipients.items()
        )
        if all(code < 500 for code, _ in exc.recipients.values()):
            raise RetryableError(f"every recipient temporarily refused: {reasons}") from None
        raise PermanentError(f"every recipient refused: {reasons}") from None
    except smtplib.SMTPResponseException as exc:
        if _size_refusal(exc.smtp_code, _reply(exc)):
            size = len(msg.as_bytes())
            raise MessageTooLarge(
                f"{_reply(exc)} (message {size} bytes" + (f", server limit {limit})" if limit else ")"),
                size=size, limit=limit,
            ) from None
        if exc.smtp_code >= 500:
            raise PermanentError(_reply(exc)) from None
        raise RetryableError(_reply(exc)) from None
    except smtplib.SMTPNotSupportedError as exc:
        raise PermanentError(f"SMTP: {exc}") from None
    except ssl.SSLCertVerificationError as exc:
        raise RetryableError(f"TLS certificate not trusted: {exc.verify_message}") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise RetryableError(f"SMTP connection error: {exc.__class__.__name__}: {exc}") from None
