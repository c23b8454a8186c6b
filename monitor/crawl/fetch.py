"""Polite, bounded HTTP fetching with httpx.

One :class:`Fetcher` serves a whole crawl. It limits concurrency overall and per host, sends capwatch's own
User-Agent, applies connect/read timeouts per hop and a total deadline per fetch, follows at most
``max_redirects`` redirects itself (so that every hop is counted, checked against the private-address guard when
asked, and a leading run of permanent 301/308 redirects can update the stored URL), caps the body while
streaming, undoing its content encodings layer by layer with every layer capped (so neither a huge nor an endless
nor a gzip-bomb body, with one layer or several, can exhaust memory), and turns every transport
failure into a :class:`FetchError` with a short, stable, readable reason (``timeout``, ``DNS: ...``, ``TLS: ...``,
``connection refused``, ``body larger than 10 MB``, ``redirect loop`` ...). HTTP error statuses are *not*
exceptions: callers get the :class:`Response` and decide.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections import defaultdict
from dataclasses import dataclass, field
from types import TracebackType
from urllib.parse import urljoin

import httpx

from monitor import __version__
from monitor.config import CrawlSettings

from .canonical import host_of
from .decoding import BadEncoding, BodyTooLarge, BoundedDecoder
from .netguard import BlockedURL, NetGuard

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, text/html;q=0.5, */*;q=0.3"
)
HTML_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"


def user_agent(contact: str) -> str:
    """capwatch's User-Agent: product token, version and a contact URL for site owners."""
    return f"capwatch/{__version__} (+{contact}; financial-stability monitor)"


class FetchError(Exception):
    """A fetch that produced no HTTP response; ``reason`` is short, stable and readable."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Response:
    """A complete HTTP answer: final URL, status, headers and the (decoded, capped) body."""

    url: str
    status: int
    headers: httpx.Headers
    body: bytes = b""
    permanent_url: str | None = None  # where a leading run of 301/308 redirects led, if any
    redirects: list[str] = field(default_factory=list)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


def format_size(n: int) -> str:
    """``10 MB``, ``512 KB`` or ``900 bytes``."""
    if n >= 1024 * 1024 and n % (1024 * 1024) == 0:
        return f"{n // (1024 * 1024)} MB"
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n // 1024} KB"
    return f"{n} bytes"


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and its causes (httpx wraps the OS error that says what really happened)."""
    out: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in out and len(out) < 10:
        out.append(current)
        current = current.__cause__ or current.__context__
    return out


def describe_transport_error(exc: Exception, url: str) -> str:
    """Map an httpx/OS exception to a stable, readable reason."""
    host = host_of(url) or url
    text = str(exc) or type(exc).__name__
    for inner in _chain(exc)[1:]:
        if isinstance(inner, socket.gaierror):
            return f"DNS: cannot resolve {host}"
        if isinstance(inner, ConnectionRefusedError):
            return f"connection refused by {host}"
        if isinstance(inner, ssl.SSLError):
            return f"TLS: {str(inner)[:160]}"
    lower = " ".join(str(e) for e in _chain(exc)).lower()
    if isinstance(exc, httpx.ConnectTimeout):
        return f"timeout (no connection to {host})"
    if isinstance(exc, httpx.ReadTimeout):
        return f"timeout (no data from {host})"
    if isinstance(exc, httpx.TimeoutException):
        return f"timeout ({host})"
    if isinstance(exc, ssl.SSLError) or "ssl" in lower or "certificate" in lower or "tls" in lower:
        return f"TLS: {text[:160]}"
    if isinstance(exc, httpx.ConnectError | OSError):
        if any(s in lower for s in ("name or service not known", "nodename nor servname", "getaddrinfo",
                                    "name resolution", "no address associated", "name does not resolve")):
            return f"DNS: cannot resolve {host}"
        if "refused" in lower or "all connection attempts failed" in lower:
            return f"connection refused by {host}"
        if "unreachable" in lower:
            return f"network unreachable ({host})"
        if "reset" in lower:
            return f"connection reset by {host}"
        return f"connection failed ({host}): {text[:160]}"
    if isinstance(exc, httpx.DecodingError):
        return "bad content encoding (cannot decompress the body)"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"protocol error: {text[:160]}"
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return f"invalid URL: {text[:160]}"
    if isinstance(exc, httpx.HTTPError):
        return f"HTTP transport error: {text[:160]}"
    return f"{type(exc).__name__}: {text[:160]}"


