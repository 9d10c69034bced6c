"""The folium map behind the downloadable map file (:mod:`hotspots.outputs.map_file`).

A folium page (no Streamlit): Leaflet is inlined, nothing comes from a CDN, no tiles are
shown unless asked for. Wards are coloured by a precomputed ``fill`` property
(:func:`hotspots.outputs.map_colours.fill_colours`), so no branca colour map and no d3; the
legend is a small HTML control. Outlines travel in the map's one encoding
(:func:`hotspots.outputs.map_encoding.encode_geometry`'s polylines, decoded by
``map_decode.js``). Tooltip values are HTML-escaped: folium's ``GeoJsonTooltip`` writes
them with ``innerHTML``. folium embeds data with Jinja's ``tojson``; :func:`map_html`
renders inside :func:`compact_json`, which switches folium's template environment to
compact separators for the duration (under a lock; the output is valid JSON either way).
"""

from __future__ import annotations

import contextlib
import html
import json
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import folium
from branca.element import MacroElement
from folium.template import Template
from folium.utilities import JsCode
from shapely.geometry import shape

from hotspots.outputs.map_colours import NO_DATA_COLOUR, check_colour
from hotspots.outputs.map_encoding import DECODE_JS, encode_rings

__all__ = [
    "BASE_TILES",
    "LEAFLET_CSS",
    "LEAFLET_JS",
    "compact_json",
    "encode_features",
    "legend_html",
    "map_html",
    "ward_map",
]

#: The app's own Leaflet (``static/leaflet`` next to ``app.py``).
STATIC_LEAFLET = Path(__file__).resolve().parents[2] / "static" / "leaflet"

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
            f'<span style="width:14px;height:12px;background:{check_colour(colour)};'
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
#: Builds the GeoJSON of :func:`encode_features` in the page from the one decoder.
_FEATURES_JS = """
function hotspotsDecode(enc) {
  return {type: "FeatureCollection", features: enc.codes.map(function (code, i) {
    var props = {};
    enc.k.forEach(function (k, j) { props[k] = enc.v[i][j]; });
    return {type: "Feature", properties: props, geometry: {type: "MultiPolygon",
            coordinates: enc.rings[i].map(function (poly) { return poly.map(function (r) {
              return hotspotsDecodeRing(r).map(function (p) { return [p[1], p[0]]; });
            }); })}};
  })};
}
"""

#: folium renders each layer's script through Jinja a second time, so "{" and "}" must
#: not reach it: polyline strings swap them for "!" and "$" (the decoder reads them back).
_NO_BRACES = str.maketrans({"{": "!", "}": "$"})


def encode_features(features: Sequence[dict]) -> dict:
    """Features in the map's one encoding: ``{"codes": [...], "rings": [...]}`` as
    :func:`hotspots.outputs.map_encoding.encode_geometry` makes them (braces swapped for
    "!" and "$"), with the property names once (``k``) and per ward their values (``v``)."""
    keys = sorted({k for f in features for k in (f.get("properties") or {})})
    codes, rings, values = [], [], []
    for f in features:
        props = f.get("properties") or {}
        codes.append(props.get("ward_code"))
        rings.append(
            [[r.translate(_NO_BRACES) for r in poly] for poly in encode_rings(shape(f["geometry"]))]
        )
        values.append([props.get(k) for k in keys])
    return {"codes": codes, "rings": rings, "k": keys, "v": values}


def _encoded_template() -> Template:
    """folium's GeoJson template, embedding the encoded data instead of the GeoJSON."""
    import inspect

    source = inspect.getsource(folium.features.GeoJson)
    text = re.search(r'_template = Template\(\s*"""(.*?)"""\s*\)', source, re.S).group(1)
    old = "{{ this.get_name() }}_add({{ this.data|tojson }});"
    if old not in text:  # pragma: no cover - guards a folium upgrade
        raise RuntimeError(
            "folium's GeoJson template changed; update hotspots/outputs/map_folium.py"
        )
    text = text.replace(
        old, "{{ this.get_name() }}_add(hotspotsDecode({{ this.encoded|tojson }}));"
    )
    # The decoder travels inside the layer's own script, so each layer is self-contained;
    # it holds no "{{", "{%" or "{#".
    head = "{% macro script(this, kwargs) %}"
    if head not in text:  # pragma: no cover - guards a folium upgrade
        raise RuntimeError(
            "folium's GeoJson template changed; update hotspots/outputs/map_folium.py"
        )
    return Template(
        text.replace(head, head + "{% raw %}" + DECODE_JS + _FEATURES_JS + "{% endraw %}", 1)
    )


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
    legend_in_map: bool = True,
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
    legend_in_map : bool, default True
        False: no legend control (the page shows the legend elsewhere).
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

    if legend_in_map and (entries or overlay_name):
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
        static = STATIC_LEAFLET
        js = (static / "leaflet.js").read_text(encoding="utf-8")
        js = js.replace("</script", "<\\/script")
        css = (static / "leaflet.css").read_text(encoding="utf-8")
        page = page.replace(f'<script src="{LEAFLET_JS}"></script>', f"<script>{js}</script>", 1)
        page = page.replace(
            f'<link rel="stylesheet" href="{LEAFLET_CSS}"/>', f"<style>{css}</style>", 1
        )
        if LEAFLET_JS in page or LEAFLET_CSS in page:  # pragma: no cover - folium upgrade
            raise RuntimeError(
                "folium's page template changed; update hotspots/outputs/map_folium.py"
            )
    return page
