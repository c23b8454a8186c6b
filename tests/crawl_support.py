"""Helpers shared by the crawler tests (tests/test_crawl_*.py): fixture paths and config builders."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from monitor.config import Config, load_config

FIXTURES = Path(__file__).parent / "fixtures"
FEEDS = FIXTURES / "feeds"
STATUS = FIXTURES / "status"
PRICES = FIXTURES / "prices"

PROVIDERS = """
[providers.helix]
name = "Helix AI"
aliases = ["Helix", "Helix Labs"]

[providers.northwind]
name = "Northwind Models"
aliases = ["Northwind"]

[providers.openai]
name = "OpenAI"
aliases = ["OpenAI", "ChatGPT"]

[providers.google]
name = "Google"
aliases = ["Gemini", "Vertex AI", "Google DeepMind"]

[providers.mistral]
name = "Mistral AI"
aliases = ["Mistral"]

[providers.cohere]
name = "Cohere"
aliases = ["Cohere"]

[providers.anthropic]
name = "Anthropic"
aliases = ["Anthropic", "Claude"]
"""

CRAWL_DEFAULTS: dict[str, Any] = {
    "allow_private_hosts": ["127.0.0.1", "localhost"],
    "respect_robots": False,
    "connect_timeout": 5.0,
    "read_timeout": 10.0,
    "total_timeout": 30.0,
    "backoff_base": "1m",
}


def toml_value(value: Any) -> str:
    """A Python value as TOML text (str, bool, int, float, list)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def source_toml(name: str, url: str, *, selectors: dict[str, str] | None = None,
                prices: dict[str, str] | None = None, **fields: Any) -> str:
    """One ``[[sources]]`` block."""
    lines = ["[[sources]]", f"name = {toml_value(name)}", f"url = {toml_value(url)}"]
    lines += [f"{k} = {toml_value(v)}" for k, v in fields.items()]
    for table, values in (("selectors", selectors), ("prices", prices)):
        if values:
            lines.append(f"[sources.{table}]")
            lines += [f"{k} = {toml_value(v)}" for k, v in values.items()]
    return "\n".join(lines) + "\n"


def config_text(sources: str, **crawl: Any) -> str:
    """A full configuration: test settings, ``[crawl]`` (defaults overridden by ``crawl``), providers, sources."""
    settings = {**CRAWL_DEFAULTS, **crawl}
    crawl_lines = "\n".join(f"{k} = {toml_value(v)}" for k, v in settings.items())
    return (
        '[settings]\nuser_agent_contact = "https://example.org/capwatch-tests"\n\n'
        f"[crawl]\n{crawl_lines}\n\n[classifier]\nkind = \"keyword\"\n{PROVIDERS}\n{sources}"
    )


def make_config(tmp_path: Path, sources: str, **crawl: Any) -> Config:
    """Write and load a configuration (through the real loader, so it is validated like a user's file)."""
    path = tmp_path / "sources.toml"
    path.write_text(config_text(sources, **crawl), encoding="utf-8")
    return load_config(path)


def rss(items: Iterator[tuple[str, str]] | list[tuple[str, str]], title: str = "Generated") -> bytes:
    """A small RSS 2.0 document from ``(title, link)`` pairs."""
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><pubDate>Mon, 02 Mar 2026 10:00:00 GMT</pubDate>"
        f"<description>About {t}.</description></item>"
        for t, link in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>https://gen.example.com/</link>{body}</channel></rss>"
    ).encode()
