"""The crawl stage: fetch every due source concurrently, store what is new, and keep each source's state.

Per source, in order: skip it if disabled (config or 410 Gone), paused (too many consecutive failures) or not
due (unless ``force``); fetch it from its current URL with its stored validators; on 304 store nothing; on success
store articles / incidents / price snapshots and then the new validators, the next fetch time (interval stretched
by ``Cache-Control: max-age``) and a permanent redirect's target; on failure count it, back off exponentially with
jitter (at least ``Retry-After``), and pause after ``pause_after_failures`` in a row. Any unexpected exception
in one source becomes that source's error; the crawl itself never raises for a source's failure.

A source URL's ``user:password@`` is used for the requests only: the URLs stored (the source's state, articles,
incidents), reported (:class:`SourceResult`) and the error messages stored and logged carry ``***@`` instead
(:func:`monitor.config.redact_url`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from monitor.config import Config, Source, redact_url, redact_urls, with_credentials
from storage.store import NewArticle, Store, StoreError
from storage.times import from_iso, to_iso, utcnow

from .dates import plausible
from .feeds import FeedEntry
from .fetch import Fetcher
from .fulltext import ArticlePage, fetch_article
from .html_pages import ListingItem
from .persist import store_articles, store_incidents, store_prices
from .report import CrawlReport, SourceResult
from .retrieve import Retrieved, retrieve
from .robots import RobotsCache
from .schedule import after_failure, is_due, next_after_success

log = logging.getLogger(__name__)

MAX_ARTICLE_FETCHES = 30  # full-text fetches per source and crawl (the rest wait for the next crawl)


def _iso_or_none(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return from_iso(text)
    except ValueError:
        return None


class Crawl:
    """One crawl over a set of sources, sharing one :class:`Fetcher` and robots.txt cache."""

    def __init__(
        self,
        config: Config,
        store: Store,
        *,
        now: datetime,
        force: bool = False,
        progress: Callable[[str], None] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.now = now
        self.force = force
        self.progress = progress
        self.rng = rng or random.Random()
        self.fetcher: Fetcher | None = None
        self.robots: RobotsCache | None = None

    # ---------------------------------------------------------------------------------------------- entry
    async def run(self, sources: Sequence[Source]) -> list[SourceResult]:
        """Crawl ``sources`` concurrently; results in the given order."""
        known = {row["name"]: row for row in self.store.sources_state()}
        states = [self._prepare(source, known.get(source.name)) for source in sources]
        async with Fetcher(self.config.crawl, self.config.settings.user_agent_contact) as fetcher:
            self.fetcher = fetcher
            self.robots = RobotsCache(fetcher) if self.config.crawl.respect_robots else None
            return list(await asyncio.gather(*(self._guarded(s, st) for s, st in zip(sources, states, strict=True))))

    def _prepare(self, source: Source, previous: dict[str, Any] | None) -> dict[str, Any]:
        """The source's state row (created if new; a changed URL starts over and lifts a 410 disable)."""
        shown = source.shown_url
        if previous is not None and previous["url"] == shown and previous["kind"] == source.kind:
            return previous
        state = self.store.ensure_source(source.name, source.kind, shown)
        if previous is not None and previous["url"] != shown:
            self.store.save_source_state(source.name, disabled_reason=None, error_count=0, paused_until=None, next_fetch=None)
            state = self.store.source_state(source.name) or state
        return state

    async def _guarded(self, source: Source, state: dict[str, Any]) -> SourceResult:
        result = SourceResult(name=source.name, kind=source.kind, status="error",
                              url=redact_url(state.get("current_url") or source.url))
        try:
            await self._one(source, state, result)
        except StoreError:
            # The database itself failed (locked, full, read-only): every other source would fail the same
            # way and the failure cannot be recorded, so stop the crawl and let the caller report it once.
            raise
        except Exception as exc:  # noqa: BLE001 - one source's bug must not stop the others
            log.exception("crawl of %s failed", source.name)
            result.status = "error"
            result.error = redact_urls(f"internal error ({type(exc).__name__}: {str(exc)[:200]})")
            try:
                self._record_failure(source, state, result.error, None, None)
            except StoreError:
                raise  # as above: the database is the problem, reported once by the caller
            except Exception:  # noqa: BLE001 - the database itself may be the problem
                log.exception("cannot record the failure of %s", source.name)
        result.error = redact_urls(result.error) if result.error else result.error
        result.warning = redact_urls(result.warning) if result.warning else result.warning
        if self.progress is not None:
            self.progress(_progress_line(result))
        return result

    # ---------------------------------------------------------------------------------------------- one source
    async def _one(self, source: Source, state: dict[str, Any], result: SourceResult) -> None:
        if not source.enabled:
            result.status, result.error = "disabled", "disabled in the configuration (enabled = false)"
            return
        if state.get("disabled_reason") and not self.force:
            result.status, result.error = "disabled", state["disabled_reason"]
            return
        paused_until = _iso_or_none(state.get("paused_until"))
        if paused_until is not None and paused_until > self.now and not self.force:
            result.status = "paused"
            result.error = f"paused until {to_iso(paused_until)} after {state.get('error_count')} failures: {state.get('last_error')}"
            return
        if not self.force and not is_due(_iso_or_none(state.get("next_fetch")), self.now):
            result.status = "skipped"
            return
        assert self.fetcher is not None
        url = with_credentials(state.get("current_url") or source.url, source.url)
        got = await retrieve(
            self.fetcher, self.robots, source, url, fetched=self.now,
            etag=state.get("etag"), last_modified=state.get("last_modified"),
        )
        result.http_status = got.http_status
        result.format = got.format
        result.warning = got.warning
        if got.status == "not-modified":
            result.status = "not-modified"
            self._record_success(source, state, got, entries=None)
            return
        if got.status == "gone":
            reason = redact_urls(got.error or "gone")
            result.status, result.error = "disabled", reason
            self.store.save_source_state(
                source.name, disabled_reason=reason, last_error=reason, last_status=410,
                last_fetch=to_iso(self.now), error_count=int(state.get("error_count") or 0) + 1,
            )
            return
        if got.status == "error":
            result.status, result.error = "error", got.error
            self._record_failure(source, state, got.error or "unknown error", got.http_status, got)
            return
        result.entries = got.entries
        await self._store_content(source, got, result)
        result.status = "ok"
        self._record_success(source, state, got, entries=got.entries, warning=result.warning)

    async def _store_content(self, source: Source, got: Retrieved, result: SourceResult) -> None:
        if got.feed is not None:
            articles = [self._feed_article(source, e) for e in got.feed.entries]
            if source.fetch_full_text:
                articles = await self._with_full_text(source, articles, result)
            result.new_articles = store_articles(self.store, [_redacted(a) for a in articles])
        elif got.listing is not None:
            articles = [self._listing_article(source, item) for item in got.listing]
            articles = await self._with_full_text(source, articles, result)
            result.new_articles = store_articles(self.store, [_redacted(a) for a in articles])
        elif got.incidents is not None:
            incidents = [dataclasses.replace(i, url=redact_url(i.url)) if i.url else i for i in got.incidents]
            result.new_incidents, result.updated_incidents = store_incidents(self.store, self.config, source, incidents)
        elif got.prices is not None:
            result.price_changes = store_prices(self.store, self.config, source, got.prices, self.now)

    def _feed_article(self, source: Source, e: FeedEntry) -> NewArticle:
        return NewArticle(
            url=redact_url(e.url), title=e.title, summary=e.summary, text=e.text, published=e.published, fetched=self.now,
            source=source.name, link=e.link, guid=e.guid, author=e.author, date_missing=e.date_missing,
        )

    def _listing_article(self, source: Source, item: ListingItem) -> NewArticle:
        published = plausible(item.published, self.now)  # before 1990 or in the future: missing, like in feeds
        return NewArticle(
            url=redact_url(item.url), title=item.title, summary="", text="", published=published or self.now,
            fetched=self.now, source=source.name, link=item.link, date_missing=published is None,
        )

    async def _with_full_text(self, source: Source, articles: list[NewArticle], result: SourceResult) -> list[NewArticle]:
        """Replace the text of not-yet-stored articles with their page's main text (at most MAX_ARTICLE_FETCHES)."""
        assert self.fetcher is not None
        todo = [
            i for i, a in enumerate(articles)
            if a.link and not self.store.rows("select 1 from articles where url = ? limit 1", [a.url])
        ][:MAX_ARTICLE_FETCHES]
        pages = await asyncio.gather(*(fetch_article(self.fetcher, self.robots, articles[i].link or "") for i in todo))
        failures: list[str] = []
        out = list(articles)
        for i, page in zip(todo, pages, strict=True):
            a = out[i]
            if isinstance(page, ArticlePage):
                published, missing = a.published, a.date_missing
                page_date = plausible(page.published, self.now)
                if missing and page_date is not None and page_date <= self.now:
                    published, missing = page_date, False
                out[i] = NewArticle(
                    url=a.url, title=a.title, summary=a.summary or page.text[:500], text=page.text,
                    published=published, fetched=a.fetched, source=a.source, link=a.link, guid=a.guid,
                    author=a.author, date_missing=missing,
                )
            else:
                failures.append(page)
        if failures:
            note = f"full text: {len(failures)} of {len(todo)} articles not fetched ({failures[0]})"
            result.warning = f"{result.warning}; {note}" if result.warning else note
        return out

    # ---------------------------------------------------------------------------------------------- state
    def _record_success(
        self, source: Source, state: dict[str, Any], got: Retrieved, *, entries: int | None, warning: str | None = None
    ) -> None:
        assert got.response is not None
        headers = got.response.headers
        fields: dict[str, Any] = {
            "last_fetch": to_iso(self.now),
            "last_success": to_iso(self.now),
            "last_status": got.response.status,
            "error_count": 0,
            "last_error": None,
            "paused_until": None,
            "disabled_reason": None,
            "next_fetch": to_iso(next_after_success(self.now, source.interval, got.max_age)),
        }
        if got.response.status == 304:
            fields.update({k: v for k, v in (("etag", headers.get("etag")), ("last_modified", headers.get("last-modified"))) if v})
        else:
            fields.update(
                etag=headers.get("etag"), last_modified=headers.get("last-modified"), last_format=got.format,
                last_entry_count=entries, last_warning=warning,
            )
        if got.response.permanent_url:
            fields["current_url"] = redact_url(got.response.permanent_url)
        self.store.save_source_state(source.name, **fields)

    def _record_failure(
        self, source: Source, state: dict[str, Any], reason: str, http_status: int | None, got: Retrieved | None
    ) -> None:
        failures = int(state.get("error_count") or 0) + 1
        next_fetch, paused = after_failure(
            failures, self.config.crawl, self.now, source.interval, got.retry_after if got else None, self.rng
        )
        self.store.save_source_state(
            source.name,
            last_fetch=to_iso(self.now),
            error_count=failures,
            last_error=redact_urls(reason),
            last_status=http_status,
            next_fetch=to_iso(next_fetch),
            paused_until=to_iso(paused) if paused else None,
        )


