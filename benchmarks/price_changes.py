"""Acceptance: a ``prices`` source fed the two real LiteLLM catalogue snapshots (../shared/corpus/prices,
2025-05-31 then 2026-07-24) over 127.0.0.1 reports the real price changes between them.

Checks: the first snapshot emits no change; the second emits exactly the changes an independent recomputation
from the raw JSON finds (USD per 1M tokens, float noise below 1e-6 $/1M ignored); price rises/cuts carry
``api_pricing`` signals and removed models ``deprecation`` signals, with providers mapped from ``litellm_provider``
through the default sources.toml aliases. Prints a summary and the changes for the configured providers.
Usage: python benchmarks/price_changes.py [PRICES_DIR]
"""

from __future__ import annotations

import dataclasses
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from loopback import LoopbackServer  # noqa: E402

from monitor.config import Source, load_config  # noqa: E402
from monitor.crawl import crawl_sources  # noqa: E402
from storage.store import Store  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT.parent / "shared" / "corpus" / "prices"
OLD, NEW = "litellm_model_prices_2025-05-31.json", "litellm_model_prices_2026-07-24.json"


def independent_changes(old: dict[str, object], new: dict[str, object]) -> set[tuple[str, str]]:
    """(model, field) pairs that changed, computed straight from the two JSON documents."""
    def prices(doc: dict[str, object]) -> dict[str, dict[str, float | None]]:
        out = {}
        for model, item in doc.items():
            if not isinstance(item, dict):
                continue
            values = {}
            for field, key in (("input", "input_cost_per_token"), ("output", "output_cost_per_token")):
                v = item.get(key)
                ok = isinstance(v, int | float) and not isinstance(v, bool) and v >= 0
                values[field] = round(float(v) * 1e6, 6) if ok else None  # type: ignore[arg-type]
            if values["input"] is not None or values["output"] is not None:
                out[model] = values
        return out

    a, b = prices(old), prices(new)
    changed = {(m, "model") for m in set(a) ^ set(b)}
    for m in set(a) & set(b):
        changed |= {(m, f) for f in ("input", "output") if a[m][f] != b[m][f]}
    return changed


def main(folder: Path) -> int:
    old_bytes, new_bytes = (folder / OLD).read_bytes(), (folder / NEW).read_bytes()
    base_config = load_config(ROOT / "sources.toml")
    litellm = next(s for s in base_config.sources if s.name == "litellm-model-prices")
    routes = {"/old.json": (old_bytes, {"Content-Type": "application/json"}),
              "/new.json": (new_bytes, {"Content-Type": "application/json"})}
    with LoopbackServer(routes) as base, tempfile.TemporaryDirectory() as tmp:
        crawl_settings = dataclasses.replace(base_config.crawl, allow_private_hosts=("127.0.0.1",), respect_robots=False)
        store = Store(Path(tmp) / "prices.db")
        results = []
        for path in ("/old.json", "/new.json"):
            source: Source = dataclasses.replace(litellm, url=f"{base}{path}")
            config = dataclasses.replace(base_config, crawl=crawl_settings, sources=(source,))
            results.append(crawl_sources(config, store, force=True).by_name(source.name))
        changes = store.price_changes()
        signals = store.rows("select tag, direction, provider from signals where price_change_id is not null")
        store.close()
    expected = independent_changes(json.loads(old_bytes), json.loads(new_bytes))
    got = {(c["model"], c["field"]) for c in changes}
    directions = Counter(c["direction"] for c in changes)
    print(f"first snapshot: {results[0].entries} models, {results[0].price_changes} changes ({results[0].status})")
    print(f"second snapshot: {results[1].entries} models, {results[1].price_changes} changes ({results[1].status})")
    print(f"changes by direction: {dict(directions)}")
    print(f"signals: {dict(Counter((s['tag'], s['direction']) for s in signals))}")
    print(f"independent recomputation: {len(expected)} changes; matches: {got == expected}")
    print("price changes of the configured providers:")
    for c in sorted(changes, key=lambda c: (c["provider"] or "", c["model"], c["field"])):
        if c["provider"] and c["direction"] in ("up", "down"):
            print(f"  {c['provider']:10} {c['model']:45} {c['field']:6} ${c['old_value']:g} -> ${c['new_value']:g} "
                  f"per 1M ({c['percent']:+.1f}%, {c['direction']})")
    o3 = {(c["model"], c["field"]): c for c in changes}.get(("o3", "input"))
    ok = (
        results[0].price_changes == 0
        and got == expected
        and o3 is not None and (o3["old_value"], o3["new_value"], o3["direction"], o3["provider"]) == (10.0, 2.0, "down", "openai")
        and len(signals) == directions["up"] + directions["down"] + sum(
            1 for c in changes if c["direction"] == "removed" and c["field"] == "model")
    )
    print("ACCEPTED" if ok else "NOT ACCEPTED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DIR))
