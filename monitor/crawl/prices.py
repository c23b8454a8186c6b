"""``prices`` sources: API price lists as snapshots, and exact changes between consecutive snapshots.

Two formats: a JSON model catalogue read through configurable field paths (``[sources.prices]``: ``models`` the
path of the mapping or list of models, ``*`` for the document itself; ``model_id`` a field or ``@key``;
``provider`` a field, or ``@prefix`` for the part of the model id before ``/``; ``input_price``/``output_price``
dotted paths; ``unit`` per_token | per_1k | per_1m) and an HTML pricing table (``selectors.row``, ``model``,
``input_price``, ``output_price``; prices read from text such as ``$3.00 / 1M tokens``).
All prices are normalised to USD per 1M tokens, rounded to 6 decimals so float noise is never a "change".
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from bs4 import BeautifulSoup, Tag
from soupsieve import SelectorSyntaxError

from monitor.config import PriceFields, Selectors, Source

from .text import collapse

UNIT_FACTOR = {"per_token": 1_000_000.0, "per_1k": 1_000.0, "per_1m": 1.0}
FIELDS = ("input", "output")
_NUMBER = re.compile(r"(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)")


@dataclass(frozen=True)
class ModelPrice:
    """Prices of one model in USD per 1M tokens (None: not listed) and the catalogue's provider name."""

    input: float | None
    output: float | None
    provider: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"input": self.input, "output": self.output, "provider": self.provider}


@dataclass(frozen=True)
class PriceChange:
    """One exact change: ``field`` is input | output | model; direction up | down | added | removed."""

    model: str
    field: str
    old: float | None
    new: float | None
    percent: float | None
    direction: str
    provider: str | None

    def describe(self) -> str:
        """``gpt-4o input price $5.00 -> $2.50 per 1M tokens (-50.0%)``."""
        if self.field == "model":
            return f"{self.model} {'added to' if self.direction == 'added' else 'removed from'} the price list"
        pct = f" ({self.percent:+.1f}%)" if self.percent is not None else ""
        old = "n/a" if self.old is None else f"${self.old:,.4g}"
        new = "n/a" if self.new is None else f"${self.new:,.4g}"
        return f"{self.model} {self.field} price {old} -> {new} per 1M tokens{pct}"


class PriceFormatError(ValueError):
    """The document is not a price list in the configured shape."""


