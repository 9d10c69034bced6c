"""Read a force extract: a CSV of crimes with Home Office offence codes, with a column
mapping in TOML when its column names differ from docs/force-extract.md."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from hotspots.definitions import normalise_ho_code
from hotspots.errors import N_, InputError
from hotspots.io.cells import YEARS, check_range, first_bad, to_float
from hotspots.io.crime_table import CrimeFile, crimes_frame, crimes_table
from hotspots.io.csv_decode import column_key, decode_csv
from hotspots.io.csv_guard import check_size
from hotspots.io.raw import RawFile
from hotspots.slugs import force_slug

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


EXAMPLE = N_("see the example in docs/force-extract.md")


def parse_extract_mapping(text: str, file: str = "<mapping>") -> ExtractMapping:
    """Read an :class:`ExtractMapping` from TOML (see docs/force-extract.md)."""
    try:
        raw = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(
            N_("not valid TOML ({reason})"), file=file, fix=EXAMPLE, values={"reason": exc}
        ) from None
    cols = raw.get("columns", {})
    if not isinstance(cols, dict):
        raise InputError(
            N_("[columns] is not a table"),
            file=file,
            expected=N_('a [columns] table of field = "column name" lines'),
            fix=EXAMPLE,
        )
    unknown = sorted(set(cols) - set(EXTRACT_FIELDS))
    if unknown:
        raise InputError(
            N_("unknown field(s) {unknown} in [columns]"),
            file=file,
            expected=N_("fields from {fields}"),
            fix=EXAMPLE,
            values={"unknown": str(unknown), "fields": str(list(EXTRACT_FIELDS))},
        )
    for k, v in cols.items():
        if not isinstance(v, str) or not v.strip():
            raise InputError(
                N_("the column for {field} is {value}, not text"),
                file=file,
                expected=N_('{field} = "the column name in the extract"'),
                fix=EXAMPLE,
                values={"field": k, "value": repr(v)},
            )
    for key in ("source", "date_format"):
        if key in raw and not isinstance(raw[key], str):
            raise InputError(
                N_("{key} is {value}, not text"),
                file=file,
                expected=N_('{key} = "…" in double quotes'),
                fix=EXAMPLE,
                values={"key": key, "value": repr(raw[key])},
            )
    source = force_slug(raw.get("source", "force-extract"))
    if not source:
        raise InputError(
            N_("the source is blank"),
            file=file,
            expected=N_('a short name of the force, e.g. source = "dyfed-powys"'),
            fix=EXAMPLE,
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
        raise InputError(N_("no such mapping file"), file=str(path), fix=N_("check the path"))
    check_size(path.stat().st_size, path.name)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(
            N_("the mapping is not UTF-8 text"), file=path.name, fix=N_("save it as UTF-8")
        ) from None
    return parse_extract_mapping(text, file=path.name)


def _flags(col: pd.Series, what: str, name: str) -> pd.Series:
    text = col.str.strip().str.lower()
    out = text.map(FLAG_VALUES)
    bad = out.isna().to_numpy() & text.notna().to_numpy()
    if bad.any():
        row = first_bad(bad)
        raise InputError(
            N_("{what} flag {value} is not yes or no"),
            file=name,
            row=row,
            expected=N_("Y/N, Yes/No, True/False, 1/0 or empty"),
            values={"what": what, "value": repr(col.iloc[row - 1])},
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
            row = first_bad(differs)
            raise InputError(
                N_(
                    "the recorded date-times mix time zones (or mix times with and "
                    "without one): {value}"
                ),
                file=name,
                row=row,
                expected=N_("every date-time in the same time zone ({zone}) or none"),
                fix=N_("give every date-time in UK local time, without a zone"),
                values={"value": repr(when_text.iloc[row - 1]), "zone": first},
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
            N_("the recorded date-times cannot be read ({reason})"),
            file=name,
            expected=N_("YYYY-MM-DD HH:MM, or the date_format of the mapping"),
            fix=N_("check date_format in the mapping (strftime codes such as %d/%m/%Y %H:%M)"),
            values={"reason": exc},
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
    table, names = decode_csv(raw)
    by_key = {column_key(n): n for n in names}

    def column(field_name: str) -> str | None:
        want = mapping.column_for(field_name)
        return want if want in names else by_key.get(column_key(want))

    missing = [mapping.column_for(f) for f in EXTRACT_REQUIRED if column(f) is None]
    if missing:
        raise InputError(
            N_("missing column(s) {columns}"),
            file=raw.name,
            expected=N_(
                "a force extract with crime_reference, recorded_at and ho_code columns "
                "(docs/force-extract.md)"
            ),
            fix=N_("rename the columns or give a column mapping with --mapping"),
            values={"columns": str(missing)},
        )
    has_loc = any(column(f) for f in ("latitude", "easting", "lsoa_code"))
    if not has_loc:
        raise InputError(
            N_("no location columns"),
            file=raw.name,
            expected=N_("latitude/longitude, easting/northing or lsoa_code"),
        )
    n = table.num_rows
    if n == 0:
        raise InputError(
            N_("the file has a header but no rows"),
            file=raw.name,
            expected=N_("at least one data row"),
        )

    def text(field_name: str) -> pd.Series | None:
        c = column(field_name)
        if c is None:
            return None
        s = pd.Series(table.column(c).to_pandas(), dtype="string").str.strip()
        return s.mask(s == "")

    ref = text("crime_reference")
    if ref.isna().any():
        row = first_bad(ref.isna().to_numpy())
        raise InputError(
            N_("the crime reference is blank"),
            file=raw.name,
            row=row,
            expected=N_("a crime reference on every row"),
            fix=N_("fill it in or remove the row"),
        )
    code = text("ho_code")
    if code.isna().any():
        row = first_bad(code.isna().to_numpy())
        raise InputError(
            N_("the Home Office offence code is blank"),
            file=raw.name,
            row=row,
            expected=N_("a code such as 8N, 19C, 34B or 92A"),
        )
    uniq = code.unique()
    code = code.map(dict(zip(uniq, [normalise_ho_code(u) for u in uniq], strict=True)))
    when_text = text("recorded_at")
    when = _parse_times(when_text, mapping.date_format, raw.name)
    lo, hi = pd.Timestamp(YEARS[0], 1, 1), pd.Timestamp(YEARS[1] + 1, 1, 1)
    bad = (when.isna() | (when < lo) | (when >= hi)).to_numpy()
    if bad.any():
        row = first_bad(bad)
        value = when_text.iloc[row - 1]
        years = [int(y) for y in re.findall(r"(?<!\d)\d{4}(?!\d)", str(value))]
        out_of_range = pd.notna(when.iloc[row - 1]) or any(
            not YEARS[0] <= y <= YEARS[1] for y in years
        )
        raise InputError(
            N_("recorded date-time {value} is out of range")
            if out_of_range
            else N_("recorded date-time {value} cannot be read"),
            file=raw.name,
            row=row,
            expected=N_("the mapping's date_format {format}, from {first} to {last}")
            if mapping.date_format
            else N_("YYYY-MM-DD HH:MM (or DD/MM/YYYY HH:MM), from {first} to {last}"),
            fix=N_("correct the cell, or give date_format in the mapping"),
            values={
                "value": repr(value),
                "format": repr(mapping.date_format),
                "first": YEARS[0],
                "last": YEARS[1],
            },
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
            cols[f] = to_float(s, what, raw.name)
            check_range(cols[f], f, what, raw.name)
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
    frame = crimes_frame(
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


def _counts(months: pd.Series) -> dict[str, int]:
    return {str(k): int(v) for k, v in months.value_counts().sort_index().items()}
