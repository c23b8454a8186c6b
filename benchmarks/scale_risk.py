"""Risk recompute on the scale database: the risk stage for all 50 providers, its time, where it goes, peak RSS.

Measures, on the database made by ``scale_generate.py`` (every article already in a story):

* ``update_risk`` (the stage ``capwatch risk`` runs: cluster new articles, score every provider, store one
  snapshot per provider, advance alerts) at the generation time, ``--runs`` times, each in a fresh process so
  that its peak RSS (``resource.getrusage``) is the stage's own; the first run is on a cold SQLite cache;
* the split between reading signals (``records.load_all_signals``, as ``update_risk`` reads them) and scoring them
  (``engine.evaluate``), the signals and contributions per provider, the size of the snapshots written and of the
  evidence an alert event would store;
* with ``--profile``, the top functions of one run (cProfile);
* with ``--cluster N``, story clustering throughput: the newest N articles are un-clustered in a copy of the
  database (a plain file copy: needs as much free disk as the database) and clustered again (titles only, and
  with the MiniLM encoder when it loads).

Usage::

    python benchmarks/scale_risk.py --runs 3 --profile --cluster 2000
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from monitor.config import load_config
from storage.store import Store
from storage.times import from_iso

DEFAULT_DB = Path("/tmp/capwatch-scale/scale.db")


def peak_rss_mib() -> float:
    """This process's peak resident set size in MiB (``ru_maxrss`` is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _paths(db: Path) -> tuple[Path, dict[str, Any]]:
    meta = json.loads((db.parent / "meta.json").read_text())
    return db.parent / "sources.toml", meta


def child_recompute(db: Path) -> dict[str, Any]:
    """One ``update_risk`` run in this (fresh) process; returns timings and peak RSS."""
    from monitor.risk import no_embedding, update_risk

    config_path, meta = _paths(db)
    rss0 = peak_rss_mib()
    config = load_config(config_path)
    now = from_iso(meta["generated_at"])
    t, cpu = time.perf_counter(), time.process_time()
    with Store(db) as store:
        opened = time.perf_counter() - t
        report = update_risk(config, store, now=now, embed=no_embedding)
    seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
    levels: dict[str, int] = {}
    for p in report.providers:
        levels[p.level] = levels.get(p.level, 0) + 1
    return {
        "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2), "open_seconds": round(opened, 2), "providers": len(report.providers),
        "events": len(report.events), "clustered": report.articles_clustered, "levels": levels,
        "rss_before_mib": round(rss0, 1), "peak_rss_mib": round(peak_rss_mib(), 1),
    }


def breakdown(db: Path) -> dict[str, Any]:
    """Reading (``records.load_all_signals``, as ``update_risk`` reads) and scoring (``engine.evaluate``) apart;
    per provider: signals read, contributions counted, seconds to score; snapshot and alert evidence sizes."""
    from monitor.risk import records
    from monitor.risk.alerts import evidence_for
    from monitor.risk.engine import bulk, evaluate, reach
    from monitor.risk.factors import horizon_for

    config_path, meta = _paths(db)
    config = load_config(config_path)
    now = from_iso(meta["generated_at"])
    per: list[dict[str, Any]] = []
    evidence: list[int] = []
    with Store(db) as store, bulk():
        t = time.perf_counter()
        loaded = list(records.load_all_signals(store, config.providers, config.risk, now, now))
        read_s = time.perf_counter() - t
        eval_s = 0.0
        for pid, signals in loaded:
            t = time.perf_counter()
            risk = evaluate(config, pid, signals, now, None)
            elapsed = time.perf_counter() - t
            eval_s += elapsed
            per.append({"provider": pid, "signals": len(signals), "contributions": risk.counted,
                        "score_s": round(elapsed, 3)})
            evidence.append(len(json.dumps(evidence_for(risk, dict(config.risk.thresholds)))))
        snaps = store.rows(
            "select count(*) as n, sum(length(contributions)) as bytes, max(length(contributions)) as biggest "
            "from risk_snapshots where computed_at = ?", [meta["generated_at"]])[0]
    rows_total = sum(p["signals"] for p in per)
    per.sort(key=lambda r: -r["signals"])
    horizons = {tag: round(horizon_for(config.risk, tag)) for tag in config.risk.half_life_days}
    return {"signals": int(rows_total), "contributions": sum(p["contributions"] for p in per),
            "read_s": round(read_s, 2), "score_s": round(eval_s, 2), "largest": per[:5], "snapshots": snaps,
            "reach_days": reach(config).days, "horizons": horizons, "evidence_bytes_max": max(evidence, default=0)}


