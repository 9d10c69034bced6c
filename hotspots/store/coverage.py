"""Coverage of a selection: which wards have data (their force has crimes loaded), how
many months each force has, which wards are counted with another, and the warnings and
notes that say so ("no data" is never 0)."""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import pandas as pd

from hotspots.slugs import force_key, slug
from hotspots.stats.phrases import Phrase
from hotspots.store.base import Store

#: How missing data are treated, stated in every download's metadata.
COVERAGE_NOTE = (
    "A ward whose police force has no crimes loaded for the period is 'no data': its counts "
    "are empty, not 0, and it is left out of smoothing, ranking, Gi*, Moran, concordance "
    "and trends. A month not loaded is a gap in monthly series, not 0. A ward with no "
    "residents by the LSOA lookup is 'counted with' the ward that receives its LSOA(s) and "
    "is not ranked."
)
#: Columns of :attr:`WardData.coverage`.
COVERAGE_COLUMNS = ["ward_code", "has_data", "months_loaded", "counted_with", "data_note"]


def months_loaded_note(k: int, n: int) -> str:
    """``"5 of 12 months loaded"`` ("" when every month of the period is loaded)."""
    return "" if k >= n else f"{k} of {n} months loaded"


def forces_without_months(
    wards: pd.DataFrame, force_months: dict[str, tuple[str, ...]]
) -> tuple[str, ...]:
    """Forces of ``wards`` with no month loaded in ``force_months`` (slug → months)."""
    forces = sorted({str(f) for f in wards["police_force"].dropna().unique()})
    return tuple(f for f in forces if not force_months.get(force_key(f)))


def coverage_warning(
    wards: pd.DataFrame,
    coverage: pd.DataFrame | None,
    forces: Sequence[str],
    months_missing: Sequence[str],
    n_months: int,
    gaps: dict[str, int] | None = None,
) -> str:
    """The warning line ``rank``, ``wards`` and every page print ("" when complete)."""
    parts = []
    if forces:
        n = int(wards["police_force"].isin(list(forces)).sum())
        parts.append(
            f"no crimes are loaded for {', '.join(forces)}: its {n} wards are "
            "'no data' (empty, not 0) and are left out of the ranking and "
            "statistics"
        )
    if months_missing:
        parts.append(
            f"months not loaded: {', '.join(months_missing)} "
            f"({n_months - len(months_missing)} of {n_months} months loaded)"
        )
    for force, k in (gaps or {}).items():
        parts.append(
            f"{force} has crimes loaded for {k} of {n_months} months only (its "
            "totals cover fewer months than other forces')"
        )
    if coverage is not None:
        k = int(coverage["data_note"].str.startswith("counted with").sum())
        if k:
            parts.append(
                f"{k} ward(s) have no residents by the LSOA lookup and are "
                "'counted with' the ward that receives their LSOA(s), not ranked"
            )
    return ("Warning: " + "; ".join(parts) + ".") if parts else ""


def receiving_wards(
    wards: gpd.GeoDataFrame, codes: Sequence[str], crimes: pd.DataFrame
) -> dict[str, str]:
    """For wards with no residents of their own, the ward that receives their LSOA(s).

    The ward most of the crimes whose point lies inside the ward were counted in by their
    LSOA code (the LSOA rule); without such crimes, the neighbouring ward with the longest
    shared boundary (ties: ward code). Wards in ``codes`` never receive.

    Parameters
    ----------
    wards : GeoDataFrame
        All wards of the geography (EPSG:27700).
    codes : sequence of str
        The wards to find a receiver for.
    crimes : DataFrame
        Crimes with ``easting``, ``northing``, ``ward_code`` and ``assignment``.

    Returns
    -------
    dict
        Ward code → receiving ward code (wards with no neighbour are left out).
    """
    out: dict[str, str] = {}
    if not len(codes):
        return out
    geo = wards.set_index("ward_code").geometry
    skip = set(codes)
    have = crimes[
        (crimes["assignment"] == "code").to_numpy(dtype=bool)
        & ~crimes["ward_code"].isin(skip).to_numpy(dtype=bool)
    ]
    have = have.dropna(subset=["easting", "northing", "ward_code"])
    for code in sorted(codes):
        shape = geo.get(code)
        if shape is None:
            continue
        if len(have):
            x0, y0, x1, y1 = shape.bounds
            box = have[
                (have["easting"] >= x0)
                & (have["easting"] <= x1)
                & (have["northing"] >= y0)
                & (have["northing"] <= y1)
            ]
            if len(box):
                inside = gpd.points_from_xy(box["easting"], box["northing"]).within(shape)
                got = box.loc[inside, "ward_code"]
                if len(got):
                    counts = got.astype(str).value_counts()
                    out[code] = sorted(counts[counts == counts.max()].index)[0]
                    continue
        touching = geo[~geo.index.isin(skip)]
        touching = touching[touching.intersects(shape)]
        if len(touching):
            shared = touching.intersection(shape.boundary).length
            best = shared[shared == shared.max()].index
            out[code] = sorted(str(c) for c in best)[0]
    return out


