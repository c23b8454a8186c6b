"""Render the bundled demo story (``data/*.json``) into the formats real sources publish.

Dates in the data are relative (``days_ago``) so that the story always ends "now": the demo's risk scores and
alerts look the same whenever it runs. Outputs: an RSS 2.0 feed (outlet ``wire``), an Atom 1.0 feed
(``techdaily``), an HTML listing page with article pages (``ledger``), Atlassian-Statuspage-style
``history.atom`` feeds per provider, and a LiteLLM-style JSON price catalogue (before and after).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from importlib import resources
from typing import Any
from xml.sax.saxutils import escape

from storage.times import utcnow


def load_data(name: str) -> Any:
    """Read one bundled JSON data file of the demo."""
    return json.loads(resources.files("monitor.demo").joinpath("data", name).read_text(encoding="utf-8"))


def _paragraphs(body: str) -> str:
    return "".join(f"<p>{escape(p.strip())}</p>" for p in body.split("\n\n") if p.strip())


def _z(dt: datetime) -> str:
    return dt.isoformat().replace("+00:00", "Z")


@dataclass
class DemoSite:
    """Every document the demo server serves, rendered on request for a fixed ``now``."""

    base_url: str
    now: datetime

    def __post_init__(self) -> None:
        self.articles: list[dict[str, Any]] = load_data("articles.json")
        self.incidents: list[dict[str, Any]] = load_data("incidents.json")
        self.prices = {"before": load_data("prices_before.json"), "after": load_data("prices_after.json")}
        self.price_state = "before"

    def when(self, days_ago: float) -> datetime:
        return self.now - timedelta(days=float(days_ago))

    def outlet(self, name: str) -> list[dict[str, Any]]:
        return sorted((a for a in self.articles if a["outlet"] == name), key=lambda a: a["days_ago"])

    def article_url(self, article: dict[str, Any]) -> str:
        return f"{self.base_url}/{article['outlet']}/articles/{article['id']}.html"

    # ------------------------------------------------------------------------------------------- formats
    def rss(self) -> str:
        items = []
        for a in self.outlet("wire"):
            items.append(
                f"""  <item>
    <title>{escape(a['title'])}</title>
    <link>{self.article_url(a)}?utm_source=rss&amp;utm_medium=feed</link>
    <guid isPermaLink="false">wire-{a['id']}</guid>
    <pubDate>{format_datetime(self.when(a['days_ago']))}</pubDate>
    <dc:creator>{escape(a.get('author', ''))}</dc:creator>
    <description>{escape(a['summary'])}</description>
    <content:encoded><![CDATA[{_paragraphs(a['body'])}]]></content:encoded>
  </item>"""
            )
        return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
  <title>The Wire: AI business</title>
  <link>{self.base_url}/wire/</link>
  <description>Wire-service coverage of the AI industry</description>
  <lastBuildDate>{format_datetime(self.now)}</lastBuildDate>
{chr(10).join(items)}
</channel>
</rss>
"""

    def atom(self) -> str:
        entries = []
        for a in self.outlet("techdaily"):
            when = _z(self.when(a["days_ago"]))
            entries.append(
                f"""  <entry>
    <id>tag:techdaily.example,2026:{a['id']}</id>
    <title type="html">{escape(escape(a['title']))}</title>
    <link rel="alternate" type="text/html" href="techdaily/articles/{a['id']}.html"/>
    <published>{when}</published>
    <updated>{when}</updated>
    <author><name>{escape(a.get('author', ''))}</name></author>
    <summary type="html">{escape('<p>' + escape(a['summary']) + '</p>')}</summary>
    <content type="html">{escape(_paragraphs(a['body']))}</content>
  </entry>"""
            )
        return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="{self.base_url}/">
  <id>tag:techdaily.example,2026:feed</id>
  <title>TechDaily: Artificial Intelligence</title>
  <link rel="self" href="{self.base_url}/techdaily/atom.xml"/>
  <updated>{_z(self.now)}</updated>
{chr(10).join(entries)}
</feed>
"""

    def listing(self) -> str:
        rows = []
        for a in self.outlet("ledger"):
            when = self.when(a["days_ago"])
            rows.append(
                f"""    <article class="story-card">
      <h2 class="headline"><a href="/ledger/articles/{a['id']}.html">{escape(a['title'])}</a></h2>
      <time datetime="{when.isoformat()}">{when:%d %b %Y}</time>
      <p class="dek">{escape(a['summary'])}</p>
    </article>"""
            )
        return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>The Ledger: AI &amp; Compute</title></head>
<body>
  <header><nav><a href="/ledger/">Home</a> <a href="/ledger/about.html">About</a></nav></header>
  <main id="latest">
{chr(10).join(rows)}
  </main>
  <footer>(c) The Ledger</footer>
</body></html>
"""

    def article_page(self, outlet: str, article_id: str) -> str | None:
        for a in self.articles:
            if a["id"] == article_id and a["outlet"] == outlet:
                when = self.when(a["days_ago"])
                return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{escape(a['title'])}</title>