def profile(db: Path, top: int = 25) -> str:
    """cProfile of one ``update_risk`` run: the ``top`` functions by cumulative time."""
    prof = cProfile.Profile()
    prof.enable()
    child_recompute(db)
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def cluster_throughput(db: Path, n: int) -> dict[str, Any]:
    """Un-cluster the newest ``n`` articles in a copy of ``db`` and time ``assign_stories`` (titles only, then the
    MiniLM encoder if it loads, on a second copy)."""
    from monitor.risk.stories import assign_stories, encoder_embedder, no_embedding

    config_path, _ = _paths(db)
    config = load_config(config_path)
    out: dict[str, Any] = {"articles": n}
    for label in ("titles_only", "encoder"):
        copy = db.parent / "cluster-copy.db"
        t = time.perf_counter()
        with Store(db) as src:  # fold the WAL in, then copy the file (nothing else writes to the benchmark db)
            src.db.execute("pragma wal_checkpoint(truncate)")
        shutil.copyfile(db, copy)
        out["copy_seconds"] = round(time.perf_counter() - t, 1)
        try:
            with Store(copy) as store:
                with store.transaction():
                    ids = [r["id"] for r in store.rows("select id from articles order by published desc limit ?", [n])]
                    marks = ",".join("?" * len(ids))
                    store.db.execute(f"update articles set story_id = null where id in ({marks})", ids)
                embed = no_embedding if label == "titles_only" else encoder_embedder(config.classifier.model_path)
                t = time.perf_counter()
                report = assign_stories(store, config.risk, config.provider_aliases, embed)
                seconds = time.perf_counter() - t
            out[label] = {"seconds": round(seconds, 1), "articles_per_s": round(report.articles / seconds, 1),
                          "stories_created": report.created}
        except Exception as exc:  # the encoder may be missing on this machine: report, keep the other number
            out[label] = {"error": f"{type(exc).__name__}: {exc}"}
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(str(copy) + suffix).unlink(missing_ok=True)
    return out


def run_child(db: Path, mode: str) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, __file__, "--db", str(db), "--child", mode], capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0:
        raise SystemExit(f"child {mode} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, default=DEFAULT_DB)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--profile", action="store_true", help="print a cProfile of one run")
    ap.add_argument("--cluster", type=int, default=0, metavar="N", help="also time clustering N new articles")
    ap.add_argument("--json", type=Path, help="also write the results to this JSON file")
    ap.add_argument("--child", choices=("recompute", "breakdown", "cluster"), help=argparse.SUPPRESS)
    ap.add_argument("--cluster-n", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    db: Path = args.db
    if not db.exists():
        print(f"{db} does not exist: run benchmarks/scale_generate.py first", file=sys.stderr)
        return 1
    if args.child == "recompute":
        print(json.dumps(child_recompute(db)))
        return 0
    if args.child == "breakdown":
        print(json.dumps(breakdown(db)))
        return 0

    results: dict[str, Any] = {"runs": []}
    for i in range(args.runs):
        r = run_child(db, "recompute")
        results["runs"].append(r)
        print(f"  update_risk run {i + 1}: {r['seconds']} s ({r['cpu_seconds']} s CPU), peak RSS {r['peak_rss_mib']} MiB",
              file=sys.stderr)
    results["breakdown"] = run_child(db, "breakdown")
    if args.cluster:
        results["cluster"] = cluster_throughput(db, args.cluster)
    secs = [r["seconds"] for r in results["runs"]]
    b = results["breakdown"]
    print(f"database {db}: {db.stat().st_size / 2**30:.2f} GiB")
    print(f"update_risk, {results['runs'][0]['providers']} providers: runs {secs} s "
          f"(best {min(secs)} s; target < 10 s: {'OK' if min(secs) < 10 else 'OVER'}); "
          f"peak RSS {max(r['peak_rss_mib'] for r in results['runs'])} MiB "
          f"(after imports {results['runs'][0]['rss_before_mib']} MiB)")
    print(f"signals read (per-tag horizons {b['horizons']} days, + 7): {b['signals']:,}; "
          f"contributions counted {b['contributions']:,}; reading {b['read_s']} s, scoring {b['score_s']} s")
    print(f"snapshots written per run: {b['snapshots']['n']}, {int(b['snapshots']['bytes'] or 0) / 2**20:.1f} MiB "
          f"of contributions JSON (largest {int(b['snapshots']['biggest'] or 0) / 2**20:.2f} MiB)")
    print(f"alert evidence per provider (as an event would store it): at most {b['evidence_bytes_max'] / 1024:.1f} KiB")
    for p in b["largest"]:
        print(f"    {p['provider']}: {p['signals']:,} signals, {p['contributions']:,} contributions, "
              f"score {p['score_s']} s")
    if args.cluster:
        print(f"clustering {args.cluster} new articles: {json.dumps(results['cluster'])}")
    if args.profile:
        print(profile(db))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
