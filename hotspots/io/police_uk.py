"""Read crime rows: police.uk street CSVs (files, folders, archive zips) and force extracts.

Both readers return a :class:`CrimeFile`: the rows normalised to
:data:`hotspots.schema.CRIME_COLUMNS` (not yet placed in wards), with the counts the
reconciliation needs. Nothing is written anywhere; the store does that.
"""

from __future__ import annotations

import csv
import functools
import re
import tomllib
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import xxhash

from hotspots.definitions import normalise_ho_code
from hotspots.errors import InputError
from hotspots.io.csv_guard import check_size, check_text, ragged_error, ragged_row
from hotspots.schema import CRIME_COLUMNS

#: Files bigger than this are parsed on several threads (in 1 MB blocks).
PARALLEL_PARSE_BYTES = 8 << 20
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
#: Years a crime may be dated in (police.uk months, force-extract dates); others are typos.
YEARS = (1900, 2100)
#: Plausible coordinate ranges: WGS84 degrees, and British National Grid metres with a
#: margin (the UK, Northern Ireland included, lies well inside).
COORDINATE_RANGES = {
    "longitude": (-180.0, 180.0),
    "latitude": (-90.0, 90.0),
    "easting": (-200_000.0, 800_000.0),
    "northing": (-100_000.0, 1_300_000.0),
}

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

#: Force extract fields (see docs/force-extract.md): our name → default column name.
EXTRACT_FIELDS = {
    "crime_reference": "crime_reference",
    "recorded_at": "recorded_at",
    "ho_code": "ho_code",
    "offence_description": "offence_description",
    "latitude": "latitude",
    "longitude": "longitude",
    "easting": "easting",
    "northing": "northing",
    "lsoa_code": "lsoa_code",
    "domestic": "domestic_flag",
    "alcohol": "alcohol_flag",
    "drugs_flag": "drugs_flag",
    "knife": "knife_flag",
    "terrorism": "terrorism_flag",
    "victim_age_band": "victim_age_band",
    "victim_sex": "victim_sex",
}
EXTRACT_REQUIRED = ("crime_reference", "recorded_at", "ho_code")
FLAG_VALUES = {
    "y": True,
    "yes": True,
    "true": True,
    "1": True,
    "t": True,
    "n": False,
    "no": False,
    "false": False,
    "0": False,
    "f": False,
}


@dataclass(frozen=True)
class RawFile:
    """The bytes of one input file (or one member of a zip).

    ``data`` is ``bytes`` or another bytes-like object (files are read into a
    :class:`pyarrow.Buffer`, whose memory Arrow reuses from one file to the next).
    """

    name: str
    data: bytes | pa.Buffer = field(repr=False)

    @functools.cached_property
    def checksum(self) -> str:
        """Checksum of the bytes (XXH3-128, hex; computed once)."""
        return xxhash.xxh3_128_hexdigest(self.data)


#: The police forces police.uk publishes street files for: the slug of its file names
#: (``YYYY-MM-<slug>-street.csv``) → the names its rows give in "Reported by" and "Falls
#: within" (and other names a force goes by).
POLICE_UK_FORCES = {
    "avon-and-somerset": ("Avon and Somerset Constabulary",),
    "bedfordshire": ("Bedfordshire Police",),
    "btp": ("British Transport Police",),
    "cambridgeshire": ("Cambridgeshire Constabulary",),
    "cheshire": ("Cheshire Constabulary",),
    "city-of-london": ("City of London Police",),
    "cleveland": ("Cleveland Police",),
    "cumbria": ("Cumbria Constabulary",),
    "derbyshire": ("Derbyshire Constabulary",),
    "devon-and-cornwall": ("Devon & Cornwall Police",),
    "dorset": ("Dorset Police",),
    "durham": ("Durham Constabulary",),
    "dyfed-powys": ("Dyfed-Powys Police", "Heddlu Dyfed-Powys"),
    "essex": ("Essex Police",),
    "gloucestershire": ("Gloucestershire Constabulary",),
    "greater-manchester": ("Greater Manchester Police",),
    "gwent": ("Gwent Police", "Heddlu Gwent"),
    "hampshire": ("Hampshire Constabulary", "Hampshire and Isle of Wight Constabulary"),
    "hertfordshire": ("Hertfordshire Constabulary",),
    "humberside": ("Humberside Police",),
    "kent": ("Kent Police",),
    "lancashire": ("Lancashire Constabulary",),
    "leicestershire": ("Leicestershire Police",),
    "lincolnshire": ("Lincolnshire Police",),
    "merseyside": ("Merseyside Police",),
    "metropolitan": ("Metropolitan Police Service", "Metropolitan Police"),
    "norfolk": ("Norfolk Constabulary",),
    "north-wales": ("North Wales Police", "Heddlu Gogledd Cymru"),
    "north-yorkshire": ("North Yorkshire Police",),
    "northamptonshire": ("Northamptonshire Police",),
    "northern-ireland": ("Police Service of Northern Ireland",),
    "northumbria": ("Northumbria Police",),
    "nottinghamshire": ("Nottinghamshire Police",),
    "south-wales": ("South Wales Police", "Heddlu De Cymru"),
    "south-yorkshire": ("South Yorkshire Police",),
    "staffordshire": ("Staffordshire Police",),
    "suffolk": ("Suffolk Constabulary",),
    "surrey": ("Surrey Police",),
    "sussex": ("Sussex Police",),
    "thames-valley": ("Thames Valley Police",),
    "warwickshire": ("Warwickshire Police",),
    "west-mercia": ("West Mercia Police",),
    "west-midlands": ("West Midlands Police",),
    "west-yorkshire": ("West Yorkshire Police",),
    "wiltshire": ("Wiltshire Police",),
}
_FORCE_WORDS = re.compile(r"\b(police|constabulary|service|heddlu)\b")


