"""Map classes: each ward's value put into a class (numeric schemes or categories).

Pure functions; inputs are never modified.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator, Sequence
from typing import NamedTuple

import mapclassify
import numpy as np
import pandas as pd

from hotspots.access.disclosure import DisclosureRule
from hotspots.access.partner import is_hidden

__all__ = ["CATEGORIES", "SCHEMES", "Classification", "classify"]

#: Label of the categorical path of :func:`classify` (class columns such as Gi* classes).
CATEGORIES = "Categories"

#: Classification schemes offered to the user: label → mapclassify classifier.
#: ``k`` is ignored by "Std. mean" (classes at -2, -1, +1, +2 standard deviations).
SCHEMES: dict[str, type] = {
    "Quantiles": mapclassify.Quantiles,
    "Fisher-Jenks": mapclassify.FisherJenks,
    "Equal interval": mapclassify.EqualInterval,
    "Natural breaks": mapclassify.NaturalBreaks,
    "Std. mean": mapclassify.StdMean,
}


class Classification(NamedTuple):
    """How a column maps to classes; unpacks as ``bins, labels, class_index``.

    Attributes
    ----------
    bins : tuple
        Numeric schemes: the upper bound of each class (the last is the maximum).
        Categories: the categories, in legend order.
    labels : tuple of str
        One legend label per class.
    class_index : pandas.Series
        Per value (same index as the input): its class, 0-based, or -1 when missing.
    """

    bins: tuple
    labels: tuple
    class_index: pd.Series


@contextlib.contextmanager
def _seeded_global_rng(seed: int) -> Iterator[None]:
    """Natural breaks (scikit-learn k-means) draws from NumPy's global RNG: seed it for
    repeatable classes, then put the caller's state back."""
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


#: Fisher–Jenks keeps the whole n×n matrix of within-class sums up to this many values.
_FJ_WHOLE_MAX = 1_500


