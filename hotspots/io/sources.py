"""The official originals the tool can download: each source's publisher, licence,
address template, file name and the kind ``load`` reads it as, and the address actually
used (an override, a mirror, or the publisher's)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

OGL = "Open Government Licence v3.0"


@dataclass(frozen=True)
class Source:
    """One official original that :func:`fetch` can download.

    Attributes
    ----------
    key : str
        Registry key, used on the command line (``python -m hotspots fetch KEY``).
    description : str
        What the file is, its coverage and format, and how sure we are of the address.
    publisher : str
    licence : str
    url : str
        Address template; ``{month}`` (``YYYY-MM``) is filled in for monthly sources.
    file : str
        File name template in the download folder (and on a mirror).
    kind : str
        What ``python -m hotspots load KIND`` reads it as: crimes, boundaries, lookup,
        deprivation or population.
    page : str
        The publisher's page about the data set (where to find a new address).
    """

    key: str
    description: str
    publisher: str
    licence: str
    url: str
    file: str
    kind: str
    page: str = ""

    @property
    def monthly(self) -> bool:
        """True when the source needs a month (one file per month)."""
        return "{month}" in self.url or "{month}" in self.file


_ARCGIS = "https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services"
_HUB = "https://open-geography-portalx-ons.hub.arcgis.com/api/download/v1/items"
_GEOPORTAL = "https://geoportal.statistics.gov.uk"
_WALES_WARDS = "where=WD22CD%20LIKE%20%27W05%25%27&outFields=*&outSR=4326&f=geojson"
_GOV_WALES = "https://www.gov.wales/sites/default/files/statistics-and-research"
_SAPE = (
    "https://www.ons.gov.uk/file?uri=/peoplepopulationandcommunity/"
    "populationandmigration/populationestimates/datasets/"
    "lowersuperoutputareamidyearpopulationestimates"
)
_SAPE_PAGE = (
    "https://www.ons.gov.uk/peoplepopulationandcommunity/populationandmigration/"
    "populationestimates/datasets/lowersuperoutputareamidyearpopulationestimates"
)

_ALL_SOURCES = [
    Source(
        key="police-uk-archive",
        description=(
            "police.uk monthly archive: street-level crimes (and outcomes, stop and search) "
            "for every force, for the month named and the months before it, as "
            "YYYY-MM/YYYY-MM-<force>-street.csv. Large (often over 1 GB). Needs --month; "
            "--force is applied when loading, not when downloading. Address certain."
        ),
        publisher="Home Office, data.police.uk",
        licence=OGL,
        url="https://data.police.uk/data/archive/{month}.zip",
        file="{month}.zip",
        kind="crimes",
        page="https://data.police.uk/data/archive/",
    ),
    Source(
        key="wards-2022-bgc",
        description=(
            "ONS Wards (December 2022) Boundaries UK BGC (generalised 20 m, clipped), the "
            "762 Welsh wards (WD22CD W05…) as GeoJSON in WGS84 from the Open Geography "
            "Portal feature service. One request is enough: Wales is under the service's "
            "2,000-feature limit. Service name certain; query form standard ArcGIS."
        ),
        publisher="Office for National Statistics",
        licence=OGL,
        url=f"{_ARCGIS}/Wards_December_2022_Boundaries_UK_BGC/FeatureServer/0/query?{_WALES_WARDS}",
        file="wards_dec2022_uk_bgc_wales.geojson",
        kind="boundaries",
        page=f"{_GEOPORTAL}/datasets/ons::wards-december-2022-boundaries-uk-bgc/about",
    ),
    Source(
        key="wards-2022-bsc",
        description=(
            "ONS Wards (December 2022) Boundaries UK BSC (super generalised 200 m, "
            "clipped), the Welsh wards as GeoJSON in WGS84; smaller and faster to draw than "
            "BGC. Service name likely (same naming as BGC); query form standard ArcGIS."
        ),
        publisher="Office for National Statistics",
        licence=OGL,
        url=f"{_ARCGIS}/Wards_December_2022_Boundaries_UK_BSC/FeatureServer/0/query?{_WALES_WARDS}",
        file="wards_dec2022_uk_bsc_wales.geojson",
        kind="boundaries",
        page=f"{_GEOPORTAL}/datasets/ons::wards-december-2022-boundaries-uk-bsc/about",
    ),
    Source(
        key="lsoa21-ward22-lookup",
        description=(
            "ONS LSOA (2021) to Ward (2022) to LAD (2022) best-fit lookup in England and "
            "Wales, version 3 (LSOA21CD, WD22CD, WD22NM, LAD22CD, LAD22NM, …) as CSV from "
            "the Open Geography Portal download service (item fc3bf6fe…). Item fairly "
            "certain; the portal may answer 'still preparing' the first time."
        ),
        publisher="Office for National Statistics",
        licence=OGL,
        url=f"{_HUB}/fc3bf6fe8ea949869af0a018205ac952/csv?layers=0",
        file="lsoa21_wd22_lad22_ew_lu_v3.csv",
        kind="lookup",
        page=f"{_GEOPORTAL}/datasets/fc3bf6fe8ea949869af0a018205ac952_0/about",
    ),
    Source(
        key="lsoa11-lsoa21-lookup",
        description=(
            "ONS LSOA (2011) to LSOA (2021) to LAD (2022) exact-fit lookup for England and "
            "Wales (LSOA11CD, CHGIND U/S/M/X, LSOA21CD, LAD22CD, …) as CSV from the Open "
            "Geography Portal download service (item cbfe64cc…, feature service "
            "LSOA11_LSOA21_LAD22_EW_LU_v5). Item fairly certain."
        ),
        publisher="Office for National Statistics",
        licence=OGL,
        url=f"{_HUB}/cbfe64cc03d74af982c1afec639bafd1/csv?layers=0",
        file="lsoa11_lsoa21_lad22_ew_lu.csv",
        kind="lookup",
        page=f"{_GEOPORTAL}/items/cbfe64cc03d74af982c1afec639bafd1",
    ),
    Source(
        key="lad-csp-pfa-lookup",
        description=(
            "ONS LAD to Community Safety Partnership to Police Force Area (December 2024) "
            "lookup, the Welsh rows (LAD24CD, CSP24CD, PFA24CD, PFA24NM, …) from the "
            "feature service LAD24_CSP24_PFA24_EW_LU. UNCERTAIN: the portal's CSV item id "
            "was not found, so this is the service's GeoJSON (a table, no geometry), which "
            "'load lookup' (CSV) does not read yet; set HOTSPOTS_FETCH_URL_LAD_CSP_PFA_"
            "LOOKUP to the CSV download on the page below to get CSV."
        ),
        publisher="Office for National Statistics",
        licence=OGL,
        url=f"{_ARCGIS}/LAD24_CSP24_PFA24_EW_LU/FeatureServer/0/query?"
        "where=LAD24CD%20LIKE%20%27W%25%27&outFields=*&f=geojson",
        file="lad24_csp24_pfa24_ew_lu_wales.geojson",
        kind="lookup",
        page=f"{_GEOPORTAL}/datasets/ons::lad-to-community-safety-partnership-to-pfa-"
        "december-2024-lookup-in-ew/about",
    ),
    Source(
        key="wimd-2019-ranks",
        description=(
            "Welsh Index of Multiple Deprivation 2019: index and domain ranks by LSOA "
            "(2011), ODS spreadsheet (sheet WIMD_2019_ranks). Export to CSV with lsoa_code "
            "and <Domain>_rank columns before 'load deprivation'. Address certain."
        ),
        publisher="Welsh Government (StatsWales)",
        licence=OGL,
        url=f"{_GOV_WALES}/2019-11/welsh-index-multiple-deprivation-2019-index-and-domain-"
        "ranks-by-small-area.ods",
        file="welsh-index-multiple-deprivation-2019-index-and-domain-ranks-by-small-area.ods",
        kind="deprivation",
        page="https://www.gov.wales/welsh-index-multiple-deprivation-full-index-update-ranks-2019",
    ),
    Source(
        key="wimd-2019-scores",
        description=(
            "Welsh Index of Multiple Deprivation 2019: index and domain scores by LSOA "
            "(2011), ODS spreadsheet (re-issued February 2022). Address likely, less "
            "certain than the ranks (the file has also been published with a _0 suffix)."
        ),
        publisher="Welsh Government (StatsWales)",
        licence=OGL,
        url=f"{_GOV_WALES}/2022-02/wimd-2019-index-and-domain-scores-by-small-area.ods",
        file="wimd-2019-index-and-domain-scores-by-small-area.ods",
        kind="deprivation",
        page="https://www.gov.wales/welsh-index-multiple-deprivation-full-index-update-ranks-2019",
    ),
    Source(
        key="population-mid2019",
        description=(
            "ONS mid-2019 LSOA (2011) population estimates, single year of age, England and "
            "Wales (SAPE22DT2): a zip holding one XLSX (sheet 'Mid-2019 Persons'). Export "
            "LSOA code and total to CSV before 'load population'. Address certain."
        ),
        publisher="Office for National Statistics",
        licence=OGL,
        url=f"{_SAPE}/mid2019sape22dt2/sape22dt2mid2019lsoasyoaestimatesunformatted.zip",
        file="sape22dt2mid2019lsoasyoaestimatesunformatted.zip",
        kind="population",
        page=_SAPE_PAGE,
    ),
    Source(
        key="population-mid2020",
        description=(
            "ONS mid-2020 LSOA (2011) population estimates, single year of age, England and "
            "Wales (SAPE23DT2), XLSX (sheet 'Mid-2020 Persons'). Export LSOA code and total "
            "to CSV before 'load population'. Address certain."
        ),
        publisher="Office for National Statistics",
        licence=OGL,
        url=f"{_SAPE}/mid2020sape23dt2/sape23dt2mid2020lsoasyoaestimatesunformatted.xlsx",
        file="sape23dt2mid2020lsoasyoaestimatesunformatted.xlsx",
        kind="population",
        page=_SAPE_PAGE,
    ),
]

#: Every source :func:`fetch` knows, by key.
SOURCES: dict[str, Source] = {s.key: s for s in _ALL_SOURCES}


def env_var(key: str) -> str:
    """The environment variable that overrides the address of source ``key``."""
    return "HOTSPOTS_FETCH_URL_" + re.sub(r"[^A-Z0-9]", "_", key.upper())


def source_url(
    source: Source,
    month: str | None = None,
    base_url: str | None = None,
    urls: Mapping[str, str] | None = None,
) -> str:
    """The address to download ``source`` from (see the module docstring for the order)."""
    override = (urls or {}).get(source.key) or os.environ.get(env_var(source.key))
    if override:
        template = override
    elif base_url:
        template = base_url.rstrip("/") + "/" + source.file
    else:
        template = source.url
    return template.replace("{month}", month or "")


def file_name(source: Source, month: str | None = None) -> str:
    """The name ``source`` is saved under (and served under on a mirror)."""
    return source.file.replace("{month}", month or "")
