"""Emerging hot spots: how each ward's Gi* hot/cold status changes month by month.

The method follows ArcGIS Pro's "Emerging Hot Spot Analysis" (also R ``sfdep``):

1. Gi* per ward for every month, each month corrected for the number of wards by
   Benjamini-Hochberg: :func:`hotspots.stats.getis_ord.gi_star_by_month`, the same Gi*
   engine as the whole-period hot spots (as esda's emerging analysis is built on
   ``G_Local``);
2. a Mann-Kendall trend test on each ward's series of Gi* z-scores
   (:func:`mann_kendall`);
3. a class per ward from its sequence of significant hot / cold months and the trend
   (:func:`classify_emerging`).

References
----------
Mann, H. B. (1945). Nonparametric tests against trend. *Econometrica*, 13(3), 245-259.

Kendall, M. G. (1975). *Rank Correlation Methods*, 4th ed. London: Griffin.

Esri. "How Emerging Hot Spot Analysis works", ArcGIS Pro documentation.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from hotspots.stats.phrases import EMERGING_CODES, Phrase, emerging_class

__all__ = [
    "EMERGING_CLASSES",
    "EMERGING_COLUMNS",
    "MIN_STEPS",
    "NO_PATTERN",
    "P_COLUMNS",
    "EmergingSettings",
    "MannKendall",
    "classify_emerging",
    "mann_kendall",
    "not_enough_months",
]

#: Columns of :func:`classify_emerging`'s result, in order.
EMERGING_COLUMNS = ["ward_code", "emerging_class", "hot_steps", "cold_steps", "trend_z", "trend_p"]

#: Label for a ward that fits no class.
NO_PATTERN = Phrase("emerging.none")

#: Every class :func:`classify_emerging` can return (legend order).
EMERGING_CLASSES = tuple(Phrase(code) for code in EMERGING_CODES)

#: p-value columns :func:`classify_emerging` can read (registry of the choice).
P_COLUMNS = {
    "gi_p_fdr": "Benjamini-Hochberg adjusted across wards, per month (recommended)",
    "gi_p": "raw p-value of the month's Gi* (no correction for the number of wards)",
}

#: Fewest time steps :func:`mann_kendall` accepts (its variance needs at least 3).
MIN_STEPS = 3

#: Fewest time steps the classes are given for by default (the ArcGIS minimum).
ARCGIS_MIN_STEPS = 10


def not_enough_months(k: int, needed: int) -> str:
    """The class given to every ward when there are too few months:
    ``"Not enough months (5 of 10)"``."""
    return Phrase("emerging.too_few", k=int(k), n=int(needed))


_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class EmergingSettings:
    """Settings of :func:`classify_emerging`.

    Parameters
    ----------
    alpha : float, default 0.05
        A month is a significant hot (cold) spot for a ward if its p-value is at most
        ``alpha`` and its Gi* z-score is positive (negative).
    share : float, default 0.90
        "Most of the time": hot in at least this share of the months (ArcGIS: 90 %).
    trend_alpha : float, default 0.05
        Significance level of the Mann-Kendall trend of the Gi* z-scores.
    p_column : str, default "gi_p_fdr"
        Which p-value decides significance: one of :data:`P_COLUMNS`.
    min_steps : int, default 10
        Fewest months the classes are given for (ArcGIS asks for at least 10 time steps:
        with 5, "90 % of the months" means all of them and the Mann-Kendall p-value cannot
        fall below 0.027). With fewer months every ward's class is
        :func:`not_enough_months` instead. At least :data:`MIN_STEPS`.

    Notes
    -----
    The monthly Gi* itself (:func:`hotspots.stats.getis_ord.gi_star_by_month`) has no
    permutations or seed: its p-values are normal-theory, from the z-scores.
    """

    alpha: float = 0.05
    share: float = 0.90
    trend_alpha: float = 0.05
    p_column: str = "gi_p_fdr"
    min_steps: int = ARCGIS_MIN_STEPS

    def __post_init__(self) -> None:
        for name in ("alpha", "trend_alpha"):
            _check_fraction(getattr(self, name), name, upper=0.5)
        _check_fraction(self.share, "share", upper=1.0)
        if self.share <= 0.5:
            raise ValueError(f"share must be above 0.5 (ArcGIS uses 0.90), got {self.share}")
        if self.p_column not in P_COLUMNS:
            raise ValueError(f"p_column must be one of {list(P_COLUMNS)}, got {self.p_column!r}")
        if isinstance(self.min_steps, bool) or not isinstance(self.min_steps, int | np.integer):
            raise TypeError(f"min_steps must be a whole number, got {self.min_steps!r}")
        if self.min_steps < MIN_STEPS:
            raise ValueError(
                f"min_steps must be at least {MIN_STEPS} (ArcGIS uses 10), got {self.min_steps}"
            )


def _check_fraction(value: object, name: str, upper: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating):
        raise TypeError(f"{name} must be a number in (0, {upper}], got {value!r}")
    if not 0 < float(value) <= upper:
        raise ValueError(f"{name} must be in (0, {upper}], got {value}")


def _settings(settings: EmergingSettings | None) -> EmergingSettings:
    if settings is None:
        return EmergingSettings()
    if not isinstance(settings, EmergingSettings):
        raise TypeError(f"settings must be an EmergingSettings, got {type(settings).__name__}")
    return settings


# --------------------------------------------------------------------------------------
# Mann-Kendall
# --------------------------------------------------------------------------------------


class MannKendall(NamedTuple):
    """Result of :func:`mann_kendall`."""

    #: Kendall's tau-b between the series and time (-1 to 1; 0 for a constant series).
    tau: float
    #: Normal score of S with tie-corrected variance and continuity correction.
    z: float
    #: Two-sided p-value of ``z``.
    p: float
    #: The Mann-Kendall statistic S = sum over i < j of sign(x_j - x_i).
    s: int


def mann_kendall(series: pd.Series | np.ndarray | Sequence[float]) -> MannKendall:
    """Mann-Kendall test for a monotonic trend, with tie correction.

    For a series ``x_1 .. x_n`` in time order::

        S      = sum_{i<j} sign(x_j - x_i)
        Var(S) = [n(n-1)(2n+5) - sum_t t(t-1)(2t+5)] / 18   (t: sizes of tied groups)
        z      = (S - 1) / sqrt(Var(S)) if S > 0, (S + 1) / sqrt(Var(S)) if S < 0, else 0
        p      = 2 (1 - Phi(|z|))

    ``tau`` is Kendall's tau-b of the series against time,
    ``S / sqrt(n0 (n0 - n1))`` with ``n0 = n(n-1)/2`` and ``n1`` the tied pairs; it
    equals ``scipy.stats.kendalltau(range(n), x).statistic``.

    Parameters
    ----------
    series : pandas.Series or array-like of float
        Values in time order (a Series is taken in its current order), at least
        :data:`MIN_STEPS` of them, all finite.

    Returns
    -------
    MannKendall
        ``(tau, z, p, s)``. A constant series gives ``(0.0, 0.0, 1.0, 0)``.

    Raises
    ------
    TypeError
        If ``series`` is not one-dimensional numbers.
    ValueError
        If it is shorter than :data:`MIN_STEPS` or holds missing or infinite values.
    """
    if isinstance(series, str | bytes) or np.ndim(series) != 1:
        raise TypeError("series must be a one-dimensional Series or array of numbers")
    try:
        x = np.asarray(series, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError("series must hold numbers") from exc
    n = x.size
    if n < MIN_STEPS:
        raise ValueError(f"series must have at least {MIN_STEPS} values, got {n}")
    if not np.isfinite(x).all():
        raise ValueError("series must not hold missing or infinite values")
    diff = np.sign(x[None, :] - x[:, None])
    s = int(np.triu(diff, k=1).sum())
    _, counts = np.unique(x, return_counts=True)
    ties = counts[counts > 1].astype(float)
    var = (n * (n - 1) * (2 * n + 5) - float((ties * (ties - 1) * (2 * ties + 5)).sum())) / 18
    if var <= 0:
        return MannKendall(0.0, 0.0, 1.0, 0)
    if s > 0:
        z = (s - 1) / math.sqrt(var)
    elif s < 0:
        z = (s + 1) / math.sqrt(var)
    else:
        z = 0.0
    p = float(2 * stats.norm.sf(abs(z)))
    n0 = n * (n - 1) / 2
    n1 = float((ties * (ties - 1) / 2).sum())
    tau = s / math.sqrt(n0 * (n0 - n1))
    return MannKendall(float(tau), float(z), p, s)


def mann_kendall_rows(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`mann_kendall`'s ``z`` and ``p`` for every row of a 2-D array at once (same
    tie correction and continuity correction; a constant row gives z 0, p 1)."""
    x = np.asarray(x, dtype=float)
    m, n = x.shape
    s = np.zeros(m)
    for j in range(1, n):  # n steps: n loops of whole-column work
        s += np.sign(x[:, j : j + 1] - x[:, :j]).sum(axis=1)
    ordered = np.sort(x, axis=1)
    new_group = np.ones((m, n), dtype=bool)
    new_group[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    group = np.cumsum(new_group, axis=1) - 1 + (np.arange(m) * n)[:, None]
    t = np.bincount(group.ravel(), minlength=m * n).reshape(m, n).astype(float)
    correction = (t * (t - 1) * (2 * t + 5)).sum(axis=1)
    var = (n * (n - 1) * (2 * n + 5) - correction) / 18
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(var > 0, (s - np.sign(s)) / np.sqrt(np.where(var > 0, var, 1)), 0.0)
    z = np.where(s == 0, 0.0, z)
    p = np.where(var > 0, 2 * stats.norm.sf(np.abs(z)), 1.0)
    return z, p


# --------------------------------------------------------------------------------------
# The panel of months
# --------------------------------------------------------------------------------------


def _check_months(months: pd.Series, name: str) -> None:
    bad = [m for m in pd.unique(months) if not (isinstance(m, str) and _MONTH.match(m))]
    if bad:
        raise ValueError(f"{name} months must be strings 'YYYY-MM', got e.g. {bad[0]!r}")


def _check_panel(frame: pd.DataFrame, name: str) -> None:
    keys = frame[["ward_code", "month"]]
    if keys.isna().any().any():
        raise ValueError(f"{name} has missing ward_code or month values")
    dupes = keys[keys.duplicated()]
    if len(dupes):
        first = dupes.iloc[0]
        raise ValueError(
            f"{name} has {len(dupes)} duplicated (ward_code, month) rows, e.g. "
            f"({first['ward_code']!r}, {first['month']!r})"
        )
    n_wards = keys["ward_code"].nunique()
    n_months = keys["month"].nunique()
    if len(keys) != n_wards * n_months:
        per_ward = keys.groupby("ward_code", sort=True)["month"].nunique()
        short = per_ward[per_ward < n_months]
        raise ValueError(
            f"{name} must have one row for every ward and month ({n_wards} wards x "
            f"{n_months} months = {n_wards * n_months} rows), got {len(keys)}; "
            f"e.g. ward {short.index[0]!r} has {int(short.iloc[0])} months. "
            "Zero-fill missing months"
        )


# --------------------------------------------------------------------------------------
# Classification
# --------------------------------------------------------------------------------------


def _final_run(flags: np.ndarray) -> int:
    """Length of the run of True values at the end of ``flags``."""
    run = 0
    for flag in flags[::-1]:
        if not flag:
            break
        run += 1
    return run


def _classify_one(
    hot: np.ndarray,
    cold: np.ndarray,
    trend_z: float,
    trend_p: float,
    settings: EmergingSettings,
) -> str:
    n = hot.size
    mostly = settings.share * n - 1e-9
    for kind, this, other, sign in (("hot", hot, cold, 1), ("cold", cold, hot, -1)):
        if not this[-1]:
            continue
        if this.sum() >= mostly:
            if trend_p <= settings.trend_alpha and sign * trend_z > 0:
                return emerging_class("intensifying", kind)
            if trend_p <= settings.trend_alpha and sign * trend_z < 0:
                return emerging_class("diminishing", kind)
            return emerging_class("persistent", kind)
        run = _final_run(this)
        before = slice(0, n - run)
        significant_before = (this[before] | other[before]).any()
        if run == 1 and not (this[:-1] | other[:-1]).any():
            return emerging_class("new", kind)
        if run >= 2 and not significant_before:
            return emerging_class("consecutive", kind)
        if other[:-1].any():
            return emerging_class("oscillating", kind)
        return emerging_class("sporadic", kind)
    if hot.sum() >= mostly:
        return emerging_class("historical", "hot")
    if cold.sum() >= mostly:
        return emerging_class("historical", "cold")
    return NO_PATTERN


def classify_emerging(
    gi_by_month: pd.DataFrame, settings: EmergingSettings | None = None
) -> pd.DataFrame:
    """Emerging hot- and cold-spot class of every ward.

    A month is **hot** for a ward if its p-value (column ``settings.p_column``,
    ``gi_p_fdr`` by default) is at most ``settings.alpha`` (0.05) and ``gi_z > 0``;
    **cold** likewise with ``gi_z < 0``. "Mostly hot" means hot in at least
    ``settings.share`` (90 %) of the ``n`` months. The trend is the Mann-Kendall test
    of the ward's ``gi_z`` series (:func:`mann_kendall`), significant if
    ``trend_p <= settings.trend_alpha`` (0.05).

    Rules, applied in this order (cold classes mirror the hot ones with hot and cold
    swapped; for cold spots "intensifying" means ``gi_z`` falling, i.e. the trend z
    negative):

    If the **final month is hot**:

    1. mostly hot and a significant upward trend: **Intensifying hot spot**;
    2. mostly hot and a significant downward trend: **Diminishing hot spot**;
    3. mostly hot otherwise: **Persistent hot spot**;
    4. the final month is the only significant month (hot or cold): **New hot spot**;
    5. an uninterrupted run of at least 2 hot months at the end, and no significant
       month (hot or cold) before the run: **Consecutive hot spot**;
    6. a cold month at some earlier point: **Oscillating hot spot**;
    7. otherwise (hot on and off, never cold): **Sporadic hot spot**.

    If the **final month is cold**: the same rules with hot and cold swapped.

    If the **final month is neither**: **Historical hot spot** if mostly hot,
    **Historical cold spot** if mostly cold, else **No pattern**.

    Rules 4-7 apply only to wards that are *not* mostly hot, so a consecutive or
    sporadic hot spot is hot in fewer than 90 % of months. As in R ``sfdep``, a ward
    with any earlier significant cold month is never "new" or "consecutive" but
    "oscillating". The final month decides between hot and cold classes: a ward hot
    in 90 % of months but cold in the last one is an oscillating cold spot.

    Months are taken in calendar order; a month absent for every ward is not a time
    step (the caller should zero-fill counts before
    :func:`hotspots.stats.getis_ord.gi_star_by_month`).

    Parameters
    ----------
    gi_by_month : pandas.DataFrame
        Columns ``ward_code``, ``month`` ("YYYY-MM"), ``gi_z`` and ``settings.p_column``
        (e.g. the result of :func:`hotspots.stats.getis_ord.gi_star_by_month`); one row
        per ward and month, the same months for every ward.
    settings : EmergingSettings, optional
        Thresholds; defaults to ``EmergingSettings()``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`EMERGING_COLUMNS`, one row per ward in order of first
        appearance: ``emerging_class`` (one of :data:`EMERGING_CLASSES`),
        ``hot_steps`` and ``cold_steps`` (numbers of hot and cold months),
        ``trend_z`` and ``trend_p`` (Mann-Kendall of ``gi_z``).

        **With fewer than** ``settings.min_steps`` **months** (10 by default) no ward is
        classified: ``emerging_class`` is :func:`not_enough_months` for every ward
        (e.g. "Not enough months (5 of 10)"), ``hot_steps`` and ``cold_steps`` are
        counted as usual and ``trend_z``, ``trend_p`` are NaN.

    Raises
    ------
    TypeError
        If ``gi_by_month`` is not a DataFrame or ``settings`` not an EmergingSettings.
    ValueError
        If columns are missing, months are malformed, or the panel has gaps, duplicates
        or missing values.
    """
    settings = _settings(settings)
    if not isinstance(gi_by_month, pd.DataFrame):
        raise TypeError(f"gi_by_month must be a pandas DataFrame, got {type(gi_by_month).__name__}")
    p_col = settings.p_column
    needed = ["ward_code", "month", "gi_z", p_col]
    missing = [c for c in needed if c not in gi_by_month.columns]
    if missing:
        raise ValueError(
            f"gi_by_month is missing column(s) {missing}; "
            f"it has {list(map(str, gi_by_month.columns))}"
        )
    if gi_by_month.empty:
        raise ValueError("gi_by_month has no rows")
    _check_months(gi_by_month["month"], "gi_by_month")
    _check_panel(gi_by_month, "gi_by_month")
    n_months = gi_by_month["month"].nunique()
    for col in ("gi_z", p_col):
        if gi_by_month[col].isna().any():
            raise ValueError(f"gi_by_month column {col!r} has missing values")

    wards = pd.unique(gi_by_month["ward_code"])
    z = gi_by_month.pivot(index="ward_code", columns="month", values="gi_z")
    p = gi_by_month.pivot(index="ward_code", columns="month", values=p_col)
    z = z.reindex(index=wards, columns=sorted(z.columns)).to_numpy(dtype=float)
    p = p.reindex(index=wards, columns=sorted(p.columns)).to_numpy(dtype=float)
    significant = p <= settings.alpha
    hot = significant & (z > 0)
    cold = significant & (z < 0)

    if n_months < settings.min_steps:
        return pd.DataFrame(
            {
                "ward_code": wards,
                "emerging_class": not_enough_months(n_months, settings.min_steps),
                "hot_steps": hot.sum(axis=1).astype("int64"),
                "cold_steps": cold.sum(axis=1).astype("int64"),
                "trend_z": np.nan,
                "trend_p": np.nan,
            },
            columns=EMERGING_COLUMNS,
        )
    trend_z, trend_p = mann_kendall_rows(z)
    rows = []
    for i, code in enumerate(wards):
        label = _classify_one(hot[i], cold[i], float(trend_z[i]), float(trend_p[i]), settings)
        rows.append(
            (
                code,
                label,
                int(hot[i].sum()),
                int(cold[i].sum()),
                float(trend_z[i]),
                float(trend_p[i]),
            )
        )
    out = pd.DataFrame(rows, columns=EMERGING_COLUMNS)
    return out.astype(
        {"hot_steps": "int64", "cold_steps": "int64", "trend_z": float, "trend_p": float}
    )
