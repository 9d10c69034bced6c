"""Small helpers for reading the publishers' tabular reference files (CSV)."""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from hotspots.errors import N_, InputError, Text, either

#: Largest input file (or zip member, unpacked) read, in MB, unless ``HOTSPOTS_MAX_FILE_MB``
#: says otherwise. Bigger files are refused before a byte is read: the loaders hold a file
#: in memory, and no police.uk file, force extract or ONS table comes near this size.
DEFAULT_MAX_FILE_MB = 512

#: A header line longer than this is not a header (a file of garbage, or no line ends).
MAX_HEADER_BYTES = 1 << 20

# Fields of any size (a 10 MB cell is odd, not an error); the csv module is only used to
# find the row of a problem.
csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))


def max_file_bytes() -> int:
    """The size limit in bytes: ``$HOTSPOTS_MAX_FILE_MB`` (MB) or :data:`DEFAULT_MAX_FILE_MB`."""
    raw = os.environ.get("HOTSPOTS_MAX_FILE_MB", "").strip()
    try:
        mb = float(raw) if raw else DEFAULT_MAX_FILE_MB
    except ValueError:
        mb = DEFAULT_MAX_FILE_MB
    return int(mb * (1 << 20))


def check_size(size: int, file: str, member: bool = False) -> None:
    """Refuse a file (or, ``member``, a zip member) bigger than :func:`max_file_bytes`,
    before reading it."""
    limit = max_file_bytes()
    if size > limit:
        raise InputError(
            N_("the member unpacks to {size} MB, over the limit of {limit} MB")
            if member
            else N_("the file is {size} MB, over the limit of {limit} MB"),
            file=file,
            expected=N_("a file no bigger than the limit"),
            fix=N_(
                "split it (by month or by force), or raise the limit with the environment "
                "variable HOTSPOTS_MAX_FILE_MB"
            ),
            values={"size": f"{size / (1 << 20):.0f}", "limit": f"{limit / (1 << 20):.0f}"},
        )


def _find_nul(data: bytes | memoryview, start: int) -> int:
    """Position of the first NUL byte at or after ``start`` in bytes-like data, or -1."""
    if isinstance(data, bytes | bytearray):
        return data.find(b"\x00", start)
    arr = np.frombuffer(data, dtype=np.uint8)[start:] if len(data) > start else ()
    if not len(arr):
        return -1
    i = int(arr.argmin())  # the first occurrence of the smallest byte
    return start + i if arr[i] == 0 else -1


def check_text(data: bytes | memoryview, file: str, start: int = 0) -> None:
    """Refuse bytes that cannot be a text CSV, saying what they look like instead.

    Compressed files, UTF-16 text, web pages, NUL bytes (named by row) and a first line
    longer than :data:`MAX_HEADER_BYTES` are refused. ``start`` skips a byte-order mark.
    ``data`` is bytes or any bytes-like object (e.g. a :class:`pyarrow.Buffer`).
    """
    view = memoryview(data)
    head = bytes(view[start : start + (1 << 16)])
    if not re.search(rb"[\r\n]", head) and len(data) - start > len(head):
        head = bytes(view[start : start + MAX_HEADER_BYTES])
    if head[:2] in (b"PK", b"\x1f\x8b"):
        raise InputError(
            N_("this is a compressed file (zip or gzip), not a CSV"),
            file=file,
            fix=N_(
                "pass the .zip itself where zips are read (police.uk archives, "
                "zipped Shapefiles), or unpack it first"
            ),
        )
    if bytes(view[:2]) in (b"\xff\xfe", b"\xfe\xff"):
        raise InputError(
            N_("the file is UTF-16 text"),
            file=file,
            expected=N_("UTF-8 (or Windows-1252) comma-separated text"),
            fix=N_("save it again as 'CSV UTF-8 (comma delimited)'"),
        )
    nul = _find_nul(data, start)
    if nul >= 0:
        line = bytes(view[start:nul]).count(b"\n")
        if line == 0:
            raise InputError(
                N_("the file holds binary data, not text"),
                file=file,
                expected=N_("a comma-separated text file (CSV)"),
            )
        raise InputError(
            N_("a NUL byte (binary data) in the text"),
            file=file,
            row=line,
            expected=N_("text only"),
            fix=N_("the file may be damaged: export or download it again"),
        )
    if head.lstrip()[:14].lower().startswith((b"<!doctype html", b"<html")):
        raise InputError(
            N_("this is a web page (HTML), not a CSV"),
            file=file,
            fix=N_("the download probably failed: download the file again"),
        )
    if not re.search(rb"[\r\n]", head) and len(data) - start > MAX_HEADER_BYTES:
        raise InputError(
            N_("the first line is over {size} MB long"),
            file=file,
            expected=N_("a header line of column names, then one line per row"),
            fix=N_("check that this is the right file"),
            values={"size": MAX_HEADER_BYTES >> 20},
        )


def _lines(source: str | bytes) -> io.TextIOBase:
    """Text lines of ``source`` with line ends kept (bytes: UTF-8, bad bytes replaced,
    read as a stream, so a big file is not copied)."""
    if isinstance(source, str):
        return io.StringIO(source, newline="")
    return io.TextIOWrapper(io.BytesIO(source), encoding="utf-8-sig", errors="replace", newline="")


