"""Tests for hotspots.stats.expected."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from hotspots.stats.expected import (
    EXPECTED_COLUMNS,
    MODELS,
    ExpectedFit,
    fit_expected_model,
    fit_expected_nb,
    observed_expected,
    poisson_limits,
    ratio_limits,
)

BETA0 = np.log(0.01)  # 10 per 1,000 at zero deprivation
BETA1 = 1.5  # log rate ratio per unit share in the most deprived 10 %


def _synthetic(seed: int = 42, n: int = 400, excess_ward: str | None = "W0000", alpha: float = 0.0):
    """Counts from the model; ``alpha > 0`` makes them negative binomial (NB2)."""
    rng = np.random.default_rng(seed)
    codes = [f"W{i:04d}" for i in range(n)]
    share = rng.uniform(0, 1, n)
    population = rng.integers(2000, 10000, n).astype(float)
    mu = population * np.exp(BETA0 + BETA1 * share)
    if alpha > 0:
        mu = mu * rng.gamma(1 / alpha, alpha, n)  # gamma-mixed Poisson = NB2
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
        "obs_exp_p",
        "obs_exp_p_fdr",
    ]
    assert list(MODELS) == ["negative-binomial", "poisson"]


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
    # With Poisson counts and a false discovery rate of 5 %, (almost) nothing else.
    assert flag.drop("W0000").sum() <= 2
    assert (out["obs_exp_low"] <= out["obs_exp_ratio"]).all()
    assert (out["obs_exp_ratio"] <= out["obs_exp_high"]).all()
    poisson = observed_expected(counts, population, deprivation, model="poisson")
    # Expected counts sum to observed counts (Poisson GLM with intercept), bar rounding.
    assert poisson["expected"].sum() == pytest.approx(counts.sum(), rel=1e-6)
    assert poisson.attrs["fit"] == ExpectedFit("poisson", poisson.attrs["fit"].dispersion, 0.0, 400)


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


# --------------------------------------------------------------------------------------
# Over-dispersion
# --------------------------------------------------------------------------------------


def _statsmodels(counts, population, deprivation):
    design = sm.add_constant(deprivation, has_constant="add")
    poisson = sm.GLM(counts, design, family=sm.families.Poisson(), offset=np.log(population)).fit()
    nb = sm.NegativeBinomial(counts, design, loglike_method="nb2", offset=np.log(population)).fit(
        disp=0, maxiter=200
    )
    return poisson, nb


def test_dispersion_alpha_and_expected_equal_statsmodels():
    counts, population, deprivation = _synthetic(alpha=0.2, excess_ward=None)
    out = observed_expected(counts, population, deprivation)
    poisson, nb = _statsmodels(counts, population, deprivation)
    fit = out.attrs["fit"]
    assert fit.model == "negative-binomial" and fit.n_wards == 400
    assert fit.dispersion == pytest.approx(poisson.pearson_chi2 / poisson.df_resid, rel=1e-9)
    assert fit.dispersion > 10  # gamma-mixed counts of ~50: 1 + 0.2 * 50
    assert fit.alpha == pytest.approx(nb.params["alpha"], rel=1e-6)
    assert fit.alpha == pytest.approx(0.2, rel=0.2)  # recovers the true alpha
    np.testing.assert_allclose(out["expected"], nb.predict(), rtol=1e-9)
    assert fit_expected_nb(counts, population, deprivation).params["alpha"] == (
        pytest.approx(nb.params["alpha"], rel=1e-9)
    )
    # the GLM with that alpha gives the same fitted means (same likelihood)
    glm = sm.GLM(
        counts,
        sm.add_constant(deprivation),
        offset=np.log(population),
        family=sm.families.NegativeBinomial(alpha=fit.alpha),
    ).fit()
    np.testing.assert_allclose(out["expected"], glm.fittedvalues, rtol=1e-4)


def test_p_values_limits_and_bh_by_hand():
    counts, population, deprivation = _synthetic(alpha=0.2)
    out = observed_expected(counts, population, deprivation, level=0.9)
    a = out.attrs["fit"].alpha
    y, mu = counts.to_numpy(float), out["expected"].to_numpy()
    n = 1 / a
    p = stats.nbinom.sf(y - 1, n, n / (n + mu))
    np.testing.assert_allclose(out["obs_exp_p"], p, rtol=1e-9)
    np.testing.assert_allclose(out["obs_exp_p_fdr"], stats.false_discovery_control(p), rtol=1e-9)
    assert (out["higher_than_deprivation_predicts"] == (out["obs_exp_p_fdr"] <= 0.05)).all()
    # the limits solve the tail equations at level 0.9: each tail 5 %
    low, high = out["obs_exp_low"].to_numpy(), out["obs_exp_high"].to_numpy()
    pos = y > 0
    lo_mu, hi_mu = low * mu, high * mu
    np.testing.assert_allclose(
        stats.nbinom.sf(y[pos] - 1, n, n / (n + lo_mu[pos])), 0.05, rtol=1e-6
    )
    np.testing.assert_allclose(stats.nbinom.cdf(y, n, n / (n + hi_mu)), 0.05, rtol=1e-6)
    assert (low[~pos] == 0).all()
    # the planted ward (three times what deprivation predicts) stands out by ratio
    assert out.loc[0, "obs_exp_ratio"] > 2


def test_poisson_limits_are_the_alpha_zero_case():
    y = np.array([0.0, 1.0, 10.0, 57.0])
    mu = np.array([2.0, 4.0, 8.0, 50.0])
    low, high = ratio_limits(y, mu, 0.0, 0.95)
    plo, phi = poisson_limits(y, 0.95)
    np.testing.assert_allclose(low, plo / mu, rtol=1e-8)
    np.testing.assert_allclose(high, phi / mu, rtol=1e-8)
    # over-dispersion widens the interval on both sides (for counts of 10 and more; at
    # a count of 1 the NB's larger P(Y = 0) moves the lower limit up)
    nlow, nhigh = ratio_limits(y, mu, 0.3, 0.95)
    assert (nlow[2:] < low[2:]).all() and (nhigh > high).all()
    # a narrower level gives a narrower interval
    l90, h90 = ratio_limits(y, mu, 0.3, 0.90)
    assert (l90[1:] > nlow[1:]).all() and (h90 < nhigh).all()


def test_overdispersed_counts_flag_far_fewer_wards_than_poisson():
    counts, population, deprivation = _synthetic(alpha=0.2)
    nb = observed_expected(counts, population, deprivation)
    poisson = observed_expected(counts, population, deprivation, model="poisson")
    assert poisson.attrs["fit"].model == "poisson" and poisson.attrs["fit"].alpha == 0.0
    assert poisson.attrs["fit"].dispersion == nb.attrs["fit"].dispersion
    n_poisson = int(poisson["higher_than_deprivation_predicts"].sum())
    n_nb = int(nb["higher_than_deprivation_predicts"].sum())
    assert n_poisson > 40  # the Poisson flag calls chance variation "higher"
    assert n_nb <= 3
    # Poisson p-values are the Poisson tail
    mu = poisson["expected"].to_numpy()
    np.testing.assert_allclose(
        poisson["obs_exp_p"], stats.poisson.sf(counts.to_numpy() - 1, mu), rtol=1e-9
    )


def test_no_overdispersion_keeps_the_poisson_model():
    counts, population, deprivation = _synthetic(excess_ward=None, seed=3)
    out = observed_expected(counts, population, deprivation)
    fit = out.attrs["fit"]
    if fit.dispersion <= 1:
        assert fit.model == "poisson" and fit.alpha == 0.0
    # under-dispersed counts (all equal to the mean): Poisson for certain
    even = pd.Series(np.round(population.to_numpy() * 0.01), index=population.index)
    flat = observed_expected(
        even,
        population,
        deprivation.assign(pop_share_most_deprived_10=0.0).iloc[:, :1]
        + np.linspace(0, 1e-3, 400)[:, None],
    )
    assert flat.attrs["fit"].dispersion < 1
    assert flat.attrs["fit"].model == "poisson" and flat.attrs["fit"].alpha == 0.0


def test_describe_and_choices():
    fit = ExpectedFit("negative-binomial", 14.0608, 0.35268, 201)
    assert fit.describe() == (
        "Pearson dispersion of a Poisson fit: 14.1 (1 would be Poisson) "
        "over 201 wards; the negative binomial model is used "
        "(alpha 0.353)."
    )
    assert ExpectedFit("poisson", 0.9, 0.0, 30).describe() == (
        "Pearson dispersion of a Poisson fit: 0.9 (1 would be Poisson) over 30 wards; the "
        "Poisson model is used."
    )
    counts, population, deprivation = _synthetic(n=50)
    with pytest.raises(ValueError, match="model must be one of"):
        observed_expected(counts, population, deprivation, model="quasi")
    for bad in (0, 1, 1.5):
        with pytest.raises(ValueError, match="fdr must be between 0 and 1"):
            observed_expected(counts, population, deprivation, fdr=bad)
    for bad in (0, 1, -0.5):
        with pytest.raises(ValueError, match="level must be between 0 and 1"):
            observed_expected(counts, population, deprivation, level=bad)


@pytest.mark.shared
@pytest.mark.parametrize(
    ("area", "dispersion", "poisson_low", "nb_low", "nb_flags"),
    [
        ("dyfed-powys", 14.1, 25, 9, 2),
        # All Wales with Dyfed-Powys and South Wales loaded: the 403 wards with data and
        # residents (with the other forces' wards counted as 0 it was 36.4, 187, 4 and 0).
        (None, 18.2, 60, 15, 4),
    ],
)
@pytest.mark.slow
def test_real_data_dispersion_and_flags(
    real_store, area, dispersion, poisson_low, nb_low, nb_flags
):
    from hotspots.stats.indicators import ward_deprivation
    from hotspots.store.ward_data import Selection, load_ward_data

    data = load_ward_data(real_store, Selection("2018-10", "2019-02", area=area))
    dep = ward_deprivation(data.lsoa_deprivation, data.lsoa_weights)
    c = data.counts.set_index("ward_code")
    ok = (c["population"] > 0) & c["sv_count"].notna()  # wards with residents and data
    cov = dep.set_index("ward_code")[["dep_share_20"]].reindex(c.index).fillna(0.0)
    sv = c["sv_count"][ok].astype("int64")
    nb = observed_expected(sv, c["population"][ok], cov[ok])
    poisson = observed_expected(sv, c["population"][ok], cov[ok], model="poisson")
    assert round(nb.attrs["fit"].dispersion, 1) == dispersion
    assert int((poisson["obs_exp_low"] > 1).sum()) == poisson_low
    assert int((nb["obs_exp_low"] > 1).sum()) == nb_low
    assert int(nb["higher_than_deprivation_predicts"].sum()) == nb_flags


def test_flag_boundary_is_at_most_the_fdr():
    counts, population, deprivation = _synthetic(alpha=0.2)
    out = observed_expected(counts, population, deprivation)
    cut = float(out["obs_exp_p_fdr"].nsmallest(3).iloc[-1])  # the third-smallest q
    at = observed_expected(counts, population, deprivation, fdr=cut)
    flagged = at["higher_than_deprivation_predicts"].to_numpy(dtype=bool)
    assert flagged.sum() == (out["obs_exp_p_fdr"] <= cut).sum() >= 3
    assert flagged[out["obs_exp_p_fdr"].to_numpy() == cut].all()  # equal to fdr: flagged


def test_excluded_wards_have_no_p_values_and_fit_counts_the_rest():
    counts, population, deprivation = _synthetic(n=120, alpha=0.2)
    population = population.copy()
    population.iloc[[3, 7]] = 0.0
    out = observed_expected(counts, population, deprivation)
    assert (
        out.loc[[3, 7], ["obs_exp_p", "obs_exp_p_fdr", "obs_exp_low", "obs_exp_high"]]
        .isna()
        .all()
        .all()
    )
    assert out.drop(index=[3, 7])[["obs_exp_p", "obs_exp_p_fdr"]].notna().all().all()
    assert out.attrs["fit"].n_wards == 118
    kept = out.drop(index=[3, 7])
    np.testing.assert_allclose(
        kept["obs_exp_p_fdr"], stats.false_discovery_control(kept["obs_exp_p"]), rtol=1e-9
    )
    assert ((kept["obs_exp_p"] > 0) & (kept["obs_exp_p"] <= 1)).all()


def test_fit_is_frozen_and_poisson_limits_level_bounds():
    import dataclasses

    fit = ExpectedFit("poisson", 1.0, 0.0, 3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fit.alpha = 1.0  # type: ignore[misc]
    for bad in (0, 0.0, 1, 1.0, -0.5, 95):
        with pytest.raises(ValueError, match="level must be between 0 and 1"):
            poisson_limits([3], bad)
    lo, hi = poisson_limits([3], 0.5)  # any level strictly inside (0, 1) is accepted
    assert 0 < lo[0] < 3 < hi[0]
    for bad in ([-1], [np.nan]):
        with pytest.raises(ValueError, match="non-negative whole numbers"):
            poisson_limits(bad)


def test_every_input_check():
    counts, population, deprivation = _synthetic(n=12)
    cases = [
        (
            TypeError,
            "counts and population must be pandas Series",
            (counts.to_numpy(), population, deprivation),
        ),
        (
            TypeError,
            "counts and population must be pandas Series",
            (counts, population.to_numpy(), deprivation),
        ),
        (
            ValueError,
            "counts must have one value per ward_code",
            (pd.concat([counts, counts.iloc[:1]]), population, deprivation),
        ),
        (
            ValueError,
            "population must have one row per ward_code",
            (counts, pd.concat([population, population.iloc[:1]]), deprivation),
        ),
        (
            ValueError,
            "deprivation must have one row per ward_code",
            (counts, population, pd.concat([deprivation, deprivation.iloc[:1]])),
        ),
        (
            ValueError,
            r"population lacks 2 ward\(s\) of counts, e.g. \['W0000', 'W0001'\]",
            (counts, population.iloc[2:], deprivation),
        ),
        (
            ValueError,
            "at least one covariate column",
            (counts, population, deprivation.iloc[:, :0]),
        ),
        (
            TypeError,
            r"not numeric: \['flag'\]",
            (counts, population, deprivation.assign(flag=True)),
        ),
        (
            ValueError,
            "non-negative whole numbers with no gaps",
            (counts.astype(float).where(counts.index != "W0003"), population, deprivation),
        ),
        (
            ValueError,
            "non-negative whole numbers with no gaps",
            (counts.where(counts.index != "W0003", -1), population, deprivation),
        ),
        (
            ValueError,
            "population must be non-negative",
            (counts, population.where(population.index != "W0003", -0.5), deprivation),
        ),
        (
            ValueError,
            r"too few usable wards \(2\) to fit 1 covariate\(s\)",
            (counts, population.where(population.index.isin(["W0000", "W0001"]), 0.0), deprivation),
        ),
    ]
    for error, message, args in cases:
        with pytest.raises(error, match=message):
            observed_expected(*args)
    with pytest.raises(
        ValueError,
        match=r"deprivation lacks 6 ward\(s\) of counts, e.g. "
        r"\['W0000', 'W0001', 'W0002', 'W0003', 'W0004'\]$",
    ):
        observed_expected(counts, population, deprivation.iloc[6:])
    # one resident is a population: the ward is in the fit
    one = population.where(population.index != "W0003", 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = observed_expected(counts, one, deprivation)
    assert out["expected"].notna().all() and out["obs_exp_p"].between(0, 1).all()
    # the likelihood fit does not converge (alpha -> inf): the moment estimate is used
    fit = out.attrs["fit"]
    mu = observed_expected(counts, one, deprivation, model="poisson")["expected"]
    y = counts.to_numpy(float)
    assert fit.model == "negative-binomial"
    assert fit.alpha == pytest.approx(((y - mu) ** 2 - y).sum() / (mu**2).sum(), rel=1e-9)
    np.testing.assert_allclose(out["expected"], mu, rtol=1e-12)
    assert out.loc[3, "higher_than_deprivation_predicts"]
    # a count of 0 is a count
    zero = counts.where(counts.index != "W0003", 0)
    out = observed_expected(zero, population, deprivation, model="poisson")
    assert out.loc[3, "obs_exp_ratio"] == 0 and out.loc[3, "obs_exp_low"] == 0
    # three usable wards fit one covariate and an intercept
    three = population.where(population.index.isin(["W0000", "W0001", "W0002"]), 0.0)
    out = observed_expected(counts, three, deprivation, model="poisson")
    assert out["expected"].notna().sum() == 3
    # a missing or infinite covariate leaves that ward out
    gaps = deprivation.copy()
    gaps.iloc[4, 0] = np.nan
    gaps.iloc[5, 0] = np.inf
    out = observed_expected(counts, population, gaps, model="poisson")
    assert out["expected"].isna().tolist() == [i in (4, 5) for i in range(12)]


def test_fitting_prints_nothing(capsys):
    counts, population, deprivation = _synthetic(n=60, alpha=0.2)
    fit_expected_nb(counts, population, deprivation)
    observed_expected(counts, population, deprivation)
    assert capsys.readouterr().out == ""


def test_slight_overdispersion_uses_the_negative_binomial_and_default_level():
    counts, population, deprivation = _synthetic(alpha=0.004, excess_ward=None, seed=5)
    fit = observed_expected(counts, population, deprivation).attrs["fit"]
    assert 1 < fit.dispersion < 2
    assert fit.model == "negative-binomial" and fit.alpha > 0
    y, mu = np.array([0.0, 4.0, 30.0]), np.array([2.0, 5.0, 25.0])
    for got, want in zip(ratio_limits(y, mu, 0.2), ratio_limits(y, mu, 0.2, 0.95), strict=True):
        np.testing.assert_array_equal(got, want)
    _low, high = ratio_limits(y, mu, 0.0)
    np.testing.assert_allclose(high, poisson_limits(y, 0.95)[1] / mu, rtol=1e-8)
