"""The ward choropleth: maps that need no CDN and no tile server.

* Leaflet comes from the app itself (``static/leaflet``, served at ``/app/static/leaflet``
  with ``server.enableStaticServing``): folium's default CDN scripts and styles (Leaflet,
  jQuery, Bootstrap, Font Awesome, awesome-markers) are all dropped.
* No tiles by default; a base map can be offered as a layer the user switches on.
* Wards are coloured by a precomputed ``fill`` property
  (``hotspots.outputs.map_data.fill_colours``), so no branca colour map and no d3. The
  legend is a small HTML control in the map.
* Tooltip values are HTML-escaped: folium's ``GeoJsonTooltip`` writes them with
  ``innerHTML``.

Two ways to draw wards:

* In the dashboard, :func:`map_args` + :func:`render_ward_map`: our own Streamlit
  component (``map_component/``), fed outlines encoded once per area
  (``hotspots.outputs.map_data.encode_geometry``) and per run only colours and tooltip values. It
  answers only on a click. See docs/architecture.md.
* As a file people can keep or e-mail, :func:`ward_map` + :func:`map_html`: a folium map
  page, with Leaflet inlined on request so it opens with no server and no internet.
  folium embeds the GeoJSON with Jinja's ``tojson``; :func:`map_html` renders inside
  :func:`compact_json`, which switches folium's template environment to compact
  separators for the duration (under a lock; the output is valid JSON either way).
"""

from __future__ import annotations

import contextlib
import html
import json
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import folium
import numpy as np
import pandas as pd
from branca.element import MacroElement
from folium.template import Template
from folium.utilities import JsCode

from hotspots.outputs.map_data import NO_DATA_COLOUR, MapGeometry, display_values, encode_polyline

#: Where Streamlit serves Leaflet from (``static/leaflet`` next to ``app.py``).
LEAFLET_JS = "/app/static/leaflet/leaflet.js"
LEAFLET_CSS = "/app/static/leaflet/leaflet.css"

#: Optional base maps, off until the user ticks them in the layer control.
BASE_TILES: dict[str, tuple[str, str]] = {
    "OpenStreetMap": (
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
    ),
}

#: Ward outline and fill opacity; the hovered ward gets ``HOVER_STYLE``.
WARD_STYLE = {"color": "#636363", "weight": 0.6, "opacity": 1.0, "fillOpacity": 0.8}
HOVER_STYLE = {"color": "#000000", "weight": 2.5}
#: The drug-offence overlay: a dashed outline, not interactive (clicks reach the ward).
OVERLAY_STYLE = {
    "color": "#1b1b1b",
    "weight": 2.5,
    "dashArray": "5 4",
    "fill": False,
    "opacity": 1.0,
}

_HEX = re.compile(r"#[0-9a-fA-F]{6}")