def force_key(text: str) -> str:
    """A force name reduced for matching: lower case, "&" as "and", the words police,
    constabulary, service and heddlu left out, letters and digits only ("Dyfed-Powys
    Police", "dyfed-powys" and "dyfedpowys" all give "dyfedpowys")."""
    text = str(text).lower().replace("&", " and ")
    return re.sub(r"[^a-z0-9]", "", _FORCE_WORDS.sub(" ", text))


def _force_slug(text: str) -> str:
    """The slug of a force police.uk does not publish (a name without police words)."""
    return _slug(_FORCE_WORDS.sub(" ", str(text).lower())) or _slug(text)


_KNOWN_FORCES = {
    force_key(k): slug for slug, names in POLICE_UK_FORCES.items() for k in (slug, *names)
}


def known_force(text: str, extra: dict[str, str] | None = None) -> str | None:
    """The slug of the police force ``text`` names (a police.uk force, or one of
    ``extra``: :func:`force_key` → slug, e.g. from the loaded local authority → force
    lookup), or None when it names none."""
    key = force_key(text)
    if not key:
        return None
    return _KNOWN_FORCES.get(key) or (extra or {}).get(key)


@dataclass(frozen=True)
class ForceEvidence:
    """What names the force of a police.uk file: its rows and its name.

    Attributes
    ----------
    rows_name : str or None
        The force the rows give ("Reported by", else "Falls within"); None when they
        give none.
    row : int or None
        The first data row giving it.
    file_name : str or None
        The force in the file name (``YYYY-MM-<force>-street.csv``), as written.
    """

    rows_name: str | None = None
    row: int | None = None
    file_name: str | None = None


def check_force(crime_file: CrimeFile, extra: dict[str, str] | None = None) -> None:
    """Refuse a police.uk file whose force is not a known police force, or whose name
    says another force than its rows.

    Parameters
    ----------
    crime_file : CrimeFile
    extra : dict, optional
        Forces known besides police.uk's (:func:`force_key` → slug), e.g. those of the
        loaded local authority → force lookup.

    Raises
    ------
    InputError
        Naming the file, the row and the force.
    """
    ev = crime_file.force
    if ev is None:
        return
    name = crime_file.name
    listed = "one of police.uk's forces (e.g. Dyfed-Powys Police, South Wales Police)" + (
        " or of the loaded local authority → force lookup" if extra else ""
    )
    if ev.rows_name is not None:
        rows = known_force(ev.rows_name, extra)
        if rows is None:
            raise InputError(
                f"the rows name the force {ev.rows_name!r}, which is not a known police force",
                file=name,
                row=ev.row,
                expected=f"in Reported by / Falls within, {listed}",
                fix="load the file as police.uk published it (a force extract "
                "goes with 'load crimes-extract'), or load the lookup of the force's area",
            )
        by_name = known_force(ev.file_name, extra) if ev.file_name else None
        if by_name is not None and by_name != rows:
            raise InputError(
                f"the file name says the force is {ev.file_name!r} but its rows say "
                f"{ev.rows_name!r}",
                file=name,
                row=ev.row,
                expected="the force of the rows in the name (YYYY-MM-<force>-street.csv)",
                fix=f"check this is the right file, or rename it ...-{rows}-street.csv",
            )
        return
    if ev.file_name is None or known_force(ev.file_name, extra) is None:
        raise InputError(
            "the file does not say which police force's crimes it holds"
            + (
                f" ({ev.file_name!r} in its name is not a known police force)"
                if ev.file_name
                else ""
            ),
            file=name,
            expected=f"a Reported by or Falls within column naming {listed}, or a name "
            "YYYY-MM-<force>-street.csv",
            fix="load the file as police.uk published it, with its Reported by column",
        )


@dataclass(frozen=True)
class CrimeFile:
    """Rows read from one file, normalised but not yet placed in wards.

    Attributes
    ----------
    name, source : str
    raw : RawFile
        The bytes read (``checksum`` is theirs).
    table : pyarrow.Table
        The rows (:data:`CRIME_SCHEMA`; ``ward_code`` and ``assignment`` empty);
        ``crimes`` gives them as a pandas frame.
    rows_read : dict month → int
        All data rows of each month, skipped ones included.
    skipped : dict month → int
        Rows that are not crimes (police.uk anti-social behaviour rows, with no Crime ID).
    """

    name: str
    source: str
    table: pa.Table = field(repr=False)
    rows_read: dict[str, int]
    skipped: dict[str, int]
    raw: RawFile = field(repr=False)
    #: What names the force (police.uk files; see :func:`check_force`).
    force: ForceEvidence | None = None

    @functools.cached_property
    def crimes(self) -> pd.DataFrame:
        """The rows as a pandas frame (:data:`CRIME_COLUMNS`)."""
        return crimes_to_pandas(self.table)

    @property
    def checksum(self) -> str:
        """Checksum of the file's bytes."""
        return self.raw.checksum


def _slug(text: str) -> str:
    text = re.sub(r"\s+police$", "", str(text).strip(), flags=re.IGNORECASE)
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.replace("\ufeff", "").lower())


def _bom(raw: RawFile) -> int:
    return 3 if bytes(memoryview(raw.data)[:3]) == b"\xef\xbb\xbf" else 0


