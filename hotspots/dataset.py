"""Read what an analysis needs from the store: the wards of an area, their population,
and crimes for a period under a definition. The only module that joins store and
analysis; the command line and the dashboard both call it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from hotspots.counts import count_by_ward, count_by_ward_month, sources_for
from hotspots.definitions import Definition, get_definition
from hotspots.extract_checks import caveats as definition_caveats
from hotspots.geography import Geography, select_wards
from hotspots.harm import HARM_KEY, harm_by_ward, harm_coverage, harm_note
from hotspots.population import POPULATION_METHOD, lsoa_ward_weights, ward_population
from hotspots.store import Store

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


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
            value = getattr(self, name)
            if not isinstance(value, str) or not MONTH.match(value):
                raise ValueError(f"{name} month {value!r} is not YYYY-MM (e.g. 2019-01)")
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

    @property
    def forces_without_data(self) -> tuple[str, ...]:
        """Forces with wards in the selection but no crimes loaded (their wards count 0)."""
        return forces_without_data(self.wards, self.sources)

    def metadata(self) -> dict:
        """What a download's "Method and data" notes need."""
        d = self.definition
        return {
            "definition": d.name, "definition_title": d.title, "proxy": d.proxy,
            "definition_note": " ".join((
                "PROXY: police.uk categories approximate serious violence" if d.proxy
                else "Home Office offence codes", *self.caveats)),
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
        }


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
    return tuple(f for f in forces if re.sub(r"[^a-z0-9]+", "-", f.lower()).strip("-")
                 not in covered)


def choose_population_year(years: list[int], months: list[str]) -> int | None:
    """The loaded population year nearest the middle of the period (earlier on a tie)."""
    if not years:
        return None
    mid = pd.Period(months[len(months) // 2], freq="M")
    target = mid.year + (mid.month - 1) / 12
    return min(sorted(years), key=lambda y: abs(y + 0.5 - target))


def ward_population_for(store: Store, geography: Geography, months: list[str]
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


def load_ward_data(store: Store, selection: Selection,
                   geography: Geography | None = None) -> WardData:
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
    crimes = store.crimes(months=months, sources=sources,
                          columns=["source", "month", "crime_id", "crime_type", "ho_code",
                                   "ward_code", "assignment", "domestic", "alcohol",
                                   "drugs_flag", "knife", "terrorism"])
    population, year, weights = ward_population_for(store, geography, months)
    counts = count_by_ward(crimes, wards, population, definition)
    notes = definition_caveats(crimes, definition, store.manifest())
    harm_weights = store.reference(HARM_KEY)
    harm = harm_by_ward(crimes, definition, harm_weights)
    monthly = count_by_ward_month(crimes, wards["ward_code"], months, definition)
    loaded = tuple(m for m in store.months(sources) if m in months)
    return WardData(selection=selection, definition=definition, wards=wards, counts=counts,
                    monthly=monthly, sources=tuple(sources), months_loaded=loaded,
                    population_year=year, label=store.label,
                    lsoa_deprivation=lsoa_deprivation_for(store), lsoa_weights=weights,
                    harm=harm, harm_note=harm_note(definition, harm_weights),
                    harm_reason=harm_coverage(definition, harm_weights).reason,
                    caveats=notes)
