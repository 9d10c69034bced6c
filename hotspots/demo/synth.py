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
  from a seed, and returns them in a frozen :class:`DemoRegion`.
* :func:`write_demo_files` is the only function here that touches the file system. It
  writes the frames out, each one with exactly the column names of the corresponding
  real file in ``shared/data`` (see ``PROVENANCE.md``), so the project's normal loaders
  read the demo exactly as they read real data.

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

import csv
import functools
import io
import json
import math
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

__all__ = [
    "DEFAULT_SEED",
    "FORCE_EXTRACT_COLUMNS",
    "LAD_LOOKUP_COLUMNS",
    "LSOA11_LOOKUP_COLUMNS",
    "LSOA21_PROPERTIES",
    "MONTHS",
    "POLICE_UK_COLUMNS",
    "POPULATION_COLUMNS",
    "WARD_LOOKUP_COLUMNS",
    "WARD_PROPERTIES",
    "WIMD_COLUMNS",
    "DemoFiles",
    "DemoRegion",
    "csv_text",
    "make_demo_region",
    "region_geojson",
    "write_demo_files",
]

# ---------------------------------------------------------------------------------------
# Public constants: the real files' column names (copied from shared/data) and the layout.
# ---------------------------------------------------------------------------------------

DEFAULT_SEED = 2019
"""The seed the demo files are generated with unless another one is given."""

MONTHS: tuple[str, ...] = tuple(f"{y}-{m:02d}" for y in (2023, 2024) for m in range(1, 13))
"""The 24 months of crime, ``2023-01`` to ``2024-12``."""

FIRST_LSOA21_MONTH = "2024-01"
"""police.uk rows before this month carry 2011 LSOA codes, rows from it on 2021 codes."""

WARD_PROPERTIES: tuple[str, ...] = (
    "ward22_code",
    "ward22_name",
    "lad22_code",
    "lad22_name",
    "lad_source",
)
"""Feature properties of ``boundaries/wales_wards_dec2022_bsc.geojson``."""

LSOA21_PROPERTIES: tuple[str, ...] = ("lsoa21_code", "lsoa21_name")
"""Feature properties of ``boundaries/wales_lsoa_dec2021_bsc_v4.geojson``."""

LSOA11_LOOKUP_COLUMNS: tuple[str, ...] = (
    "lsoa11_code",
    "lsoa11_name",
    "change_code",
    "lsoa21_code",
    "lsoa21_name",
    "ltla22_code",
    "ltla22_name",
)
"""Columns of ``lookups/lsoa11_to_lsoa21_to_lad22_wales.csv``."""

WARD_LOOKUP_COLUMNS: tuple[str, ...] = (
    "LSOA21CD",
    "LSOA21NM",
    "LSOA21NMW",
    "WD22CD",
    "WD22NM",
    "WD22NMW",
    "LAD22CD",
    "LAD22NM",
    "LAD22NMW",
    "ObjectId",
)
"""Columns of ``lookups/lsoa21_to_ward22_to_lad22_wales.csv``."""

LAD_LOOKUP_COLUMNS: tuple[str, ...] = (
    "ltla24_code",
    "ltla24_name",
    "csp24_code",
    "csp24_name",
    "pfa24_code",
    "pfa24_name",
)
"""Columns of ``lookups/lad24_to_csp24_to_pfa24_wales.csv``."""

_WIMD_DOMAINS = (
    "IMD",
    "Income",
    "Employment",
    "Health",
    "Education",
    "Housing",
    "Access",
    "Environment",
    "Crime",
)
_WIMD_SCORE_ORDER = (
    "IMD",
    "Income",
    "Employment",
    "Education",
    "Health",
    "Crime",
    "Housing",
    "Access",
    "Environment",
)
WIMD_COLUMNS: tuple[str, ...] = (
    "lsoa_code",
    *(f"{d}_decile" for d in _WIMD_DOMAINS),
    *(f"{d}_rank" for d in _WIMD_DOMAINS),
    *(f"{d}_score" for d in _WIMD_SCORE_ORDER),
)
"""Columns of ``deprivation/wimd2019_lsoa11_ranks_deciles_scores.csv`` (28, in its order)."""

POPULATION_COLUMNS: tuple[str, ...] = (
    "lsoa11_name",
    "lsoa11_code",
    "total_population",
    *(str(a) for a in range(90)),
    "90+",
)
"""Columns of ``population/population_mid2019_lsoa11_wales.csv`` (94)."""

POLICE_UK_COLUMNS: tuple[str, ...] = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
)
"""The 12 standard columns of a police.uk street-level crime CSV."""

FORCE_EXTRACT_COLUMNS: tuple[str, ...] = (
    "crime_reference",
    "recorded_at",
    "ho_code",
    "offence_description",
    "latitude",
    "longitude",
    "easting",
    "northing",
    "lsoa_code",
    "domestic_flag",
    "alcohol_flag",
    "drugs_flag",
    "knife_flag",
    "victim_age_band",
    "victim_sex",
)
"""Columns of a force's own crime extract (one file per force, all months)."""

# Relative paths of the files written (mirroring the layout of shared/data).
WARDS_PATH = "boundaries/synthetic_demo_wards_dec2022.geojson"
LSOA21_PATH = "boundaries/synthetic_demo_lsoa_dec2021.geojson"
LSOA11_LOOKUP_PATH = "lookups/synthetic_demo_lsoa11_to_lsoa21_to_lad22.csv"
WARD_LOOKUP_PATH = "lookups/synthetic_demo_lsoa21_to_ward22_to_lad22.csv"
LAD_LOOKUP_PATH = "lookups/synthetic_demo_lad24_to_csp24_to_pfa24.csv"
DEPRIVATION_PATH = "deprivation/synthetic_demo_wimd2019_lsoa11_ranks_deciles_scores.csv"
POPULATION_PATH = "population/synthetic_demo_population_mid2019_lsoa11.csv"
POLICE_UK_DIR = "crime/police_uk"
FORCE_EXTRACT_DIR = "crime/force_extract"
TRUTH_PATH = "planted_truth.json"
README_PATH = "README.txt"

DEMO_MARK = "synthetic demo"
"""Written into every file (a collection name, a column value or the file name)."""

# ---------------------------------------------------------------------------------------
# Generator settings.
# ---------------------------------------------------------------------------------------

CENTRE = (193_000.0, 274_000.0)
"""Centre of the fictional land, EPSG:27700 (at sea in Cardigan Bay, >20 km from land)."""
_SEMI_AXES = (15_000.0, 22_000.0)
_N_LSOA_POINTS = 700
_N_TOWNS = 6
_NEAR_COAST_M = (300.0, 1_700.0)  # "just off the coast": within 2 km of a ward
_FAR_SEA_M = (3_500.0, 9_000.0)  # "far out to sea": more than 2 km from every ward
_COAST_LIMIT_M = 2_000.0
_RATE_SCALE = 0.68  # overall scale on the base rates: ~215k police.uk rows in 24 months

_LAS = (
    # (English name, Welsh name)
    ("Seithenyn City", "Dinas Seithenyn"),
    ("Aberwyddno", "Aberwyddno"),
    ("Vale of Helig", "Bro Helig"),
    ("Garanhir", "Garanhir"),
    ("Mererid Coast", "Glannau Mererid"),
)
_FORCES = (
    # (police force area name, slug used in police.uk file names, extract reference prefix)
    ("Cantre Gwaelod", "cantre-gwaelod", "CG"),
    ("Maes Gwyddno", "maes-gwyddno", "MG"),
)
_LA_FORCE = (0, 0, 1, 1, 1)  # force index of each local authority

_WARD_PREFIXES = (
    "Aber", "Llan", "Pen", "Tre", "Cwm", "Bryn", "Nant", "Pont", "Coed", "Glan",
    "Rhyd", "Maes", "Caer", "Dol", "Ynys", "Porth", "Bod", "Cefn", "Castell", "Betws",
)  # fmt: skip
_WARD_ROOTS = (
    "wyddno", "seithen", "garan", "mererid", "gwaelod", "tonnau", "gwymon", "morlo",
    "cregyn", "gwylan", "llanw", "morfil", "ewyn", "cwrel", "heligog", "tywodlyd",
)  # fmt: skip
_STREETS = (
    "Heol Gwyddno", "Ffordd y Môr", "Stryd Seithenyn", "Lôn Mererid", "Heol y Cei",
    "Ffordd Garanhir", "Stryd y Gwymon", "Lôn yr Ewyn", "Rhodfa'r Tonnau", "Heol y Llanw",
    "Harbour Road", "Station Road", "High Street", "Chapel Street", "Marine Terrace",
    "Mill Lane", "Church Street", "Quay Street", "Bridge Street", "Castle Street",
    "Seaview Close", "Lighthouse Way", "Sandbank Drive", "Beacon Hill", "Causeway Road",
    "Anchor Lane", "Tidewater Place", "Shell Road", "Gull Close", "Dyke Street",
)  # fmt: skip
_PLACES = (
    "Parking Area", "Shopping Area", "Supermarket", "Sports/Recreation Area",
    "Petrol Station", "Nightclub", "Pedestrian Subway", "Police Station", "Hospital",
    "Park/Open Space", "Further/Higher Educational Building", "Theatre/Concert Hall",
    "Parking Area, Harbour",
)  # fmt: skip


@dataclass(frozen=True)
class _Category:
    """One police.uk crime type and how its rate is planted."""

    name: str
    slug: str
    base_rate: float  # per 1,000 residents per year at average deprivation
    beta: float  # log-rate change per standard deviation of deprivation
    hotspot: float  # multiplier in violence hotspot wards
    drug_hotspot: float  # multiplier in drug hotspot wards
    season: float  # amplitude of the summer peak
    december: float  # December factor
    night: bool  # night-time (True) or daytime (False) time profile
    victim: bool  # offences with a personal victim
    emerging: bool  # rises in the emerging wards


_CATEGORIES: tuple[_Category, ...] = (
    _Category("Anti-social behaviour", "anti_social_behaviour",
              21.0, 0.30, 1.8, 1.0, 0.25, 1.00, True, False, False),
    _Category("Bicycle theft", "bicycle_theft",
              1.1, 0.05, 1.0, 1.0, 0.20, 0.80, False, True, False),
    _Category("Burglary", "burglary", 4.5, 0.20, 1.2, 1.0, 0.05, 1.10, True, True, False),
    _Category("Criminal damage and arson", "criminal_damage_and_arson",
              9.0, 0.30, 1.5, 1.0, 0.10, 1.00, True, True, False),
    _Category("Drugs", "drugs", 3.8, 0.35, 1.3, 5.0, 0.05, 1.00, True, False, False),
    _Category("Other crime", "other_crime", 1.6, 0.20, 1.3, 1.0, 0.00, 1.00, False, False, False),
    _Category("Other theft", "other_theft", 7.5, 0.10, 1.3, 1.0, 0.05, 1.10, False, True, False),
    _Category("Possession of weapons", "possession_of_weapons",
              0.55, 0.35, 3.5, 1.5, 0.10, 1.00, True, False, True),
    _Category("Public order", "public_order", 7.0, 0.30, 2.0, 1.0, 0.15, 1.15, True, False, False),
    _Category("Robbery", "robbery", 0.4, 0.40, 3.5, 1.5, 0.05, 1.10, True, True, True),
    _Category("Shoplifting", "shoplifting", 7.0, 0.10, 1.5, 1.0, 0.00, 1.15, False, True, False),
    _Category("Theft from the person", "theft_from_the_person",
              0.7, 0.20, 2.0, 1.0, 0.05, 1.20, True, True, False),
    _Category("Vehicle crime", "vehicle_crime", 5.5, 0.15, 1.1, 1.0, 0.00, 1.00, True, True, False),
    _Category("Violence and sexual offences", "violence_and_sexual_offences",
              30.0, 0.35, 5.0, 1.0, 0.15, 1.20, True, True, True),
)  # fmt: skip
_ASB = 0
# Emerging areas: violence rises slowly from 1 to _EMERGING_MID at month _EMERGING_START
# (an index into MONTHS), then fast to _EMERGING_END in the last month; the ring of wards
# around an emerging ward gets _EMERGING_RING_LEVEL of that rise.
_EMERGING_START = 19
_EMERGING_MID = 1.4
_EMERGING_END = 2.8
_EMERGING_RING_LEVEL = 0.8
_WARD_EFFECT_SD = 0.25  # sd of the log of a ward-level random effect on every crime rate
_N_CLUSTERS = 3  # violence hotspot clusters: a core ward and its whole ring of neighbours
_RING_SIZES = (5, 7)  # a core has this many neighbours (clusters of 6 to 8 wards)
_RING_LEVEL = 0.8  # share of the hotspot multiplier's excess a ring ward gets (core: 1)
_FRINGE_LEVEL = 0.35  # the same for the wards bordering a cluster (a gradient, not a hotspot)
_HOTSPOT_DEPRIVATION = 1.0  # height of the deprivation bump around each hotspot area