def _header(raw: RawFile) -> list[str]:
    start = _bom(raw)
    data = memoryview(raw.data)[start:]
    head = bytes(data[: 1 << 16])
    if not head.strip() and len(data) <= len(head):
        raise InputError(
            "the file is empty", file=raw.name, expected="a header line and at least one data row"
        )
    check_text(raw.data, raw.name, start)  # compressed, UTF-16, NUL bytes, HTML, no line end
    first = re.split(rb"\r\n|\r|\n", head, maxsplit=1)[0]
    if len(first) == len(head) and len(data) > len(head):  # a header longer than 64 KiB
        first = re.split(rb"\r\n|\r|\n", bytes(data[: 1 << 20]), maxsplit=1)[0]
    try:
        header_text = first.decode("utf-8")
    except UnicodeDecodeError:
        header_text = first.decode("cp1252", errors="replace")
    names = next(csv.reader([header_text]), [])
    if not any(n.strip() for n in names):
        raise InputError(
            "the file has no header line", file=raw.name, expected="column names on the first line"
        )
    keys = [_key(n) for n in names]
    if len(set(keys)) != len(keys):
        dup = sorted({n.strip() for n in names if keys.count(_key(n)) > 1})
        raise InputError(
            f"the header repeats column(s) {dup}",
            file=raw.name,
            fix="give every column a different name",
        )
    return names


def _decode_csv(
    raw: RawFile,
    types: dict[str, pa.DataType] | None = None,
    include: list[str] | None = None,
    names: list[str] | None = None,
) -> tuple[pa.Table, list[str]]:
    """Read a CSV into an Arrow table: every column text unless ``types`` says otherwise;
    empty cells become nulls. Only ``include`` columns are converted when given.
    ``names`` is the header when :func:`_header` has already read it."""
    data = memoryview(raw.data)[_bom(raw) :]
    names = names if names is not None else _header(raw)
    column_types = {n: pa.string() for n in names}
    column_types.update(types or {})
    convert = pacsv.ConvertOptions(
        column_types=column_types,
        include_columns=include,
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
    )
    # Small files are parsed on the calling thread (the loader reads batches of them on
    # several threads at once); a big one is parsed a block per core.
    read = pacsv.ReadOptions(block_size=1 << 20, use_threads=len(data) > PARALLEL_PARSE_BYTES)
    parse = pacsv.ParseOptions()
    buf = data
    for _attempt in range(4):
        try:
            return pacsv.read_csv(
                pa.BufferReader(pa.py_buffer(buf)),
                read_options=read,
                parse_options=parse,
                convert_options=convert,
            ), names
        except pa.ArrowInvalid as exc:
            msg = str(exc)
            if ("UTF8" in msg or "UTF-8" in msg) and buf is data:
                buf = bytes(data).decode("cp1252", errors="replace").encode("utf-8")
                continue
            if "straddling" in msg and read.block_size < len(buf) + 1:
                # A row longer than a block (a huge cell, or a line break in quotes).
                read = pacsv.ReadOptions(block_size=len(buf) + 1)
                parse = pacsv.ParseOptions(newlines_in_values=True)
                continue
            m = re.search(r"Expected (\d+) columns, got (\d+)", msg)
            if m:
                found = ragged_row(bytes(raw.data) if buf is data else buf)
                if found:
                    raise ragged_error(found, raw.name) from None
                if not parse.newlines_in_values:  # a line break inside quotes
                    parse = pacsv.ParseOptions(newlines_in_values=True)
                    continue
                raise InputError(
                    f"a row has {m.group(2)} fields where the header has {m.group(1)}",
                    file=raw.name,
                    fix="check that fields holding commas are in double quotes",
                ) from None
            if "conversion error" in msg and types:
                raise _TypeProblemError(msg) from None
            raise InputError(
                f"the file cannot be read as CSV ({msg.splitlines()[0]})",
                file=raw.name,
                fix="save it as comma-separated UTF-8 text",
            ) from None
    raise InputError(
        "the file cannot be read as CSV",
        file=raw.name,  # pragma: no cover
        fix="save it as comma-separated UTF-8 text",
    )


class _TypeProblemError(Exception):
    """A typed column failed to convert: the caller re-reads it as text to find the row."""


def _first_bad(mask: np.ndarray) -> int:
    """1-based data row of the first True in ``mask``."""
    return int(np.flatnonzero(mask)[0]) + 1


def _to_float(col: pd.Series, what: str, name: str) -> pd.Series:
    values = pd.to_numeric(col, errors="coerce")
    bad = values.isna().to_numpy() & col.notna().to_numpy()
    if bad.any():
        row = _first_bad(bad)
        raise InputError(
            f"{what} {col.iloc[row - 1]!r} is not a number",
            file=name,
            row=row,
            expected=f"a decimal number or an empty cell in the {what} column",
            fix="correct or blank that cell",
        )
    return values.astype("float64")


def _empty_crimes(n: int) -> dict[str, object]:
    na_str = pd.array([pd.NA] * n, dtype="string")
    return {c: na_str for c in CRIME_COLUMNS}


def _frame(columns: dict[str, object], n: int) -> pd.DataFrame:
    data = _empty_crimes(n)
    data["row"] = np.arange(1, n + 1)
    data.update(columns)
    out = pd.DataFrame({c: data[c] for c in CRIME_COLUMNS})
    for c in ("longitude", "latitude", "easting", "northing"):
        out[c] = out[c].astype("float64")
    for c in ("domestic", "alcohol", "drugs_flag", "knife", "terrorism"):
        out[c] = out[c].astype("boolean")
    out["row"] = out["row"].astype("int64")
    out["occurred_at"] = pd.to_datetime(out["occurred_at"])
    for c in (
        "source",
        "file",
        "month",
        "crime_id",
        "crime_type",
        "ho_code",
        "lsoa_code",
        "victim_age_band",
        "victim_sex",
        "ward_code",
        "assignment",
    ):
        out[c] = out[c].astype("string")
    return out


def _counts(months: pd.Series) -> dict[str, int]:
    return {str(k): int(v) for k, v in months.value_counts().sort_index().items()}


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


