"""ONS lookups: LSOA 2011 → 2021, LSOA 2021 → ward (best fit), local authority → force."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from hotspots.errors import N_, InputError
from hotspots.io.csv_guard import check_codes, find_column, read_table

CODE = r"[EWSNX]\d{8}"

#: Columns of each normalised lookup.
LSOA11_21_COLUMNS = ["lsoa11_code", "lsoa21_code", "change_code"]
LSOA21_WARD_COLUMNS = [
    "lsoa21_code",
    "ward_code",
    "ward_name",
    "local_authority_code",
    "local_authority_name",
]
#: Optional columns of the LSOA→ward lookup: the Welsh names ONS publishes (``WD22NMW``,
#: ``LAD22NMW``), kept when the file has them.
WELSH_NAME_COLUMNS = ["ward_name_cy", "local_authority_name_cy"]
LAD_FORCE_COLUMNS = ["local_authority_code", "police_force_code", "police_force"]

#: Patterns of the publishers' column names, per lookup kind, used by ``detect``.
LOOKUP_SIGNATURES = {
    "lsoa11_lsoa21": ([r"lsoa11_?c(ode|d)"], [r"lsoa21_?c(ode|d)"]),
    "lsoa21_ward": ([r"lsoa21_?c(ode|d)"], [r"wd\d\dcd", r"ward\d\d_?code"]),
    "lad_force": ([r"(lad|ltla)\d\d_?c(ode|d)"], [r"pfa\d\d_?c(ode|d)"]),
}


def detect_lookup(frame: pd.DataFrame) -> str | None:
    """Name the lookup kind whose signature columns ``frame`` has, or None."""
    for kind, groups in LOOKUP_SIGNATURES.items():
        if all(find_column(frame, g, kind, "", required=False) for g in groups):
            return kind
    return None


def vintage(column: str) -> str:
    """The year a column name such as ``WD22CD`` or ``ward24_code`` stands for ("2022")."""
    m = re.search(r"(\d\d)", column)
    return f"20{m.group(1)}" if m else ""


def _frame(frame: pd.DataFrame, file: str) -> pd.DataFrame:
    return frame.apply(lambda s: s.str.strip())


def load_lsoa11_lsoa21(path: str | Path) -> pd.DataFrame:
    """Read the ONS LSOA (2011) → LSOA (2021) lookup (``LSOA11_LSOA21_LAD22_EW_LU``).

    Returns
    -------
    DataFrame with :data:`LSOA11_21_COLUMNS`; ``change_code`` U (unchanged), S (split),
    M (merged) or X (irregular).
    """
    path = Path(path)
    raw = _frame(read_table(path), path.name)
    c11 = find_column(raw, [r"lsoa11_?c(ode|d)"], N_("2011 LSOA code"), path.name)
    c21 = find_column(raw, [r"lsoa21_?c(ode|d)"], N_("2021 LSOA code"), path.name)
    chg = find_column(
        raw, [r"change_?code", r"chgind"], N_("change code"), path.name, required=False
    )
    out = pd.DataFrame(
        {
            "lsoa11_code": raw[c11].str.upper(),
            "lsoa21_code": raw[c21].str.upper(),
            "change_code": raw[chg].str.upper() if chg else "",
        }
    )
    check_codes(out["lsoa11_code"], CODE, N_("2011 LSOA code"), path.name)
    check_codes(out["lsoa21_code"], CODE, N_("2021 LSOA code"), path.name)
    return out.drop_duplicates().reset_index(drop=True)


def load_lsoa21_ward(path: str | Path) -> pd.DataFrame:
    """Read the ONS LSOA (2021) → ward → local authority best-fit lookup.

    Returns
    -------
    DataFrame with :data:`LSOA21_WARD_COLUMNS` (and :data:`WELSH_NAME_COLUMNS` when the file
    has ``WD..NMW`` / ``LAD..NMW``), one row per 2021 LSOA.

    Raises
    ------
    InputError
        Missing columns, bad codes, or an LSOA given two wards (not a best-fit lookup).
    """
    path = Path(path)
    raw = _frame(read_table(path), path.name)
    c21 = find_column(raw, [r"lsoa21_?c(ode|d)"], N_("2021 LSOA code"), path.name)
    wd = find_column(
        raw, [r"wd\d\dcd", r"ward\d\d_?code", r"ward_?code"], N_("ward code"), path.name
    )
    wdn = find_column(
        raw, [r"wd\d\dnm", r"ward\d\d_?name", r"ward_?name"], N_("ward name"), path.name
    )
    la = find_column(
        raw, [r"lad\d\dcd", r"(lad|ltla)\d\d_?code"], N_("local authority code"), path.name
    )
    lan = find_column(
        raw, [r"lad\d\dnm", r"(lad|ltla)\d\d_?name"], N_("local authority name"), path.name
    )
    columns = {
        "lsoa21_code": raw[c21].str.upper(),
        "ward_code": raw[wd].str.upper(),
        "ward_name": raw[wdn],
        "local_authority_code": raw[la].str.upper(),
        "local_authority_name": raw[lan],
    }
    # The Welsh names, when ONS gives them (WD22NMW, LAD22NMW): shown on Welsh pages.
    for key, patterns in (
        ("ward_name_cy", [r"wd\d\dnmw", r"ward\d\d_?name_?(cy|w|welsh)"]),
        ("local_authority_name_cy", [r"lad\d\dnmw", r"(lad|ltla)\d\d_?name_?(cy|w|welsh)"]),
    ):
        col = find_column(raw, patterns, key, path.name, required=False)
        if col:
            columns[key] = raw[col]
    out = pd.DataFrame(columns).drop_duplicates()
    check_codes(out["lsoa21_code"], CODE, N_("2021 LSOA code"), path.name)
    check_codes(out["ward_code"], CODE, N_("ward code"), path.name)
    dup = out["lsoa21_code"].duplicated()
    if dup.any():
        code = out.loc[dup, "lsoa21_code"].iloc[0]
        raise InputError(
            N_("LSOA {code} is given more than one ward"),
            file=path.name,
            row=int(out.index[dup.to_numpy()][0]) + 1,
            expected=N_("a best-fit lookup: one ward per 2021 LSOA"),
            fix=N_("use the ONS best-fit LSOA21 → ward lookup"),
            values={"code": code},
        )
    out = out.reset_index(drop=True)
    out.attrs["vintage"] = vintage(wd)
    return out


def load_lad_force(path: str | Path) -> pd.DataFrame:
    """Read the ONS local authority → community safety partnership → police force lookup."""
    path = Path(path)
    raw = _frame(read_table(path), path.name)
    la = find_column(raw, [r"(lad|ltla)\d\d_?c(ode|d)"], N_("local authority code"), path.name)
    pf = find_column(raw, [r"pfa\d\d_?c(ode|d)"], N_("police force area code"), path.name)
    pfn = find_column(raw, [r"pfa\d\d_?n(ame|m)"], N_("police force area name"), path.name)
    out = pd.DataFrame(
        {
            "local_authority_code": raw[la].str.upper(),
            "police_force_code": raw[pf].str.upper(),
            "police_force": raw[pfn],
        }
    ).drop_duplicates()
    check_codes(out["local_authority_code"], CODE, N_("local authority code"), path.name)
    dup = out["local_authority_code"].duplicated()
    if dup.any():
        code = out.loc[dup, "local_authority_code"].iloc[0]
        raise InputError(
            N_("local authority {code} is in two police forces"),
            file=path.name,
            row=int(out.index[dup.to_numpy()][0]) + 1,
            expected=N_("one police force area per local authority"),
            fix=N_("use the ONS local authority → police force area lookup"),
            values={"code": code},
        )
    return out.reset_index(drop=True)


def load_lookup(path: str | Path) -> tuple[str, pd.DataFrame]:
    """Detect which lookup ``path`` is and read it; returns ``(kind, frame)``."""
    path = Path(path)
    kind = detect_lookup(read_table(path).head(1))
    readers = {
        "lsoa11_lsoa21": load_lsoa11_lsoa21,
        "lsoa21_ward": load_lsoa21_ward,
        "lad_force": load_lad_force,
    }
    if kind is None:
        raise InputError(
            N_("this is not a lookup the tool knows"),
            file=path.name,
            expected=N_("ONS LSOA11→LSOA21, LSOA21→ward (WD22CD) or LAD→PFA lookup columns"),
            fix=N_("check that this is the ONS lookup, with the columns as published"),
        )
    return kind, readers[kind](path)