def _redacted(article: NewArticle) -> NewArticle:
    """The article as stored: its link and guid without a source URL's credentials (its ``url`` never has them)."""
    link = redact_url(article.link) if article.link else article.link
    guid = redact_url(article.guid) if article.guid else article.guid
    return article if (link, guid) == (article.link, article.guid) else dataclasses.replace(article, link=link, guid=guid)


def _progress_line(r: SourceResult) -> str:
    detail = r.error or f"{r.entries} entries, {r.new_articles + r.new_incidents + r.price_changes} new"
    return f"{r.name}: {r.status} ({detail})"


def select_sources(config: Config, names: Sequence[str] | None) -> list[Source]:
    """The sources named (ConfigError for an unknown name), else all configured sources."""
    if names:
        return [config.source(n) for n in dict.fromkeys(names)]
    return list(config.sources)


def crawl_sources(
    config: Config,
    store: Store,
    *,
    names: Sequence[str] | None = None,
    force: bool = False,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> CrawlReport:
    """Fetch the due (with ``force``: all) enabled sources once and store what is new; never raises for a source.

    ``names`` limits the crawl to those sources (an unknown name is a ConfigError, raised before any fetch).
    ``now`` is the crawl time (default: the current UTC time) used for due checks and as the fetch time.
    """
    selected = select_sources(config, names)
    if now is not None and now.tzinfo is None:
        now = now.replace(tzinfo=UTC)  # a naive time is taken as UTC, like everywhere in storage
    started = now.astimezone(UTC) if now is not None else utcnow()
    crawl = Crawl(config, store, now=started, force=force, progress=progress)
    results = asyncio.run(crawl.run(selected))
    return CrawlReport(results=results, started=started, finished=utcnow() if now is None else max(utcnow(), started))


async def _check_one(fetcher: Fetcher, robots: RobotsCache | None, source: Source, now: datetime) -> SourceResult:
    result = SourceResult(name=source.name, kind=source.kind, status="error", url=source.shown_url)
    try:
        got = await retrieve(fetcher, robots, source, source.url, fetched=now)
        result.http_status, result.format = got.http_status, got.format
        result.warning = redact_urls(got.warning) if got.warning else got.warning
        result.entries = got.entries
        result.status = {"ok": "ok", "not-modified": "not-modified", "gone": "error"}.get(got.status, "error")
        result.error = redact_urls(got.error) if got.error else got.error
    except Exception as exc:  # noqa: BLE001
        result.error = redact_urls(f"internal error ({type(exc).__name__}: {str(exc)[:200]})")
    return result


def check_sources(
    config: Config, names: Sequence[str] | None = None, *, progress: Callable[[str], None] | None = None
) -> list[SourceResult]:
    """Fetch each selected source once (no validators, nothing stored) and report status, format and entries."""
    selected = select_sources(config, names)
    now = utcnow()

    async def run() -> list[SourceResult]:
        async with Fetcher(config.crawl, config.settings.user_agent_contact) as fetcher:
            robots = RobotsCache(fetcher) if config.crawl.respect_robots else None

            async def one(source: Source) -> SourceResult:
                r = await _check_one(fetcher, robots, source, now)
                if progress is not None:
                    progress(_progress_line(r))
                return r

            return list(await asyncio.gather(*(one(s) for s in selected)))

    return asyncio.run(run())
