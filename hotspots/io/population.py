"""Population by LSOA (ONS mid-year estimates) and its carriage to 2022 wards."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from hotspots.errors import N_, InputError
from hotspots.io.csv_guard import check_codes, find_column, read_table

POPULATION_COLUMNS = ["lsoa_code", "population", "year"]
#: Years a population estimate may be for (ONS LSOA estimates start in 2001).
YEARS = (1990, 2100)
#: Columns of the LSOA → ward population weights (docs/architecture.md).
WEIGHT_COLUMNS = ["lsoa_code", "ward_code", "population"]

#: Said wherever ward populations are shown.
POPULATION_METHOD = N_(
    "Ward population: ONS mid-year LSOA estimates carried to 2022 wards through the ONS "
    "LSOA 2011→2021 lookup and the LSOA 2021→ward best-fit lookup; a 2011 LSOA that was "
    "split shares its population equally among its 2021 successors; merged LSOAs are "
    "summed. Wards with no best-fit LSOA get population 0 and no rate."
)


def load_population(path: str | Path, year: int | None = None) -> pd.DataFrame:
    """Read ONS small-area population estimates (one row per LSOA, total persons).

    The year is read from a ``year`` column, or the file name (``mid2019``), unless given.

    Returns
    -------
    DataFrame with :data:`POPULATION_COLUMNS`.
    """
    path = Path(path)
    raw = read_table(path)
    code = find_column(raw, [r"lsoa(11|21)?_?c(ode|d)"], N_("LSOA code"), path.name)
    total = find_column(
        raw,
        [r"total_?population", r"all_?ages", r"population", r"persons"],
        N_("total population"),
        path.name,
    )
    year_row = None
    if year is None:
        ycol = find_column(raw, [r"year"], N_("year"), path.name, required=False)
        m = re.search(r"(?:mid[-_]?)((?:19|20)\d\d)", path.name)
        if ycol is not None:
            text, year_row = str(raw[ycol].iloc[0]).strip(), 1
            if not re.fullmatch(r"\d{1,6}", text):
                raise InputError(
                    N_("year {value} is not a year"),
                    file=path.name,
                    row=1,
                    expected=N_("a year such as 2019 in the year column"),
                    fix=N_("correct the cell"),
                    values={"value": repr(text)},
                )
            year = int(text)
        elif m:
            year = int(m.group(1))
        else:
            raise InputError(
                N_("the population year is not known"),
                file=path.name,
                fix=N_("put the year in the file name (e.g. mid2019) or a 'year' column"),
            )
    if not YEARS[0] <= int(year) <= YEARS[1]:
        raise InputError(
            N_("population year {year} is out of range"),
            file=path.name,
            row=year_row,
            expected=N_("a year from {first} to {last}"),
            fix=N_("correct the year"),
            values={"year": year, "first": YEARS[0], "last": YEARS[1]},
        )
    out = pd.DataFrame({"lsoa_code": raw[code].str.strip().str.upper()})
    check_codes(out["lsoa_code"], r"[EWX]01\d{6}", N_("LSOA code"), path.name)
    values = pd.to_numeric(raw[total].str.replace(",", "").str.strip(), errors="coerce")
    bad = values.isna() | (values < 0) | ~np.isfinite(values) | (values % 1 != 0)
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0]) + 1
        raise InputError(
            N_("population {value} is not a count"),
            file=path.name,
            row=row,
            expected=N_("a whole number ≥ 0"),
            fix=N_("correct the cell"),
            values={"value": repr(raw[total].iloc[row - 1])},
        )
    out["population"] = values.astype("float64")
    out["year"] = int(year)
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
    return out


def lsoa_ward_weights(
    population: pd.DataFrame, lsoa11_21: pd.DataFrame, lsoa21_ward: pd.DataFrame
) -> pd.DataFrame:
    """Population of each LSOA (as coded in ``population``) living in each 2022 ward.

    LSOAs coded 2011 go through the 2011→2021 lookup (a split one shares its population
    equally among its successors); 2021 codes go straight to their best-fit ward.

    Returns
    -------
    DataFrame with :data:`WEIGHT_COLUMNS`.
    """
    pop = population[["lsoa_code", "population"]]
    in21 = pop["lsoa_code"].isin(lsoa21_ward["lsoa21_code"])
    in11 = pop["lsoa_code"].isin(lsoa11_21["lsoa11_code"])
    # A code that is in both is an unchanged LSOA: either route gives the same ward.
    via11 = pop[in11].merge(
        lsoa11_21[["lsoa11_code", "lsoa21_code"]], left_on="lsoa_code", right_on="lsoa11_code"
    )
    via11["population"] = via11["population"] / via11.groupby("lsoa_code")["lsoa21_code"].transform(
        "size"
    )
    direct = pop[in21 & ~in11].assign(lsoa21_code=lambda d: d["lsoa_code"])
    parts = pd.concat(
        [
            via11[["lsoa_code", "lsoa21_code", "population"]],
            direct[["lsoa_code", "lsoa21_code", "population"]],
        ]
    )
    parts = parts.merge(lsoa21_ward[["lsoa21_code", "ward_code"]], on="lsoa21_code")
    out = parts.groupby(["lsoa_code", "ward_code"], as_index=False)["population"].sum()
    return out[WEIGHT_COLUMNS].sort_values(["lsoa_code", "ward_code"]).reset_index(drop=True)


def ward_population(weights: pd.DataFrame, ward_codes: pd.Series) -> pd.Series:
    """Total population per ward (0 for wards no LSOA is carried to), indexed by code."""
    totals = weights.groupby("ward_code")["population"].sum()
    return totals.reindex(pd.Index(ward_codes, name="ward_code"), fill_value=0.0)
