"""Observed versus expected counts: is a ward's violence higher than its deprivation predicts?

Violence is strongly associated with deprivation, so a ranking of raw rates mostly
re-ranks deprivation. :func:`observed_expected` fits a regression of each ward's count on
deprivation covariates with the log of its population as offset,

.. math:: \\log E[y_i] = \\log(\\mathrm{pop}_i) + \\beta_0 + \\beta^\\top x_i,

and compares the observed count with the fitted (expected) count ``mu_i``.

Crime counts are over-dispersed: the Pearson dispersion of the Poisson fit (χ² / df) is
about 14 for Dyfed-Powys and 36 for Wales over five months, where a Poisson model needs 1.
So by default (``model="negative-binomial"``) the counts are modelled as negative binomial
(NB2: variance ``mu + alpha mu²``, ``alpha`` estimated by maximum likelihood with
``statsmodels.discrete.discrete_model.NegativeBinomial``); when the Poisson fit is not
over-dispersed (dispersion ≤ 1) the Poisson model is kept (``alpha = 0``). If the
maximum-likelihood fit does not converge (e.g. a ward of one resident with hundreds of
crimes), the Poisson means are kept with the moment estimate
``alpha = sum((y - mu)² - y) / sum(mu²)`` (Cameron and Trivedi).

For each ward, with ``Y ~ NB(theta mu_i, alpha)`` and ``theta`` the ward's ratio of true to
predicted rate:

* ``obs_exp_p`` – the one-sided p-value ``P(Y ≥ y_i | theta = 1)``;
* ``obs_exp_p_fdr`` – that p-value adjusted across wards by Benjamini-Hochberg;
* ``higher_than_deprivation_predicts`` – ``obs_exp_p_fdr <= fdr`` (0.05);
* ``obs_exp_low``, ``obs_exp_high`` – the exact (test-inverting) limits of ``theta`` at
  ``level``: ``P(Y ≥ y | theta_L) = (1 - level)/2`` and ``P(Y ≤ y | theta_U) = (1 -
  level)/2`` (``theta_L = 0`` when ``y = 0``). With ``alpha = 0`` these are the exact
  Poisson (Garwood 1936) limits of :func:`poisson_limits` divided by ``mu_i``.

The limits and p-values treat the fitted mean as fixed (with hundreds of wards and one or
two covariates its uncertainty is small beside the ward's own).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.discrete.discrete_model import NegativeBinomial
from statsmodels.tools.sm_exceptions import ConvergenceWarning, HessianInversionWarning

from hotspots.stats.fdr import bh_adjust
from hotspots.stats.phrases import Phrase, reason_text

__all__ = [
    "EXPECTED_COLUMNS",
    "MODELS",
    "ExpectedFit",
    "fit_expected_model",
    "fit_expected_nb",
    "observed_expected",
    "poisson_limits",
]

#: Count models :func:`observed_expected` offers (registry of the choice).
MODELS = {
    "negative-binomial": "negative binomial (allows for over-dispersion; default)",
    "poisson": "Poisson (no over-dispersion: flags far too many wards on crime counts)",
}

#: Columns returned by :func:`observed_expected`.
EXPECTED_COLUMNS: list[str] = [
    "ward_code",
    "expected",
    "obs_exp_ratio",
    "obs_exp_low",
    "obs_exp_high",
    "higher_than_deprivation_predicts",
    "obs_exp_p",
    "obs_exp_p_fdr",
]


@dataclass(frozen=True)
class ExpectedFit:
    """The fitted model behind :func:`observed_expected` (in ``result.attrs["fit"]``).

    Parameters
    ----------
    model : str
        The model used: ``"negative-binomial"`` or ``"poisson"`` (a key of :data:`MODELS`).
    dispersion : float
        Pearson dispersion of the Poisson fit, ``sum((y - mu)² / mu) / (n - p)``: 1 for
        Poisson counts; 14 means the counts vary 14 times as much as Poisson allows.
    alpha : float
        NB2 over-dispersion (variance ``mu + alpha mu²``); 0 for the Poisson model.
    n_wards : int
        Wards in the fit.
    """

    model: str
    dispersion: float
    alpha: float
    n_wards: int

    def describe(self, lang: str = "en") -> str:
        """One line for the Method page, in ``lang``."""
        model = "negative-binomial" if self.model == "negative-binomial" else "poisson"
        values = {"dispersion": self.dispersion, "n_wards": self.n_wards, "model": model}
        phrase = (
            Phrase("fit.describe_alpha", alpha=self.alpha, **values)
            if self.alpha > 0
            else Phrase("fit.describe", **values)
        )
        return reason_text(phrase, lang) + "."


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
        :func:`hotspots.stats.ward_deprivation.summarise_ward_deprivation`); an intercept
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


def fit_expected_nb(counts: pd.Series, population: pd.Series, deprivation: pd.DataFrame):
    """Fit the negative binomial (NB2) model of counts on deprivation, log-population offset.

    Parameters and exclusions as :func:`fit_expected_model`.

    Returns
    -------
    statsmodels.discrete.discrete_model.NegativeBinomialResultsWrapper
        ``params`` holds ``const``, the covariates and ``alpha`` (variance ``mu + alpha
        mu²``), estimated by maximum likelihood.
    """
    y, pop, x, used = _prepare(counts, population, deprivation)
    design = sm.add_constant(x[used], has_constant="add")
    model = NegativeBinomial(y[used], design, loglike_method="nb2", offset=np.log(pop[used]))
    with warnings.catch_warnings():  # a fit that fails is caught by observed_expected
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", HessianInversionWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        return model.fit(disp=0, maxiter=200)


def _tail_ge(y: np.ndarray, mean: np.ndarray, alpha: float) -> np.ndarray:
    """``P(Y >= y)`` for ``Y`` negative binomial (NB2) with ``mean`` (Poisson if alpha 0)."""
    if alpha > 0:
        n = 1.0 / alpha
        return stats.nbinom.sf(y - 1, n, n / (n + mean))
    return stats.poisson.sf(y - 1, mean)


def _tail_le(y: np.ndarray, mean: np.ndarray, alpha: float) -> np.ndarray:
    """``P(Y <= y)`` for the same distribution."""
    if alpha > 0:
        n = 1.0 / alpha
        return stats.nbinom.cdf(y, n, n / (n + mean))
    return stats.poisson.cdf(y, mean)


def ratio_limits(
    y: np.ndarray, mu: np.ndarray, alpha: float, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Exact limits of ``theta`` with ``Y ~ NB(theta mu, alpha)`` given ``Y = y``.

    ``theta_L``: ``P(Y >= y | theta_L) = (1 - level) / 2`` (0 when ``y`` is 0);
    ``theta_U``: ``P(Y <= y | theta_U) = (1 - level) / 2``. Found by bisection on
    ``log theta`` (both tails are monotone in ``theta``), to a relative 1e-9.
    """
    tail = (1.0 - level) / 2.0
    y = np.asarray(y, dtype=float)
    mu = np.asarray(mu, dtype=float)
    out = []
    for upper in (False, True):
        lo = np.full(y.shape, -30.0)
        hi = np.full(y.shape, 30.0)
        for _ in range(80):
            mid = (lo + hi) / 2.0
            m = np.exp(mid) * mu
            # P(Y <= y) falls as theta rises; P(Y >= y) rises with it
            above = _tail_le(y, m, alpha) < tail if upper else _tail_ge(y, m, alpha) > tail
            hi = np.where(above, mid, hi)
            lo = np.where(above, lo, mid)
        theta = np.exp((lo + hi) / 2.0)
        if not upper:
            theta = np.where(y > 0, theta, 0.0)
        out.append(theta)
    return out[0], out[1]


