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

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pyproj import Transformer

from hotspots.geo.geography import Geography
from hotspots.io.crime_table import crimes_table, crimes_to_pandas, dictionary_array
from hotspots.schema import ASSIGNMENTS, RECONCILIATION_COLUMNS, RECONCILIATION_PARTS

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
    return pd.arrays.ArrowStringArray(
        arr.cast(pa.large_string()).cast(pa.string()) if arr.type != pa.string() else arr
    )


def _id_prefix_key(ids: pa.Array) -> np.ndarray | None:
    """A 64-bit key per row from the first 16 bytes of a fixed-width text ID, or None when
    the IDs are not fixed-width text of 16+ bytes (or have nulls)."""
    n = len(ids)
    if ids.null_count or ids.type not in (pa.string(), pa.large_string()):
        return None
    if not n:
        return np.zeros(0, dtype=np.uint64)
    bufs = ids.buffers()
    otype = np.int32 if ids.type == pa.string() else np.int64
    off = np.frombuffer(bufs[1], dtype=otype)[ids.offset : ids.offset + n + 1]
    width = off[1] - off[0]
    if width < 16 or not (np.diff(off) == width).all():
        return None
    data = np.frombuffer(bufs[2], dtype=np.uint8)[off[0] : off[0] + width * n]
    block = data.reshape(n, width)[:, :16].copy().view(np.uint64)
    return block[:, 0] * np.uint64(0x9E3779B97F4A7C15) ^ block[:, 1]


def _id_key_candidates(ids: pa.Array | pa.ChunkedArray, gid: np.ndarray) -> np.ndarray | None:
    """Rows whose 64-bit key (group + first 16 bytes of a fixed-width ID) repeats, or None
    when the IDs are not fixed-width text of 16+ bytes. A chunked column is keyed a chunk
    at a time (its text is not copied into one array)."""
    n = len(ids)
    if not n:
        return None
    keys = [
        _id_prefix_key(chunk)
        for chunk in (ids.chunks if isinstance(ids, pa.ChunkedArray) else [ids])
    ]
    if any(k is None for k in keys):
        return None
    key = (keys[0] if len(keys) == 1 else np.concatenate(keys)) ^ gid
    ordered = np.sort(key)
    repeated = ordered[1:][ordered[1:] == ordered[:-1]]
    if not len(repeated):
        return np.zeros(n, dtype=bool)
    return np.isin(key, repeated)


def duplicate_rows(
    arrays: list[pa.Array], keys: pd.DataFrame | None = None, groups: np.ndarray | None = None
) -> np.ndarray:
    """True for each row whose key columns (Arrow; the last one the ID) repeat an earlier
    row's (the first is kept); ``groups`` (an integer per row) keeps rows of different
    groups apart. Fast path for police.uk's fixed-width hash IDs: rows are bucketed by a
    64-bit key from their first 16 bytes, and only rows sharing a bucket are compared in
    full."""
    ids = arrays[-1]
    n = len(ids)
    # Rows can only repeat a row with the same ID (and group): bucket by the ID alone, and
    # compare the other key columns only within buckets that repeat (usually none).
    gid = np.zeros(n, dtype=np.uint64) if groups is None else groups.astype(np.uint64)
    maybe = _id_key_candidates(ids, gid)
    if maybe is not None and not maybe.any():
        return maybe
    if keys is None or groups is not None:  # only the candidates, to pandas
        sub = arrays if maybe is None else [pc.filter(a, pa.array(maybe)) for a in arrays]
        keys = pd.DataFrame({i: a.to_pandas() for i, a in enumerate(sub)})
        if groups is not None:
            keys["group"] = groups if maybe is None else groups[maybe]
    elif maybe is not None:
        keys = keys[maybe]
    if maybe is None:
        return keys.duplicated().to_numpy()
    out = np.zeros(n, dtype=bool)
    out[np.flatnonzero(maybe)] = keys.duplicated().to_numpy()
    return out


def _column(table: pa.Table, name: str) -> pa.Array:
    col = table.column(name)
    if not isinstance(col, pa.ChunkedArray):
        return col
    return col.chunk(0) if col.num_chunks == 1 else col.combine_chunks()  # no copy of one


def _floats(arr: pa.Array) -> np.ndarray:
    if arr.type == pa.null():  # a column with no value (the compact form)
        return np.full(len(arr), np.nan)
    return arr.cast(pa.float64()).to_numpy(zero_copy_only=False).astype(float, copy=True)


def _floats_at(col: pa.ChunkedArray, rows: np.ndarray) -> np.ndarray:
    """The values of some rows of a numeric column as floats (NaN for nulls)."""
    if col.type == pa.null():
        return np.full(len(rows), np.nan)
    return _floats(col.take(pa.array(rows, pa.int64())).combine_chunks())