<meta property="article:published_time" content="{when.isoformat()}">
<meta name="author" content="{escape(a.get('author', ''))}">
</head>
<body>
  <header><nav><a href="/{outlet}/">Home</a> | Markets | AI | Newsletter sign-up</nav></header>
  <article>
    <h1>{escape(a['title'])}</h1>
    <p class="byline">By {escape(a.get('author', ''))}, <time datetime="{when.isoformat()}">{when:%d %B %Y}</time></p>
    {_paragraphs(a['body'])}
  </article>
  <aside>Related: subscribe to our newsletter for more coverage.</aside>
  <footer>(c) {outlet}</footer>
</body></html>
"""
        return None

    def status_atom(self, provider: str, name: str) -> str:
        entries = []
        for inc in sorted(self.incidents, key=lambda i: i["started_days_ago"]):
            if inc["provider"] != provider:
                continue
            start = self.when(inc["started_days_ago"])
            updates = []
            for u in sorted(inc["updates"], key=lambda u: -u["minutes_after_start"]):
                at = start + timedelta(minutes=u["minutes_after_start"])
                if at > self.now:
                    continue
                updates.append(
                    f"<p><small>{at:%b} <var data-var='date'>{at.day}</var>, <var data-var='time'>{at:%H:%M}</var> UTC"
                    f"</small><br><strong>{escape(u['status'].title())}</strong> - {escape(u['message'])}</p>"
                )
            if inc.get("components"):
                updates.append(f"<p>This incident affected: {escape(' and '.join(inc['components']))}.</p>")
            last = start + timedelta(minutes=max(u["minutes_after_start"] for u in inc["updates"]))
            entries.append(
                f"""  <entry>
    <id>tag:status.{provider}.example,2005:Incident/{inc['id']}</id>
    <published>{_z(start)}</published>
    <updated>{_z(min(last, self.now))}</updated>
    <link rel="alternate" type="text/html" href="{self.base_url}/status/{provider}/incidents/{inc['id']}"/>
    <title>{escape(inc['title'])}</title>
    <content type="html">{escape(''.join(updates))}</content>
  </entry>"""
            )
        return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xml:lang="en-US" xmlns="http://www.w3.org/2005/Atom">
  <id>tag:status.{provider}.example,2005:/history</id>
  <link rel="alternate" type="text/html" href="{self.base_url}/status/{provider}"/>
  <link rel="self" type="application/atom+xml" href="{self.base_url}/status/{provider}/history.atom"/>
  <title>{escape(name)} Status - Incident History</title>
  <updated>{_z(self.now)}</updated>
  <author><name>{escape(name)}</name></author>
{chr(10).join(entries)}
</feed>
"""

    def prices_json(self) -> str:
        return json.dumps(self.prices[self.price_state], indent=2)

    # ------------------------------------------------------------------------------------------- routing
    def document(self, path: str) -> tuple[str, str] | None:
        """The ``(content_type, body)`` served at ``path``, or None for 404."""
        path = path.split("?", 1)[0]
        atom, html = "application/atom+xml; charset=utf-8", "text/html; charset=utf-8"
        routes = {
            "/wire/rss.xml": ("application/rss+xml; charset=utf-8", self.rss),
            "/techdaily/atom.xml": (atom, self.atom),
            "/ledger/": (html, self.listing),
            "/status/helix/history.atom": (atom, lambda: self.status_atom("helix", "Helix AI")),
            "/status/northwind/history.atom": (atom, lambda: self.status_atom("northwind", "Northwind Models")),
            "/prices/models.json": ("application/json", self.prices_json),
            "/robots.txt": ("text/plain", lambda: "User-agent: *\nDisallow: /private/\n"),
        }
        if path in routes:
            ctype, fn = routes[path]
            return ctype, fn()
        parts = path.strip("/").split("/")
        if len(parts) == 3 and parts[1] == "articles" and parts[2].endswith(".html"):
            page = self.article_page(parts[0], parts[2][: -len(".html")])
            if page is not None:
                return html, page
        return None


def make_site(base_url: str, now: datetime | None = None) -> DemoSite:
    """Render the demo site for ``now`` (default: the current time)."""
    return DemoSite(base_url=base_url.rstrip("/"), now=now or utcnow())
