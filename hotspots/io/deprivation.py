"""Deprivation by LSOA: WIMD 2019 (Wales) and IMD 2019 (England), all domains.

Readers return the frame described in docs/architecture.md ("LSOA deprivation"):
``lsoa_code``, ``overall_rank/score/decile`` and ``{domain}_rank/score/decile``.
Rank 1 is the most deprived LSOA.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from hotspots.errors import N_, InputError, Text
from hotspots.io.csv_guard import check_codes, find_column, read_table

#: Source column stem → our domain name, per index.
WIMD_DOMAINS = {
    "IMD": "overall",
    "Income": "income",
    "Employment": "employment",
    "Health": "health",
    "Education": "education",
    "Access": "access",
    "Housing": "housing",
    "Crime": "community_safety",
    "Environment": "environment",
}
IMD_DOMAINS = {
    "IMD": "overall",
    "Income": "income",
    "Employment": "employment",
    "Education": "education",
    "Health": "health",
    "Crime": "crime",
    "Housing_and_Access": "barriers",
    "Environment": "environment",
}
#: The indices the tool reads: name → (code prefix, domain map).
INDICES = {"WIMD 2019": ("W01", WIMD_DOMAINS), "IMD 2019": ("E01", IMD_DOMAINS)}


def detect_index(frame: pd.DataFrame) -> str | None:
    """Return "WIMD 2019" or "IMD 2019" when ``frame`` looks like one, else None."""
    cols = {c.lower() for c in frame.columns}
    if "imd_rank" not in cols or not any(re.fullmatch(r"lsoa(11)?_?c(ode|d)", c) for c in cols):
        return None
    code_col = next(c for c in frame.columns if re.fullmatch(r"lsoa(11)?_?c(ode|d)", c.lower()))
    first = str(frame[code_col].iloc[0]).upper()
    if first.startswith("W"):
        return "WIMD 2019"
    if first.startswith("E"):
        return "IMD 2019"
    return "WIMD 2019" if "access_rank" in cols else "IMD 2019"


def load_deprivation(path: str | Path, index: str | None = None) -> pd.DataFrame:
    """Read an LSOA deprivation file (WIMD 2019 or IMD 2019 ranks, deciles and scores).

    Parameters
    ----------
    path : path of the CSV
    index : "WIMD 2019" or "IMD 2019", optional
        Detected from the codes when not given.

    Returns
    -------
    DataFrame with ``lsoa_code`` and ``{domain}_rank``, ``{domain}_decile`` and (where
    published) ``{domain}_score`` columns; ``attrs["index"]`` names the index.

    Raises
    ------
    InputError
        Missing rank columns, non-numeric ranks, ranks outside 1..N, duplicate LSOAs.
    """
    path = Path(path)
    raw = read_table(path)
    index = index or detect_index(raw)
    if index not in INDICES:
        raise InputError(
            N_("this is not a deprivation file the tool knows"),
            file=path.name,
            expected=N_("WIMD 2019 or IMD 2019 LSOA ranks (lsoa_code, IMD_rank, Income_rank, …)"),
            fix=N_("check that this is the WIMD/IMD ranks file, with its columns as published"),
        )
    domains = INDICES[index][1]
    code = find_column(raw, [r"lsoa(11)?_?c(ode|d)"], N_("LSOA code"), path.name)
    out = pd.DataFrame({"lsoa_code": raw[code].str.strip().str.upper()})
    check_codes(out["lsoa_code"], r"[EWX]01\d{6}", N_("LSOA code"), path.name)
    twice = out["lsoa_code"].duplicated()
    if twice.any():
        dup = out.loc[twice, "lsoa_code"].iloc[0]
        raise InputError(
            N_("LSOA {code} appears twice"),
            file=path.name,
            row=int(twice.to_numpy().nonzero()[0][0]) + 1,
            expected=N_("one row per LSOA"),
            fix=N_("remove the repeated row"),
            values={"code": dup},
        )
    n = len(out)
    for stem, domain in domains.items():
        for part, required in (("rank", True), ("decile", False), ("score", False)):
            col = find_column(
                raw,
                [rf"{stem}_{part}"],
                Text(N_("{stem} rank"), {"stem": stem}) if required else f"{stem} {part}",
                path.name,
                required=required,
            )
            if col is None:
                continue
            values = pd.to_numeric(raw[col].str.strip(), errors="coerce")
            bad = values.isna() | ~np.isfinite(values)
            if bad.any():
                row = int(bad.to_numpy().nonzero()[0][0]) + 1
                raise InputError(
                    N_("{column} {value} is not a number"),
                    file=path.name,
                    row=row,
                    expected=N_("a number in every row of {column}"),
                    fix=N_("correct the cell"),
                    values={"column": col, "value": repr(raw[col].iloc[row - 1])},
                )
            if part in ("rank", "decile"):
                whole = values % 1 == 0
                if not whole.all():
                    row = int((~whole).to_numpy().nonzero()[0][0]) + 1
                    raise InputError(
                        N_("{column} {value} is not a whole number"),
                        file=path.name,
                        row=row,
                        expected=N_("whole numbers in {column}"),
                        fix=N_("correct the cell"),
                        values={"column": col, "value": f"{values.iloc[row - 1]:g}"},
                    )
                top = n if part == "rank" else 10
                outside = (values < 1) | (values > top)
                if outside.any():
                    row = int(outside.to_numpy().nonzero()[0][0]) + 1
                    raise InputError(
                        N_("{column} {value} is outside 1..{top}"),
                        file=path.name,
                        row=row,
                        expected=N_("ranks from 1 (most deprived) to the number of LSOAs")
                        if part == "rank"
                        else N_("deciles from 1 to 10"),
                        fix=N_(
                            "correct the cell (or load the whole file: ranks run over every LSOA)"
                        )
                        if part == "rank"
                        else N_("correct the cell"),
                        values={"column": col, "value": int(values.iloc[row - 1]), "top": top},
                    )
                values = values.astype("int64")
            out[f"{domain}_{part}"] = values
    out.attrs["index"] = index
    return out.sort_values("lsoa_code").reset_index(drop=True)
