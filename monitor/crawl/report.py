"""What a crawl reports: one :class:`SourceResult` per selected source and the :class:`CrawlReport` around them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

STATUSES = ("ok", "not-modified", "error", "skipped", "paused", "disabled")


@dataclass
class SourceResult:
    """The outcome of one source in one crawl.

    ``status``: ok | not-modified | error | skipped (not due) | paused (too many failures, resumes on its own) |
    disabled (``enabled = false`` or the server answered 410 Gone). ``error`` is a readable reason (also for
    paused/disabled), ``format`` what was parsed (rss20, atom10, json11, statuspage, json, html ...).
    """

    name: str
    kind: str
    status: str
    http_status: int | None = None
    entries: int = 0
    new_articles: int = 0
    new_incidents: int = 0
    updated_incidents: int = 0
    price_changes: int = 0
    error: str | None = None
    format: str | None = None
    warning: str | None = None
    url: str | None = None


@dataclass
class CrawlReport:
    """All results of one crawl, in configuration order, with totals."""

    results: list[SourceResult]
    started: datetime
    finished: datetime

    def _sum(self, attr: str) -> int:
        return sum(int(getattr(r, attr)) for r in self.results)

    @property
    def new_articles(self) -> int:
        return self._sum("new_articles")

    @property
    def new_incidents(self) -> int:
        return self._sum("new_incidents")

    @property
    def updated_incidents(self) -> int:
        return self._sum("updated_incidents")

    @property
    def price_changes(self) -> int:
        return self._sum("price_changes")

    @property
    def entries(self) -> int:
        return self._sum("entries")

    @property
    def fetched(self) -> int:
        """Sources actually requested (ok, not-modified or error)."""
        return sum(1 for r in self.results if r.status in ("ok", "not-modified", "error"))

    @property
    def errors(self) -> int:
        return sum(1 for r in self.results if r.status == "error")

    def by_name(self, name: str) -> SourceResult:
        """The result of source ``name`` (KeyError if it was not selected)."""
        for r in self.results:
            if r.name == name:
                return r
        raise KeyError(name)


def failure_kind(error: str | None) -> str:
    """A short class of a source's error for summaries: ``HTTP 503``, ``timeout``, ``DNS``, ``robots.txt`` ..."""
    text = (error or "error").strip()
    words = text.split()
    if words[0] == "HTTP" and len(words) > 1:
        return f"HTTP {words[1]}"
    lowered = text.lower()
    for key, label in (("name or service", "DNS"), ("dns", "DNS"), ("resolve", "DNS"), ("timeout", "timeout"),
                       ("timed out", "timeout"), ("robots.txt", "robots.txt"), ("refused", "connection refused"),
                       ("not a feed", "not a feed"), ("private address", "blocked address")):
        if key in lowered:
            return label
    return words[0].rstrip(":,(")


def failure_summary(results: list[SourceResult]) -> str | None:
    """``"33 of 36 sources failed: 30 DNS, 3 timeout"``, or None when no source failed."""
    failed = [r for r in results if r.status == "error"]
    if not failed:
        return None
    kinds: dict[str, int] = {}
    for r in failed:
        kind = failure_kind(r.error)
        kinds[kind] = kinds.get(kind, 0) + 1
    parts = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])))
    return f"{len(failed)} of {len(results)} sources failed: {parts}"