def _drop_null_text(values: pa.ChunkedArray, valid: np.ndarray) -> pa.ChunkedArray:
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


def _index_type(size: int) -> pa.DataType:
    """The narrowest signed integer type that indexes a dictionary of ``size`` values."""
    return pa.int8() if size <= 127 else pa.int16() if size <= 32767 else pa.int32()


def dictionary_array(names: Sequence[str | None], codes: np.ndarray) -> pa.DictionaryArray:
    """Text ``names[codes]`` as an Arrow dictionary array, without building the strings.

    Parameters
    ----------
    names : sequence of str or None
        The values; None ones become nulls. Other values may repeat (each distinct value
        is stored once).
    codes : ndarray of int
        The position in ``names`` of each row's value (negative: a null).

    Returns
    -------
    pyarrow.DictionaryArray
        Unique string values, indices of the narrowest integer type that fits.
    """
    distinct: dict[str, int] = {}
    remap = np.array(
        [-1 if v is None else distinct.setdefault(v, len(distinct)) for v in names] + [-1],
        dtype=np.int64,
    )
    codes = np.asarray(codes)
    itype = _index_type(len(distinct))
    k = len(distinct)
    if (remap[:k] == np.arange(k)).all() and (remap[k:] < 0).all():
        # The values are names[:k] as they are (the usual case): the codes are the indices.
        indices, mask = codes, (codes >= k) | (codes < 0)
    else:
        indices = remap[np.where(codes < 0, len(names), codes)]
        mask = indices < 0
    return pa.DictionaryArray.from_arrays(
        pa.array(indices.astype(itype.to_pandas_dtype()), itype, mask=mask if mask.any() else None),
        pa.array(list(distinct), pa.string()),
    )


#: Arrow types of the stored crimes table, in :data:`CRIME_COLUMNS` order.
CRIME_TYPES = {
    "source": pa.string(),
    "file": pa.string(),
    "row": pa.int64(),
    "month": pa.string(),
    "crime_id": pa.string(),
    "crime_type": pa.string(),
    "ho_code": pa.string(),
    "occurred_at": pa.timestamp("s"),
    "lsoa_code": pa.string(),
    "longitude": pa.float64(),
    "latitude": pa.float64(),
    "easting": pa.float64(),
    "northing": pa.float64(),
    "domestic": pa.bool_(),
    "alcohol": pa.bool_(),
    "drugs_flag": pa.bool_(),
    "knife": pa.bool_(),
    "terrorism": pa.bool_(),
    "victim_age_band": pa.string(),
    "victim_sex": pa.string(),
    "ward_code": pa.string(),
    "assignment": pa.string(),
}
_PANDAS_TYPES = {
    pa.string(): pd.StringDtype("pyarrow"),
    pa.large_string(): pd.StringDtype("pyarrow"),
    pa.bool_(): pd.BooleanDtype(),
}


def crimes_to_pandas(table: pa.Table) -> pd.DataFrame:
    """An Arrow crimes table (either form, see :func:`compact_crimes`) as a pandas frame
    with the package's dtypes."""
    return decoded_crimes(table).to_pandas(types_mapper=_PANDAS_TYPES.get)


CRIME_SCHEMA = pa.schema([(c, CRIME_TYPES[c]) for c in CRIME_COLUMNS])
#: Text columns with few distinct values: dictionary-encoded in the compact form.
DICTIONARY_COLUMNS = (
    "source",
    "file",
    "month",
    "crime_type",
    "lsoa_code",
    "ward_code",
    "assignment",
)


def decoded_crimes(table: pa.Table) -> pa.Table:
    """A crimes table (or some of its columns) with the types of :data:`CRIME_SCHEMA`:
    dictionary-encoded and all-null (``null`` type) columns of the compact form decoded.
    A table that has them already is returned as it is."""
    if all(f.type == CRIME_TYPES.get(f.name, f.type) for f in table.schema):
        return table
    schema = pa.schema([(f.name, CRIME_TYPES.get(f.name, f.type)) for f in table.schema])
    return table.cast(schema)


def compact_crimes(table: pa.Table) -> pa.Table:
    """A crimes table in the compact form the store keeps: the
    :data:`DICTIONARY_COLUMNS` dictionary-encoded, columns with no value at all of type
    ``null``, the rest as in :data:`CRIME_SCHEMA`. :func:`decoded_crimes` gives the
    table back exactly; columns already compact are not touched."""
    columns = []
    for name in table.column_names:
        col = table.column(name)
        if col.null_count == len(col) and col.type != pa.null():
            col = pa.nulls(len(col), pa.null())
        elif name in DICTIONARY_COLUMNS and not pa.types.is_dictionary(col.type):
            names, codes = _text_values(col)
            col = dictionary_array(names, codes)
        columns.append(col)
    return pa.table(columns, names=table.column_names)


def _text_values(col: pa.ChunkedArray | pa.Array) -> tuple[list[str | None], np.ndarray]:
    """The distinct values of a text column as they are (nulls as None), and the position
    of each row's value among them."""
    arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    enc = pc.dictionary_encode(arr)
    names = [*enc.dictionary.to_pylist(), None]
    return names, enc.indices.fill_null(len(names) - 1).to_numpy(zero_copy_only=False)


def crimes_table_from_arrow(
    columns: dict[str, pa.Array], n: int, compact: bool = False
) -> pa.Table:
    """A crimes table (:data:`CRIME_SCHEMA`) from Arrow columns; the rest are nulls.

    With ``compact``, the columns are taken as they are and the missing ones are of type
    ``null`` (the compact form of :func:`compact_crimes`)."""
    if compact:
        return pa.table(
            [columns[c] if c in columns else pa.nulls(n, pa.null()) for c in CRIME_COLUMNS],
            names=CRIME_COLUMNS,
        )
    arrays = [columns[c] if c in columns else pa.nulls(n, CRIME_TYPES[c]) for c in CRIME_COLUMNS]
    return pa.table(arrays, schema=CRIME_SCHEMA)


