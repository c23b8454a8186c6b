"""Shared fixtures: every test runs with capwatch's data and config folders pointed at a temp folder."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from storage.store import Store

if TYPE_CHECKING:
    from aiosmtpd.controller import Controller
    from fault_support import Daemon
    from notify_support import SlackStub

MINIMAL_CONFIG = """
[settings]
user_agent_contact = "https://example.org/capwatch-tests"

[crawl]
allow_private_hosts = ["127.0.0.1", "localhost"]
respect_robots = false

[classifier]
kind = "keyword"

[providers.helix]
name = "Helix AI"
aliases = ["Helix", "Helix Labs"]

[providers.northwind]
name = "Northwind Models"
aliases = ["Northwind"]
"""


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One ONNX export cache for the whole test session (the export of the real model is made once)."""
    return tmp_path_factory.mktemp("model-cache")


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, model_cache: Path) -> Path:
    """Point CAPWATCH_DATA_DIR, CAPWATCH_DB, CAPWATCH_CONFIG and the XDG folders at a fresh temp folder, and
    CAPWATCH_MODEL_CACHE at the session's export cache."""
    home = tmp_path_factory.mktemp("capwatch-home")
    monkeypatch.setenv("CAPWATCH_MODEL_CACHE", str(model_cache))
    monkeypatch.setenv("CAPWATCH_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("CAPWATCH_DB", str(home / "data" / "capwatch.db"))
    monkeypatch.setenv("CAPWATCH_CONFIG", str(home / "config" / "sources.toml"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg-config"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    for var in ("CAPWATCH_SLACK_WEBHOOK", "CAPWATCH_SMTP_PASSWORD"):
        monkeypatch.delenv(var, raising=False)
    return home


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A migrated, empty database in a temp folder."""
    s = Store(tmp_path / "test.db")
    yield s
    s.close()


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[[str], Path]:
    """Write configuration text (appended to a minimal valid config) and return its path."""

    def write(extra: str = "", *, base: str = MINIMAL_CONFIG) -> Path:
        path = tmp_path / "sources.toml"
        path.write_text(base + "\n" + extra, encoding="utf-8")
        return path

    return write


@pytest.fixture
def servers() -> Iterator[list[Controller]]:
    """Every SMTP server (aiosmtpd ``Controller``) a test starts and appends here; all are stopped at the end."""
    started: list[Controller] = []
    yield started
    for c in started:
        c.stop()


@pytest.fixture
def slack() -> Iterator[SlackStub]:
    """A Slack webhook stub serving on 127.0.0.1 (:class:`notify_support.SlackStub`), stopped at the end."""
    from notify_support import SlackStub

    stub = SlackStub().start()
    yield stub
    stub.stop()


@pytest.fixture
def daemons() -> Iterator[list[Daemon]]:
    """Every ``capwatch run`` process a test starts (:class:`fault_support.Daemon`); any still running at the end
    is killed."""
    started: list[Daemon] = []
    yield started
    for d in started:
        d.kill()
