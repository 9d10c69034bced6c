"""Tests for hotspots.expected."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from hotspots.expected import (
    EXPECTED_COLUMNS,
    fit_expected_model,
    observed_expected,
    poisson_limits,
)

BETA0 = np.log(0.01)  # 10 per 1,000 at zero deprivation
BETA1 = 1.5  # log rate ratio per unit share in the most deprived 10 %


def _synthetic(seed: int = 42, n: int = 400, excess_ward: str | None = "W0000"):
    rng = np.random.default_rng(seed)
    codes = [f"W{i:04d}" for i in range(n)]
    share = rng.uniform(0, 1, n)
    population = rng.integers(2000, 10000, n).astype(float)
    mu = population * np.exp(BETA0 + BETA1 * share)
    counts = rng.poisson(mu)
    if excess_ward is not None:
        i = codes.index(excess_ward)
        counts[i] = rng.poisson(3 * mu[i])  # three times what deprivation predicts
    return (
        pd.Series(counts, index=codes),
        pd.Series(population, index=codes),
        pd.DataFrame({"pop_share_most_deprived_10": share}, index=codes),
    )


def test_columns_constant():
    assert EXPECTED_COLUMNS == [
        "ward_code",
        "expected",
        "obs_exp_ratio",
        "obs_exp_low",
        "obs_exp_high",
        "higher_than_deprivation_predicts",
    ]


def test_poisson_limits_match_textbook_values():
    lower, upper = poisson_limits([0, 1, 10])
    np.testing.assert_allclose(lower, [0.0, 0.0253, 4.7954], atol=1e-4)
    np.testing.assert_allclose(upper, [3.6889, 5.5716, 18.3904], atol=1e-4)
    # Coverage of the exact interval is at least the nominal level.
    mu = 7.3
    ys = np.arange(0, 60)
    lo, hi = poisson_limits(ys)
    assert stats.poisson.pmf(ys, mu)[(lo <= mu) & (mu <= hi)].sum() >= 0.95
    with pytest.raises(ValueError, match="whole"):
        poisson_limits([1.5])


def test_recovers_coefficient_from_known_model():
    counts, population, deprivation = _synthetic(excess_ward=None)
    result = fit_expected_model(counts, population, deprivation)
    assert result.params["const"] == pytest.approx(BETA0, abs=0.05)
    assert result.params["pop_share_most_deprived_10"] == pytest.approx(BETA1, abs=0.05)


def test_planted_excess_ward_is_flagged_and_others_mostly_not():
    counts, population, deprivation = _synthetic()
    before = (counts.copy(), population.copy(), deprivation.copy())
    out = observed_expected(counts, population, deprivation)
    assert list(out.columns) == EXPECTED_COLUMNS
    pd.testing.assert_series_equal(counts, before[0])
    pd.testing.assert_frame_equal(deprivation, before[2])
    assert out["ward_code"].tolist() == counts.index.tolist()
    flag = out.set_index("ward_code")["higher_than_deprivation_predicts"]
    assert flag["W0000"]
    assert out.loc[0, "obs_exp_ratio"] == pytest.approx(3.0, rel=0.25)
    # With a correct Poisson model about 2.5 % of wards exceed by chance.
    assert flag.drop("W0000").mean() < 0.06
    assert (out["obs_exp_low"] <= out["obs_exp_ratio"]).all()
    assert (out["obs_exp_ratio"] <= out["obs_exp_high"]).all()
    # Expected counts sum to observed counts (Poisson GLM with intercept), bar rounding.
    assert out["expected"].sum() == pytest.approx(counts.sum(), rel=1e-6)


def test_zero_population_ward_excluded():
    counts, population, deprivation = _synthetic(n=120)
    population = population.copy()
    population["W0005"] = 0.0
    counts = counts.copy()
    counts["W0005"] = 3
    out = observed_expected(counts, population, deprivation).set_index("ward_code")
    assert np.isnan(out.loc["W0005", "expected"])
    assert np.isnan(out.loc["W0005", "obs_exp_ratio"])
    assert pd.isna(out.loc["W0005", "higher_than_deprivation_predicts"])
    assert str(out["higher_than_deprivation_predicts"].dtype) == "boolean"
    assert out.drop("W0005")["expected"].notna().all()


def test_validation_messages():
    counts, population, deprivation = _synthetic(n=50)
    with pytest.raises(ValueError, match="deprivation lacks 1 ward"):
        observed_expected(counts, population, deprivation.iloc[1:])
    with pytest.raises(ValueError, match="whole numbers"):
        observed_expected(counts + 0.5, population, deprivation)
    with pytest.raises(TypeError, match="numeric"):
        observed_expected(counts, population, deprivation.assign(name="x"))
    with pytest.raises(TypeError, match="DataFrame"):
        observed_expected(counts, population, deprivation.iloc[:, 0])
    with pytest.raises(ValueError, match="level"):
        observed_expected(counts, population, deprivation, level=95)
