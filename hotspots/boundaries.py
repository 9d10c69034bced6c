"""Ward boundaries: GeoJSON, GeoPackage, zipped Shapefile or GeoParquet, in any CRS."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from hotspots.errors import InputError

#: The British National Grid, in which every distance and point test is made.
BNG = "EPSG:27700"

BOUNDARY_COLUMNS = ["ward_code", "ward_name", "local_authority_code", "local_authority_name",
                    "geometry"]

CODE_PATTERNS = [r"wd\d\dcd", r"ward\d\d_?code", r"ward_?code", r"wd_?code", r"code"]
NAME_PATTERNS = [r"wd\d\dnm", r"ward\d\d_?name", r"ward_?name", r"wd_?name", r"name"]
LA_CODE_PATTERNS = [r"lad\d\dcd", r"(lad|ltla)\d\d_?code", r"la_?code",
                    r"local_authority_code"]
LA_NAME_PATTERNS = [r"lad\d\dnm", r"(lad|ltla)\d\d_?name", r"la_?name",
                    r"local_authority_name"]
SUFFIXES = (".geojson", ".json", ".gpkg", ".zip", ".shp", ".parquet", ".geoparquet")


def _match(columns, patterns) -> str | None:
    for pat in patterns:
        for col in columns:
            if re.fullmatch(pat, str(col), re.IGNORECASE):
                return col
    return None


def read_geo(path: str | Path) -> gpd.GeoDataFrame:
    """Read a vector file (GeoJSON, GeoPackage, zipped Shapefile, GeoParquet) as it is."""
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", file=str(path), fix="check the path")
    if path.suffix.lower() not in SUFFIXES:
        raise InputError(f"'{path.suffix}' is not a boundary format the tool reads",
                         file=path.name,
                         expected="GeoJSON, GeoPackage (.gpkg), zipped Shapefile (.zip) or "
                         "GeoParquet (.parquet)")
    try:
        if path.suffix.lower() in (".parquet", ".geoparquet"):
            return gpd.read_parquet(path)
        return gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # pyogrio/pyarrow raise many types for damaged files
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"the file cannot be read as boundaries ({first})", file=path.name,
                         fix="check it opens in QGIS; re-export it as GeoJSON or GeoPackage"
                         ) from None


def load_wards(
    path: str | Path,
    code_column: str | None = None,
    name_column: str | None = None,
) -> gpd.GeoDataFrame:
    """Read ward boundaries and return them in EPSG:27700 with :data:`BOUNDARY_COLUMNS`.

    The code and name columns are detected (``WD22CD``, ``WD23CD``, ``ward22_code``,
    ``ward_code``…) unless given. Local authority columns are carried when present.
    Invalid geometries are repaired with ``make_valid``; empty ones are an error.

    Raises
    ------
    InputError
        No CRS, no code column, duplicate or blank codes, empty or non-polygon geometry.
    """
    path = Path(path)
    gdf = read_geo(path)
    if len(gdf) == 0:
        raise InputError("the file holds no features", file=path.name,
                         expected="one polygon per ward")
    if gdf.crs is None:
        raise InputError("the file has no coordinate reference system", file=path.name,
                         fix="save it with its CRS (a Shapefile needs its .prj file); "
                         "British National Grid is EPSG:27700")
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    code = code_column or _match(cols, CODE_PATTERNS)
    name = name_column or _match(cols, NAME_PATTERNS)
    for given, what in ((code_column, "ward code"), (name_column, "ward name")):
        if given and given not in cols:
            raise InputError(f"there is no column {given!r} for the {what}", file=path.name,
                             expected=f"one of {cols}")
    if code is None:
        raise InputError("no ward code column", file=path.name,
                         expected="a column such as WD22CD, WD23CD or ward22_code",
                         fix=f"name it with --code-column (columns found: {cols})")
    codes = gdf[code].astype("string").str.strip().str.upper()
    blank = codes.isna() | (codes == "")
    if blank.any():
        row = int(blank.to_numpy().nonzero()[0][0]) + 1
        raise InputError("a feature has no ward code", file=path.name, row=row,
                         expected=f"a code in column {code!r} for every feature")
    dup = codes.duplicated()
    if dup.any():
        row = int(dup.to_numpy().nonzero()[0][0]) + 1
        raise InputError(f"ward code {codes.iloc[row - 1]} appears twice", file=path.name,
                         row=row, fix="dissolve the parts into one feature per ward")
    geom = gdf.geometry
    empty = geom.isna() | geom.is_empty
    if empty.any():
        row = int(empty.to_numpy().nonzero()[0][0]) + 1
        raise InputError(f"ward {codes.iloc[row - 1]} has an empty geometry", file=path.name,
                         row=row, expected="a polygon for every ward")
    kinds = set(geom.geom_type)
    if not kinds <= {"Polygon", "MultiPolygon"}:
        raise InputError(f"the geometries are {sorted(kinds)}, not polygons", file=path.name,
                         expected="Polygon or MultiPolygon features")
    la = _match(cols, LA_CODE_PATTERNS)
    lan = _match(cols, LA_NAME_PATTERNS)
    out = gpd.GeoDataFrame({
        "ward_code": codes.to_numpy(),
        "ward_name": (gdf[name].astype("string").str.strip() if name else codes).to_numpy(),
        "local_authority_code": (gdf[la].astype("string").str.strip().str.upper()
                                 if la else pd.Series(pd.NA, index=gdf.index,
                                                      dtype="string")).to_numpy(),
        "local_authority_name": (gdf[lan].astype("string").str.strip()
                                 if lan else pd.Series(pd.NA, index=gdf.index,
                                                       dtype="string")).to_numpy(),
    }, geometry=geom.to_crs(BNG).to_numpy(), crs=BNG)
    invalid = ~out.geometry.is_valid
    if invalid.any():
        fixed = shapely.make_valid(out.geometry.to_numpy()[invalid.to_numpy()])
        polys = [shapely.union_all([g for g in shapely.get_parts(f)
                                    if g.geom_type in ("Polygon", "MultiPolygon")])
                 for f in fixed]
        out.loc[invalid, "geometry"] = polys
    for c in ("ward_code", "ward_name", "local_authority_code", "local_authority_name"):
        out[c] = out[c].astype("string")
    out.attrs["vintage"] = _vintage(code)
    return out.sort_values("ward_code").reset_index(drop=True)


def _vintage(column: str) -> str:
    m = re.search(r"(\d\d)", column)
    return f"20{m.group(1)}" if m else ""
