"""Parse RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and JSON Feed documents into clean, normalised entries.

Behaviour:

* The body bytes and the response headers go to ``feedparser.parse`` (so declared vs. actual encodings and
  ``Content-Location`` are handled as feedparser does); JSON Feed (1.0/1.1) is read by :func:`parse_json_feed`.
* A ``bozo`` (malformed) feed that still yields entries is kept; the problem is returned as ``warning``.
  A document that is not a feed at all (an HTML page, random bytes) yields ``error`` = ``not a feed (...)``.
* Relative links are resolved against the final URL; HTML in titles and summaries is reduced to clean text;
  dates are normalised to UTC; a missing or implausible date becomes the fetch time with ``date_missing``.
* An entry without a usable http(s) link gets a stable ``urn:capwatch:`` id built from its content (and its guid),
  so that it is stored once however often it is crawled.
Never raises for any input bytes.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from .canonical import canonical_url
from .dates import from_struct, parse_date, plausible
from .text import collapse, html_to_text

MAX_TITLE = 1000


@dataclass
class FeedEntry:
    """One entry, cleaned: ``url`` is canonical; ``link`` is the original (resolved) link or None."""

    url: str
    link: str | None
    title: str
    summary: str
    text: str
    published: datetime
    date_missing: bool
    guid: str | None
    author: str | None
    html: str = ""  # the richest raw HTML body (content, else summary), for status-page parsing
    updated: datetime | None = None


@dataclass
class ParsedFeed:
    """The outcome of parsing one document."""

    entries: list[FeedEntry] = field(default_factory=list)
    format: str | None = None  # feedparser's version (rss20, atom10, ...), "json1"/"json11", or None
    title: str = ""
    warning: str | None = None
    error: str | None = None


def http_link(raw: str | None, base: str) -> str | None:
    """``raw`` resolved against ``base`` when the result is an absolute http(s) URL, else None."""
    if not raw or not isinstance(raw, str):
        return None
    try:
        resolved = urljoin(base, raw.strip())
        parts = urlsplit(resolved)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return resolved


def stable_id(base: str, guid: str | None, title: str, summary: str, published: str) -> str:
    """A ``urn:capwatch:entry:<hash>`` for entries without a link.

    With a guid the id is scoped to the feed (guids like ``1`` are only unique within one feed); without one it is
    the content itself, so two feeds carrying the same linkless text share it.
    """
    if guid:
        basis = f"guid\x00{canonical_url(base)}\x00{guid}"
    else:
        basis = f"content\x00{collapse(title).lower()}\x00{collapse(summary).lower()}\x00{published}"
    return "urn:capwatch:entry:" + hashlib.sha256(basis.encode("utf-8", "replace")).hexdigest()[:32]


def _looks_like_html(body: bytes, content_type: str) -> bool:
    head = body[:2048].lstrip().lower()
    return "html" in content_type or head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:512]


def _describe_bozo(exc: object) -> str:
    text = collapse(str(exc)) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:300]


def _entry_text(entry: Mapping[str, Any]) -> tuple[str, str]:
    """(richest raw HTML, its clean text) from content[] or summary."""
    best = ""
    for item in entry.get("content") or []:
        value = item.get("value") if isinstance(item, Mapping) else None
        if isinstance(value, str) and len(value) > len(best):
            best = value
    summary = entry.get("summary") or ""
    if not isinstance(summary, str):
        summary = ""
    raw = best if len(best) > len(summary) else summary
    return raw, html_to_text(raw)


def _build_entry(
    base: str, fetched: datetime, *, link_raw: Any, title_raw: Any, summary_raw: Any, html: str, text: str,
    guid: Any, author: Any, published: datetime | None, updated: datetime | None,
) -> FeedEntry:
    title = html_to_text(title_raw if isinstance(title_raw, str) else "")[:MAX_TITLE]
    summary_html = summary_raw if isinstance(summary_raw, str) else ""
    summary = text if summary_html and summary_html == html else html_to_text(summary_html)
    guid_s = guid.strip() if isinstance(guid, str) and guid.strip() else None
    author_s = collapse(author) if isinstance(author, str) and author.strip() else None
    link = http_link(link_raw if isinstance(link_raw, str) else None, base)
    if link is None and guid_s is not None:
        link = http_link(guid_s, base) if guid_s.startswith(("http://", "https://")) else None
    when = plausible(published, fetched) or plausible(updated, fetched)
    date_missing = when is None
    url = canonical_url(link) if link else stable_id(
        base, guid_s, title, summary or text, when.isoformat() if when else ""
    )
    if not title:
        title = (summary or text)[:120]
    return FeedEntry(
        url=url, link=link, title=title, summary=summary, text=text or summary,
        published=when or fetched, date_missing=date_missing, guid=guid_s, author=author_s, html=html,
        updated=plausible(updated, fetched),
    )


def _str_field(item: Mapping[str, Any], name: str) -> str:
    value = item.get(name)
    return value if isinstance(value, str) else ""


def parse_json_feed(body: bytes, base: str, fetched: datetime) -> ParsedFeed | None:
    """Parse a JSON Feed (https://jsonfeed.org); None when ``body`` is not one."""
    try:
        doc = json.loads(body.decode("utf-8-sig", errors="replace"))
    except (ValueError, RecursionError):
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        return None
    version = str(doc.get("version", ""))
    if "jsonfeed" not in version and "title" not in doc:
        return None
    fmt = "json11" if version.endswith("1.1") else "json1"
    feed_base = http_link(doc.get("home_page_url"), base) or base
    out = ParsedFeed(format=fmt, title=html_to_text(str(doc.get("title") or "")))
    for item in doc["items"]:
        if not isinstance(item, dict):
            continue
        html = _str_field(item, "content_html")
        plain = _str_field(item, "content_text")
        text = html_to_text(html) if html else collapse(plain or "")
        author = item.get("author")
        authors = item.get("authors")
        if isinstance(authors, list) and authors and isinstance(authors[0], dict):
            author = authors[0]
        out.entries.append(
            _build_entry(
                feed_base, fetched,
                link_raw=item.get("url") or item.get("external_url"),
                title_raw=item.get("title"), summary_raw=item.get("summary") or (plain or html)[:2000],
                html=html or plain or "", text=text,
                guid=str(item["id"]) if item.get("id") is not None else None,
                author=author.get("name") if isinstance(author, dict) else None,
                published=parse_date(item.get("date_published") if isinstance(item.get("date_published"), str) else None),
                updated=parse_date(item.get("date_modified") if isinstance(item.get("date_modified"), str) else None),
            )
        )
    return out


def parse_feed(body: bytes, headers: Mapping[str, str], url: str, fetched: datetime) -> ParsedFeed:
    """Parse one fetched document (``url`` is the final URL, the base for relative links). Never raises."""
    try:
        return _parse_feed(body, headers, url, fetched)
    except Exception as exc:  # noqa: BLE001 - the contract is: never crash on bad input
        return ParsedFeed(error=f"unparseable document ({type(exc).__name__}: {collapse(str(exc))[:200]})")


def _parse_feed(body: bytes, headers: Mapping[str, str], url: str, fetched: datetime) -> ParsedFeed:
    lowered = {str(k).lower(): str(v) for k, v in headers.items()}
    content_type = lowered.get("content-type", "").lower()
    if not body.strip():
        return ParsedFeed(error="not a feed (empty body)")
    stripped = body.lstrip()[:1]
    if stripped in (b"{", b"[") or "json" in content_type:
        parsed_json = parse_json_feed(body, url, fetched)
        if parsed_json is not None:
            return parsed_json
    # feedparser resolves relative links against Content-Location (itself relative to the final URL)
    lowered["content-location"] = urljoin(url, lowered.get("content-location", "")) if lowered.get("content-location") else url
    for hop_header in ("content-encoding", "transfer-encoding", "content-length"):
        lowered.pop(hop_header, None)  # the body is already decoded
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # content HTML is reduced to text, never rendered: skip the sanitizer and URI rewriting inside it
        d = feedparser.parse(body, response_headers=lowered, sanitize_html=False, resolve_relative_uris=False)
    entries = d.get("entries") or []
    version = d.get("version") or None
    out = ParsedFeed(format=version, title=html_to_text((d.get("feed") or {}).get("title") or ""))
    if d.get("bozo") and d.get("bozo_exception") is not None:
        out.warning = f"malformed feed kept ({_describe_bozo(d['bozo_exception'])})"
    if not entries and not version and _looks_like_html(body, content_type):
        return ParsedFeed(error="not a feed (got an HTML page)")
    feed_metadata = bool(d.get("feed")) and not d.get("bozo")  # e.g. a well-formed CDF channel without items
    if not entries and not version and not feed_metadata:
        reason = _describe_bozo(d["bozo_exception"]) if d.get("bozo_exception") is not None else "no feed elements"
        return ParsedFeed(error=f"not a feed ({reason})"[:300])
    for entry in entries:
        html, text = _entry_text(entry)
        out.entries.append(
            _build_entry(
                url, fetched,
                link_raw=entry.get("link"), title_raw=entry.get("title"), summary_raw=entry.get("summary"),
                html=html, text=text, guid=entry.get("id"), author=entry.get("author"),
                published=from_struct(entry.get("published_parsed")) or from_struct(entry.get("created_parsed")),
                updated=from_struct(entry.get("updated_parsed")),
            )
        )
    if out.warning is None and not out.entries and d.get("bozo"):
        out.warning = "malformed feed"
    return out
