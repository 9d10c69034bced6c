"""Spatial weights and local hot-spot statistics for electoral wards.

Three steps, each a pure function:

1. :func:`build_weights` turns the wards GeoDataFrame into binary queen-contiguity
   weights and joins islands and separate groups of wards to their nearest ward, so
   that every ward has at least one neighbour and the graph is one piece. What was
   joined is returned in a :class:`WeightsInfo` so that the dashboard can say so.
2. :func:`gi_star` computes the Getis-Ord Gi* statistic per ward (analytic z-score,
   two-sided conditional-permutation p-value over *every* permutation, counted exactly,
   Benjamini-Hochberg adjusted p-value) and labels hot and cold spots at 99 / 95 / 90 %
   confidence. (A random sample of 9,999 permutations moved the All-Wales hot set
   between 42 and 56 wards from one seed to another; the exact count does not move.)
3. :func:`local_moran` computes local Moran's I and its cluster type (High-High,
   Low-Low, High-Low, Low-High).

Notes
-----
esda 2.9 quirks handled here:

* ``esda.G_Local`` and ``esda.Moran_Local`` set ``w.transform`` on the weights they
  are given, and their permutation engine zeroes the diagonal of the cached sparse
  matrix. Both are therefore always given a fresh copy of the weights.
* Their constructors in 2.9 do not take ``alternative=``; their own ``p_sim`` is the
  old "directed" pseudo p-value (the smaller tail, one-sided) and the call raises a
  DeprecationWarning. The p-values returned here are two-sided, recomputed from the
  kept permutation distribution as twice the smaller tail (:func:`two_sided_p`), the
  rule the esda maintainers describe for ``alternative="two-sided"`` (pysal/esda#199).
* ``esda.significance.calculate_significance(..., alternative="two-sided")`` is *not*
  used: with tied permutation values (usual for counts) it counts the whole tied
  minimum of the reference distribution as "outside", so a ward whose Gi* exceeds all
  9,999 permuted values can get p = 0.2 (shown in ``tests/stats/test_spatial.py``).
* The permutation engine seeds NumPy's *global* random generator; the global state is
  saved and restored around each call, so calling these functions does not change
  the random numbers other code sees.

References
----------
Getis, A. and Ord, J. K. (1992). The analysis of spatial association by use of distance
statistics. *Geographical Analysis*, 24(3), 189-206.

Ord, J. K. and Getis, A. (1995). Local spatial autocorrelation statistics: distributional
issues and an application. *Geographical Analysis*, 27(4), 286-306.

Anselin, L. (1995). Local indicators of spatial association - LISA. *Geographical
Analysis*, 27(2), 93-115.

Benjamini, Y. and Hochberg, Y. (1995). Controlling the false discovery rate. *Journal of
the Royal Statistical Society, Series B*, 57(1), 289-300.
"""

from __future__ import annotations

import contextlib
import itertools
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import esda
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from libpysal.weights import W
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from hotspots.seeds import data_seed

__all__ = [
    "GI_CLASSES",
    "GI_COLUMNS",
    "GI_METHODS",
    "LINK_COLUMNS",
    "LINK_REASONS",
    "MORAN_CLUSTERS",
    "MORAN_COLUMNS",
    "NOT_SIGNIFICANT",
    "AddedLink",
    "GiSettings",
    "WeightsInfo",
    "bh_adjust",
    "build_weights",
    "gi_class_labels",
    "gi_star",
    "local_moran",
    "two_sided_p",
]

#: Columns of :func:`gi_star`'s result, in order.
GI_COLUMNS = ["ward_code", "gi_z", "gi_p", "gi_p_fdr", "gi_class"]

#: Columns of :func:`local_moran`'s result, in order.
MORAN_COLUMNS = ["ward_code", "moran_i", "moran_p", "moran_cluster"]

#: Columns of :meth:`WeightsInfo.links_frame`, in order.
LINK_COLUMNS = ["ward_code", "neighbour_code", "distance_m", "reason"]

