"""Crime harm weights (ONS Crime Severity Score style), read from an editable file.

``geodata/harm/crime-severity-weights.csv`` holds one weight per Home Office offence code
(for force extracts) and one category-average weight per police.uk crime type (an
approximation, and labelled so). Each row has a ``status``: ``published`` (a figure ONS
has quoted), ``provisional`` (to be replaced with the value from the ONS Crime Severity
Score data tool) or ``approximation`` (police.uk category averages).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hotspots.definitions import Definition, classify_crimes, normalise_ho_code
from hotspots.errors import InputError
from hotspots.tables import read_table

HARM_FILE = Path(__file__).resolve().parents[1] / "geodata" / "harm" / "crime-severity-weights.csv"
HARM_COLUMNS = ["match", "value", "weight", "status", "note"]
STATUSES = ("published", "provisional", "approximation")


def load_harm_weights(path: str | Path | None = None) -> pd.DataFrame:
    """Read the harm weights (:data:`HARM_COLUMNS`); ``weight`` is a float ≥ 0."""
    path = Path(path or HARM_FILE)
    raw = read_table(path)
    missing = [c for c in HARM_COLUMNS if c not in raw.columns]
    if missing:
        raise InputError(f"missing column(s) {missing}", file=path.name,
                         expected=f"columns {HARM_COLUMNS}")
    out = raw[HARM_COLUMNS].copy()
    out["weight"] = pd.to_numeric(out["weight"], errors="coerce")
    bad = out["weight"].isna() | (out["weight"] < 0)
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0]) + 1
        raise InputError("a weight is not a number ≥ 0", file=path.name, row=row)
    bad = ~out["status"].isin(STATUSES)
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0]) + 1
        raise InputError(f"status {out['status'].iloc[row - 1]!r} is not known",
                         file=path.name, row=row, expected=f"one of {list(STATUSES)}")
    ho = out["match"] == "ho_code"
    out.loc[ho, "value"] = out.loc[ho, "value"].map(normalise_ho_code)
    return out


def harm_note(definition: Definition, weights: pd.DataFrame) -> str:
    """Plain words on how exact the harm weights for ``definition`` are."""
    w = weights[weights["match"] == definition.match]
    values = {v for c in definition.categories for v in c.values}
    used = w[w["value"].isin(values)]
    if definition.match == "crime_type":
        return ("Harm weights for police.uk categories are category averages: an "
                "approximation, not ONS figures.")
    prov = int((used["status"] != "published").sum())
    return (f"Harm weights: ONS Crime Severity Score style, per Home Office code; {prov} of "
            f"{len(used)} codes carry provisional values (see "
            "geodata/harm/crime-severity-weights.csv).")


def harm_by_ward(crimes: pd.DataFrame, definition: Definition, weights: pd.DataFrame
                 ) -> pd.Series:
    """Sum of harm weights of the serious-violence crimes placed in each ward."""
    from hotspots.schema import ASSIGNED

    placed = crimes[crimes["assignment"].isin(ASSIGNED).to_numpy(dtype=bool)]
    cat = classify_crimes(placed, definition)
    sv = {c.key for c in definition.serious_violence}
    keep = cat.isin(sv).fillna(False).to_numpy(dtype=bool)
    column = "ho_code" if definition.match == "ho_code" else "crime_type"
    values = placed[column].astype("string").to_numpy()[keep]
    if definition.match == "ho_code":
        values = pd.Series(values).map(normalise_ho_code).to_numpy()
    table = weights[weights["match"] == definition.match].set_index("value")["weight"]
    harm = pd.Series(values).map(table).fillna(0.0).to_numpy()
    wards = placed["ward_code"].to_numpy()[keep]
    return pd.Series(harm, index=pd.Index(wards, name="ward_code")).groupby(level=0).sum()
