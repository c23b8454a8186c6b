"""The bundled organisation catalogue (``catalogue.toml`` beside this module), read into :class:`Org` records.

The catalogue names the organisations capwatch recognises: labs, AI product companies, inference platforms, GPU
clouds, hyperscalers' AI units, chip suppliers and large AI investors. For each it holds the names it is matched
by in text (aliases, people, tickers), the model-id prefixes and price-list vendor values that belong to it, and
its status page. docs/providers.md documents the fields; users extend or override entries with ``[providers.X]``
tables in sources.toml (see :func:`merge_org`).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from classifiers.types import ClassifierError

CATALOGUE_PATH = Path(__file__).resolve().parent / "catalogue.toml"
KINDS = ("lab", "open-lab", "app", "platform", "cloud", "hyperscaler", "chips", "investor")
_LIST_FIELDS = ("aliases", "names_exact", "people", "tickers", "model_prefixes", "litellm_providers", "openrouter_vendors", "resells")


@dataclass(frozen=True)
class Org:
    """One organisation of the catalogue (or declared in sources.toml)."""

    id: str
    name: str
    kind: str = "lab"
    country: str = ""
    aliases: tuple[str, ...] = ()
    names_exact: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    tickers: tuple[str, ...] = ()
    model_prefixes: tuple[str, ...] = ()
    litellm_providers: tuple[str, ...] = ()
    openrouter_vendors: tuple[str, ...] = ()
    resells: tuple[str, ...] = ()
    status_page: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the organisation is matched by in text: aliases, exact-case names, people, tickers.

        Exact-case names carry a leading ``=`` (see :data:`classifiers.orgs.matcher.EXACT`). The display name is
        not added on purpose: some display names are common words ("Runway", "Lambda"); the catalogue lists them
        as exact-case names instead, so "the runway" does not match.
        """
        return tuple(dict.fromkeys((*self.aliases, *(f"={n}" for n in self.names_exact), *self.people, *self.tickers)))


def org_from_table(org_id: str, table: Mapping[str, Any]) -> Org:
    """Build an :class:`Org` from one ``[orgs.<id>]`` table; raise :class:`ClassifierError` if malformed."""
    try:
        values: dict[str, Any] = {k: tuple(str(v) for v in table.get(k) or ()) for k in _LIST_FIELDS}
        kind = str(table.get("kind") or "lab")
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}")
        return Org(
            id=org_id,
            name=str(table["name"]),
            kind=kind,
            country=str(table.get("country") or ""),
            status_page=str(table.get("status_page") or ""),
            **values,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ClassifierError(f"catalogue entry {org_id!r} is malformed ({exc})") from exc


@lru_cache(maxsize=4)
def _load(path: str) -> tuple[Org, ...]:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ClassifierError(f"cannot read the organisation catalogue {path} ({exc})") from exc
    return tuple(org_from_table(k, v) for k, v in (data.get("orgs") or {}).items())


def load_catalogue(path: str | os.PathLike[str] | None = None) -> dict[str, Org]:
    """Return id -> :class:`Org` for the bundled catalogue (or the file at ``path``), in file order."""
    return {o.id: o for o in _load(str(path or CATALOGUE_PATH))}


def merge_org(base: Org | None, org_id: str, name: str | None, aliases: Iterable[str], kind: str | None) -> Org:
    """Apply a user's ``[providers.<id>]`` entry to the catalogue entry ``base`` (None: a new organisation).

    The user's display name and kind replace the catalogue's; the user's aliases are added to the catalogue's
    (and the user's display name becomes an alias, as it always was for declared providers).
    """
    extra = tuple(a for a in (name, *aliases) if a)
    if base is None:
        return Org(id=org_id, name=name or org_id, kind=kind or "lab", aliases=tuple(dict.fromkeys(extra)))
    return replace(
        base,
        name=name or base.name,
        kind=kind or base.kind,
        aliases=tuple(dict.fromkeys((*base.aliases, *extra))),
    )
