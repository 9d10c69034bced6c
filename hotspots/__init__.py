"""hotspots: serious-violence hotspot analysis for Welsh community-safety partnerships.

The package never imports streamlit; the dashboard (``app.py``, ``pages/``) and the
command line (``python -m hotspots``) call it. The names below are its public API: import
them from ``hotspots`` (``from hotspots import Store, analyse``). Each is loaded on first
use, so ``import hotspots`` stays cheap (the analysis pulls in esda and statsmodels).

Data and the store
------------------
Store                 The on-disk store of crimes and reference data, with history.
StoreDamagedError     A store file is missing, truncated or altered.
load_paths            Load files of one kind (crimes, boundaries, lookups ...) into a store.
Selection             What to analyse: a period, an area and a definition.
WardData              Counts by ward for a selection, with where they came from.
load_ward_data        Counts by ward (and by ward and month) for a selection.
ExtractMapping        How a force extract's columns map onto the documented schema.
read_extract_mapping  Read an extract mapping from a TOML file.
fetch                 Download the publishers' original files.
build_demo            Build (or reuse) the synthetic demo region's store.

Analysis and ranking
--------------------
AnalysisSettings      Everything a user can choose about the analysis.
Analysis              The results of :func:`analyse`.
analyse               Run the analysis (rates, Gi*, trends, ranking) for one selection.
analyse_ward_data     Run the analysis on everything a selection's ward data holds.
hotspot_list          The ranked hotspot list, best first.
rerank                The ranked list under other weights.
left_out              Wards high on violence that are not in the top N.
RankSettings          Weights of the ranking components.
rank_settings         Ranking settings from a preset name or from user weights.
parse_weights         ``"violence=0.5,drugs=0.25,deprivation=0.25"`` as weights.
PRESETS               The ranking presets, by name (the dashboard's select box, ``--preset``).
PRESET_LABELS         A label for each ranking preset.
DEFAULT_PRESET        The preset used unless another is chosen.
monthly_ranks         Rank of each ward in each month.
named_overlaps        How a hotspot list overlaps with the deprivation and drug hotspots.
load_definitions      Read the crime definitions (``definitions/*.toml``).
get_definition        One crime definition by name.

Disclosure control and partner views
------------------------------------
DisclosureRule        Which counts are suppressed and how others are shown.
rule_from_env         The deployment's disclosure rule.
partner_windows       The periods a partner may see.
partner_hotspot_list  A hotspot list with small counts suppressed for partners.
suppress_frame        A partner copy of a frame with small counts suppressed.
partner_ward_data     The partner's ward data: counts and months as a partner may see them.
hotspot_table         The hotspot list as downloaded, for analysts or partners.
suppression_note      The line every output states about small numbers.

Outputs
-------
assemble_pack         The monthly targeting pack from a selection's data and analysis.
pack_pdf              The pack as a printable PDF.
pack_excel            The pack as an Excel workbook.
pack_json             The pack as a JSON document.
PackArchive           Published packs, kept unchanged.
hotspot_list_csv      A hotspot list as CSV bytes (formulas neutralised).
hotspot_list_excel    A hotspot list as an Excel workbook.
hotspot_list_geojson  A hotspot list joined to ward boundaries as GeoJSON.
write_ward_counts     Write the ward counts CSV and its metadata.

Errors and language
-------------------
InputError            A file or value that cannot be loaded (names the file, row and fix).
translator            The ``_`` of a language (``"en"`` or ``"cy"``).
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing at run time

__version__ = "0.1.0"

# Public name -> the module that defines it (imported on first use of the name).
_EXPORTS: dict[str, str] = {
    # Data and the store
    "Store": "hotspots.store.base",
    "StoreDamagedError": "hotspots.store.base",
    "load_paths": "hotspots.store.ingest",
    "Selection": "hotspots.store.ward_data",
    "WardData": "hotspots.store.ward_data",
    "load_ward_data": "hotspots.store.ward_data",
    "ExtractMapping": "hotspots.io.force_extract",
    "read_extract_mapping": "hotspots.io.force_extract",
    "fetch": "hotspots.io.fetch",
    "build_demo": "hotspots.demo.build",
    # Analysis and ranking
    "AnalysisSettings": "hotspots.stats.analysis",
    "Analysis": "hotspots.stats.analysis",
    "analyse": "hotspots.stats.analysis",
    "analyse_ward_data": "hotspots.stats.analysis",
    "hotspot_list": "hotspots.stats.analysis",
    "rerank": "hotspots.stats.analysis",
    "left_out": "hotspots.stats.analysis",
    "RankSettings": "hotspots.stats.ranking",
    "rank_settings": "hotspots.stats.ranking",
    "parse_weights": "hotspots.stats.ranking",
    "PRESETS": "hotspots.stats.ranking",
    "PRESET_LABELS": "hotspots.stats.ranking",
    "DEFAULT_PRESET": "hotspots.stats.ranking",
    "monthly_ranks": "hotspots.stats.trends",
    "named_overlaps": "hotspots.stats.concordance",
    "load_definitions": "hotspots.definitions",
    "get_definition": "hotspots.definitions",
    # Disclosure control and partner views
    "DisclosureRule": "hotspots.access.disclosure",
    "rule_from_env": "hotspots.access.disclosure",
    "partner_windows": "hotspots.access.disclosure",
    "partner_hotspot_list": "hotspots.access.disclosure",
    "suppress_frame": "hotspots.access.disclosure",
    "partner_ward_data": "hotspots.access.partner",
    "hotspot_table": "hotspots.access.partner",
    "suppression_note": "hotspots.access.partner",
    # Outputs
    "assemble_pack": "hotspots.outputs.pack",
    "pack_pdf": "hotspots.outputs.pack",
    "pack_excel": "hotspots.outputs.pack",
    "pack_json": "hotspots.outputs.pack",
    "PackArchive": "hotspots.outputs.pack",
    "hotspot_list_csv": "hotspots.outputs.exports",
    "hotspot_list_excel": "hotspots.outputs.exports",
    "hotspot_list_geojson": "hotspots.outputs.exports",
    "write_ward_counts": "hotspots.outputs.exports",
    # Errors and language
    "InputError": "hotspots.errors",
    "translator": "hotspots.i18n",
}

__all__ = [
    "DEFAULT_PRESET",
    "PRESETS",
    "PRESET_LABELS",
    "Analysis",
    "AnalysisSettings",
    "DisclosureRule",
    "ExtractMapping",
    "InputError",
    "PackArchive",
    "RankSettings",
    "Selection",
    "Store",
    "StoreDamagedError",
    "WardData",
    "analyse",
    "analyse_ward_data",
    "assemble_pack",
    "build_demo",
    "fetch",
    "get_definition",
    "hotspot_list",
    "hotspot_list_csv",
    "hotspot_list_excel",
    "hotspot_list_geojson",
    "hotspot_table",
    "left_out",
    "load_definitions",
    "load_paths",
    "load_ward_data",
    "monthly_ranks",
    "named_overlaps",
    "pack_excel",
    "pack_json",
    "pack_pdf",
    "parse_weights",
    "partner_hotspot_list",
    "partner_ward_data",
    "partner_windows",
    "rank_settings",
    "read_extract_mapping",
    "rerank",
    "rule_from_env",
    "suppress_frame",
    "suppression_note",
    "translator",
    "write_ward_counts",
]


def __getattr__(name: str) -> object:
    """Import a public name's module on first use (PEP 562), then keep the name here."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


