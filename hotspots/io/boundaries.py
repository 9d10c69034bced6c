"""Ward boundaries: GeoJSON, GeoPackage, zipped Shapefile or GeoParquet, in any CRS."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots.errors import N_, InputError, Text
from hotspots.io.csv_guard import check_size
from hotspots.io.raw import read_member

#: The British National Grid, in which every distance and point test is made.
BNG = "EPSG:27700"

BOUNDARY_COLUMNS = [
    "ward_code",
    "ward_name",
    "local_authority_code",
    "local_authority_name",
    "geometry",
]

CODE_PATTERNS = [r"wd\d\dcd", r"ward\d\d_?code", r"ward_?code", r"wd_?code", r"code"]
NAME_PATTERNS = [r"wd\d\dnm", r"ward\d\d_?name", r"ward_?name", r"wd_?name", r"name"]
LA_CODE_PATTERNS = [r"lad\d\dcd", r"(lad|ltla)\d\d_?code", r"la_?code", r"local_authority_code"]
LA_NAME_PATTERNS = [r"lad\d\dnm", r"(lad|ltla)\d\d_?name", r"la_?name", r"local_authority_name"]
SUFFIXES = (".geojson", ".json", ".gpkg", ".zip", ".shp", ".parquet", ".geoparquet")
#: British National Grid extent, with a margin, that every UK ward lies in (Northern
#: Ireland reaches slightly west of the grid's origin). Wards placed outside it, or
#: smaller than :data:`MIN_EXTENT_M` across, mean the file's CRS does not fit its numbers.
UK_BOUNDS = (-200_000.0, -100_000.0, 800_000.0, 1_300_000.0)
MIN_EXTENT_M = 10.0


def match_column(columns, patterns) -> str | None:
    """The first of ``columns`` matching one of ``patterns`` (tried in order; whole
    name, any case), or None."""
    for pat in patterns:
        for col in columns:
            if re.fullmatch(pat, str(col), re.IGNORECASE):
                return col
    return None


def read_geo(path: str | Path) -> gpd.GeoDataFrame:
    """Read a vector file (GeoJSON, GeoPackage, zipped Shapefile, GeoParquet) as it is."""
    path = Path(path)
    if not path.is_file():
        raise InputError(N_("no such file"), file=str(path), fix=N_("check the path"))
    if path.suffix.lower() not in SUFFIXES:
        raise InputError(
            N_("'{suffix}' is not a boundary format the tool reads"),
            file=path.name,
            expected=N_(
                "GeoJSON, GeoPackage (.gpkg), zipped Shapefile (.zip) or GeoParquet (.parquet)"
            ),
            fix=N_("export it from QGIS as GeoJSON or GeoPackage"),
            values={"suffix": path.suffix},
        )
    check_size(path.stat().st_size, path.name)
    if path.suffix.lower() == ".zip":
        _check_shapefile_zip(path)
    try:
        if path.suffix.lower() in (".parquet", ".geoparquet"):
            frame = gpd.read_parquet(path)
        else:
            # GDAL opens a zip through /vsizip/ only when the name ends in lower-case .zip
            source = f"/vsizip/{path.resolve()}" if path.suffix.lower() == ".zip" else path
            frame = gpd.read_file(source, engine="pyogrio")
    except Exception as exc:  # pyogrio/pyarrow raise many types for damaged files
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        first = first.split("; It might help")[0].replace(str(path), path.name)
        raise InputError(
            N_("the file cannot be read as boundaries ({reason})"),
            file=path.name,
            fix=N_("check it opens in QGIS; re-export it as GeoJSON or GeoPackage"),
            values={"reason": first},
        ) from None
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame:
        raise InputError(
            N_("the file has a table but no geometry"),
            file=path.name,
            expected=N_("ward polygons (a zipped Shapefile needs its .shp, .shx, .dbf and .prj)"),
            fix=N_("export the boundaries again with their shapes"),
        )
    return frame


def _check_shapefile_zip(path: Path) -> None:
    """Refuse a zip that is damaged or does not hold a whole Shapefile, saying which."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, OSError, EOFError):
        raise InputError(
            N_("the zip is damaged or incomplete"),
            file=path.name,
            fix=N_("download or copy it again"),
        ) from None
    shps = [n for n in names if n.lower().endswith(".shp")]
    if not shps:
        nested = [n for n in names if n.lower().endswith(".zip")]
        raise InputError(
            N_("the zip holds no Shapefile (.shp); it holds a zip inside a zip ({inner})")
            if nested
            else N_("the zip holds no Shapefile (.shp)"),
            file=path.name,
            expected=N_("a zipped Shapefile: its .shp, .shx, .dbf and .prj files"),
            fix=N_("unpack the outer zip and load the zip inside")
            if nested
            else N_("zip the Shapefile's files together, or load a GeoJSON or GeoPackage"),
            values={"inner": nested[0] if nested else ""},
        )
    stem = shps[0][:-4].lower()
    lower = {n.lower() for n in names}
    missing = [ext for ext in (".shx", ".dbf") if stem + ext not in lower]
    if missing:
        raise InputError(
            N_("the Shapefile {shapefile} has no {missing} beside it"),
            file=path.name,
            expected=N_("a zipped Shapefile: its .shp, .shx, .dbf and .prj files"),
            fix=N_("zip all the Shapefile's files together"),
            values={
                "shapefile": shps[0],
                "missing": Text(N_("{first} or {last}"), {"first": missing[0], "last": missing[1]})
                if len(missing) > 1
                else missing[0],
            },
        )
    # Every member is unpacked and counted against the size limit before GDAL opens the
    # zip: a header that claims a small size cannot hide gigabytes.
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if not info.is_dir():
                read_member(zf, info, path.name, keep=False)


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
        raise InputError(
            N_("the file holds no features"), file=path.name, expected=N_("one polygon per ward")
        )
    if gdf.crs is None:
        raise InputError(
            N_("the file has no coordinate reference system"),
            file=path.name,
            fix=N_(
                "save it with its CRS (a Shapefile needs its .prj file); "
                "British National Grid is EPSG:27700"
            ),
        )
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    code = code_column or match_column(cols, CODE_PATTERNS)
    name = name_column or match_column(cols, NAME_PATTERNS)
    for given, what in ((code_column, N_("ward code")), (name_column, N_("ward name"))):
        if given and given not in cols:
            raise InputError(
                N_("there is no column {given} for the {what}"),
                file=path.name,
                expected=N_("one of {columns}"),
                values={"given": repr(given), "what": Text(what), "columns": str(cols)},
            )
    if code is None:
        raise InputError(
            N_("no ward code column"),
            file=path.name,
            expected=N_("a column such as WD22CD, WD23CD or ward22_code"),
            fix=N_("name it with --code-column (columns found: {columns})"),
            values={"columns": str(cols)},
        )
    codes = gdf[code].astype("string").str.strip().str.upper()
    blank = codes.isna() | (codes == "")
    if blank.any():
        row = int(blank.to_numpy().nonzero()[0][0]) + 1
        raise InputError(
            N_("a feature has no ward code"),
            file=path.name,
            row=row,
            expected=N_("a code in column {column} for every feature"),
            values={"column": repr(code)},
        )
    dup = codes.duplicated()
    if dup.any():
        row = int(dup.to_numpy().nonzero()[0][0]) + 1
        raise InputError(
            N_("ward code {code} appears twice"),
            file=path.name,
            row=row,
            fix=N_("dissolve the parts into one feature per ward"),
            values={"code": codes.iloc[row - 1]},
        )
    geom = gdf.geometry
    empty = geom.isna() | geom.is_empty
    if empty.any():
        row = int(empty.to_numpy().nonzero()[0][0]) + 1
        raise InputError(
            N_("ward {code} has an empty geometry"),
            file=path.name,
            row=row,
            expected=N_("a polygon for every ward"),
            fix=N_("draw the ward or remove the feature"),
            values={"code": codes.iloc[row - 1]},
        )
    kinds = set(geom.geom_type)
    if not kinds <= {"Polygon", "MultiPolygon"}:
        other = ~geom.geom_type.isin(["Polygon", "MultiPolygon"])
        row = int(other.to_numpy().nonzero()[0][0]) + 1
        raise InputError(
            N_("the geometries are {kinds}, not polygons"),
            file=path.name,
            row=row,
            expected=N_("Polygon or MultiPolygon features (ward areas)"),
            fix=N_("use the ward boundary file, not ward centroids or lines"),
            values={"kinds": str(sorted(kinds))},
        )
    projected = _placed(geom, path.name)
    la = match_column(cols, LA_CODE_PATTERNS)
    lan = match_column(cols, LA_NAME_PATTERNS)
    out = gpd.GeoDataFrame(
        {
            "ward_code": codes.to_numpy(),
            "ward_name": (gdf[name].astype("string").str.strip() if name else codes).to_numpy(),
            "local_authority_code": (
                gdf[la].astype("string").str.strip().str.upper()
                if la
                else pd.Series(pd.NA, index=gdf.index, dtype="string")
            ).to_numpy(),
            "local_authority_name": (
                gdf[lan].astype("string").str.strip()
                if lan
                else pd.Series(pd.NA, index=gdf.index, dtype="string")
            ).to_numpy(),
        },
        geometry=projected.to_numpy(),
        crs=BNG,
    )
    invalid = ~out.geometry.is_valid
    if invalid.any():
        fixed = shapely.make_valid(out.geometry.to_numpy()[invalid.to_numpy()])
        polys = [
            shapely.union_all(
                [g for g in shapely.get_parts(f) if g.geom_type in ("Polygon", "MultiPolygon")]
            )
            for f in fixed
        ]
        out.loc[invalid, "geometry"] = polys
    flat = (out.geometry.is_empty | ~(out.geometry.area > 0)).to_numpy()
    if flat.any():
        row = int(flat.nonzero()[0][0]) + 1
        raise InputError(
            N_("ward {code} has no area (its polygon is degenerate, even after repair)"),
            file=path.name,
            row=row,
            expected=N_("a polygon with an area for every ward"),
            fix=N_("check the ward in QGIS (Vector > Geometry Tools > Check Validity)"),
            values={"code": codes.iloc[row - 1]},
        )
    for c in ("ward_code", "ward_name", "local_authority_code", "local_authority_name"):
        out[c] = out[c].astype("string")
    out.attrs["vintage"] = _vintage(code)
    return out.sort_values("ward_code").reset_index(drop=True)