#: How :func:`gi_star` finds its p-values (registry of :attr:`GiSettings.method`).
GI_METHODS = {
    "exact": "every conditional permutation, counted exactly (values rounded to 1/bins "
    "of their range)",
    "permutation": "random conditional permutations (seeded from the data)",
}

#: Label for a ward that is neither a significant hot nor cold spot / cluster.
NOT_SIGNIFICANT = "Not significant"

#: Gi* classes for the default settings, hottest first (legend order).
GI_CLASSES = (
    "Hot spot 99%",
    "Hot spot 95%",
    "Hot spot 90%",
    NOT_SIGNIFICANT,
    "Cold spot 90%",
    "Cold spot 95%",
    "Cold spot 99%",
)

#: Local Moran cluster labels (legend order).
MORAN_CLUSTERS = ("High-High", "Low-Low", "High-Low", "Low-High", NOT_SIGNIFICANT)

# esda's quadrant codes (Moran_Local.q): 1 HH, 2 LH, 3 LL, 4 HL.
_QUADRANTS = {1: "High-High", 2: "Low-High", 3: "Low-Low", 4: "High-Low"}

#: Why a link was added by :func:`build_weights`.
LINK_REASONS = ("island", "component")


# --------------------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GiSettings:
    """Settings for :func:`gi_star` and :func:`local_moran`.

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
        range (:func:`exact_tails`; no random draws, so nothing moves with a seed), or
        from ``permutations`` random ones. Local Moran uses the same p-values.
    bins : int, default 2048
        Steps of the value range for ``method="exact"`` (at least 16).
    alphas : tuple of float, default (0.01, 0.05, 0.10)
        Significance levels, strictly increasing, each in (0, 0.5]. Level ``a`` gives
        the class "Hot spot {100(1-a)}%" (99 %, 95 %, 90 % by default).
    fdr : bool, default True
        Classify by the Benjamini-Hochberg adjusted p-value (``gi_p_fdr``); if False, by
        the raw permutation p-value (``gi_p``). Also applies to :func:`local_moran`.
    moran_alpha : float, default 0.05
        Significance level of the local Moran clusters, in (0, 0.5].
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


def _confidence(alpha: float) -> str:
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
    settings = _settings(settings)
    hot = tuple(f"Hot spot {_confidence(a)}" for a in settings.alphas)
    cold = tuple(f"Cold spot {_confidence(a)}" for a in reversed(settings.alphas))
    return (*hot, NOT_SIGNIFICANT, *cold)


def _settings(settings: GiSettings | None) -> GiSettings:
    if settings is None:
        return GiSettings()
    if not isinstance(settings, GiSettings):
        raise TypeError(f"settings must be a GiSettings, got {type(settings).__name__}")
    return settings


# --------------------------------------------------------------------------------------
# Weights
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AddedLink:
    """A neighbour link that :func:`build_weights` added to join the graph.

    Parameters
    ----------
    ward_code : str
        A ward of the smaller piece that was joined.
    neighbour_code : str
        The nearest ward outside that piece, which it was joined to.
    distance_m : float
        Distance between the two boundaries, in the units of the CRS (metres for
        EPSG:27700). 0 means they touch but share no boundary vertex.
    reason : str
        ``"island"`` if ``ward_code`` had no queen neighbour at all, ``"component"`` if
        it belonged to a separate group of wards.
    """

    ward_code: str
    neighbour_code: str
    distance_m: float
    reason: str


@dataclass(frozen=True)
class WeightsInfo:
    """What :func:`build_weights` found and changed.

    Parameters
    ----------
    n_wards : int
        Number of wards.
    islands : tuple of str
        Wards with no queen-contiguity neighbour (before joining), in input order.
    n_components : int
        Number of separate pieces of the queen-contiguity graph before joining
        (1 means it was already connected).
    added_links : tuple of AddedLink
        The links added, in the order they were added. Each is symmetric in the
        weights (both wards get the other as a neighbour).
    """

    n_wards: int
    islands: tuple[str, ...] = ()
    n_components: int = 1
    added_links: tuple[AddedLink, ...] = field(default_factory=tuple)

    @property
    def changed(self) -> bool:
        """True if any link was added."""
        return bool(self.added_links)

    def links_frame(self) -> pd.DataFrame:
        """The added links as a table with columns :data:`LINK_COLUMNS`."""
        rows = [
            (link.ward_code, link.neighbour_code, link.distance_m, link.reason)
            for link in self.added_links
        ]
        return pd.DataFrame(rows, columns=LINK_COLUMNS).astype({"distance_m": float})

    def messages(self) -> list[str]:
        """One plain-English sentence per added link, for the dashboard."""
        out = []
        for link in self.added_links:
            what = (
                "has no neighbour sharing a boundary"
                if link.reason == "island"
                else "is in a group of wards separate from the rest"
            )
            out.append(
                f"Ward {link.ward_code} {what}; it was joined to its nearest ward "
                f"{link.neighbour_code} ({link.distance_m:,.0f} m away)."
            )
        return out


def _validate_wards(wards: object, id_col: str) -> list[str]:
    if not isinstance(wards, gpd.GeoDataFrame):
        raise TypeError(f"wards must be a geopandas GeoDataFrame, got {type(wards).__name__}")
    if not isinstance(id_col, str):
        raise TypeError(f"id_col must be a column name (str), got {id_col!r}")
    if id_col not in wards.columns:
        raise ValueError(
            f"wards has no column {id_col!r}; choose one of {list(map(str, wards.columns))}"
        )
    if len(wards) < 2:
        raise ValueError(f"wards must hold at least 2 wards, got {len(wards)}")
    codes = wards[id_col]
    if codes.isna().any():
        raise ValueError(f"{id_col} has {int(codes.isna().sum())} missing value(s)")
    bad = [c for c in codes if not isinstance(c, str)]
    if bad:
        raise TypeError(f"{id_col} values must be strings (codes), got e.g. {bad[0]!r}")
    dupes = codes[codes.duplicated()].unique().tolist()
    if dupes:
        raise ValueError(f"{id_col} must be unique; duplicated: {dupes[:5]}")
    geoms = wards.geometry
    missing = geoms.isna() | geoms.is_empty
    if missing.any():
        raise ValueError(
            f"wards have missing or empty geometry: {codes[missing.to_numpy()].tolist()[:5]}"
        )
    kinds = set(geoms.geom_type)
    if not kinds <= {"Polygon", "MultiPolygon"}:
        raise ValueError(f"wards geometry must be Polygon or MultiPolygon, got {sorted(kinds)}")
    if wards.crs is not None and wards.crs.is_geographic:
        raise ValueError(
            f"wards must be in a projected CRS (EPSG:27700, metres) for distances, "
            f"got {wards.crs.to_string()}; use wards.to_crs(27700)"
        )
    return codes.tolist()


def build_weights(wards: gpd.GeoDataFrame, id_col: str = "ward_code") -> tuple[W, WeightsInfo]:
    """Binary queen-contiguity weights, joined into one connected graph.

    Two wards are neighbours if their boundaries share at least one vertex (queen
    contiguity, ``libpysal.weights.Queen``). Islands (wards with no neighbour) and
    separate groups of wards are then joined one at a time: the smallest piece (ties:
    the piece holding the alphabetically first ward code) is linked to the ward
    outside it that is nearest by boundary-to-boundary distance (ties: the
    alphabetically first pair of codes), until the graph is one piece. Every link is
    symmetric.

    Parameters
    ----------
    wards : geopandas.GeoDataFrame
        One row per ward with (Multi)Polygon geometry in a projected CRS (EPSG:27700).
    id_col : str, default "ward_code"
        Column with the unique ward codes (strings); these become the weights' ids.

    Returns
    -------
    w : libpysal.weights.W
        Binary weights (``transform == "B"``, all weights 1, no self-weights), ids and
        ``id_order`` are the ward codes in input order.
    info : WeightsInfo
        Islands found and links added.

    Raises
    ------
    TypeError
        If ``wards`` is not a GeoDataFrame or the codes are not strings.
    ValueError
        If ``id_col`` is missing, codes are missing or duplicated, a geometry is
        missing, empty or not a polygon, there are fewer than 2 wards, or the CRS is
        geographic (degrees).
    """
    codes = _validate_wards(wards, id_col)
    geoms = np.asarray(wards.geometry.array, dtype=object)
    n = len(codes)
    neighbours = queen_neighbours(geoms)
    island_idx = [i for i in range(n) if not neighbours[i]]

    added: list[AddedLink] = []
    n_components = None
    while True:
        n_comp, labels = _components(neighbours)
        if n_components is None:
            n_components = n_comp
        if n_comp == 1:
            break
        sizes = np.bincount(labels)
        # smallest piece; ties -> the piece with the alphabetically first code
        first_code = {
            lab: min(codes[i] for i in np.flatnonzero(labels == lab)) for lab in range(n_comp)
        }
        piece = min(range(n_comp), key=lambda lab: (sizes[lab], first_code[lab]))
        inside = np.flatnonzero(labels == piece)
        outside = np.flatnonzero(labels != piece)
        tree = shapely.STRtree(geoms[outside])
        pairs, dists = tree.query_nearest(geoms[inside], return_distance=True, all_matches=True)
        best = dists.min()
        candidates = [
            (codes[inside[a]], codes[outside[b]], inside[a], outside[b])
            for a, b, d in zip(pairs[0], pairs[1], dists, strict=True)
            if d <= best
        ]
        code_a, code_b, i, j = min(candidates)
        neighbours[i].add(j)
        neighbours[j].add(i)
        reason = "island" if len(inside) == 1 and i in island_idx else "component"
        added.append(AddedLink(code_a, code_b, float(best), reason))

    w = W(
        {codes[i]: [codes[j] for j in sorted(neighbours[i])] for i in range(n)},
        id_order=codes,
        silence_warnings=True,
    )
    w.transform = "B"
    info = WeightsInfo(
        n_wards=n,
        islands=tuple(codes[i] for i in island_idx),
        n_components=int(n_components),
        added_links=tuple(added),
    )
    return w, info


def queen_neighbours(geoms: np.ndarray) -> list[set[int]]:
    """Queen contiguity by shared vertices (as ``libpysal.weights.Queen``): two polygons
    are neighbours when their boundaries share at least one vertex exactly.

    Vectorised: every boundary vertex is listed with its polygon, identical vertices are
    grouped, and polygons meeting in a group are linked.
    """
    n = len(geoms)
    coords, owner = shapely.get_coordinates(shapely.boundary(geoms), return_index=True)
    neighbours: list[set[int]] = [set() for _ in range(n)]
    if not len(coords):
        return neighbours
    pairs = np.unique(np.column_stack([coords, owner.astype(float)]), axis=0)
    _, group = np.unique(pairs[:, :2], axis=0, return_inverse=True)
    poly = pairs[:, 2].astype(np.int64)
    order = np.argsort(group, kind="stable")
    group, poly = group[order], poly[order]
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    ends = np.r_[starts[1:], len(group)]
    shared = (ends - starts) > 1
    for a, b in zip(starts[shared], ends[shared], strict=True):
        members = poly[a:b]
        for i in members:
            neighbours[int(i)].update(int(j) for j in members if j != i)
    return neighbours


def _components(neighbours: list[set[int]]) -> tuple[int, np.ndarray]:
    n = len(neighbours)
    rows = [i for i, js in enumerate(neighbours) for _ in js]
    cols = [j for js in neighbours for j in js]
    adjacency = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    n_comp, labels = connected_components(adjacency, directed=False)
    return int(n_comp), labels


def _binary_copy(w: object) -> W:
    """A new binary W with the same neighbour structure (self-links dropped)."""
    if not isinstance(w, W):
        raise TypeError(
            f"w must be libpysal.weights.W (e.g. from build_weights), got {type(w).__name__}"
        )
    neighbours = {k: [j for j in v if j != k] for k, v in w.neighbors.items()}
    copy = W(neighbours, id_order=list(w.id_order), silence_warnings=True)
    copy.transform = "B"
    return copy


# --------------------------------------------------------------------------------------
# Statistics
# --------------------------------------------------------------------------------------


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


def two_sided_p(observed: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Two-sided conditional-permutation pseudo p-values: twice the smaller tail.

    For each observation ``i`` with ``R`` permuted values ``reference[i]``::

        p_i = min(1, 2 * (min(#{r >= observed_i}, #{r <= observed_i}) + 1) / (R + 1))

    Ties count as at least as extreme (conservative); values equal up to a relative
    1e-10 are ties, so that rounding in the permutation engine does not break them.

    Parameters
    ----------
    observed : numpy.ndarray
        Shape ``(n,)``: the observed local statistics.
    reference : numpy.ndarray
        Shape ``(n, R)``: the statistics under conditional permutation (esda's
        ``G_Local.rGs`` or ``Moran_Local.rlisas``).

    Returns
    -------
    numpy.ndarray
        Shape ``(n,)``, each in ``[2 / (R + 1), 1]``.

    Raises
    ------
    ValueError
        If the shapes do not fit or there are no permutations.
    """
    obs = np.asarray(observed, dtype=float).reshape(-1)
    ref = np.asarray(reference, dtype=float)
    if ref.ndim != 2 or ref.shape[0] != obs.size or ref.shape[1] == 0:
        raise ValueError(
            f"reference must have shape (n, R) with n = {obs.size} and R >= 1, got {ref.shape}"
        )
    tol = 1e-10 * np.maximum(np.abs(obs), np.finfo(float).tiny)[:, None]
    ge = (ref >= obs[:, None] - tol).sum(axis=1)
    le = (ref <= obs[:, None] + tol).sum(axis=1)
    r = ref.shape[1]
    return np.minimum(1.0, 2.0 * (np.minimum(ge, le) + 1) / (r + 1))


