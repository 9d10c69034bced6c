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

from hotspots.errors import InputError

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


def check_size(size: int, file: str, what: str = "the file is") -> None:
    """Refuse a file (or a zip member) bigger than :func:`max_file_bytes`, before reading it."""
    limit = max_file_bytes()
    if size > limit:
        raise InputError(
            f"{what} {size / (1 << 20):.0f} MB, over the limit of {limit / (1 << 20):.0f} MB",
            file=file,
            expected="a file no bigger than the limit",
            fix="split it (by month or by force), or raise the limit with the environment "
            "variable HOTSPOTS_MAX_FILE_MB",
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
            "this is a compressed file (zip or gzip), not a CSV",
            file=file,
            fix="pass the .zip itself where zips are read (police.uk archives, "
            "zipped Shapefiles), or unpack it first",
        )
    if bytes(view[:2]) in (b"\xff\xfe", b"\xfe\xff"):
        raise InputError(
            "the file is UTF-16 text",
            file=file,
            expected="UTF-8 (or Windows-1252) comma-separated text",
            fix="save it again as 'CSV UTF-8 (comma delimited)'",
        )
    nul = _find_nul(data, start)
    if nul >= 0:
        line = bytes(view[start:nul]).count(b"\n")
        if line == 0:
            raise InputError(
                "the file holds binary data, not text",
                file=file,
                expected="a comma-separated text file (CSV)",
            )
        raise InputError(
            "a NUL byte (binary data) in the text",
            file=file,
            row=line,
            expected="text only",
            fix="the file may be damaged: export or download it again",
        )
    if head.lstrip()[:14].lower().startswith((b"<!doctype html", b"<html")):
        raise InputError(
            "this is a web page (HTML), not a CSV",
            file=file,
            fix="the download probably failed: download the file again",
        )
    if not re.search(rb"[\r\n]", head) and len(data) - start > MAX_HEADER_BYTES:
        raise InputError(
            f"the first line is over {MAX_HEADER_BYTES >> 20} MB long",
            file=file,
            expected="a header line of column names, then one line per row",
            fix="check that this is the right file",
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
            "a double quote opens a field that does not close (the rest of the "
            "file is read into that field)",
            file=file,
            row=row,
            expected=f"{width} fields in every row",
            fix="close the quote, or remove the stray double quote",
        )
    return InputError(
        f"a row has {fields} fields where the header has {width}",
        file=file,
        row=row,
        fix="check that fields holding commas are in double quotes",
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
        raise InputError("no such file", file=str(path), fix="check the path")
    check_size(path.stat().st_size, path.name)
    data = path.read_bytes()
    if not data.strip():
        raise InputError(
            "the file is empty", file=path.name, expected="a header line and data rows"
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
            f"the file cannot be read as CSV ({str(exc).strip()})",
            file=path.name,
            fix="save it as comma-separated text",
        ) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty:
        raise InputError(
            "the file has a header but no rows",
            file=path.name,
            expected="a header line and at least one data row",
        )
    return frame


def find_column(
    frame: pd.DataFrame,
    patterns: Sequence[str],
    what: str,
    file: str,
    given: str | None = None,
    required: bool = True,
) -> str | None:
    """Return the column of ``frame`` matching the first of ``patterns`` (regex, any case).

    ``given`` (a name the user chose) wins when present. A missing required column
    raises an :class:`InputError` naming what was looked for.
    """
    if given:
        if given in frame.columns:
            return given
        raise InputError(
            f"there is no column {given!r} for the {what}",
            file=file,
            expected=f"one of the columns {list(frame.columns)}",
        )
    for pat in patterns:
        rx = re.compile(pat, re.IGNORECASE)
        for col in frame.columns:
            if rx.fullmatch(col.strip()):
                return col
    if required:
        raise InputError(
            f"no column for the {what}",
            file=file,
            expected="a column named like "
            + " or ".join(dict.fromkeys(_example(p) for p in patterns[:3]))
            + " (any case)",
            fix=f"rename the column, or name it (columns found: {list(frame.columns)[:12]})",
        )
    return None


def _example(pattern: str) -> str:
    """A column name a pattern such as ``lsoa(11|21)?_?c(ode|d)`` matches: lsoa11_code."""
    text = pattern.replace("\\d", "2")
    text = re.sub(r"\(([^()|]*)(\|[^()]*)?\)\??", r"\1", text)
    return text.replace("?", "")


def check_codes(values: pd.Series, pattern: str, what: str, file: str) -> None:
    """Raise an InputError at the first value not matching ``pattern`` (1-based row)."""
    ok = values.fillna("").str.fullmatch(pattern)
    if not ok.all():
        row = int((~ok).to_numpy().nonzero()[0][0]) + 1
        raise InputError(
            f"{what} {values.iloc[row - 1]!r} is not a valid code",
            file=file,
            row=row,
            expected=describe_code(pattern),
            fix="correct the cell (a blank or shifted column gives this too)",
        )


def describe_code(pattern: str) -> str:
    """Plain words for a code pattern such as ``[EWX]01\\d{6}``."""
    m = re.fullmatch(r"\[([A-Z]+)\]((?:\d\d)?)\\d\{(\d+)\}", pattern)
    if not m:
        return f"a code matching {pattern}"
    letters = list(m.group(1))
    first = ", ".join(letters[:-1]) + f" or {letters[-1]}" if len(letters) > 1 else letters[0]
    total = len(m.group(2)) + int(m.group(3))
    example = letters[0] + (m.group(2) or "") + "0" * (int(m.group(3)) - 1) + "1"
    return f"a GSS code: {first}, then {total} digits (e.g. {example})"
