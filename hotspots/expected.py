"""Observed versus expected counts: is a ward's violence higher than its deprivation predicts?

Violence is strongly associated with deprivation, so a ranking of raw rates mostly
re-ranks deprivation. :func:`observed_expected` fits a Poisson regression of each
ward's count on deprivation covariates with the log of its population as offset,

.. math:: \\log E[y_i] = \\log(\\mathrm{pop}_i) + \\beta_0 + \\beta^\\top x_i,

and compares the observed count with the fitted (expected) count. The ratio's
confidence interval uses exact Poisson limits on the observed count (the chi-square
form of Garwood 1936), treating the expected count as fixed:

.. math:: y_L = \\tfrac12\\chi^2_{2y,\\,\\alpha/2}, \\qquad
          y_U = \\tfrac12\\chi^2_{2y+2,\\,1-\\alpha/2}

(``y_L = 0`` when ``y = 0``), each divided by the expected count. A ward is flagged as
higher than deprivation predicts when the lower limit of its ratio exceeds 1.

Caveat: crime counts are usually over-dispersed relative to the Poisson, and the limits
ignore uncertainty in the fitted model, so the flag is generous; read it as a screen
for wards worth a closer look, not a significance test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

__all__ = ["EXPECTED_COLUMNS", "fit_expected_model", "observed_expected", "poisson_limits"]

#: Columns returned by :func:`observed_expected`.
EXPECTED_COLUMNS: list[str] = [
    "ward_code",
    "expected",
    "obs_exp_ratio",
    "obs_exp_low",
    "obs_exp_high",
    "higher_than_deprivation_predicts",
]


def poisson_limits(
    observed: np.ndarray | pd.Series, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood, chi-square based) confidence limits for Poisson counts.

    Parameters
    ----------
    observed : array-like of int
        Observed counts (non-negative whole numbers).
    level : float, default 0.95
        Two-sided coverage.

    Returns
    -------
    tuple of numpy.ndarray
        ``(lower, upper)`` limits of the Poisson mean; ``lower`` is 0 for a count of 0.

    Raises
    ------
    ValueError
        If a count is negative or not whole, or ``level`` is not in ``(0, 1)``.

    Examples
    --------
    >>> [round(float(v[0]), 3) for v in poisson_limits([10])]
    [4.795, 18.39]
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1 (e.g. 0.95), got {level}")
    y = np.asarray(observed, dtype=float)
    if np.isnan(y).any() or (y < 0).any() or (y != np.round(y)).any():
        raise ValueError("observed counts must be non-negative whole numbers")
    alpha = 1.0 - level
    with np.errstate(invalid="ignore"):
        lower = np.where(y > 0, stats.chi2.ppf(alpha / 2, 2 * y) / 2, 0.0)
    upper = stats.chi2.ppf(1 - alpha / 2, 2 * y + 2) / 2
    return lower, upper


def _prepare(
    counts: pd.Series, population: pd.Series, deprivation: pd.DataFrame
) -> tuple[pd.Series, pd.Series, pd.DataFrame, np.ndarray]:
    """Validate and align inputs; return them with the mask of wards used in the fit."""
    if not isinstance(counts, pd.Series) or not isinstance(population, pd.Series):
        raise TypeError("counts and population must be pandas Series indexed by ward_code")
    if not isinstance(deprivation, pd.DataFrame):
        raise TypeError(
            "deprivation must be a DataFrame of covariates indexed by ward_code, "
            f"got {type(deprivation).__name__}"
        )
    if counts.index.has_duplicates:
        raise ValueError("counts must have one value per ward_code (the index repeats)")
    for name, other in (("population", population), ("deprivation", deprivation)):
        if other.index.has_duplicates:
            raise ValueError(f"{name} must have one row per ward_code (the index repeats)")
        missing = counts.index.difference(other.index)
        if len(missing):
            raise ValueError(
                f"{name} lacks {len(missing)} ward(s) of counts, e.g. {list(missing[:5])}"
            )
    if deprivation.shape[1] == 0:
        raise ValueError("deprivation must have at least one covariate column")
    non_numeric = [
        c
        for c in deprivation.columns
        if not pd.api.types.is_numeric_dtype(deprivation[c])
        or pd.api.types.is_bool_dtype(deprivation[c])
    ]
    if non_numeric:
        raise TypeError(f"deprivation covariates must be numeric; not numeric: {non_numeric}")

    y = pd.to_numeric(counts, errors="coerce").astype(float)
    if y.isna().any() or (y < 0).any() or (y != np.round(y)).any():
        raise ValueError(
            "counts must be non-negative whole numbers with no gaps "
            "(harm-weighted counts are not Poisson counts)"
        )
    pop = pd.to_numeric(population.reindex(counts.index), errors="coerce").astype(float)
    if (pop < 0).any():
        raise ValueError("population must be non-negative (0 or missing excludes a ward)")
    x = deprivation.reindex(counts.index).astype(float)
    used = ((pop > 0) & x.notna().all(axis=1) & np.isfinite(x).all(axis=1)).to_numpy()
    if used.sum() <= x.shape[1] + 1:
        raise ValueError(
            f"too few usable wards ({int(used.sum())}) to fit {x.shape[1]} covariate(s) "
            "and an intercept"
        )
    return y, pop, x, used


def fit_expected_model(counts: pd.Series, population: pd.Series, deprivation: pd.DataFrame):
    """Fit the Poisson GLM of counts on deprivation with a log-population offset.

    Parameters
    ----------
    counts : pandas.Series
        Event counts (non-negative whole numbers) indexed by ``ward_code``.
    population : pandas.Series
        Residents indexed by ``ward_code``.
    deprivation : pandas.DataFrame
        Numeric covariates indexed by ``ward_code`` (e.g. columns of
        :func:`hotspots.deprivation_index.summarise_ward_deprivation`); an intercept
        ``const`` is added.

    Returns
    -------
    statsmodels.genmod.generalized_linear_model.GLMResultsWrapper
        The fitted model; ``.params`` is indexed by ``const`` and the covariate names
        and is on the log scale (``exp(beta)`` is a rate ratio per unit).
        Wards with population 0 or missing, or a missing covariate, are left out.

    Raises
    ------
    TypeError, ValueError
        As :func:`observed_expected`.
    """
    y, pop, x, used = _prepare(counts, population, deprivation)
    design = sm.add_constant(x[used], has_constant="add")
    model = sm.GLM(y[used], design, family=sm.families.Poisson(), offset=np.log(pop[used]))
    return model.fit()


def observed_expected(
    counts: pd.Series,
    population: pd.Series,
    deprivation: pd.DataFrame,
    level: float = 0.95,
) -> pd.DataFrame:
    """Observed/expected ratios given deprivation, with exact Poisson limits.

    Parameters
    ----------
    counts : pandas.Series
        Event counts (non-negative whole numbers) indexed by ``ward_code``.
    population : pandas.Series
        Residents indexed by ``ward_code``; must cover every ward of ``counts``.
    deprivation : pandas.DataFrame
        Numeric covariates indexed by ``ward_code`` (e.g. ``pop_share_most_deprived_10``);
        must cover every ward of ``counts``. Extra rows are ignored.
    level : float, default 0.95
        Coverage of the ratio's interval.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`EXPECTED_COLUMNS`, one row per ward in the order of ``counts``:

        * ``expected`` – the count the model predicts from the ward's deprivation and
          population;
        * ``obs_exp_ratio`` – observed / expected (1 = as predicted);
        * ``obs_exp_low``, ``obs_exp_high`` – exact Poisson limits of the observed count
          divided by ``expected`` (:func:`poisson_limits`);
        * ``higher_than_deprivation_predicts`` (boolean) – ``obs_exp_low > 1``.

        **Wards with population 0 or missing (or a missing covariate) are excluded**
        from the fit and get NaN / ``<NA>`` in every column but ``ward_code``.

    Raises
    ------
    TypeError
        If an input has the wrong type or a covariate is not numeric.
    ValueError
        If a ward is missing from ``population`` or ``deprivation``, an index repeats,
        a count is missing, negative or not whole, a population is negative, ``level``
        is not in ``(0, 1)``, or too few wards are usable to fit the model.
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1 (e.g. 0.95), got {level}")
    result = fit_expected_model(counts, population, deprivation)
    y, _pop, _x, used = _prepare(counts, population, deprivation)
    n = len(y)
    expected = np.full(n, np.nan)
    expected[used] = np.asarray(result.fittedvalues, dtype=float)
    observed = y.to_numpy()
    lower, upper = poisson_limits(observed, level)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = observed / expected
        low = lower / expected
        high = upper / expected
    flag = pd.array([pd.NA] * n, dtype="boolean")
    flag[used] = low[used] > 1
    return pd.DataFrame(
        {
            "ward_code": counts.index.astype(str).to_numpy(dtype=object),
            "expected": expected,
            "obs_exp_ratio": ratio,
            "obs_exp_low": low,
            "obs_exp_high": high,
            "higher_than_deprivation_predicts": flag,
        },
        columns=EXPECTED_COLUMNS,
    )