def _neighbour_lists(w: W) -> list[np.ndarray]:
    """Neighbour positions (in ``w.id_order``) of each ward, self excluded."""
    pos = {code: i for i, code in enumerate(w.id_order)}
    return [
        np.array(sorted(pos[j] for j in w.neighbors[code] if j != code), dtype=np.int64)
        for code in w.id_order
    ]


def _structure(nbrs: list[np.ndarray]) -> bytes:
    """The neighbour lists as bytes (a cache key that cannot be confused with another
    weights object's)."""
    return np.concatenate([[len(a) for a in nbrs], *nbrs]).astype(np.int64).tobytes()


def _draws(n_other: int, k: int, permutations: int, seed: int) -> np.ndarray:
    """``permutations`` rows of ``k`` distinct positions in ``range(n_other)`` (each row a
    random draw without replacement), from one seeded generator."""
    rng = np.random.default_rng(seed)
    k = min(k, n_other)
    draws = rng.integers(0, n_other, size=(permutations, k))
    while k > 1:
        ordered = np.sort(draws, axis=1)
        bad = (ordered[:, 1:] == ordered[:, :-1]).any(axis=1)
        if not bad.any():
            break
        draws[bad] = rng.integers(0, n_other, size=(int(bad.sum()), k))
    return draws