class _Legend(MacroElement):
    """A Leaflet control holding pre-escaped legend HTML."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: "bottomright"});
        {{ this.get_name() }}.onAdd = function (map) {
            var div = L.DomUtil.create("div", "ward-map-legend");
            div.innerHTML = {{ this.html|tojson }};
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, legend_html: str):
        super().__init__()
        self._name = "WardMapLegend"
        self.html = legend_html


def _check_colour(colour: object) -> str:
    if not isinstance(colour, str) or not _HEX.fullmatch(colour):
        raise ValueError(f"colours must be '#rrggbb', got {colour!r}")
    return colour


def legend_html(
    title: str | None, entries: Sequence[tuple[str, str]], overlay_label: str | None = None
) -> str:
    """The legend as a small, self-contained HTML fragment (labels escaped).

    Parameters
    ----------
    title : str or None
        Heading, e.g. "Rate per 1,000".
    entries : sequence of (label, colour)
        One swatch per class, in order (``hotspots.outputs.map_data.legend_entries``).
    overlay_label : str, optional
        Adds a dashed-outline swatch for the overlay.

    Returns
    -------
    str
        HTML usable in the map (as here) or with ``st.html``.
    """
    rows = []
    for label, colour in entries:
        rows.append(
            '<div style="display:flex;align-items:center;gap:6px;margin:1px 0">'
            f'<span style="width:14px;height:12px;background:{_check_colour(colour)};'
            'border:1px solid #636363;display:inline-block"></span>'
            f"<span>{html.escape(str(label))}</span></div>"
        )
    if overlay_label:
        rows.append(
            '<div style="display:flex;align-items:center;gap:6px;margin:3px 0 1px">'
            '<span style="width:14px;height:10px;border:2px dashed #1b1b1b;'
            'display:inline-block"></span>'
            f"<span>{html.escape(overlay_label)}</span></div>"
        )
    head = (
        f'<div style="font-weight:600;margin-bottom:3px">{html.escape(title)}</div>'
        if title
        else ""
    )
    return (
        '<div style="background:rgba(255,255,255,0.92);padding:6px 8px;border-radius:4px;'
        'box-shadow:0 1px 4px rgba(0,0,0,0.3);font:12px/1.3 sans-serif;color:#222">'
        f"{head}{''.join(rows)}</div>"
    )


# ------------------------------------------------------------------ compact geometry
#: Decodes :func:`encode_features` in the browser (Google's polyline algorithm, 5 d.p.).
DECODE_JS = """
function hotspotsDecode(enc) {
  // "!" and "$" stand for "{" and "}" (which the page template must never see).
  function code(s, i) {
    var c = s.charCodeAt(i);
    return (c === 33 ? 123 : c === 36 ? 125 : c) - 63;
  }
  function line(s) {
    var i = 0, lat = 0, lng = 0, pts = [];
    while (i < s.length) {
      var b, shift = 0, r = 0;
      do { b = code(s, i++); r |= (b & 31) << shift; shift += 5; } while (b >= 32);
      lat += (r & 1) ? ~(r >> 1) : (r >> 1);
      shift = 0; r = 0;
      do { b = code(s, i++); r |= (b & 31) << shift; shift += 5; } while (b >= 32);
      lng += (r & 1) ? ~(r >> 1) : (r >> 1);
      pts.push([lng / 1e5, lat / 1e5]);
    }
    return pts;
  }
  return {type: "FeatureCollection", features: enc.f.map(function (row) {
    var props = {};
    enc.k.forEach(function (k, j) { props[k] = row[0][j]; });
    return {type: "Feature", properties: props, geometry: {type: "MultiPolygon",
            coordinates: row[1].map(function (poly) { return poly.map(line); })} };
  })};
}
"""


def _polyline(coords: Sequence[Sequence[float]]) -> str:
    """One ring as a Google polyline string (``hotspots.outputs.map_data.encode_polyline``) with
    "{" and "}" swapped for "!" and "$"."""
    return encode_polyline(np.asarray(coords, dtype=float)).translate(_NO_BRACES)


#: folium renders each layer's script through Jinja a second time, so "{" and "}" must
#: not reach it: polyline strings swap them for "!" and "$" (decoded in the page).
_NO_BRACES = str.maketrans({"{": "!", "}": "$"})


def encode_features(features: Sequence[dict]) -> dict:
    """Features as ``{"k": property keys, "f": [[values, [[ring, ...], ...]], ...]}``:
    property names once, rings as polyline strings — about a fifth of the GeoJSON."""
    keys = sorted({k for f in features for k in (f.get("properties") or {})})
    rows = []
    for f in features:
        g = f["geometry"]
        polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
        props = f.get("properties") or {}
        rows.append(
            [[props.get(k) for k in keys], [[_polyline(ring) for ring in poly] for poly in polys]]
        )
    return {"k": keys, "f": rows}


def _encoded_template() -> Template:
    """folium's GeoJson template, embedding the encoded data instead of the GeoJSON."""
    import inspect

    source = inspect.getsource(folium.features.GeoJson)
    text = re.search(r'_template = Template\(\s*"""(.*?)"""\s*\)', source, re.S).group(1)
    old = "{{ this.get_name() }}_add({{ this.data|tojson }});"
    if old not in text:  # pragma: no cover - guards a folium upgrade
        raise RuntimeError("folium's GeoJson template changed; update dashboard/map_component.py")
    text = text.replace(
        old, "{{ this.get_name() }}_add(hotspotsDecode({{ this.encoded|tojson }}));"
    )
    # The decoder travels inside the layer's own script, so each layer is self-contained;
    # it holds no "{{", "{%" or "{#".
    head = "{% macro script(this, kwargs) %}"
    if head not in text:  # pragma: no cover - guards a folium upgrade
        raise RuntimeError("folium's GeoJson template changed; update dashboard/map_component.py")
    return Template(text.replace(head, head + "{% raw %}" + DECODE_JS + "{% endraw %}", 1))


class EncodedGeoJson(folium.GeoJson):
    """A folium GeoJson layer shipped as :func:`encode_features` (decoded in the page).

    ``self.data`` keeps the full GeoJSON for bounds and tooltip checks; only the encoded
    form is written into the page.
    """

    _template = None  # set on first use

    def __init__(self, data: dict, **kwargs) -> None:
        super().__init__(data, **kwargs)
        self.encoded = encode_features(data["features"])
        if EncodedGeoJson._template is None:
            EncodedGeoJson._template = _encoded_template()


