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
import pyarrow as pa
import pyarrow.compute as pc
from pyproj import Transformer

from hotspots.geography import Geography
from hotspots.schema import ASSIGNMENTS, RECONCILIATION_COLUMNS

#: How far outside the (generalised) coast a point may be and still go to its nearest ward.
NEAREST_WITHIN_M = 2000.0

_TO_BNG = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)


def to_bng(longitude: np.ndarray, latitude: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 longitude/latitude → British National Grid easting/northing (metres)."""
    e, n = _TO_BNG.transform(np.asarray(longitude, float), np.asarray(latitude, float))
    return np.asarray(e), np.asarray(n)


def _arrow(series: pd.Series) -> pa.Array:
    """The column as one Arrow array (zero-copy for Arrow-backed columns)."""
    arr = pa.array(series)
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def _strings(arr: pa.Array) -> pd.arrays.ArrowStringArray:
    return pd.arrays.ArrowStringArray(arr.cast(pa.large_string()).cast(pa.string())
                                      if arr.type != pa.string() else arr)


def duplicate_mask(keys: pd.DataFrame) -> np.ndarray:
    """True for each row whose key columns repeat an earlier row's (the first is kept).

    Fast path for police.uk's fixed-width hash IDs: rows are bucketed by a 64-bit key
    made from their first 16 bytes, and only rows sharing a bucket are compared in full.
    """
    ids = _arrow(keys.iloc[:, -1])
    n = len(ids)
    gid = np.zeros(n, dtype=np.uint64)
    for col in keys.columns[:-1]:
        codes = pc.dictionary_encode(_arrow(keys[col])).indices.fill_null(-1)
        gid = gid * np.uint64(1_000_003) + codes.to_numpy().astype(np.uint64)
    bufs = ids.buffers()
    if n and ids.null_count == 0 and ids.type in (pa.string(), pa.large_string()):
        otype = np.int32 if ids.type == pa.string() else np.int64
        off = np.frombuffer(bufs[1], dtype=otype)[ids.offset: ids.offset + n + 1]
        width = off[1] - off[0]
        if width >= 16 and (np.diff(off) == width).all():
            data = np.frombuffer(bufs[2], dtype=np.uint8)[off[0]: off[0] + width * n]
            block = data.reshape(n, width)[:, :16].copy().view(np.uint64)
            key = block[:, 0] * np.uint64(0x9E3779B97F4A7C15) ^ block[:, 1] ^ gid
            maybe = pd.Series(key).duplicated(keep=False).to_numpy()
            out = np.zeros(n, dtype=bool)
            if maybe.any():
                sub = keys[maybe]
                out[np.flatnonzero(maybe)] = sub.duplicated().to_numpy()
            return out
    return keys.duplicated().to_numpy()


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
    labels = list(ASSIGNMENTS)
    how = np.full(n, -1, dtype=np.int32)
    dup = duplicate_mask(out[["source", "month", "crime_id"]])
    how[dup] = labels.index("duplicate")

    ward_codes = geography.ward_codes
    ward_index = geography.ward_index
    enc = pc.dictionary_encode(_arrow(out["lsoa_code"]))
    uniq = enc.dictionary.to_pylist()
    known_codes = geography.known_codes
    single_of_uniq = np.array([ward_index.get(geography.single_ward.get(u), -1) for u in uniq]
                              + [-1], dtype=np.int64)
    known_of_uniq = np.array([u in known_codes for u in uniq] + [False])
    idx = enc.indices.fill_null(len(uniq)).to_numpy(zero_copy_only=False)
    has_code = ~pc.is_null(enc.indices).to_numpy(zero_copy_only=False)
    single = single_of_uniq[idx]
    known = known_of_uniq[idx]
    ward = np.full(n, -1, dtype=np.int64)
    open_ = ~dup
    by_code = open_ & (single >= 0)
    ward[by_code] = single[by_code]
    how[by_code] = labels.index("code")
    outside = open_ & has_code & ~known
    how[outside] = labels.index("outside")
    need = open_ & ~by_code & ~outside

    east = out["easting"].to_numpy(dtype=float, na_value=np.nan).copy()
    north = out["northing"].to_numpy(dtype=float, na_value=np.nan).copy()
    need_fill = need & (np.isnan(east) | np.isnan(north))
    if need_fill.any():
        lon = out["longitude"].to_numpy(dtype=float, na_value=np.nan)
        lat = out["latitude"].to_numpy(dtype=float, na_value=np.nan)
        fill = need_fill & ~np.isnan(lon) & ~np.isnan(lat)
        east[fill], north[fill] = to_bng(lon[fill], lat[fill])
        out.loc[fill, "easting"] = east[fill]
        out.loc[fill, "northing"] = north[fill]
    has_xy = ~np.isnan(east) & ~np.isnan(north)
    how[need & ~has_xy] = labels.index("unlocated")
    todo = np.flatnonzero(need & has_xy)
    if len(todo):
        w, placed = _place_points(east[todo], north[todo], geography.wards)
        ward[todo] = [ward_index[c] if c is not None else -1 for c in w]
        how[todo] = [labels.index(h) for h in placed]
    out["ward_code"] = _strings(pa.DictionaryArray.from_arrays(
        pa.array(ward, pa.int32(), mask=ward < 0), pa.array(ward_codes, pa.string())
    ).cast(pa.string()))
    out["assignment"] = _strings(pa.DictionaryArray.from_arrays(
        pa.array(how, pa.int32(), mask=how < 0), pa.array(labels, pa.string())
    ).cast(pa.string()))
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
    checksum: str,
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
            "source": source, "file": file, "checksum": checksum, "month": m,
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
