"""Which store the dashboard shows, and cached reads keyed on small hashables.

Caches are keyed on (store folder, store version, frozen settings) — never on frames.
Cached objects are shared between sessions: treat them as read-only.
"""

from __future__ import annotations

import functools
import gc
import threading
from pathlib import Path

import streamlit as st

from dashboard.language import _, error_text
from hotspots.access.disclosure import DisclosureRule
from hotspots.access.partner import partner_ward_data
from hotspots.io.extract_checks import MissingFlagError
from hotspots.stats.analysis import Analysis, AnalysisSettings, analyse_ward_data
from hotspots.stats.weights import ward_neighbours as neighbours_of
from hotspots.store.base import Store
from hotspots.store.location import DEMO_DIR, default_dir
from hotspots.store.ward_data import Selection, WardData, load_ward_data


def long_lived(func):
    """Put what a cache miss built out of the garbage collector's way.

    Python's full collection walks every object alive — with the geography and analyses
    cached, ~0.12–0.15 s, landing in whichever run happens to trigger it (the p95 of a
    rerun). After a cache miss (already slow) this collects everything once — frozen
    objects included, so cycles left by evicted cache entries are freed — and then freezes
    what is alive (``gc.freeze``), so later collections walk only newer objects. Nested
    misses (a map table needing an analysis needing counts) do this once, at the outer one.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        depth = getattr(_NESTING, "depth", 0)
        _NESTING.depth = depth + 1
        try:
            value = func(*args, **kwargs)
        finally:
            _NESTING.depth = depth
        if depth == 0:
            gc.unfreeze()
            gc.collect()
            gc.freeze()
        return value

    return wrapper


_NESTING = threading.local()


def active_store() -> Store:
    """The analyst's store when it holds crimes; otherwise the demo region (built on first
    use, so a fresh machine shows a working dashboard)."""
    main = Store(default_dir())
    if main.sources():
        return main
    demo = Store(DEMO_DIR)
    if not demo.sources():
        from hotspots.demo.build import build_demo

        with st.spinner(_("Building the synthetic demo region (first run only, ~15 s)…")):
            build_demo(DEMO_DIR)
    return demo


@st.cache_resource(max_entries=4, show_spinner=False)
@long_lived
def geography(root: str, version: int):
    """The store's geography (wards and lookups)."""
    return Store(Path(root)).geography()


@st.cache_data(max_entries=8, show_spinner=False)
def manifest(root: str, version: int) -> dict:
    return Store(Path(root)).manifest()


@st.cache_data(max_entries=8, show_spinner=False)
def reconciliation(root: str, version: int):
    return Store(Path(root)).reconciliation()


@st.cache_data(max_entries=8, show_spinner=False)
def history(root: str, version: int):
    return Store(Path(root)).history()


@st.cache_resource(max_entries=32, show_spinner=False)
@long_lived
def ward_data(
    root: str, version: int, selection: Selection, rule: DisclosureRule | None = None
) -> WardData:
    """Counts for a selection (read-only, shared); with a partner's disclosure ``rule``,
    the partner's counts (:func:`hotspots.access.partner.partner_ward_data`), from which every
    partner page is made."""
    if rule is not None:
        return partner_ward_data(ward_data(root, version, selection), rule)
    store = Store(Path(root))
    try:
        return load_ward_data(store, selection, geography(root, version))
    except MissingFlagError as exc:  # a rule the data cannot support: said, not a traceback
        st.error(error_text(exc))
        st.stop()


@st.cache_resource(max_entries=32, show_spinner=False)
@long_lived
def analysis(
    root: str,
    version: int,
    selection: Selection,
    settings: AnalysisSettings,
    rule: DisclosureRule | None = None,
) -> Analysis:
    """The full analysis for a selection (read-only, shared); with a partner's ``rule``,
    computed from the partner's counts only."""
    data = ward_data(root, version, selection, rule)
    return analyse_ward_data(data, settings)


@st.cache_resource(max_entries=64, show_spinner=False)
def ward_crime_times(root: str, version: int, selection: Selection, ward_code: str):
    """Recorded date-times of one ward's crimes in the period (the ward profile's heat map;
    police.uk rows have none). Reads only the two columns it needs (~0.02 s, against
    ~0.2 s for whole rows), so attendees opening many profiles stay cheap."""
    data = ward_data(root, version, selection)
    store = Store(Path(root))
    crimes = store.crimes(
        months=selection.months, sources=list(data.sources), columns=["ward_code", "occurred_at"]
    )
    return (
        crimes.loc[crimes["ward_code"] == ward_code, "occurred_at"].dropna().reset_index(drop=True)
    )


