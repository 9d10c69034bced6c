"""Tests for hotspots.uncertainty."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from hotspots.uncertainty import (
    METHODS,
    UNCERTAINTY_COLUMNS,
    UncertaintySettings,
    rank_intervals,
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