def crimes_table(frame: pd.DataFrame) -> pa.Table:
    """A crimes frame as an Arrow table with :data:`CRIME_SCHEMA`."""
    table = pa.Table.from_pandas(frame[CRIME_COLUMNS], preserve_index=False)
    return table.cast(CRIME_SCHEMA)


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
    names = _header(raw)
    rename = {n: POLICE_UK_COLUMNS[_key(n)] for n in names if _key(n) in POLICE_UK_COLUMNS}
    missing = [c for c in POLICE_UK_REQUIRED if c not in rename.values()]
    if missing:
        label = {"crime_id": "Crime ID", "lsoa_code": "LSOA code", "crime_type": "Crime type"}
        want = [label.get(c, c.capitalize()) for c in missing]
        raise InputError(
            f"missing column(s) {want}",
            file=raw.name,
            expected="the police.uk street CSV header: Crime ID, Month, Reported by, "
            "Falls within, Longitude, Latitude, Location, LSOA code, LSOA name, Crime type, "
            "Last outcome category, Context",
            fix="load the file as police.uk published it, or load a force extract with "
            "'load crimes-extract'",
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
        table, _ = _decode_csv(raw, floats, include, names)
    except _TypeProblemError:
        table, _ = _decode_csv(raw, None, include, names)
        for what in ("longitude", "latitude"):
            text = table.column(col_of[what]).to_pandas()
            _to_float(pd.Series(text, dtype="string").str.strip(), what.capitalize(), raw.name)
        raise  # pragma: no cover - _to_float always raises here
    n = table.num_rows
    if n == 0:
        raise InputError(
            "the file has a header but no rows", file=raw.name, expected="at least one data row"
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
        extra, _ = _decode_csv(raw, {falls: words}, [falls], names)
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
        if value is None:
            problem = "the Month cell is blank"
        elif MONTH.match(value):
            problem = f"month {value!r} is out of range"
        else:
            problem = f"month {value!r} is not a month"
        raise InputError(
            problem,
            file=name,
            row=idx + 1,
            expected=f"YYYY-MM, e.g. 2019-01, from {YEARS[0]} to {YEARS[1]}",
            fix="correct the Month cell",
        )
    longitude, latitude = column("longitude"), column("latitude")
    for values, what in ((longitude, "longitude"), (latitude, "latitude")):
        _check_range(values, what, what.capitalize(), name)
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
        "crime_id": crime_id if all_kept else _drop_null_text(crime_id, keep_np),
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
    :func:`check_force`. Rows naming two forces, or a name that says another police.uk
    force than the rows, are refused here."""
    m = _STREET_NAME.search(name)
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
                f"the rows name two police forces: {value!r} (row {first + 1}) and "
                f"{names[codes[at]]!r}",
                file=name,
                row=at + 1,
                expected="one force in every row's Reported by / Falls within, as "
                "police.uk publishes a file per force",
                fix="split the file by force, or load each force's own file",
            )
        ev = ForceEvidence(rows_name=value, row=first + 1, file_name=in_name)
        slug = known_force(value) or _force_slug(value)
        if in_name is not None and known_force(in_name) not in (None, slug):
            check_force(
                CrimeFile(
                    name=name,
                    source="",
                    table=table.slice(0, 0),
                    rows_read={},
                    skipped={},
                    raw=RawFile(name, b""),
                    force=ev,
                )
            )
        return slug, ev
    slug = (known_force(in_name) or _force_slug(in_name)) if in_name else "unknown-force"
    return slug, ForceEvidence(file_name=in_name)


def _month_counts(codes: np.ndarray, names: list[str]) -> dict[str, int]:
    """Rows of each month code, in order of first appearance (as ``value_counts``)."""
    if not len(codes):
        return {}
    if (codes == codes[0]).all():  # one month: the usual case
        return {names[codes[0]]: len(codes)}
    uniq, first, counts = np.unique(codes, return_index=True, return_counts=True)
    return {names[uniq[i]]: int(counts[i]) for i in np.argsort(first)}


def _check_range(
    values: pa.ChunkedArray | pa.Array | pd.Series, field_name: str, what: str, name: str
) -> None:
    """Refuse NaN and values outside :data:`COORDINATE_RANGES` (nulls are fine)."""
    arr = (
        values.to_numpy(dtype="float64", na_value=0.0)
        if isinstance(values, pd.Series)
        else pc.fill_null(values, 0.0).to_numpy()
    )
    if isinstance(arr, pa.ChunkedArray):  # pragma: no cover - to_numpy returns ndarray
        arr = np.asarray(arr)
    lo, hi = COORDINATE_RANGES[field_name]
    bad = ~((arr >= lo) & (arr <= hi))
    if bad.any():
        row = _first_bad(bad)
        value = arr[row - 1]
        if np.isnan(value):
            raise InputError(
                f"{what} 'nan' is not a number",
                file=name,
                row=row,
                expected=f"a decimal number or an empty cell in the {what} column",
                fix="correct or blank that cell",
            )
        raise InputError(
            f"{what} {_num(value)} is outside {_num(lo)}..{_num(hi)}",
            file=name,
            row=row,
            expected=_RANGE_WORDS[field_name],
            fix="correct or blank that cell (are longitude and latitude, or "
            "easting and northing, the right way round?)",
        )


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


_RANGE_WORDS = {
    "longitude": "WGS84 longitude in degrees (Wales is about -5.4 to -2.6)",
    "latitude": "WGS84 latitude in degrees (Wales is about 51.3 to 53.5)",
    "easting": "British National Grid metres (Wales is about 150000 to 360000)",
    "northing": "British National Grid metres (Wales is about 160000 to 400000)",
}


def read_buffer(path: str | Path) -> pa.Buffer:
    """The bytes of a file in a :class:`pyarrow.Buffer` (Arrow's memory pool keeps and
    reuses the memory, so reading many files does not fault in fresh pages each time)."""
    with pa.OSFile(str(path)) as fh:
        return fh.read_buffer()


def read_member(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, archive: str, *, keep: bool = True
) -> pa.Buffer | None:
    """The bytes of one zip member, decompressed a block at a time and counted as they
    come, whatever its header says: reading stops at the size limit
    (``HOTSPOTS_MAX_FILE_MB``), so a member whose header claims a small size but that
    unpacks to gigabytes is refused after reading no more than the limit. With
    ``keep=False`` the bytes are only counted (a check before another reader opens the
    zip), and None is returned.

    Raises
    ------
    InputError
        The member is over the limit, or unpacks to another size than its header says.
    """
    from hotspots.io.csv_guard import max_file_bytes

    name = f"{archive}:{info.filename}"
    check_size(info.file_size, name, "the member unpacks to")
    limit = max_file_bytes()
    # The zip reader stops at the size the header gives; ask it for a block more than
    # the limit instead (it would check the CRC on reaching that size), so that the
    # bytes actually unpacked are what is counted.
    counted = zipfile.ZipInfo(info.filename, info.date_time)
    for attr in (
        "compress_type",
        "compress_size",
        "CRC",
        "flag_bits",
        "header_offset",
        "extra",
        "create_system",
        "create_version",
        "extract_version",
        "external_attr",
        "internal_attr",
        "volume",
        "reserved",
        "comment",
    ):
        setattr(counted, attr, getattr(info, attr))
    block_size = 1 << 20
    counted.file_size = limit + block_size + 1
    out = bytearray()
    size = 0
    with zf.open(counted) as fh:
        while True:
            block = fh.read(block_size)
            if not block:
                break
            size += len(block)
            if keep:
                out += block
            if size > limit:
                raise InputError(
                    f"the member unpacks to more than the limit of {limit / (1 << 20):.0f} MB "
                    f"although its header says {info.file_size:,} bytes (reading stopped "
                    "at the limit)",
                    file=name,
                    expected="a zip whose members unpack to no more than the limit",
                    fix="check the archive (download it again from police.uk), or raise "
                    "the limit with the environment variable HOTSPOTS_MAX_FILE_MB",
                )
    if size != info.file_size:
        raise InputError(
            f"the member unpacks to {size:,} bytes but its header says {info.file_size:,}",
            file=name,
            fix="download the archive again",
        )
    return pa.py_buffer(out) if keep else None


_STREET_NAME = re.compile(r"(\d{4}-\d{2})-(.+)-street\.csv$", re.IGNORECASE)


def iter_police_uk(
    paths: Iterable[str | Path],
    forces: Iterable[str] | None = None,
    months: Iterable[str] | None = None,
) -> Iterator[RawFile]:
    """Yield police.uk street files from CSV paths, folders and police.uk archive zips.

    A police.uk archive (``YYYY-MM.zip`` holding ``YYYY-MM/YYYY-MM-<force>-street.csv``)
    is read member by member straight from the zip; only the members for the ``forces``
    (slugs such as ``"dyfed-powys"``) and ``months`` asked for are read.

    Raises
    ------
    InputError
        A path that does not exist, a zip that is damaged, or a folder or zip with no
        street files in it.
    """
    want_forces = {_slug(f) for f in forces} if forces else None
    want_months = set(months) if months else None

    def wanted(name: str) -> bool:
        m = _STREET_NAME.search(name)
        if not m:
            return False
        return (want_forces is None or _slug(m.group(2)) in want_forces) and (
            want_months is None or m.group(1) in want_months
        )

    for p in map(Path, paths):
        if not p.exists():
            raise InputError(
                "no such file or folder",
                file=str(p),
                fix="check the path (folders and .zip archives are accepted)",
            )
        if p.is_dir():
            found = sorted(
                q
                for q in p.rglob("*")
                if q.is_file() and (q.suffix.lower() == ".zip" or wanted(q.name))
            )
            if not found:
                raise InputError(
                    "the folder holds no police.uk street CSVs",
                    file=str(p),
                    expected="files named YYYY-MM-<force>-street.csv",
                )
            yield from iter_police_uk(found, forces, months)
        elif p.suffix.lower() == ".zip":
            try:
                with zipfile.ZipFile(p) as zf:
                    members = [i for i in zf.infolist() if wanted(i.filename)]
                    if not members and want_forces is None and want_months is None:
                        nested = [
                            i.filename for i in zf.infolist() if i.filename.lower().endswith(".zip")
                        ]
                        raise InputError(
                            "the zip holds no police.uk street CSVs"
                            + (f" (it holds a zip inside a zip: {nested[0]})" if nested else ""),
                            file=p.name,
                            expected="members named YYYY-MM/YYYY-MM-<force>-street.csv",
                            fix="unpack the outer zip and load the zip inside"
                            if nested
                            else "check that this is a police.uk archive",
                        )
                    for info in members:
                        yield RawFile(
                            name=f"{p.name}:{info.filename}", data=read_member(zf, info, p.name)
                        )
            except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile, OSError, zlib.error) as exc:
                raise InputError(
                    f"the zip is damaged or incomplete ({exc})",
                    file=p.name,
                    fix="download the archive again",
                ) from None
            except NotImplementedError as exc:  # e.g. Deflate64 or another compression
                raise InputError(
                    f"the zip uses a compression method the tool cannot read ({exc})",
                    file=p.name,
                    expected="a Deflate (ordinary) zip",
                    fix="unpack it and zip it again, or load the CSVs",
                ) from None
            except RuntimeError as exc:  # an encrypted member
                what = (
                    "the zip is encrypted (it needs a password)"
                    if "encrypted" in str(exc)
                    else f"the zip cannot be opened ({exc})"
                )
                raise InputError(
                    what,
                    file=p.name,
                    expected="a zip without a password",
                    fix="unpack it with its password and load the CSVs",
                ) from None
        else:
            if (want_forces or want_months) and _STREET_NAME.search(p.name) and not wanted(p.name):
                continue
            check_size(p.stat().st_size, p.name)
            yield RawFile(name=p.name, data=read_buffer(p))


# ----------------------------------------------------------------------------------------
# Force extracts


@dataclass(frozen=True)
class ExtractMapping:
    """How a force extract's columns map onto the documented schema.

    Parameters
    ----------
    source : str
        Short name of the force or system, e.g. ``"dyfed-powys"``; rows are stored as
        source ``extract:<source>``.
    columns : tuple of (field, column) pairs
        Overrides of :data:`EXTRACT_FIELDS` defaults.
    date_format : str or None
        ``strftime`` format of ``recorded_at``; None accepts ISO 8601 or day-first dates.
    """

    source: str = "force-extract"
    columns: tuple[tuple[str, str], ...] = ()
    date_format: str | None = None

    def column_for(self, field_name: str) -> str:
        """The extract's column that holds ``field_name``."""
        return dict(self.columns).get(field_name, EXTRACT_FIELDS[field_name])


def parse_extract_mapping(text: str, file: str = "<mapping>") -> ExtractMapping:
    """Read an :class:`ExtractMapping` from TOML (see docs/force-extract.md)."""
    example = "see the example in docs/force-extract.md"
    try:
        raw = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML ({exc})", file=file, fix=example) from None
    cols = raw.get("columns", {})
    if not isinstance(cols, dict):
        raise InputError(
            "[columns] is not a table",
            file=file,
            expected='a [columns] table of field = "column name" lines',
            fix=example,
        )
    unknown = sorted(set(cols) - set(EXTRACT_FIELDS))
    if unknown:
        raise InputError(
            f"unknown field(s) {unknown} in [columns]",
            file=file,
            expected=f"fields from {list(EXTRACT_FIELDS)}",
            fix=example,
        )
    for k, v in cols.items():
        if not isinstance(v, str) or not v.strip():
            raise InputError(
                f"the column for {k} is {v!r}, not text",
                file=file,
                expected=f'{k} = "the column name in the extract"',
                fix=example,
            )
    for key in ("source", "date_format"):
        if key in raw and not isinstance(raw[key], str):
            raise InputError(
                f"{key} is {raw[key]!r}, not text",
                file=file,
                expected=f'{key} = "…" in double quotes',
                fix=example,
            )
    source = _slug(raw.get("source", "force-extract"))
    if not source:
        raise InputError(
            "the source is blank",
            file=file,
            expected='a short name of the force, e.g. source = "dyfed-powys"',
            fix=example,
        )
    return ExtractMapping(
        source=source,
        columns=tuple(sorted((k, str(v)) for k, v in cols.items())),
        date_format=raw.get("date_format"),
    )


def read_extract_mapping(path: str | Path) -> ExtractMapping:
    """Read an :class:`ExtractMapping` from a TOML file (UTF-8; a byte-order mark is fine)."""
    path = Path(path)
    if not path.is_file():
        raise InputError("no such mapping file", file=str(path), fix="check the path")
    check_size(path.stat().st_size, path.name)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(
            "the mapping is not UTF-8 text", file=path.name, fix="save it as UTF-8"
        ) from None
    return parse_extract_mapping(text, file=path.name)


def _flags(col: pd.Series, what: str, name: str) -> pd.Series:
    text = col.str.strip().str.lower()
    out = text.map(FLAG_VALUES)
    bad = out.isna().to_numpy() & text.notna().to_numpy()
    if bad.any():
        row = _first_bad(bad)
        raise InputError(
            f"{what} flag {col.iloc[row - 1]!r} is not yes or no",
            file=name,
            row=row,
            expected="Y/N, Yes/No, True/False, 1/0 or empty",
        )
    return out.astype("boolean")


_ZONE = re.compile(r"(Z|[+-]\d\d:?\d\d)$", re.IGNORECASE)


def _parse_times(when_text: pd.Series, date_format: str | None, name: str) -> pd.Series:
    """Recorded date-times as naive timestamps (NaT where unreadable); wall-clock time is
    kept when a time zone is given. Mixed time zones are refused (naming the row)."""
    zones = when_text.str.strip().str.extract(_ZONE, expand=False)
    has_zone = zones.notna() & when_text.notna()
    if has_zone.any():
        first = zones[has_zone].iloc[0].upper()
        differs = (when_text.notna() & (zones.fillna("").str.upper() != first)).to_numpy()
        if differs.any():
            row = _first_bad(differs)
            raise InputError(
                "the recorded date-times mix time zones (or mix times with and "
                f"without one): {when_text.iloc[row - 1]!r}",
                file=name,
                row=row,
                expected=f"every date-time in the same time zone ({first}) or none",
                fix="give every date-time in UK local time, without a zone",
            )
    try:
        if date_format:
            when = pd.to_datetime(when_text, format=date_format, errors="coerce")
        else:
            when = pd.to_datetime(when_text, format="ISO8601", errors="coerce")
            retry = when.isna() & when_text.notna()
            if retry.any():
                again = pd.to_datetime(
                    when_text.where(retry), dayfirst=True, format="%d/%m/%Y %H:%M", errors="coerce"
                )
                if when.dt.tz is not None:
                    when = when.dt.tz_localize(None)
                when = when.where(~retry, again)
    except (ValueError, TypeError) as exc:
        raise InputError(
            f"the recorded date-times cannot be read ({exc})",
            file=name,
            expected="YYYY-MM-DD HH:MM, or the date_format of the mapping",
            fix="check date_format in the mapping (strftime codes such as %d/%m/%Y %H:%M)",
        ) from None
    if when.dt.tz is not None:
        when = when.dt.tz_localize(None)
    return when


def read_extract(raw: RawFile, mapping: ExtractMapping | None = None) -> CrimeFile:
    """Read a force extract CSV with Home Office offence codes (docs/force-extract.md).

    Parameters
    ----------
    raw : RawFile
    mapping : ExtractMapping, optional
        Column names when they differ from the documented defaults.

    Raises
    ------
    InputError
        Missing columns, a blank crime reference or offence code, an unreadable date,
        a non-numeric coordinate or an unknown flag value; the message names the row.
    """
    mapping = mapping or ExtractMapping()
    table, names = _decode_csv(raw)
    by_key = {_key(n): n for n in names}

    def column(field_name: str) -> str | None:
        want = mapping.column_for(field_name)
        return want if want in names else by_key.get(_key(want))

    missing = [mapping.column_for(f) for f in EXTRACT_REQUIRED if column(f) is None]
    if missing:
        raise InputError(
            f"missing column(s) {missing}",
            file=raw.name,
            expected="a force extract with crime_reference, recorded_at and ho_code columns "
            "(docs/force-extract.md)",
            fix="rename the columns or give a column mapping with --mapping",
        )
    has_loc = any(column(f) for f in ("latitude", "easting", "lsoa_code"))
    if not has_loc:
        raise InputError(
            "no location columns",
            file=raw.name,
            expected="latitude/longitude, easting/northing or lsoa_code",
        )
    n = table.num_rows
    if n == 0:
        raise InputError(
            "the file has a header but no rows", file=raw.name, expected="at least one data row"
        )

    def text(field_name: str) -> pd.Series | None:
        c = column(field_name)
        if c is None:
            return None
        s = pd.Series(table.column(c).to_pandas(), dtype="string").str.strip()
        return s.mask(s == "")

    ref = text("crime_reference")
    if ref.isna().any():
        row = _first_bad(ref.isna().to_numpy())
        raise InputError(
            "the crime reference is blank",
            file=raw.name,
            row=row,
            expected="a crime reference on every row",
            fix="fill it in or remove the row",
        )
    code = text("ho_code")
    if code.isna().any():
        row = _first_bad(code.isna().to_numpy())
        raise InputError(
            "the Home Office offence code is blank",
            file=raw.name,
            row=row,
            expected="a code such as 8N, 19C, 34B or 92A",
        )
    uniq = code.unique()
    code = code.map(dict(zip(uniq, [normalise_ho_code(u) for u in uniq], strict=True)))
    when_text = text("recorded_at")
    when = _parse_times(when_text, mapping.date_format, raw.name)
    lo, hi = pd.Timestamp(YEARS[0], 1, 1), pd.Timestamp(YEARS[1] + 1, 1, 1)
    bad = (when.isna() | (when < lo) | (when >= hi)).to_numpy()
    if bad.any():
        row = _first_bad(bad)
        value = when_text.iloc[row - 1]
        years = [int(y) for y in re.findall(r"(?<!\d)\d{4}(?!\d)", str(value))]
        out_of_range = pd.notna(when.iloc[row - 1]) or any(
            not YEARS[0] <= y <= YEARS[1] for y in years
        )
        problem = "is out of range" if out_of_range else "cannot be read"
        form = (
            f"the mapping's date_format {mapping.date_format!r}"
            if mapping.date_format
            else "YYYY-MM-DD HH:MM (or DD/MM/YYYY HH:MM)"
        )
        raise InputError(
            f"recorded date-time {value!r} {problem}",
            file=raw.name,
            row=row,
            expected=f"{form}, from {YEARS[0]} to {YEARS[1]}",
            fix="correct the cell, or give date_format in the mapping",
        )
    month = when.dt.strftime("%Y-%m").astype("string")
    cols: dict[str, object] = {
        "source": pd.array([f"extract:{mapping.source}"] * n, dtype="string"),
        "file": pd.array([raw.name] * n, dtype="string"),
        "row": np.arange(1, n + 1),
        "month": month,
        "crime_id": ref,
        "ho_code": code,
        "occurred_at": when,
    }
    desc = text("offence_description")
    if desc is not None:
        cols["crime_type"] = desc
    for f, what in (
        ("longitude", "longitude"),
        ("latitude", "latitude"),
        ("easting", "easting"),
        ("northing", "northing"),
    ):
        s = text(f)
        if s is not None:
            cols[f] = _to_float(s, what, raw.name)
            _check_range(cols[f], f, what, raw.name)
    lsoa = text("lsoa_code")
    if lsoa is not None:
        cols["lsoa_code"] = lsoa.str.upper()
    for f in ("domestic", "alcohol", "drugs_flag", "knife", "terrorism"):
        s = text(f)
        if s is not None:
            cols[f] = _flags(s, f.replace("_flag", ""), raw.name)
    for f in ("victim_age_band", "victim_sex"):
        s = text(f)
        if s is not None:
            cols[f] = s
    frame = _frame(
        {k: (v.to_numpy() if isinstance(v, pd.Series) else v) for k, v in cols.items()}, n
    )
    return CrimeFile(
        name=raw.name,
        source=f"extract:{mapping.source}",
        table=crimes_table(frame),
        rows_read=_counts(month),
        skipped={},
        raw=raw,
    )
