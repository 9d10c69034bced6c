"""Count crimes by ward (and by ward and month) under a definition."""

from __future__ import annotations

from collections.abc import Collection, Mapping

import numpy as np
import pandas as pd

from hotspots.definitions import Definition, classify_crimes
from hotspots.schema import ASSIGNED, WARD_COUNT_COLUMNS

#: Leading columns of the monthly counts table; category columns follow.
MONTHLY_COLUMNS = ["ward_code", "month", "sv_count", "drugs_count"]


def source_family(source: str) -> str:
    """ "crime_type" for police.uk sources, "ho_code" for force extracts."""
    return "crime_type" if source.startswith("police.uk:") else "ho_code"


def sources_for(definition: Definition, sources: list[str]) -> list[str]:
    """The loaded sources a definition can count: police.uk for a crime-type definition,
    force extracts for a Home Office code one (never both, which would double count).

    Raises
    ------
    ValueError
        When none of ``sources`` suits the definition; the message says what to load.
    """
    ok = [s for s in sources if source_family(s) == definition.match]
    if not ok:
        need = (
            "police.uk street files"
            if definition.match == "crime_type"
            else "a force extract with Home Office offence codes"
        )
        raise ValueError(
            f"definition {definition.name!r} needs {need}; the store has "
            f"{', '.join(sources) or 'no crimes'}. Load them, or choose another definition."
        )
    return ok


def _categorised(crimes: pd.DataFrame, definition: Definition) -> pd.DataFrame:
    placed = crimes[crimes["assignment"].isin(ASSIGNED).to_numpy(dtype=bool)]
    cat = classify_crimes(placed, definition)
    keep = cat.notna().to_numpy(dtype=bool)
    return pd.DataFrame(
        {
            "ward_code": placed["ward_code"].to_numpy()[keep],
            "month": placed["month"].to_numpy()[keep],
            "category": cat.to_numpy()[keep],
        }
    )


def _add_totals(frame: pd.DataFrame, definition: Definition) -> pd.DataFrame:
    sv = [c.key for c in definition.serious_violence]
    dr = [c.key for c in definition.drugs]
    frame["sv_count"] = frame[sv].sum(axis=1).astype("int64")
    frame["drugs_count"] = frame[dr].sum(axis=1).astype("int64")
    return frame


def count_by_ward(
    crimes: pd.DataFrame,
    wards: pd.DataFrame,
    population: pd.Series,
    definition: Definition,
    no_data: Collection[str] = (),
) -> pd.DataFrame:
    """Crimes per ward under ``definition``; wards with no crimes get 0, wards in
    ``no_data`` get no count at all (missing, never 0).

    Parameters
    ----------
    crimes : DataFrame
        Stored crimes (:data:`hotspots.schema.CRIME_COLUMNS`), already limited to the
        period and to sources the definition suits.
    wards : DataFrame
        The wards to report (``ward_code, ward_name, local_authority_code,
        local_authority_name, police_force``), e.g. one force's.
    population : Series
        Ward population indexed by ``ward_code``.
    definition : Definition
    no_data : collection of str
        Ward codes whose counts are unknown: their force has no crimes loaded for the
        period, or they have no residents of their own (their crimes are counted in
        another ward). Their count columns are missing (``<NA>``), not 0.

    Returns
    -------
    DataFrame
        :data:`hotspots.schema.WARD_COUNT_COLUMNS`, then one column per category, one row
        per ward in ``wards`` (sorted by ward code). Count columns are nullable integers
        (``Int64``). Crimes placed in wards outside ``wards`` are not counted.
    """
    cats = definition.category_keys
    c = _categorised(crimes, definition)
    table = pd.crosstab(c["ward_code"], c["category"]) if len(c) else pd.DataFrame(columns=cats)
    table = table.reindex(columns=cats, fill_value=0)
    base = pd.DataFrame(wards[WARD_COUNT_COLUMNS[:5]]).sort_values("ward_code")
    out = base.merge(table, left_on="ward_code", right_index=True, how="left")
    out[cats] = out[cats].fillna(0).astype("int64")
    out["population"] = out["ward_code"].map(population).fillna(0).round().astype("int64")
    out = _add_totals(out, definition)
    return _blank(
        out[[*WARD_COUNT_COLUMNS, *cats]].reset_index(drop=True),
        out["ward_code"].isin(list(no_data)).to_numpy(),
        [*cats, "sv_count", "drugs_count"],
    )


def _blank(frame: pd.DataFrame, missing, columns: list[str]) -> pd.DataFrame:
    """``columns`` as nullable integers, missing where ``missing`` is True."""
    for c in columns:
        frame[c] = frame[c].astype("Int64").mask(missing)
    return frame


def count_by_ward_month(
    crimes: pd.DataFrame,
    ward_codes: list[str] | pd.Series,
    months: list[str],
    definition: Definition,
    loaded: Mapping[str, Collection[str]] | None = None,
) -> pd.DataFrame:
    """Crimes per ward and month (:data:`MONTHLY_COLUMNS` + categories).

    A month with data and no crime is 0; with ``loaded`` (ward code → the months with
    crimes loaded for it), every other ward-month is missing (``<NA>``): a gap, not 0.
    Without ``loaded`` every month counts as loaded. Count columns are ``Int64``.
    """
    cats = definition.category_keys
    c = _categorised(crimes, definition)
    grid = pd.MultiIndex.from_product(
        [sorted(pd.Series(ward_codes).astype(str)), sorted(months)], names=["ward_code", "month"]
    )
    counts = (
        c.groupby(["ward_code", "month", "category"]).size().unstack(fill_value=0)
        if len(c)
        else pd.DataFrame(columns=cats)
    )
    counts = counts.reindex(index=grid, columns=cats, fill_value=0).fillna(0).astype("int64")
    out = _add_totals(counts.reset_index(), definition)[[*MONTHLY_COLUMNS, *cats]]
    if loaded is None:
        gap = np.zeros(len(out), dtype=bool)
    else:
        have = {(w, m) for w, ms in loaded.items() for m in ms}
        gap = np.array(
            [(w, m) not in have for w, m in zip(out["ward_code"], out["month"], strict=True)],
            dtype=bool,
        )
    return _blank(out, gap, [*cats, "sv_count", "drugs_count"])
