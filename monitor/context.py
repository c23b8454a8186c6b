"""The object every command finds in ``ctx.obj``: where the config and the database are, opened lazily.

Only the commands that fill a database (``init``, ``crawl``, ``classify``, ``run``, ``demo``) create one that does
not exist; every other command refuses a missing database with "no database at PATH — run `capwatch init`"
(exit code 2) and creates neither the file nor its folders, so a mistyped ``--db`` is never mistaken for an
empty, healthy database.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from storage.store import Store, StoreError, database_error

from .config import Config, load_config
from .errors import CapwatchError, StorageError
from .paths import default_config_path, default_db_path


class MissingDatabaseError(CapwatchError):
    """A command that only reads was pointed at a database file that does not exist (exit code 2)."""

    exit_code = 2


@dataclass
class AppContext:
    """Paths chosen by ``--config``/``--db`` (or their environment variables and defaults).

    ``create_database`` False (set by the CLI for commands that only read) makes :meth:`store` refuse a database
    file that does not exist instead of creating it.
    """

    config_path: Path | None = None
    db_path: Path | None = None
    create_database: bool = True
    _config: Config | None = field(default=None, repr=False)
    _store: Store | None = field(default=None, repr=False)

    def config(self) -> Config:
        """The validated configuration (loaded once)."""
        if self._config is None:
            self._config = load_config(self.config_path or default_config_path())
        return self._config

    def store(self) -> Store:
        """The database (opened and migrated once); :class:`MissingDatabaseError` when it does not exist and this
        command may not create it."""
        if self._store is None:
            path = self.db_path or default_db_path()
            if not self.create_database and str(path) != ":memory:" and not Path(path).exists():
                raise MissingDatabaseError(f"no database at {path} — run `capwatch init`")
            try:
                self._store = Store(path)
            except StoreError as exc:
                raise StorageError(str(exc)) from None
        return self._store

    def database_error(self, exc: sqlite3.Error) -> StoreError:
        """A one-line error naming the database for an ``sqlite3`` error a command met while using it."""
        if self._store is not None:
            return self._store.error(exc)
        return database_error(self.db_path or default_db_path(), exc)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
