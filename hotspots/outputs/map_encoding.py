"""What the map sends to the browser: outlines as polyline strings, compact GeoJSON, values.

Pure functions; inputs are never modified. One outline encoding serves the dashboard's map
and the downloaded map file (:func:`encode_geometry`, decoded by ``map_decode.js`` beside
this module); :func:`to_geojson` is the plain GeoJSON form, for downloads and measurements.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import mapping as _mapping

from hotspots.outputs.map_geometry import DISPLAY_CRS

__all__ = [
    "DECODE_JS",
    "MapGeometry",
    "display_values",
    "dumps_compact",
    "encode_geometry",
    "encode_polyline",
    "encode_rings",
    "payload_bytes",
    "to_geojson",
]

#: The one decoder of :func:`encode_geometry` (Google's polyline algorithm, 5 d.p.), used
#: by the dashboard's map component and inlined in the downloaded map file.
DECODE_JS = (Path(__file__).resolve().parent / "map_decode.js").read_text(encoding="utf-8")


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
        latitude then longitude; decoded by ``map_decode.js``).
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


def encode_rings(geom) -> list[list[str]]:
    """A polygon or multipolygon as a list of polygons, each a list of rings (exterior
    first) as :func:`encode_polyline` strings — the map's one outline encoding."""
    parts = geom.geoms if geom.geom_type == "MultiPolygon" else [geom]
    return [
        [encode_polyline(np.asarray(ring.coords)) for ring in (p.exterior, *p.interiors)]
        for p in parts
    ]


def encode_geometry(shapes: gpd.GeoDataFrame, code_column: str = "ward_code") -> MapGeometry:
    """Encode display shapes once, so a map rerun sends colours and values only.

    Parameters
    ----------
    shapes : geopandas.GeoDataFrame
        From :func:`display_geometry` (EPSG:4326, ``ward_code``, polygons). Not modified.
    code_column : str, default "ward_code"
        The column naming each shape (e.g. ``local_authority_code`` for area outlines).

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
    if not isinstance(shapes, gpd.GeoDataFrame):
        raise TypeError(f"shapes must be a GeoDataFrame, got {type(shapes).__name__}")
    if shapes.crs is None or not shapes.crs.equals(DISPLAY_CRS):
        raise ValueError(
            f"shapes must be in {DISPLAY_CRS} (use display_geometry), got {shapes.crs}"
        )
    if code_column not in shapes.columns:
        raise ValueError(f"shapes has no {code_column} column")
    codes = [str(c) for c in shapes[code_column].tolist()]
    if len(set(codes)) != len(codes):
        raise ValueError("shapes has repeated ward codes")
    rings_out = []
    for code, geom in zip(codes, shapes.geometry.array, strict=True):
        if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
            kind = "missing" if geom is None else geom.geom_type
            raise ValueError(f"ward {code}: geometry must be a non-empty polygon, got {kind}")
        rings_out.append(encode_rings(geom))
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
