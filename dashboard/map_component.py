"""The dashboard's ward map: a Streamlit component drawn in the page, no CDN, no tile server.

* Leaflet comes from the app itself (``static/leaflet``, served at ``/app/static/leaflet``
  with ``server.enableStaticServing``).
* Outlines are encoded once per area (:func:`hotspots.outputs.map_encoding.encode_geometry`,
  cached) and per run only colours and tooltip values are sent: :func:`map_layers` (cached
  by the app) + :func:`map_style` → :func:`map_data` → :func:`render_ward_map`. The
  component (``map_component/``) answers only on a click. See docs/architecture.md.
* The downloadable file is built by :mod:`hotspots.outputs.map_file` (no Streamlit);
  :func:`map_file` gathers its values from the app's caches.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from dashboard import caches as state
from hotspots.outputs import map_classes, map_colours
from hotspots.outputs.map_colours import NO_DATA_COLOUR, check_colour
from hotspots.outputs.map_encoding import DECODE_JS, MapGeometry, display_values
from hotspots.outputs.map_file import map_file_html
from hotspots.outputs.map_folium import BASE_TILES, LEAFLET_CSS, LEAFLET_JS, legend_html
from hotspots.outputs.map_values import MAP_INDICATORS
from hotspots.stats.getis_ord import GI_CLASSES

__all__ = [
    "MapView",
    "area_layer",
    "leaflet_urls",
    "legend_html",
    "map_args",
    "map_data",
    "map_file",
    "map_layers",
    "map_style",
    "map_view",
    "render_ward_map",
    "values_table_html",
]

# ------------------------------------------------------------------ the map component
#: The component's script and style (Leaflet itself comes from ``static/leaflet``).
FRONTEND_DIR = Path(__file__).resolve().parent / "map_component"
_COMPONENT = None


def leaflet_urls(base_url_path: str = "") -> dict[str, str]:
    """Where the browser finds the app's own Leaflet (``static/leaflet``), for a server
    whose ``server.baseUrlPath`` is ``base_url_path``."""
    base = "/" + "/".join(p for p in base_url_path.split("/") if p)
    prefix = base.rstrip("/")
    return {"js": f"{prefix}{LEAFLET_JS}", "css": f"{prefix}{LEAFLET_CSS}"}


def _rows(geometry: MapGeometry, frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """``frame``'s rows in the order of ``geometry.codes`` (missing wards: empty rows)."""
    missing = [c for c in ["ward_code", *columns] if c not in frame.columns]
    if missing:
        raise ValueError(f"frame has no column(s) {missing}")
    return (
        frame[["ward_code", *dict.fromkeys(c for c in columns if c != "ward_code")]]
        .drop_duplicates("ward_code")
        .set_index("ward_code")
        .reindex(list(geometry.codes))
    )


