"""The object every command finds in ``ctx.obj``: where the config and the database are, opened lazily."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from storage.store import Store, StoreError, database_error

from .config import Config, load_config
from .errors import StorageError
from .paths import default_config_path, default_db_path


@dataclass
class AppContext:
    """Paths chosen by ``--config``/``--db`` (or their environment variables and defaults)."""

    config_path: Path | None = None
    db_path: Path | None = None
    _config: Config | None = field(default=None, repr=False)
    _store: Store | None = field(default=None, repr=False)

    def config(self) -> Config:
        """The validated configuration (loaded once)."""
        if self._config is None:
            self._config = load_config(self.config_path or default_config_path())
        return self._config

    def store(self) -> Store:
        """The database (opened and migrated once)."""
        if self._store is None:
            path = self.db_path or default_db_path()
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
