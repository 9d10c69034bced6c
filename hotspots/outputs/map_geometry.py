"""The ward shapes the map draws: coverage-simplified, in longitude/latitude, rounded.

Pure functions (no Streamlit, no I/O); inputs are never modified.

:func:`display_geometry` simplifies the ward coverage with GEOS coverage simplification
(:func:`shapely.coverage_simplify`, Shapely >= 2.1; ``GeoSeries.simplify_coverage`` in
GeoPandas): every edge shared by two wards is simplified once, so neighbours keep identical
edges and no slivers or gaps open between them. A single tolerance is a poor fit for wards
whose sizes differ 1000-fold (0.25 km² in Cardiff, 400 km² in Powys): a tolerance that makes
the Welsh map small enough turns small urban wards into triangles. So the tolerance grows
with the size of the wards on both sides of an edge (``relative_tolerance`` × √area of the
smaller ward, in powers of two of ``tolerance_m``), applied to nested sub-coverages of ever
smaller wards whose outer boundaries are held fixed — which keeps the coverage valid.
"""

from __future__ import annotations

import contextlib
import math
import warnings

import geopandas as gpd
import numpy as np
import shapely
from shapely.errors import GEOSException

__all__ = [
    "COORDINATE_DECIMALS",
    "DEFAULT_RELATIVE_TOLERANCE",
    "DEFAULT_TOLERANCE_M",
    "DISPLAY_CRS",
    "SIMPLIFICATION_METHODS",
    "display_geometry",
]

#: Leaflet wants longitude/latitude.
DISPLAY_CRS = "EPSG:4326"
#: Simplification happens in metres, in the British National Grid.
_WORK_CRS = "EPSG:27700"

#: Base tolerance (metres) applied to every edge, the coastline included.
DEFAULT_TOLERANCE_M = 150.0
#: An edge between two wards may be simplified by up to this fraction of the √area of the
#: smaller one. 0.25 keeps every Welsh ward within 20 % of its area (median 2 %) and brings
#: the Welsh map with its display properties to about 370 KB; see the module docstring.
DEFAULT_RELATIVE_TOLERANCE = 0.25
#: 5 decimals of a degree: about 1.1 m north-south and 0.7 m east-west in Wales.
COORDINATE_DECIMALS = 5

#: How :func:`display_geometry` simplified, recorded in ``attrs["simplification"]``.
SIMPLIFICATION_METHODS = ("coverage", "cleaned coverage", "per polygon")


def _check_wards(wards: object) -> None:
    if not isinstance(wards, gpd.GeoDataFrame):
        raise TypeError(f"wards must be a GeoDataFrame, got {type(wards).__name__}")
    if "ward_code" not in wards.columns:
        raise ValueError("wards has no 'ward_code' column")
    if wards.crs is None:
        raise ValueError("wards has no CRS; the wards frame is in EPSG:27700")
    geoms = wards.geometry.array
    if len(geoms) == 0:
        raise ValueError("wards is empty")
    if bool((wards.geometry.isna() | wards.geometry.is_empty).any()):
        raise ValueError("wards has missing or empty geometries")
    kinds = set(wards.geometry.geom_type)
    if not kinds <= {"Polygon", "MultiPolygon"}:
        raise ValueError(f"wards geometries must be polygons, found {sorted(kinds)}")


def _check_number(value: object, name: str, minimum: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value) or value < minimum:
        raise ValueError(f"{name} must be a finite number >= {minimum}, got {value}")
    return value


def _sizes(geoms: np.ndarray) -> np.ndarray:
    """√area of each ward (metres): the scale of its shape."""
    return np.sqrt(shapely.area(geoms))


