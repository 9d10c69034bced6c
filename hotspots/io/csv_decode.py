"""Decode a CSV file's bytes into an Arrow table: the header checked (blank, repeated
names), a byte-order mark, Windows-1252 text, long rows and ragged rows handled, and
every problem raised as an :class:`~hotspots.errors.InputError` naming the file."""

from __future__ import annotations

import csv
import re

import pyarrow as pa
import pyarrow.csv as pacsv

from hotspots.errors import N_, InputError
from hotspots.io.csv_guard import check_text, ragged_error, ragged_row
from hotspots.io.raw import RawFile

#: Files bigger than this are parsed on several threads (in 1 MB blocks).
PARALLEL_PARSE_BYTES = 8 << 20


def column_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.replace("\ufeff", "").lower())


def _bom(raw: RawFile) -> int:
    return 3 if bytes(memoryview(raw.data)[:3]) == b"\xef\xbb\xbf" else 0


def read_header(raw: RawFile) -> list[str]:
    start = _bom(raw)
    data = memoryview(raw.data)[start:]
    head = bytes(data[: 1 << 16])
    if not head.strip() and len(data) <= len(head):
        raise InputError(
            N_("the file is empty"),
            file=raw.name,
            expected=N_("a header line and at least one data row"),
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
            N_("the file has no header line"),
            file=raw.name,
            expected=N_("column names on the first line"),
        )
    keys = [column_key(n) for n in names]
    if len(set(keys)) != len(keys):
        dup = sorted({n.strip() for n in names if keys.count(column_key(n)) > 1})
        raise InputError(
            N_("the header repeats column(s) {columns}"),
            file=raw.name,
            fix=N_("give every column a different name"),
            values={"columns": str(dup)},
        )
    return names


def decode_csv(
    raw: RawFile,
    types: dict[str, pa.DataType] | None = None,
    include: list[str] | None = None,
    names: list[str] | None = None,
) -> tuple[pa.Table, list[str]]:
    """Read a CSV into an Arrow table: every column text unless ``types`` says otherwise;
    empty cells become nulls. Only ``include`` columns are converted when given.
    ``names`` is the header when :func:`read_header` has already read it."""
    data = memoryview(raw.data)[_bom(raw) :]
    names = names if names is not None else read_header(raw)
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
                    N_("a row has {fields} fields where the header has {width}"),
                    file=raw.name,
                    fix=N_("check that fields holding commas are in double quotes"),
                    values={"fields": m.group(2), "width": m.group(1)},
                ) from None
            if "conversion error" in msg and types:
                raise TypeProblemError(msg) from None
            raise InputError(
                N_("the file cannot be read as CSV ({reason})"),
                file=raw.name,
                fix=N_("save it as comma-separated UTF-8 text"),
                values={"reason": msg.splitlines()[0]},
            ) from None
    raise InputError(
        N_("the file cannot be read as CSV"),
        file=raw.name,  # pragma: no cover
        fix=N_("save it as comma-separated UTF-8 text"),
    )


class TypeProblemError(Exception):
    """A typed column failed to convert: the caller re-reads it as text to find the row."""
