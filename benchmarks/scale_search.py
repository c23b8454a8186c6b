"""Search latency on the scale database: p50/p95 of ``Store.search`` (what ``capwatch search`` calls).

Runs each typical query N times on one open :class:`storage.store.Store` (warm page cache, as a long-running
process or a repeated CLI call sees it), prints a Markdown table (matches, p50, p95, max, first run) and, with
``--cli``, times the real command once per query through a subprocess (interpreter start and imports included).
``--explain`` prints SQLite's query plan for each query.

Usage::

    python benchmarks/scale_generate.py            # once: /tmp/capwatch-scale/scale.db
    python benchmarks/scale_search.py --runs 30 --cli --explain
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monitor.timeparse import parse_when
from storage.store import Store
from storage.times import to_iso

DEFAULT_DB = Path("/tmp/capwatch-scale/scale.db")


@dataclass
class Query:
    """One ``capwatch search`` invocation: the FTS query and the filters, as the CLI would pass them."""

    label: str
    query: str | None = None
    provider: str | None = None
    tag: str | None = None
    since: str | None = None
    source: str | None = None
    limit: int = 50
    timings: list[float] = field(default_factory=list)

    def kwargs(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "tag": self.tag,
            "since": parse_when(self.since) if self.since else None,
            "source": self.source,
            "limit": self.limit,
        }

    def cli_args(self) -> list[str]:
        args = [self.query] if self.query else []
        for opt in ("provider", "tag", "since", "source"):
            value = getattr(self, opt)
            if value:
                args += [f"--{opt}", value]
        return args

    def shell(self) -> str:
        parts = ["capwatch search"]
        for a in self.cli_args():
            parts.append(f"'{a}'" if (" " in a or '"' in a) else a)
        return " ".join(parts)


def typical_queries(meta: dict[str, Any]) -> list[Query]:
    """The queries of the benchmark; providers and sources are picked from the generated data (``meta.json``)."""
    providers = meta.get("providers_by_signals") or ["openai", "xai"]
    sources = meta.get("sources_by_articles") or ["reuters-ai"]
    busiest, mid = providers[0], providers[min(3, len(providers) - 1)]
    return [
        Query("plain word", "funding"),
        Query("phrase", '"cash burn"'),
        Query("less common word", "outage"),
        Query("rare word", "tender"),
        Query("word + provider", "lawsuit", provider=busiest),
        Query("tag + since 90d", tag="losses_burn", since="90d"),
        Query("provider only", provider=mid),
        Query("source only", source=sources[len(sources) // 2]),
        Query("word + source + since 30d", "gpu", source=sources[0], since="30d"),
        Query("README example", '"cash burn"', provider=mid, tag="losses_burn", since="90d"),
    ]


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile of ``values`` (``p`` in 0..100)."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def count_matches(store: Store, q: Query) -> int:
    """How many articles the query matches without the limit (for the table, not timed; plain SQL)."""
    kw = q.kwargs()
    where, params = [], []
    if q.query:
        where.append("a.id in (select rowid from articles_fts where articles_fts match ?)")
        params.append(q.query)
    if q.source:
        where.append("a.id in (select article_id from article_sources where source = ?)")
        params.append(q.source)
    for column in ("provider", "tag"):
        if getattr(q, column):
            where.append(f"a.id in (select article_id from signals where {column} = ?)")
            params.append(getattr(q, column))
    if q.provider and q.tag:  # both on the same signal, as search means it
        where[-2:] = ["a.id in (select article_id from signals where provider = ? and tag = ?)"]
    if kw["since"] is not None:
        where.append("a.published >= ?")
        params.append(to_iso(kw["since"]))
    sql = "select count(*) from articles a" + (" where " + " and ".join(where) if where else "")
    return int(store.db.execute(sql, params).fetchone()[0])


def explain(store: Store, q: Query) -> list[str]:
    """SQLite's query plan of every statement ``Store.search`` runs for ``q`` (captured with a trace callback):
    the size counts, the page query (or its windows and batches) and the query reading the page's rows."""
    seen: list[str] = []
    store.db.conn.set_trace_callback(seen.append)
    try:
        store.search(q.query, **q.kwargs())
    finally:
        store.db.conn.set_trace_callback(None)
    out = []
    for sql in seen:
        if not sql.lstrip().lower().startswith("select"):
            continue
        out.append("- " + " ".join(sql.split())[:160])
        depth: dict[int, int] = {0: 0}
        for node_id, parent, _, detail in store.db.execute("explain query plan " + sql).fetchall():
            depth[node_id] = depth.get(parent, 0) + 1
            out.append("  " * depth[node_id] + detail)
    return out


