"""A deterministic synthetic demo region, written in the publishers' real file formats.

The demo region is a fictional stretch of land set in the sea of Cardigan Bay (around
easting 193,000 and northing 274,000 in EPSG:27700, well clear of the real coast), named
after the legend of Cantre'r Gwaelod, the drowned hundred. Nothing in it is real: every
code uses an ``X`` prefix that ONS never issues (``X01`` LSOA, ``X05`` ward, ``X06`` local
authority, ``X14`` community safety partnership, ``X15`` police force area) and every
name is invented.

The generator is split in two, as the rest of the package is:

* :func:`make_demo_region` is pure. It builds every frame (boundaries, lookups,
  deprivation, population, police.uk street files, force extracts) and the planted truth
  from a seed, and returns them in a frozen :class:`DemoRegion`. It runs named steps,
  each in a module of its own: the geometry (:mod:`~hotspots.demo.geometry`), what is
  planted where (:mod:`~hotspots.demo.plan`), codes and names
  (:mod:`~hotspots.demo.codes`, :mod:`~hotspots.demo.vintages`), population, deprivation,
  expected rates, the crimes themselves (:mod:`~hotspots.demo.incidents`), the lookups,
  the crime files (:mod:`~hotspots.demo.street_files`,
  :mod:`~hotspots.demo.force_extracts`) and the planted truth
  (:mod:`~hotspots.demo.truth`); the settings are in :mod:`~hotspots.demo.settings`.
* :func:`hotspots.demo.writers.write_demo_files` is the only function that touches the
  file system. It writes the frames out, each one with exactly the column names of the
  corresponding real file in ``shared/data`` (see ``PROVENANCE.md`` and
  :mod:`~hotspots.demo.formats`), so the project's normal loaders read the demo exactly
  as they read real data.

What is planted (all recorded in ``planted_truth.json``):

* three violence hotspot clusters at the three biggest towns (``hotspot_wards``,
  ``hotspot_clusters``), each a core ward and its whole ring of neighbours (6 to 8
  wards), with violence rates about ten times the median ward's (core a little above its
  ring), surrounded by a fringe of wards with a raised rate (about three times: crime
  thins out around a hotspot) that are not hotspots;
* one isolated violence hotspot ward among ordinary neighbours
  (``isolated_hotspot_wards``), which a ranking finds but Getis-Ord Gi* should not: Gi*
  judges a ward together with its neighbours, and its conditional permutations hold
  the ward's own value fixed, so only hot neighbours make a Gi* hot spot;
* drug hotspots on every cluster core, most of the cluster rings and the isolated
  hotspot, plus one drug-only ward;
* two emerging areas (``emerging_wards``, each with the ring of wards around it) that
  are ordinary at first, rise slowly for 19 months and then fast, to 2.8 times their
  first level in the last month;
* seasonality (summer peak, December spike) and a night-time, weekend skew in the
  force extracts' times;
* a spatially smooth deprivation field that is higher around towns and hotspots;
* a few bad rows in every crime file: no location, English (``E01``) LSOA codes outside
  the area, points just off the coast (within 2 km of a ward), points far out to sea
  (more than 2 km from any ward) and duplicated crime identifiers.

Why the hotspots look as they do: with 199 wards and the Benjamini-Hochberg correction,
a ward on the edge of a cluster (about half of its neighbours hot) is significant only
if random draws of its neighbours rarely come out as hot. That holds when the clusters
are few, equally strong and flat inside, and stand on a raised fringe; with clusters of
three wards of unequal strength, none was called hot at a 5 % false discovery rate.

The same seed always gives byte-identical files.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspots.demo.codes import WardCodes, ward_codes
from hotspots.demo.deprivation import make_deprivation
from hotspots.demo.force_extracts import force_extract_frames
from hotspots.demo.formats import DEFAULT_SEED
from hotspots.demo.geometry import Geography, make_geography
from hotspots.demo.incidents import Incidents, plant_incidents
from hotspots.demo.lookups import boundary_and_lookup_frames
from hotspots.demo.plan import Changes, plan_changes, plan_hotspots
from hotspots.demo.population import make_population
from hotspots.demo.rates import expected_counts
from hotspots.demo.settings import LA_FORCE
from hotspots.demo.street_files import police_uk_frames
from hotspots.demo.truth import planted_truth
from hotspots.demo.vintages import Vintages, incident_units, lsoa_vintages

__all__ = ["DemoRegion", "make_demo_region"]


@dataclass(frozen=True)
class DemoRegion:
    """Everything in the demo region, as frames (no files).

    Attributes
    ----------
    seed : int
        The generator seed.
    wards : geopandas.GeoDataFrame
        One row per ward, EPSG:27700, columns :data:`WARD_PROPERTIES` and ``geometry``.
    lsoa21 : geopandas.GeoDataFrame
        One row per 2021 LSOA, EPSG:27700, columns :data:`LSOA21_PROPERTIES`, ``ward_code``,
        ``lad_code``, ``population``, ``deprivation`` (the latent field, standardised)
        and ``geometry``.
    lsoa11_to_lsoa21, lsoa21_to_ward, lad_to_csp_to_pfa, deprivation, population : DataFrame
        The lookup, deprivation and population files, columns exactly as the real files.
    police_uk : dict of str to pandas.DataFrame
        police.uk street files by relative path (``crime/police_uk/YYYY-MM/...``), all
        values strings, columns :data:`POLICE_UK_COLUMNS`.
    force_extracts : dict of str to pandas.DataFrame
        Force extracts by relative path, all values strings, :data:`FORCE_EXTRACT_COLUMNS`.
    truth : dict
        The planted truth (JSON-ready), written as ``planted_truth.json``.
    """

    seed: int
    wards: gpd.GeoDataFrame
    lsoa21: gpd.GeoDataFrame
    lsoa11_to_lsoa21: pd.DataFrame
    lsoa21_to_ward: pd.DataFrame
    lad_to_csp_to_pfa: pd.DataFrame
    deprivation: pd.DataFrame
    population: pd.DataFrame
    police_uk: dict[str, pd.DataFrame]
    force_extracts: dict[str, pd.DataFrame]
    truth: dict


@dataclass(frozen=True)
class _CrimeFiles:
    """The crime files of the region, their planted bad rows and rows off the coast."""

    police_uk: dict[str, pd.DataFrame]
    force_extracts: dict[str, pd.DataFrame]
    bad_rows: dict[str, dict[str, dict[str, int]]]
    offshore_rows: list[dict]


def make_demo_region(seed: int = DEFAULT_SEED) -> DemoRegion:
    """Build the synthetic demo region and its planted truth (pure; no file I/O).

    Parameters
    ----------
    seed : int, default 2019
        Seed of the random generator; the same seed always gives the same region.

    Returns
    -------
    DemoRegion
        Every frame of the demo, in the real files' formats, and the planted truth.

    Raises
    ------
    TypeError
        If ``seed`` is not an integer.
    ValueError
        If ``seed`` is negative.
    """
    seed = _checked_seed(seed)
    # One random stream per step, so that a change to one step leaves the others alone.
    rng_geo, rng_names, rng_dep, rng_pop, rng_rate, rng_crime, rng_files = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(7)
    )

    geo = make_geography(rng_geo)
    plan = plan_hotspots(rng_geo, geo)
    changes = plan_changes(rng_geo, geo, plan)
    wc = ward_codes(rng_names, geo)
    vintages = lsoa_vintages(geo, changes, wc)
    pop21, population = make_population(rng_pop, changes, vintages)
    z21, deprivation = make_deprivation(rng_dep, geo, plan, changes, wc, vintages)
    lam = expected_counts(rng_rate, geo, plan, pop21, z21)
    incidents = plant_incidents(rng_crime, geo, lam)
    lookups = boundary_and_lookup_frames(seed, geo, changes, wc, vintages, pop21, z21)
    crime = _crime_files(rng_files, geo, changes, wc, vintages, incidents)
    truth = planted_truth(
        seed=seed,
        geo=geo,
        plan=plan,
        changes=changes,
        ward_codes=wc.codes,
        ward_names=wc.names,
        la_codes=wc.la_codes,
        pfa_codes=wc.pfa_codes,
        lsoa21_code=vintages.lsoa21_code,
        units=vintages.units,
        lsoa11_codes=vintages.lsoa11_codes,
        pop21=pop21,
        lam=lam,
        incidents=incidents,
        police_uk=crime.police_uk,
        force_extracts=crime.force_extracts,
        bad_rows=crime.bad_rows,
        offshore_rows=crime.offshore_rows,
        n11=vintages.n11,
    )
    return DemoRegion(
        seed=seed,
        wards=lookups.wards,
        lsoa21=lookups.lsoa21,
        lsoa11_to_lsoa21=lookups.lsoa11_to_lsoa21,
        lsoa21_to_ward=lookups.lsoa21_to_ward,
        lad_to_csp_to_pfa=lookups.lad_to_csp_to_pfa,
        deprivation=deprivation,
        population=population,
        police_uk=crime.police_uk,
        force_extracts=crime.force_extracts,
        truth=truth,
    )


def _checked_seed(seed: object) -> int:
    """``seed`` as an int, or TypeError / ValueError as :func:`make_demo_region` says."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer, not {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"seed must be 0 or more, not {seed}")
    return int(seed)


def _crime_files(
    rng_files: np.random.Generator,
    geo: Geography,
    changes: Changes,
    wc: WardCodes,
    vintages: Vintages,
    incidents: Incidents,
) -> _CrimeFiles:
    """The police.uk street files (2011 LSOA codes before 2024) and the force extracts."""
    unit_idx = incident_units(vintages, changes, incidents)
    lsoa_force = np.array([LA_FORCE[la] for la in geo.ward_la[geo.lsoa_ward]])
    police_uk, pu_bad, offshore_rows = police_uk_frames(
        rng_files, geo, incidents, lsoa_force, vintages.lsoa21_code, vintages.lsoa21_name,
        np.array(vintages.lsoa11_codes)[unit_idx], np.array(vintages.lsoa11_names)[unit_idx],
        wc.codes,
    )  # fmt: skip
    force_extracts, fe_bad, fe_offshore = force_extract_frames(
        rng_files, geo, incidents, lsoa_force, vintages.lsoa21_code, wc.codes
    )
    offshore_rows.extend(fe_offshore)
    return _CrimeFiles(
        police_uk,
        force_extracts,
        {"police_uk": pu_bad, "force_extract": fe_bad},
        offshore_rows,
    )
