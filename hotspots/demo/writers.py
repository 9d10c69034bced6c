"""Writing the demo region as files in the publishers' formats: serialising is pure
(:func:`region_geojson`, :func:`csv_text`), :func:`write_demo_files` is the only I/O.

The same seed always writes byte-identical files.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots.demo.formats import (
    DEFAULT_SEED,
    DEMO_MARK,
    DEPRIVATION_PATH,
    FIRST_LSOA21_MONTH,
    FORCE_EXTRACT_DIR,
    LAD_LOOKUP_PATH,
    LSOA11_LOOKUP_PATH,
    LSOA21_PATH,
    LSOA21_PROPERTIES,
    MONTHS,
    POLICE_UK_DIR,
    POPULATION_PATH,
    README_PATH,
    TRUTH_PATH,
    WARD_LOOKUP_PATH,
    WARD_PROPERTIES,
    WARDS_PATH,
)
from hotspots.demo.geometry import multipolygon
from hotspots.demo.settings import CENTRE
from hotspots.demo.synth import DemoRegion, make_demo_region


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
            for poly in multipolygon(geom).geoms
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