def _escaped_features(geojson: dict, fields: set[str]) -> list[dict]:
    """New feature dicts whose string ``fields`` are HTML-escaped (geometry shared, input
    untouched)."""
    out = []
    for feature in geojson["features"]:
        props = dict(feature.get("properties") or {})
        for f in fields:
            if isinstance(props.get(f), str):
                props[f] = html.escape(props[f])
        for k, v in props.items():  # never let "{{ … }}" reach folium's second Jinja pass
            if isinstance(v, str) and ("{" in v or "}" in v):
                props[k] = v.replace("{", "&#123;").replace("}", "&#125;")
        out.append({"type": "Feature", "properties": props, "geometry": feature["geometry"]})
    return out


def _style_js(value_field: str, style: Mapping) -> JsCode:
    return JsCode(
        "function (feature) { var p = feature.properties || {}; return Object.assign("
        f"{json.dumps(dict(style))}, {{fillColor: p[{json.dumps(value_field)}] || "
        f"{json.dumps(NO_DATA_COLOUR)}}}); }}"
    )


def _hover_js() -> JsCode:
    base = {k: WARD_STYLE[k] for k in ("color", "weight")}
    return JsCode(
        "function (feature, layer) { layer.on({"
        f"mouseover: function (e) {{ e.target.setStyle({json.dumps(HOVER_STYLE)}); }},"
        f"mouseout: function (e) {{ e.target.setStyle({json.dumps(base)}); }}"
        "}); }"
    )


def ward_map(
    geojson: dict,
    value_field: str = "fill",
    colours: Sequence[tuple[str, str]] | Mapping[str, str] | None = None,
    tooltip_fields: Sequence[tuple[str, str]] = (),
    overlay: dict | None = None,
    *,
    legend_title: str | None = None,
    base_tiles: str | None = None,
) -> folium.Map:
    """A folium map of ward polygons that loads nothing from outside the app.

    Parameters
    ----------
    geojson : dict
        From ``hotspots.outputs.map_data.to_geojson``; every feature has ``ward_code`` and
        ``value_field``. Not modified.
    value_field : str, default "fill"
        The property holding each ward's ``#rrggbb`` fill colour (missing → grey).
    colours : sequence of (label, colour) or mapping label → colour, optional
        Legend entries in order (``hotspots.outputs.map_data.legend_entries``). None: no legend.
    tooltip_fields : sequence of (field, label)
        Properties shown on hover, with their labels. Both are HTML-escaped.
    overlay : dict, optional
        The drug-offence overlay: ``{"name": str, "ward_codes": [...]}``. Those wards get a
        dashed outline in their own layer (a ``FeatureGroup`` the user can switch off).
    legend_title : str, optional
        Legend heading.
    base_tiles : str, optional
        A key of :data:`BASE_TILES`: offered as a layer that starts switched off (the map
        is readable without tiles; networks that block tile servers lose nothing).

    Returns
    -------
    folium.Map
        Leaflet from :data:`LEAFLET_JS` / :data:`LEAFLET_CSS`, no other scripts or styles,
        no tiles shown, fitted to the wards.

    Raises
    ------
    ValueError
        Malformed ``geojson``, a tooltip field or the overlay is malformed, unknown
        ``base_tiles``, bad colour.
    """
    if not isinstance(geojson, dict) or not isinstance(geojson.get("features"), list):
        raise ValueError("geojson must be a FeatureCollection dict")
    features = geojson["features"]
    if not features:
        raise ValueError("geojson has no features")
    keys = set((features[0].get("properties") or {}).keys())
    fields = [(str(f), str(label)) for f, label in tooltip_fields]
    missing = [f for f, _ in fields if f not in keys]
    if missing:
        raise ValueError(f"tooltip fields {missing} are not properties ({sorted(keys)})")
    if base_tiles is not None and base_tiles not in BASE_TILES:
        raise ValueError(f"unknown base_tiles {base_tiles!r}; choose from {list(BASE_TILES)}")
    entries = list(colours.items()) if isinstance(colours, Mapping) else list(colours or [])

    m = folium.Map(location=None, tiles=None, control_scale=True, zoom_snap=0.25)
    # Instance attributes: the class lists point at CDNs (Leaflet, jQuery, Bootstrap,
    # awesome-markers, Font Awesome, glyphicons). Keep Leaflet only, served locally.
    m.default_js = [("leaflet", LEAFLET_JS)]
    m.default_css = [("leaflet_css", LEAFLET_CSS)]

    if base_tiles is not None:
        url, attribution = BASE_TILES[base_tiles]
        folium.TileLayer(
            url,
            attr=attribution,
            name=f"{base_tiles} base map (internet)",
            overlay=True,
            control=True,
            show=False,
        ).add_to(m)

    data = {
        "type": "FeatureCollection",
        "features": _escaped_features(geojson, {f for f, _ in fields}),
    }
    tooltip = None
    if fields:
        tooltip = folium.GeoJsonTooltip(
            fields=[f for f, _ in fields],
            aliases=[html.escape(label) for _, label in fields],
            localize=True,
            sticky=True,
        )
    wards = EncodedGeoJson(
        data,
        name="Wards",
        control=False,
        tooltip=tooltip,
        style=_style_js(value_field, WARD_STYLE),
        on_each_feature=_hover_js(),
    )
    wards.add_to(m)

    overlay_name = None
    if overlay is not None:
        if not isinstance(overlay, dict) or "ward_codes" not in overlay:
            raise ValueError("overlay must be a dict with 'ward_codes' (and 'name')")
        overlay_name = str(overlay.get("name") or "Overlay")
        wanted = {str(c) for c in overlay["ward_codes"]}
        picked = [
            {
                "type": "Feature",
                "properties": {"ward_code": f["properties"]["ward_code"]},
                "geometry": f["geometry"],
            }
            for f in features
            if (f.get("properties") or {}).get("ward_code") in wanted
        ]
        group = folium.FeatureGroup(name=overlay_name, overlay=True, control=True, show=True)
        if picked:
            EncodedGeoJson(
                {"type": "FeatureCollection", "features": picked},
                name=overlay_name,
                control=False,
                interactive=False,
                style=JsCode(f"function () {{ return {json.dumps(OVERLAY_STYLE)}; }}"),
            ).add_to(group)
        group.add_to(m)

    if entries or overlay_name:
        _Legend(legend_html(legend_title, entries, overlay_name)).add_to(m)
    if base_tiles is not None or overlay_name:
        folium.LayerControl(collapsed=False).add_to(m)
    m.fit_bounds(wards.get_bounds())
    return m


