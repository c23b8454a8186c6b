"""``html`` sources: find article links (and optional titles and dates) on a listing page with CSS selectors.

``selectors.link`` names the link elements (an ``<a>``, or an element containing or inside one). With
``selectors.row`` each matching row is one article and the link/title/date selectors apply inside it; otherwise the
title and date selectors are looked up in the closest ancestor of each link that contains a match. Without a title
selector the link's text (or its ``title``/``aria-label``) is the title. Dates come from ``datetime`` attributes
or the element text. Links are resolved against the page URL, de-duplicated by canonical URL, page order kept.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bs4 import BeautifulSoup, Tag
from soupsieve import SelectorSyntaxError

from monitor.config import Selectors

from .canonical import canonical_url
from .dates import parse_date
from .feeds import http_link
from .text import collapse

ANCESTOR_DEPTH = 6
MAX_ITEMS = 200


@dataclass
class ListingItem:
    """One article found on a listing page."""

    url: str  # canonical
    link: str
    title: str
    published: datetime | None


def _href(el: Tag) -> str | None:
    for candidate in (el, el.find("a", href=True), el.find_parent("a", href=True)):
        if isinstance(candidate, Tag) and candidate.get("href"):
            value = candidate.get("href")
            return value if isinstance(value, str) else None
    return None


def _near(el: Tag, selector: str | None, scope: Tag | None) -> Tag | None:
    """The first match of ``selector`` in ``scope`` or in the closest ancestor of ``el`` that has one."""
    if not selector:
        return None
    if scope is not None:
        found = scope.select_one(selector)
        return found if isinstance(found, Tag) else None
    if el.select_one(selector) is not None:
        found = el.select_one(selector)
        return found if isinstance(found, Tag) else None
    node: Any = el
    for _ in range(ANCESTOR_DEPTH):
        node = node.parent
        if not isinstance(node, Tag):
            return None
        found = node.select_one(selector)
        if isinstance(found, Tag):
            return found
    return None


def _date_of(el: Tag | None) -> datetime | None:
    if el is None:
        return None
    for attr in ("datetime", "content", "data-date", "title"):
        value = el.get(attr)
        if isinstance(value, str) and (parsed := parse_date(value)):
            return parsed
    inner_time = el.find("time")
    if isinstance(inner_time, Tag) and isinstance(inner_time.get("datetime"), str):
        parsed = parse_date(str(inner_time.get("datetime")))
        if parsed:
            return parsed
    return parse_date(collapse(el.get_text(" ")))


def parse_listing(body: bytes | str, page_url: str, selectors: Selectors) -> list[ListingItem]:
    """Articles on a listing page, in page order; raises ValueError only for an invalid selector."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        soup = BeautifulSoup(body, "lxml")
    link_selector = selectors.link or "a"
    items: list[ListingItem] = []
    seen: set[str] = set()
    pairs: list[tuple[Tag, Tag | None]] = []
    try:
        if selectors.row:
            for row_el in soup.select(selectors.row):
                link_el: Tag | None = row_el.select_one(link_selector)
                if link_el is None and row_el.name == "a":
                    link_el = row_el
                if isinstance(link_el, Tag):
                    pairs.append((link_el, row_el))
        else:
            pairs = [(match, None) for match in soup.select(link_selector)]
        for el, row in pairs:
            href = _href(el)
            link = http_link(href, page_url)
            if link is None:
                continue
            url = canonical_url(link)
            if url in seen:
                continue
            title_el = _near(el, selectors.title, row)
            title = collapse(title_el.get_text(" ")) if title_el is not None else collapse(el.get_text(" "))
            if not title:
                for attr in ("title", "aria-label"):
                    value = el.get(attr)
                    if isinstance(value, str) and value.strip():
                        title = collapse(value)
                        break
            seen.add(url)
            items.append(ListingItem(url=url, link=link, title=title[:1000], published=_date_of(_near(el, selectors.date, row))))
            if len(items) >= MAX_ITEMS:
                break
    except (SelectorSyntaxError, ValueError, NotImplementedError) as exc:
        raise ValueError(f"invalid CSS selector: {' '.join(str(exc).split())[:200]}") from None
    return items
