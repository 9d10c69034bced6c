"""Spatial weights: which wards are neighbours, the one rule for the whole product.

Two wards are neighbours if their boundaries share at least one vertex (binary queen
contiguity, as ``libpysal.weights.Queen``); islands and separate groups of wards are then
joined to their nearest ward so that every ward has a neighbour and the graph is one
piece (:func:`build_weights`). Gi*, local Moran and the monthly Gi* series use these
weights, and the ward profile's "neighbouring wards" are the same lists
(:func:`ward_neighbours`). What was joined is returned in a :class:`WeightsInfo` so that
the dashboard can say so.

The helpers :func:`binary_copy`, :func:`neighbour_lists`, :func:`aligned_values` and
:func:`in_order_of` put values and weights in one ward order for the statistics.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from libpysal.weights import W
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

__all__ = [
    "LINK_COLUMNS",
    "LINK_REASONS",
    "AddedLink",
    "WeightsInfo",
    "aligned_values",
    "binary_copy",
    "build_weights",
    "in_order_of",
    "neighbour_lists",
    "queen_neighbours",
    "ward_neighbours",
]

#: Columns of :meth:`WeightsInfo.links_frame`, in order.
LINK_COLUMNS = ["ward_code", "neighbour_code", "distance_m", "reason"]

#: Why a link was added by :func:`build_weights`.
LINK_REASONS = ("island", "component")


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


def ward_neighbours(wards: gpd.GeoDataFrame, id_col: str = "ward_code") -> dict[str, list[str]]:
    """Each ward's neighbours by the rule of :func:`build_weights` (the Gi* weights).

    Parameters
    ----------
    wards : geopandas.GeoDataFrame
        As for :func:`build_weights`.
    id_col : str, default "ward_code"
        Column with the unique ward codes.

    Returns
    -------
    dict of str to list of str
        Ward code -> the codes of its neighbours (queen contiguity, plus any link that
        joined its island or separate group to the nearest ward), in input order; a ward
        is never its own neighbour.
    """
    w, _ = build_weights(wards, id_col)
    return {code: [j for j in w.neighbors[code] if j != code] for code in w.id_order}


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


def binary_copy(w: object) -> W:
    """A new binary W with the same neighbour structure (self-links dropped)."""
    if not isinstance(w, W):
        raise TypeError(
            f"w must be libpysal.weights.W (e.g. from build_weights), got {type(w).__name__}"
        )
    neighbours = {k: [j for j in v if j != k] for k, v in w.neighbors.items()}
    copy = W(neighbours, id_order=list(w.id_order), silence_warnings=True)
    copy.transform = "B"
    return copy


def neighbour_lists(w: W) -> list[np.ndarray]:
    """Neighbour positions (in ``w.id_order``) of each ward, self excluded."""
    pos = {code: i for i, code in enumerate(w.id_order)}
    return [
        np.array(sorted(pos[j] for j in w.neighbors[code] if j != code), dtype=np.int64)
        for code in w.id_order
    ]


def aligned_values(values: object, w: W) -> tuple[pd.Series, np.ndarray]:
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


def in_order_of(frame: pd.DataFrame, index: pd.Index) -> pd.DataFrame:
    """The rows of ``frame`` (one per ``ward_code``) in the order of ``index``."""
    position = {code: i for i, code in enumerate(frame["ward_code"])}
    return frame.iloc[[position[code] for code in index]].reset_index(drop=True)
