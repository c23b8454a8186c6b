"""Daemon log formats: readable lines by default, one JSON object per line with --log-format json."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from monitor.scheduler.logging_setup import HumanFormatter, JsonFormatter, configure_logging


@pytest.fixture
def restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for h in list(root.handlers):
        root.removeHandler(h)
    for h in handlers:
        root.addHandler(h)
    root.setLevel(level)


def _record(msg: str, *args: object, exc: bool = False, **extra: object) -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise ValueError("boom")
        except ValueError:
            import sys

            exc_info = sys.exc_info()
    record = logging.LogRecord("capwatch.daemon", logging.WARNING, __file__, 1, msg, args, exc_info)
    for k, v in extra.items():
        setattr(record, k, v)
    return record


def test_json_lines_carry_message_level_logger_and_extra_fields() -> None:
    line = JsonFormatter().format(_record("crawl %s: %d new", "helix", 3, event="crawl", source="helix"))
    data = json.loads(line)
    assert data["message"] == "crawl helix: 3 new"
    assert data["level"] == "warning"
    assert data["logger"] == "capwatch.daemon"
    assert data["event"] == "crawl"
    assert data["source"] == "helix"
    assert data["time"].endswith("Z")
    assert "\n" not in line


def test_json_lines_hold_the_traceback_on_one_line() -> None:
    line = JsonFormatter().format(_record("failed", exc=True))
    assert "\n" not in line
    assert "ValueError: boom" in json.loads(line)["exception"]


def test_human_lines_are_readable() -> None:
    line = HumanFormatter().format(_record("crawl %s: ok", "helix"))
    assert line.endswith("WARNING capwatch.daemon: crawl helix: ok")
    assert line[:4].isdigit()


@pytest.mark.usefixtures("restore_root_logger")
def test_configure_logging_replaces_handlers_and_quiets_libraries() -> None:
    out = io.StringIO()
    configure_logging("json", stream=out)
    configure_logging("json", stream=out)
    assert len(logging.getLogger().handlers) == 1
    logging.getLogger("capwatch.daemon").info("hello", extra={"event": "started"})
    logging.getLogger("apscheduler.executors.default").info("Running job ...")
    lines = out.getvalue().splitlines()
    assert [json.loads(x)["message"] for x in lines] == ["hello"]


def test_unknown_log_format_is_refused() -> None:
    with pytest.raises(ValueError, match="human, json"):
        configure_logging("xml")