def time_cli(db: Path, q: Query) -> float | str:
    """Wall time in ms of one ``capwatch --db DB search ...`` (table output) in a fresh interpreter, or the
    error's last line when the command fails."""
    exe = shutil.which("capwatch", path=str(Path(sys.executable).parent)) or "capwatch"
    env = dict(os.environ, CAPWATCH_DB=str(db), COLUMNS="200")
    t = time.perf_counter()
    proc = subprocess.run([exe, "--db", str(db), "search", *q.cli_args()], env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    ms = (time.perf_counter() - t) * 1000
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"]
        return f"failed: {lines[-1]}"
    return round(ms)


def run(db: Path, runs: int, *, cli: bool, show_plan: bool, only: str | None) -> list[dict[str, Any]]:
    meta_path = db.parent / "meta.json"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    queries = [q for q in typical_queries(meta) if only is None or only.lower() in q.label.lower()]
    results = []
    with Store(db) as store:
        for q in queries:
            first = None
            for i in range(runs):
                t = time.perf_counter()
                rows = store.search(q.query, **q.kwargs())
                ms = (time.perf_counter() - t) * 1000
                if i == 0:
                    first = ms
                q.timings.append(ms)
            matches = count_matches(store, q)
            res = {
                "label": q.label, "command": q.shell(), "rows": len(rows), "matches": matches,
                "p50_ms": round(percentile(q.timings, 50), 1), "p95_ms": round(percentile(q.timings, 95), 1),
                "max_ms": round(max(q.timings), 1), "first_ms": round(first or 0.0, 1),
            }
            if show_plan:
                res["plan"] = explain(store, q)
            if cli:
                res["cli_ms"] = time_cli(db, q)
            results.append(res)
            print(f"  {q.label}: p50 {res['p50_ms']} ms, p95 {res['p95_ms']} ms ({matches:,} matches)", file=sys.stderr)
    return results


def table(results: list[dict[str, Any]]) -> str:
    cli = any("cli_ms" in r for r in results)
    head = "| query | command | matches | p50 ms | p95 ms | max ms | first run ms |" + (" CLI once ms |" if cli else "")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in results:
        line = (f"| {r['label']} | `{r['command']}` | {r['matches']:,} | {r['p50_ms']} | {r['p95_ms']} | "
                f"{r['max_ms']} | {r['first_ms']} |")
        if cli:
            line += f" {r.get('cli_ms', '')} |"
        lines.append(line)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, default=DEFAULT_DB)
    ap.add_argument("--runs", type=int, default=30, help="timed runs per query (default 30)")
    ap.add_argument("--cli", action="store_true", help="also time the real CLI once per query")
    ap.add_argument("--explain", action="store_true", help="print each query's plan")
    ap.add_argument("--only", help="run only the queries whose label contains this text")
    ap.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = ap.parse_args(argv)
    if not args.db.exists():
        print(f"{args.db} does not exist: run benchmarks/scale_generate.py first", file=sys.stderr)
        return 1
    results = run(args.db, args.runs, cli=args.cli, show_plan=args.explain, only=args.only)
    size = args.db.stat().st_size
    print(f"database {args.db}: {size / 2**30:.2f} GiB; {args.runs} runs per query (warm cache)\n")
    print(table(results))
    if args.explain:
        for r in results:
            print(f"\n{r['label']}: {r['command']}")
            for line in r["plan"]:
                print(f"    {line}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS of this process (store open, all queries run): {rss:.0f} MiB")
    worst = max(r["p95_ms"] for r in results)
    print(f"\nworst p95: {worst} ms (target < 100 ms): {'OK' if worst < 100 else 'OVER'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