def conditional_tails(
    y: np.ndarray, w: W, permutations: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Conditional-permutation tail counts of each ward's neighbour sum.

    For ward ``i`` with ``k_i`` neighbours, its value is held fixed and ``k_i`` values
    are drawn without replacement from the other ``n - 1`` wards, ``permutations``
    times (the same random draws for every ward, as esda does). Returns, per ward, how
    many permuted sums are ≥ and ≤ the observed sum of its neighbours' values (ties —
    equal up to a relative 1e-10 — count on both sides).

    Gi* (binary weights, self included) and local Moran's I (row-standardised) are both
    monotone in this sum for a fixed focal value, so their two-sided pseudo p-values
    both follow from these counts (:func:`two_sided_from_tails`).
    """
    y = np.asarray(y, dtype=float)
    nbrs = _neighbour_lists(w)
    key = (y.tobytes(), tuple(w.id_order), _structure(nbrs), permutations, seed)
    if key in _TAILS:
        return _TAILS[key]
    n = len(y)
    k_max = max((len(a) for a in nbrs), default=0)
    draws = np.ascontiguousarray(_draws(n - 1, k_max, permutations, seed).T)  # (k, R)
    y0 = y[draws]  # value drawn when the focal ward comes later
    d = y[np.minimum(draws + 1, n - 1)] - y0  # correction when the draw skips the focal
    base = np.cumsum(y0, axis=0)  # base[k - 1]: sum of the first k draws
    ge = np.zeros(n, dtype=np.int64)
    le = np.zeros(n, dtype=np.int64)
    for i, nb in enumerate(nbrs):
        k = len(nb)
        if k == 0:
            ge[i] = le[i] = permutations
            continue
        sums = base[k - 1] + (d[:k] * (draws[:k] >= i)).sum(axis=0)
        obs = y[nb].sum()
        tol = 1e-10 * max(abs(obs), np.finfo(float).tiny)
        ge[i] = np.count_nonzero(sums >= obs - tol)
        le[i] = np.count_nonzero(sums <= obs + tol)
    if len(_TAILS) > 8:
        _TAILS.clear()
    _TAILS[key] = (ge, le)
    return ge, le


#: Tail counts of the last few runs: Gi* and local Moran on the same values and
#: weights share one set of permutations (the statistics are monotone in the same sum).
_TAILS: dict = {}


def two_sided_from_tails(ge: np.ndarray, le: np.ndarray, permutations: int) -> np.ndarray:
    """``min(1, 2 * (min(ge, le) + 1) / (R + 1))`` — as :func:`two_sided_p`."""
    return np.minimum(1.0, 2.0 * (np.minimum(ge, le) + 1) / (permutations + 1))


def permutation_seed(y: np.ndarray, w: W, salt: int) -> int:
    """The seed of the permutations for values ``y`` (in ``w.id_order``) on ``w``: a hash
    of the values, the ward codes, the neighbours and ``salt``."""
    return data_seed(
        y,
        list(w.id_order),
        np.frombuffer(_structure(_neighbour_lists(w)), dtype=np.int64),
        salt=salt,
    )


def _two_sided(y: np.ndarray, w: W, settings: GiSettings) -> np.ndarray:
    """Two-sided conditional-permutation p-values of the neighbour sums, by
    ``settings.method`` (Gi* and local Moran are both monotone in that sum)."""
    if settings.method == "exact":
        ge, le = exact_tails(y, w, settings.bins)
        return np.minimum(1.0, 2.0 * np.minimum(ge, le))
    seed = permutation_seed(y, w, settings.seed)
    ge, le = conditional_tails(y, w, settings.permutations, seed)
    return two_sided_from_tails(ge, le, settings.permutations)


def exact_tails(y: np.ndarray, w: W, bins: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact conditional-permutation tail shares of each ward's neighbour sum.

    The values are rounded to ``bins`` steps of their range, ``b_j = round((y_j - min) /
    (max - min) * bins)``. The number of ``m``-sets of wards with rounded sum ``s`` is the
    coefficient ``c[m, s]`` of ``u^m x^s`` in ``prod_j (1 + u x^(b_j))``, built once for
    all wards. The sets of ``k`` wards *without* ward ``i`` are
    ``c_i[k] = sum_j (-1)^j x^(j b_i) c[k - j]`` (dividing out ward ``i``'s factor), so
    their tail sums are alternating sums of the tail sums of the rows of ``c``. This
    counts every one of the ``C(n - 1, k_i)`` conditional permutations of ward ``i``'s
    neighbours — none is sampled.

    Returns
    -------
    ge, le : numpy.ndarray
        Per ward, the share of those sets whose (rounded) sum is ≥ and ≤ the ward's own
        neighbours' (rounded) sum. Wards without neighbours get 1 and 1.
    """
    y = np.asarray(y, dtype=float)
    nbrs = _neighbour_lists(w)
    key = ("exact", y.tobytes(), tuple(w.id_order), _structure(nbrs), bins)
    if key in _TAILS:
        return _TAILS[key]
    ks = np.array([len(a) for a in nbrs], dtype=np.int64)
    k_max = int(ks.max(initial=0))
    spread = float(np.ptp(y))
    b = (
        np.rint((y - y.min()) / spread * bins).astype(np.int64)
        if spread > 0
        else np.zeros(y.size, dtype=np.int64)
    )
    length = k_max * bins + 1
    c = np.zeros((k_max + 1, length))
    c[0, 0] = 1.0
    for v in b.tolist():  # add one ward at a time: c[m] += x^v c[m - 1]
        for m in range(k_max, 0, -1):
            top = (m - 1) * bins + 1  # c[m - 1] is 0 beyond (m - 1) bins; v <= bins
            c[m, v : v + top] += c[m - 1, :top]
    upper = np.cumsum(c[:, ::-1], axis=1)[:, ::-1]  # upper[m, t]: sets with sum >= t
    lower = np.cumsum(c, axis=1)  # lower[m, t]: sets with sum <= t
    obs = np.array([int(b[nb].sum()) for nb in nbrs], dtype=np.int64)  # <= k_i bins
    ge_sets = np.zeros(y.size)
    le_sets = np.zeros(y.size)
    total = np.zeros(y.size)  # C(n - 1, k_i), counted the same way
    for j in range(k_max + 1):
        m = ks - j
        use = m >= 0
        sign = -1.0 if j % 2 else 1.0
        row = np.where(use, m, 0)
        at = obs - j * b  # sum >= obs  <=>  the rest >= obs - j b
        ge_sets += np.where(use, sign * upper[row, np.maximum(at, 0)], 0.0)
        le_sets += np.where(use & (at >= 0), sign * lower[row, np.maximum(at, 0)], 0.0)
        total += np.where(use, sign * lower[row, -1], 0.0)
    # a ward without neighbours: the one empty set, whose sum 0 is both >= and <= obs = 0
    ge = np.clip(ge_sets / total, 0.0, 1.0)
    le = np.clip(le_sets / total, 0.0, 1.0)
    if len(_TAILS) > 8:
        _TAILS.clear()
    _TAILS[key] = (ge, le)
    return ge, le