def assign_table(
    table: pa.Table, geography: Geography, groups: np.ndarray | None = None
) -> pa.Table:
    """:func:`assign_wards` on an Arrow table (the fast path used when loading).

    Parameters
    ----------
    table : pyarrow.Table
        Crime rows (:data:`hotspots.io.crime_table.CRIME_SCHEMA`).
    geography : Geography
    groups : ndarray of int, optional
        A group per row (e.g. the file it came from): duplicates are only looked for
        within a group, so a table of several files is placed exactly as each file alone.

    Returns
    -------
    pyarrow.Table
        The same rows with ``ward_code`` and ``assignment`` filled in: as text when the
        table's ``ward_code`` column is text, else (a table in the compact form of
        :func:`hotspots.io.crime_table.compact_crimes`) dictionary-encoded.
    """
    n = table.num_rows
    labels = list(ASSIGNMENTS)
    how = np.full(n, -1, dtype=np.int32)
    dup = duplicate_rows(
        [_column(table, c) for c in ("source", "month")] + [table.column("crime_id")], groups=groups
    )
    how[dup] = labels.index("duplicate")

    ward_index = geography.ward_index
    codes = _column(table, "lsoa_code")
    enc = codes if pa.types.is_dictionary(codes.type) else pc.dictionary_encode(codes)
    uniq = enc.dictionary.to_pylist()
    known_codes = geography.known_codes
    single_of_uniq = np.array(
        [ward_index.get(geography.single_ward.get(u), -1) for u in uniq] + [-1], dtype=np.int64
    )
    known_of_uniq = np.array([u in known_codes for u in uniq] + [False])
    idx = enc.indices.fill_null(len(uniq)).to_numpy(zero_copy_only=False)
    has_code = idx < len(uniq)
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

    # Points only for the rows that need one (usually few): easting/northing as given,
    # else from longitude/latitude.
    rows = np.flatnonzero(need)
    east = _floats_at(table.column("easting"), rows)
    north = _floats_at(table.column("northing"), rows)
    missing = np.isnan(east) | np.isnan(north)
    fill = np.zeros(len(rows), dtype=bool)
    if missing.any():
        lon = _floats_at(table.column("longitude"), rows[missing])
        lat = _floats_at(table.column("latitude"), rows[missing])
        fill[np.flatnonzero(missing)[~np.isnan(lon) & ~np.isnan(lat)]] = True
        if fill.any():
            east[fill], north[fill] = to_bng(*(v[fill[missing]] for v in (lon, lat)))
    has_xy = ~np.isnan(east) & ~np.isnan(north)
    how[rows[~has_xy]] = labels.index("unlocated")
    todo = np.flatnonzero(has_xy)
    if len(todo):
        w, placed = _place_points(east[todo], north[todo], geography.wards)
        ward[rows[todo]] = [ward_index[c] if c is not None else -1 for c in w]
        how[rows[todo]] = [labels.index(h) for h in placed]
    out = table
    if fill.any():  # the points made from longitude/latitude are kept
        for name, values in (("easting", east), ("northing", north)):
            full = _floats(_column(table, name))
            full[rows[fill]] = values[fill]
            out = out.set_column(
                out.schema.get_field_index(name),
                name,
                pa.array(full, pa.float64(), mask=np.isnan(full)),
            )
    if table.schema.field("ward_code").type != pa.string():  # the compact form
        ward_arr = dictionary_array(geography.ward_codes, ward)
        how_arr = dictionary_array(labels, how)
    else:  # (take, not a dictionary cast: several times faster)
        ward_arr = pa.array(geography.ward_codes, pa.string()).take(
            pa.array(ward, pa.int32(), mask=ward < 0)
        )
        how_arr = pa.array(labels, pa.string()).take(pa.array(how, pa.int32(), mask=how < 0))
    out = out.set_column(out.schema.get_field_index("ward_code"), "ward_code", ward_arr)
    return out.set_column(out.schema.get_field_index("assignment"), "assignment", how_arr)


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
    out = crimes_to_pandas(assign_table(crimes_table(crimes), geography))
    out.index = crimes.index
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
        pi, wi = wards.sindex.nearest(
            pts.values[rest], max_distance=NEAREST_WITHIN_M, return_all=True
        )
        if len(pi):
            order = np.lexsort((wi, pi))
            pi, wi = pi[order], wi[order]
            first = np.r_[True, pi[1:] != pi[:-1]]
            ward[rest[pi[first]]] = codes[wi[first]]
            how[rest[pi[first]]] = "nearest"
    return ward, how


