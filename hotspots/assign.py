"""Place crime rows in 2022 wards, by one written rule, and reconcile every row.

The rule (so results can be checked independently):

(a) The row's LSOA code (2011 or 2021) → its 2021 LSOA(s) through the ONS lookup →
    2022 ward(s) through the best-fit lookup. Exactly one ward → that ward ("code").
(b) Otherwise (the LSOA reaches several wards, or the row has no LSOA code), if the row
    has coordinates: the ward polygon holding the point, in EPSG:27700 ("point"); a
    point outside every polygon (the coast is generalised) → the nearest ward within
    2 km ("nearest"); else the row is "unlocated". No coordinates → "unlocated".
(c) An LSOA code in neither lookup (e.g. an English E01 code in a Welsh force's file) →
    "outside" the area, never assigned to a ward.

Before that, a second row with the same crime ID in the same source and month is a
"duplicate" and is not counted.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

from hotspots.geography import Geography
from hotspots.schema import RECONCILIATION_COLUMNS

#: How far outside the (generalised) coast a point may be and still go to its nearest ward.
NEAREST_WITHIN_M = 2000.0

_TO_BNG = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)


def to_bng(longitude: np.ndarray, latitude: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 longitude/latitude → British National Grid easting/northing (metres)."""
    e, n = _TO_BNG.transform(np.asarray(longitude, float), np.asarray(latitude, float))
    return np.asarray(e), np.asarray(n)


def assign_wards(crimes: pd.DataFrame, geography: Geography) -> pd.DataFrame:
    """Return a copy of ``crimes`` with ``ward_code`` and ``assignment`` filled in.

    Parameters
    ----------
    crimes : DataFrame
        Rows in :data:`hotspots.schema.CRIME_COLUMNS`.
    geography : Geography

    Returns
    -------
    DataFrame
        The same rows and columns; ``assignment`` is one of
        :data:`hotspots.schema.ASSIGNMENTS`; missing ``easting``/``northing`` are filled
        from longitude/latitude for the rows that needed a point.
    """
    out = crimes.copy()
    n = len(out)
    assignment = np.full(n, "", dtype=object)
    ward = np.full(n, None, dtype=object)
    dup = out.duplicated(["source", "month", "crime_id"]).to_numpy()
    assignment[dup] = "duplicate"

    codes = out["lsoa_code"]
    single = codes.map(geography.single_ward).to_numpy(dtype=object, na_value=None)
    has_code = codes.notna().to_numpy()
    known = codes.isin(geography.known_codes).to_numpy()
    open_ = ~dup
    by_code = open_ & pd.notna(single)
    ward[by_code] = single[by_code]
    assignment[by_code] = "code"
    outside = open_ & has_code & ~known
    assignment[outside] = "outside"
    need = open_ & ~by_code & ~outside

    east = out["easting"].to_numpy(dtype=float, na_value=np.nan).copy()
    north = out["northing"].to_numpy(dtype=float, na_value=np.nan).copy()
    lon = out["longitude"].to_numpy(dtype=float, na_value=np.nan)
    lat = out["latitude"].to_numpy(dtype=float, na_value=np.nan)
    fill = need & (np.isnan(east) | np.isnan(north)) & ~np.isnan(lon) & ~np.isnan(lat)
    if fill.any():
        east[fill], north[fill] = to_bng(lon[fill], lat[fill])
    has_xy = ~np.isnan(east) & ~np.isnan(north)
    assignment[need & ~has_xy] = "unlocated"
    todo = np.flatnonzero(need & has_xy)
    if len(todo):
        w, how = _place_points(east[todo], north[todo], geography.wards)
        ward[todo] = w
        assignment[todo] = how
    out["ward_code"] = pd.array(ward, dtype="string")
    out["assignment"] = pd.array(assignment, dtype="string")
    out["easting"] = east
    out["northing"] = north
    # Filling E/N is only done for rows that needed a point; keep the others as given.
    untouched = ~fill
    out.loc[untouched, "easting"] = crimes["easting"].to_numpy()[untouched]
    out.loc[untouched, "northing"] = crimes["northing"].to_numpy()[untouched]
    return out


def _place_points(
    east: np.ndarray, north: np.ndarray, wards: gpd.GeoDataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """Ward and method ("point", "nearest", "unlocated") for each point."""
    pts = gpd.GeoSeries(gpd.points_from_xy(east, north), crs=wards.crs)
    codes = wards["ward_code"].to_numpy(dtype=object)
    ward = np.full(len(pts), None, dtype=object)
    how = np.full(len(pts), "unlocated", dtype=object)
    # Polygon holding the point; a point on a shared edge goes to the lower ward code.
    pi, wi = wards.sindex.query(pts.values, predicate="intersects")
    if len(pi):
        order = np.lexsort((wi, pi))
        pi, wi = pi[order], wi[order]
        first = np.r_[True, pi[1:] != pi[:-1]]
        ward[pi[first]] = codes[wi[first]]
        how[pi[first]] = "point"
    rest = np.flatnonzero(how == "unlocated")
    if len(rest):
        pi, wi = wards.sindex.nearest(pts.values[rest], max_distance=NEAREST_WITHIN_M,
                                      return_all=True)
        if len(pi):
            order = np.lexsort((wi, pi))
            pi, wi = pi[order], wi[order]
            first = np.r_[True, pi[1:] != pi[:-1]]
            ward[rest[pi[first]]] = codes[wi[first]]
            how[rest[pi[first]]] = "nearest"
    return ward, how


def reconcile(
    assigned: pd.DataFrame,
    rows_read: dict[str, int],
    skipped: dict[str, int],
    file: str,
    sha256: str,
    source: str,
) -> pd.DataFrame:
    """The reconciliation of one file, a row per month (:data:`RECONCILIATION_COLUMNS`).

    ``rows_read`` = by_code + by_point + by_nearest + outside + unlocated + skipped +
    duplicates, for every month; a ValueError is raised if the parts do not sum.
    """
    months = sorted(rows_read)
    counts = (assigned.groupby(["month", "assignment"]).size().unstack(fill_value=0)
              .reindex(index=months, fill_value=0))
    rows = []
    for m in months:
        def get(a: str, m: str = m) -> int:
            return int(counts.at[m, a]) if a in counts.columns else 0

        rows.append({
            "source": source, "file": file, "sha256": sha256, "month": m,
            "rows_read": int(rows_read[m]), "by_code": get("code"), "by_point": get("point"),
            "by_nearest": get("nearest"), "outside": get("outside"),
            "unlocated": get("unlocated"), "skipped": int(skipped.get(m, 0)),
            "duplicates": get("duplicate"),
        })
    out = pd.DataFrame(rows, columns=RECONCILIATION_COLUMNS)
    parts = out[["by_code", "by_point", "by_nearest", "outside", "unlocated", "skipped",
                 "duplicates"]].sum(axis=1)
    if not (parts == out["rows_read"]).all():
        raise ValueError(f"{file}: the reconciliation does not sum to the rows read")
    return out
