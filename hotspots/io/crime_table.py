"""The crimes table: its Arrow types, the pandas frame of it, the compact form the store
keeps (dictionary-encoded text, all-null columns of type ``null``), and :class:`CrimeFile`,
the rows read from one file."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hotspots.io.forces import ForceEvidence
from hotspots.io.raw import RawFile
from hotspots.schema import CRIME_COLUMNS


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


def _empty_crimes(n: int) -> dict[str, object]:
    na_str = pd.array([pd.NA] * n, dtype="string")
    return {c: na_str for c in CRIME_COLUMNS}


def crimes_frame(columns: dict[str, object], n: int) -> pd.DataFrame:
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