if TYPE_CHECKING:  # what a type checker or an editor sees; nothing is imported at run time
    from hotspots.access.disclosure import (
        DisclosureRule,
        partner_hotspot_list,
        partner_windows,
        rule_from_env,
        suppress_frame,
    )
    from hotspots.access.partner import hotspot_table, partner_ward_data, suppression_note
    from hotspots.definitions import get_definition, load_definitions
    from hotspots.demo.build import build_demo
    from hotspots.errors import InputError
    from hotspots.i18n import translator
    from hotspots.io.fetch import fetch
    from hotspots.io.force_extract import ExtractMapping, read_extract_mapping
    from hotspots.outputs.exports import (
        hotspot_list_csv,
        hotspot_list_excel,
        hotspot_list_geojson,
        write_ward_counts,
    )
    from hotspots.outputs.pack import PackArchive, assemble_pack, pack_excel, pack_json, pack_pdf
    from hotspots.stats.analysis import (
        Analysis,
        AnalysisSettings,
        analyse,
        analyse_ward_data,
        hotspot_list,
        left_out,
        rerank,
    )
    from hotspots.stats.concordance import named_overlaps
    from hotspots.stats.ranking import (
        DEFAULT_PRESET,
        PRESET_LABELS,
        PRESETS,
        RankSettings,
        parse_weights,
        rank_settings,
    )
    from hotspots.stats.trends import monthly_ranks
    from hotspots.store.base import Store, StoreDamagedError
    from hotspots.store.ingest import load_paths
    from hotspots.store.ward_data import Selection, WardData, load_ward_data
