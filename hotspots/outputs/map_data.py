"""The ward map's public API, gathered from its modules (one concept each).

* :mod:`hotspots.outputs.map_geometry` — display shapes (coverage simplification).
* :mod:`hotspots.outputs.map_encoding` — the one outline encoding, GeoJSON, JSON values.
* :mod:`hotspots.outputs.map_classes` — classification schemes.
* :mod:`hotspots.outputs.map_colours` — palettes, fills, legend entries.
* :mod:`hotspots.outputs.map_values` — indicators, tooltip values (partner suppression),
  the overlay's wards.
* :mod:`hotspots.outputs.map_file` — the downloadable map file (no Streamlit), drawn by
  :mod:`hotspots.outputs.map_folium`.
* :mod:`hotspots.outputs.map_search` — the ward search (English and Welsh names).
* :mod:`hotspots.outputs.basemap` — the operator's optional base map.

The map page calls them in this order::

    shapes = display_geometry(wards)                      # once per boundary set (cache it)
    cls = classify(frame["rate"], "Quantiles", 5)         # or classify(gi, CATEGORIES, ...)
    colours = palette("YlOrRd", len(cls.labels))
    frame = frame.assign(fill=fill_colours(cls.class_index, colours))
    geometry = encode_geometry(shapes)                    # once per area (cache it)
"""

from hotspots.outputs.map_classes import CATEGORIES, SCHEMES, Classification, classify
from hotspots.outputs.map_colours import (
    DIVERGING,
    NO_DATA_COLOUR,
    NO_DATA_LABEL,
    SEQUENTIAL,
    category_colours,
    fill_colours,
    legend_entries,
    palette,
)
from hotspots.outputs.map_encoding import (
    MapGeometry,
    display_values,
    dumps_compact,
    encode_geometry,
    encode_polyline,
    payload_bytes,
    to_geojson,
)
from hotspots.outputs.map_geometry import (
    COORDINATE_DECIMALS,
    DEFAULT_RELATIVE_TOLERANCE,
    DEFAULT_TOLERANCE_M,
    DISPLAY_CRS,
    SIMPLIFICATION_METHODS,
    display_geometry,
)
from hotspots.outputs.map_values import (
    MAP_INDICATORS,
    TOOLTIP_FIELDS,
    tooltip_fields,
    tooltip_frame,
    top_wards,
)

__all__ = [
    "CATEGORIES",
    "COORDINATE_DECIMALS",
    "DEFAULT_RELATIVE_TOLERANCE",
    "DEFAULT_TOLERANCE_M",
    "DISPLAY_CRS",
    "DIVERGING",
    "MAP_INDICATORS",
    "NO_DATA_COLOUR",
    "NO_DATA_LABEL",
    "SCHEMES",
    "SEQUENTIAL",
    "SIMPLIFICATION_METHODS",
    "TOOLTIP_FIELDS",
    "Classification",
    "MapGeometry",
    "category_colours",
    "classify",
    "display_geometry",
    "display_values",
    "dumps_compact",
    "encode_geometry",
    "encode_polyline",
    "fill_colours",
    "legend_entries",
    "palette",
    "payload_bytes",
    "to_geojson",
    "tooltip_fields",
    "tooltip_frame",
    "top_wards",
]
