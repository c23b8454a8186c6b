"""Price-list sources: snapshots and exact change records (with signals) from JSON catalogues and HTML tables.

Uses a subset of two real LiteLLM catalogue snapshots a year apart (tests/fixtures/prices/litellm_subset_*.json,
taken from ../shared/corpus/prices); the full files are checked by benchmarks/price_changes.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from crawl_support import PRICES, make_config, source_toml
from pytest_httpserver import HTTPServer
from werkzeug import Response

from monitor.config import PriceFields
from monitor.crawl import crawl_sources
from monitor.crawl.prices import ModelPrice, diff_prices, parse_json_catalogue, to_number
from storage.store import Store

OLD = PRICES / "litellm_subset_2025-05-31.json"
NEW = PRICES / "litellm_subset_2026-07-24.json"


def _serve(server: HTTPServer, path: str, body: bytes, content_type: str = "application/json") -> None:
    server.clear()
    server.expect_request(path).respond_with_data(body, content_type=content_type)


def _changes(store: Store) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["model"], r["field"]): r for r in store.price_changes()}


def test_litellm_snapshots_give_exact_changes(httpserver: HTTPServer, store: Store, tmp_path: Path) -> None:
    config = make_config(tmp_path, source_toml("litellm", httpserver.url_for("/prices.json"), kind="prices", format="json"))
    _serve(httpserver, "/prices.json", OLD.read_bytes())
    first = crawl_sources(config, store).by_name("litellm")
    assert (first.status, first.format, first.price_changes) == ("ok", "json", 0)  # the first snapshot emits none
    assert first.entries == 13  # every entry with a price (LiteLLM's own sample_spec has 0.0 prices and counts)
    assert len(store.rows("select id from price_snapshots")) == 1
    snapshot = json.loads(store.rows("select models from price_snapshots")[0]["models"])
    assert snapshot["o3"] == {"input": 10.0, "output": 40.0, "provider": "openai"}

    same = crawl_sources(config, store, force=True).by_name("litellm")
    assert same.price_changes == 0 and len(store.rows("select id from price_snapshots")) == 1  # unchanged: no snapshot

    _serve(httpserver, "/prices.json", NEW.read_bytes())
    second = crawl_sources(config, store, force=True).by_name("litellm")
    changes = _changes(store)
    assert second.price_changes == len(changes)
    o3 = changes[("o3", "input")]
    assert (o3["old_value"], o3["new_value"], o3["percent"], o3["direction"], o3["provider"]) == (10.0, 2.0, -80.0, "down", "openai")
    assert changes[("o3", "output")]["new_value"] == 8.0
    turbo = changes[("gpt-3.5-turbo", "output")]
    assert (turbo["old_value"], turbo["new_value"], turbo["percent"]) == (2.0, 1.5, -25.0)
    medium = changes[("mistral/mistral-medium-latest", "input")]
    assert (medium["old_value"], medium["new_value"], medium["percent"], medium["direction"], medium["provider"]) == (
        0.4, 1.5, 275.0, "up", "mistral"
    )
    assert changes[("command-r7b-12-2024", "input")]["provider"] == "cohere"  # litellm_provider "cohere_chat"
    flash = changes[("gemini/gemini-1.5-flash", "output")]
    assert (flash["old_value"], flash["new_value"], flash["percent"], flash["provider"]) == (0.3, 0.0, -100.0, "google")
    assert changes[("gpt-4.5-preview", "model")]["direction"] == "removed"
    assert changes[("claude-3-5-sonnet-20241022", "model")]["direction"] == "removed"
    assert changes[("claude-sonnet-4-5", "model")]["direction"] == "added"
    # float noise in the catalogue (1.500002e-05 vs 1.5000020000000002e-05) is not a change
    assert ("databricks/databricks-meta-llama-3-1-405b-instruct", "output") not in changes
    assert ("gpt-4o", "input") not in changes and ("xai/grok-2", "input") not in changes

    signals = store.rows("select s.*, pc.model, pc.field from signals s join price_changes pc on pc.id = s.price_change_id")
    by_key = {(s["model"], s["field"]): s for s in signals}
    assert (by_key[("o3", "input")]["tag"], by_key[("o3", "input")]["direction"], by_key[("o3", "input")]["model_version"]) == (
        "api_pricing", "down", "prices-2"
    )
    assert by_key[("mistral/mistral-medium-latest", "input")]["direction"] == "up"
    assert (by_key[("gpt-4.5-preview", "model")]["tag"], by_key[("gpt-4.5-preview", "model")]["provider"]) == ("deprecation", "openai")
    assert ("claude-sonnet-4-5", "model") not in by_key  # an added model is recorded, not a signal
    expected_signals = sum(1 for c in changes.values() if c["direction"] in ("up", "down") or c["direction"] == "removed" and c["field"] == "model")
    assert len(signals) == expected_signals
    assert len(store.rows("select id from price_snapshots")) == 2


def test_html_pricing_table(httpserver: HTTPServer, store: Store, tmp_path: Path) -> None:
    selectors = {"row": "tr.model-row", "model": "td.name", "input_price": "td.in", "output_price": "td.out"}
    config = make_config(
        tmp_path,
        source_toml("helix-pricing", httpserver.url_for("/pricing"), kind="prices", providers=["helix"],
                    selectors=selectors, prices={"unit": "per_1m"}),
    )
    _serve(httpserver, "/pricing", (PRICES / "pricing_table_v1.html").read_bytes(), "text/html")
    first = crawl_sources(config, store).by_name("helix-pricing")
    assert (first.status, first.format, first.entries, first.price_changes) == ("ok", "html", 4, 0)
    _serve(httpserver, "/pricing", (PRICES / "pricing_table_v2.html").read_bytes(), "text/html")
    second = crawl_sources(config, store, force=True).by_name("helix-pricing")
    changes = _changes(store)
    assert sorted(changes) == [
        ("helix-large", "input"), ("helix-legacy", "model"), ("helix-small", "input"), ("helix-small", "output"),
        ("helix-xl", "model"),
    ]
    assert second.price_changes == 5
    large = changes[("helix-large", "input")]
    assert (large["old_value"], large["new_value"], large["percent"], large["direction"], large["provider"]) == (
        3.0, 3.6, 20.0, "up", "helix"
    )
    assert changes[("helix-small", "output")]["percent"] == -20.0
    tags = sorted((s["tag"], s["direction"]) for s in store.rows("select tag, direction from signals"))
    assert tags == [("api_pricing", "down"), ("api_pricing", "down"), ("api_pricing", "up"), ("deprecation", None)]


def test_openrouter_style_catalogue(httpserver: HTTPServer, store: Store, tmp_path: Path) -> None:
    fields = {"models": "data", "model_id": "id", "provider": "@prefix", "input_price": "pricing.prompt",
              "output_price": "pricing.completion", "unit": "per_token"}
    config = make_config(tmp_path, source_toml("openrouter", httpserver.url_for("/models"), kind="prices", prices=fields))
    _serve(httpserver, "/models", (PRICES / "openrouter_subset.json").read_bytes())
    result = crawl_sources(config, store).by_name("openrouter")
    assert (result.status, result.entries) == ("ok", 3)  # "-1" (variable pricing) is no price
    snapshot = json.loads(store.rows("select models from price_snapshots")[0]["models"])
    assert snapshot["openai/gpt-4o"] == {"input": 2.5, "output": 10.0, "provider": "openai"}
    assert snapshot["mistralai/mistral-large"]["provider"] == "mistralai"


@pytest.mark.parametrize(
    ("body", "fields", "error"),
    [
        (b"<html>not json</html>", {}, "an HTML price list needs selectors.row and selectors.model"),
        (b"{not json", {}, "not JSON"),
        (b'{"data": 5}', {"models": "data"}, 'no list or mapping of models at "data"'),
        (b'{"a": {"input_cost_per_token": "free"}}', {}, "no model prices found"),
    ],
)
def test_bad_price_lists_are_readable_errors(
    body: bytes, fields: dict[str, str], error: str, httpserver: HTTPServer, store: Store, tmp_path: Path
) -> None:
    fmt = "json" if body.startswith(b"{") else "auto"
    config = make_config(tmp_path, source_toml("bad", httpserver.url_for("/p"), kind="prices", prices=fields or None, format=fmt))
    _serve(httpserver, "/p", body, "application/octet-stream")
    result = crawl_sources(config, store).by_name("bad")
    assert result.status == "error" and error in (result.error or "")


def test_units_and_numbers() -> None:
    assert to_number("$3.00 / 1M tokens") == 3.0
    assert to_number("-1") is None and to_number(True) is None and to_number("n/a") is None
    doc = {"m": {"in": 0.003, "out": "0.006"}}
    per_1k = parse_json_catalogue(doc, PriceFields(input_price="in", output_price="out", unit="per_1k", provider=None))
    assert per_1k == {"m": ModelPrice(3.0, 6.0, None)}


def test_diff_directions() -> None:
    old = {"a": ModelPrice(1.0, 2.0), "b": ModelPrice(1.0, None), "gone": ModelPrice(1.0, 1.0)}
    new = {"a": ModelPrice(1.0, 3.0), "b": ModelPrice(None, 2.0), "fresh": ModelPrice(5.0, 5.0)}
    got = {(c.model, c.field): (c.direction, c.percent) for c in diff_prices(old, new)}
    assert got == {
        ("a", "output"): ("up", 50.0),
        ("b", "input"): ("removed", None),
        ("b", "output"): ("added", None),
        ("fresh", "model"): ("added", None),
        ("gone", "model"): ("removed", None),
    }
    describe = diff_prices({"x": ModelPrice(3.0, 1.0)}, {"x": ModelPrice(2.5, 1.0)})[0].describe()
    assert describe == "x input price $3 -> $2.5 per 1M tokens (-16.7%)"


def test_resold_models_are_credited_to_their_maker(httpserver: HTTPServer, store: Store, tmp_path: Path) -> None:
    """A reseller's price cut is the maker's signal; the reseller is kept as the seller."""
    before = {"azure/o3": {"litellm_provider": "azure", "input_cost_per_token": 1e-05, "output_cost_per_token": 4e-05},
              "vertex_ai/mistral-large@2407": {"litellm_provider": "vertex_ai-mistral_models",
                                               "input_cost_per_token": 2e-06, "output_cost_per_token": 6e-06},
              "bedrock/helix-strand": {"litellm_provider": "bedrock", "input_cost_per_token": 1e-06,
                                       "output_cost_per_token": 1e-06}}
    after = {"azure/o3": dict(before["azure/o3"], input_cost_per_token=2e-06),
             "vertex_ai/mistral-large@2407": dict(before["vertex_ai/mistral-large@2407"], output_cost_per_token=5e-06),
             "bedrock/helix-strand": dict(before["bedrock/helix-strand"], input_cost_per_token=2e-06)}
    bodies = iter([json.dumps(before), json.dumps(after)])
    httpserver.expect_request("/p").respond_with_handler(lambda _r: Response(next(bodies), content_type="application/json"))
    config = make_config(tmp_path, source_toml("litellm", httpserver.url_for("/p"), kind="prices", providers=["helix"]))
    crawl_sources(config, store)
    crawl_sources(config, store, force=True)
    rows = {r["model"]: r for r in store.rows("select model, provider, seller from price_changes")}
    assert (rows["azure/o3"]["provider"], rows["azure/o3"]["seller"]) == ("openai", "microsoft")
    assert (rows["vertex_ai/mistral-large@2407"]["provider"], rows["vertex_ai/mistral-large@2407"]["seller"]) == (
        "mistral", "google")
    # a model no catalogue organisation makes falls back to the source's provider
    assert rows["bedrock/helix-strand"]["provider"] == "helix"
    signals = store.rows("select provider from signals where price_change_id is not null order by provider")
    assert [s["provider"] for s in signals] == ["helix", "mistral", "openai"]
