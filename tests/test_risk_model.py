"""The risk model's parts: factors, levels with hysteresis, how evidence is grouped and counted."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from risk_timeline import Timeline, day, risk_config

from monitor.config import DEFAULT_THRESHOLDS
from monitor.risk import no_embedding, provider_risk_at, update_risk
from monitor.risk.factors import corroboration, decay, horizon_days, relevance, weight_for
from monitor.risk.levels import level_for, raw_level
from monitor.risk.sparkline import sparkline
from storage.store import Store


def test_weights_follow_tag_and_direction_with_taxonomy_fallback() -> None:
    settings = risk_config().risk
    assert weight_for(settings, "api_pricing", "up") == 1.5
    assert weight_for(settings, "api_pricing", "down") == 0.0
    assert weight_for(settings, "api_pricing", None) == 0.5
    assert weight_for(settings, "funding_raise", "in") == -1.5  # no "funding_raise:in" key: the tag's weight
    assert weight_for(settings, "funding_raise", "out") == 2.0
    assert weight_for(settings, "not_a_tag", None) == 0.0
    without = risk_config().risk.__class__(weights={}, half_life_days={}, thresholds=dict(DEFAULT_THRESHOLDS))
    assert weight_for(without, "layoffs", None) == 1.0  # raises
    assert weight_for(without, "revenue_growth", None) == -1.0  # lowers
    assert weight_for(without, "compute_deal", None) == 0.0  # neutral


def test_configured_weights_half_lives_and_thresholds_are_used(store: Store) -> None:
    t = Timeline(store)
    t.article("Helix AI lost $1.4 billion", 0, tags={"losses_burn": 1.0})
    default = provider_risk_at(risk_config(), store, "helix", day(10))
    tuned = provider_risk_at(risk_config(
        "[risk.weights]\nlosses_burn = 5\n[risk.half_life_days]\nlosses_burn = 10\n"
        "[risk.thresholds]\nwatch = 1\nwarning = 2\ncritical = 3\n"), store, "helix", day(10))
    assert abs(default.score - 2.5 * 0.5 ** (10 / 30)) < 1e-9
    assert abs(tuned.score - 5 * 0.5) < 1e-9
    assert (default.level, tuned.level) == ("ok", "warning")


def test_decay_corroboration_and_relevance() -> None:
    settings = risk_config().risk
    assert decay(0, 30) == 1.0 and decay(-1, 30) == 1.0
    assert abs(decay(30, 30) - 0.5) < 1e-12 and abs(decay(60, 30) - 0.25) < 1e-12
    assert [corroboration(settings, n) for n in (0, 1, 2, 4)] == [1.0, 1.0, 1.25, 1.5]
    assert corroboration(settings, 10) < 2.0 and corroboration(settings, 1000) == 2.0
    assert relevance(settings, 1.0) == 1.0 and relevance(settings, 0.7) == 0.5
    assert horizon_days(settings) > 400  # the longest half-life (45 d) down to 0.1%


def test_levels_rise_on_thresholds_and_fall_only_past_the_hysteresis_band() -> None:
    thr = {"watch": 2.5, "warning": 5.0, "critical": 8.0}
    assert [raw_level(s, thr) for s in (0, 2.49, 2.5, 5, 7.99, 8)] == ["ok", "ok", "watch", "warning", "warning",
                                                                       "critical"]
    assert level_for(4.5, "warning", thr, 0.15) == "warning"  # above 5 x 0.85
    assert level_for(4.2, "warning", thr, 0.15) == "watch"
    assert level_for(1.0, "critical", thr, 0.15) == "ok"
    assert level_for(6.9, "critical", thr, 0.15) == "critical"
    assert level_for(6.7, "critical", thr, 0.15) == "warning"
    assert level_for(8.5, "watch", thr, 0.15) == "critical"
    assert level_for(4.5, None, thr, 0.15) == "watch"
    assert level_for(4.5, "ok", thr, 0.15) == "watch"


@given(
    noise=st.lists(st.floats(min_value=-0.95, max_value=0.95), min_size=2, max_size=120),
    level=st.sampled_from(["watch", "warning", "critical"]),
)
def test_noise_inside_the_hysteresis_band_never_flaps(noise: list[float], level: str) -> None:
    thresholds, hysteresis = dict(DEFAULT_THRESHOLDS), 0.15
    threshold = thresholds[level]
    scores = [threshold * (1 + n * hysteresis) for n in noise]
    levels: list[str] = []
    previous = None
    for s in scores:
        previous = level_for(s, previous, thresholds, hysteresis)
        levels.append(previous)
    changes = sum(1 for a, b in zip(levels, levels[1:], strict=False) if a != b)
    assert changes <= 1
    if level in levels:
        assert all(lvl == level for lvl in levels[levels.index(level):])


def _noisy_watch_timeline(store: Store) -> None:
    """A corroborated losses story slowly decaying through the watch threshold, with minor incidents every other
    day adding small bumps."""
    t = Timeline(store)
    for source in ("wire", "ledger", "techdaily"):
        t.article(f"Helix AI burned $2 billion last year ({source})", 0, tags={"losses_burn": 0.9}, source=source)
    for n in range(1, 20, 2):
        t.incident(f"Minor API latency {n}", n + 0.2, confidence=0.5)


def _daily_events(extra: str, store: Store) -> list[tuple[int, str]]:
    config = risk_config(extra)
    events = []
    for n in range(20):
        report = update_risk(config, store, now=day(n).replace(hour=12), embed=no_embedding)
        events += [(n, e.kind) for e in report.events]
    return events


def test_small_bumps_around_a_threshold_do_not_flap(store: Store, tmp_path: Path) -> None:
    _noisy_watch_timeline(store)
    assert _daily_events("", store) == [(0, "opened")]
    # the same evidence without hysteresis opens and resolves repeatedly: the band is what keeps it quiet
    other = Store(tmp_path / "no-hysteresis.db")
    _noisy_watch_timeline(other)
    flapping = _daily_events("[risk]\nhysteresis = 0.0\n", other)
    other.close()
    assert len(flapping) >= 3 and {k for _, k in flapping} == {"opened", "resolved"}


def test_a_price_list_snapshot_counts_once_and_cuts_are_neutral(store: Store) -> None:
    t = Timeline(store)
    t.price_changes(0, [("helix/a", 1.0, 2.0), ("helix/b", 1.0, 1.5), ("helix/c", 3.0, 4.0)])
    t.price_changes(0, [("helix/d", 2.0, 1.0)])
    risk = provider_risk_at(risk_config(), store, "helix", day(0.5))
    assert len(risk.contributions) == 1
    rise = risk.contributions[0]
    assert (rise.tag, rise.direction, len(rise.price_change_ids)) == ("api_pricing", "up", 3)
    assert abs(rise.contribution - 1.5 * rise.decay) < 1e-9
    assert rise.title.startswith("price list: helix/")


def test_news_about_a_price_rise_corroborates_the_price_list_instead_of_adding(store: Store) -> None:
    t = Timeline(store)
    t.price_changes(1, [("helix/a", 1.0, 2.0)])
    t.article("Helix AI doubles API prices", 1.2, tags={"api_pricing": 0.9}, direction="up", source="wire")
    t.article("Helix AI ends its free tier", 9, tags={"api_pricing": 0.9}, direction="up", source="wire")
    risk = provider_risk_at(risk_config(), store, "helix", day(9.1))
    keys = sorted(c.key.split(":")[0] for c in risk.contributions)
    assert keys == ["article", "prices"]  # the day-9 story is a different event (outside the story window)
    folded = next(c for c in risk.contributions if c.key.startswith("prices"))
    assert folded.sources == 2 and folded.article_ids and folded.price_change_ids


def test_a_provider_only_mentioned_in_the_body_weighs_less(store: Store) -> None:
    t = Timeline(store)
    t.article("Helix AI lost $1.4 billion", 0, tags={"losses_burn": 0.9}, provider="helix")
    t.article("AI startups burn cash; Northwind among them", 0, tags={"losses_burn": 0.9}, provider="northwind",
              provider_score=0.6)
    config = risk_config()
    subject = provider_risk_at(config, store, "helix", day(0))
    mentioned = provider_risk_at(config, store, "northwind", day(0))
    assert abs(mentioned.score - subject.score * config.risk.body_mention_factor) < 1e-9


def test_direction_is_the_majority_of_a_story(store: Store) -> None:
    t = Timeline(store)
    for n, (source, direction) in enumerate([("wire", "up"), ("ledger", "up"), ("techdaily", None), ("blog", "down")]):
        t.article(f"Helix AI changes API prices by 40% ({n})", 0, tags={"api_pricing": 0.8}, source=source,
                  direction=direction)
    store.db.execute("insert into stories (id, title, first_published, last_published) values (1, 't', ?, ?)",
                     [day(0).isoformat(), day(0).isoformat()])
    store.db.execute("update articles set story_id = 1")
    store.db.conn.commit()
    risk = provider_risk_at(risk_config(), store, "helix", day(0))
    assert len(risk.contributions) == 1
    c = risk.contributions[0]
    assert (c.direction, c.weight, c.sources, c.story_id) == ("up", 1.5, 4, 1)


def test_future_and_unattributed_signals_do_not_count(store: Store) -> None:
    t = Timeline(store)
    t.article("Helix AI lost $1.4 billion", 5, tags={"losses_burn": 0.9})
    t.article("Someone lost money", 0, tags={"losses_burn": 0.9}, provider=None)
    assert provider_risk_at(risk_config(), store, "helix", day(4)).score == 0.0
    assert provider_risk_at(risk_config(), store, "helix", day(5)).score > 0


def test_sparkline_scales_to_the_larger_of_series_and_floor() -> None:
    assert sparkline([]) == ""
    assert sparkline([0, 0, 0]) == "▁▁▁"
    assert sparkline([0, 4, 8]) == "▁▅█"
    assert sparkline([0.1, 0.15], top=2.5) == "▁▁"
    assert sparkline([-1, 2.5], top=2.5) == "▁█"