def _placed(geom: gpd.GeoSeries, file: str) -> gpd.GeoSeries:
    """``geom`` in EPSG:27700, refusing coordinates that do not fit the file's CRS.

    Metres labelled as longitude/latitude, degrees labelled as metres and swapped
    latitude/longitude all place the wards outside the UK (or make them centimetres wide):
    the ward assignment would then put no crime in them, so the file is refused here.
    """
    crs = geom.crs
    name = crs.to_string()
    minx, miny, maxx, maxy = geom.total_bounds
    if crs.is_geographic and not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise InputError(
            N_(
                "the coordinates are not longitude/latitude, although the file's CRS ({crs}) "
                "says so"
            ),
            file=file,
            expected=N_("coordinates that fit the CRS the file declares"),
            fix=N_(
                "the numbers look like metres: if they are British National Grid, set the "
                "CRS to EPSG:27700 (QGIS: Layer > Set CRS) and export again"
            ),
            values={"crs": name},
        )
    bng = geom.to_crs(BNG)
    b = bng.total_bounds
    if (
        not np.isfinite(b).all()
        or b[0] < UK_BOUNDS[0]
        or b[1] < UK_BOUNDS[1]
        or (b[2] > UK_BOUNDS[2])
        or b[3] > UK_BOUNDS[3]
    ):
        raise InputError(
            N_("the wards fall outside the UK when placed by the file's CRS ({crs})"),
            file=file,
            expected=N_("ward boundaries in the UK"),
            fix=N_(
                "check the CRS: the coordinates may be in another CRS than the file says, or "
                "longitude and latitude swapped"
            ),
            values={"crs": name},
        )
    if max(b[2] - b[0], b[3] - b[1]) < MIN_EXTENT_M:
        raise InputError(
            N_("the wards are smaller than {size} m across when placed by the file's CRS ({crs})"),
            file=file,
            expected=N_("ward boundaries in metres or degrees as the CRS says"),
            fix=N_(
                "the numbers look like longitude/latitude degrees: set the CRS to "
                "EPSG:4326 and export again"
            ),
            values={"size": f"{MIN_EXTENT_M:g}", "crs": name},
        )
    return bng


def _vintage(column: str) -> str:
    m = re.search(r"(\d\d)", column)
    return f"20{m.group(1)}" if m else ""
