"""How a sender tells the outbox what went wrong: retry later, or give up now.

Senders (``slack.py``, ``email.py``) raise these; :mod:`monitor.notify.flush` turns them into outbox state.
"""

from __future__ import annotations


class DeliveryError(Exception):
    """A message could not be delivered; ``reason`` is the one line stored in ``deliveries.last_error``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RetryableError(DeliveryError):
    """A failure that may go away: a network error, a 5xx, a rate limit, a missing environment variable.

    ``retry_after`` (seconds) is set when the receiver said how long to wait (HTTP 429 ``Retry-After``);
    otherwise the outbox applies its exponential backoff.
    """

    def __init__(self, reason: str, *, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class PermanentError(DeliveryError):
    """The receiver rejected the message itself (HTTP 4xx other than 429, SMTP 5xx): retrying cannot help."""