def ragged_row(source: str | bytes) -> tuple[int, int, int, bool] | None:
    """The first data record of a CSV (text, or UTF-8 bytes) whose field count differs
    from the header's.

    Returns
    -------
    (row, fields, width, spans_lines) or None
        ``row`` is the 1-based data row (blank lines not counted); ``spans_lines`` is True
        when the record runs over several lines (an unclosed double quote).
    """
    reader = csv.reader(_lines(source))  # CR, LF and CRLF line ends
    header = next(reader, None)
    if header is None:
        return None
    width, last, row = len(header), reader.line_num, 0
    for rec in reader:
        if not rec:
            last = reader.line_num
            continue
        row += 1
        if len(rec) != width:
            first_line = _lines(source)
            for _ in range(last + 1):
                line = first_line.readline()
            unclosed = reader.line_num - last > 1 or line.count('"') % 2 == 1
            return row, len(rec), width, unclosed
        last = reader.line_num
    return None


def ragged_error(found: tuple[int, int, int, bool], file: str) -> InputError:
    """The InputError for a :func:`ragged_row` result."""
    row, fields, width, spans = found
    if spans:
        return InputError(
            N_(
                "a double quote opens a field that does not close (the rest of the "
                "file is read into that field)"
            ),
            file=file,
            row=row,
            expected=N_("{width} fields in every row"),
            fix=N_("close the quote, or remove the stray double quote"),
            values={"width": width},
        )
    return InputError(
        N_("a row has {fields} fields where the header has {width}"),
        file=file,
        row=row,
        fix=N_("check that fields holding commas are in double quotes"),
        values={"fields": fields, "width": width},
    )


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV with every column as text; BOM, CRLF and Windows-1252 accepted.

    Raises
    ------
    InputError
        A missing, empty or non-text file.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(N_("no such file"), file=str(path), fix=N_("check the path"))
    check_size(path.stat().st_size, path.name)
    data = path.read_bytes()
    if not data.strip():
        raise InputError(
            N_("the file is empty"), file=path.name, expected=N_("a header line and data rows")
        )
    check_text(data, path.name, 3 if data.startswith(b"\xef\xbb\xbf") else 0)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    found = ragged_row(text)
    if found:
        raise ragged_error(found, path.name)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, index_col=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(
            N_("the file cannot be read as CSV ({reason})"),
            file=path.name,
            fix=N_("save it as comma-separated text"),
            values={"reason": str(exc).strip()},
        ) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty:
        raise InputError(
            N_("the file has a header but no rows"),
            file=path.name,
            expected=N_("a header line and at least one data row"),
        )
    return frame


def find_column(
    frame: pd.DataFrame,
    patterns: Sequence[str],
    what: str | Text,
    file: str,
    given: str | None = None,
    required: bool = True,
) -> str | None:
    """Return the column of ``frame`` matching the first of ``patterns`` (regex, any case).

    ``given`` (a name the user chose) wins when present. A missing required column
    raises an :class:`InputError` naming what was looked for (``what``: words marked
    ``N_()``, shown in the reader's language).
    """
    if given:
        if given in frame.columns:
            return given
        raise InputError(
            N_("there is no column {given} for the {what}"),
            file=file,
            expected=N_("one of the columns {columns}"),
            values={
                "given": repr(given),
                "what": _words(what),
                "columns": str(list(frame.columns)),
            },
        )
    for pat in patterns:
        rx = re.compile(pat, re.IGNORECASE)
        for col in frame.columns:
            if rx.fullmatch(col.strip()):
                return col
    if required:
        raise InputError(
            N_("no column for the {what}"),
            file=file,
            expected=N_("a column named like {names} (any case)"),
            fix=N_("rename the column, or name it (columns found: {columns})"),
            values={
                "what": _words(what),
                "names": either(list(dict.fromkeys(_example(p) for p in patterns[:3]))),
                "columns": str(list(frame.columns)[:12]),
            },
        )
    return None


def _example(pattern: str) -> str:
    """A column name a pattern such as ``lsoa(11|21)?_?c(ode|d)`` matches: lsoa11_code."""
    text = pattern.replace("\\d", "2")
    text = re.sub(r"\(([^()|]*)(\|[^()]*)?\)\??", r"\1", text)
    return text.replace("?", "")


def _words(what: str | Text) -> Text:
    """Words marked ``N_()`` (or a :class:`Text`) to be shown in the reader's language."""
    return what if isinstance(what, Text) else Text(what)


def check_codes(values: pd.Series, pattern: str, what: str, file: str) -> None:
    """Raise an InputError at the first value not matching ``pattern`` (1-based row);
    ``what`` is words marked ``N_()``."""
    ok = values.fillna("").str.fullmatch(pattern)
    if not ok.all():
        row = int((~ok).to_numpy().nonzero()[0][0]) + 1
        gss = describe_code(pattern)
        raise InputError(
            N_("{what} {value} is not a valid code"),
            file=file,
            row=row,
            expected=N_("a GSS code: {letters}, then {total} digits (e.g. {example})")
            if gss
            else N_("a code matching {pattern}"),
            fix=N_("correct the cell (a blank or shifted column gives this too)"),
            values={
                "what": _words(what),
                "value": repr(values.iloc[row - 1]),
                "pattern": pattern,
                **(gss or {}),
            },
        )


def describe_code(pattern: str) -> dict | None:
    """The parts of a GSS code pattern such as ``[EWX]01\\d{6}`` (its first letters,
    its number of digits, an example), or None for another pattern."""
    m = re.fullmatch(r"\[([A-Z]+)\]((?:\d\d)?)\\d\{(\d+)\}", pattern)
    if not m:
        return None
    letters = list(m.group(1))
    first = Text(N_("{first} or {last}"), {"first": ", ".join(letters[:-1]), "last": letters[-1]})
    total = len(m.group(2)) + int(m.group(3))
    example = letters[0] + (m.group(2) or "") + "0" * (int(m.group(3)) - 1) + "1"
    return {
        "letters": first if len(letters) > 1 else letters[0],
        "total": total,
        "example": example,
    }