@st.cache_resource(max_entries=16, show_spinner=False)
def ward_neighbours(root: str, version: int, selection: Selection) -> dict[str, list[str]]:
    """Each ward's neighbours among the selection's wards, by the rule of the Gi* weights
    (:func:`hotspots.stats.weights.ward_neighbours`; ~0.5 s for the 762 Welsh wards)."""
    wards = ward_data(root, version, selection).wards
    return neighbours_of(wards[["ward_code", "geometry"]].reset_index(drop=True))


@st.cache_resource(max_entries=16, show_spinner=False)
@long_lived
def display_shapes(root: str, version: int, area: str | None):
    """Simplified ward shapes (WGS84) for the map of an area."""
    from hotspots.geo.geography import select_wards
    from hotspots.outputs.map_data import display_geometry

    wards = select_wards(geography(root, version), area)
    return display_geometry(
        wards[
            ["ward_code", "ward_name", "local_authority_code", "local_authority_name", "geometry"]
        ]
    )


@st.cache_resource(max_entries=16, show_spinner=False)
@long_lived
def map_geometry(root: str, version: int, area: str | None):
    """The area's ward outlines encoded for the map (``hotspots.outputs.map_data.MapGeometry``):
    built once per store version and area, so a rerun sends only colours and values."""
    from hotspots.outputs.map_data import encode_geometry

    return encode_geometry(display_shapes(root, version, area))


def map_names(root: str, version: int, frame, lang: str = "en"):
    """``frame`` with ward and council names in ``lang`` (Welsh where ONS publishes them)."""
    from hotspots.outputs.map_search import in_language

    if lang != "cy":
        return frame
    return in_language(frame, *_welsh_names(root, version), lang)


@st.cache_resource(max_entries=4, show_spinner=False)
def _welsh_names(root: str, version: int):
    from hotspots.outputs.map_search import welsh_names

    return welsh_names(geography(root, version).lsoa21_ward)


@st.cache_resource(max_entries=16, show_spinner=False)
def ward_search(root: str, version: int, area: str | None, lang: str = "en") -> dict:
    """The map's ward search: ward code → "Name / Enw (council)" for the area's wards, in
    the order of ``lang``'s names (``hotspots.outputs.map_search.search_labels``)."""
    from hotspots.outputs.map_search import search_labels

    shapes = display_shapes(root, version, area)
    return search_labels(shapes, *_welsh_names(root, version), lang)


@st.cache_resource(max_entries=32, show_spinner=False)
@long_lived
def map_table(
    root: str, version: int, selection: Selection, ranking=None, rule: DisclosureRule | None = None
):
    """Per ward, in the map's order, everything the map can show for a selection under the
    selection's ranking (``ranking``, default preset when None): names, indicators, score,
    rank, Gi* class, rounded rate, rank text and why a ward has no data; with a partner's
    ``rule``, from the partner view. Read-only, shared; a rerun only picks columns from
    it."""
    import pandas as pd

    from hotspots.stats.analysis import rerank

    result = analysis(root, version, selection, AnalysisSettings(), rule)
    ranked = result.ranked if ranking is None else rerank(result, ranking)
    values = ranked[["ward_code", "score", "rank", "why"]].merge(
        result.indicators.drop(columns=["ward_name", "local_authority_name"], errors="ignore"),
        on="ward_code",
        how="left",
    )
    if result.gi is not None:
        values = values.merge(result.gi[["ward_code", "gi_class"]], on="ward_code", how="left")
    else:
        values["gi_class"] = "Not significant"
    shapes = display_shapes(root, version, selection.area)
    table = pd.DataFrame(shapes[["ward_code", "ward_name", "local_authority_name"]]).merge(
        values, on="ward_code", how="left"
    )
    notes = (
        result.coverage.set_index("ward_code")["data_note"]
        if result.coverage is not None
        else pd.Series(dtype=object)
    )
    table["data_note"] = table["ward_code"].map(notes).astype(object).fillna("")
    return table.assign(
        rate=table["sv_rate"].astype(float).round(1),
        rank_text=table["rank"].map(lambda r: "" if pd.isna(r) else str(int(r))),
    )