def _scale_aware_simplify(geoms: np.ndarray, tolerance: float, relative: float) -> np.ndarray:
    """Coverage simplification with a tolerance that grows with ward size.

    Tiers ``t = 2·tolerance, 4·tolerance, …`` from the largest down: the wards allowed at
    least ``t`` (``relative`` × √area ≥ t) form a sub-coverage whose *inner* edges are
    simplified at ``t`` while its outer boundary stays fixed (``simplify_boundary=False``),
    so they still match the other wards exactly. A last pass simplifies the whole coverage,
    coastline included, at ``tolerance``.
    """
    out = geoms.copy()
    if relative > 0 and tolerance > 0 and len(geoms) > 1:
        allowed = relative * _sizes(geoms)
        tiers = []
        t = 2.0 * tolerance
        while t <= allowed.max():
            tiers.append(t)
            t *= 2.0
        for t in reversed(tiers):
            members = allowed >= t
            if members.sum() >= 2:
                out[members] = shapely.coverage_simplify(out[members], t, simplify_boundary=False)
    if tolerance > 0:
        out = shapely.coverage_simplify(out, tolerance, simplify_boundary=True)
    return out


def _round(geoms: np.ndarray, decimals: int) -> np.ndarray:
    """Round every coordinate (identically for shared vertices) and drop repeats."""
    rounded = shapely.transform(geoms, lambda xy: np.round(xy, decimals))
    return shapely.remove_repeated_points(rounded, 0.0)


def _single_parts(geoms: np.ndarray) -> np.ndarray:
    """A MultiPolygon of one part becomes its Polygon (shorter GeoJSON)."""
    out = geoms.copy()
    single = (shapely.get_type_id(out) == shapely.GeometryType.MULTIPOLYGON) & (
        shapely.get_num_geometries(out) == 1
    )
    out[single] = shapely.get_geometry(out[single], 0)
    return out


def display_geometry(
    wards: gpd.GeoDataFrame,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    *,
    relative_tolerance: float = DEFAULT_RELATIVE_TOLERANCE,
    decimals: int = COORDINATE_DECIMALS,
) -> gpd.GeoDataFrame:
    """Ward shapes for the map: coverage-simplified, in EPSG:4326, coordinates rounded.

    Parameters
    ----------
    wards : geopandas.GeoDataFrame
        The wards frame (``ward_code`` and polygon geometry; EPSG:27700, other CRSs are
        projected to it first). Other columns are carried over unchanged.
    tolerance_m : float, default 150
        Simplification tolerance in metres for every edge, the coastline included
        (Visvalingam–Whyatt: roughly the square root of the area of the triangles removed).
        0 disables simplification.
    relative_tolerance : float, default 0.25
        An edge shared by two wards is simplified by up to this fraction of the √area of
        the smaller ward (rounded down to ``tolerance_m`` × a power of two), so large rural
        wards lose more vertices than small urban ones. 0 uses ``tolerance_m`` everywhere.
    decimals : int, default 5
        Decimal places kept in longitude and latitude (5 ≈ 1 m).

    Returns
    -------
    geopandas.GeoDataFrame
        A new frame, same rows and columns, in EPSG:4326. One-part MultiPolygons become
        Polygons. ``attrs["simplification"]`` is one of :data:`SIMPLIFICATION_METHODS`.

    Raises
    ------
    TypeError
        ``wards`` is not a GeoDataFrame, or a tolerance is not a number.
    ValueError
        No ``ward_code`` column, no CRS, empty or non-polygon geometry, negative tolerance.

    Warns
    -----
    UserWarning
        The wards are not a valid coverage (overlaps or mismatched edges) and
        :func:`shapely.coverage_clean` could not repair them: each polygon is then
        simplified on its own (topology-preserving), which can open slivers between
        neighbours.

    Notes
    -----
    Coverage simplification needs a valid coverage: no overlaps and identical vertices
    along shared edges (:func:`shapely.coverage_is_valid`). Published boundaries usually
    are one; when they are not, :func:`shapely.coverage_clean` snaps and merges overlaps
    first ("cleaned coverage"). Rounding is applied after simplification; equal input
    coordinates round to equal outputs, so shared edges stay shared.
    """
    _check_wards(wards)
    tolerance = _check_number(tolerance_m, "tolerance_m")
    relative = _check_number(relative_tolerance, "relative_tolerance")
    if (
        isinstance(decimals, bool)
        or not isinstance(decimals, (int, np.integer))
        or not (0 <= decimals <= 15)
    ):
        raise ValueError(f"decimals must be an integer from 0 to 15, got {decimals!r}")

    work = wards.geometry if wards.crs.equals(_WORK_CRS) else wards.geometry.to_crs(_WORK_CRS)
    geoms = np.asarray(work.array, dtype=object)

    method = "coverage"
    if not shapely.coverage_is_valid(geoms):
        method = "per polygon"
        with contextlib.suppress(GEOSException, AttributeError):  # AttributeError: < 2.2
            cleaned = shapely.coverage_clean(geoms)
            if not shapely.is_empty(cleaned).any() and shapely.coverage_is_valid(cleaned):
                geoms, method = cleaned, "cleaned coverage"

    if method == "per polygon":
        warnings.warn(
            "the wards are not a valid polygon coverage (overlaps or edges that "
            "do not match) and could not be cleaned: simplifying each ward on its "
            "own, which can leave slivers between neighbours",
            UserWarning,
            stacklevel=2,
        )
        simplified = shapely.simplify(geoms, tolerance, preserve_topology=True)
    else:
        simplified = _scale_aware_simplify(geoms, tolerance, relative)
        if not shapely.coverage_is_valid(simplified):  # defensive: GEOS guarantees it
            simplified = shapely.coverage_simplify(geoms, tolerance)

    lonlat = gpd.GeoSeries(simplified, crs=_WORK_CRS).to_crs(DISPLAY_CRS).array
    shapes = _single_parts(_round(np.asarray(lonlat, dtype=object), int(decimals)))

    name = wards.geometry.name
    out = gpd.GeoDataFrame(
        wards.drop(columns=name),
        geometry=gpd.GeoSeries(shapes, index=wards.index, crs=DISPLAY_CRS, name=name),
    )
    out.attrs = {
        **wards.attrs,
        "simplification": method,
        "tolerance_m": tolerance,
        "relative_tolerance": relative,
        "decimals": int(decimals),
    }
    return out