def reconcile(
    assigned: pd.DataFrame | pa.Table,
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
    return pd.DataFrame(
        reconcile_records(assigned, rows_read, skipped, file, checksum, source),
        columns=RECONCILIATION_COLUMNS,
    )


def reconcile_records(
    assigned: pd.DataFrame | pa.Table,
    rows_read: dict[str, int],
    skipped: dict[str, int],
    file: str,
    checksum: str,
    source: str,
) -> list[dict]:
    """:func:`reconcile` as plain records (a dict per month, sorted by month).

    Raises
    ------
    ValueError
        When the parts do not sum to the rows read.
    """
    months = sorted(rows_read)
    if isinstance(assigned, pd.DataFrame):
        month_arr, how_arr = _arrow(assigned["month"]), _arrow(assigned["assignment"])
    else:
        month_arr, how_arr = _column(assigned, "month"), _column(assigned, "assignment")
    grid = _count_grid(month_arr, how_arr, months, np.zeros(len(month_arr), np.int64), 1)[0]
    return _records(grid[: len(months)], months, rows_read, skipped, file, checksum, source)


def reconcile_files(assigned: pa.Table, offsets: np.ndarray, files: Sequence) -> list[list[dict]]:
    """:func:`reconcile_records` of several files placed together, in one pass.

    Parameters
    ----------
    assigned : pyarrow.Table
        The placed rows of every file, file after file.
    offsets : ndarray of int
        File ``i`` is rows ``offsets[i]:offsets[i + 1]``.
    files : sequence of CrimeFile
        Each with ``rows_read``, ``skipped``, ``name``, ``checksum`` and ``source``.

    Returns
    -------
    list of list of dict
        The records of each file, in order.
    """
    months = sorted(set().union(*(f.rows_read for f in files)))
    groups = np.repeat(np.arange(len(files), dtype=np.int64), np.diff(offsets))
    grid = _count_grid(
        _column(assigned, "month"), _column(assigned, "assignment"), months, groups, len(files)
    )
    position = {m: i for i, m in enumerate(months)}
    out = []
    for f, counts in zip(files, grid, strict=True):
        own = sorted(f.rows_read)
        out.append(
            _records(
                counts[[position[m] for m in own]],
                own,
                f.rows_read,
                f.skipped,
                f.name,
                f.checksum,
                f.source,
            )
        )
    return out


def _count_grid(
    month_arr: pa.Array, how_arr: pa.Array, months: list[str], groups: np.ndarray, n_groups: int
) -> np.ndarray:
    """Rows by group, month and assignment: shape (groups, months + 1, assignments + 1),
    the last month and assignment counting values outside ``months`` and ASSIGNMENTS."""
    labels = list(ASSIGNMENTS)
    m_index = text_positions(month_arr, months)
    h_index = text_positions(how_arr, labels)
    cells = (len(months) + 1) * (len(labels) + 1)
    flat = groups * cells + m_index.astype(np.int64) * (len(labels) + 1) + h_index
    return np.bincount(flat, minlength=n_groups * cells).reshape(
        n_groups, len(months) + 1, len(labels) + 1
    )


def text_positions(values: pa.Array | pa.ChunkedArray, wanted: list[str]) -> np.ndarray:
    """The position in ``wanted`` of each row's text, ``len(wanted)`` when not there (or
    null). Dictionary-encoded text is looked up through its dictionary (its codes are
    mapped; the text of the rows is not read)."""
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    value_set = pa.array(wanted, pa.string())
    out = []
    for chunk in chunks:
        if pa.types.is_dictionary(chunk.type):
            where = (
                pc.index_in(chunk.dictionary, value_set=value_set)
                .fill_null(len(wanted))
                .to_numpy(zero_copy_only=False)
            )
            lookup = np.append(where, len(wanted)).astype(np.int64)
            out.append(lookup[chunk.indices.fill_null(len(where)).to_numpy(zero_copy_only=False)])
        else:
            out.append(
                pc.index_in(chunk, value_set=value_set)
                .fill_null(len(wanted))
                .to_numpy(zero_copy_only=False)
                .astype(np.int64)
            )
    if not out:
        return np.zeros(0, dtype=np.int64)
    return out[0] if len(out) == 1 else np.concatenate(out)


def _records(
    grid: np.ndarray,
    months: list[str],
    rows_read: dict[str, int],
    skipped: dict[str, int],
    file: str,
    checksum: str,
    source: str,
) -> list[dict]:
    """The reconciliation records of one file from its counts (a row per month of
    ``months``, a column per assignment and one for anything else); checks the sums."""
    col = {a: i for i, a in enumerate(ASSIGNMENTS)}
    rows = []
    for m, counts in zip(months, grid.tolist(), strict=True):
        rows.append(
            {
                "source": source,
                "file": file,
                "checksum": checksum,
                "month": m,
                "rows_read": int(rows_read[m]),
                "by_code": counts[col["code"]],
                "by_point": counts[col["point"]],
                "by_nearest": counts[col["nearest"]],
                "outside": counts[col["outside"]],
                "unlocated": counts[col["unlocated"]],
                "skipped": int(skipped.get(m, 0)),
                "duplicates": counts[col["duplicate"]],
            }
        )
    placed = int(grid.sum())
    if any(sum(r[c] for c in RECONCILIATION_PARTS) != r["rows_read"] for r in rows) or (
        placed + sum(int(skipped.get(m, 0)) for m in months) != sum(r["rows_read"] for r in rows)
    ):
        raise ValueError(f"{file}: the reconciliation does not sum to the rows read")
    return rows