# Home Office offence codes by police.uk crime type: (code, description, weight).
_HO_CODES: dict[str, tuple[tuple[str, str, float], ...]] = {
    "Bicycle theft": (("44", "Theft of a pedal cycle", 1.0),),
    "Burglary": (
        ("28E", "Burglary - residential", 0.70),
        ("30C", "Burglary - business and community", 0.285),
        ("29", "Aggravated burglary - residential", 0.012),
        ("31", "Aggravated burglary - business and community", 0.003),
    ),
    "Criminal damage and arson": (
        ("58A", "Criminal damage to a dwelling", 0.35),
        ("58B", "Criminal damage to a building other than a dwelling", 0.15),
        ("58C", "Criminal damage to a vehicle", 0.30),
        ("58D", "Other criminal damage", 0.15),
        ("56B", "Arson not endangering life", 0.05),
    ),
    "Drugs": (
        ("92A", "Trafficking in controlled drugs", 0.20),
        ("92C", "Other drug offences", 0.01),
        ("92D", "Possession of controlled drugs (cannabis)", 0.55),
        ("92E", "Possession of controlled drugs (excluding cannabis)", 0.24),
    ),
    "Other crime": (
        ("66", "Other offences against the State or public order", 0.55),
        ("802", "Dangerous driving", 0.25),
        ("33", "Going equipped for stealing", 0.20),
    ),
    "Other theft": (("49", "Other theft", 1.0),),
    "Possession of weapons": (
        ("10D", "Possession of article with blade or point", 0.60),
        ("10C", "Possession of other weapons", 0.40),
    ),
    "Public order": (
        ("9A", "Public fear, alarm or distress", 0.85),
        ("9B", "Racially or religiously aggravated public fear, alarm or distress", 0.12),
        ("62A", "Violent disorder", 0.03),
    ),
    "Robbery": (
        ("34A", "Robbery of business property", 0.12),
        ("34B", "Robbery of personal property", 0.88),
    ),
    "Shoplifting": (("46", "Shoplifting", 1.0),),
    "Theft from the person": (("39", "Theft from the person", 1.0),),
    "Vehicle crime": (
        ("45", "Theft from a vehicle", 0.55),
        ("48", "Theft or unauthorised taking of a motor vehicle", 0.35),
        ("37.2", "Aggravated vehicle taking", 0.02),
        ("126", "Interfering with a motor vehicle", 0.08),
    ),
    "Violence and sexual offences": (
        ("1", "Murder", 0.0006),
        ("4.1", "Manslaughter", 0.0002),
        ("2", "Attempted murder", 0.0008),
        ("3A", "Conspiracy to murder", 0.0004),
        ("3B", "Threats to kill", 0.02),
        ("5D", "Assault with intent to cause serious harm", 0.012),
        ("5E", "Endangering life", 0.004),
        ("8N", "Assault with injury", 0.24),
        ("8P", "Racially or religiously aggravated assault with injury", 0.004),
        ("8S", "Assault with injury on a constable", 0.006),
        ("105A", "Assault without injury", 0.33),
        ("104", "Assault without injury on a constable", 0.02),
        ("8L", "Harassment", 0.10),
        ("8Q", "Stalking", 0.05),
        ("8R", "Malicious communications", 0.09),
        ("19C", "Rape of a female aged 16 and over", 0.012),
        ("19D", "Rape of a female aged under 16", 0.003),
        ("19E", "Rape of a female child under 13", 0.002),
        ("19F", "Rape of a male aged 16 and over", 0.0015),
        ("19G", "Rape of a male aged under 16", 0.0005),
        ("19H", "Rape of a male child under 13", 0.0008),
        ("17A", "Sexual assault on a male aged 13 and over", 0.003),
        ("20A", "Sexual assault on a female aged 13 and over", 0.02),
    ),
}
_FEMALE_VICTIM = frozenset({"19C", "19D", "19E", "20A"})
_MALE_VICTIM = frozenset({"19F", "19G", "19H", "17A"})
_CHILD_VICTIM = frozenset({"19D", "19E", "19G", "19H"})
_AGE_BANDS = ("0-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+")
_AGE_BAND_P = (0.12, 0.22, 0.26, 0.18, 0.12, 0.06, 0.04)

_OUTCOMES = (
    ("Unable to prosecute suspect", 0.32),
    ("Investigation complete; no suspect identified", 0.29),
    ("Court result unavailable", 0.05),
    ("Status update unavailable", 0.035),
    ("Local resolution", 0.026),
    ("Under investigation", 0.06),
    ("Offender given a caution", 0.014),
    ("Awaiting court outcome", 0.03),
    ("Offender sent to prison", 0.011),
    ("Offender given community sentence", 0.01),
    ("Offender fined", 0.007),
    ("Defendant found not guilty", 0.005),
    ("Further investigation is not in the public interest", 0.005),
    ("Formal action is not in the public interest", 0.0045),
    ("Court case unable to proceed", 0.004),
    ("Offender given suspended prison sentence", 0.0035),
    ("Action to be taken by another organisation", 0.0016),
)
_DRUG_OUTCOMES = (
    ("Offender given a drugs possession warning", 0.30),
    ("Local resolution", 0.20),
    ("Court result unavailable", 0.12),
    ("Under investigation", 0.12),
    ("Offender fined", 0.06),
    ("Unable to prosecute suspect", 0.10),
    ("Awaiting court outcome", 0.05),
    ("Offender given penalty notice", 0.05),
)

_NIGHT_HOURS = np.array(
    [6, 5, 4, 3, 2, 1.5, 1.5, 2, 2.5, 3, 3.5, 3.8, 4, 4, 4, 4.5, 4.8, 5, 5, 5.2, 5.5, 6, 7, 7.5]
)
_DAY_HOURS = np.array(
    [
        1,
        0.7,
        0.5,
        0.4,
        0.4,
        0.6,
        1.2,
        2.5,
        3.5,
        4,
        4.5,
        4.8,
        5,
        5,
        5,
        5,
        5,
        5,
        4.5,
        4,
        3.5,
        3,
        2,
        1.5,
    ]
)


# ---------------------------------------------------------------------------------------
# Result types.
# ---------------------------------------------------------------------------------------


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
class DemoFiles:
    """Paths of the demo files written by :func:`write_demo_files`.

    Attributes
    ----------
    root : Path
        The output directory.
    readme, planted_truth : Path
        ``README.txt`` and ``planted_truth.json``.
    wards : Path
        Ward boundaries GeoJSON (CRS84), like ``wales_wards_dec2022_bsc.geojson``.
    lsoa21_boundaries : Path
        2021 LSOA boundaries GeoJSON (CRS84), like ``wales_lsoa_dec2021_bsc_v4.geojson``.
    lsoa11_to_lsoa21, lsoa21_to_ward, lad_to_csp_to_pfa : Path
        The three lookups, like the files of the same kind in ``shared/data/lookups``.
    deprivation : Path
        WIMD-style ranks, deciles and scores by 2011 LSOA.
    population : Path
        Mid-2019-style population by 2011 LSOA and single year of age.
    police_uk_dir : Path
        Root of the police.uk archive layout (``YYYY-MM/YYYY-MM-<force>-street.csv``).
    police_uk : tuple of Path
        Every police.uk street file, in month then force order.
    force_extracts : tuple of Path
        One force extract per force.
    """

    root: Path
    readme: Path
    planted_truth: Path
    wards: Path
    lsoa21_boundaries: Path
    lsoa11_to_lsoa21: Path
    lsoa21_to_ward: Path
    lad_to_csp_to_pfa: Path
    deprivation: Path
    population: Path
    police_uk_dir: Path
    police_uk: tuple[Path, ...]
    force_extracts: tuple[Path, ...]

    @property
    def all_files(self) -> tuple[Path, ...]:
        """Every file written, in a fixed order."""
        return (
            self.readme,
            self.planted_truth,
            self.wards,
            self.lsoa21_boundaries,
            self.lsoa11_to_lsoa21,
            self.lsoa21_to_ward,
            self.lad_to_csp_to_pfa,
            self.deprivation,
            self.population,
            *self.police_uk,
            *self.force_extracts,
        )


# ---------------------------------------------------------------------------------------
# Geometry.
# ---------------------------------------------------------------------------------------


def _coastline(rng: np.random.Generator) -> shapely.Polygon:
    """An irregular, star-shaped blob: an ellipse with random harmonics on its radius."""
    t = np.linspace(0.0, 2.0 * np.pi, 720, endpoint=False)
    r = np.ones_like(t)
    for k in range(2, 9):
        r += rng.uniform(0.03, 0.08) / k**0.6 * np.cos(k * t + rng.uniform(0, 2 * np.pi))
    for k in range(9, 40):
        r += rng.uniform(0.0, 0.01) * np.cos(k * t + rng.uniform(0, 2 * np.pi))
    x = CENTRE[0] + _SEMI_AXES[0] * r * np.cos(t)
    y = CENTRE[1] + _SEMI_AXES[1] * r * np.sin(t)
    return shapely.Polygon(np.column_stack([x, y]))


def _towns(rng: np.random.Generator, land: shapely.Polygon) -> np.ndarray:
    """Town centres, at least 7 km apart and 3.5 km inside the coast, biggest first."""
    inner = land.buffer(-3_500.0)
    minx, miny, maxx, maxy = inner.bounds
    towns: list[tuple[float, float]] = []
    while len(towns) < _N_TOWNS:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if not inner.contains(shapely.Point(x, y)):
            continue
        if all(math.hypot(x - tx, y - ty) >= 7_000.0 for tx, ty in towns):
            towns.append((x, y))
    return np.array(towns)


def _lsoa_points(rng: np.random.Generator, land: shapely.Polygon, towns: np.ndarray) -> np.ndarray:
    """Generator points of the 2021 LSOAs: clustered around towns plus a rural scatter."""
    weights = np.array([0.30, 0.22, 0.16, 0.12, 0.10, 0.10])
    spreads = np.array([2_300.0, 2_000.0, 1_700.0, 1_400.0, 1_200.0, 1_200.0])
    inner = land.buffer(-150.0)
    shapely.prepare(inner)
    minx, miny, maxx, maxy = land.bounds
    accepted = np.empty((0, 2))
    while len(accepted) < _N_LSOA_POINTS:
        batch = 512
        town = rng.choice(_N_TOWNS, size=batch, p=weights)
        clustered = rng.random(batch) < 0.6
        xy = np.where(
            clustered[:, None],
            towns[town] + rng.normal(size=(batch, 2)) * spreads[town][:, None],
            np.column_stack([rng.uniform(minx, maxx, batch), rng.uniform(miny, maxy, batch)]),
        )
        xy = xy[shapely.contains_xy(inner, xy[:, 0], xy[:, 1])]
        for p in xy:
            if len(accepted) and np.min(np.hypot(*(accepted - p).T)) < 300.0:
                continue
            accepted = np.vstack([accepted, p])
            if len(accepted) == _N_LSOA_POINTS:
                break
    return accepted


def _adjacency(geoms: np.ndarray) -> list[set[int]]:
    """Neighbours sharing a boundary of more than 1 m, for each geometry."""
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    shared = shapely.length(shapely.intersection(geoms[left], geoms[right]))
    neighbours: list[set[int]] = [set() for _ in range(len(geoms))]
    for a, b in zip(left[shared > 1.0], right[shared > 1.0], strict=True):
        neighbours[a].add(int(b))
        neighbours[b].add(int(a))
    return neighbours


