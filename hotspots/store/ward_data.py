"""Read what an analysis needs from the store: the wards of an area, their population,
and crimes for a period under a definition. The only module that joins store and
analysis; the command line and the dashboard both call it."""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from hotspots.definitions import Definition, get_definition
from hotspots.geo.counts import count_by_ward, count_by_ward_month, sources_for
from hotspots.geo.geography import Geography, select_wards
from hotspots.io.extract_checks import caveats as definition_caveats
from hotspots.io.harm import HARM_KEY, harm_by_ward, harm_coverage, harm_note
from hotspots.io.population import POPULATION_METHOD, lsoa_ward_weights, ward_population
from hotspots.slugs import force_key
from hotspots.stats.phrases import Phrase
from hotspots.store.base import Store
from hotspots.store.coverage import (
    COVERAGE_NOTE,
    coverage_warning,
    force_months,
    forces_without_data,
    forces_without_months,
    months_loaded_note,
    receiving_wards,
    ward_coverage,
)
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
    harm_reason: str = Phrase("harm.not_computed")
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
