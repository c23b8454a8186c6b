"""Real local servers and data builders for the delivery tests (tests/test_notify_*.py).

- :class:`SlackStub`: an HTTP server on 127.0.0.1 standing in for Slack incoming webhooks; it records every
  request with its server-side arrival time and answers from a script (default ``200 ok``).
- :class:`SmtpSink`: an aiosmtpd server on 127.0.0.1 (plain, STARTTLS or implicit TLS, optional AUTH) that
  records every message it accepts and can answer DATA with scripted replies.
- ``add_*`` helpers insert the rows the risk engine, crawler and classifier would have written.
"""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from storage.store import Store
from storage.times import to_iso

NOW = datetime(2026, 6, 15, 7, 0, tzinfo=UTC)  # 09:00 in Europe/Paris (CEST)

BASE_CONFIG = """
[settings]
user_agent_contact = "https://example.org/capwatch-tests"
digest_time = "08:00"
timezone = "Europe/Paris"

[classifier]
kind = "keyword"

[providers.helix]
name = "Helix AI"
aliases = ["Helix"]

[providers.northwind]
name = "Northwind Models"
aliases = ["Northwind"]

[[sources]]
name = "helix-blog"
url = "https://helix.example/feed.xml"

[[sources]]
name = "northwind-status"
kind = "status"
url = "https://status.northwind.example/history.atom"

[[sources]]
name = "ai-news"
url = "https://news.example/ai.xml"
"""


# --------------------------------------------------------------------------------------------- Slack stand-in
@dataclass
class Received:
    """One request as the server saw it."""

    at: float  # time.monotonic() when the server had read the body
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class SlackStub:
    """A webhook endpoint: ``script`` holds (status, headers, body) answers used in order, then ``200 ok``;
    while ``failing`` is set, every request is answered with that status instead (an outage of any length)."""

    requests: list[Received] = field(default_factory=list)
    script: deque[tuple[int, dict[str, str], str]] = field(default_factory=deque)
    failing: int | None = None
    port: int = 0
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    def start(self, port: int = 0) -> SlackStub:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server API)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                stub.requests.append(Received(time.monotonic(), self.path, dict(self.headers.items()), body))
                headers: dict[str, str]
                if stub.failing is not None:
                    status, headers, text = stub.failing, {}, "service unavailable"
                else:
                    status, headers, text = stub.script.popleft() if stub.script else (200, {}, "ok")
                payload = text.encode()
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]


# --------------------------------------------------------------------------------------------- SMTP sink
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_cert(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 / localhost (openssl command line), and its key."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True,
    )
    return cert, key


@dataclass
class Mail:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    login: bytes | None
    tls: bool


class SmtpHandler:
    """Records accepted messages; ``replies`` (e.g. ``"451 4.3.0 try later"``) answer DATA first, in order;
    addresses in ``refuse`` are refused at RCPT."""

    def __init__(self) -> None:
        self.messages: list[Mail] = []
        self.replies: deque[str] = deque()
        self.refuse: set[str] = set()  # recipients answered with 550

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,  # noqa: N802
                          rcpt_options: list[str]) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd API)
        if self.replies:
            return self.replies.popleft()
        auth = session.auth_data
        self.messages.append(
            Mail(
                mail_from=envelope.mail_from,
                rcpt_tos=list(envelope.rcpt_tos),
                content=envelope.original_content,
                login=auth.login if isinstance(auth, LoginPassword) else None,
                tls=server.transport.get_extra_info("ssl_object") is not None,
            )
        )
        return "250 2.0.0 OK queued"


