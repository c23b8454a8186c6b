"""robots.txt, fetched once per host per crawl and obeyed for html pages and full-text article fetches.

Follows RFC 9309: a 2xx robots.txt is parsed (rules for the ``capwatch`` product token, else ``*``); a 4xx means
no restrictions; a 5xx or an unreachable host means "disallow everything" for this crawl. The robots.txt request
goes through the private-address guard like any link from content (a redirect to a private address is refused,
which reads as "unreachable"), except on the host of a configured source (``trusted_host``).
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from .fetch import Fetcher, FetchError

ROBOTS_MAX_BYTES = 512 * 1024
AGENT_TOKEN = "capwatch"


class RobotsCache:
    """Answers "may capwatch fetch this URL?" with one robots.txt request per origin."""

    def __init__(self, fetcher: Fetcher, agent: str = AGENT_TOKEN) -> None:
        self.fetcher = fetcher
        self.agent = agent
        self._rules: dict[str, RobotFileParser | bool] = {}
        self._why: dict[str, str] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def allowed(self, url: str, *, trusted_host: str | None = None) -> bool:
        """True if robots.txt of ``url``'s origin lets capwatch fetch it (``trusted_host``: see :meth:`Fetcher.get`)."""
        try:
            parts = urlsplit(url)
        except ValueError:
            return False
        origin = f"{parts.scheme}://{parts.netloc}".lower()
        lock = self._locks.setdefault(origin, asyncio.Lock())
        async with lock:
            if origin not in self._rules:
                self._rules[origin] = await self._load(origin, trusted_host)
        rules = self._rules[origin]
        if isinstance(rules, bool):
            return rules
        return rules.can_fetch(self.agent, url)

    def blocked_reason(self, url: str) -> str:
        """Why :meth:`allowed` said no for ``url``: the rules, or a robots.txt that could not be read."""
        try:
            parts = urlsplit(url)
        except ValueError:
            return "blocked by robots.txt"
        return self._why.get(f"{parts.scheme}://{parts.netloc}".lower(), "blocked by robots.txt")

    async def _load(self, origin: str, trusted_host: str | None) -> RobotFileParser | bool:
        try:
            response = await self.fetcher.get(
                origin + "/robots.txt", guard=True, trusted_host=trusted_host, max_bytes=ROBOTS_MAX_BYTES, accept="text/plain"
            )
        except FetchError as exc:
            # unreachable: complete disallow (RFC 9309 2.3.1.4), but say so: it is not the site's rules
            self._why[origin] = f"robots.txt unreachable ({exc.reason}): not fetched"
            return False
        if 400 <= response.status < 500:
            return True  # unavailable: no restrictions
        if response.status >= 500 or response.status != 200:
            self._why[origin] = f"robots.txt answered HTTP {response.status}: not fetched"
            return False
        parser = RobotFileParser()
        parser.parse(response.body.decode("utf-8", errors="replace").splitlines())
        return parser
