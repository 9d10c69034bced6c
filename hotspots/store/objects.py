"""The store's object files: crimes tables serialised as Arrow IPC in the compact form,
reference tables as (Geo)Parquet, and the size and checksum an object is checked
against when it is read."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.feather as pf
import xxhash

from hotspots.errors import N_, Text
from hotspots.io.crime_table import compact_crimes, crimes_table, crimes_to_pandas


def object_record(data: bytes | pa.Buffer) -> dict:
    """What the manifest records of an object: its size and checksum (XXH3-128)."""
    return {
        "size": len(data) if not isinstance(data, pa.Buffer) else data.size,
        "xxh3": xxhash.xxh3_128_hexdigest(data),
    }


def object_problem(name: str, data: bytes, record: dict | None) -> Text | None:
    """What is wrong with the bytes ``data`` of the object ``name`` (truncated, altered)
    against its manifest ``record`` (``str()``: in English), or None when they are as
    recorded. An object without a record (written by an earlier version) is checked by
    reading it."""
    if record is None:
        return readable_problem(name, data)
    size = len(data)
    if size != record["size"]:
        return Text(
            N_("the file has {size} bytes where {written} were written (truncated or altered)"),
            {"size": f"{size:,}", "written": f"{record['size']:,}"},
        )
    if xxhash.xxh3_128_hexdigest(data) != record["xxh3"]:
        return Text(N_("its checksum differs from the one recorded when it was written (altered)"))
    return None


def write_object(path: Path, data: bytes | pa.Buffer | pa.Table) -> dict:
    """Write a new object file and fsync it (its directory is synced at the commit); a
    crimes table is serialised first (see :func:`table_to_arrow`). Returns the object's
    :func:`object_record`."""
    if isinstance(data, pa.Table):
        data = table_to_arrow(data)
    record = object_record(data)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(os.dup(fd), "wb") as fh:
            fh.write(data)
        os.fsync(fd)
    finally:
        os.close(fd)
    return record


def frame_to_parquet(frame: pd.DataFrame) -> bytes:
    """Serialise a (Geo)DataFrame to Parquet bytes (GeoParquet for a GeoDataFrame)."""
    buf = io.BytesIO()
    frame = frame.copy()
    frame.attrs = {}
    frame.to_parquet(buf, index=False, compression="zstd")
    return buf.getvalue()


#: Compression of the crimes objects. None: in the compact form (see
#: :func:`table_to_arrow`) they are about as small as the text form compressed with LZ4
#: (the crime IDs, most of the bytes, do not compress), and cost nothing to compress or
#: to decompress.
CRIMES_COMPRESSION: str | None = None


def table_to_arrow(table: pa.Table) -> pa.Buffer:
    """Serialise a crimes table as an Arrow IPC file: fast to write and to read.

    The table is stored in the compact form of :func:`hotspots.io.crime_table.compact_crimes`
    (text with few values dictionary-encoded, columns with no value of type ``null``);
    :func:`read_crimes_object` decodes it. Returns the bytes as a
    :class:`pyarrow.Buffer` (bytes-like; not copied into a Python ``bytes``)."""
    sink = pa.BufferOutputStream()
    _write_crimes(table, sink)
    return sink.getvalue()


def _write_crimes(table: pa.Table, sink) -> None:
    """Serialise a crimes table into ``sink`` (see :func:`table_to_arrow`)."""
    pf.write_feather(compact_crimes(table), sink, compression=CRIMES_COMPRESSION or "uncompressed")


def crimes_to_arrow(frame: pd.DataFrame) -> pa.Buffer:
    """Serialise a crimes frame (see :func:`table_to_arrow`)."""
    return table_to_arrow(crimes_table(frame))


def read_crimes_object(source, columns: list[str] | None = None) -> pd.DataFrame:
    """Read a crimes object written by :func:`table_to_arrow` (or by an earlier version,
    as text compressed with LZ4) as a frame of :data:`hotspots.schema.CRIME_COLUMNS` with
    the package's dtypes."""
    return crimes_to_pandas(pf.read_table(source, columns=columns, memory_map=False))


def readable_problem(name: str, data: bytes) -> Text | None:
    """For an object with no recorded checksum: None when it can be read whole."""
    try:
        if name.endswith(".arrow"):
            pf.read_table(pa.BufferReader(data), memory_map=False)
        else:
            import pyarrow.parquet as pq  # only for objects written before checksums

            pq.read_table(io.BytesIO(data))
    except (pa.ArrowException, OSError, ValueError) as exc:
        return Text(N_("it cannot be read ({reason})"), {"reason": str(exc).splitlines()[0][:120]})
    return None