def observed_expected(
    counts: pd.Series,
    population: pd.Series,
    deprivation: pd.DataFrame,
    level: float = 0.95,
    model: str = "negative-binomial",
    fdr: float = 0.05,
) -> pd.DataFrame:
    """Observed/expected ratios given deprivation, allowing for over-dispersion.

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
    model : str, default "negative-binomial"
        A key of :data:`MODELS` (see the module docstring). ``"poisson"`` is the model
        without over-dispersion.
    fdr : float, default 0.05
        False discovery rate of the "higher than deprivation predicts" flags
        (Benjamini-Hochberg across the wards in the fit).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`EXPECTED_COLUMNS`, one row per ward in the order of ``counts``:

        * ``expected`` – the count the model predicts from the ward's deprivation and
          population;
        * ``obs_exp_ratio`` – observed / expected (1 = as predicted);
        * ``obs_exp_low``, ``obs_exp_high`` – exact limits of the ratio (module
          docstring);
        * ``higher_than_deprivation_predicts`` (boolean) – ``obs_exp_p_fdr <= fdr``;
        * ``obs_exp_p``, ``obs_exp_p_fdr`` – one-sided p-value of a count at least this
          high, raw and Benjamini-Hochberg adjusted.

        ``attrs["fit"]`` holds the :class:`ExpectedFit` (model, Pearson dispersion,
        alpha). **Wards with population 0 or missing (or a missing covariate) are
        excluded** from the fit and get NaN / ``<NA>`` in every column but
        ``ward_code``.

    Raises
    ------
    TypeError
        If an input has the wrong type or a covariate is not numeric.
    ValueError
        If a ward is missing from ``population`` or ``deprivation``, an index repeats,
        a count is missing, negative or not whole, a population is negative, ``level``
        or ``fdr`` is not in ``(0, 1)``, ``model`` is unknown, or too few wards are
        usable to fit the model.
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1 (e.g. 0.95), got {level}")
    if not 0 < fdr < 1:
        raise ValueError(f"fdr must be between 0 and 1 (e.g. 0.05), got {fdr}")
    if model not in MODELS:
        raise ValueError(f"model must be one of {list(MODELS)}, got {model!r}")
    poisson = fit_expected_model(counts, population, deprivation)
    y, _pop, _x, used = _prepare(counts, population, deprivation)
    dispersion = float(poisson.pearson_chi2 / poisson.df_resid)
    alpha = 0.0
    mu = np.asarray(poisson.fittedvalues, dtype=float)
    if model == "negative-binomial" and dispersion > 1:
        nb = fit_expected_nb(counts, population, deprivation)
        alpha = float(nb.params["alpha"])
        if nb.mle_retvals.get("converged") and np.isfinite(alpha) and alpha > 0:
            mu = np.asarray(nb.predict(), dtype=float)
        else:  # e.g. one resident and hundreds of crimes: moments on the Poisson fit
            y_used = y.to_numpy()[used]
            alpha = max(float(((y_used - mu) ** 2 - y_used).sum() / (mu**2).sum()), 1e-8)
    n = len(y)
    expected = np.full(n, np.nan)
    expected[used] = mu
    observed = y.to_numpy()
    low = np.full(n, np.nan)
    high = np.full(n, np.nan)
    low[used], high[used] = ratio_limits(observed[used], mu, alpha, level)
    p = np.full(n, np.nan)
    p[used] = _tail_ge(observed[used], mu, alpha)
    p_fdr = np.full(n, np.nan)
    p_fdr[used] = bh_adjust(p[used])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = observed / expected
    flag = pd.array([pd.NA] * n, dtype="boolean")
    flag[used] = p_fdr[used] <= fdr
    out = pd.DataFrame(
        {
            "ward_code": counts.index.astype(str).to_numpy(dtype=object),
            "expected": expected,
            "obs_exp_ratio": ratio,
            "obs_exp_low": low,
            "obs_exp_high": high,
            "higher_than_deprivation_predicts": flag,
            "obs_exp_p": p,
            "obs_exp_p_fdr": p_fdr,
        },
        columns=EXPECTED_COLUMNS,
    )
    out.attrs["fit"] = ExpectedFit(
        model="negative-binomial" if alpha > 0 else "poisson",
        dispersion=dispersion,
        alpha=alpha,
        n_wards=int(used.sum()),
    )
    return out
