"""Typed exceptions of capwatch.

Library code raises these; only the CLI edge (monitor/cli.py) turns them into ``click.ClickException``
with the documented exit codes (1 failure, 2 usage or configuration error).
"""

from __future__ import annotations


class CapwatchError(Exception):
    """Base class of every error capwatch raises on purpose."""

    exit_code = 1


class ConfigError(CapwatchError):
    """The configuration file is missing, unreadable or invalid.

    The message is one line naming the file, the key path and what was expected, for example
    ``sources.toml: sources[3].interval: expected a duration like "30m", got "often"``.
    """

    exit_code = 2


class StorageError(CapwatchError):
    """The database cannot be opened, migrated, or is locked by another process."""


class NotFoundError(CapwatchError):
    """An id given by the user names nothing in the database."""


class AlreadyRunningError(CapwatchError):
    """Another daemon already runs against the same database."""
