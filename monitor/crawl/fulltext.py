"""Fetch an article page and extract its main text (trafilatura, falling back to a bs4 extraction).

Article links come from content we do not control, so they go through the private-address guard (only http/https,
no private/loopback/link-local targets unless allow-listed) and robots.txt when ``respect_robots`` is on.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from dataclasses import dataclass
from datetime import datetime

import trafilatura
from bs4 import BeautifulSoup

from .dates import parse_date
from .fetch import HTML_ACCEPT, Fetcher, FetchError
from .netguard import BlockedURL
from .robots import RobotsCache
from .text import collapse

ARTICLE_MAX_BYTES = 5 * 1024 * 1024
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)


def fallback_text(html: bytes | str) -> str:
    """Visible text of the page's ``<article>`` or ``<main>`` (else ``<body>``) without scripts and navigation."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        soup = BeautifulSoup(html, "lxml")
    for tag in soup(["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "template", "svg"]):
        tag.decompose()
    root = soup.find("article") or soup.find("main") or soup.body or soup
    parts = [collapse(p.get_text(" ")) for p in root.find_all(["p", "h1", "h2", "h3", "li", "pre", "blockquote"])]
    text = "\n".join(p for p in parts if p)
    return text or collapse(root.get_text(" "))


def extract_text(html: bytes | str, url: str | None = None) -> str:
    """Main text of an article page; never raises (returns "" when there is nothing)."""
    if not html:
        return ""
    try:
        text = trafilatura.extract(html, url=url, include_comments=False, include_tables=False, favor_precision=True)
    except Exception:  # noqa: BLE001 - trafilatura may fail on odd markup; fall back
        text = None
    if text and text.strip():
        return text.strip()
    try:
        return fallback_text(html)
    except Exception:  # noqa: BLE001
        return ""


@dataclass
class ArticlePage:
    """The extracted main text of an article page and the publication date found in its metadata."""

    text: str
    published: datetime | None


def extract_page(html: bytes, url: str | None = None) -> ArticlePage:
    """Text and (if the page declares one) publication date of an article page; never raises."""
    text = extract_text(html, url)
    published = None
    try:
        meta = trafilatura.extract_metadata(html, default_url=url)
        if meta is not None and meta.date:
            published = parse_date(meta.date)
    except Exception:  # noqa: BLE001
        published = None
    return ArticlePage(text=text, published=published)


async def fetch_article(fetcher: Fetcher, robots: RobotsCache | None, url: str) -> ArticlePage | str:
    """The article at ``url``, or a readable reason why it cannot or must not be fetched."""
    try:
        await fetcher.guard.check(url)
    except BlockedURL as exc:
        return str(exc)
    if robots is not None and not await robots.allowed(url):
        return robots.blocked_reason(url)
    try:
        response = await fetcher.get(url, guard=True, max_bytes=ARTICLE_MAX_BYTES, accept=HTML_ACCEPT)
    except FetchError as exc:
        return exc.reason
    if response.status != 200:
        return f"HTTP {response.status}"
    page = await asyncio.to_thread(extract_page, response.body, response.url)
    return page if page.text else "no article text found"
