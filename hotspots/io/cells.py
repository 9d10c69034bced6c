"""Checks of the cells of a crimes file that name the first bad row: numbers, coordinate
ranges, months and years."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hotspots.errors import N_, InputError

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


def first_bad(mask: np.ndarray) -> int:
    """1-based data row of the first True in ``mask``."""
    return int(np.flatnonzero(mask)[0]) + 1


def to_float(col: pd.Series, what: str, name: str) -> pd.Series:
    values = pd.to_numeric(col, errors="coerce")
    bad = values.isna().to_numpy() & col.notna().to_numpy()
    if bad.any():
        row = first_bad(bad)
        raise InputError(
            N_("{what} {value} is not a number"),
            file=name,
            row=row,
            expected=N_("a decimal number or an empty cell in the {what} column"),
            fix=N_("correct or blank that cell"),
            values={"what": what, "value": repr(col.iloc[row - 1])},
        )
    return values.astype("float64")


def check_range(
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
        row = first_bad(bad)
        value = arr[row - 1]
        if np.isnan(value):
            raise InputError(
                N_("{what} {value} is not a number"),
                file=name,
                row=row,
                expected=N_("a decimal number or an empty cell in the {what} column"),
                fix=N_("correct or blank that cell"),
                values={"what": what, "value": "'nan'"},
            )
        raise InputError(
            N_("{what} {value} is outside {low}..{high}"),
            file=name,
            row=row,
            expected=_RANGE_WORDS[field_name],
            fix=N_(
                "correct or blank that cell (are longitude and latitude, or "
                "easting and northing, the right way round?)"
            ),
            values={
                "what": what,
                "value": _num(value),
                "low": _num(lo),
                "high": _num(hi),
            },
        )


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


_RANGE_WORDS = {
    "longitude": N_("WGS84 longitude in degrees (Wales is about -5.4 to -2.6)"),
    "latitude": N_("WGS84 latitude in degrees (Wales is about 51.3 to 53.5)"),
    "easting": N_("British National Grid metres (Wales is about 150000 to 360000)"),
    "northing": N_("British National Grid metres (Wales is about 160000 to 400000)"),
}