class Fetcher:
    """An async HTTP client with capwatch's politeness and safety limits; use as ``async with``."""

    def __init__(self, settings: CrawlSettings, contact: str, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.settings = settings
        self.user_agent = user_agent(contact)
        self.guard = NetGuard(settings.allow_private_hosts)
        self._global = asyncio.Semaphore(settings.concurrency)
        self._hosts: defaultdict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(settings.per_host))
        self._transport = transport
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> Fetcher:
        s = self.settings
        self._client = httpx.AsyncClient(
            follow_redirects=False,
            timeout=httpx.Timeout(connect=s.connect_timeout, read=s.read_timeout, write=s.read_timeout, pool=None),
            limits=httpx.Limits(max_connections=s.concurrency * 2, max_keepalive_connections=s.concurrency * 2),
            headers={"User-Agent": self.user_agent, "Accept-Encoding": "gzip, deflate"},
            transport=self._transport,
            trust_env=True,  # HTTP(S)_PROXY, NO_PROXY and SSL_CERT_FILE work as users expect
        )
        return self

    async def __aexit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def get(
        self,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        guard: bool = False,
        trusted_host: str | None = None,
        max_bytes: int | None = None,
        accept: str = FEED_ACCEPT,
    ) -> Response:
        """GET ``url`` following redirects; raise :class:`FetchError` when there is no usable HTTP answer.

        With ``guard`` every hop must pass the private-address check, except hops to ``trusted_host`` (a
        :func:`host_of` value: the host of a URL the operator configured, which may be private on purpose).
        Conditional ``headers`` are only sent to the first URL (a redirect target is a different resource).
        The ``total_timeout`` deadline counts only the time spent holding a connection slot (its hops' requests
        and answers), never the time spent waiting for a slot of a busy host or of the crawl.
        """
        assert self._client is not None, "use Fetcher as an async context manager"
        cap = max_bytes or self.settings.max_body_bytes
        remaining = self.settings.total_timeout
        seen: list[str] = []
        permanent: str | None = None
        still_permanent = True
        current = url
        hop_headers = {"Accept": accept, **(headers or {})}
        while True:
            if guard and not (trusted_host and host_of(current) == trusted_host):
                try:
                    await self.guard.check(current)
                except BlockedURL as exc:
                    raise FetchError(str(exc)) from None
            seen.append(current)
            response, spent = await self._hop(current, hop_headers, cap, remaining)
            remaining -= spent
            location = response.headers.get("location")
            if response.status not in REDIRECT_STATUSES or not location:
                response.permanent_url = permanent
                response.redirects = seen[1:]
                return response
            target = urljoin(current, location.strip())
            if target in seen:
                raise FetchError(f"redirect loop ({len(seen)} hops back to {target[:120]})")
            if len(seen) > self.settings.max_redirects:
                raise FetchError(f"too many redirects (more than {self.settings.max_redirects})")
            if still_permanent and response.status in PERMANENT_REDIRECTS:
                permanent = target
            else:
                still_permanent = False
            current = target
            hop_headers = {"Accept": accept}

    async def _hop(self, url: str, headers: dict[str, str], cap: int, remaining: float) -> tuple[Response, float]:
        """One request with at most ``remaining`` seconds of the fetch's deadline, counted from the moment the host's
        and the crawl's slots are held; returns the response and the seconds it took."""
        assert self._client is not None
        async with self._hosts[host_of(url)], self._global:
            loop = asyncio.get_running_loop()
            started = loop.time()
            try:
                async with asyncio.timeout_at(started + max(remaining, 0.0)):
                    return await self._request(url, headers, cap), loop.time() - started
            except TimeoutError:
                raise FetchError(
                    f"timeout (no complete answer from {host_of(url)} within {self.settings.total_timeout:g}s)"
                ) from None
            except FetchError:
                raise
            except (httpx.HTTPError, OSError, ssl.SSLError, ValueError) as exc:
                raise FetchError(describe_transport_error(exc, url)) from None

    async def _request(self, url: str, headers: dict[str, str], cap: int) -> Response:
        assert self._client is not None
        async with self._client.stream("GET", url, headers=headers) as resp:
            status = resp.status_code
            if status in REDIRECT_STATUSES or status == 304 or status >= 400:
                # their bodies are not needed, but a connection is only reused once its response has been read
                body = await self._read(resp, min(cap, 64 * 1024), truncate=True)
                return Response(url=str(resp.url), status=status, headers=resp.headers, body=body if status >= 400 else b"")
            declared = resp.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cap:
                raise FetchError(f"body larger than {format_size(cap)} (Content-Length {format_size(int(declared))})")
            body = await self._read(resp, cap, truncate=False)
            return Response(url=str(resp.url), status=status, headers=resp.headers, body=body)

    @staticmethod
    async def _read(resp: httpx.Response, cap: int, *, truncate: bool) -> bytes:
        """The body, its ``Content-Encoding`` layers undone one by one while streaming (:mod:`.decoding`): the
        bytes received, each layer and the decoded body are capped at ``cap``, so a multi-layer gzip bomb stops at
        the cap without ever being expanded further. Over the cap: the first ``cap`` decoded bytes with
        ``truncate``, else :class:`FetchError`."""
        try:
            decoder = BoundedDecoder(resp.headers.get("content-encoding"), cap)
        except BadEncoding as exc:
            raise FetchError(str(exc)) from None
        chunks: list[bytes] = []
        try:
            async for raw in resp.aiter_raw():
                chunks.extend(decoder.feed(raw))
            chunks.extend(decoder.finish())
        except BodyTooLarge:
            if truncate:
                return b"".join(chunks)[:cap]
            raise FetchError(f"body larger than {format_size(cap)} (download stopped)") from None
        except BadEncoding:
            raise FetchError("bad content encoding (cannot decompress the body)") from None
        return b"".join(chunks)
