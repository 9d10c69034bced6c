"""The demo's files: the real files' column names, the layout written and how values read.

Each demo file has exactly the columns of the real file of the same kind in
``shared/data`` (see ``PROVENANCE.md``), so the project's normal loaders read the demo
exactly as they read real data. The constants here are copied from those files.
"""

from __future__ import annotations

import numpy as np

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

WIMD_DOMAINS = (
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
WIMD_SCORE_ORDER = (
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
    *(f"{d}_decile" for d in WIMD_DOMAINS),
    *(f"{d}_rank" for d in WIMD_DOMAINS),
    *(f"{d}_score" for d in WIMD_SCORE_ORDER),
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


def fixed(values: np.ndarray, decimals: int) -> np.ndarray:
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


def blank(n: int) -> np.ndarray:
    """``n`` empty cells (text columns)."""
    return np.full(n, "", dtype=object)
