"""Tests for hotspots.stats.uncertainty."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from hotspots.stats.indicators import ward_indicators
from hotspots.stats.ranking import PRESETS, rank_hotspots, rank_settings
from hotspots.stats.rates import empirical_bayes_rate
from hotspots.stats.uncertainty import (
    METHODS,
    UNCERTAINTY_COLUMNS,
    UncertaintySettings,
    central_interval,
    draw_gamma,
    eb_posterior_draws,
    harm_draws,
    rank_intervals,
    row_percentiles,
    score_rank_intervals,
)

FAST = {"draws": 400, "seed": 11}


def _wards(n: int = 30, count: int = 20, pop: float = 5000.0) -> tuple[pd.Series, pd.Series]:
    codes = [f"W{i:03d}" for i in range(n)]
    return (
        pd.Series(np.full(n, count), index=codes),
        pd.Series(np.full(n, pop), index=codes),
    )


def test_columns_and_registry():
    assert UNCERTAINTY_COLUMNS == ["ward_code", "rank_low", "rank_high", "p_top_n", "volatile"]
    assert sorted(METHODS) == ["gamma", "poisson"]


def test_settings_defaults_frozen_and_validation():
    s = UncertaintySettings()
    assert (s.draws, s.method, s.top_n, s.level, s.volatile_width) == (
        2000,
        "gamma",
        12,
        0.90,
        None,
    )
    assert s.width_threshold == 12
    assert UncertaintySettings(volatile_width=5).width_threshold == 5
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.draws = 5  # type: ignore[misc]
    with pytest.raises(ValueError, match=r"\['gamma', 'poisson'\]"):
        UncertaintySettings(method="bootstrap")
    with pytest.raises(ValueError, match="level"):
        UncertaintySettings(level=1.5)
    with pytest.raises(ValueError, match="draws"):
        UncertaintySettings(draws=0)
    with pytest.raises(TypeError, match="top_n"):
        UncertaintySettings(top_n=2.5)
    with pytest.raises(ValueError, match="volatile_width"):
        UncertaintySettings(volatile_width=-1)


@pytest.mark.parametrize("method", sorted(METHODS))
def test_far_above_ward_is_certain_and_narrow(method):
    counts, population = _wards()
    counts = counts.copy()
    counts.iloc[4] = 400  # 80 per 1,000 against 4 per 1,000
    before = counts.copy()
    out = rank_intervals(counts, population, UncertaintySettings(method=method, **FAST))
    assert list(out.columns) == UNCERTAINTY_COLUMNS
    pd.testing.assert_series_equal(counts, before)
    top = out.set_index("ward_code").loc["W004"]
    assert top["p_top_n"] == pytest.approx(1.0)
    assert top["rank_low"] == 1 and top["rank_high"] == 1
    assert not top["volatile"]


@pytest.mark.parametrize("method", sorted(METHODS))
def test_identical_wards_are_volatile(method):
    counts, population = _wards()
    out = rank_intervals(counts, population, UncertaintySettings(method=method, **FAST))
    assert out["volatile"].all()
    assert (out["rank_high"] - out["rank_low"] > 12).all()
    # Exchangeable wards: each is in the top 12 of 30 about 40 % of the time.
    assert out["p_top_n"].mean() == pytest.approx(12 / 30)
    assert out["p_top_n"].between(0.25, 0.55).all()


def test_expected_top_n_membership_is_exact_with_ties():
    # Poisson draws of zero counts tie; random tie-breaking keeps sum(p_top_n) == top_n.
    counts = pd.Series([0, 0, 0, 0, 5, 6], index=list("abcdef"))
    population = pd.Series([100.0] * 6, index=list("abcdef"))
    settings = UncertaintySettings(method="poisson", top_n=3, **FAST)
    out = rank_intervals(counts, population, settings)
    assert out["p_top_n"].sum() == pytest.approx(3.0)


def test_seed_reproduces_and_differs():
    rng = np.random.default_rng(3)
    codes = [f"W{i:03d}" for i in range(40)]
    counts = pd.Series(rng.poisson(30, 40), index=codes)
    population = pd.Series(rng.integers(3000, 9000, 40).astype(float), index=codes)
    a = rank_intervals(counts, population, UncertaintySettings(draws=300, seed=5))
    b = rank_intervals(counts, population, UncertaintySettings(draws=300, seed=5))
    c = rank_intervals(counts, population, UncertaintySettings(draws=300, seed=6))
    pd.testing.assert_frame_equal(a, b)
    assert not a["p_top_n"].equals(c["p_top_n"])
    assert (a["rank_low"] <= a["rank_high"]).all()


def test_zero_population_ward_is_excluded_and_order_kept():
    counts, population = _wards(n=5)
    population = population.copy()
    population.iloc[2] = 0.0
    population = population.iloc[::-1]  # alignment is by index
    out = rank_intervals(counts, population, UncertaintySettings(**FAST))
    assert out["ward_code"].tolist() == counts.index.tolist()
    row = out.iloc[2]
    assert pd.isna(row["rank_low"]) and pd.isna(row["volatile"]) and np.isnan(row["p_top_n"])
    assert out.drop(index=2)["rank_high"].max() <= 4
    assert str(out["rank_low"].dtype) == "Int64"
    assert str(out["volatile"].dtype) == "boolean"


def test_input_validation():
    counts, population = _wards(n=3)
    with pytest.raises(TypeError, match="Series"):
        rank_intervals(counts.to_numpy(), population)
    with pytest.raises(ValueError, match="exactly the wards"):
        rank_intervals(counts, population.iloc[:2])
    with pytest.raises(ValueError, match="whole numbers"):
        rank_intervals(counts + 0.5, population)
    with pytest.raises(TypeError, match="UncertaintySettings"):
        rank_intervals(counts, population, {"draws": 10})


# --------------------------------------------------------------------------------------
# Boundaries, defaults and known answers of rank_intervals
# --------------------------------------------------------------------------------------


def test_documented_defaults_pinned():
    s = UncertaintySettings()
    assert (s.seed, s.prior_events) == (20190101, 0.5)
    assert UncertaintySettings(volatile_width=0).width_threshold == 0


@pytest.mark.parametrize("level", [0.0, -0.1, 1.0, 1.5])
def test_level_outside_zero_one_rejected(level):
    with pytest.raises(ValueError, match=r"level must be between 0 and 1"):
        UncertaintySettings(level=level)


def test_setting_types_rejected():
    for bad in (
        {"level": True},
        {"level": "0.9"},
        {"draws": True},
        {"seed": 1.5},
        {"seed": True},
        {"volatile_width": 2.0},
        {"volatile_width": True},
    ):
        with pytest.raises(TypeError):
            UncertaintySettings(**bad)
    for bad in (
        {"prior_events": 0.0},
        {"prior_events": -1.0},
        {"prior_events": np.inf},
        {"top_n": 0},
        {"draws": -5},
    ):
        with pytest.raises(ValueError):
            UncertaintySettings(**bad)
    # the smallest accepted values
    UncertaintySettings(draws=1, top_n=1, level=0.01, volatile_width=0, prior_events=1e-9, seed=0)


def test_gamma_prior_is_centred_on_the_overall_rate():
    # 0 events and 10 residents, overall 10 per 1,000: shape 0.5, rate 10 + 0.5 / 0.01 = 60
    counts = np.array([0.0, 100.0])
    population = np.array([10.0, 9990.0])
    rng = np.random.default_rng(1)
    draws = draw_gamma(rng, counts, population, 200_000, 0.5)
    assert draws[:, 0].mean() * 1000 == pytest.approx(1000 * 0.5 / 60, rel=0.02)  # 8.33
    assert draws[:, 1].mean() == pytest.approx(100.5 / (9990 + 50), rel=0.01)
    # no event anywhere: the Jeffreys prior, shape 0.5 and rate = population
    none = draw_gamma(rng, np.zeros(2), np.array([10.0, 100.0]), 200_000, 0.5)
    np.testing.assert_allclose(none.mean(axis=0), [0.05, 0.005], rtol=0.02)


def test_all_zero_counts_share_the_top_evenly():
    counts = pd.Series([0] * 6, index=list("abcdef"))
    population = pd.Series([100.0] * 6, index=list("abcdef"))
    out = rank_intervals(
        counts, population, UncertaintySettings(method="poisson", top_n=3, draws=4000, seed=2)
    )
    np.testing.assert_allclose(out["p_top_n"], 0.5, atol=0.04)


@pytest.mark.parametrize("method", sorted(METHODS))
def test_a_fifty_percent_interval_is_never_wider_than_a_ninety(method):
    rng = np.random.default_rng(8)
    codes = [f"W{i:03d}" for i in range(40)]
    counts = pd.Series(rng.poisson(15, 40), index=codes)
    population = pd.Series(rng.integers(2000, 6000, 40).astype(float), index=codes)
    wide = rank_intervals(counts, population, UncertaintySettings(method=method, seed=4))
    narrow = rank_intervals(
        counts, population, UncertaintySettings(method=method, seed=4, level=0.5)
    )
    assert (narrow["rank_low"] >= wide["rank_low"]).all()
    assert (narrow["rank_high"] <= wide["rank_high"]).all()
    assert (
        (narrow["rank_high"] - narrow["rank_low"]) < (wide["rank_high"] - wide["rank_low"])
    ).sum() >= 30


def test_interval_is_the_five_to_ninety_five_percentile():
    # two wards: B is ahead in a known share of draws; its rank-2 share sets the bounds
    counts = pd.Series([20, 20], index=["A", "B"])
    population = pd.Series([1000.0, 1000.0], index=["A", "B"])
    out = rank_intervals(counts, population, UncertaintySettings(draws=4000, seed=3))
    assert out["rank_low"].tolist() == [1, 1] and out["rank_high"].tolist() == [2, 2]
    counts = pd.Series([60, 20], index=["A", "B"])  # A first in ~100 % of draws
    out = rank_intervals(counts, population, UncertaintySettings(draws=4000, seed=3))
    assert out["rank_low"].tolist() == [1, 2] and out["rank_high"].tolist() == [1, 2]
    # B ahead in about 8 % of draws: inside the 90 % range (5 %) but not the 80 % (10 %)
    counts = pd.Series([36, 24], index=["A", "B"])
    rates = draw_gamma(
        np.random.default_rng(0), np.array([36.0, 24.0]), np.array([1000.0, 1000.0]), 100_000, 0.5
    )
    share = (rates[:, 1] > rates[:, 0]).mean()
    assert 0.05 < share < 0.10
    at90 = rank_intervals(counts, population, UncertaintySettings(draws=8000, seed=1))
    at80 = rank_intervals(counts, population, UncertaintySettings(draws=8000, seed=1, level=0.8))
    assert at90["rank_high"].tolist() == [2, 2] and at90["rank_low"].tolist() == [1, 1]
    assert at80["rank_high"].tolist() == [1, 2] and at80["rank_low"].tolist() == [1, 2]


def test_volatile_threshold_is_strict_and_one_resident_is_a_ward():
    counts, population = _wards(n=3)
    out = rank_intervals(counts, population, UncertaintySettings(volatile_width=0, **FAST))
    width = out["rank_high"] - out["rank_low"]
    assert (out["volatile"] == (width > 0)).all() and out["volatile"].any()
    exact = int(width.max())
    at = rank_intervals(counts, population, UncertaintySettings(volatile_width=exact, **FAST))
    assert not at["volatile"].any()  # a width equal to the threshold is not volatile
    below = rank_intervals(
        counts, population, UncertaintySettings(volatile_width=exact - 1, **FAST)
    )
    assert below["volatile"].any()
    one = population.copy()
    one.iloc[0] = 1.0  # one resident is a population: ranked
    out = rank_intervals(counts, one, UncertaintySettings(**FAST))
    assert out["rank_low"].notna().all() and out["p_top_n"].notna().all()


# --------------------------------------------------------------------------------------
# score_rank_intervals: the range of the rank the list shows
# --------------------------------------------------------------------------------------


def _counts(seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    pop = rng.integers(50, 9000, n).astype("int64")
    pop[rng.random(n) < 0.05] = 0
    risk = rng.gamma(1.5, 1 / 1.5, n)
    sv = rng.poisson(pop * risk * 0.01)
    return pd.DataFrame(
        {
            "ward_code": [f"W{seed:02d}{i:03d}" for i in range(n)],
            "ward_name": "w",
            "local_authority_code": "L",
            "local_authority_name": "L",
            "police_force": "F",
            "population": pop,
            "sv_count": sv,
            "drugs_count": rng.poisson(pop * risk * 0.002 * rng.gamma(2, 0.5, n)),
        }
    )


def _indicators(seed: int, n: int) -> pd.DataFrame:
    counts = _counts(seed, n)
    rng = np.random.default_rng(seed + 100)
    harm = pd.Series(
        counts["sv_count"].to_numpy() * rng.uniform(5, 50, n), index=counts["ward_code"]
    )
    dep = pd.DataFrame(
        {
            "ward_code": counts["ward_code"],
            "dep_share_10": 0.0,
            "dep_share_20": np.round(rng.random(n), 1),
            "dep_mean_score": 0.0,
            "dep_most_deprived_rank": 1,
        }
    )
    return ward_indicators(counts, dep, harm)


WEIGHTS = [rank_settings(p) for p in PRESETS] + [
    rank_settings(weights={"deprivation": 1.0}),
    rank_settings(weights={"drugs": 1.0}),
    rank_settings(weights={"harm": 0.5, "deprivation": 0.5}),
]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("ranking", WEIGHTS, ids=lambda r: r.describe())
@pytest.mark.slow
def test_every_rank_shown_lies_in_its_range(seed, ranking):
    ind = _indicators(seed, [5, 23, 60, 120, 12, 40][seed])
    ranked = rank_hotspots(ind, ranking)
    out = score_rank_intervals(ranked, ranking, UncertaintySettings(draws=300))
    assert list(out.columns) == UNCERTAINTY_COLUMNS
    assert out["ward_code"].tolist() == ranked["ward_code"].tolist()
    scored = ranked["rank"].notna().to_numpy()
    rank = ranked["rank"].to_numpy(dtype=float, na_value=np.nan)[scored]
    low = out["rank_low"].to_numpy(dtype=float, na_value=np.nan)[scored]
    high = out["rank_high"].to_numpy(dtype=float, na_value=np.nan)[scored]
    assert ((low <= rank) & (rank <= high)).all()
    assert out.loc[~scored, ["rank_low", "rank_high", "volatile"]].isna().all().all()
    assert out.loc[~scored, "p_top_n"].isna().all()
    assert out.loc[scored, "p_top_n"].sum() == pytest.approx(min(12, int(scored.sum())))


def test_deprivation_only_has_no_uncertainty():
    ranking = rank_settings(weights={"deprivation": 1.0})
    ranked = rank_hotspots(_indicators(1, 23), ranking)
    out = score_rank_intervals(ranked, ranking, UncertaintySettings(draws=50))
    scored = ranked["rank"].notna()
    assert (out.loc[scored, "rank_low"] == ranked.loc[scored, "rank"]).all()
    assert (out.loc[scored, "rank_high"] == ranked.loc[scored, "rank"]).all()
    assert out.attrs["widened"] == 0
    assert (out.loc[scored, "p_top_n"] == (ranked.loc[scored, "rank"] <= 12)).all()


def test_posterior_mean_is_the_smoothed_rate():
    ind = _indicators(3, 120)
    ok = ind["population"] > 0
    sv = ind.loc[ok, "sv_count"].to_numpy(float)
    pop = ind.loc[ok, "population"].to_numpy(float)
    draws = eb_posterior_draws(np.random.default_rng(0), sv, pop, 40_000)
    np.testing.assert_allclose(draws.mean(axis=0) * 1000, empirical_bayes_rate(sv, pop), rtol=0.03)
    # no between-ward variance (equal rates) or no events: nothing to draw
    assert eb_posterior_draws(np.random.default_rng(0), pop * 0.01, pop, 5) is None
    assert eb_posterior_draws(np.random.default_rng(0), pop * 0, pop, 5) is None


def test_same_data_same_ranges_and_the_seed_is_a_salt():
    ranking = rank_settings()
    ranked = rank_hotspots(_indicators(4, 60), ranking)
    a = score_rank_intervals(ranked, ranking, UncertaintySettings(draws=300))
    b = score_rank_intervals(ranked.copy(), ranking, UncertaintySettings(draws=300))
    c = score_rank_intervals(ranked, ranking, UncertaintySettings(draws=300, seed=7))
    pd.testing.assert_frame_equal(a, b)
    assert a.attrs["seed"] == b.attrs["seed"] != c.attrs["seed"]
    assert not a["p_top_n"].equals(c["p_top_n"])
    other = ranked.copy()
    other.loc[other.index[0], "sv_count"] += 1
    assert (
        score_rank_intervals(other, ranking, UncertaintySettings(draws=300)).attrs["seed"]
        != a.attrs["seed"]
    )
    fresh = score_rank_intervals(ranked, ranking, UncertaintySettings(draws=300, seed=None))
    assert fresh.attrs["seed"] is None and fresh["p_top_n"].notna().sum() > 0


def test_a_clear_leader_is_certain_and_levels_nest():
    ranking = rank_settings(weights={"violence": 1.0})
    counts = _counts(5, 40)
    counts.loc[3, ["population", "sv_count"]] = [5000, 900]
    ranked = rank_hotspots(ward_indicators(counts), ranking)
    out = score_rank_intervals(ranked, ranking, UncertaintySettings(draws=500))
    top = out.set_index("ward_code").loc[counts.loc[3, "ward_code"]]
    assert (top["rank_low"], top["rank_high"], top["p_top_n"]) == (1, 1, 1.0)
    narrow = score_rank_intervals(ranked, ranking, UncertaintySettings(draws=500, level=0.5))
    assert (narrow["rank_low"] >= out["rank_low"]).all()
    assert (narrow["rank_high"] <= out["rank_high"]).all()
    assert ((narrow["rank_high"] - narrow["rank_low"]) < (out["rank_high"] - out["rank_low"])).any()
    vol = score_rank_intervals(ranked, ranking, UncertaintySettings(draws=500, volatile_width=0))
    width = vol["rank_high"] - vol["rank_low"]
    assert (vol["volatile"] == (width > 0)).all()


def test_score_rank_intervals_validation():
    ranking = rank_settings()
    ranked = rank_hotspots(_indicators(0, 5), ranking)
    with pytest.raises(TypeError, match="UncertaintySettings"):
        score_rank_intervals(ranked, ranking, {"draws": 5})
    with pytest.raises(TypeError, match="RankSettings"):
        score_rank_intervals(ranked, {"violence": 1.0})
    with pytest.raises(TypeError, match="DataFrame"):
        score_rank_intervals(ranked.to_dict(), ranking)
    with pytest.raises(ValueError, match=r"lacks column\(s\) \['comp_harm'\]"):
        score_rank_intervals(ranked.drop(columns="comp_harm"), ranking)


@pytest.mark.shared
@pytest.mark.slow
def test_real_data_every_rank_inside_its_range(real_store):
    from hotspots.stats.analysis import analyse, hotspot_list
    from hotspots.store.ward_data import Selection, load_ward_data

    data = load_ward_data(real_store, Selection("2018-10", "2019-02", area="dyfed-powys"))
    result = analyse(
        data.counts,
        data.monthly,
        data.wards,
        lsoa_deprivation=data.lsoa_deprivation,
        lsoa_weights=data.lsoa_weights,
        harm=data.harm,
    )
    table = hotspot_list(result, "proxy")
    ranked = table[table["rank"].notna()]
    assert len(ranked) == 201
    assert ((ranked["rank_low"] <= ranked["rank"]) & (ranked["rank"] <= ranked["rank_high"])).all()
    # one range (of a ward with few events, skewed draws) is widened to its rank shown
    assert result.intervals.attrs["widened"] == 1
    tyisha = ranked.set_index("ward_name").loc["Tyisha"]
    assert tyisha["rank"] == 1 and tyisha["rank_low"] == 1
    # the crude-rate ranges this replaces missed 25 of the 201 ranks
    s = result.indicators.set_index("ward_code").dropna(subset=["sv_count"])  # ranked wards
    crude = (
        table[["ward_code", "rank"]]
        .merge(rank_intervals(s["sv_count"], s["population"]), on="ward_code")
        .dropna()
    )
    assert (
        int(((crude["rank"] < crude["rank_low"]) | (crude["rank"] > crude["rank_high"])).sum())
        == 25
    )
    # another weighting: ranges follow the ranks shown
    other = rank_settings("violence-deprivation")
    from hotspots.stats.analysis import rerank

    table = hotspot_list(result, "proxy", rerank(result, other), other)
    ranked = table[table["rank"].notna()]
    assert ((ranked["rank_low"] <= ranked["rank"]) & (ranked["rank"] <= ranked["rank_high"])).all()


def test_row_percentiles_equal_the_ranking_rule():
    from hotspots.stats.ranking import percentile_ranks

    rng = np.random.default_rng(2)
    untied = rng.random((5, 9))
    tied = rng.integers(0, 3, (5, 9)).astype(float)
    for values in (untied, tied, np.array([[3.0, 1.0, 2.0]])):
        got = row_percentiles(values)
        want = np.vstack([percentile_ranks(row) for row in values])
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(row_percentiles(np.array([[3.0, 1.0, 2.0]])), [[1.0, 0.0, 0.5]])
    np.testing.assert_array_equal(row_percentiles(np.array([[2.0, 2.0, 5.0]])), [[0.25, 0.25, 1.0]])
    np.testing.assert_array_equal(row_percentiles(np.array([[7.0], [0.0]])), [[1.0], [1.0]])
    # every value tied in every draw (e.g. no harm anywhere): each shares the average
    np.testing.assert_array_equal(row_percentiles(np.zeros((2, 4))), np.full((2, 4), 0.5))


def test_a_single_ranked_ward_is_first_in_every_draw():
    ranking = rank_settings()
    counts = _counts(0, 3)
    counts["population"] = [5000, 0, 0]
    ranked = rank_hotspots(ward_indicators(counts), ranking)
    out = score_rank_intervals(ranked, ranking, UncertaintySettings(draws=20))
    row = out.set_index("ward_code").loc[counts.loc[0, "ward_code"]]
    assert (row["rank_low"], row["rank_high"], row["p_top_n"], row["volatile"]) == (
        1,
        1,
        1.0,
        False,
    )
    assert out["rank_low"].notna().sum() == 1


def test_harm_draws_are_centred_on_the_harm_rate():
    rate = np.array([10.0, 40.0, 0.0])
    n = np.array([0.0, 3.0, 0.0])
    draws = harm_draws(np.random.default_rng(3), rate, n, 200_000)
    np.testing.assert_allclose(draws.mean(axis=0), rate, rtol=0.01)
    # relative variance 1 / (n + 0.5): 2 for no violence, 1/3.5 for three crimes
    np.testing.assert_allclose(draws.var(axis=0)[:2] / rate[:2] ** 2, [2.0, 1 / 3.5], rtol=0.05)
    assert (draws[:, 2] == 0).all() and (draws >= 0).all()


def test_central_interval_known_answer():
    ranks = np.arange(1, 101)[:, None]  # one ward, ranks 1..100 once each
    assert [int(v[0]) for v in central_interval(ranks, 0.90)] == [5, 95]
    assert [int(v[0]) for v in central_interval(ranks, 0.50)] == [25, 75]


def test_poisson_draws_are_rates_not_counts():
    counts = pd.Series([20, 20, 20], index=["A", "B", "C"])
    population = pd.Series([1000.0, 4000.0, 16000.0], index=["A", "B", "C"])
    out = rank_intervals(
        counts, population, UncertaintySettings(method="poisson", top_n=1, draws=500, seed=1)
    )
    assert out["rank_low"].tolist() == [1, 2, 3] and out["rank_high"].tolist() == [1, 2, 3]
    assert out["p_top_n"].tolist() == [1.0, 0.0, 0.0]


def test_a_missing_fixed_component_counts_as_zero():
    ranking = rank_settings(weights={"deprivation": 1.0})
    ind = _indicators(2, 30)
    ok = ind.index[ind["population"] > 0]
    ind["dep_share_20"] = ind["dep_share_20"].clip(lower=0.1)
    ind.loc[ok[0], ["dep_share_20", "sv_count"]] = [0.0, 5]  # percentile 0: score 0
    ind.loc[ok[1], ["dep_share_20", "sv_count"]] = [np.nan, 100]  # counts as 0: ties it,
    # and comes first by violence: the last but one
    ranked = rank_hotspots(ind, ranking)
    out = score_rank_intervals(ranked, ranking, UncertaintySettings(draws=50))
    scored = ranked["rank"].notna()
    assert (out.loc[scored, "rank_low"] == ranked.loc[scored, "rank"]).all()
    assert (out.loc[scored, "rank_high"] == ranked.loc[scored, "rank"]).all()
    assert out.attrs["widened"] == 0


def test_ties_are_broken_at_random_in_every_tied_row():
    from hotspots.stats.uncertainty import rank_rows

    # rows alternate untied [3, 2, 1] and tied [1, 1, 0]: in the tied rows the first two
    # wards share first place at random
    rates = np.tile(np.array([[3.0, 2.0, 1.0], [1.0, 1.0, 0.0]]), (1000, 1))
    ranks = rank_rows(rates, np.random.default_rng(4))
    assert (ranks[0::2] == [1, 2, 3]).all()
    tied = ranks[1::2]
    assert (tied[:, 2] == 3).all()
    assert 0.44 < (tied[:, 0] == 1).mean() < 0.56


def test_negative_counts_and_populations_rejected_and_nothing_ranked():
    counts, population = _wards(n=3)
    with pytest.raises(ValueError, match="counts must be non-negative whole numbers"):
        rank_intervals(counts.where(counts.index != "W001", -1), population)
    with pytest.raises(ValueError, match="population must be non-negative"):
        rank_intervals(counts, population.where(population.index != "W001", -1.0))
    ranking = rank_settings()
    ind = _indicators(1, 5)
    ind["population"] = 0
    ranked = rank_hotspots(ind, ranking)
    out = score_rank_intervals(ranked, ranking, UncertaintySettings(draws=10))
    assert out[["rank_low", "rank_high", "volatile"]].isna().all().all()
    assert (out.attrs["widened"], out.attrs["seed"]) == (0, None)