def _group_into_wards(
    rng: np.random.Generator, centroids: np.ndarray, neighbours: list[set[int]]
) -> np.ndarray:
    """Grow contiguous wards of three or four LSOAs; return each LSOA's ward number."""
    n = len(centroids)
    ward = np.full(n, -1)
    free_degree = np.array([len(near) for near in neighbours], dtype=float)
    sizes: list[int] = []

    def take(i: int, w: int) -> None:
        ward[i] = w
        free_degree[i] = np.inf
        for j in neighbours[i]:
            free_degree[j] -= 1

    while (ward < 0).any():
        # Start from the free LSOA with the fewest free neighbours (edges first).
        start = int(np.argmin(free_degree))
        target = int(rng.choice([3, 4]))
        members = [start]
        take(start, len(sizes))
        while len(members) < target:
            candidates = sorted({j for m in members for j in neighbours[m] if ward[j] < 0})
            if not candidates:
                break
            centre = centroids[members].mean(axis=0)
            dist = np.hypot(*(centroids[candidates] - centre).T)
            pick = candidates[int(np.argmin(dist))]
            take(pick, len(sizes))
            members.append(pick)
        sizes.append(len(members))
    # Fold single-LSOA wards into their smallest neighbouring ward.
    for w, size in enumerate(sizes):
        if size != 1:
            continue
        (lsoa,) = np.flatnonzero(ward == w)
        options = sorted({int(ward[j]) for j in neighbours[lsoa] if ward[j] != w})
        if options:
            best = min(options, key=lambda o: (sizes[o], o))
            ward[lsoa] = best
            sizes[best] += 1
            sizes[w] = 0
    _, renumbered = np.unique(ward, return_inverse=True)
    return renumbered


def _assign_las(rng: np.random.Generator, centroids: np.ndarray, city: np.ndarray) -> np.ndarray:
    """Local authority of each ward: a city around the main town, four wedges around it."""
    n = len(centroids)
    la = np.full(n, -1)
    dist = np.hypot(*(centroids - city).T)
    n_city = round(n * 0.2)
    la[np.argsort(dist, kind="stable")[:n_city]] = 0
    rest = np.flatnonzero(la < 0)
    offset = rng.uniform(0, 2 * np.pi)
    angle = (np.arctan2(*(centroids[rest] - city).T[::-1]) - offset) % (2 * np.pi)
    order = rest[np.argsort(angle, kind="stable")]
    for k, chunk in enumerate(np.array_split(order, 4)):
        la[chunk] = k + 1
    return la


def _multipolygon(geom: shapely.Geometry) -> shapely.MultiPolygon:
    parts = [g for g in shapely.get_parts(geom) if isinstance(g, shapely.Polygon) and g.area > 0]
    return shapely.MultiPolygon(parts)


def _sample_points(rng: np.random.Generator, polygon: shapely.Geometry, n: int) -> np.ndarray:
    """``n`` uniform random points inside ``polygon`` (rejection sampling)."""
    if n == 0:
        return np.empty((0, 2))
    shapely.prepare(polygon)
    minx, miny, maxx, maxy = polygon.bounds
    ratio = (maxx - minx) * (maxy - miny) / max(polygon.area, 1.0)
    out: list[np.ndarray] = []
    got = 0
    while got < n:
        k = max(16, int((n - got) * ratio * 1.3))
        xy = np.column_stack([rng.uniform(minx, maxx, k), rng.uniform(miny, maxy, k)])
        xy = xy[shapely.contains_xy(polygon, xy[:, 0], xy[:, 1])]
        out.append(xy)
        got += len(xy)
    return np.vstack(out)[:n]


# ---------------------------------------------------------------------------------------
# The region: geography, changes between LSOA vintages, codes and names.
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Geography:
    land: shapely.Polygon
    towns: np.ndarray
    lsoa_geom: np.ndarray  # 2021 LSOA polygons, generator order
    lsoa_ward: np.ndarray  # ward number (generator order) of each LSOA
    ward_geom: np.ndarray
    ward_la: np.ndarray
    ward_neighbours: list[set[int]]
    lsoa_neighbours: list[set[int]]


def _make_geography(rng: np.random.Generator) -> _Geography:
    land = _coastline(rng)
    towns = _towns(rng, land)
    points = _lsoa_points(rng, land, towns)
    cells = shapely.get_parts(
        shapely.voronoi_polygons(
            shapely.MultiPoint(points), extend_to=land.buffer(10_000.0), ordered=True
        )
    )
    lsoa_geom = np.array([_multipolygon(g) for g in shapely.intersection(cells, land)])
    lsoa_neighbours = _adjacency(lsoa_geom)
    centroids = shapely.get_coordinates(shapely.centroid(lsoa_geom))
    lsoa_ward = _group_into_wards(rng, centroids, lsoa_neighbours)
    n_wards = int(lsoa_ward.max()) + 1
    ward_geom = np.array(
        [_multipolygon(shapely.union_all(lsoa_geom[lsoa_ward == w])) for w in range(n_wards)]
    )
    ward_centroids = shapely.get_coordinates(shapely.centroid(ward_geom))
    ward_la = _assign_las(rng, ward_centroids, towns[0])
    ward_neighbours: list[set[int]] = [set() for _ in range(n_wards)]
    for i, near in enumerate(lsoa_neighbours):
        for j in near:
            if lsoa_ward[i] != lsoa_ward[j]:
                ward_neighbours[lsoa_ward[i]].add(int(lsoa_ward[j]))
    return _Geography(
        land, towns, lsoa_geom, lsoa_ward, ward_geom, ward_la, ward_neighbours, lsoa_neighbours
    )


@dataclass(frozen=True)
class _Plan:
    hotspot_clusters: list[list[int]]  # ward numbers (generator order), the core first
    hotspots: list[int]  # every ward of every cluster: what Gi* is expected to find
    cores: list[int]  # the core ward of each cluster
    fringe: list[int]  # wards bordering a cluster: somewhat raised rates, not hotspots
    isolated: list[int]  # single-ward violence hotspots (for the ranking, not for Gi*)
    drug_hotspots: list[int]
    emerging: list[int]  # the centre of each emerging area
    emerging_areas: list[list[int]]  # each emerging ward, then the ring that rises with it

    @property
    def violence_hotspots(self) -> list[int]:
        """Cluster and isolated violence hotspots together."""
        return sorted([*self.hotspots, *self.isolated])

    def hot_level(self, n_wards: int) -> np.ndarray:
        """How much of each category's hotspot multiplier each ward gets (0 to 1)."""
        level = np.zeros(n_wards)
        level[self.fringe] = _FRINGE_LEVEL
        level[self.hotspots] = _RING_LEVEL
        level[self.cores] = 1.0
        level[self.isolated] = 1.0
        return level


def _plan_hotspots(rng: np.random.Generator, geo: _Geography) -> _Plan:
    """Violence clusters (a core ward and its whole ring of neighbours) at the three
    biggest towns with their fringes, an isolated single-ward hotspot at the fourth,
    emerging areas (a ward and its ring) at the fifth and sixth, and drug hotspots on most
    of the violence hotspots. Planted places keep apart, so none is another's neighbour."""
    centroids = shapely.get_coordinates(shapely.centroid(geo.ward_geom))

    def by_distance(xy: np.ndarray) -> np.ndarray:
        return np.argsort(np.hypot(*(centroids - xy).T), kind="stable")

    def closed(w: int) -> set[int]:
        return {int(w)} | geo.ward_neighbours[w]

    taken: set[int] = set()  # planted wards and the fringes of the clusters
    clusters: list[list[int]] = []
    for t in range(_N_CLUSTERS):
        # Fringes never touch: at least one ordinary ward lies between two clusters.
        blocked = taken | _halo(geo, taken)
        core = next(
            int(w) for w in by_distance(geo.towns[t])
            if _RING_SIZES[0] <= len(geo.ward_neighbours[w]) <= _RING_SIZES[1]
            and not _halo(geo, closed(w)) & blocked
        )  # fmt: skip
        clusters.append([core, *sorted(geo.ward_neighbours[core])])
        taken |= closed(core) | _halo(geo, closed(core))
    hotspots = sorted(w for c in clusters for w in c)
    cores = [c[0] for c in clusters]
    fringe = sorted(_halo(geo, set(hotspots)) - set(hotspots))

    def single(t: int) -> int:
        blocked = taken | _halo(geo, taken)
        return next(int(w) for w in by_distance(geo.towns[t]) if not closed(w) & blocked)

    isolated = single(3)
    taken.add(isolated)
    emerging, emerging_areas = [], []
    for t in (4, 5):
        blocked = taken | _halo(geo, taken)
        centre = next(
            int(w) for w in by_distance(geo.towns[t])
            if _RING_SIZES[0] <= len(geo.ward_neighbours[w]) <= _RING_SIZES[1]
            and not closed(w) & blocked
        )  # fmt: skip
        emerging.append(centre)
        emerging_areas.append([centre, *sorted(geo.ward_neighbours[centre])])
        taken |= closed(centre)
    # Drug markets: every core, most of the rings, the isolated hotspot, and one ward just
    # outside the first cluster that has drugs but no violence hotspot.
    drug = {*cores, isolated}
    for cluster in clusters:
        ring = cluster[1:]
        drug |= {int(w) for w in rng.choice(ring, size=round(0.6 * len(ring)), replace=False)}
    drug.add(int(sorted(_halo(geo, set(clusters[0])) - set(hotspots))[0]))
    return _Plan(
        clusters, hotspots, cores, fringe, [isolated], sorted(drug), emerging, emerging_areas
    )


def _halo(geo: _Geography, wards: set[int]) -> set[int]:
    """Wards adjacent to any of ``wards``."""
    return set().union(*(geo.ward_neighbours[w] for w in wards)) if wards else set()


@dataclass(frozen=True)
class _Changes:
    split_pairs: list[tuple[int, int]]  # 2021 LSOA pairs that were one 2011 LSOA
    straddling: list[bool]  # whether each split pair spans two wards
    merged: list[int]  # 2021 LSOAs that were two 2011 LSOAs


def _plan_changes(rng: np.random.Generator, geo: _Geography, plan: _Plan) -> _Changes:
    """Splits (three across ward boundaries, three inside wards) and five merges."""
    avoid = set(plan.violence_hotspots) | set(plan.fringe) | set(plan.drug_hotspots)
    avoid |= {w for area in plan.emerging_areas for w in area}
    used: set[int] = set()
    pairs_across, pairs_within = [], []
    for a, near in enumerate(geo.lsoa_neighbours):
        for b in sorted(near):
            if b <= a:
                continue
            wa, wb = int(geo.lsoa_ward[a]), int(geo.lsoa_ward[b])
            if wa == wb:
                pairs_within.append((a, b))
            elif geo.ward_la[wa] == geo.ward_la[wb] and not {wa, wb} & avoid:
                pairs_across.append((a, b))
    split_pairs: list[tuple[int, int]] = []
    straddling: list[bool] = []
    for pool, want, across in ((pairs_across, 3, True), (pairs_within, 3, False)):
        order = rng.permutation(len(pool))
        got = 0
        for k in order:
            a, b = pool[k]
            if a in used or b in used:
                continue
            split_pairs.append((a, b))
            straddling.append(across)
            used |= {a, b}
            got += 1
            if got == want:
                break
    merged: list[int] = []
    for i in rng.permutation(len(geo.lsoa_geom)):
        if int(i) in used or geo.lsoa_geom[i].area < 400_000.0:
            continue
        merged.append(int(i))
        used.add(int(i))
        if len(merged) == 5:
            break
    return _Changes(split_pairs, straddling, sorted(merged))


def _ward_names(rng: np.random.Generator, n: int) -> list[str]:
    combos = [p + r for p in _WARD_PREFIXES for r in _WARD_ROOTS]
    names = [combos[i] for i in rng.permutation(len(combos))]
    if n > len(names):  # pragma: no cover - the pool has 320 names
        raise ValueError(f"only {len(names)} ward names for {n} wards")
    return names[:n]


def _code(prefix: str, number: int) -> str:
    return f"{prefix}{number:06d}"


# ---------------------------------------------------------------------------------------
# Deprivation and population.
# ---------------------------------------------------------------------------------------