def _aligned_values(values: object, w: W) -> tuple[pd.Series, np.ndarray]:
    """Validate ``values`` against ``w``; return it and its values in ``w.id_order``."""
    if not isinstance(values, pd.Series):
        raise TypeError(
            f"values must be a pandas Series indexed by ward_code, got {type(values).__name__}"
        )
    if values.index.has_duplicates:
        dupes = values.index[values.index.duplicated()].unique().tolist()
        raise ValueError(f"values has duplicated ward codes: {dupes[:5]}")
    if not (pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)):
        raise TypeError(f"values must be numbers, got dtype {values.dtype}")
    ids = list(w.id_order)
    missing = sorted(set(ids) - set(values.index))
    extra = sorted(set(values.index) - set(ids), key=str)
    if missing or extra:
        raise ValueError(
            "values must have exactly one value per ward of the weights; "
            f"missing {len(missing)} (e.g. {missing[:3]}), unknown {len(extra)} "
            f"(e.g. {extra[:3]})"
        )
    y = values.reindex(ids).to_numpy(dtype=float)
    if not np.isfinite(y).all():
        raise ValueError(
            f"values must be finite numbers; {int((~np.isfinite(y)).sum())} missing or infinite"
        )
    return values, y


@contextlib.contextmanager
def _global_rng_preserved() -> Iterator[None]:
    """esda's permutation engine calls ``np.random.seed``; undo that afterwards."""
    state = np.random.get_state()
    try:
        yield
    finally:
        np.random.set_state(state)


