"""Benjamini-Hochberg adjusted p-values (false discovery rate).

One correction for every place that tests many wards at once: Gi* and local Moran
(:mod:`hotspots.stats.getis_ord`, :mod:`hotspots.stats.moran`), the monthly Gi* series
and observed against expected counts (:mod:`hotspots.stats.expected`).

References
----------
Benjamini, Y. and Hochberg, Y. (1995). Controlling the false discovery rate. *Journal of
the Royal Statistical Society, Series B*, 57(1), 289-300.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["bh_adjust"]


def bh_adjust(pvalues: Sequence[float] | np.ndarray | pd.Series) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (false discovery rate).

    For p-values sorted ascending, ``p_(1) <= ... <= p_(m)``, the adjusted value of the
    k-th is ``min(1, min_{j >= k} m * p_(j) / j)``. A ward is significant at FDR ``q``
    if its adjusted p-value is at most ``q``. Same result as
    ``scipy.stats.false_discovery_control(p, method="bh")``.

    Parameters
    ----------
    pvalues : array-like of float
        One-dimensional, each in [0, 1], no missing values.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values in the input order.

    Raises
    ------
    ValueError
        If the input is not one-dimensional or holds values outside [0, 1] or NaN.
    """
    p = np.asarray(pvalues, dtype=float)
    if p.ndim != 1:
        raise ValueError(f"pvalues must be one-dimensional, got shape {p.shape}")
    if np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise ValueError("pvalues must all be in [0, 1] with no missing values")
    m = p.size
    if m == 0:
        return p.copy()
    order = np.argsort(p, kind="mergesort")
    scaled = p[order] * m / np.arange(1, m + 1)
    scaled = np.minimum.accumulate(scaled[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(scaled, 1.0)
    return out
