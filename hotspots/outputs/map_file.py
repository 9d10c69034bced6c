"""The map as one HTML file people can keep or e-mail: opens with no server and no internet.

The page (no Streamlit) reads like a handout: a heading with what the map shows and where,
the period, the definition (PROXY where it is one), months not loaded, small numbers, the
legend, source and licence — above the map, so nothing covers a ward — then the map
(:func:`hotspots.outputs.map_folium.ward_map`, Leaflet inlined). In English or Welsh.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import folium
import geopandas as gpd
import pandas as pd

from hotspots.access.partner import suppression_note
from hotspots.i18n import translator
from hotspots.outputs.map_colours import legend_entries
from hotspots.outputs.map_encoding import to_geojson
from hotspots.outputs.map_folium import legend_html, map_html, ward_map
from hotspots.outputs.map_values import tooltip_fields, tooltip_frame
from hotspots.outputs.pack import ATTRIBUTION

__all__ = ["file_notes", "file_title", "map_file_html"]

#: The page: the notes above the map, the map filling the rest of the window.
_LAYOUT = (
    "<style>html,body{height:100%;margin:0}"
    "body{display:flex;flex-direction:column;font:14px/1.4 sans-serif;color:#1b1b1b}"
    ".hotspots-notes{order:-1;flex:none;padding:8px 12px;border-bottom:1px solid #636363;"
    "max-height:45vh;overflow:auto}"
    ".hotspots-notes h1{font-size:20px;margin:0 0 4px}"
    ".hotspots-notes .hotspots-legend{margin-top:6px}"
    ".folium-map{flex:1 1 auto;min-height:320px;height:auto!important;position:relative}"
    "</style>"
)


def file_title(metadata: Mapping, choice: str, lang: str = "en") -> str:
    """The file's title: what it shows and where ("Violence (count) — Dyfed-Powys
    Police"; the area's key when no words are given)."""
    _ = translator(lang)
    area = metadata.get("area_label") or metadata.get("area") or _("all wards")
    return _("{indicator} — {area}").format(indicator=_(choice), area=area)


def file_notes(metadata: Mapping, choice: str, rule=None, lang: str = "en") -> list[str]:
    """What a downloaded map says about itself, one line each: its title, the period, the
    definition (PROXY where it is one, and what an analyst accepted), months not loaded,
    small numbers, source and licence (``metadata``: ``WardData.metadata()``)."""

    _ = translator(lang)
    definition = metadata.get("definition_title") or metadata.get("definition")
    lines = [
        file_title(metadata, choice, lang),
        _("Period {period}; data up to {cut_off}").format(
            period=metadata.get("period"), cut_off=metadata.get("data_cut_off") or _("none")
        ),
        _("Definition: {definition}").format(definition=definition)
        + (" — " + _("PROXY") if metadata.get("proxy") else ""),
        *[str(c) for c in metadata.get("definition_caveats") or []],
    ]
    missing = metadata.get("months_not_loaded") or []
    if missing:
        lines.append(
            _("Months not loaded (gaps, not zeros): {months}").format(
                months=", ".join(map(str, missing))
            )
        )
    if metadata.get("label"):
        lines.append(
            _("{label}: invented places and crimes").format(label=str(metadata["label"]).upper())
        )
    lines += [
        suppression_note(rule),
        _("Source and licence: {attribution}").format(attribution=ATTRIBUTION),
    ]
    return lines


def _notes_html(lines: Sequence[str], legend: str) -> str:
    """``lines`` above the map (escaped: names are data), the first as the heading, then the
    legend (already escaped by :func:`legend_html`)."""
    head, *rest = (html.escape(str(x)) for x in lines)
    return (
        f'<div class="hotspots-notes"><h1>{head}</h1>'
        + "".join(f"<div>{x}</div>" for x in rest)
        + f'<div class="hotspots-legend">{legend}</div></div>'
    )


def map_file_html(
    table: pd.DataFrame,
    fill: pd.DataFrame,
    classification,
    colours: Sequence[str] | Mapping,
    overlay: dict | None,
    shapes: gpd.GeoDataFrame,
    metadata: Mapping,
    choice: str,
    rule=None,
    lang: str = "en",
) -> str:
    """The map as one HTML file that opens with no server and no internet, from the values
    the map page shows: title, period, definition (PROXY), months not loaded, small
    numbers, legend, source and licence above the map.

    Parameters
    ----------
    table : pandas.DataFrame
        The map table (one row per ward; from the partner view for a partner).
    fill : pandas.DataFrame
        ``ward_code`` and ``fill`` (``#rrggbb``).
    classification : hotspots.outputs.map_classes.Classification
    colours : sequence or mapping
        The classes' colours, in class order.
    overlay : dict or None
        ``{"name", "ward_codes"}``: the drug-offence overlay.
    shapes : geopandas.GeoDataFrame
        The area's display shapes (``ward_code``, geometry in EPSG:4326).
    metadata : mapping
        ``WardData.metadata()`` of the selection (the partner's for a partner).
    choice : str
        A key of :data:`hotspots.outputs.map_values.MAP_INDICATORS`.
    rule : hotspots.access.disclosure.DisclosureRule, optional
        A partner's rule: small numbers suppressed in the tooltips.
    lang : str, default "en"
        "en" or "cy": the words of the page (names and values are data).
    """
    _ = translator(lang)
    fields = [(name, _(label)) for name, label in tooltip_fields(choice)]
    values = tooltip_frame(table, choice, rule).merge(fill, on="ward_code")
    geojson = to_geojson(
        shapes[["ward_code", "geometry"]].merge(values, on="ward_code", how="left"),
        [name for name, _label in fields] + ["fill"],
        float_decimals=2,
    )
    # The legend goes above the map with the notes (never over a ward), so none in the map.
    if overlay is not None:
        overlay = {**overlay, "name": _(str(overlay.get("name") or ""))}
    m = ward_map(geojson, "fill", None, fields, overlay, legend_in_map=False)
    entries = [(_(label), colour) for label, colour in legend_entries(classification, colours)]
    legend = legend_html(_(choice), entries, overlay["name"] if overlay else None)
    title = html.escape(file_title(metadata, choice, lang))
    root = m.get_root()
    root.header.add_child(folium.Element(f"<title>{title}</title>{_LAYOUT}"))
    root.html.add_child(
        folium.Element(_notes_html(file_notes(metadata, choice, rule, lang), legend))
    )
    page = map_html(m, inline_leaflet=True)
    return page.replace("<html>", f'<html lang="{"cy" if lang == "cy" else "en"}">', 1)