def area_outlines(shapes: gpd.GeoDataFrame, by: str, name: str | None = None) -> gpd.GeoDataFrame:
    """The display shapes dissolved by ``by`` (e.g. local authority code): one outline per
    area, with a point inside it to write its name at.

    Parameters
    ----------
    shapes : geopandas.GeoDataFrame
        From :func:`display_geometry` (coordinates rounded; neighbours share edges).
    by : str
        The column to dissolve by.
    name : str, optional
        A column carried over (its first value per area).

    Returns
    -------
    geopandas.GeoDataFrame
        ``by`` (sorted), ``name`` when given, ``label_point`` (a Point inside the largest
        part) and the geometry, in the CRS of ``shapes``.
    """
    if by not in shapes.columns or (name is not None and name not in shapes.columns):
        raise ValueError(f"shapes has no column {by!r}" + (f" or {name!r}" if name else ""))
    rows = {by: [], "label_point": [], "geometry": []}
    if name is not None:
        rows[name] = []
    decimals = int(shapes.attrs.get("decimals", COORDINATE_DECIMALS))
    for code, part in shapes.groupby(by, sort=True):
        # On the coordinate grid of the display shapes, so shared edges dissolve exactly.
        merged = shapely.union_all(np.asarray(part.geometry.array), grid_size=10.0**-decimals)
        parts = list(getattr(merged, "geoms", [merged]))
        largest = max(parts, key=lambda g: g.area)
        rows[by].append(code)
        rows["label_point"].append(largest.point_on_surface())
        rows["geometry"].append(merged)
        if name is not None:
            rows[name].append(part[name].iloc[0])
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=shapes.crs)