@st.cache_resource(max_entries=64, show_spinner=False)
def map_layers(
    root: str,
    version: int,
    selection: Selection,
    indicator: str,
    ranking=None,
    rule: DisclosureRule | None = None,
    lang: str = "en",
) -> str:
    """The map's outlines and tooltip values for an indicator, as the JSON text the map
    component is sent (``dashboard.map_component.map_layers``) under the selection's
    ``ranking``; ``rule`` is the partner's disclosure rule (None for analysts). Built once
    per choice, so a restyling run sends it as is."""
    from dashboard.map_component import map_layers as layers
    from hotspots.i18n import translator
    from hotspots.outputs import map_data as mapping
    from hotspots.outputs.map_values import value_text

    frame = mapping.tooltip_frame(
        map_names(root, version, map_table(root, version, selection, ranking, rule), lang),
        indicator,
        rule,
    )
    tr = translator(lang)
    # Each ward's accessible name: "Ward name: value as shown" (the component adds the class).
    frame = frame.assign(
        aria=frame["ward_name"].astype(str) + ": " + value_text(frame, indicator, lang)
    )
    return layers(
        map_geometry(root, version, selection.area),
        frame,
        [(field, tr(label)) for field, label in mapping.tooltip_fields(indicator)],
        float_decimals=2,
        label_column="aria",
        areas=map_areas(root, version, selection.area, lang),
    )


@st.cache_resource(max_entries=16, show_spinner=False)
@long_lived
def map_areas(root: str, version: int, area: str | None, lang: str = "en") -> dict:
    """The local authorities over the map of an area: outlines (the wards dissolved by
    local authority code) and names (Welsh where the store has them and ``lang`` is
    "cy"), as ``dashboard.map_component.area_layer``."""
    from dashboard.map_component import area_layer
    from hotspots.outputs.map_encoding import encode_geometry
    from hotspots.outputs.map_geometry import area_outlines

    shapes = display_shapes(root, version, area)
    areas = area_outlines(shapes, "local_authority_code", "local_authority_name")
    welsh = _welsh_names(root, version)[1] if lang == "cy" else {}
    names = [
        welsh.get(code) or name
        for code, name in zip(
            areas["local_authority_code"], areas["local_authority_name"], strict=True
        )
    ]
    points = [(p.y, p.x) for p in areas["label_point"]]
    return area_layer(
        encode_geometry(areas.drop(columns="label_point"), "local_authority_code"), names, points
    )


@st.cache_resource(max_entries=64, show_spinner=False)
def classification(
    root: str,
    version: int,
    selection: Selection,
    column: str,
    scheme: str,
    k: int,
    ranking=None,
    rule: DisclosureRule | None = None,
):
    """``hotspots.outputs.map_data.classify`` of a map column (Fisher-Jenks takes ~0.1 s on 762
    wards, so it is done once per choice); for a partner's ``rule``, of the partner's
    values, counts through :func:`hotspots.outputs.map_classes.partner_classify`."""
    from hotspots.access.partner import TOTALS
    from hotspots.outputs import map_data as mapping
    from hotspots.outputs.map_classes import partner_classify
    from hotspots.stats.getis_ord import GI_CLASSES

    values = map_table(root, version, selection, ranking, rule)[column]
    if scheme == mapping.CATEGORIES:
        return mapping.classify(values, mapping.CATEGORIES, categories=list(GI_CLASSES))
    if rule is not None and column in TOTALS:
        return partner_classify(values, scheme, k, rule)
    return mapping.classify(values.astype(float), scheme, k)


@st.cache_resource(max_entries=8, show_spinner=False)
def area_choices(root: str, version: int) -> tuple[str, ...]:
    """``hotspots.geo.geography.area_choices`` of the store's wards (forces, then councils)."""
    from hotspots.geo.geography import area_choices as choices

    return tuple(choices(geography(root, version)))


@st.cache_resource(max_entries=8, show_spinner=False)
def welsh_names(root: str, version: int) -> dict[str, str]:
    """``hotspots.geo.geography.welsh_names`` of the store: Welsh ward, council and force
    names (shown on Welsh pages)."""
    from hotspots.geo.geography import welsh_names as names

    return names(geography(root, version))


def definitions() -> dict:
    """The definitions in ``geodata/definitions``, re-read only when a file changes."""
    from hotspots.definitions import DEFINITIONS_DIR

    stamp = tuple(
        (p.name, p.stat().st_mtime_ns, p.stat().st_size)
        for p in sorted(Path(DEFINITIONS_DIR).glob("*.toml"))
    )
    return _definitions(str(DEFINITIONS_DIR), stamp)


@st.cache_resource(max_entries=4, show_spinner=False)
def _definitions(directory: str, stamp: tuple) -> dict:
    from hotspots.definitions import load_definitions

    return load_definitions(Path(directory))


@st.cache_resource(max_entries=32, show_spinner=False)
def top_drug_wards(
    root: str, version: int, selection: Selection, n: int = 12, rule: DisclosureRule | None = None
) -> list[str]:
    """The ``n`` wards with most drug offences (the map's overlay)."""
    from hotspots.outputs.map_data import top_wards

    return top_wards(map_table(root, version, selection, rule=rule), "drugs_count", n)
