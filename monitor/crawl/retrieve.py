"""Retrieve one source: fetch it (conditionally) and parse the answer according to its kind.

Turns every possible answer into a :class:`Retrieved` value (never an exception): ``ok`` with parsed content,
``not-modified`` (304), ``gone`` (410), or ``error`` with a readable reason (``HTTP 404 Not Found``,
``timeout ...``, ``not a feed (got an HTML page)``, ``blocked by robots.txt`` ...) and, for 429/503, the
server's ``Retry-After``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from http import HTTPStatus

from monitor.config import Source

from .canonical import host_of
from .feeds import ParsedFeed, parse_feed
from .fetch import FEED_ACCEPT, HTML_ACCEPT, Fetcher, FetchError, Response
from .html_pages import ListingItem, parse_listing
from .prices import ModelPrice, PriceFormatError, parse_prices
from .robots import RobotsCache
from .schedule import parse_max_age, parse_retry_after
from .status import Incident, parse_status

INLINE_PARSE_BYTES = 512 * 1024


@dataclass
class Retrieved:
    """The fetched and parsed state of one source (``status``: ok | not-modified | gone | error)."""

    status: str
    url: str
    response: Response | None = None
    error: str | None = None
    warning: str | None = None
    format: str | None = None
    retry_after: timedelta | None = None
    max_age: timedelta | None = None
    feed: ParsedFeed | None = None
    listing: list[ListingItem] | None = None
    incidents: list[Incident] | None = None
    prices: dict[str, ModelPrice] | None = None

    @property
    def http_status(self) -> int | None:
        return self.response.status if self.response is not None else None

    @property
    def entries(self) -> int:
        for content in (self.feed.entries if self.feed else None, self.listing, self.incidents, self.prices):
            if content is not None:
                return len(content)
        return 0


def http_reason(status: int) -> str:
    """``HTTP 404 Not Found`` (or ``HTTP 599`` for unknown codes)."""
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


def conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """If-None-Match / If-Modified-Since from the stored validators."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


async def retrieve(
    fetcher: Fetcher,
    robots: RobotsCache | None,
    source: Source,
    url: str,
    *,
    fetched: datetime,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Retrieved:
    """Fetch ``url`` for ``source`` and parse it; robots.txt is checked first for ``html`` sources.

    The host of the configured ``source.url`` is trusted (the operator wrote it, it may be private on purpose);
    any other host on the way, a redirect target or a stored permanent-redirect URL, must pass the
    private-address guard, so a source cannot redirect capwatch into the internal network.
    """
    trusted = host_of(source.url)
    if robots is not None and source.kind == "html" and not await robots.allowed(url, trusted_host=trusted):
        return Retrieved("error", url, error=robots.blocked_reason(url))
    accept = HTML_ACCEPT if source.kind == "html" else FEED_ACCEPT
    try:
        response = await fetcher.get(
            url, headers=conditional_headers(etag, last_modified), accept=accept, guard=True, trusted_host=trusted
        )
    except FetchError as exc:
        return Retrieved("error", url, error=exc.reason)
    out = Retrieved("ok", url, response=response, max_age=parse_max_age(response.headers.get("cache-control")))
    status = response.status
    if status == 304:
        out.status = "not-modified"
        return out
    if status == 410:
        out.status = "gone"
        out.error = "HTTP 410 Gone: the server says this source is gone for good; source disabled"
        return out
    if status in (429, 503):
        out.status = "error"
        out.retry_after = parse_retry_after(response.headers.get("retry-after"), fetched)
        out.error = http_reason(status) + (
            f" (retry after {int(out.retry_after.total_seconds())}s)" if out.retry_after else ""
        )
        return out
    if status >= 400 or not 200 <= status < 300:
        out.status = "error"
        out.error = http_reason(status)
        return out
    if len(response.body) > INLINE_PARSE_BYTES:
        await asyncio.to_thread(_parse_into, out, source, fetched)  # keep the loop serving other fetches
    else:
        _parse_into(out, source, fetched)  # small documents: cheaper than a thread hop (and its GIL hand-offs)
    return out


def _parse_into(out: Retrieved, source: Source, fetched: datetime) -> None:
    """Parse ``out.response`` by the source's kind (runs in a worker thread; never raises)."""
    assert out.response is not None
    response = out.response
    try:
        if source.kind in ("feed", "status"):
            parsed = parse_feed(response.body, response.headers, response.url, fetched)
            if parsed.error:
                out.status, out.error = "error", parsed.error
                return
            out.warning, out.format = parsed.warning, parsed.format
            if source.kind == "feed":
                out.feed = parsed
            else:
                out.incidents, fmt = parse_status(parsed, response.body, source.format)
                out.format = fmt if fmt != "feed" else f"status-{parsed.format or 'feed'}"
        elif source.kind == "html":
            out.listing = parse_listing(response.body, response.url, source.selectors)
            out.format = "html"
            if not out.listing:
                out.warning = f'no links matched selector "{source.selectors.link}"'
        elif source.kind == "prices":
            out.prices, out.format = parse_prices(response.body, response.content_type, source)
        else:  # pragma: no cover - config validation prevents it
            out.status, out.error = "error", f"unknown source kind {source.kind!r}"
    except PriceFormatError as exc:
        out.status, out.error = "error", str(exc)
    except ValueError as exc:
        out.status, out.error = "error", str(exc)[:300]
    except Exception as exc:  # noqa: BLE001 - a parser bug must not crash the crawl
        out.status, out.error = "error", f"parse failure ({type(exc).__name__}: {' '.join(str(exc).split())[:200]})"