_JSON_LOCK = threading.Lock()


@contextlib.contextmanager
def compact_json() -> Iterator[None]:
    """Render folium templates with compact JSON (no spaces after ``,`` and ``:``)."""
    env = folium.GeoJson._template.environment
    with _JSON_LOCK:
        old = env.policies.get("json.dumps_kwargs")
        env.policies["json.dumps_kwargs"] = {**(old or {}), "separators": (",", ":")}
        try:
            yield
        finally:
            env.policies["json.dumps_kwargs"] = old


def map_html(m: folium.Map, *, inline_leaflet: bool = False) -> str:
    """The standalone HTML page of ``m`` (compact JSON).

    Parameters
    ----------
    m : folium.Map
        From :func:`ward_map`.
    inline_leaflet : bool, default False
        Put Leaflet's script and style inside the page (about 150 KB more), so the file
        opens anywhere with no server and no internet — the map page's download.

    Returns
    -------
    str
    """
    with compact_json():
        page = m.get_root().render()
    if inline_leaflet:
        static = Path(__file__).resolve().parents[1] / "static" / "leaflet"
        js = (static / "leaflet.js").read_text(encoding="utf-8")
        js = js.replace("</script", "<\\/script")
        css = (static / "leaflet.css").read_text(encoding="utf-8")
        page = page.replace(f'<script src="{LEAFLET_JS}"></script>', f"<script>{js}</script>", 1)
        page = page.replace(
            f'<link rel="stylesheet" href="{LEAFLET_CSS}"/>', f"<style>{css}</style>", 1
        )
        if LEAFLET_JS in page or LEAFLET_CSS in page:  # pragma: no cover - folium upgrade
            raise RuntimeError("folium's page template changed; update dashboard/map_component.py")
    return page


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
    rows = _rows(geometry, frame, [f for f, _ in fields])
    values = display_values(rows, [f for f, _ in fields], float_decimals=float_decimals)
    return _dumps(
        {
            "geometry": geometry.encoded,
            "geometry_key": geometry.key,
            "bounds": [list(geometry.bounds[0]), list(geometry.bounds[1])],
            "codes": list(geometry.codes),
            "fields": [list(f) for f in fields],
            "values": values,
        }
    )


