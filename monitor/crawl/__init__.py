"""The crawl stage: fetch feeds, HTML listings, status pages and price lists politely; store what is new.

Public contract (used by the CLI, the scheduler and the demo)::

    crawl_sources(config, store, *, names=None, force=False, now=None, progress=None) -> CrawlReport

Modules, in data-flow order: :mod:`.fetch` (bounded, polite HTTP), :mod:`.netguard` (private-address guard),
:mod:`.robots`, :mod:`.retrieve` (fetch + parse one source), :mod:`.feeds`, :mod:`.html_pages`, :mod:`.fulltext`,
:mod:`.status`, :mod:`.prices` (parsers), :mod:`.persist` (writes to the store), :mod:`.schedule` (next fetch,
back-off, pause) and :mod:`.runner` (orchestration). See docs/crawler.md.
"""

from __future__ import annotations

from .report import CrawlReport, SourceResult
from .runner import check_sources, crawl_sources

__all__ = ["CrawlReport", "SourceResult", "check_sources", "crawl_sources"]
