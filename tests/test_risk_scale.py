"""The fast risk computation (per-tag horizons, one pass for both moments, news weighed as columns, stories and
sources from indexes, only the listed contributions built) against the plain one it replaced, kept here as the
reference: every signal of the 448-day horizon read with its article, every piece of evidence weighed row by row."""

from __future__ import annotations

import json
import math
import random
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from risk_timeline import Timeline, day, risk_config

from monitor.config import RiskSettings
from monitor.risk import no_embedding, provider_risk_at, update_risk
from monitor.risk import records as risk_records
from monitor.risk.engine import CHANGE_WINDOW, LISTED
from monitor.risk.factors import (
    MIN_CONTRIBUTION,
    corroboration,
    decay,
    half_life_for,
    horizon_days,
    horizon_for,
    relevance,
    weight_for,
)
from storage.store import Store
from storage.times import from_iso, to_iso

# ------------------------------------------------------------------------------------------------- the reference

_REFERENCE_SQL = """
    select s.id, s.tag, s.confidence, s.provider_score, s.direction, s.published, s.article_id, s.incident_id,
           s.price_change_id, a.story_id, a.title as article_title, coalesce(a.link, a.url) as article_url,
           a.source as article_source, i.title as incident_title, i.url as incident_url, i.source as incident_source,
           pc.snapshot_id, pc.source as price_source, pc.model, pc.field, pc.old_value, pc.new_value, pc.percent
    from signals s
    left join articles a on a.id = s.article_id
    left join incidents i on i.id = s.incident_id
    left join price_changes pc on pc.id = s.price_change_id
    where s.provider = ? and s.published >= ? and s.published <= ? and s.tag != 'none'
    order by s.published, s.id
"""


def _reference_rows(store: Store, provider: str, since: datetime, until: datetime) -> list[dict[str, Any]]:
    out = []
    for r in store.rows(_REFERENCE_SQL, [provider, to_iso(since), to_iso(until)]):
        if r["article_id"] is not None:
            r["source"], r["title"] = r["article_source"], r["article_title"] or ""
        elif r["incident_id"] is not None:
            r["source"], r["title"] = r["incident_source"], f"status: {r['incident_title']}"
        elif r["price_change_id"] is not None:
            r["source"] = r["price_source"]
            r["title"] = (f"price list: {r['model']} {r['field']} {r['old_value']:g} -> {r['new_value']:g}"
                          f" ({r['percent']:+.0f}%)")
        else:
            r["source"], r["title"] = None, ""
        r["published"] = from_iso(r["published"])
        r["provider_score"] = 1.0 if r["provider_score"] is None else r["provider_score"]
        r["direction"] = r["direction"] or None
        out.append(r)
    return out


def _unit(r: dict[str, Any]) -> tuple[str, str]:
    if r["article_id"] is not None:
        return ("story", str(r["story_id"])) if r["story_id"] is not None else ("article", str(r["article_id"]))
    if r["price_change_id"] is not None:
        snap = str(r["snapshot_id"]) if r["snapshot_id"] is not None else f"{r['source']}@{r['published'].date()}"
        return ("prices", f"{snap}:{r['direction'] or '-'}")
    if r["incident_id"] is not None:
        return ("status", r["published"].date().isoformat())
    return ("signal", str(r["id"]))


def _direction(members: list[dict[str, Any]]) -> str | None:
    counts = Counter(m["direction"] for m in members if m["direction"])
    if not counts:
        return None
    top = max(counts.values())
    tied = {d for d, n in counts.items() if n == top}
    return str(max((m for m in members if m["direction"] in tied), key=lambda m: (m["confidence"], -m["id"]))["direction"])