def _latent_deprivation(
    rng: np.random.Generator,
    xy: np.ndarray,
    towns: np.ndarray,
    hotspot_xy: np.ndarray,
    hotspot_sd: np.ndarray,
) -> np.ndarray:
    """Spatially smooth deprivation field at ``xy`` (unstandardised), with a bump of
    standard deviation ``hotspot_sd`` metres around each point of ``hotspot_xy``."""
    value = np.zeros(len(xy))
    for t, (tx, ty) in enumerate(towns):
        d2 = (xy[:, 0] - tx) ** 2 + (xy[:, 1] - ty) ** 2
        value += (1.0 - 0.08 * t) * np.exp(-d2 / (2 * 2_500.0**2))
    for (hx, hy), sd in zip(hotspot_xy, hotspot_sd, strict=True):
        d2 = (xy[:, 0] - hx) ** 2 + (xy[:, 1] - hy) ** 2
        value += _HOTSPOT_DEPRIVATION * np.exp(-d2 / (2 * sd**2))
    for _ in range(10):
        wavelength = rng.uniform(6_000.0, 20_000.0)
        theta = rng.uniform(0, 2 * np.pi)
        k = 2 * np.pi / wavelength * np.array([np.cos(theta), np.sin(theta)])
        value += 0.12 * np.cos(xy @ k + rng.uniform(0, 2 * np.pi))
    return value