def _fisher_jenks_bins(y: np.ndarray, k: int) -> np.ndarray:
    """Exact Fisher–Jenks breaks (minimum within-class sum of squares), vectorised.

    The same optimum as :class:`mapclassify.FisherJenks`, whose pure-Python loop takes about
    2 s on 800 values without numba (deliberately not installed; see the browser-testing
    notes). Dynamic programming over the sorted values in column blocks, so memory stays
    near 16 MB whatever the number of wards.
    """
    xs = np.sort(y.astype(float))
    x = xs - xs.mean()  # centred: less cancellation in the sums of squares
    n = len(x)
    s1 = np.concatenate([[0.0], np.cumsum(x)])
    s2 = np.concatenate([[0.0], np.cumsum(x * x)])
    rows = np.arange(n)[:, None]

    def ssd(cols: np.ndarray) -> np.ndarray:
        """Sum of squared deviations of x[i..j] for every start i and each end j in cols."""
        j = cols[None, :]
        count = np.maximum(j - rows + 1, 1)
        value = (s2[j + 1] - s2[rows]) - (s1[j + 1] - s1[rows]) ** 2 / count
        return np.where(j >= rows, np.maximum(value, 0.0), np.inf)

    ends_at = np.arange(n)
    cost = np.maximum(s2[1:] - s1[1:] ** 2 / (ends_at + 1), 0.0)  # one class over 0..j
    block = max(1, 2_000_000 // n)
    # Up to 1,500 values (Wales has 762 wards) the matrix of within-class sums is made
    # once (18 MB) and reused for every class; beyond that it is remade per column block.
    whole = ssd(ends_at) if n <= _FJ_WHOLE_MAX else None
    starts = []
    for _ in range(2, k + 1):
        prev = np.concatenate([[np.inf], cost[:-1]])  # best cost over 0..i-1, class from i
        new_cost = np.empty(n)
        start = np.empty(n, dtype=np.int64)
        for b in range(0, n, block if whole is None else n):
            cols = ends_at[b : b + block] if whole is None else ends_at
            cand = prev[:, None] + (whole if whole is not None else ssd(cols))
            best = np.argmin(cand, axis=0)
            start[cols] = best
            new_cost[cols] = cand[best, np.arange(len(cols))]
        cost = new_cost
        starts.append(start)
    ends = [n - 1]
    for start in reversed(starts):
        ends.append(int(start[ends[-1]]) - 1)
    return np.unique(xs[[e for e in ends if e >= 0]])


def _decimals_for(y: np.ndarray) -> int:
    spread = float(np.max(y) - np.min(y))
    return 1 if spread >= 10 else 2 if spread >= 0.1 else 3


def _range_labels(bins: np.ndarray, y: np.ndarray) -> tuple[str, ...]:
    """``"lo – hi"`` per class. Whole-number data (counts) get whole-number ranges: class
    ``(b0, b1]`` holds the integers ``floor(b0) + 1 … floor(b1)`` (``"4"`` when one)."""
    low = float(np.min(y))
    if np.all(y == np.round(y)):
        lows = np.concatenate([[low], np.floor(bins[:-1]) + 1])
        highs = np.floor(bins)
        return tuple(
            f"{lo:,.0f}" if lo >= hi else f"{lo:,.0f} – {hi:,.0f}"
            for lo, hi in zip(lows, highs, strict=True)
        )
    d = _decimals_for(y)
    lows = np.concatenate([[low], bins[:-1]])
    return tuple(f"{lo:,.{d}f} – {hi:,.{d}f}" for lo, hi in zip(lows, bins, strict=True))


def _classify_categories(values: pd.Series, categories: Sequence[str] | None) -> Classification:
    if categories is None:
        if isinstance(values.dtype, pd.CategoricalDtype):
            categories = list(values.cat.categories)
        else:
            categories = sorted({str(v) for v in values.dropna()})
    categories = tuple(categories)
    if len(set(categories)) != len(categories):
        raise ValueError("categories must be unique")
    position = {c: i for i, c in enumerate(categories)}
    present = values.dropna()
    unknown = sorted({str(v) for v in present if v not in position})
    if unknown:
        raise ValueError(f"values not among the categories: {unknown[:5]}")
    index = pd.Series(
        [-1 if pd.isna(v) else position[v] for v in values.tolist()],
        index=values.index,
        dtype="int64",
    )
    return Classification(categories, tuple(str(c) for c in categories), index)


def classify(
    values: pd.Series,
    scheme: str,
    k: int = 5,
    *,
    categories: Sequence[str] | None = None,
) -> Classification:
    """Put each ward's value into a map class.

    Parameters
    ----------
    values : pandas.Series
        One value per ward: numbers for the :data:`SCHEMES`, labels for
        :data:`CATEGORIES` (e.g. the ``gi_class`` column). Missing values get class -1.
    scheme : str
        A key of :data:`SCHEMES` ("Quantiles", "Fisher-Jenks", "Equal interval",
        "Natural breaks", "Std. mean") or :data:`CATEGORIES`.
    k : int, default 5
        Number of classes, 2 to 9 (the palettes' range). Fewer are made when there are
        fewer distinct values; "Std. mean" and categories ignore it.
    categories : sequence of str, optional
        Categories in legend order (e.g. ``spatial.gi_class_labels()``). Default: the
        categorical dtype's categories, else the sorted distinct values.

    Returns
    -------
    Classification
        ``(bins, labels, class_index)``. Labels of numeric classes read ``"lo – hi"``
        (the first starts at the minimum); for whole numbers they give the whole numbers
        each class holds ("0 – 3", "4 – 9", "10"). Leading classes that no value
        can fall in (Std. mean below the minimum) are dropped. Natural breaks (k-means) is
        seeded, so the same values always give the same classes.

    Raises
    ------
    TypeError
        ``values`` is not a Series, or a numeric scheme is given non-numeric values.
    ValueError
        Unknown scheme, ``k`` out of range, or values outside ``categories``.
    """
    if not isinstance(values, pd.Series):
        raise TypeError(f"values must be a pandas Series, got {type(values).__name__}")
    if scheme == CATEGORIES:
        return _classify_categories(values, categories)
    if scheme not in SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}; choose from {[*SCHEMES, CATEGORIES]}")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 2 <= k <= 9:
        raise ValueError(f"k must be an integer from 2 to 9, got {k!r}")
    if not (pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)):
        raise TypeError(
            f"scheme {scheme!r} needs numeric values (got dtype {values.dtype}); "
            f"use {CATEGORIES!r} for class labels"
        )

    y_all = values.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    valid = np.isfinite(y_all)
    index = np.full(len(values), -1, dtype="int64")
    y = y_all[valid]
    if len(y) == 0:
        return Classification((), (), pd.Series(index, index=values.index))
    unique = np.unique(y)
    if len(unique) == 1:
        bins = unique
    else:
        kk = min(int(k), len(unique))
        cls = SCHEMES[scheme]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # mapclassify: "k reduced to …"
            if cls is mapclassify.FisherJenks:
                bins = _fisher_jenks_bins(y, kk)
            elif cls is mapclassify.NaturalBreaks:
                with _seeded_global_rng(0):
                    bins = np.asarray(cls(y, k=kk).bins, dtype=float)
            elif cls is mapclassify.StdMean:
                bins = np.asarray(cls(y).bins, dtype=float)
            else:
                bins = np.asarray(cls(y, k=kk).bins, dtype=float)
        bins = np.unique(bins)
        bins = bins[np.searchsorted(bins, y.min(), side="left") :]  # drop empty low classes
        bins[-1] = max(bins[-1], y.max())
    index[valid] = np.minimum(np.searchsorted(bins, y, side="left"), len(bins) - 1)
    labels = _range_labels(bins, y)
    return Classification(
        tuple(float(b) for b in bins), labels, pd.Series(index, index=values.index)
    )


def partner_classify(values: pd.Series, scheme: str, k: int, rule: DisclosureRule):
    """Map classes of a partner count column, with legend labels that name no hidden count.

    The stand-ins are classified as ``threshold - 1`` (the largest value they may hide);
    a class that holds them starts at 1 in its label ("1 – 12" rather than "4 – 12"), as
    such a class may hold any of 1 … ``threshold - 1``.
    """
    v = values.astype(float)
    hidden = is_hidden(v.to_numpy(), rule)
    y = v.where(~hidden, float(rule.threshold - 1))
    cls = classify(y, scheme, k)
    if not len(cls.bins) or not hidden.any():
        return cls
    finite = y.dropna().to_numpy()
    bins = np.asarray(cls.bins, dtype=float)
    lows = np.concatenate([[finite.min()], np.floor(bins[:-1]) + 1])
    highs = np.floor(bins)
    labels = []
    for lo, hi in zip(lows, highs, strict=True):
        if 1 <= lo <= rule.threshold - 1:
            lo = 1.0
        labels.append(f"{lo:,.0f}" if lo >= hi else f"{lo:,.0f} – {hi:,.0f}")
    return Classification(cls.bins, tuple(labels), cls.class_index)