def reference(rows: list[dict[str, Any]], at: datetime, settings: RiskSettings, *,
              per_tag: bool = False) -> list[dict[str, Any]]:
    """Every contribution of at least MIN_CONTRIBUTION at ``at``, largest first (the plain algorithm: signals of
    the last 448 days, or, ``per_tag``, of each tag's horizon)."""
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        days = horizon_for(settings, r["tag"]) if per_tag else horizon_days(settings)
        if at - timedelta(days=days) <= r["published"] <= at:
            groups[(*_unit(r), r["tag"])].append(r)
    recs = [k for k in groups if k[0] in ("prices", "status")]
    if recs:
        firsts = {k: min(r["published"] for r in v) for k, v in groups.items()}
        dirs = {k: _direction(v) for k, v in groups.items()}
        out = {k: list(v) for k, v in groups.items()}
        for key in list(groups):
            if key[0] in ("prices", "status"):
                continue
            near = [rk for rk in recs if rk[2] == key[2] and dirs[rk] == dirs[key]
                    and abs(firsts[rk] - firsts[key]) <= settings.story_window]
            if near:
                out[min(near, key=lambda rk: (abs(firsts[rk] - firsts[key]), rk))].extend(out.pop(key))
        groups = out
    found = []
    for (kind, ident, tag), members in groups.items():
        direction = _direction(members)
        weight = weight_for(settings, tag, direction)
        if weight == 0:
            continue
        best = max(members, key=lambda m: (m["confidence"] * relevance(settings, m["provider_score"]),
                                           -m["published"].timestamp(), -m["id"]))
        first = min(m["published"] for m in members)
        names = {("news", m["source"] or f"article{m['article_id']}") for m in members if m["article_id"] is not None}
        names |= {("record", m["source"] or _unit(m)[0]) for m in members if m["article_id"] is None}
        sources = max(1, len(names))
        value = (weight * best["confidence"] * relevance(settings, best["provider_score"]) * corroboration(settings, sources)
                 * decay((at - first).total_seconds() / 86400, half_life_for(settings, tag)))
        if abs(value) >= MIN_CONTRIBUTION:
            found.append({"key": f"{kind}:{ident}", "tag": tag, "value": value, "sources": sources,
                          "direction": direction, "title": best["title"], "published": first,
                          "signal_ids": tuple(sorted(m["id"] for m in members))})
    found.sort(key=lambda c: (-abs(c["value"]), c["key"], c["tag"]))
    return found


# ------------------------------------------------------------------------------------------------- timelines

TAGS = ["losses_burn", "layoffs", "funding_raise", "revenue_growth", "api_pricing", "outage", "leadership_change",
        "compute_deal", "deprecation", "m_and_a", "legal_regulatory", "debt_financing"]
DIRECTIONS = {"api_pricing": ["up", "down", None], "funding_raise": ["in", "out", None]}


def random_timeline(store: Store, seed: int, *, span: int = 500, articles: int = 260, records: bool = True) -> None:
    """Random evidence for both test providers over ``span`` days: articles (some in multi-article stories, some
    syndicated to a second source, mixed directions, mentions in the body), incidents and price lists."""
    rng = random.Random(seed)
    t = Timeline(store, day(-span))
    ids = []
    for n in range(articles):
        tag = rng.choice(TAGS)
        provider = rng.choice(["helix", "northwind"])
        tags = {tag: round(rng.uniform(0.3, 1.0), 3)}
        if rng.random() < 0.3:
            tags[rng.choice(TAGS)] = round(rng.uniform(0.3, 1.0), 3)
        ids.append(t.article(f"Event {n} about {provider}", rng.uniform(0, span), tags=tags, provider=provider,
                             source=rng.choice(["wire", "ledger", "techdaily", "blog", "daily"]),
                             direction=rng.choice(DIRECTIONS.get(tag, [None])),
                             provider_score=rng.choice([1.0, 1.0, 0.6])))
    if records:
        for n in range(30):
            t.incident(f"Incident {n}", rng.uniform(span - 40, span), provider=rng.choice(["helix", "northwind"]),
                       confidence=rng.uniform(0.4, 1.0))
        for n in range(8):
            t.price_changes(rng.uniform(span - 80, span), [(f"m{n}", 1.0, rng.choice([0.5, 2.0]))],
                            provider=rng.choice(["helix", "northwind"]))
    # stories: articles published within three days of each other (as clustering makes them), some left alone
    published = dict(store.db.execute("select id, published from articles").fetchall())
    ids.sort(key=lambda a: published[a])
    story = 0
    while ids:
        size = rng.choice([1, 1, 2, 3, 5])
        members, ids = [ids[0]], ids[1:]
        while ids and len(members) < size and from_iso(published[ids[0]]) - from_iso(published[members[0]]) < timedelta(days=3):
            members.append(ids.pop(0))
        if rng.random() < 0.15:
            continue  # not clustered yet
        story += 1
        store.db.execute("insert into stories (id, title, first_published, last_published) values (?, 't', ?, ?)",
                         [story, published[members[0]], published[members[-1]]])
        store.db.execute(f"update articles set story_id = ? where id in ({','.join('?' * len(members))})",
                         [story, *members])
    # a second source for some articles (syndication), so that sources come from both indexes
    for (article_id,) in store.db.execute("select id from articles where id % 4 = 0").fetchall():
        store.db.execute("insert or ignore into article_sources (article_id, source, first_seen) values (?, 'mirror', ?)",
                         [article_id, to_iso(day(0))])
    store.db.conn.commit()