def ward_coverage(
    wards: pd.DataFrame,
    population: pd.Series | None,
    force_months: dict[str, tuple[str, ...]],
    months: Sequence[str],
    receivers: dict[str, str],
) -> pd.DataFrame:
    """Which wards have data (:data:`COVERAGE_COLUMNS`), one row per ward by code.

    A ward has data when its force has crimes loaded for at least one month of the period
    and it has residents; ``months_loaded`` is the number of the period's months loaded
    for its force; ``data_note`` says why a ward has none ("no data: no crimes loaded for
    Gwent", "counted with Llanidloes"). Without a population (None) no ward is treated
    as having no residents.
    """
    period = set(months)
    names = dict(zip(wards["ward_code"].astype(str), wards["ward_name"].astype(str), strict=True))
    rows = []
    for code, force in zip(wards["ward_code"].astype(str), wards["police_force"], strict=True):
        got = (
            [m for m in force_months.get(force_key(force), ()) if m in period]
            if pd.notna(force)
            else []
        )
        note, counted = "", ""
        if not got:
            note = (
                Phrase("note.no_crimes", force=str(force))
                if pd.notna(force)
                else Phrase("note.force_unknown")
            )
        elif population is not None and not float(population.get(code, 0.0)) > 0:
            counted = receivers.get(code, "")
            note = (
                Phrase("note.counted_with", ward=names.get(counted, counted))
                if counted
                else Phrase("note.no_residents")
            )
        rows.append((code, note == "", len(got), counted, note))
    out = pd.DataFrame(rows, columns=COVERAGE_COLUMNS)
    return out.sort_values("ward_code").reset_index(drop=True)


def forces_without_data(wards: pd.DataFrame, sources: Sequence[str]) -> tuple[str, ...]:
    """The police forces of ``wards`` that none of ``sources`` covers.

    Parameters
    ----------
    wards : pandas.DataFrame
        With ``police_force`` (a force's name, e.g. "North Wales").
    sources : sequence of str
        Loaded crime sources, ``"<kind>:<force slug>"`` (e.g. ``"police.uk:south-wales"``).

    Returns
    -------
    tuple of str
        Force names, sorted; empty when every ward's force has data.
    """
    covered = {str(s).split(":", 1)[-1] for s in sources}
    forces = sorted({str(f) for f in wards["police_force"].dropna().unique()})
    return tuple(f for f in forces if slug(f) not in covered)


def force_months(
    store: Store,
    sources: Sequence[str],
    months: Sequence[str],
    wards: pd.DataFrame | None = None,
    crimes: pd.DataFrame | None = None,
) -> dict[str, tuple[str, ...]]:
    """Force key (:func:`~hotspots.slugs.force_key`) → the months of ``months`` with crimes loaded.

    A source is matched to a force by name ("police.uk:south-wales" → South Wales). A
    source whose name matches no force of ``wards`` is attributed to the force whose
    wards received most of its placed crimes (``crimes``: ``source, ward_code``).
    """
    period = set(months)
    known = {force_key(f) for f in wards["police_force"].dropna()} if wards is not None else set()
    force_of = (
        dict(zip(wards["ward_code"].astype(str), wards["police_force"], strict=True))
        if wards is not None
        else {}
    )
    out: dict[str, set[str]] = {}
    for s in sources:
        key = force_key(str(s).split(":", 1)[-1])
        if known and key not in known and crimes is not None and len(crimes):
            placed = (
                crimes.loc[
                    (crimes["source"] == s).to_numpy(dtype=bool)
                    & crimes["ward_code"].notna().to_numpy(dtype=bool),
                    "ward_code",
                ]
                .astype(str)
                .map(force_of)
                .dropna()
            )
            if len(placed):
                tally = placed.astype(str).value_counts()
                key = force_key(sorted(tally[tally == tally.max()].index)[0])
        out.setdefault(key, set()).update(m for m in store.months([s]) if m in period)
    return {k: tuple(sorted(v)) for k, v in out.items()}
