"""Read police.uk street CSVs into a :class:`~hotspots.io.crime_table.CrimeFile` each:
the rows normalised to :data:`hotspots.schema.CRIME_COLUMNS` (not yet placed in wards),
with the counts the reconciliation needs; several files are read in one pass
(:func:`read_police_uk_many`). Nothing is written anywhere; the store does that.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hotspots.errors import N_, InputError
from hotspots.io.cells import YEARS, check_range, to_float
from hotspots.io.crime_table import (
    CrimeFile,
    crimes_table_from_arrow,
    decoded_crimes,
    dictionary_array,
)
from hotspots.io.csv_decode import TypeProblemError, column_key, decode_csv, read_header
from hotspots.io.forces import ForceEvidence, check_force_evidence, known_force
from hotspots.io.raw import RawFile
from hotspots.io.street_files import STREET_NAME
from hotspots.slugs import force_key, force_slug
from hotspots.validation import MONTH

#: police.uk columns (lower-cased, letters and digits only) → our names.
POLICE_UK_COLUMNS = {
    "crimeid": "crime_id",
    "month": "month",
    "reportedby": "reported_by",
    "fallswithin": "falls_within",
    "longitude": "longitude",
    "latitude": "latitude",
    "location": "location",
    "lsoacode": "lsoa_code",
    "lsoaname": "lsoa_name",
    "crimetype": "crime_type",
    "lastoutcomecategory": "last_outcome",
    "context": "context",
}
POLICE_UK_REQUIRED = ("crime_id", "month", "longitude", "latitude", "lsoa_code", "crime_type")


def _text_codes(
    values: pa.ChunkedArray | pa.Array, upper: bool = False
) -> tuple[list[str | None], np.ndarray]:
    """The distinct values of text, cleaned through them (stripped, upper-cased with
    ``upper``, blanks as None), and the position of each row's value among them. None
    (blank and null cells) is always the last value."""
    arr = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    if isinstance(arr, pa.ChunkedArray):  # dictionary chunks with different dictionaries
        arr = arr.unify_dictionaries().combine_chunks()
    enc = arr if pa.types.is_dictionary(arr.type) else pc.dictionary_encode(arr)
    distinct: dict[str, int] = {}
    remap = []
    for v in enc.dictionary.to_pylist():
        w = None if v is None or not v.strip() else v.strip()
        remap.append(
            -1 if w is None else distinct.setdefault(w.upper() if upper else w, len(distinct))
        )
    blank = len(distinct)
    remap = np.asarray([blank if r < 0 else r for r in remap] + [blank], dtype=np.int32)
    codes = remap[enc.indices.fill_null(len(remap) - 1).to_numpy(zero_copy_only=False)]
    return [*distinct, None], codes


def drop_null_text(values: pa.ChunkedArray, valid: np.ndarray) -> pa.ChunkedArray:
    """``values.drop_null()`` for text (``valid``: its rows that are not null), without
    copying the text when the null cells take no bytes (as the CSV reader makes them):
    only the offsets of the rows kept are made."""
    out = []
    at = 0
    for chunk in values.chunks:
        n = len(chunk)
        keep, at = valid[at : at + n], at + n
        if not chunk.null_count:
            out.append(chunk)
            continue
        if chunk.type != pa.string():
            out.append(chunk.drop_null())
            continue
        off = np.frombuffer(chunk.buffers()[1], dtype=np.int32)[chunk.offset : chunk.offset + n + 1]
        if np.diff(off)[keep].sum() != off[-1] - off[0]:  # a null cell that holds bytes
            out.append(chunk.drop_null())
            continue
        kept = np.append(off[:-1][keep], off[-1])
        out.append(
            pa.StringArray.from_buffers(len(kept) - 1, pa.py_buffer(kept), chunk.buffers()[2])
        )
    return pa.chunked_array(out, type=values.type)


def read_police_uk(raw: RawFile) -> CrimeFile:
    """Read one police.uk street CSV.

    Header variants (case, spacing, byte-order mark), CRLF line ends and quoted commas
    are accepted; a file that is not UTF-8 is read as Windows-1252. Rows without a
    Crime ID (anti-social behaviour) are counted as skipped, not kept.

    Parameters
    ----------
    raw : RawFile

    Returns
    -------
    CrimeFile

    Raises
    ------
    InputError
        Missing columns, a month that is not ``YYYY-MM``, a coordinate that is not a
        number; the message names the file and row.
    """
    return read_police_uk_many([raw]).files[0]


@dataclass(frozen=True, eq=False)
class CrimeBatch:
    """Several police.uk files read together: one table, and each file's share of it.

    Attributes
    ----------
    table : pyarrow.Table
        The kept rows of every file, file after file (:data:`CRIME_SCHEMA`).
    files : tuple of CrimeFile
        One per file read, in order; each ``table`` is a zero-copy slice of ``table``.
    offsets : ndarray of int
        ``files[i].table`` is rows ``offsets[i]:offsets[i + 1]`` of ``table``.
    """

    table: pa.Table = field(repr=False)
    files: tuple[CrimeFile, ...]
    offsets: np.ndarray = field(repr=False)

    @property
    def groups(self) -> np.ndarray:
        """The position in :attr:`files` of each row of :attr:`table`."""
        return np.repeat(np.arange(len(self.files), dtype=np.int64), np.diff(self.offsets))


def read_police_uk_many(raws: Sequence[RawFile], compact: bool = False) -> CrimeBatch:
    """Read several police.uk street CSVs at once (what :func:`read_police_uk` does to
    each, with one pass over all their rows instead of one per file).

    Every file gets exactly what :func:`read_police_uk` gives it alone; the first file (in
    order) that cannot be read raises the error reading it alone raises.

    Parameters
    ----------
    raws : sequence of RawFile
        At least one file.
    compact : bool, default False
        Give the table in the compact form (:func:`compact_crimes`: text columns with few
        values dictionary-encoded, columns never filled of type ``null``), which is what
        the store keeps, without building the strings; :func:`decoded_crimes` of it is
        the table given without ``compact``.

    Returns
    -------
    CrimeBatch

    Raises
    ------
    InputError
        As :func:`read_police_uk`, for the first file in order that fails.
    """
    if not raws:
        raise ValueError("no files to read")
    parsed = []
    for i, raw in enumerate(raws):
        try:
            parsed.append(_parse_police_uk(raw))
        except InputError:
            if i:  # an earlier file's own problem comes first, as when read one by one
                read_police_uk_many(raws[:i])
            raise
    try:
        return _police_uk_batch(raws, parsed, compact)
    except InputError:
        if len(raws) == 1:
            raise
        for raw in raws:  # name the first bad file and its row, as when read one by one
            read_police_uk_many([raw])
        raise  # pragma: no cover - one of them raises


#: The police.uk columns read (our names), in the order :func:`_parse_police_uk` gives them.
_POLICE_UK_READ = (*POLICE_UK_REQUIRED, "reported_by", "falls_within")


def _parse_police_uk(raw: RawFile) -> tuple[pa.Table, frozenset[str]]:
    """Check the header of one police.uk file and parse it: the :data:`_POLICE_UK_READ`
    columns under our names (optional ones all null when absent or not needed), and the
    names read."""
    names = read_header(raw)
    rename = {
        n: POLICE_UK_COLUMNS[column_key(n)] for n in names if column_key(n) in POLICE_UK_COLUMNS
    }
    missing = [c for c in POLICE_UK_REQUIRED if c not in rename.values()]
    if missing:
        label = {"crime_id": "Crime ID", "lsoa_code": "LSOA code", "crime_type": "Crime type"}
        want = [label.get(c, c.capitalize()) for c in missing]
        raise InputError(
            N_("missing column(s) {columns}"),
            file=raw.name,
            expected=N_(
                "the police.uk street CSV header: Crime ID, Month, Reported by, "
                "Falls within, Longitude, Latitude, Location, LSOA code, LSOA name, Crime type, "
                "Last outcome category, Context"
            ),
            fix=N_(
                "load the file as police.uk published it, or load a force extract with "
                "'load crimes-extract'"
            ),
            values={"columns": str(want)},
        )
    # "Reported by" names the force (the file name may not); "Falls within" is read only
    # when there is no "Reported by" column.
    read = [
        c for c in _POLICE_UK_READ if c != "falls_within" or "reported_by" not in rename.values()
    ]
    col_of = {v: k for k, v in rename.items() if v in read}
    include = [col_of[c] for c in _POLICE_UK_READ if c in col_of]
    words = pa.dictionary(pa.int32(), pa.string())
    floats = {
        col_of["longitude"]: pa.float64(),
        col_of["latitude"]: pa.float64(),
        col_of["month"]: words,
        col_of["lsoa_code"]: words,
        col_of["crime_type"]: words,
    }
    floats.update({col_of[c]: words for c in ("reported_by", "falls_within") if c in col_of})
    try:
        table, _ = decode_csv(raw, floats, include, names)
    except TypeProblemError:
        table, _ = decode_csv(raw, None, include, names)
        for what in ("longitude", "latitude"):
            text = table.column(col_of[what]).to_pandas()
            to_float(pd.Series(text, dtype="string").str.strip(), what.capitalize(), raw.name)
        raise  # pragma: no cover - _to_float always raises here
    n = table.num_rows
    if n == 0:
        raise InputError(
            N_("the file has a header but no rows"),
            file=raw.name,
            expected=N_("at least one data row"),
        )
    columns = [
        table.column(col_of[c]) if c in col_of else pa.chunked_array([pa.nulls(n, pa.string())])
        for c in _POLICE_UK_READ
    ]
    falls = {v: k for k, v in rename.items()}.get("falls_within")
    if (
        "reported_by" in col_of
        and falls is not None
        and table.column(col_of["reported_by"]).null_count == n
    ):
        # "Reported by" blank in every row: "Falls within" names the force.
        extra, _ = decode_csv(raw, {falls: words}, [falls], names)
        columns[_POLICE_UK_READ.index("falls_within")] = extra.column(falls)
        col_of = {**col_of, "falls_within": falls}
    return pa.table(columns, names=list(_POLICE_UK_READ)), frozenset(col_of)


def _police_uk_batch(
    raws: Sequence[RawFile], parsed: list[tuple[pa.Table, frozenset[str]]], compact: bool = False
) -> CrimeBatch:
    """Validate and normalise parsed police.uk files in one pass over all their rows.

    A problem is raised naming the first file's name (right when there is one file; the
    caller reads files one by one to name the right one otherwise)."""
    name = raws[0].name
    sizes = np.array([t.num_rows for t, _ in parsed], dtype=np.int64)
    starts = np.r_[0, np.cumsum(sizes)]

    def column(c: str) -> pa.ChunkedArray:
        return pa.chunked_array(
            [chunk for t, _ in parsed for chunk in t.column(c).chunks],
            type=parsed[0][0].schema.field(c).type,
        )

    month_names, month_code = _text_codes(column("month"))
    bad = [
        i
        for i, v in enumerate(month_names)
        if v is None or not MONTH.match(v) or not YEARS[0] <= int(v[:4]) <= YEARS[1]
    ]
    hits = np.flatnonzero(np.isin(month_code, bad)) if bad else ()
    if len(hits):
        idx = int(hits[0])
        value = month_names[month_code[idx]]
        raise InputError(
            N_("the Month cell is blank")
            if value is None
            else N_("month {value} is out of range")
            if MONTH.match(value)
            else N_("month {value} is not a month"),
            file=name,
            row=idx + 1,
            expected=N_("YYYY-MM, e.g. 2019-01, from {first} to {last}"),
            fix=N_("correct the Month cell"),
            values={"value": repr(value), "first": YEARS[0], "last": YEARS[1]},
        )
    longitude, latitude = column("longitude"), column("latitude")
    for values, what in ((longitude, "longitude"), (latitude, "latitude")):
        check_range(values, what, what.capitalize(), name)
    crime_id = column("crime_id")
    keep = pc.is_valid(crime_id)
    keep_np = (
        keep.to_numpy() if keep.num_chunks != 1 else keep.chunk(0).to_numpy(zero_copy_only=False)
    )
    kept_at = np.flatnonzero(keep_np)
    kept_per_file = np.add.reduceat(keep_np, starts[:-1], dtype=np.int64)
    kept_starts = np.r_[0, np.cumsum(kept_per_file)]
    kept_group = np.repeat(np.arange(len(raws), dtype=np.int32), kept_per_file)
    sources, evidence = [], []
    for (table, present), raw in zip(parsed, raws, strict=True):
        force, ev = _file_force(table, present, raw.name)
        sources.append(f"police.uk:{force}")
        evidence.append(ev)
    all_kept = len(kept_at) == len(keep_np)
    # Text with few values is built as dictionary arrays (no strings are made); the usual
    # form decodes them.
    type_names, type_codes = _text_codes(column("crime_type"))
    lsoa_names, lsoa_codes = _text_codes(column("lsoa_code"), upper=True)
    columns = {
        "source": dictionary_array(sources, kept_group),
        "file": dictionary_array([r.name for r in raws], kept_group),
        "row": pa.array(kept_at - starts[kept_group] + 1, pa.int64()),
        "month": dictionary_array(month_names, month_code[kept_at]),
        "crime_id": crime_id if all_kept else drop_null_text(crime_id, keep_np),
        "crime_type": dictionary_array(type_names, type_codes[kept_at]),
        "lsoa_code": dictionary_array(lsoa_names, lsoa_codes[kept_at]),
        "longitude": longitude if all_kept else pc.filter(longitude, keep),
        "latitude": latitude if all_kept else pc.filter(latitude, keep),
    }
    table = crimes_table_from_arrow(columns, len(kept_at), compact=True)
    if not compact:
        table = decoded_crimes(table)
    files = []
    for i, raw in enumerate(raws):
        lo, hi = starts[i], starts[i + 1]
        codes, kept = month_code[lo:hi], keep_np[lo:hi]
        files.append(
            CrimeFile(
                name=raw.name,
                source=sources[i],
                table=table.slice(kept_starts[i], kept_starts[i + 1] - kept_starts[i]),
                rows_read=_month_counts(codes, month_names),
                skipped=_month_counts(codes[~kept], month_names),
                raw=raw,
                force=evidence[i],
            )
        )
    return CrimeBatch(table=table, files=tuple(files), offsets=kept_starts)


def _file_force(table: pa.Table, present: frozenset[str], name: str) -> tuple[str, ForceEvidence]:
    """The force slug of one police.uk file, from its rows ("Reported by", else "Falls
    within") or, when they name none, its file name; and the evidence for
    :func:`~hotspots.io.forces.check_force`. Rows naming two forces, or a name that says
    another police.uk force than the rows, are refused here."""
    m = STREET_NAME.search(name)
    in_name = m.group(2) if m else None
    for column in ("reported_by", "falls_within"):
        if column not in present:
            continue
        names, codes = _text_codes(table.column(column))
        if len(names) == 1:  # every cell blank
            continue
        given = np.flatnonzero(codes < len(names) - 1)
        first = int(given[0])
        value = names[codes[first]]
        key = force_key(value)
        other = [i for i, v in enumerate(names[:-1]) if force_key(v) != key]
        if other:
            at = int(np.flatnonzero(np.isin(codes, other))[0])
            raise InputError(
                N_("the rows name two police forces: {force} (row {row}) and {other}"),
                file=name,
                row=at + 1,
                expected=N_(
                    "one force in every row's Reported by / Falls within, as "
                    "police.uk publishes a file per force"
                ),
                fix=N_("split the file by force, or load each force's own file"),
                values={
                    "force": repr(value),
                    "row": first + 1,
                    "other": repr(names[codes[at]]),
                },
            )
        ev = ForceEvidence(rows_name=value, row=first + 1, file_name=in_name)
        slug = known_force(value) or force_slug(value)
        if in_name is not None and known_force(in_name) not in (None, slug):
            check_force_evidence(ev, name)
        return slug, ev
    slug = (known_force(in_name) or force_slug(in_name)) if in_name else "unknown-force"
    return slug, ForceEvidence(file_name=in_name)


def _month_counts(codes: np.ndarray, names: list[str]) -> dict[str, int]:
    """Rows of each month code, in order of first appearance (as ``value_counts``)."""
    if not len(codes):
        return {}
    if (codes == codes[0]).all():  # one month: the usual case
        return {names[codes[0]]: len(codes)}
    uniq, first, counts = np.unique(codes, return_index=True, return_counts=True)
    return {names[uniq[i]]: int(counts[i]) for i in np.argsort(first)}