def _compare(store: Store, settings_toml: str = "") -> float:
    """Check the fast computation against the plain one with per-tag horizons (counts, listed contributions and
    scores, now and 7 days before, for both providers at a few moments: equal to rounding); return the largest
    score difference from the plain one with the single 448-day horizon (the per-tag horizons leave out pieces of
    evidence worth less than MIN_CONTRIBUTION; only a story of one tag that began before its tag's horizon can
    differ, counted from its first report inside it)."""
    config = risk_config(settings_toml)
    worst = 0.0
    for at in (day(0), day(-3.5), day(-200)):
        for provider in ("helix", "northwind"):
            rows = _reference_rows(store, provider, at - timedelta(days=horizon_days(config.risk)) - CHANGE_WINDOW, at)
            now = reference(rows, at, config.risk, per_tag=True)
            before = reference(rows, at - CHANGE_WINDOW, config.risk, per_tag=True)
            risk = provider_risk_at(config, store, provider, at)
            assert math.isclose(risk.score, max(0.0, sum(c["value"] for c in now)), abs_tol=1e-9)
            assert math.isclose(risk.score - risk.change_7d, max(0.0, sum(c["value"] for c in before)), abs_tol=1e-9)
            assert risk.counted == len(now)
            assert len(risk.contributions) == min(LISTED, len(now))
            for got, want in zip(risk.contributions, now, strict=False):
                assert (got.key, got.tag, got.sources, got.direction, got.title, got.published, got.signal_ids) == (
                    want["key"], want["tag"], want["sources"], want["direction"], want["title"], want["published"],
                    want["signal_ids"])
                assert math.isclose(got.contribution, want["value"], rel_tol=1e-12, abs_tol=1e-15)
            full = max(0.0, sum(c["value"] for c in reference(rows, at, config.risk)))
            worst = max(worst, abs(risk.score - full))
    return worst


# ------------------------------------------------------------------------------------------------- tests


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fast_scores_equal_the_plain_computation(store: Store, seed: int) -> None:
    random_timeline(store, seed)
    assert _compare(store) < 0.01


def test_equal_with_tuned_settings_and_without_records(store: Store) -> None:
    random_timeline(store, 4, records=False)
    assert _compare(store, "[risk]\ncorroboration_max = 3.0\nbody_mention_factor = 0.3\n"
                           "[risk.weights]\nlayoffs = 4\ncompute_deal = 0.5\n"
                           "[risk.half_life_days]\noutage = 5\nlosses_burn = 60\n") < 0.01


