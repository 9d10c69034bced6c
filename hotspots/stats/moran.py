"""Local Moran's I: clusters (High-High, Low-Low) and outliers (High-Low, Low-High).

The statistic is esda's ``Moran_Local`` on row-standardised weights; its two-sided
p-value comes from the one conditional-permutation engine
(:func:`hotspots.stats.permutation.two_sided_pvalues`), as Gi*'s does, since local
Moran's I is monotone in the same neighbour sum.

Notes
-----
``esda.Moran_Local`` sets ``w.transform`` on the weights it is given, and its
permutation engine zeroes the diagonal of the cached sparse matrix, so it is always
given a fresh copy of the weights (:func:`hotspots.stats.weights.binary_copy`).

References
----------
Anselin, L. (1995). Local indicators of spatial association - LISA. *Geographical
Analysis*, 27(2), 93-115.
"""

from __future__ import annotations

import warnings

import esda
import numpy as np
import pandas as pd
from libpysal.weights import W

from hotspots.stats.fdr import bh_adjust
from hotspots.stats.getis_ord import NOT_SIGNIFICANT, GiSettings, gi_settings
from hotspots.stats.permutation import global_rng_preserved, two_sided_pvalues
from hotspots.stats.weights import aligned_values, binary_copy, in_order_of

__all__ = ["MORAN_CLUSTERS", "MORAN_COLUMNS", "local_moran"]

#: Columns of :func:`local_moran`'s result, in order.
MORAN_COLUMNS = ["ward_code", "moran_i", "moran_p", "moran_cluster"]

#: Local Moran cluster labels (legend order).
MORAN_CLUSTERS = ("High-High", "Low-Low", "High-Low", "Low-High", NOT_SIGNIFICANT)

# esda's quadrant codes (Moran_Local.q): 1 HH, 2 LH, 3 LL, 4 HL.
_QUADRANTS = {1: "High-High", 2: "Low-High", 3: "Low-Low", 4: "High-Low"}


def local_moran(values: pd.Series, w: W, settings: GiSettings | None = None) -> pd.DataFrame:
    """Local Moran's I clusters and outliers (Anselin 1995).

    Computed by ``esda.Moran_Local`` on a row-standardised copy of ``w``; the two-sided
    conditional-permutation p-value is found as :func:`hotspots.stats.getis_ord.gi_star`
    finds it (by
    ``settings.method``: every permutation counted exactly, or random ones seeded from
    the data), since local Moran's I is monotone in the same neighbour sum.

    Parameters
    ----------
    values : pandas.Series
        One number per ward, indexed by ward code, exactly the wards of ``w``.
    w : libpysal.weights.W
        Weights from :func:`hotspots.stats.weights.build_weights` (not changed).
    settings : GiSettings, optional
        Permutations, seed, ``moran_alpha`` and ``fdr``. Defaults to ``GiSettings()``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`MORAN_COLUMNS`, one row per ward in the order of ``values``:

        ``moran_i``
            Local Moran's I (esda's ``Is``).
        ``moran_p``
            The p-value the cluster decision is based on: the two-sided
            conditional-permutation p-value, Benjamini-Hochberg adjusted across
            wards if ``settings.fdr`` (the default), raw otherwise.
        ``moran_cluster``
            If ``moran_p <= settings.moran_alpha``: "High-High" (high value, high
            neighbours), "Low-Low", "High-Low" or "Low-High"; else "Not significant".

    Raises
    ------
    TypeError, ValueError
        As :func:`hotspots.stats.getis_ord.gi_star` (negative values are allowed here).

    Notes
    -----
    If all values are equal, every ward gets ``moran_i = 0``, ``moran_p = 1`` and
    "Not significant".
    """
    settings = gi_settings(settings)
    w_copy = binary_copy(w)
    values, y = aligned_values(values, w)
    ids = list(w_copy.id_order)
    if np.ptp(y) == 0:
        moran_i = np.zeros(len(y))
        p = np.ones(len(y))
        quadrant = np.zeros(len(y), dtype=int)
    else:
        with global_rng_preserved(), warnings.catch_warnings():
            warnings.filterwarnings(
                "ignore", message="The alternative hypothesis", category=DeprecationWarning
            )
            # esda divides by the permutation spread, which is 0 for some wards.
            warnings.filterwarnings(
                "ignore", message="invalid value encountered", category=RuntimeWarning
            )
            warnings.filterwarnings("ignore", message="The weights matrix is not fully")
            lm = esda.Moran_Local(y, w_copy, transformation="r", permutations=0, n_jobs=1)
        moran_i = np.asarray(lm.Is, dtype=float)
        p = two_sided_pvalues(
            y,
            w_copy,
            settings.method,
            bins=settings.bins,
            permutations=settings.permutations,
            seed=settings.seed,
        )
        p[np.isclose(y, y.mean(), rtol=0, atol=1e-12 * max(1.0, abs(y.mean())))] = 1.0
        quadrant = np.asarray(lm.q, dtype=int)
    p_used = bh_adjust(p) if settings.fdr else p
    labels = np.full(len(y), NOT_SIGNIFICANT, dtype=object)
    significant = p_used <= settings.moran_alpha
    for code, label in _QUADRANTS.items():
        labels[significant & (quadrant == code)] = label
    out = pd.DataFrame(
        {
            "ward_code": ids,
            "moran_i": moran_i,
            "moran_p": p_used,
            "moran_cluster": labels.tolist(),
        },
        columns=MORAN_COLUMNS,
    )
    return in_order_of(out, values.index)
