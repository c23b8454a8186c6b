"""The outbox: typed access to the ``deliveries`` table.

Life of a delivery::

    pending --claim (attempts+1, claimed_at, next_attempt >= now + LEASE)--> send --ok--> sent
       ^                                                                      |--retryable--> pending (backoff
       |                                                                      |               or Retry-After)
       +------------------- requeue (CLI --retry) ----------------------------+--permanent or attempts
                                                                                  exhausted--> failed

A claim is committed *before* the message leaves, so a crash during or after the send leaves the row pending with
``next_attempt`` already in the future: it is sent again once that time passes (at-least-once; see
docs/delivery.md for the exact duplicate window). The claim is a compare-and-set on ``attempts``, so two
processes flushing the same database never send the same attempt twice, and ``claimed_at`` keeps manual
resends away from an attempt in flight.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from storage.store import Store
from storage.times import from_iso, to_iso

STATUSES = ("pending", "sent", "failed")
MAX_BACKOFF = timedelta(hours=1)
LEASE = timedelta(minutes=5)
"""How long a claimed attempt may be in flight: longer than any send takes (timeouts are 10 s for Slack and
30 s per SMTP step). Until then no other flush touches the row; after a crash it is retried once this passes."""


@dataclass(frozen=True)
class Delivery:
    """One row of the outbox."""

    id: int
    channel: str  # slack | email
    target: str  # slack: route name; email: the recipients
    kind: str  # alert | digest
    dedupe_key: str
    payload: dict[str, Any]
    status: str
    attempts: int
    next_attempt: datetime
    last_error: str | None
    created: datetime
    sent_at: datetime | None
    claimed_at: datetime | None = None

    def in_flight(self, now: datetime) -> bool:
        """True while another attempt may be sending this delivery right now (claimed within :data:`LEASE`)."""
        return self.claimed_at is not None and self.claimed_at > now - LEASE

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Delivery:
        return cls(
            id=int(row["id"]),
            channel=row["channel"],
            target=row["target"],
            kind=row["kind"],
            dedupe_key=row["dedupe_key"],
            payload=json.loads(row["payload"]),
            status=row["status"],
            attempts=int(row["attempts"]),
            next_attempt=from_iso(row["next_attempt"]),
            last_error=row["last_error"],
            created=from_iso(row["created"]),
            sent_at=from_iso(row["sent_at"]) if row["sent_at"] else None,
            claimed_at=from_iso(row["claimed_at"]) if row.get("claimed_at") else None,
        )


def backoff(attempts: int, base_seconds: float) -> timedelta:
    """Wait before attempt ``attempts + 1``: base, 2 x base, 4 x base, ... capped at one hour."""
    exponent = max(attempts - 1, 0)
    seconds = base_seconds * (2 ** min(exponent, 30))
    return min(timedelta(seconds=seconds), MAX_BACKOFF)


def enqueue(
    store: Store, channel: str, target: str, kind: str, dedupe_key: str, payload: dict[str, Any], now: datetime
) -> int | None:
    """Write a message to the outbox, due at ``now``, unless ``dedupe_key`` is already there; return its id or None.

    Same as :meth:`Store.enqueue_delivery` with an explicit clock (the digest window and tests need one).
    """
    stamp = to_iso(now)
    with store.transaction():
        cur = store.db.execute(
            """insert or ignore into deliveries (channel, target, kind, dedupe_key, payload, status, attempts,
               next_attempt, created) values (?, ?, ?, ?, ?, 'pending', 0, ?, ?)""",
            [channel, target, kind, dedupe_key, json.dumps(payload, ensure_ascii=False), stamp, stamp],
        )
    return int(cur.lastrowid) if cur.rowcount and cur.lastrowid is not None else None


def get(store: Store, delivery_id: int) -> Delivery | None:
    """The delivery with this id, or None."""
    rows = store.rows("select * from deliveries where id = ?", [delivery_id])
    return Delivery.from_row(rows[0]) if rows else None


def by_key(store: Store, dedupe_key: str) -> Delivery | None:
    """The delivery with this dedupe key, or None."""
    rows = store.rows("select * from deliveries where dedupe_key = ?", [dedupe_key])
    return Delivery.from_row(rows[0]) if rows else None


def existing_keys(store: Store, keys: list[str]) -> set[str]:
    """Which of ``keys`` are already in the outbox (whatever their status)."""
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        marks = ",".join("?" * len(chunk))
        found.update(r["dedupe_key"] for r in store.rows(f"select dedupe_key from deliveries where dedupe_key in ({marks})", chunk))
    return found


def pending(store: Store, *, ids: list[int] | None = None) -> list[Delivery]:
    """Every pending delivery (due or not), oldest first; only ``ids`` when given."""
    sql = "select * from deliveries where status = 'pending'"
    params: list[Any] = []
    if ids is not None:
        if not ids:
            return []
        sql += f" and id in ({','.join('?' * len(ids))})"
        params.extend(ids)
    return [Delivery.from_row(r) for r in store.rows(sql + " order by id", params)]


def listing(store: Store, *, status: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """Deliveries for display, newest first, without their payloads."""
    sql = """select id, channel, target, kind, dedupe_key, status, attempts, next_attempt, last_error, created, sent_at
             from deliveries"""
    params: list[Any] = []
    if status:
        sql += " where status = ?"
        params.append(status)
    return store.rows(sql + f" order by id desc limit {int(limit)}", params)


def claim(store: Store, delivery: Delivery, now: datetime, retry_at: datetime) -> bool:
    """Record the next attempt before sending: ``attempts + 1``, ``claimed_at = now`` and ``next_attempt =
    retry_at`` (at least ``now`` + :data:`LEASE`), committed before the message leaves.

    A compare-and-set on ``attempts``: returns False when another process changed the row first (it is sending
    it, or it is no longer pending).
    """
    retry_at = max(retry_at, now + LEASE)
    with store.transaction():
        cur = store.db.execute(
            """update deliveries set attempts = attempts + 1, next_attempt = ?, claimed_at = ?
               where id = ? and status = 'pending' and attempts = ?""",
            [to_iso(retry_at), to_iso(now), delivery.id, delivery.attempts],
        )
    return cur.rowcount == 1


def mark_sent(store: Store, delivery_id: int, when: datetime, note: str | None = None) -> None:
    """The receiver accepted the message; ``note`` (e.g. recipients refused) replaces ``last_error`` when given."""
    with store.transaction():
        store.db.execute(
            """update deliveries set status = 'sent', sent_at = ?, claimed_at = null, last_error = coalesce(?, last_error)
               where id = ?""",
            [to_iso(when), note, delivery_id],
        )


def mark_retry(store: Store, delivery_id: int, error: str, next_attempt: datetime) -> None:
    """The attempt failed but may succeed later: keep the delivery pending, due at ``next_attempt``."""
    with store.transaction():
        store.db.execute(
            "update deliveries set last_error = ?, next_attempt = ?, claimed_at = null where id = ?",
            [error, to_iso(next_attempt), delivery_id],
        )


def replace_payload(
    store: Store, delivery_id: int, payload: dict[str, Any], error: str, next_attempt: datetime
) -> None:
    """Keep a pending delivery pending with a new rendering of its message (a digest rendered smaller after the
    server refused its size), due at ``next_attempt``; its dedupe key and attempts are unchanged."""
    with store.transaction():
        store.db.execute(
            """update deliveries set payload = ?, last_error = ?, next_attempt = ?, claimed_at = null
               where id = ? and status = 'pending'""",
            [json.dumps(payload, ensure_ascii=False), error, to_iso(next_attempt), delivery_id],
        )


def mark_failed(store: Store, delivery_id: int, error: str) -> None:
    """Stop retrying: the row stays in the outbox as ``failed`` until requeued."""
    with store.transaction():
        store.db.execute(
            "update deliveries set status = 'failed', last_error = ?, claimed_at = null where id = ?", [error, delivery_id]
        )


def requeue(store: Store, delivery_id: int, now: datetime) -> Delivery:
    """Make a failed (or waiting) delivery due now with a fresh attempt budget.

    Raises ``LookupError`` for an unknown id, ``ValueError`` for a delivery already sent (never sent twice) and
    ``RuntimeError`` for one whose attempt is in flight right now.
    """
    current = get(store, delivery_id)
    if current is None:
        raise LookupError(f"no delivery with id {delivery_id}")
    if current.status == "sent":
        raise ValueError(f"delivery {delivery_id} was already sent at {to_iso(current.sent_at or current.created)}")
    if current.status == "pending" and current.in_flight(now):
        raise RuntimeError(f"delivery {delivery_id} is being sent right now (attempt {current.attempts})")
    with store.transaction():
        store.db.execute(
            """update deliveries set status = 'pending', attempts = 0, next_attempt = ?, claimed_at = null
               where id = ? and status != 'sent' and attempts = ?""",
            [to_iso(now), delivery_id, current.attempts],
        )
    again = get(store, delivery_id)
    assert again is not None
    return again


def latest_of_kind(store: Store, kind: str, *, exclude_key: str | None = None) -> Delivery | None:
    """The most recently created delivery of ``kind`` (other than ``exclude_key``), or None."""
    rows = store.rows(
        "select * from deliveries where kind = ? and dedupe_key != ? order by created desc, id desc limit 1",
        [kind, exclude_key or ""],
    )
    return Delivery.from_row(rows[0]) if rows else None
