"""Small helpers for reading the publishers' tabular reference files (CSV)."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from hotspots.errors import InputError


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
    data = path.read_bytes()
    if not data.strip():
        raise InputError("the file is empty", file=path.name,
                         expected="a header line and data rows")
    if data[:2] == b"PK" or b"\x00" in data[:4096]:
        raise InputError("this is not a text CSV file", file=path.name,
                         expected="comma-separated text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"the file cannot be read as CSV ({str(exc).strip()})",
                         file=path.name, fix="save it as comma-separated text") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty:
        raise InputError("the file has a header but no rows", file=path.name)
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
        raise InputError(f"there is no column {given!r} for the {what}", file=file,
                         expected=f"one of the columns {list(frame.columns)}")
    for pat in patterns:
        rx = re.compile(pat, re.IGNORECASE)
        for col in frame.columns:
            if rx.fullmatch(col.strip()):
                return col
    if required:
        raise InputError(
            f"no column for the {what}", file=file,
            expected="a column named like " + ", ".join(
                p.replace("\\d", "#") for p in patterns[:3]),
            fix=f"rename the column, or name it (columns found: {list(frame.columns)[:12]})",
        )
    return None


def check_codes(values: pd.Series, pattern: str, what: str, file: str) -> None:
    """Raise an InputError at the first value not matching ``pattern`` (1-based row)."""
    ok = values.fillna("").str.fullmatch(pattern)
    if not ok.all():
        row = int((~ok).to_numpy().nonzero()[0][0]) + 1
        raise InputError(f"{what} {values.iloc[row - 1]!r} is not a valid code", file=file,
                         row=row, expected=f"codes like {pattern.replace(chr(92) + 'd', '9')}")
