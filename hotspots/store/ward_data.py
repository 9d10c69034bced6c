"""Read what an analysis needs from the store: the wards of an area, their population,
and crimes for a period under a definition. The only module that joins store and
analysis; the command line and the dashboard both call it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from hotspots.definitions import Definition, get_definition
from hotspots.geo.counts import count_by_ward, count_by_ward_month, sources_for
from hotspots.geo.geography import Geography, select_wards
from hotspots.io.extract_checks import caveats as definition_caveats
from hotspots.io.harm import HARM_KEY, harm_by_ward, harm_coverage, harm_note
from hotspots.io.population import POPULATION_METHOD, lsoa_ward_weights, ward_population
from hotspots.slugs import force_key, slug
from hotspots.store.base import Store
from hotspots.validation import check_month


@dataclass(frozen=True)
class Selection:
    """What to analyse: a period, an area and a definition (all small and hashable).

    Parameters
    ----------
    start, end : str
        First and last month, ``YYYY-MM`` (inclusive).
    area : str or None
        A force, a local authority code or name; None for every ward.
    definition : str
        Name of a definition in ``geodata/definitions``.
    """

    start: str
    end: str
    area: str | None = None
    definition: str = "police-uk-proxy"

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            check_month(getattr(self, name), f"{name} month")
        if self.start > self.end:
            raise ValueError(f"the period starts ({self.start}) after it ends ({self.end})")

    @property
    def months(self) -> list[str]:
        """Every month of the period."""
        return [str(p) for p in pd.period_range(self.start, self.end, freq="M")]


@dataclass(frozen=True, eq=False)
class WardData:
    """Counts for a selection, with everything needed to say where they came from."""

    selection: Selection
    definition: Definition
    wards: gpd.GeoDataFrame = field(repr=False)
    counts: pd.DataFrame = field(repr=False)
    monthly: pd.DataFrame = field(repr=False)
    sources: tuple[str, ...]
    months_loaded: tuple[str, ...]
    population_year: int | None
    label: str | None
    lsoa_deprivation: pd.DataFrame | None = field(default=None, repr=False)
    lsoa_weights: pd.DataFrame | None = field(default=None, repr=False)
    harm: pd.Series | None = field(default=None, repr=False)
    harm_note: str = ""
    #: Why harm is not available ("" when it is): the harm preset is offered only then.
    harm_reason: str = "not computed"
    #: What every output made from these counts must state about the definition's rules
    #: on this data (an analyst's acceptance of missing flags, markers absent).
    caveats: tuple[str, ...] = ()

    @property
    def harm_available(self) -> bool:
        """True when every code of the definition has a harm weight loaded."""
        return self.harm is not None and not self.harm_reason

    coverage: pd.DataFrame | None = field(default=None, repr=False)
    force_months: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    hidden: dict[str, int] = field(default_factory=dict, repr=False)

    @property
    def forces_without_data(self) -> tuple[str, ...]:
        """Forces with wards in the selection but no crimes loaded for any month of the
        period (their wards are "no data", never 0)."""
        if self.coverage is None:
            return forces_without_data(self.wards, self.sources)
        return forces_without_months(self.wards, self.force_months)

    @property
    def forces_with_gaps(self) -> dict[str, int]:
        """Forces with crimes loaded for some months of the period but not for every month
        that another force has (name → months loaded); their monthly series have gaps."""
        n = len(self.months_loaded)
        out = {}
        for f in sorted({str(x) for x in self.wards["police_force"].dropna()}):
            k = len(self.force_months.get(force_key(f), ()))
            if 0 < k < n:
                out[f] = k
        return out

    @property
    def months_not_loaded(self) -> tuple[str, ...]:
        """Months of the period with no crimes loaded from any source."""
        return tuple(m for m in self.selection.months if m not in set(self.months_loaded))

    def coverage_warning(self) -> str:
        """One line saying what is missing ("" when nothing is): forces without crimes,
        months not loaded, wards counted with another ward."""
        line = coverage_warning(
            self.wards,
            self.coverage,
            self.forces_without_data,
            self.months_not_loaded,
            len(self.selection.months),
            self.forces_with_gaps,
        )
        n = sum(self.hidden.values())
        if line and n:
            line = (
                line[:-1] + f"; {self.hidden.get('sv_count', 0)} serious violence and "
                f"{self.hidden.get('drugs_count', 0)} drug offences of the loaded forces "
                "fall in those wards and are not shown."
            )
        return line

    def metadata(self) -> dict:
        """What a download's "Method and data" notes need."""
        d = self.definition
        return {
            "definition": d.name,
            "definition_title": d.title,
            "proxy": d.proxy,
            "definition_note": " ".join(
                (
                    "PROXY: police.uk categories approximate serious violence"
                    if d.proxy
                    else "Home Office offence codes",
                    *self.caveats,
                )
            ),
            "definition_caveats": list(self.caveats),
            "period": f"{self.selection.start} to {self.selection.end}",
            "months_with_data": list(self.months_loaded),
            "data_cut_off": max(self.months_loaded) if self.months_loaded else None,
            "area": self.selection.area or "all wards",
            "sources": list(self.sources),
            "population_year": self.population_year,
            "population_method": POPULATION_METHOD,
            "label": self.label,
            "harm_weights": self.harm_note,
            "forces_without_data": list(self.forces_without_data),
            "months_not_loaded": list(self.months_not_loaded),
            "forces_with_gaps": dict(self.forces_with_gaps),
            "months_loaded_note": months_loaded_note(
                len(self.months_loaded), len(self.selection.months)
            ),
            "months_with_data_by_force": {
                f: list(self.force_months.get(force_key(f), ()))
                for f in sorted({str(x) for x in self.wards["police_force"].dropna()})
            },
            "wards_without_data": self._notes("no data"),
            "wards_counted_with": self._notes("counted with"),
            "coverage_note": COVERAGE_NOTE,
            "crimes_in_wards_without_data": dict(self.hidden),
        }

    def _notes(self, prefix: str) -> dict[str, str]:
        if self.coverage is None:
            return {}
        c = self.coverage[self.coverage["data_note"].str.startswith(prefix)]
        return dict(zip(c["ward_code"], c["data_note"], strict=True))


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
                f"no data: no crimes loaded for {force}"
                if pd.notna(force)
                else "no data: the ward's police force is not known"
            )
        elif population is not None and not float(population.get(code, 0.0)) > 0:
            counted = receivers.get(code, "")
            note = (
                f"counted with {names.get(counted, counted)}"
                if counted
                else "no data: no residents by the LSOA lookup"
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


def choose_population_year(years: list[int], months: list[str]) -> int | None:
    """The loaded population year nearest the middle of the period (earlier on a tie)."""
    if not years:
        return None
    mid = pd.Period(months[len(months) // 2], freq="M")
    target = mid.year + (mid.month - 1) / 12
    return min(sorted(years), key=lambda y: abs(y + 0.5 - target))


def ward_population_for(
    store: Store, geography: Geography, months: list[str]
) -> tuple[pd.Series, int | None, pd.DataFrame | None]:
    """Ward populations from the population year nearest the period, the year, and the
    LSOA→ward population weights they came from."""
    years = [int(k.split(":")[1]) for k in store.reference_keys("population:")]
    year = choose_population_year(years, months)
    if year is None:
        return pd.Series(0.0, index=geography.wards["ward_code"]), None, None
    pop = store.reference(f"population:{year}")
    weights = lsoa_ward_weights(pop, geography.lsoa11_21, geography.lsoa21_ward)
    return ward_population(weights, geography.wards["ward_code"]), year, weights


def lsoa_deprivation_for(store: Store) -> pd.DataFrame | None:
    """The loaded LSOA deprivation: WIMD 2019 when present, else IMD 2019, else None."""
    for key in ("deprivation:WIMD 2019", "deprivation:IMD 2019"):
        frame = store.reference(key)
        if frame is not None:
            return frame
    return None


def load_ward_data(
    store: Store, selection: Selection, geography: Geography | None = None
) -> WardData:
    """Counts by ward (and by ward and month) for ``selection``.

    Raises
    ------
    ValueError
        Unknown area or definition (naming the valid choices), or no suitable source.
    hotspots.errors.InputError
        When boundaries or lookups are not loaded.
    """
    definition = get_definition(selection.definition)
    geography = geography or store.geography()
    wards = select_wards(geography, selection.area)
    sources = sources_for(definition, store.sources())
    months = selection.months
    crimes = store.crimes(
        months=months,
        sources=sources,
        columns=[
            "source",
            "month",
            "crime_id",
            "crime_type",
            "ho_code",
            "ward_code",
            "assignment",
            "domestic",
            "alcohol",
            "drugs_flag",
            "knife",
            "terrorism",
            "easting",
            "northing",
        ],
    )
    population, year, weights = ward_population_for(store, geography, months)
    fm = force_months(store, sources, months, geography.wards, crimes)
    # Wards with no residents by the lookup (only known once a population is loaded).
    empty = (
        [c for c in wards["ward_code"].astype(str) if not float(population.get(c, 0.0)) > 0]
        if year is not None
        else []
    )
    receivers = receiving_wards(geography.wards, empty, crimes)
    coverage = ward_coverage(wards, population if year is not None else None, fm, months, receivers)
    no_data = set(coverage.loc[~coverage["has_data"], "ward_code"])
    whole = count_by_ward(crimes, wards, population, definition)
    counts = count_by_ward(crimes, wards, population, definition, no_data=no_data)
    # Crimes of loaded forces placed in wards without data (e.g. near a force boundary)
    # are not shown there; say how many, so every count still reconciles.
    hidden = {
        c: int(whole.loc[whole["ward_code"].isin(no_data), c].sum())
        for c in ("sv_count", "drugs_count")
    }
    notes = definition_caveats(crimes, definition, store.manifest())
    harm_weights = store.reference(HARM_KEY)
    harm = harm_by_ward(crimes, definition, harm_weights)
    force_of = dict(zip(wards["ward_code"].astype(str), wards["police_force"], strict=True))
    loaded_by_ward = {
        c: (() if c in no_data else fm.get(force_key(force_of[c]), ()))
        for c in wards["ward_code"].astype(str)
    }
    monthly = count_by_ward_month(
        crimes, wards["ward_code"], months, definition, loaded=loaded_by_ward
    )
    loaded = tuple(m for m in store.months(sources) if m in months)
    return WardData(
        selection=selection,
        definition=definition,
        wards=wards,
        counts=counts,
        monthly=monthly,
        sources=tuple(sources),
        months_loaded=loaded,
        population_year=year,
        label=store.label,
        lsoa_deprivation=lsoa_deprivation_for(store),
        lsoa_weights=weights,
        harm=harm,
        harm_note=harm_note(definition, harm_weights),
        harm_reason=harm_coverage(definition, harm_weights).reason,
        caveats=notes,
        coverage=coverage,
        force_months=fm,
        hidden=hidden,
    )


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