def _standardise(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / x.std()


def _wimd_frame(rng: np.random.Generator, codes: list[str], z: np.ndarray) -> pd.DataFrame:
    """WIMD-style ranks, deciles and scores from the latent deprivation ``z``."""
    n = len(codes)
    # (loading on z, score scale, score log-slope); Environment is on a linear scale.
    domains = {
        "Income": (0.95, 14.0, 0.45),
        "Employment": (0.92, 12.0, 0.42),
        "Health": (0.85, 11.0, 0.50),
        "Education": (0.85, 12.0, 0.55),
        "Housing": (0.45, 18.0, 0.35),
        "Access": (-0.35, 22.0, 0.40),
        "Environment": (0.30, 0.0, 0.0),
        "Crime": (0.80, 12.0, 0.50),
    }
    weights = {
        "Income": 0.22,
        "Employment": 0.22,
        "Health": 0.15,
        "Education": 0.14,
        "Access": 0.10,
        "Housing": 0.07,
        "Crime": 0.05,
        "Environment": 0.05,
    }
    scores: dict[str, np.ndarray] = {}
    imd = np.zeros(n)
    for name, (loading, scale, slope) in domains.items():
        zd = loading * z + math.sqrt(1 - loading**2) * rng.normal(size=n)
        imd += weights[name] * zd
        if name == "Environment":
            scores[name] = 0.7 + 0.6 * zd
        else:
            scores[name] = scale * np.exp(slope * zd)
    scores["IMD"] = 18.0 * np.exp(0.45 * _standardise(imd))
    frame: dict[str, object] = {"lsoa_code": codes}
    ranks: dict[str, np.ndarray] = {}
    for name in _WIMD_DOMAINS:
        order = np.lexsort((np.array(codes), -scores[name]))  # highest score = rank 1
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(1, n + 1)
        ranks[name] = rank
    for name in _WIMD_DOMAINS:
        frame[f"{name}_decile"] = (ranks[name] - 1) * 10 // n + 1
    for name in _WIMD_DOMAINS:
        frame[f"{name}_rank"] = ranks[name]
    for name in _WIMD_SCORE_ORDER:
        frame[f"{name}_score"] = [f"{v:.10g}" for v in scores[name]]
    return pd.DataFrame(frame, columns=list(WIMD_COLUMNS))


def _age_profile() -> np.ndarray:
    ages = np.arange(91, dtype=float)
    p = np.where(ages < 20, 1.15, 1.25)
    p = np.where(ages >= 35, 1.3, p)
    p = np.where(ages >= 60, 1.3 * np.exp(-(ages - 60) / 16.0), p)
    p[90] = 0.9
    return p / p.sum()


# ---------------------------------------------------------------------------------------
# Crime.
# ---------------------------------------------------------------------------------------


def _emerging_trend() -> np.ndarray:
    """Violence multiplier of an emerging ward in each month: a slow, steady rise from 1 in
    the first month to ``_EMERGING_MID`` at month ``_EMERGING_START``, then a faster one to
    ``_EMERGING_END`` in the last month."""
    m = np.arange(len(MONTHS), dtype=float)
    last = len(MONTHS) - 1
    slow = 1.0 + (_EMERGING_MID - 1.0) * np.minimum(m, _EMERGING_START) / _EMERGING_START
    fast = (_EMERGING_END - _EMERGING_MID) * np.clip(
        (m - _EMERGING_START) / (last - _EMERGING_START), 0.0, 1.0
    )
    return slow + fast


def _month_factors(cat: _Category) -> np.ndarray:
    months = np.array([int(m[5:]) for m in MONTHS])
    season = 1.0 + cat.season * np.cos(2 * np.pi * (months - 7) / 12.0)
    return season * np.where(months == 12, cat.december, 1.0)


def _hour_weights(night: bool, month: str) -> tuple[np.ndarray, np.ndarray]:
    """Every hour of ``month`` (datetime64[h]) and its weight for a time profile."""
    start = np.datetime64(month, "M")
    hours = np.arange(start.astype("datetime64[h]"), (start + 1).astype("datetime64[h]"))
    days = hours.astype("datetime64[D]").astype(np.int64)
    dow = (days + 3) % 7  # Monday = 0 (1970-01-01 was a Thursday)
    hour = (hours - hours.astype("datetime64[D]")).astype(np.int64)
    if night:
        w = _NIGHT_HOURS[hour].copy()
        friday_night = ((dow == 4) & (hour >= 20)) | ((dow == 5) & (hour <= 2))
        saturday_night = ((dow == 5) & (hour >= 20)) | ((dow == 6) & (hour <= 2))
        w[friday_night] *= 2.4
        w[saturday_night] *= 2.8
    else:
        w = _DAY_HOURS[hour] * np.where(dow == 5, 1.1, np.where(dow == 6, 0.85, 1.0))
    return hours, w / w.sum()


@dataclass(frozen=True)
class _Incidents:
    """The planted crimes, one row each (shared by the police.uk files and the extracts)."""

    lsoa: np.ndarray  # 2021 LSOA index (generator order)
    month: np.ndarray  # index into MONTHS
    category: np.ndarray  # index into _CATEGORIES
    true_xy: np.ndarray  # the force's own location (EPSG:27700)
    snap_xy: np.ndarray  # the police.uk anonymised map point
    snap_name: np.ndarray  # "On or near ..." of the map point


def _snap_points(
    rng: np.random.Generator, inner: np.ndarray
) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """police.uk-style anonymised map points in each LSOA, with names and popularity."""
    xy_all, names_all, weights_all = [], [], []
    labels = np.array([f"On or near {s}" for s in (*_STREETS, *_PLACES)])
    for poly in inner:
        k = int(min(40, 6 + round(poly.area / 250_000.0)))
        xy_all.append(_sample_points(rng, poly, k))
        names_all.append(labels[rng.integers(0, len(labels), size=k)])
        w = rng.lognormal(0.0, 0.8, size=k)
        weights_all.append(w / w.sum())
    return xy_all, names_all, weights_all


def _make_incidents(rng: np.random.Generator, lam: np.ndarray, inner: np.ndarray) -> _Incidents:
    counts = rng.poisson(lam)  # (lsoa, month, category)
    lsoa, month, category = np.nonzero(counts)
    reps = counts[lsoa, month, category]
    lsoa, month, category = (np.repeat(a, reps) for a in (lsoa, month, category))
    snaps_xy, snaps_name, snaps_w = _snap_points(rng, inner)
    n = len(lsoa)
    true_xy = np.empty((n, 2))
    snap_idx = np.empty(n, dtype=np.int64)
    order = np.argsort(lsoa, kind="stable")
    bounds = np.searchsorted(lsoa[order], np.arange(len(inner) + 1))
    for i in range(len(inner)):
        rows = order[bounds[i] : bounds[i + 1]]
        if not len(rows):
            continue
        asb = category[rows] == _ASB
        pts = _sample_points(rng, inner[i], int((~asb).sum()))
        d2 = ((pts[:, None, :] - snaps_xy[i][None, :, :]) ** 2).sum(axis=2)
        snap_idx[rows[~asb]] = np.argmin(d2, axis=1)
        snap_idx[rows[asb]] = rng.choice(len(snaps_w[i]), size=int(asb.sum()), p=snaps_w[i])
        true_xy[rows[~asb]] = pts
        true_xy[rows[asb]] = snaps_xy[i][snap_idx[rows[asb]]]
    snap_xy = np.empty((n, 2))
    snap_name = np.empty(n, dtype=object)
    for i in range(len(inner)):
        rows = order[bounds[i] : bounds[i + 1]]
        snap_xy[rows] = snaps_xy[i][snap_idx[rows]]
        snap_name[rows] = snaps_name[i][snap_idx[rows]]
    return _Incidents(lsoa, month, category, true_xy, snap_xy, snap_name.astype(str))


@functools.cache
def _to_lonlat() -> Transformer:
    return Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def _lonlat(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = _to_lonlat().transform(xy[:, 0], xy[:, 1])
    return np.asarray(lon), np.asarray(lat)


def _sample_offshore(
    rng: np.random.Generator, land: shapely.Geometry, n: int, lo: float, hi: float, *, west: bool
) -> np.ndarray:
    """``n`` points at sea between ``lo`` and ``hi`` metres from ``land``."""
    minx, miny, maxx, maxy = land.buffer(hi).bounds
    if west:
        maxx = CENTRE[0] - _SEMI_AXES[0] * 0.5
    out = np.empty((0, 2))
    while len(out) < n:
        xy = np.column_stack([rng.uniform(minx, maxx, 1024), rng.uniform(miny, maxy, 1024)])
        d = shapely.distance(land, shapely.points(xy))
        out = np.vstack([out, xy[(d >= lo) & (d <= hi)]])
    return out[:n]


# ---------------------------------------------------------------------------------------
# The whole region.
# ---------------------------------------------------------------------------------------


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
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer, not {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"seed must be 0 or more, not {seed}")
    seed = int(seed)
    rng_geo, rng_names, rng_dep, rng_pop, rng_rate, rng_crime, rng_files = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(7)
    )

    geo = _make_geography(rng_geo)
    plan = _plan_hotspots(rng_geo, geo)
    changes = _plan_changes(rng_geo, geo, plan)

    # --- Ward and LA codes: LA order, then north to south within each LA. -------------
    n_wards = len(geo.ward_geom)
    ward_xy = shapely.get_coordinates(shapely.centroid(geo.ward_geom))
    ward_order = np.lexsort((ward_xy[:, 0], -ward_xy[:, 1], geo.ward_la))
    ward_rank = np.empty(n_wards, dtype=np.int64)
    ward_rank[ward_order] = np.arange(n_wards)
    ward_codes = np.array([_code("X05", int(r) + 1) for r in ward_rank])
    ward_names = np.array(_ward_names(rng_names, n_wards))[ward_rank]
    la_codes = [_code("X06", k + 1) for k in range(len(_LAS))]
    ward_msoa = np.zeros(n_wards, dtype=np.int64)  # MSOA-style number within the LA
    for la in range(len(_LAS)):
        in_la = ward_order[geo.ward_la[ward_order] == la]
        ward_msoa[in_la] = np.arange(1, len(in_la) + 1)

    # --- LSOA vintages. -------------------------------------------------------------
    n21 = len(geo.lsoa_geom)
    lsoa_xy = shapely.get_coordinates(shapely.centroid(geo.lsoa_geom))
    split_of = {a: k for k, pair in enumerate(changes.split_pairs) for a in pair}
    merged = set(changes.merged)
    # 2011 units: ("U", i), ("S", k) for split pair k, ("M", i, half).
    units: list[tuple] = []
    for i in range(n21):
        if i in split_of:
            k = split_of[i]
            if changes.split_pairs[k][0] == i:
                units.append(("S", k))
        elif i in merged:
            units.extend([("M", i, 0), ("M", i, 1)])
        else:
            units.append(("U", i))

    def unit_first_lsoa(u: tuple) -> int:
        return changes.split_pairs[u[1]][0] if u[0] == "S" else u[1]

    def unit_key(u: tuple) -> tuple:
        i = unit_first_lsoa(u)
        w = geo.lsoa_ward[i]
        half = u[2] if u[0] == "M" else 0
        return (ward_rank[w], -lsoa_xy[i, 1], lsoa_xy[i, 0], half)

    units.sort(key=unit_key)
    n11 = len(units)
    lsoa11_codes = [_code("X01", k + 1) for k in range(n11)]
    letters_used = np.zeros(n_wards, dtype=np.int64)

    def next_name(ward: int) -> tuple[str, str]:
        la = geo.ward_la[ward]
        suffix = f"{ward_msoa[ward]:03d}{chr(ord('A') + letters_used[ward])}"
        letters_used[ward] += 1
        return f"{_LAS[la][0]} {suffix}", f"{_LAS[la][1]} {suffix}"

    lsoa11_names: list[str] = []
    for u in units:
        lsoa11_names.append(next_name(int(geo.lsoa_ward[unit_first_lsoa(u)]))[0])
    lsoa21_code = np.empty(n21, dtype=object)
    lsoa21_name = np.empty(n21, dtype=object)
    lsoa21_name_w = np.empty(n21, dtype=object)
    unit_of_u: dict[int, int] = {u[1]: k for k, u in enumerate(units) if u[0] == "U"}
    for i, k in unit_of_u.items():
        lsoa21_code[i] = lsoa11_codes[k]
        suffix = lsoa11_names[k].rsplit(" ", 1)[1]
        la = geo.ward_la[geo.lsoa_ward[i]]
        lsoa21_name[i] = lsoa11_names[k]
        lsoa21_name_w[i] = f"{_LAS[la][1]} {suffix}"
    new_lsoas = sorted(
        set(range(n21)) - set(unit_of_u), key=lambda i: (ward_rank[geo.lsoa_ward[i]], i)
    )
    for k, i in enumerate(new_lsoas):
        lsoa21_code[i] = _code("X01", n11 + k + 1)
        lsoa21_name[i], lsoa21_name_w[i] = next_name(int(geo.lsoa_ward[i]))

    # --- Population (2021 LSOAs carry the truth; 2011 LSOAs are derived). -------------
    pop21 = np.clip(np.round(rng_pop.normal(1_500.0, 260.0, size=n21)), 1_000, 2_600).astype(
        np.int64
    )
    merge_share = {i: float(rng_pop.uniform(0.4, 0.6)) for i in changes.merged}
    pop11 = np.empty(n11, dtype=np.int64)
    for k, u in enumerate(units):
        if u[0] == "U":
            pop11[k] = pop21[u[1]]
        elif u[0] == "S":
            a, b = changes.split_pairs[u[1]]
            pop11[k] = pop21[a] + pop21[b]
        else:
            first = round(pop21[u[1]] * merge_share[u[1]])
            pop11[k] = first if u[2] == 0 else pop21[u[1]] - first
    ages = rng_pop.multinomial(pop11, _age_profile())
    population = pd.DataFrame(ages, columns=list(POPULATION_COLUMNS[3:]))
    population.insert(0, "total_population", pop11)
    population.insert(0, "lsoa11_code", lsoa11_codes)
    population.insert(0, "lsoa11_name", lsoa11_names)

    # --- Deprivation. -----------------------------------------------------------------
    # One bump per hotspot area (a cluster's centre, or the isolated ward), as wide as it.
    areas = [*plan.hotspot_clusters, *([w] for w in plan.isolated)]
    hotspot_xy = np.array([ward_xy[a].mean(axis=0) for a in areas])
    hotspot_sd = np.array(
        [
            max(1_000.0, float(np.hypot(*(ward_xy[a] - ward_xy[a].mean(axis=0)).T).max()))
            for a in areas
        ]
    )
    z21 = _standardise(
        _latent_deprivation(rng_dep, lsoa_xy, geo.towns, hotspot_xy, hotspot_sd)
        + rng_dep.normal(0.0, 0.12, size=n21)
    )
    z11 = np.empty(n11)
    for k, u in enumerate(units):
        if u[0] == "U":
            z11[k] = z21[u[1]]
        elif u[0] == "S":
            z11[k] = z21[list(changes.split_pairs[u[1]])].mean()
        else:
            z11[k] = z21[u[1]] + rng_dep.normal(0.0, 0.1)
    deprivation = _wimd_frame(rng_dep, lsoa11_codes, z11)

    # --- Rates. -------------------------------------------------------------------------
    n_months, n_cat = len(MONTHS), len(_CATEGORIES)
    hot_level = plan.hot_level(n_wards)
    hot = np.zeros(n_wards, dtype=bool)
    hot[plan.violence_hotspots] = True
    drug_hot = np.zeros(n_wards, dtype=bool)
    drug_hot[plan.drug_hotspots] = True
    emerging_level = np.zeros(n_wards)
    for area in plan.emerging_areas:
        emerging_level[area[1:]] = _EMERGING_RING_LEVEL
    emerging_level[plan.emerging] = 1.0
    emerging = emerging_level > 0
    lsoa_level = hot_level[geo.lsoa_ward]
    lsoa_drug = drug_hot[geo.lsoa_ward]
    lsoa_emerging = emerging_level[geo.lsoa_ward]
    trend = _emerging_trend()
    # A ward-level random effect: places differ in ways deprivation does not explain.
    ward_effect = np.exp(rng_rate.normal(0.0, _WARD_EFFECT_SD, size=n_wards))
    # What was planted is set, not left to chance: no random effect there, and the
    # violence hotspots and emerging areas all share the hotspots' mean deprivation, so
    # that every cluster is equally strong and flat inside (its core a little above its
    # ring) and both emerging areas rise alike. Fringe wards keep their own deprivation.
    fringe = np.zeros(n_wards, dtype=bool)
    fringe[plan.fringe] = True
    ward_effect[hot | drug_hot | emerging | fringe] = 1.0
    ward_effect = ward_effect[geo.lsoa_ward]
    in_hotspot = hot[geo.lsoa_ward]
    z_rate = z21.copy()
    z_rate[in_hotspot | (lsoa_emerging > 0)] = np.average(
        z21[in_hotspot], weights=pop21[in_hotspot]
    )
    lam = np.empty((n21, n_months, n_cat))
    for c, cat in enumerate(_CATEGORIES):
        per_month = pop21 / 1_000.0 * cat.base_rate * _RATE_SCALE / 12.0
        spatial = per_month * np.exp(cat.beta * z_rate) * ward_effect
        spatial = spatial * (1.0 + (cat.hotspot - 1.0) * lsoa_level)
        spatial = spatial * np.where(lsoa_drug, cat.drug_hotspot, 1.0)
        rate = spatial[:, None] * _month_factors(cat)[None, :]
        if cat.emerging:
            rate = rate * (1.0 + (trend[None, :] - 1.0) * lsoa_emerging[:, None])
        lam[:, :, c] = rate

    shrunk = shapely.buffer(geo.lsoa_geom, -15.0)
    inner = np.where(shapely.is_empty(shrunk), geo.lsoa_geom, shrunk)
    incidents = _make_incidents(rng_crime, lam, inner)

    # --- Frames: boundaries and lookups. -----------------------------------------------
    ward_ids = np.argsort(ward_rank)  # generator ward number in code order
    wards = gpd.GeoDataFrame(
        {
            "ward22_code": ward_codes[ward_ids],
            "ward22_name": ward_names[ward_ids],
            "lad22_code": [la_codes[geo.ward_la[w]] for w in ward_ids],
            "lad22_name": [_LAS[geo.ward_la[w]][0] for w in ward_ids],
            "lad_source": f"{DEMO_MARK} (hotspots.demo.synth, seed {seed})",
        },
        geometry=list(geo.ward_geom[ward_ids]),
        crs="EPSG:27700",
    )
    lsoa_ids = np.argsort(lsoa21_code.astype(str), kind="stable")
    lsoa_ward_code = ward_codes[geo.lsoa_ward]
    lsoa_la = geo.ward_la[geo.lsoa_ward]
    lsoa21 = gpd.GeoDataFrame(
        {
            "lsoa21_code": lsoa21_code[lsoa_ids].astype(str),
            "lsoa21_name": lsoa21_name[lsoa_ids].astype(str),
            "ward_code": lsoa_ward_code[lsoa_ids],
            "lad_code": [la_codes[la] for la in lsoa_la[lsoa_ids]],
            "population": pop21[lsoa_ids],
            "deprivation": np.round(z21[lsoa_ids], 6),
        },
        geometry=list(geo.lsoa_geom[lsoa_ids]),
        crs="EPSG:27700",
    )
    lsoa21_to_ward = pd.DataFrame(
        {
            "LSOA21CD": lsoa21_code[lsoa_ids].astype(str),
            "LSOA21NM": lsoa21_name[lsoa_ids].astype(str),
            "LSOA21NMW": lsoa21_name_w[lsoa_ids].astype(str),
            "WD22CD": lsoa_ward_code[lsoa_ids],
            "WD22NM": ward_names[geo.lsoa_ward][lsoa_ids],
            "WD22NMW": ward_names[geo.lsoa_ward][lsoa_ids],
            "LAD22CD": [la_codes[la] for la in lsoa_la[lsoa_ids]],
            "LAD22NM": [_LAS[la][0] for la in lsoa_la[lsoa_ids]],
            "LAD22NMW": [_LAS[la][1] for la in lsoa_la[lsoa_ids]],
            "ObjectId": np.arange(1, n21 + 1),
        },
        columns=list(WARD_LOOKUP_COLUMNS),
    )
    lookup_rows = []
    for k, u in enumerate(units):
        if u[0] == "U":
            targets, change = [u[1]], "U"
        elif u[0] == "S":
            targets, change = list(changes.split_pairs[u[1]]), "S"
        else:
            targets, change = [u[1]], "M"
        for i in targets:
            la = lsoa_la[i]
            lookup_rows.append(
                (lsoa11_codes[k], lsoa11_names[k], change, lsoa21_code[i], lsoa21_name[i],
                 la_codes[la], _LAS[la][0])
            )  # fmt: skip
    lsoa11_to_lsoa21 = pd.DataFrame(lookup_rows, columns=list(LSOA11_LOOKUP_COLUMNS))
    lsoa11_to_lsoa21 = lsoa11_to_lsoa21.sort_values(
        ["lsoa11_code", "lsoa21_code"], kind="stable", ignore_index=True
    )
    pfa_codes = [_code("X15", f + 1) for f in range(len(_FORCES))]
    lad_to_csp_to_pfa = pd.DataFrame(
        [
            (la_codes[la], _LAS[la][0], _code("X14", la + 1), _LAS[la][0],
             pfa_codes[_LA_FORCE[la]], _FORCES[_LA_FORCE[la]][0])
            for la in range(len(_LAS))
        ],
        columns=list(LAD_LOOKUP_COLUMNS),
    )  # fmt: skip

    # --- 2011 code of each incident (for the police.uk months before 2024). ------------
    lsoa_to_unit = np.empty(n21, dtype=np.int64)
    merged_units: dict[int, list[int]] = {}
    for k, u in enumerate(units):
        if u[0] == "U":
            lsoa_to_unit[u[1]] = k
        elif u[0] == "S":
            for i in changes.split_pairs[u[1]]:
                lsoa_to_unit[i] = k
        else:
            lsoa_to_unit[u[1]] = k
            merged_units.setdefault(u[1], [k, k])[u[2]] = k
    unit_idx = lsoa_to_unit[incidents.lsoa]
    for i, (k0, k1) in merged_units.items():
        rows = incidents.lsoa == i
        east = incidents.snap_xy[:, 0] >= lsoa_xy[i, 0]  # halves split at the centroid
        unit_idx = np.where(rows, np.where(east, k1, k0), unit_idx)
    lsoa_force = np.array([_LA_FORCE[la] for la in lsoa_la])

    police_uk, pu_bad, offshore_rows = _police_uk_frames(
        rng_files, geo, incidents, lsoa_force, lsoa21_code, lsoa21_name,
        np.array(lsoa11_codes)[unit_idx], np.array(lsoa11_names)[unit_idx], ward_codes,
    )  # fmt: skip
    force_extracts, fe_bad, fe_offshore = _force_extract_frames(
        rng_files, geo, incidents, lsoa_force, lsoa21_code, ward_codes
    )
    offshore_rows.extend(fe_offshore)

    # --- Planted truth. ----------------------------------------------------------------
    truth = _truth(
        seed=seed,
        geo=geo,
        plan=plan,
        changes=changes,
        ward_codes=ward_codes,
        ward_names=ward_names,
        la_codes=la_codes,
        pfa_codes=pfa_codes,
        lsoa21_code=lsoa21_code,
        units=units,
        lsoa11_codes=lsoa11_codes,
        pop21=pop21,
        lam=lam,
        incidents=incidents,
        police_uk=police_uk,
        force_extracts=force_extracts,
        bad_rows={"police_uk": pu_bad, "force_extract": fe_bad},
        offshore_rows=offshore_rows,
        n11=n11,
    )
    return DemoRegion(
        seed=seed,
        wards=wards,
        lsoa21=lsoa21,
        lsoa11_to_lsoa21=lsoa11_to_lsoa21,
        lsoa21_to_ward=lsoa21_to_ward,
        lad_to_csp_to_pfa=lad_to_csp_to_pfa,
        deprivation=deprivation,
        population=population,
        police_uk=police_uk,
        force_extracts=force_extracts,
        truth=truth,
    )


_BAD_KINDS = ("no_location", "outside_area_lsoa", "offshore_near", "offshore_far", "duplicate")


def _outside_points(rng: np.random.Generator, n: int) -> np.ndarray:
    """Points for rows over the "border": far out in the open sea to the north-west."""
    return np.column_stack(
        [rng.uniform(145_000.0, 155_000.0, n), rng.uniform(295_000.0, 305_000.0, n)]
    )


def _outside_codes(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """English-style LSOA codes and names that no real LSOA has (``E01099001``...)."""
    numbers = rng.integers(1, 400, size=n)
    codes = np.array([f"E01099{k:03d}" for k in numbers], dtype=object)
    names = np.array(
        [f"Borderland {1 + k // 4:03d}{chr(ord('A') + k % 4)}" for k in numbers], dtype=object
    )
    return codes, names


def _pick_outcomes(rng: np.random.Generator, table: tuple, n: int) -> np.ndarray:
    labels = np.array([t[0] for t in table], dtype=object)
    p = np.array([t[1] for t in table])
    return labels[rng.choice(len(labels), size=n, p=p / p.sum())]


def _hex_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` police.uk-style crime identifiers (64 hexadecimal characters)."""
    text = rng.bytes(32 * n).hex()
    return np.array([text[64 * i : 64 * (i + 1)] for i in range(n)], dtype=object)


def _fixed(values: np.ndarray, decimals: int) -> np.ndarray:
    """Floats as text with a fixed number of decimals (like ``format(v, ".6f")``).

    Values that are not finite become empty strings.
    """
    values = np.asarray(values, dtype=float)
    finite = np.isfinite(values)
    scale = 10**decimals
    v = np.round(np.where(finite, values, 0.0) * scale).astype(np.int64)
    a = np.abs(v)
    text = (a // scale).astype(str)
    if decimals:
        frac = np.strings.zfill((a % scale).astype(str), decimals)
        text = np.strings.add(np.strings.add(text, "."), frac)
    text = np.where(v < 0, np.strings.add("-", text), text).astype(object)
    text[~finite] = ""
    return text


def _blank(n: int) -> np.ndarray:
    return np.full(n, "", dtype=object)


def _police_uk_frames(
    rng: np.random.Generator,
    geo: _Geography,
    inc: _Incidents,
    lsoa_force: np.ndarray,
    lsoa21_code: np.ndarray,
    lsoa21_name: np.ndarray,
    code11: np.ndarray,
    name11: np.ndarray,
    ward_codes: np.ndarray,
) -> tuple[dict[str, pd.DataFrame], dict[str, dict[str, int]], list[dict]]:
    """police.uk street files (one per month and force), with their bad rows."""
    n_files = len(MONTHS) * len(_FORCES)
    n = len(inc.lsoa)
    cat_names = np.array([c.name for c in _CATEGORIES], dtype=object)
    lon, lat = _lonlat(inc.snap_xy)
    use21 = np.array([m >= FIRST_LSOA21_MONTH for m in MONTHS])[inc.month]
    cols: dict[str, list[np.ndarray]] = {
        "file": [inc.month * len(_FORCES) + lsoa_force[inc.lsoa]],
        "Longitude": [_fixed(lon, 6)],
        "Latitude": [_fixed(lat, 6)],
        "Location": [inc.snap_name.astype(object)],
        "LSOA code": [np.where(use21, lsoa21_code[inc.lsoa], code11)],
        "LSOA name": [np.where(use21, lsoa21_name[inc.lsoa], name11)],
        "Crime type": [cat_names[inc.category]],
        "kind": [_blank(n)],
        "x": [np.full(n, np.nan)],
        "y": [np.full(n, np.nan)],
    }
    # How many bad rows of each kind go into each file.
    sizes = np.bincount(cols["file"][0], minlength=n_files)
    per_file = {
        "no_location": np.round(sizes * 0.012).astype(np.int64) + rng.integers(0, 3, n_files),
        "outside_area_lsoa": rng.integers(0, 4, n_files),
        "offshore_near": rng.integers(0, 3, n_files),
        "offshore_far": rng.integers(0, 2, n_files),
        "duplicate": np.isin(np.arange(n_files), rng.choice(n_files, 3, replace=False)),
    }
    land = shapely.union_all(geo.ward_geom)
    for kind in ("no_location", "outside_area_lsoa", "offshore_near", "offshore_far"):
        file_idx = np.repeat(np.arange(n_files), per_file[kind])
        k = len(file_idx)
        first_type = 0 if kind == "no_location" else 1  # only located rows avoid ASB
        xy = np.full((k, 2), np.nan)
        codes, names = _blank(k), _blank(k)
        location = np.full(k, "No Location", dtype=object)
        if kind == "outside_area_lsoa":
            xy = _outside_points(rng, k)
            codes, names = _outside_codes(rng, k)
            location = np.full(k, "On or near Border Road", dtype=object)
        elif kind.startswith("offshore"):
            lo, hi = _NEAR_COAST_M if kind == "offshore_near" else _FAR_SEA_M
            xy = _sample_offshore(rng, land, k, lo, hi, west=kind == "offshore_far")
            location = np.full(k, "On or near Pier", dtype=object)
        x_lon, x_lat = _lonlat(xy) if kind != "no_location" else (None, None)
        cols["file"].append(file_idx)
        cols["Longitude"].append(_blank(k) if x_lon is None else _fixed(x_lon, 6))
        cols["Latitude"].append(_blank(k) if x_lat is None else _fixed(x_lat, 6))
        cols["Location"].append(location)
        cols["LSOA code"].append(codes)
        cols["LSOA name"].append(names)
        cols["Crime type"].append(cat_names[rng.integers(first_type, len(_CATEGORIES), k)])
        cols["kind"].append(np.full(k, kind, dtype=object))
        cols["x"].append(xy[:, 0])
        cols["y"].append(xy[:, 1])
    data = {name: np.concatenate(parts) for name, parts in cols.items()}
    total = len(data["file"])
    # Outcomes: none for anti-social behaviour; drug offences have their own mix.
    outcome = _pick_outcomes(rng, _OUTCOMES, total)
    drugs = data["Crime type"] == "Drugs"
    outcome[drugs] = _pick_outcomes(rng, _DRUG_OUTCOMES, int(drugs.sum()))
    asb = data["Crime type"] == _CATEGORIES[_ASB].name
    outcome[asb] = ""
    data["Last outcome category"] = outcome
    # Order as police.uk files are: by LSOA code (no location last), then crime type.
    code_key = np.where(data["LSOA code"] == "", "~", data["LSOA code"]).astype(str)
    order = np.lexsort((np.arange(total), data["Crime type"].astype(str), code_key, data["file"]))
    data = {name: values[order] for name, values in data.items()}
    asb = asb[order]
    ids = _blank(total)
    ids[~asb] = _hex_ids(rng, int((~asb).sum()))
    data["Crime ID"] = ids
    bounds = np.searchsorted(data["file"], np.arange(n_files + 1))
    force_names = [f"{f[0]} Police" for f in _FORCES]
    frames: dict[str, pd.DataFrame] = {}
    bad: dict[str, dict[str, int]] = {}
    offshore: list[dict] = []
    for file in range(n_files):
        m, f = divmod(file, len(_FORCES))
        path = _police_uk_path(m, f)
        rows = np.arange(bounds[file], bounds[file + 1])
        bad[path] = {kind: int(per_file[kind][file]) for kind in _BAD_KINDS}
        if per_file["duplicate"][file]:
            planted = rows[(data["kind"][rows] == "") & (data["Crime ID"][rows] != "")]
            j = int(rng.choice(planted))
            rows = np.insert(rows, np.searchsorted(rows, j), j)
        frame = {
            "Crime ID": data["Crime ID"][rows],
            "Month": np.full(len(rows), MONTHS[m], dtype=object),
            "Reported by": np.full(len(rows), force_names[f], dtype=object),
            "Falls within": np.full(len(rows), force_names[f], dtype=object),
            **{c: data[c][rows] for c in POLICE_UK_COLUMNS[4:11]},
            "Context": np.full(len(rows), DEMO_MARK, dtype=object),
        }
        frames[path] = pd.DataFrame(frame, columns=list(POLICE_UK_COLUMNS), dtype=object)
        for j in rows[np.isin(data["kind"][rows], ["offshore_near", "offshore_far"])]:
            offshore.append(
                _offshore_record(
                    "police_uk", path, data["Crime ID"][j], data["kind"][j],
                    (data["x"][j], data["y"][j]), geo, ward_codes,
                )
            )  # fmt: skip
    return frames, bad, offshore


def _offshore_record(
    fmt: str,
    path: str,
    row_id: str,
    kind: str,
    xy: tuple[float, float],
    geo: _Geography,
    ward_codes: np.ndarray,
) -> dict:
    point = shapely.Point(xy)
    dist = shapely.distance(geo.ward_geom, point)
    nearest = int(np.argmin(dist))
    return {
        "format": fmt,
        "file": path,
        "id": str(row_id),
        "kind": str(kind),
        "easting": round(float(xy[0]), 1),
        "northing": round(float(xy[1]), 1),
        "distance_m": round(float(dist[nearest]), 1),
        "nearest_ward": str(ward_codes[nearest]),
    }


def _police_uk_path(month: int, force: int) -> str:
    m = MONTHS[month]
    return f"{POLICE_UK_DIR}/{m}/{m}-{_FORCES[force][1]}-street.csv"


def _force_extract_path(force: int) -> str:
    return (
        f"{FORCE_EXTRACT_DIR}/synthetic_demo_{_FORCES[force][1]}_force_extract_"
        f"{MONTHS[0]}_{MONTHS[-1]}.csv"
    )


def _offence_codes(rng: np.random.Generator, cat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A Home Office offence code and description for each crime of category ``cat``."""
    ho = _blank(len(cat))
    desc = _blank(len(cat))
    for c, category in enumerate(_CATEGORIES):
        rows = np.flatnonzero(cat == c)
        if c == _ASB or not len(rows):
            continue
        table = _HO_CODES[category.name]
        p = np.array([t[2] for t in table])
        pick = rng.choice(len(table), size=len(rows), p=p / p.sum())
        ho[rows] = np.array([t[0] for t in table], dtype=object)[pick]
        desc[rows] = np.array([t[1] for t in table], dtype=object)[pick]
    return ho, desc


def _recorded_times(rng: np.random.Generator, cat: np.ndarray, month: np.ndarray) -> np.ndarray:
    """A recorded time (datetime64[m]) for each crime, with a night-time weekend skew."""
    when = np.empty(len(cat), dtype="datetime64[m]")
    is_night = np.array([c.night for c in _CATEGORIES])[cat]
    for m, month_name in enumerate(MONTHS):
        for night in (True, False):
            rows = np.flatnonzero((month == m) & (is_night == night))
            if not len(rows):
                continue
            hours, p = _hour_weights(night, month_name)
            pick = hours[rng.choice(len(hours), size=len(rows), p=p)]
            minutes = rng.integers(0, 60, size=len(rows)).astype("timedelta64[m]")
            when[rows] = pick.astype("datetime64[m]") + minutes
    return when


def _force_extract_frames(
    rng: np.random.Generator,
    geo: _Geography,
    inc: _Incidents,
    lsoa_force: np.ndarray,
    lsoa21_code: np.ndarray,
    ward_codes: np.ndarray,
) -> tuple[dict[str, pd.DataFrame], dict[str, dict[str, int]], list[dict]]:
    """One extract per force: every planted crime (no anti-social behaviour), all months."""
    keep = inc.category != _ASB
    cat, month, lsoa, xy = inc.category[keep], inc.month[keep], inc.lsoa[keep], inc.true_xy[keep]
    n = len(cat)
    ho, desc = _offence_codes(rng, cat)
    when = _recorded_times(rng, cat, month)
    hour = (when - when.astype("datetime64[D]")).astype("timedelta64[h]").astype(np.int64)
    late = (hour >= 21) | (hour <= 3)
    # Flags and victims.
    cat_name = np.array([c.name for c in _CATEGORIES], dtype=object)[cat]
    violent = cat_name == "Violence and sexual offences"
    u = rng.random((6, n))
    domestic = u[0] < np.select(
        [violent, cat_name == "Criminal damage and arson"], [0.33, 0.15], 0.02
    )
    alcohol = u[1] < np.where(
        violent | (cat_name == "Public order"), np.where(late, 0.5, 0.15), 0.02
    )
    drugs_flag = (cat_name == "Drugs") | (u[2] < np.where(cat_name == "Robbery", 0.10, 0.04))
    knife_p = np.select(
        [ho == "10D", np.isin(ho, ["1", "2", "4.1"]), ho == "5D", cat_name == "Robbery",
         np.isin(ho, ["8N", "3B"])],
        [1.0, 0.4, 0.25, 0.15, 0.05],
        0.0,
    )  # fmt: skip
    knife = u[3] < knife_p
    victim = np.array([c.victim for c in _CATEGORIES])[cat]
    band = np.array(_AGE_BANDS, dtype=object)[
        rng.choice(len(_AGE_BANDS), size=n, p=np.array(_AGE_BAND_P) / sum(_AGE_BAND_P))
    ]
    band = np.where(np.isin(ho, list(_CHILD_VICTIM)), "0-17", band)
    band = np.where(victim, band, "")
    sex = np.where(u[4] < 0.47, "F", np.where(u[4] < 0.95, "M", "U")).astype(object)
    sex = np.where(np.isin(ho, list(_FEMALE_VICTIM)), "F", sex)
    sex = np.where(np.isin(ho, list(_MALE_VICTIM)), "M", sex)
    sex = np.where(victim, sex, "U")
    # Location: lat/lon for ~55% of rows, easting/northing for ~42%, LSOA only for ~3%.
    mode = np.where(u[5] < 0.55, 0, np.where(u[5] < 0.97, 1, 2))
    yn = np.array(["N", "Y"], dtype=object)
    cols: dict[str, list[np.ndarray]] = {
        "force": [lsoa_force[lsoa]],
        "when": [when],
        "ho_code": [ho],
        "offence_description": [desc],
        "mode": [mode],
        "x": [xy[:, 0]],
        "y": [xy[:, 1]],
        "lsoa_code": [np.where(mode == 2, lsoa21_code[lsoa], "")],
        "domestic_flag": [yn[domestic.astype(int)]],
        "alcohol_flag": [yn[alcohol.astype(int)]],
        "drugs_flag": [yn[drugs_flag.astype(int)]],
        "knife_flag": [yn[knife.astype(int)]],
        "victim_age_band": [band],
        "victim_sex": [sex.astype(object)],
        "kind": [_blank(n)],
    }
    # Bad rows.
    n_forces = len(_FORCES)
    sizes = np.bincount(lsoa_force[lsoa], minlength=n_forces)
    per_force = {
        "no_location": np.round(sizes * 0.004).astype(np.int64) + rng.integers(0, 5, n_forces),
        "outside_area_lsoa": rng.integers(6, 12, n_forces),
        "offshore_near": rng.integers(4, 8, n_forces),
        "offshore_far": rng.integers(3, 6, n_forces),
        "duplicate": np.full(n_forces, 2),
    }
    land = shapely.union_all(geo.ward_geom)
    codes_flat = [t for c in _CATEGORIES if c.name in _HO_CODES for t in _HO_CODES[c.name]]
    start = np.datetime64(MONTHS[0], "M")
    n_minutes = int(((start + len(MONTHS)) - start).astype("timedelta64[m]").astype(np.int64))
    for kind in ("no_location", "outside_area_lsoa", "offshore_near", "offshore_far"):
        force = np.repeat(np.arange(n_forces), per_force[kind])
        k = len(force)
        pick = rng.integers(0, len(codes_flat), size=k)
        minutes = rng.integers(0, n_minutes, size=k).astype("timedelta64[m]")
        sea = np.full((k, 2), np.nan)
        codes = _blank(k)
        row_mode = np.full(k, 3)  # 3 = no location at all
        if kind == "outside_area_lsoa":
            codes = _outside_codes(rng, k)[0]
            row_mode = np.full(k, 2)
        elif kind.startswith("offshore"):
            lo, hi = _NEAR_COAST_M if kind == "offshore_near" else _FAR_SEA_M
            sea = _sample_offshore(rng, land, k, lo, hi, west=kind == "offshore_far")
            row_mode = np.arange(k) % 2  # alternately lat/lon and easting/northing
        extra = {
            "force": force,
            "when": start.astype("datetime64[m]") + minutes,
            "ho_code": np.array([codes_flat[p][0] for p in pick], dtype=object),
            "offence_description": np.array([codes_flat[p][1] for p in pick], dtype=object),
            "mode": row_mode,
            "x": sea[:, 0],
            "y": sea[:, 1],
            "lsoa_code": codes,
            **{flag: np.full(k, "N", dtype=object) for flag in FORCE_EXTRACT_COLUMNS[9:13]},
            "victim_age_band": _blank(k),
            "victim_sex": np.full(k, "U", dtype=object),
            "kind": np.full(k, kind, dtype=object),
        }
        for name, values in extra.items():
            cols[name].append(values)
    data = {name: np.concatenate(parts) for name, parts in cols.items()}
    total = len(data["force"])
    order = np.lexsort((np.arange(total), data["when"], data["force"]))
    data = {name: values[order] for name, values in data.items()}
    # Coordinates as the force's system gives them.
    mode = data["mode"]
    lon, lat = _lonlat(np.column_stack([data["x"], data["y"]]))
    data["latitude"] = np.where(mode == 0, _fixed(lat, 6), "")
    data["longitude"] = np.where(mode == 0, _fixed(lon, 6), "")
    data["easting"] = np.where(mode == 1, _fixed(data["x"], 0), "")
    data["northing"] = np.where(mode == 1, _fixed(data["y"], 0), "")
    # References: <force prefix>/<yy>/<sequence within the force and year>.
    year = data["when"].astype("datetime64[Y]").astype(np.int64) + 1970
    group = data["force"] * 10_000 + year
    first = np.searchsorted(group, group)  # sorted by force then time, so years are runs
    seq = np.arange(total) - first + 1
    prefix = np.array([f"{f[2]}/" for f in _FORCES])[data["force"]]
    reference = np.strings.add(prefix, np.strings.zfill((year % 100).astype(str), 2))
    reference = np.strings.add(reference, "/")
    reference = np.strings.add(reference, np.strings.zfill(seq.astype(str), 6))
    data["crime_reference"] = reference.astype(object)
    stamps = np.datetime_as_string(data["when"], unit="m")
    data["recorded_at"] = np.strings.replace(stamps, "T", " ").astype(object)
    bounds = np.searchsorted(data["force"], np.arange(n_forces + 1))
    frames: dict[str, pd.DataFrame] = {}
    bad: dict[str, dict[str, int]] = {}
    offshore: list[dict] = []
    for f in range(n_forces):
        path = _force_extract_path(f)
        rows = np.arange(bounds[f], bounds[f + 1])
        bad[path] = {kind: int(per_force[kind][f]) for kind in _BAD_KINDS}
        planted = rows[data["kind"][rows] == ""]
        for j in rng.choice(planted, size=int(per_force["duplicate"][f]), replace=False):
            rows = np.insert(rows, np.searchsorted(rows, j), j)
        frames[path] = pd.DataFrame(
            {c: data[c][rows] for c in FORCE_EXTRACT_COLUMNS},
            columns=list(FORCE_EXTRACT_COLUMNS),
            dtype=object,
        )
        for j in rows[np.isin(data["kind"][rows], ["offshore_near", "offshore_far"])]:
            offshore.append(
                _offshore_record(
                    "force_extract", path, data["crime_reference"][j], data["kind"][j],
                    (data["x"][j], data["y"][j]), geo, ward_codes,
                )
            )  # fmt: skip
    return frames, bad, offshore


def _truth(
    *,
    seed: int,
    geo: _Geography,
    plan: _Plan,
    changes: _Changes,
    ward_codes: np.ndarray,
    ward_names: np.ndarray,
    la_codes: list[str],
    pfa_codes: list[str],
    lsoa21_code: np.ndarray,
    units: list[tuple],
    lsoa11_codes: list[str],
    pop21: np.ndarray,
    lam: np.ndarray,
    incidents: _Incidents,
    police_uk: dict[str, pd.DataFrame],
    force_extracts: dict[str, pd.DataFrame],
    bad_rows: dict[str, dict[str, dict[str, int]]],
    offshore_rows: list[dict],
    n11: int,
) -> dict:
    n_wards = len(geo.ward_geom)
    n_months = len(MONTHS)
    ward_pop = np.bincount(geo.lsoa_ward, weights=pop21, minlength=n_wards)
    expected = np.zeros((n_wards, len(_CATEGORIES)))
    for c in range(len(_CATEGORIES)):
        expected[:, c] = np.bincount(
            geo.lsoa_ward, weights=lam[:, :, c].sum(axis=1), minlength=n_wards
        )
    per_1000_year = expected / ward_pop[:, None] * 1_000.0 / (n_months / 12.0)
    slug = {c.name: c.slug for c in _CATEGORIES}
    v = next(k for k, c in enumerate(_CATEGORIES) if c.slug == "violence_and_sexual_offences")
    d = next(k for k, c in enumerate(_CATEGORIES) if c.slug == "drugs")
    latent = {}
    for w in np.argsort(ward_codes):
        latent[str(ward_codes[w])] = {
            "ward_name": str(ward_names[w]),
            "population": int(ward_pop[w]),
            "violence_per_1000_per_year": round(float(per_1000_year[w, v]), 3),
            "drugs_per_1000_per_year": round(float(per_1000_year[w, d]), 3),
            "expected_violence_24_months": round(float(expected[w, v]), 2),
            "expected_drugs_24_months": round(float(expected[w, d]), 2),
        }
    # Realised planted crimes (valid rows only) by ward, category and year.
    inc_ward = geo.lsoa_ward[incidents.lsoa]
    planted: dict[str, dict[str, dict[str, int]]] = {"all": {}, "2023": {}, "2024": {}}
    year_of = np.array([int(m[:4]) for m in MONTHS])[incidents.month]
    for key, mask in (("all", None), ("2023", year_of == 2023), ("2024", year_of == 2024)):
        sel = np.ones(len(inc_ward), dtype=bool) if mask is None else mask
        table = np.zeros((n_wards, len(_CATEGORIES)), dtype=np.int64)
        np.add.at(table, (inc_ward[sel], incidents.category[sel]), 1)
        for w in np.argsort(ward_codes):
            planted[key][str(ward_codes[w])] = {
                _CATEGORIES[c].slug: int(table[w, c]) for c in range(len(_CATEGORIES))
            }
    background = float(np.median(per_1000_year[:, v]))
    hot_rate = per_1000_year[plan.violence_hotspots, v]

    def ratio(wards: list[int]) -> float:
        return round(float(np.median(per_1000_year[wards, v])) / background, 2)

    rings = sorted(set(plan.hotspots) - set(plan.cores))
    splits = []
    for k, (a, b) in enumerate(changes.split_pairs):
        unit = next(j for j, u in enumerate(units) if u[0] == "S" and u[1] == k)
        splits.append(
            {
                "lsoa11_code": lsoa11_codes[unit],
                "lsoa21_codes": sorted([str(lsoa21_code[a]), str(lsoa21_code[b])]),
                "ward_codes": sorted({str(ward_codes[geo.lsoa_ward[a]]),
                                      str(ward_codes[geo.lsoa_ward[b]])}),
                "straddles_wards": bool(changes.straddling[k]),
            }
        )  # fmt: skip
    merges = []
    for i in changes.merged:
        parents = [lsoa11_codes[j] for j, u in enumerate(units) if u[0] == "M" and u[1] == i]
        merges.append(
            {
                "lsoa11_codes": parents,
                "lsoa21_code": str(lsoa21_code[i]),
                "ward_code": str(ward_codes[geo.lsoa_ward[i]]),
            }
        )

    def codes(wards: list[int]) -> list[str]:
        return sorted(str(ward_codes[w]) for w in wards)

    totals = {
        fmt: {kind: sum(f[kind] for f in files.values()) for kind in _BAD_KINDS}
        for fmt, files in bad_rows.items()
    }
    return {
        "description": (
            f"Planted truth of the {DEMO_MARK} region (hotspots.demo.synth). Every place, "
            "code and crime in it is invented."
        ),
        "generator": "hotspots.demo.synth.make_demo_region",
        "seed": seed,
        "crs": "EPSG:27700",
        "centre_easting_northing": list(CENTRE),
        "months": list(MONTHS),
        "police_uk_lsoa_vintage": {
            "2011": [m for m in MONTHS if m < FIRST_LSOA21_MONTH],
            "2021": [m for m in MONTHS if m >= FIRST_LSOA21_MONTH],
        },
        "force_extract_lsoa_vintage": "2021",
        "counts": {
            "wards": n_wards,
            "lsoa21": len(geo.lsoa_geom),
            "lsoa11": n11,
            "local_authorities": len(la_codes),
            "police_forces": len(pfa_codes),
            "population": int(pop21.sum()),
            "police_uk_rows": {p: len(f) for p, f in police_uk.items()},
            "force_extract_rows": {p: len(f) for p, f in force_extracts.items()},
        },
        "local_authorities": {
            la_codes[la]: {
                "name": _LAS[la][0],
                "name_welsh": _LAS[la][1],
                "police_force": pfa_codes[_LA_FORCE[la]],
            }
            for la in range(len(_LAS))
        },
        "police_forces": {
            pfa_codes[f]: {
                "name": _FORCES[f][0],
                "reported_by": f"{_FORCES[f][0]} Police",
                "slug": _FORCES[f][1],
            }
            for f in range(len(_FORCES))
        },
        "hotspot_design": (
            "hotspot_wards are the wards of the violence hotspot clusters, each a core ward "
            "and its whole ring of neighbours, all several times the background rate: the "
            "cluster hotspots Getis-Ord Gi* is expected to find. hotspot_fringe_wards border "
            "a cluster and have a raised rate (a step down from the cluster, as crime thins "
            "out around a hotspot); they are not hotspots. isolated_hotspot_wards are single "
            "hot wards among ordinary neighbours: the ranking finds them, Gi* (a statistic "
            "of a ward and its neighbours together) is not expected to. emerging_areas are "
            "an emerging ward and its ring, ordinary at first, whose violence rises slowly "
            "and then fast in the last months."
        ),
        "hotspot_wards": codes(plan.hotspots),
        "hotspot_clusters": [codes(c) for c in plan.hotspot_clusters],
        "hotspot_cluster_cores": [str(ward_codes[w]) for w in plan.cores],
        "hotspot_fringe_wards": codes(plan.fringe),
        "isolated_hotspot_wards": codes(plan.isolated),
        "violence_hotspot_wards": codes(plan.violence_hotspots),
        "drug_hotspot_wards": codes(plan.drug_hotspots),
        "drug_only_hotspot_wards": codes(
            sorted(set(plan.drug_hotspots) - set(plan.violence_hotspots))
        ),
        "emerging_wards": codes(plan.emerging),
        "emerging_areas": sorted(
            ({"ward": str(ward_codes[a[0]]), "ring": codes(a[1:])} for a in plan.emerging_areas),
            key=lambda area: area["ward"],
        ),
        "background_violence_per_1000_per_year": round(background, 3),
        "hotspot_violence_to_background_ratio": {
            "min": round(float(hot_rate.min()) / background, 2),
            "median": round(float(np.median(hot_rate)) / background, 2),
            "median_core": ratio(plan.cores),
            "median_ring": ratio(rings),
            "median_isolated": ratio(plan.isolated),
            "median_fringe": ratio(plan.fringe),
        },
        "model": {
            "rate_scale": _RATE_SCALE,
            "hotspot_multiplier_share": {
                "core": 1.0,
                "ring": _RING_LEVEL,
                "isolated": 1.0,
                "fringe": _FRINGE_LEVEL,
            },
            "ward_effect_log_sd": _WARD_EFFECT_SD,
            "emerging_multiplier": {
                "by_month": dict(zip(MONTHS, np.round(_emerging_trend(), 3).tolist(), strict=True)),
                "ring_share": _EMERGING_RING_LEVEL,
                "categories": [c.slug for c in _CATEGORIES if c.emerging],
            },
            "categories": {
                c.slug: {
                    "police_uk_crime_type": c.name,
                    "base_rate_per_1000_per_year": c.base_rate,
                    "deprivation_log_slope": c.beta,
                    "hotspot_multiplier": c.hotspot,
                    "drug_hotspot_multiplier": c.drug_hotspot,
                    "summer_amplitude": c.season,
                    "december_factor": c.december,
                    "time_profile": "night" if c.night else "day",
                }
                for c in _CATEGORIES
            },
            "ho_codes": {
                slug[name]: {code: desc for code, desc, _ in table}
                for name, table in _HO_CODES.items()
            },
        },
        "latent_rates": latent,
        "planted_counts": planted,
        "lsoa_changes": {"split": splits, "merged": merges},
        "bad_rows": {**bad_rows, "totals": totals},
        "offshore_rows": offshore_rows,
    }


# ---------------------------------------------------------------------------------------
# Serialising (pure) and writing (the only I/O).
# ---------------------------------------------------------------------------------------


def region_geojson(frame: gpd.GeoDataFrame, properties: tuple[str, ...], name: str) -> str:
    """A GeoJSON FeatureCollection in CRS84 (lon/lat), laid out as the shared files are.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Polygons in any projected CRS.
    properties : tuple of str
        Columns written as feature properties, in this order.
    name : str
        The collection's ``name``.

    Returns
    -------
    str
        Compact GeoJSON text (MultiPolygon features, 7 decimal places).
    """
    lonlat = frame.to_crs("EPSG:4326")
    geoms = shapely.orient_polygons(lonlat.geometry.to_numpy())
    features = []
    for row, geom in zip(lonlat[list(properties)].itertuples(index=False), geoms, strict=True):
        coords = [
            [[[round(x, 7), round(y, 7)] for x, y in ring.coords] for ring in
             (poly.exterior, *poly.interiors)]
            for poly in _multipolygon(geom).geoms
        ]  # fmt: skip
        features.append(
            {
                "type": "Feature",
                "properties": {k: _json_value(v) for k, v in zip(properties, row, strict=True)},
                "geometry": {"type": "MultiPolygon", "coordinates": coords},
            }
        )
    collection = {
        "type": "FeatureCollection",
        "name": name,
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
        "features": features,
    }
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":"))


def csv_text(frame: pd.DataFrame) -> str:
    """A frame as CSV text: header, no index, ``\\n`` line ends, quotes only where needed.

    Parameters
    ----------
    frame : pandas.DataFrame
        Values that are strings or integers.

    Returns
    -------
    str
        The same text as ``frame.to_csv(index=False, lineterminator="\\n")``, but quicker
        for the large crime files.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(frame.columns)
    writer.writerows(zip(*(frame[c].tolist() for c in frame.columns), strict=True))
    return buffer.getvalue()


def _json_value(v: object) -> object:
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    return v


def _readme(region: DemoRegion) -> str:
    t = region.truth
    forces = ", ".join(f"{v['reported_by']} ({v['slug']})" for v in t["police_forces"].values())
    return f"""SYNTHETIC DEMO DATA - NOT REAL
================================

Everything in this folder was invented by hotspots.demo.synth (seed {region.seed}).
It describes a fictional region named after Cantre'r Gwaelod, the legendary drowned
land of Cardigan Bay, placed in the sea around easting {CENTRE[0]:.0f}, northing
{CENTRE[1]:.0f} (EPSG:27700) so that it can never be mistaken for a real place.
Codes use prefixes that ONS never issues: X01 LSOA, X05 ward, X06 local authority,
X14 community safety partnership, X15 police force area. No real person, place or
crime is described. Do not use these files for anything but demonstrations and tests.

Each file has exactly the columns of the real file of the same kind in shared/data:

  {WARDS_PATH}
      ward boundaries, GeoJSON in CRS84 lon/lat (like wales_wards_dec2022_bsc.geojson)
  {LSOA21_PATH}
      2021 LSOA boundaries (like wales_lsoa_dec2021_bsc_v4.geojson)
  {LSOA11_LOOKUP_PATH}
      LSOA 2011 -> LSOA 2021 -> LAD (change codes U, S, M)
  {WARD_LOOKUP_PATH}
      LSOA 2021 -> ward -> LAD
  {LAD_LOOKUP_PATH}
      LAD -> community safety partnership -> police force area
  {DEPRIVATION_PATH}
      WIMD 2019 style ranks, deciles and scores by 2011 LSOA (rank 1 = most deprived)
  {POPULATION_PATH}
      mid-2019 style population by 2011 LSOA and single year of age
  {POLICE_UK_DIR}/YYYY-MM/YYYY-MM-<force>-street.csv
      police.uk street-level crime, {MONTHS[0]} to {MONTHS[-1]}; 2011 LSOA codes before
      {FIRST_LSOA21_MONTH}, 2021 codes from then on (as police.uk switched).
      Forces: {forces}.
      The Context column of every row says "{DEMO_MARK}".
  {FORCE_EXTRACT_DIR}/synthetic_demo_<force>_force_extract_{MONTHS[0]}_{MONTHS[-1]}.csv
      a force's own crime extract with Home Office offence codes, all months; the
      location is latitude/longitude, easting/northing or (for a few rows) a 2021
      LSOA code only.

{TRUTH_PATH} records what was planted: violence hotspot clusters and their
fringes, the isolated hotspot, drug-hotspot wards, emerging areas, latent rates,
realised counts by ward, LSOA splits and merges, and the number of bad rows of each
kind in every crime file (no location, English E01 LSOA codes outside the area,
points just off the coast, points far out to sea, duplicates).
"""


def write_demo_files(out_dir: Path, seed: int = DEFAULT_SEED) -> DemoFiles:
    """Generate the demo region and write it as files in the publishers' formats.

    Parameters
    ----------
    out_dir : Path
        Directory to write into (created if missing). Existing demo files are overwritten.
    seed : int, default 2019
        Generator seed; the same seed always writes byte-identical files.

    Returns
    -------
    DemoFiles
        The paths written.
    """
    region = make_demo_region(seed)
    root = Path(out_dir)
    written: dict[str, Path] = {}

    def put(rel: str, text: str) -> Path:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        written[rel] = path
        return path

    def put_csv(rel: str, frame: pd.DataFrame) -> Path:
        return put(rel, csv_text(frame))

    put(README_PATH, _readme(region))
    put(TRUTH_PATH, json.dumps(region.truth, ensure_ascii=False, indent=1) + "\n")
    put(
        WARDS_PATH,
        region_geojson(
            region.wards,
            WARD_PROPERTIES,
            "Wards (synthetic demo, fictional Cantre'r Gwaelod region, December 2022 style)",
        ),
    )
    put(
        LSOA21_PATH,
        region_geojson(
            region.lsoa21,
            LSOA21_PROPERTIES,
            "LSOAs (synthetic demo, fictional Cantre'r Gwaelod region, December 2021 style)",
        ),
    )
    put_csv(LSOA11_LOOKUP_PATH, region.lsoa11_to_lsoa21)
    put_csv(WARD_LOOKUP_PATH, region.lsoa21_to_ward)
    put_csv(LAD_LOOKUP_PATH, region.lad_to_csp_to_pfa)
    put_csv(DEPRIVATION_PATH, region.deprivation)
    put_csv(POPULATION_PATH, region.population)
    police = tuple(put_csv(rel, frame) for rel, frame in sorted(region.police_uk.items()))
    extracts = tuple(put_csv(rel, frame) for rel, frame in sorted(region.force_extracts.items()))
    return DemoFiles(
        root=root,
        readme=written[README_PATH],
        planted_truth=written[TRUTH_PATH],
        wards=written[WARDS_PATH],
        lsoa21_boundaries=written[LSOA21_PATH],
        lsoa11_to_lsoa21=written[LSOA11_LOOKUP_PATH],
        lsoa21_to_ward=written[WARD_LOOKUP_PATH],
        lad_to_csp_to_pfa=written[LAD_LOOKUP_PATH],
        deprivation=written[DEPRIVATION_PATH],
        population=written[POPULATION_PATH],
        police_uk_dir=root / POLICE_UK_DIR,
        police_uk=police,
        force_extracts=extracts,
    )
