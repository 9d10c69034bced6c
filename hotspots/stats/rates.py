"""Crime rates per 1,000 residents, raw and empirical-Bayes smoothed.

Raw rates of small areas are noisy: a ward of 40 residents with 2 crimes has a rate of
50 per 1,000 and would top any league table. Global empirical-Bayes smoothing (Marshall
1991) shrinks each ward's rate towards the overall rate, the more so the smaller its
population, so that rankings reflect evidence rather than small denominators.

References
----------
Marshall, R. J. (1991). Mapping disease and mortality rates using empirical Bayes
estimators. *Journal of the Royal Statistical Society, Series C*, 40(2), 283–294.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["PER", "empirical_bayes_rate", "rate_per_1000"]

#: Rates are expressed per this many residents.
PER: int = 1000

ArrayLike = pd.Series | np.ndarray | Sequence[float]


def _as_float(values: ArrayLike, name: str) -> np.ndarray:
    if isinstance(values, str | bytes) or np.ndim(values) != 1:
        raise TypeError(f"{name} must be a one-dimensional pandas Series or array of numbers")
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must hold numbers") from exc
    return array


def _prepare(counts: ArrayLike, population: ArrayLike) -> tuple[np.ndarray, np.ndarray, object]:
    """Validate and align ``counts`` and ``population``; return arrays and an index."""
    index = counts.index if isinstance(counts, pd.Series) else None
    if isinstance(counts, pd.Series) and isinstance(population, pd.Series):
        if not population.index.equals(counts.index):
            if set(population.index) != set(counts.index) or population.index.has_duplicates:
                raise ValueError(
                    "counts and population must have the same index (ward_code); they differ"
                )
            population = population.reindex(counts.index)
    elif index is None and isinstance(population, pd.Series):
        index = population.index
    c = _as_float(counts, "counts")
    p = _as_float(population, "population")
    if c.shape != p.shape:
        raise ValueError(
            f"counts and population must have the same length, got {c.size} and {p.size}"
        )
    if (c[~np.isnan(c)] < 0).any():
        raise ValueError("counts must be non-negative")
    if (p[~np.isnan(p)] < 0).any():
        raise ValueError("population must be non-negative (0 or missing gives NaN)")
    if np.isinf(c).any() or np.isinf(p).any():
        raise ValueError("counts and population must be finite")
    return c, p, index


def _wrap(values: np.ndarray, index: object, name: str) -> pd.Series | np.ndarray:
    if index is None:
        return values
    return pd.Series(values, index=index, name=name, dtype=float)


def rate_per_1000(counts: ArrayLike, population: ArrayLike) -> pd.Series | np.ndarray:
    """Crude rate per 1,000 residents.

    Parameters
    ----------
    counts : pandas.Series or array-like of float
        Event counts (non-negative), e.g. indexed by ``ward_code``.
    population : pandas.Series or array-like of float
        Residents (non-negative). When both inputs are Series they are aligned on
        their index, which must hold the same labels.

    Returns
    -------
    pandas.Series or numpy.ndarray
        ``1000 * counts / population`` as float, a Series named ``rate_per_1000``
        (with the index of ``counts``) if either input is a Series. The rate is **NaN
        where the population is 0 or missing**, or where the count is missing; it is
        never infinite.

    Raises
    ------
    TypeError
        If an input is not one-dimensional numbers.
    ValueError
        If lengths or indexes differ, or a value is negative or infinite.
    """
    c, p, index = _prepare(counts, population)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(p > 0, PER * c / np.where(p > 0, p, 1.0), np.nan)
    return _wrap(rate, index, "rate_per_1000")


def empirical_bayes_rate(counts: ArrayLike, population: ArrayLike) -> pd.Series | np.ndarray:
    """Global empirical-Bayes smoothed rate per 1,000 (Marshall 1991, method of moments).

    With ``r_i = e_i / b_i`` the crude rates, ``m = Σe / Σb`` the overall rate,
    ``s² = Σ b_i (r_i − m)² / Σb`` and ``b̄`` the mean population, the between-area
    variance is ``A = s² − m / b̄`` (set to 0 if negative), each area's weight is
    ``w_i = A / (A + m / b_i)`` and the smoothed rate is ``w_i r_i + (1 − w_i) m``.
    Small populations get small weights and are pulled towards ``m``.

    Parameters
    ----------
    counts : pandas.Series or array-like of float
        Event counts (non-negative), e.g. indexed by ``ward_code``.
    population : pandas.Series or array-like of float
        Residents (non-negative); aligned on the index when both are Series.

    Returns
    -------
    pandas.Series or numpy.ndarray
        Smoothed rates per 1,000, a Series named ``eb_rate_per_1000`` if either input is
        a Series. Areas with population 0 or missing (or a missing count) are left out
        of the moment estimates and get NaN. If every rate is 0 the result is 0.

    Notes
    -----
    This equals ``esda.smoothing.Empirical_Bayes(e, b).r * 1000`` whenever ``A ≥ 0``
    (the usual case for crime counts, which are over-dispersed). When ``A < 0`` esda
    uses the negative value and can return weights outside ``[0, 1]``; here ``A`` is
    truncated at 0 as Marshall recommends, giving every area the overall rate.

    Raises
    ------
    TypeError
        If an input is not one-dimensional numbers.
    ValueError
        If lengths or indexes differ, or a value is negative or infinite.
    """
    c, p, index = _prepare(counts, population)
    valid = (p > 0) & ~np.isnan(c) & ~np.isnan(p)
    out = np.full(c.shape, np.nan)
    if valid.any():
        e, b = c[valid], p[valid]
        m = e.sum() / b.sum()
        if m == 0:
            out[valid] = 0.0
        else:
            r = e / b
            s2 = (b * (r - m) ** 2).sum() / b.sum()
            between = max(s2 - m / b.mean(), 0.0)
            w = between / (between + m / b)
            out[valid] = PER * (w * r + (1.0 - w) * m)
    return _wrap(out, index, "eb_rate_per_1000")