def _classify_gi(z: np.ndarray, p: np.ndarray, alphas: tuple[float, ...]) -> np.ndarray:
    labels = np.full(z.shape, NOT_SIGNIFICANT, dtype=object)
    # loosest level first, so stricter levels overwrite
    for a in reversed(alphas):
        sig = p <= a
        labels[sig & (z > 0)] = f"Hot spot {_confidence(a)}"
        labels[sig & (z < 0)] = f"Cold spot {_confidence(a)}"
    return labels


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
            The analytic Gi* z-score (esda's ``Zs``); positive means the ward and its
            neighbours have higher values than expected (hot).
        ``gi_p``
            The **two-sided conditional-permutation p-value**: twice the smaller tail.
            With ``settings.method == "exact"`` (the default) the tail is the share of
            *all* ``C(n - 1, k_i)`` sets of neighbours drawn from the other wards whose
            sum is at least as extreme, counted exactly on the values rounded to
            ``settings.bins`` steps of their range (:func:`exact_tails`), so the answer
            depends on the data alone. With ``"permutation"`` it is
            ``min(1, 2 (M + 1) / (R + 1))`` from ``R = settings.permutations`` random
            permutations (:func:`two_sided_p`), seeded from the data and
            ``settings.seed`` (:func:`permutation_seed`); the smallest possible value
            is then ``2 / (R + 1)``. It is not the normal-theory p-value of ``gi_z``.
        ``gi_p_fdr``
            ``gi_p`` adjusted for the number of wards by Benjamini-Hochberg
            (:func:`bh_adjust`).
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
    not depend on the order of ``values``. Runs on one core (``n_jobs=1``). The exact
    count costs about ``n · k_max² · bins / 2`` additions (0.2–0.5 s for the 762 Welsh
    wards on one core).
    """
    settings = _settings(settings)
    w_copy = _binary_copy(w)
    values, y = _aligned_values(values, w)
    if (y < 0).any():
        raise ValueError("values must be non-negative for Gi* (counts or rates)")
    ids = list(w_copy.id_order)
    if np.ptp(y) == 0:
        z = np.zeros(len(y))
        p = np.ones(len(y))
    else:
        with _global_rng_preserved(), warnings.catch_warnings():
            warnings.filterwarnings(
                "ignore", message="The alternative hypothesis", category=DeprecationWarning
            )
            warnings.filterwarnings("ignore", message="The weights matrix is not fully")
            g = esda.G_Local(y, w_copy, transform="B", permutations=0, star=True, n_jobs=1)
        z = np.asarray(g.Zs, dtype=float)
        p = _two_sided(y, w_copy, settings)
    p_fdr = bh_adjust(p)
    labels = _classify_gi(z, p_fdr if settings.fdr else p, settings.alphas)
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
    return _in_order_of(out, values.index)


def _in_order_of(frame: pd.DataFrame, index: pd.Index) -> pd.DataFrame:
    position = {code: i for i, code in enumerate(frame["ward_code"])}
    return frame.iloc[[position[code] for code in index]].reset_index(drop=True)


def local_moran(values: pd.Series, w: W, settings: GiSettings | None = None) -> pd.DataFrame:
    """Local Moran's I clusters and outliers (Anselin 1995).

    Computed by ``esda.Moran_Local`` on a row-standardised copy of ``w``; the two-sided
    conditional-permutation p-value is found as :func:`gi_star` finds it (by
    ``settings.method``: every permutation counted exactly, or random ones seeded from
    the data), since local Moran's I is monotone in the same neighbour sum.

    Parameters
    ----------
    values : pandas.Series
        One number per ward, indexed by ward code, exactly the wards of ``w``.
    w : libpysal.weights.W
        Weights from :func:`build_weights` (not changed).
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
        As :func:`gi_star` (negative values are allowed here).

    Notes
    -----
    If all values are equal, every ward gets ``moran_i = 0``, ``moran_p = 1`` and
    "Not significant".
    """
    settings = _settings(settings)
    w_copy = _binary_copy(w)
    values, y = _aligned_values(values, w)
    ids = list(w_copy.id_order)
    if np.ptp(y) == 0:
        moran_i = np.zeros(len(y))
        p = np.ones(len(y))
        quadrant = np.zeros(len(y), dtype=int)
    else:
        with _global_rng_preserved(), warnings.catch_warnings():
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
        p = _two_sided(y, w_copy, settings)
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
    return _in_order_of(out, values.index)