def to_number(value: Any) -> float | None:
    """A non-negative finite number from a JSON number or a string like ``"0.0000025"``; else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        match = _NUMBER.search(value.replace(",", ""))
        if not match:
            return None
        try:
            number = float(match.group(1))
        except ValueError:
            return None
    else:
        return None
    if math.isnan(number) or math.isinf(number) or number < 0:
        return None
    return number


def per_million(value: Any, unit: str) -> float | None:
    """``value`` in USD per 1M tokens (rounded to 6 decimals)."""
    number = to_number(value)
    return None if number is None else round(number * UNIT_FACTOR[unit], 6)


def get_path(obj: Any, path: str) -> Any:
    """Follow a dotted path (``pricing.prompt``) through mappings and list indexes; None when missing."""
    for part in path.split("."):
        if isinstance(obj, Mapping):
            obj = obj.get(part)
        elif isinstance(obj, list) and part.isdigit() and int(part) < len(obj):
            obj = obj[int(part)]
        else:
            return None
    return obj


def _iter_models(doc: Any, path: str) -> Iterator[tuple[str, Any]]:
    container = doc if path in ("*", "", "@") else get_path(doc, path.removesuffix(".*"))
    if isinstance(container, Mapping):
        yield from ((str(k), v) for k, v in container.items())
    elif isinstance(container, list):
        yield from ((str(i), v) for i, v in enumerate(container))
    else:
        raise PriceFormatError(f'no list or mapping of models at "{path}"')


def parse_json_catalogue(doc: Any, fields: PriceFields) -> dict[str, ModelPrice]:
    """Models of a JSON catalogue; entries without an id or without any price are skipped."""
    out: dict[str, ModelPrice] = {}
    for key, item in _iter_models(doc, fields.models):
        if not isinstance(item, Mapping):
            continue
        model = key if fields.model_id == "@key" else get_path(item, fields.model_id)
        if not isinstance(model, str | int) or not str(model).strip():
            continue
        model = str(model).strip()
        inp = per_million(get_path(item, fields.input_price), fields.unit)
        outp = per_million(get_path(item, fields.output_price), fields.unit)
        if inp is None and outp is None:
            continue
        provider: Any = None
        if fields.provider == "@prefix":
            provider = model.split("/", 1)[0] if "/" in model else None
        elif fields.provider:
            provider = get_path(item, fields.provider)
        out[model] = ModelPrice(inp, outp, str(provider) if isinstance(provider, str | int) else None)
    return out


def parse_html_table(body: bytes | str, selectors: Selectors, unit: str) -> dict[str, ModelPrice]:
    """Models of an HTML pricing table: one row per ``selectors.row``, cells found by the other selectors."""
    if not selectors.row or not selectors.model:
        raise PriceFormatError("an HTML price list needs selectors.row and selectors.model")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        soup = BeautifulSoup(body, "lxml")
    out: dict[str, ModelPrice] = {}
    try:
        rows = soup.select(selectors.row)
        for row in rows:
            model_el = row.select_one(selectors.model)
            if not isinstance(model_el, Tag):
                continue
            model = collapse(model_el.get_text(" "))
            if not model:
                continue
            prices = []
            for selector in (selectors.input_price, selectors.output_price):
                cell = row.select_one(selector) if selector else None
                prices.append(per_million(collapse(cell.get_text(" ")), unit) if isinstance(cell, Tag) else None)
            if prices[0] is None and prices[1] is None:
                continue
            out[model] = ModelPrice(prices[0], prices[1], None)
    except (SelectorSyntaxError, ValueError, NotImplementedError) as exc:
        raise PriceFormatError(f"invalid CSS selector: {' '.join(str(exc).split())[:200]}") from None
    return out


def parse_prices(body: bytes, content_type: str, source: Source) -> tuple[dict[str, ModelPrice], str]:
    """``(models, format)`` of a fetched price list; raises :class:`PriceFormatError` with a readable reason."""
    fmt = source.format if source.format in ("json", "html") else "auto"
    if fmt == "auto":
        head = body.lstrip()[:1]
        fmt = "json" if "json" in content_type or head in (b"{", b"[") else "html"
    if fmt == "json":
        try:
            doc = json.loads(body.decode("utf-8-sig", errors="replace"))
        except (ValueError, RecursionError) as exc:
            raise PriceFormatError(f"not JSON ({type(exc).__name__}: {str(exc)[:120]})") from None
        models = parse_json_catalogue(doc, source.prices)
    else:
        models = parse_html_table(body, source.selectors, source.prices.unit)
    if not models:
        raise PriceFormatError(f"no model prices found ({fmt}; check the source's field paths or selectors)")
    return models, fmt


def snapshot_json(models: Mapping[str, ModelPrice]) -> str:
    """Canonical JSON of a snapshot (sorted, so equal content gives equal text)."""
    return json.dumps({m: p.as_json() for m, p in sorted(models.items())}, sort_keys=True, separators=(",", ":"))


def snapshot_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def load_snapshot(text: str) -> dict[str, ModelPrice]:
    """Read a stored snapshot back."""
    raw = json.loads(text)
    return {
        m: ModelPrice(to_number(v.get("input")), to_number(v.get("output")), v.get("provider"))
        for m, v in raw.items()
        if isinstance(v, dict)
    }


def percent(old: float | None, new: float | None) -> float | None:
    if old is None or new is None or old == 0:
        return None
    return round((new - old) / old * 100.0, 2)


def diff_prices(old: Mapping[str, ModelPrice], new: Mapping[str, ModelPrice]) -> list[PriceChange]:
    """Every change from ``old`` to ``new``, sorted by model then field."""
    changes: list[PriceChange] = []
    for model in sorted(set(old) | set(new)):
        before, after = old.get(model), new.get(model)
        if before is None and after is not None:
            changes.append(PriceChange(model, "model", None, after.input, None, "added", after.provider))
            continue
        if after is None and before is not None:
            changes.append(PriceChange(model, "model", before.input, None, None, "removed", before.provider))
            continue
        assert before is not None and after is not None
        for name in FIELDS:
            a, b = getattr(before, name), getattr(after, name)
            if a == b:
                continue
            if a is None:
                direction = "added"
            elif b is None:
                direction = "removed"
            else:
                direction = "up" if b > a else "down"
            changes.append(PriceChange(model, name, a, b, percent(a, b), direction, after.provider or before.provider))
    return changes
