"""Where capwatch keeps its files: XDG data/config dirs, overridable by flags and environment variables."""

from __future__ import annotations

import os
from pathlib import Path

DB_ENV = "CAPWATCH_DB"
CONFIG_ENV = "CAPWATCH_CONFIG"
DATA_DIR_ENV = "CAPWATCH_DATA_DIR"


def data_dir() -> Path:
    """The data folder: ``$CAPWATCH_DATA_DIR``, else ``$XDG_DATA_HOME/capwatch``, else ``~/.local/share/capwatch``."""
    if os.environ.get(DATA_DIR_ENV):
        return Path(os.environ[DATA_DIR_ENV])
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "capwatch"


def default_db_path() -> Path:
    """The database path: ``$CAPWATCH_DB`` or ``capwatch.db`` in the data folder."""
    if os.environ.get(DB_ENV):
        return Path(os.environ[DB_ENV])
    return data_dir() / "capwatch.db"


def default_config_path() -> Path:
    """The configuration file: ``$CAPWATCH_CONFIG``, else ``./sources.toml`` if present,
    else ``$XDG_CONFIG_HOME/capwatch/sources.toml``."""
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    local = Path("sources.toml")
    if local.exists():
        return local
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "capwatch" / "sources.toml"