def map_style(
    geometry: MapGeometry,
    frame: pd.DataFrame,
    fill_column: str = "fill",
    overlay: dict | None = None,
    *,
    legend: str | None = None,
    base_tiles: str | None = None,
    height: int = 560,
) -> dict:
    """What changes from run to run: fill colours, overlay, legend, base map, height.

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
    rows = _rows(geometry, frame, [fill_column])
    fill = [
        NO_DATA_COLOUR if not isinstance(c, str) else _check_colour(c)
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
            js=(FRONTEND_DIR / "ward_map.js").read_text(encoding="utf-8"),
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
    from dashboard import caches as state
    from hotspots.outputs import map_data as mapping
    from hotspots.stats.getis_ord import GI_CLASSES

    column, kind, palette_name = mapping.MAP_INDICATORS[choice]
    if kind == "category":
        cls = state.classification(
            root, version, selection, column, mapping.CATEGORIES, 0, ranking, rule
        )
        colours = mapping.category_colours(list(GI_CLASSES))
    else:
        cls = state.classification(root, version, selection, column, scheme, k, ranking, rule)
        # No ward with a value (an area with no data): every ward grey, "No data".
        colours = mapping.palette(palette_name, len(cls.labels)) if cls.labels else ()
    table = state.map_table(root, version, selection, ranking, rule)
    fill = table[["ward_code"]].assign(fill=mapping.fill_colours(cls.class_index, colours))
    overlay = (
        {
            "name": "Drug offences: top 12 wards",
            "ward_codes": state.top_drug_wards(root, version, selection, 12, rule),
        }
        if overlay_on
        else None
    )
    return MapView(cls, colours, table, fill, overlay)


def file_notes(metadata: Mapping, choice: str, rule=None) -> list[str]:
    """What a downloaded map says about itself, one line each: what it shows, where and
    when, the definition (PROXY where it is one, and what an analyst accepted), months not
    loaded, small numbers, sources and licences (``metadata``: ``WardData.metadata()``)."""
    from hotspots.access.partner import suppression_note
    from hotspots.outputs.pack import ATTRIBUTION

    lines = [
        f"{choice} — {metadata.get('area') or 'all wards'}",
        f"Period {metadata.get('period')}; data up to {metadata.get('data_cut_off') or 'none'}",
        f"Definition: {metadata.get('definition_title') or metadata.get('definition')}"
        + (" — PROXY" if metadata.get("proxy") else ""),
        *[str(c) for c in metadata.get("definition_caveats") or []],
    ]
    missing = metadata.get("months_not_loaded") or []
    if missing:
        lines.append("Months not loaded (gaps, not zeros): " + ", ".join(map(str, missing)))
    if metadata.get("label"):
        lines.append(f"{str(metadata['label']).upper()}: invented places and crimes")
    lines += [suppression_note(rule), ATTRIBUTION]
    return lines


def _notes_html(lines: Sequence[str]) -> str:
    """``lines`` as a box in the map's corner (escaped: names are data); the first bold."""
    if not lines:
        return ""
    head, *rest = (html.escape(str(x)) for x in lines)
    return (
        '<div class="hotspots-notes" style="position:fixed;left:56px;top:8px;'
        "max-width:min(60ch,70vw);z-index:1000;background:#fff;color:#1b1b1b;"
        'font:12px/1.35 sans-serif;padding:6px 8px;border:1px solid #636363">'
        f"<strong>{head}</strong>" + "".join(f"<div>{x}</div>" for x in rest) + "</div>"
    )


def map_file(view: MapView, root: str, version: int, selection, choice: str, rule=None) -> str:
    """The map as one HTML file that opens with no server and no internet (made on click,
    from the same values the page shows), saying what it shows, the period, the definition
    (PROXY), months not loaded, small numbers, sources and licences."""
    from dashboard import caches as state
    from hotspots.outputs import map_data as mapping

    fields = mapping.tooltip_fields(choice)
    shapes = mapping.tooltip_frame(view.table, choice, rule).merge(view.fill, on="ward_code")
    outlines = state.display_shapes(root, version, selection.area)
    geojson = mapping.to_geojson(
        outlines[["ward_code", "geometry"]].merge(shapes, on="ward_code", how="left"),
        [name for name, _ in fields] + ["fill"],
        float_decimals=2,
    )
    m = ward_map(
        geojson,
        "fill",
        mapping.legend_entries(view.classification, view.colours),
        fields,
        view.overlay,
        legend_title=choice,
    )
    data = state.ward_data(root, version, selection, rule)
    m.get_root().html.add_child(
        folium.Element(_notes_html(file_notes(data.metadata(), choice, rule)))
    )
    return map_html(m, inline_leaflet=True)