def _dumps(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def map_layers(
    geometry: MapGeometry,
    frame: pd.DataFrame,
    tooltip_fields: Sequence[tuple[str, str]] = (),
    *,
    float_decimals: int | None = 2,
    label_column: str | None = None,
    areas: Mapping | None = None,
) -> str:
    """The part of the map's data that changes only with the area and the values shown:
    outlines, ward codes and tooltip values, as JSON text (an app caches it, so a run that
    only restyles the map neither rebuilds nor re-encodes it).

    Parameters
    ----------
    geometry : hotspots.outputs.map_data.MapGeometry
        The area's encoded outlines (built once per area and store version).
    frame : pandas.DataFrame
        One row per ward with ``ward_code`` and the tooltip fields. Wards of ``geometry``
        missing here get empty tooltips. Not modified.
    tooltip_fields : sequence of (field, label)
        Shown on hover as text (never as HTML).
    float_decimals : int or None, default 2
        Rounding of float tooltip values.
    label_column : str, optional
        A column of ``frame`` holding each ward's accessible name without its class
        ("Ward name: value"); the component adds the class.
    areas : mapping, optional
        Outlines and names drawn over the wards (:func:`area_layer`).

    Returns
    -------
    str
        A JSON object (see ``map_component/ward_map.js``); :func:`map_data` adds a run's
        style to it.

    Raises
    ------
    ValueError
        A column is missing.
    """
    fields = [(str(f), str(label)) for f, label in tooltip_fields]
    extra = [label_column] if label_column else []
    rows = _rows(geometry, frame, [f for f, _ in fields] + extra)
    values = display_values(rows, [f for f, _ in fields], float_decimals=float_decimals)
    out = {
        "geometry": geometry.encoded,
        "geometry_key": geometry.key,
        "bounds": [list(geometry.bounds[0]), list(geometry.bounds[1])],
        "codes": list(geometry.codes),
        "fields": [list(f) for f in fields],
        "values": values,
    }
    if label_column:
        out["labels"] = [
            n if isinstance(n, str) and n else c
            for c, n in zip(geometry.codes, rows[label_column].tolist(), strict=True)
        ]
    if areas is not None:
        out["areas"] = dict(areas)
    return _dumps(out)


def area_layer(outlines: MapGeometry, names: Sequence[str], points: Sequence) -> dict:
    """Outlines and names drawn over the wards (local authorities), not clickable.

    Parameters
    ----------
    outlines : hotspots.outputs.map_encoding.MapGeometry
        The areas' outlines, encoded once.
    names : sequence of str
        One name per area, in ``outlines.codes``' order (shown as text, never HTML).
    points : sequence of (lat, lng)
        Where each name is written.
    """
    if not (len(names) == len(points) == len(outlines.codes)):
        raise ValueError("one name and one point per area")
    return {
        "key": outlines.key + "|" + "|".join(map(str, names)),
        "geometry": outlines.encoded,
        "names": [str(n) for n in names],
        "points": [[round(float(a), 5), round(float(b), 5)] for a, b in points],
    }


def map_style(
    geometry: MapGeometry,
    frame: pd.DataFrame,
    fill_column: str = "fill",
    overlay: dict | None = None,
    *,
    legend: str | None = None,
    base_tiles: str | None = None,
    height: int = 560,
    basemap=None,
    class_column: str | None = None,
    class_labels: Sequence[str] = (),
    text: Mapping[str, str] | None = None,
    skip_to: str | None = None,
    focus: str | None = None,
) -> dict:
    """What changes from run to run: fill colours, classes, overlay, legend, base map,
    height, the component's words, the skip link's target and a ward to zoom to.

    Parameters
    ----------
    geometry : hotspots.outputs.map_data.MapGeometry
        The outlines the colours are for.
    frame : pandas.DataFrame
        ``ward_code`` and ``fill_column`` (``#rrggbb``, from
        ``hotspots.outputs.map_data.fill_colours``); wards missing here are drawn
        grey. Not modified.
    fill_column : str, default "fill"
    overlay : dict, optional
        ``{"name": str, "ward_codes": [...]}``: dashed outlines (the drug overlay).
    legend : str, optional
        Legend HTML from :func:`legend_html`.
    base_tiles : str, optional
        A key of :data:`BASE_TILES`, offered as a layer that starts switched off.
    height : int, default 560
        Pixels.
    basemap : hotspots.outputs.basemap.Basemap, optional
        The operator's tile server: shown (the user can switch it off). None: no tiles.
    class_column : str, optional
        A column of ``frame`` with each ward's class (-1: no data), for its accessible name.
    class_labels : sequence of str
        The classes' labels (the legend's).
    text : mapping, optional
        The component's words (``region``, ``skip``, ``svg_title``, ``no_data``), translated.
    skip_to : str, optional
        The id of the element the skip link moves the focus to (no skip link when None).
    focus : str, optional
        A ward code to zoom to and focus (the ward search).

    Returns
    -------
    dict
        JSON-ready.

    Raises
    ------
    ValueError
        A column is missing, a colour is not ``#rrggbb``, the overlay is malformed or
        ``base_tiles`` is unknown.
    """
    if base_tiles is not None and base_tiles not in BASE_TILES:
        raise ValueError(f"unknown base_tiles {base_tiles!r}; choose from {list(BASE_TILES)}")
    if overlay is not None and (not isinstance(overlay, dict) or "ward_codes" not in overlay):
        raise ValueError("overlay must be a dict with 'ward_codes' (and 'name')")
    rows = _rows(geometry, frame, [fill_column] + ([class_column] if class_column else []))
    fill = [
        NO_DATA_COLOUR if not isinstance(c, str) else check_colour(c)
        for c in rows[fill_column].tolist()
    ]
    tiles = None
    if base_tiles is not None:
        url, attribution = BASE_TILES[base_tiles]
        tiles = {
            "url": url,
            "attribution": attribution,
            "name": f"{base_tiles} base map (internet)",
        }
    if basemap is not None:
        tiles = {
            "url": str(basemap.url),
            "attribution": html.escape(str(basemap.attribution)),
            "name": str(basemap.name),
            "on": True,
        }
    return {
        "fill": fill,
        "overlay": None
        if overlay is None
        else {
            "name": str(overlay.get("name") or "Overlay"),
            "codes": [str(c) for c in overlay["ward_codes"]],
        },
        "legend": legend,
        "tiles": tiles,
        "height": int(height),
        "classes": None
        if not class_column
        else [-1 if pd.isna(c) else int(c) for c in rows[class_column].tolist()],
        "class_labels": [str(c) for c in class_labels],
        "text": dict(text or {}),
        "skip_to": skip_to,
        "focus": focus,
    }


def map_data(layers: str, style: Mapping) -> str:
    """The map component's data for one run: :func:`map_layers`' JSON text and this run's
    :func:`map_style`, as one JSON object (text, so the large cached part is not encoded
    again on every run)."""
    if not (layers.startswith("{") and layers.endswith("}")):
        raise ValueError("layers must be the JSON object text of map_layers()")
    overlap = set(style) & {"geometry", "geometry_key", "bounds", "codes", "fields", "values"}
    if overlap:
        raise ValueError(f"style must not repeat the layers' keys {sorted(overlap)}")
    if not style:
        return layers
    return layers[:-1] + "," + _dumps(dict(style))[1:]


def map_args(
    geometry: MapGeometry,
    frame: pd.DataFrame,
    fill_column: str = "fill",
    tooltip_fields: Sequence[tuple[str, str]] = (),
    overlay: dict | None = None,
    *,
    legend: str | None = None,
    base_tiles: str | None = None,
    height: int = 560,
    float_decimals: int | None = 2,
) -> dict:
    """Everything the map component is sent, as one dict (:func:`map_layers` +
    :func:`map_style`; see those for the parameters). Pages use the two parts, caching
    the first; this is for one-off maps and tests.

    Returns
    -------
    dict
        JSON-ready arguments (see ``map_component/ward_map.js``).

    Raises
    ------
    ValueError
        As :func:`map_layers` and :func:`map_style`.
    """
    style = map_style(
        geometry, frame, fill_column, overlay, legend=legend, base_tiles=base_tiles, height=height
    )
    layers = map_layers(geometry, frame, tooltip_fields, float_decimals=float_decimals)
    return json.loads(map_data(layers, style))


def _ward_map_component():
    """The map component (Custom Components v2: drawn in the page, no iframe), made once
    per process; Streamlit registers it again with each new runtime."""
    global _COMPONENT
    if _COMPONENT is None:
        import streamlit as st

        _COMPONENT = st.components.v2.component(
            "hotspots.ward_map",
            js=DECODE_JS + (FRONTEND_DIR / "ward_map.js").read_text(encoding="utf-8"),
            css=(FRONTEND_DIR / "ward_map.css").read_text(encoding="utf-8"),
            isolate_styles=False,
        )
    return _COMPONENT


def _no_op() -> None:
    """Streamlit keeps a trigger value only for a component given its callback."""


def render_ward_map(data: dict | str, key: str, notify_drawn: bool = False) -> str | None:
    """Draw the map; return the ward code the user just clicked.

    ``data`` is :func:`map_data`'s JSON text (or :func:`map_args`' dict). Drawing,
    panning and zooming never make the page run again; a click does, once, and only that
    run sees the ward (a trigger value, reset after the run). With ``notify_drawn`` the
    page also runs once more as soon as the map is drawn, or could not be (pages/map.py:
    a session's first map, drawn before the controls).
    """
    import streamlit as st

    text = data if isinstance(data, str) else _dumps(data)
    leaflet = leaflet_urls(st.get_option("server.baseUrlPath") or "")
    extra = {"leaflet": leaflet, "notify_drawn": bool(notify_drawn)}
    result = _ward_map_component()(
        key=key, data=map_data(text, extra), on_ward_change=_no_op, on_drawn_change=_no_op
    )
    ward = getattr(result, "ward", None)
    return str(ward) if ward else None


class MapView(NamedTuple):
    """What the map page shows for a choice: classes, colours, the map table, each ward's
    fill and the overlay (all from the partner view when a partner's rule is given)."""

    classification: object
    colours: Sequence[str] | Mapping
    table: pd.DataFrame
    fill: pd.DataFrame
    overlay: dict | None


def map_view(
    root: str,
    version: int,
    selection,
    choice: str,
    scheme: str,
    k: int,
    overlay_on: bool,
    rule=None,
    *,
    ranking=None,
) -> MapView:
    """The map page's values for an indicator, scheme and class count (cached parts from
    :mod:`dashboard.caches`); ``rule``: a partner's disclosure rule; ``ranking``: the
    selection's ranking (the hotspot score), default preset when None."""

    column, kind, palette_name = MAP_INDICATORS[choice]
    if kind == "category":
        cls = state.classification(
            root, version, selection, column, map_classes.CATEGORIES, 0, ranking, rule
        )
        colours = map_colours.category_colours(list(GI_CLASSES))
    else:
        cls = state.classification(root, version, selection, column, scheme, k, ranking, rule)
        # No ward with a value (an area with no data): every ward grey, "No data".
        colours = map_colours.palette(palette_name, len(cls.labels)) if cls.labels else ()
    table = state.map_table(root, version, selection, ranking, rule)
    fill = table[["ward_code"]].assign(
        fill=map_colours.fill_colours(cls.class_index, colours),
        class_index=np.asarray(cls.class_index, dtype="int64"),
    )
    overlay = (
        {
            "name": "Drug offences: top 12 wards",
            "ward_codes": state.top_drug_wards(root, version, selection, 12, rule),
        }
        if overlay_on
        else None
    )
    return MapView(cls, colours, table, fill, overlay)


def map_file(
    view: MapView,
    root: str,
    version: int,
    selection,
    choice: str,
    rule=None,
    lang: str = "en",
    area_words: str | None = None,
) -> str:
    """The map as one HTML file (:func:`hotspots.outputs.map_file.map_file_html`), made on
    click from the same values the page shows (the partner view's for a partner);
    ``area_words``: the area as the page names it ("Heddlu De Cymru"), for its title."""

    return map_file_html(
        state.map_names(root, version, view.table, lang),
        view.fill,
        view.classification,
        view.colours,
        view.overlay,
        state.display_shapes(root, version, selection.area),
        _metadata_in(state.ward_data(root, version, selection, rule), lang, area_words),
        choice,
        rule,
        lang,
    )


def _metadata_in(data, lang: str, area_words: str | None = None) -> dict:
    """``data.metadata()`` with the definition's title in ``lang`` and the area in words
    (the map file is for people; the machine files keep the English and the key)."""
    meta = {**data.metadata(), "definition_title": data.definition.title_in(lang)}
    if area_words:
        meta["area_label"] = area_words
    return meta


def values_table_html(
    rows: pd.DataFrame,
    *,
    caption: str,
    headers: Sequence[str],
    link_query: Mapping[str, str],
    table_id: str,
) -> str:
    """The map as an HTML table (ward with a link to its profile, value, class), in a
    scrolling region that takes the keyboard focus; every text escaped
    (:func:`dashboard.tables.ward_table_html`).

    Parameters
    ----------
    rows : pandas.DataFrame
        :func:`hotspots.outputs.map_values.mapped_values`.
    caption : str
        The table's caption (and the region's name).
    headers : sequence of str
        Three column headings: ward, value, class.
    link_query : mapping
        The address's parameters kept in each profile link (``ward`` is added).
    table_id : str
        The region's id (the map's skip link moves the focus there).
    """
    from dashboard.tables import Column, ward_table_html

    if len(headers) != 3:
        raise ValueError("three headings: ward, value, class")
    columns = [
        Column(str(h), key)
        for key, h in zip(("ward_name", "value_text", "class_label"), headers, strict=True)
    ]
    return ward_table_html(rows, columns, caption=caption, link_query=link_query, table_id=table_id)
