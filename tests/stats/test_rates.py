"""Tests for hotspots.stats.rates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from esda.smoothing import Empirical_Bayes

from hotspots.stats.rates import PER, empirical_bayes_rate, rate_per_1000


def _wards(seed: int = 7, n: int = 80) -> tuple[pd.Series, pd.Series]:
    """Over-dispersed synthetic ward counts (so the between-ward variance is positive)."""
    rng = np.random.default_rng(seed)
    codes = [f"W05{i:06d}" for i in range(n)]
    population = rng.integers(1500, 12000, size=n).astype(float)
    true_rate = rng.gamma(shape=4.0, scale=0.01 / 4.0, size=n)  # mean 10 per 1,000
    counts = rng.poisson(true_rate * population).astype(float)
    return pd.Series(counts, index=codes), pd.Series(population, index=codes)


def test_per_constant():
    assert PER == 1000


def test_rate_per_1000_values_and_nan_for_zero_or_missing_population():
    counts = pd.Series([5, 3, 2, 0], index=["a", "b", "c", "d"])
    population = pd.Series([1000, 0, np.nan, 400], index=["a", "b", "c", "d"])
    before = (counts.copy(), population.copy())
    out = rate_per_1000(counts, population)
    assert isinstance(out, pd.Series)
    assert out.name == "rate_per_1000"
    assert out["a"] == pytest.approx(5.0)
    assert np.isnan(out["b"]) and np.isnan(out["c"])
    assert out["d"] == 0.0
    pd.testing.assert_series_equal(counts, before[0])
    pd.testing.assert_series_equal(population, before[1])


def test_rate_per_1000_aligns_series_and_accepts_arrays():
    counts = pd.Series([1, 2], index=["a", "b"])
    population = pd.Series([2000, 1000], index=["b", "a"])
    out = rate_per_1000(counts, population)
    assert out.tolist() == [1.0, 1.0]
    np.testing.assert_allclose(rate_per_1000([1, 2], [500, 1000]), [2.0, 2.0])


def test_rate_per_1000_validation():
    with pytest.raises(ValueError, match="same index"):
        rate_per_1000(pd.Series([1], index=["a"]), pd.Series([1], index=["b"]))
    with pytest.raises(ValueError, match="same length"):
        rate_per_1000([1, 2], [1])
    with pytest.raises(ValueError, match="non-negative"):
        rate_per_1000([-1], [10])
    with pytest.raises(TypeError, match="one-dimensional"):
        rate_per_1000("12", [1, 2])


def test_empirical_bayes_matches_esda():
    counts, population = _wards()
    ours = empirical_bayes_rate(counts, population)
    theirs = Empirical_Bayes(counts.to_numpy(), population.to_numpy()).r.ravel() * 1000
    np.testing.assert_allclose(ours.to_numpy(), theirs, rtol=0, atol=1e-9)
    assert ours.name == "eb_rate_per_1000"
    assert list(ours.index) == list(counts.index)


def test_tiny_ward_tops_raw_list_but_not_smoothed_list():
    counts, population = _wards()
    counts = pd.concat([counts, pd.Series([2.0], index=["TINY"])])
    population = pd.concat([population, pd.Series([40.0], index=["TINY"])])
    raw = rate_per_1000(counts, population)
    smoothed = empirical_bayes_rate(counts, population)
    assert raw.idxmax() == "TINY"  # 50 per 1,000
    assert smoothed.idxmax() != "TINY"
    assert smoothed.rank(ascending=False)["TINY"] > 10
    # Shrunk most of the way (here about 93 %) to the overall rate.
    overall = 1000 * counts.sum() / population.sum()
    assert abs(smoothed["TINY"] - overall) < 0.1 * abs(raw["TINY"] - overall)
    esda_r = Empirical_Bayes(counts.to_numpy(), population.to_numpy()).r.ravel() * 1000
    np.testing.assert_allclose(smoothed.to_numpy(), esda_r, rtol=0, atol=1e-9)


def test_empirical_bayes_excludes_zero_population_and_handles_edge_cases():
    counts, population = _wards()
    with_empty = pd.concat([counts, pd.Series([0.0], index=["EMPTY"])])
    pop_empty = pd.concat([population, pd.Series([0.0], index=["EMPTY"])])
    out = empirical_bayes_rate(with_empty, pop_empty)
    assert np.isnan(out["EMPTY"])
    pd.testing.assert_series_equal(out.drop("EMPTY"), empirical_bayes_rate(counts, population))
    # All zero counts: every smoothed rate is 0.
    assert (empirical_bayes_rate([0, 0], [10, 20]) == 0).all()
    # Under-dispersed counts (between-ward variance < 0): truncated to the overall rate.
    out = empirical_bayes_rate([10, 10, 10], [1000, 1000, 1000.5])
    np.testing.assert_allclose(out, 1000 * 30 / 3000.5)


def test_negative_infinite_and_missing_values():
    with pytest.raises(
        ValueError,
        match=r"population must be non-negative \(0 or missing "
        r"gives NaN\)",
    ):
        rate_per_1000([1, 2], [10, -1])
    with pytest.raises(ValueError, match="population must be non-negative"):
        empirical_bayes_rate(pd.Series([1.0, 2.0]), pd.Series([10.0, -0.5]))
    with pytest.raises(ValueError, match="counts must be non-negative"):
        empirical_bayes_rate([-1, 2], [10, 10])
    with pytest.raises(ValueError, match="population must be non-negative"):
        rate_per_1000([1], [-np.inf])
    with pytest.raises(ValueError, match="counts and population must be finite"):
        rate_per_1000([np.inf, 1], [10, 10])
    with pytest.raises(ValueError, match="counts and population must be finite"):
        rate_per_1000([1, 1], [10, np.inf])
    # Missing is not negative: accepted, and gives NaN; zero is accepted too.
    out = rate_per_1000([np.nan, 1, 0, 3], [10, np.nan, 0, 0])
    assert np.isnan(out).all()  # no rate without residents, never inf or 0


def test_rate_with_a_fractional_population():
    # A split LSOA gives wards fractional residents: 1 crime among 0.5 is 2,000 per 1,000.
    np.testing.assert_allclose(rate_per_1000([1, 3], [0.5, 1.0]), [2000.0, 3000.0])


def test_mixed_series_and_array_inputs_keep_the_series_index():
    counts = pd.Series([1.0, 2.0], index=["a", "b"])
    out = rate_per_1000(counts, np.array([500.0, 1000.0]))
    assert isinstance(out, pd.Series) and out.name == "rate_per_1000"
    assert out.index.tolist() == ["a", "b"] and out.tolist() == [2.0, 2.0]
    out = rate_per_1000([1.0, 2.0], pd.Series([500.0, 1000.0], index=["x", "y"]))
    assert isinstance(out, pd.Series) and out.index.tolist() == ["x", "y"]
    assert out.tolist() == [2.0, 2.0]
    eb = empirical_bayes_rate(np.array([0.0, 0.0]), pd.Series([10.0, 20.0], index=["p", "q"]))
    assert isinstance(eb, pd.Series) and eb.name == "eb_rate_per_1000"
    assert eb.index.tolist() == ["p", "q"] and eb.tolist() == [0.0, 0.0]
    # Arrays or lists in: an array out.
    assert type(rate_per_1000([1.0], [10.0])) is np.ndarray
    assert type(empirical_bayes_rate((1.0, 2.0), (10.0, 20.0))) is np.ndarray


def test_two_dimensional_and_non_numeric_inputs_rejected():
    with pytest.raises(TypeError, match="counts must be a one-dimensional"):
        rate_per_1000([[1, 2]], [[10, 20]])
    with pytest.raises(TypeError, match="population must be a one-dimensional"):
        rate_per_1000([1, 2], np.ones((2, 1)))
    with pytest.raises(TypeError, match="counts must be a one-dimensional"):
        empirical_bayes_rate(pd.DataFrame({"a": [1, 2]}), [10, 20])
    with pytest.raises(TypeError, match="counts must be a one-dimensional"):
        rate_per_1000(5, 10)
    with pytest.raises(TypeError, match="population must be a one-dimensional"):
        rate_per_1000([1], b"1")
    with pytest.raises(TypeError, match="population must hold numbers"):
        rate_per_1000([1], ["many"])


def test_series_indexes_with_repeats_or_other_labels_rejected():
    counts = pd.Series([1.0, 2.0, 3.0], index=["a", "b", "b"])
    population = pd.Series([10.0, 20.0, 30.0], index=["b", "a", "b"])
    with pytest.raises(ValueError, match=r"must have the same index \(ward_code\)"):
        rate_per_1000(counts, population)
    with pytest.raises(ValueError, match="same index"):
        empirical_bayes_rate(pd.Series([1.0], index=["a"]), pd.Series([10.0], index=["b"]))
    # The same labels in the same order, repeats and all, are accepted as they are.
    same = rate_per_1000(counts, pd.Series([10.0, 20.0, 30.0], index=counts.index))
    assert same.tolist() == [100.0, 100.0, 100.0]


def test_empirical_bayes_leaves_out_missing_counts():
    counts, population = _wards()
    gap = counts.copy()
    gap.iloc[3] = np.nan
    out = empirical_bayes_rate(gap, population)
    assert np.isnan(out.iloc[3])
    rest = empirical_bayes_rate(counts.drop(counts.index[3]), population.drop(counts.index[3]))
    pd.testing.assert_series_equal(out.drop(counts.index[3]), rest)
    # Nothing usable: every rate NaN.
    assert np.isnan(empirical_bayes_rate([1.0, 2.0], [0.0, np.nan])).all()


def test_fractional_counts_and_populations_at_the_edges():
    with pytest.raises(ValueError, match="counts must be non-negative"):
        rate_per_1000([-0.5], [10])
    with pytest.raises(ValueError, match="population must be non-negative"):
        rate_per_1000([1], [-0.5])
    # A ward with half a resident (a split LSOA) takes part in the smoothing.
    out = empirical_bayes_rate([1.0, 20.0, 30.0], [0.5, 1000.0, 2000.0])
    assert not np.isnan(out).any()
    counts, population = np.array([1.0, 20.0, 30.0]), np.array([0.5, 1000.0, 2000.0])
    theirs = Empirical_Bayes(counts, population).r.ravel() * 1000
    np.testing.assert_allclose(out, theirs, rtol=0, atol=1e-9)