def test_equal_when_stories_come_from_the_index_scan(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    random_timeline(store, 5)
    monkeypatch.setattr(risk_records.ArticleIndex, "SCAN", 0)
    assert _compare(store) < 0.01
    # sparse article ids: stories are kept in a dict instead of an array by id
    store.db.conn.commit()
    store.db.execute("pragma foreign_keys = off")
    store.db.execute("update signals set article_id = article_id + 10000000 where article_id is not null")
    store.db.execute("update article_sources set article_id = article_id + 10000000")
    store.db.execute("update articles set id = id + 10000000")
    store.db.conn.commit()
    store.db.execute("pragma foreign_keys = on")
    assert _compare(store) < 0.01


def test_update_risk_scores_every_provider_as_one_provider_at_a_time(store: Store) -> None:
    random_timeline(store, 6)
    config = risk_config()
    report = update_risk(config, store, now=day(0), embed=no_embedding)
    for risk in report.providers:
        alone = provider_risk_at(config, store, risk.provider, day(0))
        assert (risk.score, risk.change_7d, risk.counted) == (alone.score, alone.change_7d, alone.counted)
        assert risk.contributions == alone.contributions


def test_each_tag_is_read_only_as_far_back_as_it_can_still_count() -> None:
    settings = risk_config().risk
    assert horizon_for(settings, "compute_deal") == 0  # weight 0: never read
    assert 20 < horizon_for(settings, "outage") < 21  # 0.6 x 2 x 0.5^(age/2) >= 0.001
    assert horizon_for(settings, "funding_raise") == horizon_days(settings)  # 45-day half-life: the old cap
    for tag in ("outage", "layoffs", "api_pricing", "deprecation", "losses_burn"):
        h = horizon_for(settings, tag)
        assert h < horizon_days(settings)
        largest = max(abs(weight_for(settings, tag, d)) for d in (None, "up", "down", "in", "out"))
        assert largest * settings.corroboration_max * decay(h + 0.01, half_life_for(settings, tag)) < MIN_CONTRIBUTION


def test_an_old_outage_is_not_read_and_changes_nothing(store: Store) -> None:
    t = Timeline(store)
    t.article("Helix AI lost $1 billion", 0, tags={"losses_burn": 0.9})
    for n in range(40):  # a story of outages a month old: worth under 0.001 each by now
        t.article(f"Helix API down ({n})", -30 - n / 10, tags={"outage": 1.0}, source=f"outlet{n}")
    config = risk_config()
    risk = provider_risk_at(config, store, "helix", day(0))
    assert risk.counted == 1 and abs(risk.score - 2.5 * 0.9) < 1e-12
    signals = risk_records.load_signals(store, "helix", config.risk, day(0), day(0))
    assert len(signals) == 1  # the outages are past their horizon: not even read
    assert _compare(store) < 1e-9


def test_alert_evidence_names_the_listed_contributions_only(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    import monitor.risk.engine as engine

    monkeypatch.setattr(engine, "LISTED", 3)
    t = Timeline(store)
    ids = [t.article(f"Helix AI cuts {n}00 jobs", -4 * n, tags={"layoffs": 0.95}, source=f"s{n}") for n in range(8)]
    report = update_risk(risk_config(), store, now=day(0), embed=no_embedding)
    (helix,) = [p for p in report.providers if p.provider == "helix"]
    assert helix.counted == 8 and len(helix.contributions) == 3
    evidence = json.loads(store.rows("select evidence from alerts")[0]["evidence"])
    assert evidence["counted"] == 8 and len(evidence["articles"]) == 3
    assert set(evidence["articles"]) == {c.article_ids[0] for c in helix.contributions}
    assert set(evidence["articles"]) < set(ids)


def test_history_and_backtest_read_once_and_match_single_moments(store: Store) -> None:
    from monitor.risk.history import risk_history

    random_timeline(store, 7)
    config = risk_config()
    points = risk_history(config, store, "helix", days=20, now=day(0))
    for p in points[::5]:
        assert p.score == provider_risk_at(config, store, "helix", p.at).score


def test_rows_are_compared_as_stored_text() -> None:
    # what the risk stage relies on when it compares publication times as text (see records._signals)
    t = datetime(2026, 3, 2, 9, 0, 5, 123456, tzinfo=UTC)
    assert to_iso(t) == "2026-03-02T09:00:05+00:00" and len(to_iso(t)) == 25
