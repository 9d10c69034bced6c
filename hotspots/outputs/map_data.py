"""What the ward map ships to the browser: display geometry, compact GeoJSON, classes, colours.

Pure functions (no Streamlit, no I/O); inputs are never modified. The map page calls them in
this order::

    shapes = display_geometry(wards)                      # once per boundary set (cache it)
    cls = classify(frame["rate"], "Quantiles", 5)         # or classify(gi, CATEGORIES, ...)
    colours = palette("YlOrRd", len(cls.labels))
    frame = frame.assign(fill=fill_colours(cls.class_index, colours))
    geojson = to_geojson(shapes.merge(frame, on="ward_code"), ["ward_name", ..., "fill"])

Geometry
--------
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
import json
import math
import re
import warnings
from collections.abc import Iterator, Mapping, Sequence
from typing import NamedTuple

import geopandas as gpd
import mapclassify
import numpy as np
import pandas as pd
import shapely
from shapely.errors import GEOSException
from shapely.geometry import mapping as _mapping

__all__ = [
    "CATEGORIES",
    "COORDINATE_DECIMALS",
    "DEFAULT_RELATIVE_TOLERANCE",
    "DEFAULT_TOLERANCE_M",
    "DISPLAY_CRS",
    "DIVERGING",
    "NO_DATA_COLOUR",
    "NO_DATA_LABEL",
    "SCHEMES",
    "SEQUENTIAL",
    "SIMPLIFICATION_METHODS",
    "Classification",
    "MapGeometry",
    "category_colours",
    "classify",
    "display_geometry",
    "display_values",
    "dumps_compact",
    "encode_geometry",
    "encode_polyline",
    "fill_colours",
    "legend_entries",
    "palette",
    "payload_bytes",
    "to_geojson",
    "top_wards",
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

#: Label of the categorical path of :func:`classify` (class columns such as Gi* classes).
CATEGORIES = "Categories"
#: Fill and legend label for wards without a value.
NO_DATA_COLOUR = "#bdbdbd"
NO_DATA_LABEL = "No data"

#: Classification schemes offered to the user: label → mapclassify classifier.
#: ``k`` is ignored by "Std. mean" (classes at -2, -1, +1, +2 standard deviations).
SCHEMES: dict[str, type] = {
    "Quantiles": mapclassify.Quantiles,
    "Fisher-Jenks": mapclassify.FisherJenks,
    "Equal interval": mapclassify.EqualInterval,
    "Natural breaks": mapclassify.NaturalBreaks,
    "Std. mean": mapclassify.StdMean,
}

#: ColorBrewer sequential palettes (Cynthia Brewer, colorbrewer2.org), light to dark, 3–9.
SEQUENTIAL: dict[str, dict[int, tuple[str, ...]]] = {
    "YlOrRd": {
        3: ("#ffeda0", "#feb24c", "#f03b20"),
        4: ("#ffffb2", "#fecc5c", "#fd8d3c", "#e31a1c"),
        5: ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"),
        6: ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"),
        7: ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"),
        8: ("#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"),
        9: (
            "#ffffcc",
            "#ffeda0",
            "#fed976",
            "#feb24c",
            "#fd8d3c",
            "#fc4e2a",
            "#e31a1c",
            "#bd0026",
            "#800026",
        ),
    },
    "Blues": {
        3: ("#deebf7", "#9ecae1", "#3182bd"),
        4: ("#eff3ff", "#bdd7e7", "#6baed6", "#2171b5"),
        5: ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"),
        6: ("#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"),
        7: ("#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594"),
        8: ("#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594"),
        9: (
            "#f7fbff",
            "#deebf7",
            "#c6dbef",
            "#9ecae1",
            "#6baed6",
            "#4292c6",
            "#2171b5",
            "#08519c",
            "#08306b",
        ),
    },
    "PuRd": {
        3: ("#e7e1ef", "#c994c7", "#dd1c77"),
        4: ("#f1eef6", "#d7b5d8", "#df65b0", "#ce1256"),
        5: ("#f1eef6", "#d7b5d8", "#df65b0", "#dd1c77", "#980043"),
        6: ("#f1eef6", "#d4b9da", "#c994c7", "#df65b0", "#dd1c77", "#980043"),
        7: ("#f1eef6", "#d4b9da", "#c994c7", "#df65b0", "#e7298a", "#ce1256", "#91003f"),
        8: ("#f7f4f9", "#e7e1ef", "#d4b9da", "#c994c7", "#df65b0", "#e7298a", "#ce1256", "#91003f"),
        9: (
            "#f7f4f9",
            "#e7e1ef",
            "#d4b9da",
            "#c994c7",
            "#df65b0",
            "#e7298a",
            "#ce1256",
            "#980043",
            "#67001f",
        ),
    },
}

#: ColorBrewer diverging red–blue, red first (hot spots first, as in the Gi* class order).
DIVERGING: dict[str, dict[int, tuple[str, ...]]] = {
    "RdBu": {
        3: ("#ef8a62", "#f7f7f7", "#67a9cf"),
        4: ("#ca0020", "#f4a582", "#92c5de", "#0571b0"),
        5: ("#ca0020", "#f4a582", "#f7f7f7", "#92c5de", "#0571b0"),
        6: ("#b2182b", "#ef8a62", "#fddbc7", "#d1e5f0", "#67a9cf", "#2166ac"),
        7: ("#b2182b", "#ef8a62", "#fddbc7", "#f7f7f7", "#d1e5f0", "#67a9cf", "#2166ac"),
        8: ("#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#d1e5f0", "#92c5de", "#4393c3", "#2166ac"),
        9: (
            "#b2182b",
            "#d6604d",
            "#f4a582",
            "#fddbc7",
            "#f7f7f7",
            "#d1e5f0",
            "#92c5de",
            "#4393c3",
            "#2166ac",
        ),
    },
}

_HEX = re.compile(r"#[0-9a-fA-F]{6}")


# --------------------------------------------------------------------------------------
# Geometry
# --------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------
# GeoJSON
# --------------------------------------------------------------------------------------


def _json_value(value: object, float_decimals: int | None) -> object:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if not math.isfinite(value):
            return None
        if float_decimals is not None:
            value = round(value, float_decimals)
            return int(value) if value.is_integer() and float_decimals == 0 else value
        return value
    if isinstance(value, str):
        return value
    with contextlib.suppress(TypeError, ValueError):
        if pd.isna(value):
            return None
    return str(value)


def to_geojson(
    frame: gpd.GeoDataFrame,
    properties: Sequence[str],
    *,
    float_decimals: int | None = None,
) -> dict:
    """A compact GeoJSON FeatureCollection with only the display properties.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Display shapes with their values, in EPSG:4326 (from :func:`display_geometry`
        merged with the ward figures). Must have ``ward_code``.
    properties : sequence of str
        The properties to ship. ``ward_code`` is always shipped, first.
    float_decimals : int, optional
        Round float properties to this many decimals (``None``: as they are).

    Returns
    -------
    dict
        ``{"type": "FeatureCollection", "features": [...]}``; each feature has only
        ``type``, ``properties`` and ``geometry`` (no ``id``, no ``bbox``). NaN, NA and
        None become ``null``; NumPy scalars become Python ones, so ``json.dumps`` works.

    Raises
    ------
    TypeError
        ``frame`` is not a GeoDataFrame or ``properties`` is a string.
    ValueError
        A property is missing, the CRS is not EPSG:4326, or a geometry is missing.
    """
    if not isinstance(frame, gpd.GeoDataFrame):
        raise TypeError(f"frame must be a GeoDataFrame, got {type(frame).__name__}")
    if isinstance(properties, str):
        raise TypeError("properties must be a list of column names, not a string")
    if frame.crs is None or not frame.crs.equals(DISPLAY_CRS):
        raise ValueError(f"frame must be in {DISPLAY_CRS} (use display_geometry), got {frame.crs}")
    names = list(dict.fromkeys(["ward_code", *properties]))
    missing = [p for p in names if p not in frame.columns]
    if missing:
        raise ValueError(f"frame has no column(s) {missing}")
    if frame.geometry.name in names:
        raise ValueError("the geometry column is not a property")
    if bool(frame.geometry.isna().any()):
        raise ValueError("frame has missing geometries")
    if float_decimals is not None and (
        isinstance(float_decimals, bool)
        or not isinstance(float_decimals, (int, np.integer))
        or float_decimals < 0
    ):
        raise ValueError(f"float_decimals must be a non-negative integer, got {float_decimals!r}")

    columns = [frame[n].tolist() for n in names]
    features = []
    for i, geom in enumerate(frame.geometry.array):
        props = {
            n: _json_value(col[i], float_decimals) for n, col in zip(names, columns, strict=True)
        }
        features.append({"type": "Feature", "properties": props, "geometry": _mapping(geom)})
    return {"type": "FeatureCollection", "features": features}


# --------------------------------------------------------------------------------------
# Compact map layers (what the dashboard's map component draws)
# --------------------------------------------------------------------------------------


class MapGeometry(NamedTuple):
    """Ward outlines encoded once per area, for the dashboard's map.

    Attributes
    ----------
    key : str
        A digest of ``encoded``: the map redraws its wards only when it changes.
    codes : tuple of str
        Ward codes, in the order of ``encoded``.
    encoded : str
        JSON text ``{"codes": [...], "rings": [[[polyline, ...], ...], ...]}``: per ward a
        list of polygons, each a list of rings as Google polyline strings (5 decimals,
        latitude then longitude; the decoder is in ``dashboard/map_component``).
    bounds : tuple
        ``((south, west), (north, east))`` in degrees.
    """

    key: str
    codes: tuple[str, ...]
    encoded: str
    bounds: tuple[tuple[float, float], tuple[float, float]]


def encode_polyline(coords: np.ndarray) -> str:
    """One ring as a Google polyline string (5 decimals; latitude then longitude).

    Parameters
    ----------
    coords : numpy.ndarray
        ``(n, 2)`` longitude, latitude pairs in degrees.

    Returns
    -------
    str
        Characters ``?`` (63) to ``~`` (126) only.
    """
    xy = np.rint(np.asarray(coords, dtype=float)[:, ::-1] * 1e5).astype(np.int64)
    deltas = np.diff(xy, axis=0, prepend=np.zeros((1, 2), dtype=np.int64)).ravel()
    v = np.where(deltas < 0, ~(deltas << 1), deltas << 1)
    out: list[str] = []
    for value in v.tolist():
        while value >= 0x20:
            out.append(chr((0x20 | (value & 0x1F)) + 63))
            value >>= 5
        out.append(chr(value + 63))
    return "".join(out)


def encode_geometry(shapes: gpd.GeoDataFrame) -> MapGeometry:
    """Encode display shapes once, so a map rerun sends colours and values only.

    Parameters
    ----------
    shapes : geopandas.GeoDataFrame
        From :func:`display_geometry` (EPSG:4326, ``ward_code``, polygons). Not modified.

    Returns
    -------
    MapGeometry

    Raises
    ------
    TypeError
        ``shapes`` is not a GeoDataFrame.
    ValueError
        The CRS is not EPSG:4326, ``ward_code`` is missing or repeated, or a geometry is
        missing, empty or not a polygon.
    """
    import hashlib

    if not isinstance(shapes, gpd.GeoDataFrame):
        raise TypeError(f"shapes must be a GeoDataFrame, got {type(shapes).__name__}")
    if shapes.crs is None or not shapes.crs.equals(DISPLAY_CRS):
        raise ValueError(
            f"shapes must be in {DISPLAY_CRS} (use display_geometry), got {shapes.crs}"
        )
    if "ward_code" not in shapes.columns:
        raise ValueError("shapes has no ward_code column")
    codes = [str(c) for c in shapes["ward_code"].tolist()]
    if len(set(codes)) != len(codes):
        raise ValueError("shapes has repeated ward codes")
    rings_out = []
    for code, geom in zip(codes, shapes.geometry.array, strict=True):
        if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
            kind = "missing" if geom is None else geom.geom_type
            raise ValueError(f"ward {code}: geometry must be a non-empty polygon, got {kind}")
        parts = geom.geoms if geom.geom_type == "MultiPolygon" else [geom]
        rings_out.append(
            [
                [encode_polyline(np.asarray(ring.coords)) for ring in (p.exterior, *p.interiors)]
                for p in parts
            ]
        )
    encoded = json.dumps({"codes": codes, "rings": rings_out}, separators=(",", ":"))
    west, south, east, north = (float(v) for v in shapes.total_bounds)
    return MapGeometry(
        key=hashlib.blake2b(encoded.encode(), digest_size=12).hexdigest(),
        codes=tuple(codes),
        encoded=encoded,
        bounds=((south, west), (north, east)),
    )


def _json_column(values: pd.Series, float_decimals: int | None) -> list:
    """:func:`_json_value` of every item, vectorised for float, integer and text columns."""
    dtype = values.dtype
    if (
        pd.api.types.is_float_dtype(dtype) and float_decimals != 0
    ) or pd.api.types.is_integer_dtype(dtype):
        is_int = pd.api.types.is_integer_dtype(dtype)
        arr = values.to_numpy(dtype=float, na_value=np.nan)
        if float_decimals is not None and not is_int:
            arr = np.round(arr, float_decimals)
        ok = np.isfinite(arr).tolist()
        items = arr.astype(np.int64, copy=False).tolist() if is_int and all(ok) else arr.tolist()
        if is_int:
            items = [int(v) if k else None for v, k in zip(items, ok, strict=True)]
        else:
            items = [v if k else None for v, k in zip(items, ok, strict=True)]
        return items
    if pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
        return values.astype(object).where(values.notna(), None).tolist()
    return [_json_value(v, float_decimals) for v in values.tolist()]


def display_values(
    frame: pd.DataFrame, properties: Sequence[str], *, float_decimals: int | None = None
) -> list[list]:
    """Per row, the JSON-ready values of ``properties`` (NaN/NA → None, NumPy → Python).

    Parameters
    ----------
    frame : pandas.DataFrame
        Not modified.
    properties : sequence of str
        Columns, in the order wanted.
    float_decimals : int, optional
        Round floats to this many decimals.

    Returns
    -------
    list of list
        One list per row of ``frame``.

    Raises
    ------
    ValueError
        A property is missing.
    """
    if isinstance(properties, str):
        raise TypeError("properties must be a list of column names, not a string")
    missing = [p for p in properties if p not in frame.columns]
    if missing:
        raise ValueError(f"frame has no column(s) {missing}")
    columns = [_json_column(frame[p], float_decimals) for p in properties]
    return (
        [list(row) for row in zip(*columns, strict=True)]
        if columns
        else [[] for _ in range(len(frame))]
    )


def dumps_compact(geojson: dict) -> str:
    """``geojson`` as compact JSON text (no spaces; non-ASCII as ``\\uXXXX``, as folium
    embeds it)."""
    return json.dumps(geojson, separators=(",", ":"), allow_nan=False)


def payload_bytes(geojson: dict) -> int:
    """Size in bytes (UTF-8) of :func:`dumps_compact` of ``geojson``."""
    return len(dumps_compact(geojson).encode("utf-8"))


# --------------------------------------------------------------------------------------
# Classification
# --------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------
# Colours
# --------------------------------------------------------------------------------------


def palette(name: str, k: int) -> tuple[str, ...]:
    """``k`` ColorBrewer colours of palette ``name`` (:data:`SEQUENTIAL` or
    :data:`DIVERGING`), light to dark (red to blue for diverging).

    ``k`` of 1 or 2 takes the ends (or the middle) of the 3-class palette.

    Raises
    ------
    ValueError
        Unknown palette or ``k`` outside 1–9.
    """
    table = SEQUENTIAL.get(name) or DIVERGING.get(name)
    if table is None:
        raise ValueError(f"unknown palette {name!r}; choose from {[*SEQUENTIAL, *DIVERGING]}")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= 9:
        raise ValueError(f"k must be an integer from 1 to 9, got {k!r}")
    if k >= 3:
        return table[int(k)]
    three = table[3]
    return (three[1],) if k == 1 else (three[0], three[2])


def category_colours(categories: Sequence[str], name: str = "RdBu") -> dict[str, str]:
    """Colours for ordered categories from a diverging palette, e.g. Gi* classes
    ("Hot spot 99%" … "Not significant" … "Cold spot 99%") → dark red … white … dark blue.

    Returns
    -------
    dict
        category → hex colour, in the order given (legend order).
    """
    categories = list(categories)
    return dict(zip(categories, palette(name, len(categories)), strict=True))


def fill_colours(
    class_index: Sequence[int] | pd.Series,
    colours: Sequence[str] | Mapping,
    missing: str = NO_DATA_COLOUR,
) -> list[str]:
    """The fill colour of each ward: ``colours[class]``, ``missing`` for class -1.

    ``colours`` is a sequence (one per class) or a mapping whose values are in class order
    (as returned by :func:`category_colours`).

    Raises
    ------
    ValueError
        A class has no colour or a colour is not ``#rrggbb``.
    """
    cols = list(colours.values()) if isinstance(colours, Mapping) else list(colours)
    for c in [*cols, missing]:
        if not isinstance(c, str) or not _HEX.fullmatch(c):
            raise ValueError(f"colours must be '#rrggbb' strings, got {c!r}")
    idx = np.asarray(class_index, dtype="int64")
    if len(idx) and idx.max(initial=-1) >= len(cols):
        raise ValueError(f"class {int(idx.max())} has no colour ({len(cols)} given)")
    return [missing if i < 0 else cols[i] for i in idx]


def legend_entries(
    classification: Classification, colours: Sequence[str] | Mapping, missing: str = NO_DATA_COLOUR
) -> list[tuple[str, str]]:
    """``(label, colour)`` per class, plus ``(NO_DATA_LABEL, missing)`` when a ward has no
    value — what :func:`dashboard.map_component.ward_map` draws as its legend."""
    cols = list(colours.values()) if isinstance(colours, Mapping) else list(colours)
    entries = list(zip(classification.labels, cols, strict=True))
    if bool((np.asarray(classification.class_index) < 0).any()):
        entries.append((NO_DATA_LABEL, missing))
    return entries


def top_wards(frame: pd.DataFrame, column: str, n: int) -> list[str]:
    """Codes of the ``n`` wards with the highest positive ``column`` (e.g. ``drugs_count``),
    highest first; ties broken by ward code. For the drug-offence overlay."""
    if column not in frame.columns or "ward_code" not in frame.columns:
        raise ValueError(f"frame needs columns 'ward_code' and {column!r}")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n!r}")
    values = pd.to_numeric(frame[column], errors="raise")
    keep = pd.DataFrame({"ward_code": frame["ward_code"].astype(str), "v": values})
    keep = keep[keep["v"] > 0].sort_values(["v", "ward_code"], ascending=[False, True])
    return keep["ward_code"].head(int(n)).tolist()


#: Indicators the map can show (registry feeding the selectbox): label → (column, kind,
#: palette). Kind "numeric" is classified with a scheme; "category" uses fixed colours.
MAP_INDICATORS = {
    "Violence rate per 1,000 (smoothed)": ("sv_rate_smoothed", "numeric", "YlOrRd"),
    "Violence (count)": ("sv_count", "numeric", "YlOrRd"),
    "Hotspot score": ("score", "numeric", "PuRd"),
    "Hot spot test (Gi*)": ("gi_class", "category", "RdBu"),
    "Deprivation: residents in the most deprived 20%": ("dep_share_20", "numeric", "Blues"),
    "Drug offence rate per 1,000 (smoothed)": ("drugs_rate_smoothed", "numeric", "PuRd"),
    "Drug offences (count)": ("drugs_count", "numeric", "PuRd"),
}


#: What a ward's tooltip shows on the dashboard map (field → label); the last line, the
#: value of the indicator shown, is labelled with the indicator's name.
TOOLTIP_FIELDS = (
    ("ward_name", "Ward"),
    ("local_authority_name", "Local authority"),
    ("sv_count", "Serious violence"),
    ("rate", "Per 1,000 residents"),
    ("drugs_count", "Drug offences"),
    ("rank_text", "Hotspot rank"),
)


def tooltip_fields(indicator: str) -> list[tuple[str, str]]:
    """:data:`TOOLTIP_FIELDS` plus the indicator's own value, for a key of
    :data:`MAP_INDICATORS`."""
    if indicator not in MAP_INDICATORS:
        raise ValueError(f"unknown indicator {indicator!r}; choose from {list(MAP_INDICATORS)}")
    return [*TOOLTIP_FIELDS, ("value", indicator)]


def tooltip_frame(table: pd.DataFrame, indicator: str, rule=None) -> pd.DataFrame:
    """The map's values per ward: ``table`` plus ``value`` (the indicator shown), with
    small numbers suppressed when a partner's disclosure rule is given.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per ward with ``ward_code``, ``sv_count``, ``drugs_count``,
        ``population``, ``rate`` and the indicator's column (the dashboard's map table).
        Not modified.
    indicator : str
        A key of :data:`MAP_INDICATORS`.
    rule : hotspots.access.disclosure.DisclosureRule, optional
        The partner's rule: counts below its threshold shown as its mark, the rate
        suppressed with its count (and empty where there are no residents), a smoothed
        value shown only as a colour ("shown by colour"). None: exact values.

    Returns
    -------
    pandas.DataFrame
        ``table``'s rows and columns (counts possibly replaced by text) and ``value``.

    Raises
    ------
    ValueError
        Unknown indicator or a missing column.
    """
    from hotspots.access.disclosure import suppress_frame

    if indicator not in MAP_INDICATORS:
        raise ValueError(f"unknown indicator {indicator!r}; choose from {list(MAP_INDICATORS)}")
    column, kind, _ = MAP_INDICATORS[indicator]
    needed = ["ward_code", "sv_count", "drugs_count", "population", "rate", column]
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise ValueError(f"table has no column(s) {missing}")
    out = table.assign(
        value=table[column] if kind == "category" else table[column].astype(float).round(2)
    )
    if rule is None:
        return _with_notes(out)
    shown = suppress_frame(
        out[["sv_count", "drugs_count", "population", "rate"]].fillna(0),
        rule,
        counts=("sv_count", "drugs_count"),
        rates={"rate": ("sv_count", "population")},
    )
    out = out.assign(
        sv_count=shown["sv_count"],
        drugs_count=shown["drugs_count"],
        rate=shown["rate"].where(out["population"] > 0, None),
    )
    if column in ("sv_count", "drugs_count"):
        out = out.assign(value=out[column])
    elif column.endswith("_smoothed"):
        out = out.assign(value="shown by colour")
    return _with_notes(out)


def _with_notes(out: pd.DataFrame) -> pd.DataFrame:
    """Wards without data say so in words ("No data", "counted with WARD"), never 0."""
    if "data_note" not in out.columns:
        return out
    note = out["data_note"].fillna("").astype(str)
    has = note != ""
    if not has.any():
        return out
    text = note.where(~note.str.startswith("no data"), NO_DATA_LABEL)
    cols = {c: out[c].astype(object).mask(has, text) for c in ("sv_count", "drugs_count")}
    cols["rate"] = out["rate"].astype(object).mask(has, None)
    cols["value"] = out["value"].astype(object).mask(has, text)
    return out.assign(**cols)