def authenticator(user: bytes, password: bytes) -> Any:
    def check(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == user and auth_data.password == password
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    return check


def smtp_server(handler: SmtpHandler, *, security: str = "none", cert: tuple[Path, Path] | None = None,
                auth: tuple[bytes, bytes] | None = None) -> Controller:
    """Start an aiosmtpd server on 127.0.0.1 (``security``: none | starttls | tls) and return its controller."""
    kwargs: dict[str, Any] = {"hostname": "127.0.0.1", "port": free_port()}
    if security != "none":
        assert cert is not None
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(str(cert[0]), str(cert[1]))
        if security == "tls":
            kwargs["ssl_context"] = ctx
        else:
            kwargs.update(tls_context=ctx, require_starttls=True)
    if auth is not None:
        kwargs.update(authenticator=authenticator(*auth), auth_required=True)
        if security == "tls":
            kwargs["auth_require_tls"] = False  # aiosmtpd only counts STARTTLS as TLS; this connection is TLS already
    controller = Controller(handler, **kwargs)
    controller.start()
    return controller


# --------------------------------------------------------------------------------------------- data builders
def iso(dt: datetime) -> str:
    return to_iso(dt)


def insert(store: Store, table: str, row: dict[str, Any]) -> int:
    """Insert one row the way the owning stage would; return its id."""
    cols = ", ".join(row)
    with store.transaction():
        cur = store.db.execute(f"insert into {table} ({cols}) values ({', '.join('?' * len(row))})", list(row.values()))
    return int(cur.lastrowid or 0)


def add_article(store: Store, title: str, url: str, *, source: str = "ai-news", published: datetime = NOW) -> int:
    return insert(store, "articles", {"url": url, "link": url, "content_hash": url, "title": title,
                                      "published": iso(published), "fetched": iso(published), "source": source})


def add_signal(store: Store, provider: str, tag: str, confidence: float, *, article_id: int | None = None,
               price_change_id: int | None = None, incident_id: int | None = None,
               published: datetime = NOW, created: datetime = NOW) -> int:
    return insert(store, "signals", {
        "article_id": article_id, "price_change_id": price_change_id, "incident_id": incident_id, "tag": tag,
        "confidence": confidence, "provider": provider, "published": iso(published), "model_version": "test",
        "created": iso(created),
    })


def add_alert(store: Store, provider: str, level: str, *, score: float, opened_at: datetime = NOW,
              status: str = "open", peak_level: str | None = None, resolved_at: datetime | None = None,
              summary: str = "", evidence: dict[str, list[int]] | None = None) -> int:
    return insert(store, "alerts", {
        "provider": provider, "status": status, "level": level, "peak_level": peak_level or level, "score": score,
        "opened_at": iso(opened_at), "updated_at": iso(resolved_at or opened_at),
        "resolved_at": iso(resolved_at) if resolved_at else None, "summary": summary,
        "evidence": json.dumps(evidence or {}),
    })


def add_event(store: Store, alert_id: int, kind: str, level: str, *, previous: str | None = None, score: float = 1.0,
              at: datetime = NOW, evidence: dict[str, list[int]] | None = None) -> int:
    return insert(store, "alert_events", {
        "alert_id": alert_id, "kind": kind, "level": level, "previous_level": previous, "score": score,
        "at": iso(at), "evidence": json.dumps(evidence or {}),
    })


def add_snapshot(store: Store, provider: str, level: str, score: float, at: datetime) -> None:
    insert(store, "risk_snapshots",
           {"provider": provider, "computed_at": iso(at), "score": score, "level": level, "contributions": "[]"})


def simple_alert(store: Store, provider: str = "helix", *, level: str = "warning", previous: str | None = None,
                 kind: str = "opened", at: datetime | None = None, title: str = "Helix misses payroll") -> int:
    """An event on the provider's open alert (opened if there is none), backed by one signal on one article
    titled ``title``; returns the event id. Like the risk engine, keeps at most one open alert per provider."""
    at = at or NOW - timedelta(minutes=5)
    slug = "-".join(title.lower().split())
    art = add_article(store, title, f"https://news.example/{provider}/{slug}")
    sig = add_signal(store, provider, "losses_burn", 0.9, article_id=art)
    evidence = {"signals": [sig]}
    rows = store.rows("select id, peak_level from alerts where provider = ? and status = 'open'", [provider])
    if rows:
        alert = int(rows[0]["id"])
        ranks = ["ok", "watch", "warning", "critical"]
        peak = max(rows[0]["peak_level"], level, key=ranks.index)
        store.db.execute(
            "update alerts set level = ?, peak_level = ?, updated_at = ?, summary = ?, status = ?, resolved_at = ? "
            "where id = ?",
            [level, peak, iso(at), f"{title}.", "resolved" if kind == "resolved" else "open",
             iso(at) if kind == "resolved" else None, alert],
        )
        store.db.conn.commit()
    else:
        alert = add_alert(store, provider, level, score=5.0, opened_at=at, summary=f"{title}.", evidence=evidence)
    return add_event(store, alert, kind, level, previous=previous, score=5.0, at=at, evidence=evidence)


def seed_digest(store: Store) -> dict[str, int]:
    """A day of activity: risk moves, a new and a resolved alert, signals, a price change, an incident, a failing
    and a paused source, and a previous digest sent a day before ``NOW``."""
    insert(store, "deliveries", {
        "channel": "email", "target": "team@example.org", "kind": "digest", "dedupe_key": "digest:2026-06-14",
        "payload": "{}", "status": "sent", "attempts": 1, "next_attempt": iso(NOW - timedelta(days=1)),
        "created": iso(NOW - timedelta(days=1)), "sent_at": iso(NOW - timedelta(days=1)),
    })
    add_snapshot(store, "helix", "watch", 2.5, NOW - timedelta(hours=30))
    add_snapshot(store, "helix", "critical", 7.5, NOW - timedelta(hours=1))
    add_snapshot(store, "northwind", "watch", 2.4, NOW - timedelta(hours=30))
    add_snapshot(store, "northwind", "ok", 0.8, NOW - timedelta(hours=1))
    ids: dict[str, int] = {}
    titles = [("Helix burns <b>cash</b> & more", 0.95), ("Helix CFO departs", 0.90), ("Helix raises API prices", 0.85),
              ("Helix minor note", 0.50)]
    for i, (title, conf) in enumerate(titles):
        art = add_article(store, title, f"https://news.example/helix/{i}", source="helix-blog",
                          published=NOW - timedelta(hours=5 + i))
        ids[f"signal{i}"] = add_signal(store, "helix", "losses_burn" if i != 1 else "leadership_change", conf,
                                       article_id=art, published=NOW - timedelta(hours=5 + i),
                                       created=NOW - timedelta(hours=4))
    old = add_article(store, "Helix old story", "https://news.example/helix/old", published=NOW - timedelta(days=3))
    add_signal(store, "helix", "layoffs", 0.99, article_id=old, published=NOW - timedelta(days=3),
               created=NOW - timedelta(days=2))
    ids["alert_new"] = add_alert(store, "helix", "critical", score=7.5, opened_at=NOW - timedelta(hours=3),
                                 summary="Helix AI up to critical (score 7.50)")
    ids["alert_resolved"] = add_alert(store, "northwind", "ok", score=0.8, opened_at=NOW - timedelta(days=3),
                                      status="resolved", peak_level="watch", resolved_at=NOW - timedelta(hours=10),
                                      summary="Northwind back to ok")
    pc = insert(store, "price_changes", {
        "source": "ai-news", "provider": "northwind", "model": "nw-large", "field": "input_price",
        "old_value": 3.0, "new_value": 3.6, "percent": 20.0, "direction": "up", "detected": iso(NOW - timedelta(hours=4)),
    })
    ids["price_signal"] = add_signal(store, "northwind", "api_pricing", 1.0, price_change_id=pc,
                                     published=NOW - timedelta(hours=4), created=NOW - timedelta(hours=4))
    insert(store, "incidents", {
        "source": "northwind-status", "external_id": "inc-1", "provider": "northwind", "title": "Elevated API errors",
        "impact": "major", "status": "resolved", "started": iso(NOW - timedelta(hours=8)),
        "resolved": iso(NOW - timedelta(hours=7)), "url": "https://status.northwind.example/incidents/1",
    })
    for name, kind, url in (("helix-blog", "feed", "https://helix.example/feed.xml"),
                            ("northwind-status", "status", "https://status.northwind.example/history.atom"),
                            ("ai-news", "feed", "https://news.example/ai.xml")):
        store.ensure_source(name, kind, url)
        store.update_source(name, last_fetch=iso(NOW - timedelta(minutes=30)))
    store.update_source("northwind-status", error_count=4, last_error="HTTP 503 Service Unavailable")
    store.update_source("ai-news", error_count=6, last_error="timeout", paused_until=iso(NOW + timedelta(hours=2)))
    return ids
