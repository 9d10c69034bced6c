"""Getis-Ord Gi*: the one engine of hot and cold spots, for a period and month by month.

* :func:`gi_star_z` is the only place the Gi* z-score is computed (binary weights, the
  ward itself included; the arithmetic of ``esda.G_Local(y, w, transform="B",
  star=True)``, for many columns at once).
* :func:`gi_star` gives each ward of one period its z-score, its two-sided
  conditional-permutation p-value (:mod:`hotspots.stats.permutation`), the
  Benjamini-Hochberg adjusted p-value (:mod:`hotspots.stats.fdr`) and its class at
  99 / 95 / 90 % confidence (:func:`classify_gi`). The ranking's hot-spot columns come
  from here.
* :func:`gi_star_by_month` gives the same z-scores and classes for every month, with the
  normal-theory p-value of the z-score (as ArcGIS's Emerging Hot Spot Analysis does) and
  the correction across wards within each month; the emerging hot-spot classes
  (:mod:`hotspots.stats.emerging`) are built on it, as esda's emerging analysis is built
  on ``G_Local``.

References
----------
Getis, A. and Ord, J. K. (1992). The analysis of spatial association by use of distance
statistics. *Geographical Analysis*, 24(3), 189-206.

Ord, J. K. and Getis, A. (1995). Local spatial autocorrelation statistics: distributional
issues and an application. *Geographical Analysis*, 27(4), 286-306.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from libpysal.weights import W
from scipy import sparse, stats

from hotspots.stats.fdr import bh_adjust
from hotspots.stats.permutation import METHODS, two_sided_pvalues
from hotspots.stats.phrases import gi_class
from hotspots.stats.weights import aligned_values, binary_copy, in_order_of

__all__ = [
    "GI_BY_MONTH_COLUMNS",
    "GI_CLASSES",
    "GI_COLUMNS",
    "GI_METHODS",
    "NOT_SIGNIFICANT",
    "GiSettings",
    "classify_gi",
    "confidence",
    "gi_class_labels",
    "gi_settings",
    "gi_star",
    "gi_star_by_month",
    "gi_star_z",
]

#: Columns of :func:`gi_star`'s result, in order.
GI_COLUMNS = ["ward_code", "gi_z", "gi_p", "gi_p_fdr", "gi_class"]

#: Columns of :func:`gi_star_by_month`'s result, in order.
GI_BY_MONTH_COLUMNS = ["ward_code", "month", "gi_z", "gi_p", "gi_p_fdr", "gi_class"]

#: How :func:`gi_star` finds its p-values (registry of :attr:`GiSettings.method`).
GI_METHODS = METHODS

#: Label for a ward that is neither a significant hot nor cold spot / cluster.
NOT_SIGNIFICANT = gi_class(None)

#: Gi* classes for the default settings, hottest first (legend order).
GI_CLASSES = (
    gi_class("99%"),
    gi_class("95%"),
    gi_class("90%"),
    NOT_SIGNIFICANT,
    gi_class("90%", hot=False),
    gi_class("95%", hot=False),
    gi_class("99%", hot=False),
)

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class GiSettings:
    """Settings for :func:`gi_star` and :func:`hotspots.stats.moran.local_moran`
    (:func:`gi_star_by_month` uses ``alphas`` and ``fdr`` only).

    Parameters
    ----------
    permutations : int, default 9999
        Conditional permutations per ward (at least 99). The smallest attainable
        two-sided pseudo p-value is ``2 / (permutations + 1)``; with 999 it is 0.002,
        too coarse for a false-discovery-rate correction over hundreds of wards.
    seed : int, default 12345
        Salt of the seed of the permutations (0 to 2**32 - 1): they are seeded from a
        hash of the values, the neighbours and this number
        (:func:`hotspots.seeds.data_seed`), so the same data give the same answer.
    method : {"exact", "permutation"}, default "exact"
        How Gi*'s p-value is found (:data:`GI_METHODS`): from *every* conditional
        permutation, counted exactly on the values rounded to ``bins`` steps of their
        range (:func:`hotspots.stats.permutation.exact_tails`; no random draws, so
        nothing moves with a seed), or from ``permutations`` random ones. Local Moran
        uses the same p-values.
    bins : int, default 2048
        Steps of the value range for ``method="exact"`` (at least 16).
    alphas : tuple of float, default (0.01, 0.05, 0.10)
        Significance levels, strictly increasing, each in (0, 0.5]. Level ``a`` gives
        the class "Hot spot {100(1-a)}%" (99 %, 95 %, 90 % by default).
    fdr : bool, default True
        Classify by the Benjamini-Hochberg adjusted p-value (``gi_p_fdr``); if False, by
        the raw p-value (``gi_p``). Also applies to local Moran.
    moran_alpha : float, default 0.05
        Significance level of the local Moran clusters, in (0, 0.5].

    Notes
    -----
    ``permutations`` and ``seed`` act only with ``method="permutation"``; the default
    exact count needs neither.
    """

    permutations: int = 9999
    seed: int = 12345
    alphas: tuple[float, ...] = (0.01, 0.05, 0.10)
    fdr: bool = True
    moran_alpha: float = 0.05
    method: str = "exact"
    bins: int = 2048

    def __post_init__(self) -> None:
        _check_int(self.permutations, "permutations", minimum=99)
        _check_int(self.seed, "seed", minimum=0, maximum=2**32 - 1)
        if self.method not in GI_METHODS:
            raise ValueError(f"method must be one of {list(GI_METHODS)}, got {self.method!r}")
        _check_int(self.bins, "bins", minimum=16)
        if isinstance(self.alphas, str | bytes) or not isinstance(self.alphas, Sequence):
            raise TypeError(
                f"alphas must be a tuple of significance levels such as (0.01, 0.05, 0.10), "
                f"got {self.alphas!r}"
            )
        alphas = tuple(self.alphas)
        if not alphas:
            raise ValueError("alphas must hold at least one level, e.g. (0.01, 0.05, 0.10)")
        for a in alphas:
            _check_level(a, "each of alphas")
        if any(b <= a for a, b in itertools.pairwise(alphas)):
            raise ValueError(
                f"alphas must be strictly increasing, e.g. (0.01, 0.05, 0.10), got {alphas}"
            )
        object.__setattr__(self, "alphas", tuple(float(a) for a in alphas))
        if not isinstance(self.fdr, bool | np.bool_):
            raise TypeError(f"fdr must be True or False, got {self.fdr!r}")
        _check_level(self.moran_alpha, "moran_alpha")


def _check_int(value: object, name: str, minimum: int, maximum: int | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be a whole number, got {value!r}")
    if value < minimum or (maximum is not None and value > maximum):
        upper = f" and at most {maximum}" if maximum is not None else ""
        raise ValueError(f"{name} must be at least {minimum}{upper}, got {value}")


def _check_level(value: object, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating):
        raise TypeError(f"{name} must be a number in (0, 0.5], got {value!r}")
    if not 0 < float(value) <= 0.5:
        raise ValueError(f"{name} must be in (0, 0.5], e.g. 0.05, got {value}")


def confidence(alpha: float) -> str:
    """``0.05`` -> ``"95%"``; ``0.001`` -> ``"99.9%"``."""
    return f"{round(100 * (1 - alpha), 6):g}%"


def gi_class_labels(settings: GiSettings | None = None) -> tuple[str, ...]:
    """The Gi* class labels for ``settings``, hottest first (legend order).

    Parameters
    ----------
    settings : GiSettings, optional
        Defaults to ``GiSettings()``, which gives :data:`GI_CLASSES`.

    Returns
    -------
    tuple of str
        ``("Hot spot 99%", ..., "Not significant", ..., "Cold spot 99%")``.
    """
    settings = gi_settings(settings)
    hot = tuple(gi_class(confidence(a)) for a in settings.alphas)
    cold = tuple(gi_class(confidence(a), hot=False) for a in reversed(settings.alphas))
    return (*hot, NOT_SIGNIFICANT, *cold)


def gi_settings(settings: GiSettings | None) -> GiSettings:
    """``settings``, or ``GiSettings()`` if None; a TypeError for anything else."""
    if settings is None:
        return GiSettings()
    if not isinstance(settings, GiSettings):
        raise TypeError(f"settings must be a GiSettings, got {type(settings).__name__}")
    return settings


def classify_gi(z: np.ndarray, p: np.ndarray, alphas: tuple[float, ...]) -> np.ndarray:
    """Gi* class of each ward: "Hot spot {c}" if ``z > 0`` and ``p <= a``, "Cold spot {c}"
    if ``z < 0`` and ``p <= a``, for the strictest level ``a`` of ``alphas`` met
    (``c`` = :func:`confidence` of ``a``); else :data:`NOT_SIGNIFICANT`."""
    labels = np.full(z.shape, NOT_SIGNIFICANT, dtype=object)
    # loosest level first, so stricter levels overwrite
    for a in reversed(alphas):
        sig = p <= a
        labels[sig & (z > 0)] = gi_class(confidence(a))
        labels[sig & (z < 0)] = gi_class(confidence(a), hot=False)
    return labels


def gi_star_z(values: np.ndarray, w: W) -> np.ndarray:
    """Gi* z-scores (binary weights, the ward itself included) for each column of ``values``.

    ``values`` is (wards in ``w.id_order``) x (time steps, or one column). For ward ``i``
    with ``k_i`` wards in its neighbourhood (itself included) among ``n``, and a column
    ``x`` with sum ``S``, mean ``xbar`` and ``s**2 = mean(x**2) - xbar**2``::

        z_i = (sum_{j in N_i} x_j / S - k_i / n)
              / sqrt(k_i (n - k_i) / (n - 1) / n**2 * s**2 / xbar**2)

    which is ``(sum_{j in N_i} x_j - xbar k_i) / (s sqrt((n k_i - k_i**2) / (n - 1)))``,
    computed in the order of ``esda.G_Local(x, w, transform="B", star=True).Zs`` (esda
    2.9) so that it gives the same numbers to the last bit. A constant column, or a ward
    whose neighbourhood is every ward, gives z = 0 (Gi* is 0 / 0 there).

    Returns
    -------
    numpy.ndarray
        Shape (wards, columns).
    """
    x = np.asarray(values, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    n = x.shape[0]
    m = binary_copy(w).sparse.tocsr().astype(float)
    m = (m + sparse.identity(n, format="csr")).tocsr()
    neighbourhood = m @ x
    k = np.asarray(m.sum(axis=1)).ravel()
    z = np.zeros(x.shape)
    for j in range(x.shape[1]):
        y = np.ascontiguousarray(x[:, j])  # 1-D sums, summed as esda sums them
        if n == 0 or np.ptp(y) == 0:
            continue
        total = y.sum()
        mean = total / n
        variance = (y**2).sum() / n - mean**2
        spread = k * (n - k)
        spread /= n - 1
        spread *= 1 / n**2
        spread *= variance / (mean**2)
        with np.errstate(invalid="ignore", divide="ignore"):
            zj = (neighbourhood[:, j] / total - k / n) / np.sqrt(spread)
        z[:, j] = np.where(spread > 0, zj, 0.0)
    return z


def gi_star(values: pd.Series, w: W, settings: GiSettings | None = None) -> pd.DataFrame:
    """Getis-Ord Gi* hot and cold spots.

    Gi* (Getis and Ord 1992; Ord and Getis 1995) compares the sum of the values in
    each ward and its neighbours with what would be expected if the values were
    spread at random. It uses binary weights with the ward itself included (self-weight
    1): ``esda.G_Local(y, w, transform="B", star=True)``. For ward ``i`` with ``k_i``
    neighbours (itself included) among ``n`` wards, values ``x`` with mean ``xbar`` and
    ``s = sqrt(mean(x**2) - xbar**2)``::

        z_i = (sum_{j in N_i} x_j - xbar k_i) / (s sqrt((n k_i - k_i**2) / (n - 1)))

    Parameters
    ----------
    values : pandas.Series
        One non-negative number per ward (e.g. counts or rates), indexed by ward code,
        exactly the wards of ``w``.
    w : libpysal.weights.W
        Weights from :func:`build_weights`. Only the neighbour structure is used
        (weights are taken as binary); ``w`` itself is not changed.
    settings : GiSettings, optional
        Permutations, seed, significance levels, FDR. Defaults to ``GiSettings()``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`GI_COLUMNS`, one row per ward in the order of ``values``:

        ``gi_z``
            The analytic Gi* z-score (:func:`gi_star_z`, equal to esda's ``Zs``);
            positive means the ward and its neighbours have higher values than expected
            (hot).
        ``gi_p``
            The **two-sided conditional-permutation p-value**: twice the smaller tail.
            With ``settings.method == "exact"`` (the default) the tail is the share of
            *all* ``C(n - 1, k_i)`` sets of neighbours drawn from the other wards whose
            sum is at least as extreme, counted exactly on the values rounded to
            ``settings.bins`` steps of their range
            (:func:`hotspots.stats.permutation.exact_tails`), so the answer depends on
            the data alone. With ``"permutation"`` it is
            ``min(1, 2 (M + 1) / (R + 1))`` from ``R = settings.permutations`` random
            permutations (:func:`hotspots.stats.permutation.two_sided_p`), seeded from
            the data and ``settings.seed``
            (:func:`hotspots.stats.permutation.permutation_seed`); the smallest possible
            value is then ``2 / (R + 1)``. It is not the normal-theory p-value of ``gi_z``.
        ``gi_p_fdr``
            ``gi_p`` adjusted for the number of wards by Benjamini-Hochberg
            (:func:`hotspots.stats.fdr.bh_adjust`).
        ``gi_class``
            "Hot spot 99%" if ``gi_z > 0`` and the p-value (``gi_p_fdr`` if
            ``settings.fdr`` else ``gi_p``) is at most 0.01, "Hot spot 95%" if at most
            0.05, "Hot spot 90%" if at most 0.10, mirrored "Cold spot ..." for
            ``gi_z < 0``, else "Not significant" (labels follow ``settings.alphas``;
            see :func:`gi_class_labels`).

    Raises
    ------
    TypeError
        If ``values`` is not a numeric Series, ``w`` not a libpysal W or ``settings`` not
        a :class:`GiSettings`.
    ValueError
        If ``values`` does not match the wards of ``w`` one to one, or holds missing,
        infinite or negative values.

    Notes
    -----
    If all values are equal (e.g. a month with no crimes), Gi* is undefined (0 / 0);
    every ward then gets ``gi_z = 0``, ``gi_p = gi_p_fdr = 1`` and "Not significant".
    The tails are computed in a fixed ward order (``w.id_order``), so the result does
    not depend on the order of ``values``. Runs on one core. The exact
    count costs about ``n · k_max² · bins / 2`` additions (0.2–0.5 s for the 762 Welsh
    wards on one core).
    """
    settings = gi_settings(settings)
    w_copy = binary_copy(w)
    values, y = aligned_values(values, w)
    if (y < 0).any():
        raise ValueError("values must be non-negative for Gi* (counts or rates)")
    ids = list(w_copy.id_order)
    if np.ptp(y) == 0:
        z = np.zeros(len(y))
        p = np.ones(len(y))
    else:
        z = gi_star_z(y, w_copy)[:, 0]
        p = two_sided_pvalues(
            y,
            w_copy,
            settings.method,
            bins=settings.bins,
            permutations=settings.permutations,
            seed=settings.seed,
        )
    p_fdr = bh_adjust(p)
    labels = classify_gi(z, p_fdr if settings.fdr else p, settings.alphas)
    out = pd.DataFrame(
        {
            "ward_code": ids,
            "gi_z": z,
            "gi_p": p,
            "gi_p_fdr": p_fdr,
            "gi_class": labels.tolist(),
        },
        columns=GI_COLUMNS,
    )
    return in_order_of(out, values.index)


def gi_star_by_month(
    monthly: pd.DataFrame,
    w: W,
    value_col: str = "sv_count",
    settings: GiSettings | None = None,
) -> pd.DataFrame:
    """Gi* hot and cold spots for every month with data: the monthly series of
    :func:`gi_star_z`, the input of the emerging hot-spot classes.

    Each month's p-value is the two-sided normal-theory p-value of its z-score,
    ``2 (1 - Phi(|z|))`` (as ArcGIS's Emerging Hot Spot Analysis does), corrected for the
    number of wards within the month by Benjamini-Hochberg; the class follows
    :func:`classify_gi` with ``settings.alphas`` on ``gi_p_fdr`` (``gi_p`` if
    ``settings.fdr`` is False). ``settings.method``, ``permutations``, ``seed`` and
    ``bins`` belong to the whole-period :func:`gi_star` and are not used here.

    Parameters
    ----------
    monthly : pandas.DataFrame
        Long table with ``ward_code``, ``month`` ("YYYY-MM") and ``value_col`` (non-negative
        numbers; missing where a month was not loaded).
    w : libpysal.weights.W
        Weights from :func:`hotspots.stats.weights.build_weights` (not changed).
    value_col : str, default "sv_count"
        Column holding the values.
    settings : GiSettings, optional
        Significance levels and FDR. Defaults to ``GiSettings()``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`GI_BY_MONTH_COLUMNS`, months in calendar order, wards in
        ``w.id_order`` within each month.

    Raises
    ------
    TypeError
        If ``monthly`` is not a DataFrame or ``settings`` not a :class:`GiSettings`.
    ValueError
        If a column is missing, a month is not "YYYY-MM" or a (ward_code, month) pair is
        repeated.

    Notes
    -----
    A month with no value for any ward (not loaded) is left out: it is a gap, not a time
    step of zeros. Within a month, a ward without a value gets that month's mean
    (neutral); wards not in ``w`` are ignored.
    """
    settings = gi_settings(settings)
    _check_monthly(monthly, value_col)
    wide = monthly.assign(**{value_col: monthly[value_col].astype(float)}).pivot(
        index="ward_code", columns="month", values=value_col
    )
    wide = wide.reindex(list(w.id_order))
    wide = wide.loc[:, wide.notna().any(axis=0)]
    wide = wide.fillna(wide.mean(axis=0))
    z = gi_star_z(wide.to_numpy(), w)
    p = 2 * stats.norm.sf(np.abs(z))
    frames = []
    for j, month in enumerate(wide.columns):
        p_fdr = bh_adjust(p[:, j])
        cls = classify_gi(z[:, j], p_fdr if settings.fdr else p[:, j], settings.alphas)
        frames.append(
            pd.DataFrame(
                {
                    "ward_code": wide.index,
                    "month": month,
                    "gi_z": z[:, j],
                    "gi_p": p[:, j],
                    "gi_p_fdr": p_fdr,
                    "gi_class": cls,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)[GI_BY_MONTH_COLUMNS]


def _check_monthly(monthly: object, value_col: str) -> None:
    if not isinstance(monthly, pd.DataFrame):
        raise TypeError(f"monthly must be a pandas DataFrame, got {type(monthly).__name__}")
    missing = [c for c in ("ward_code", "month", value_col) if c not in monthly.columns]
    if missing:
        raise ValueError(
            f"monthly is missing column(s) {missing}; it has {list(map(str, monthly.columns))}"
        )
    bad = [m for m in pd.unique(monthly["month"]) if not (isinstance(m, str) and _MONTH.match(m))]
    if bad:
        raise ValueError(f"monthly months must be strings 'YYYY-MM', got e.g. {bad[0]!r}")
    keys = monthly[["ward_code", "month"]]
    dupes = keys[keys.duplicated()]
    if len(dupes):
        first = dupes.iloc[0]
        raise ValueError(
            f"monthly has {len(dupes)} duplicated (ward_code, month) rows, e.g. "
            f"({first['ward_code']!r}, {first['month']!r})"
        )
