"""Map colours: ColorBrewer palettes, each ward's fill and the legend's entries.

Pure functions; inputs are never modified.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from hotspots.outputs.map_classes import Classification

__all__ = [
    "DIVERGING",
    "NO_DATA_COLOUR",
    "NO_DATA_LABEL",
    "SEQUENTIAL",
    "category_colours",
    "check_colour",
    "fill_colours",
    "legend_entries",
    "palette",
]

#: Fill and legend label for wards without a value.
NO_DATA_COLOUR = "#bdbdbd"
NO_DATA_LABEL = "No data"
#: ColorBrewer sequential palettes (Cynthia Brewer, colorbrewer2.org), light to dark, 3–9.
SEQUENTIAL: dict[str, dict[int, tuple[str, ...]]] = {
    "YlOrRd": {
        3: ("#ffeda0", "#feb24c", "#f03b20"),
        4: ("#ffffb2", "#fecc5c", "#fd8d3c", "#e31a1c"),
        5: ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"),
        6: ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"),
        7: ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"),
        8: ("#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"),
        9: (
            "#ffffcc",
            "#ffeda0",
            "#fed976",
            "#feb24c",
            "#fd8d3c",
            "#fc4e2a",
            "#e31a1c",
            "#bd0026",
            "#800026",
        ),
    },
    "Blues": {
        3: ("#deebf7", "#9ecae1", "#3182bd"),
        4: ("#eff3ff", "#bdd7e7", "#6baed6", "#2171b5"),
        5: ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"),
        6: ("#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"),
        7: ("#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594"),
        8: ("#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594"),
        9: (
            "#f7fbff",
            "#deebf7",
            "#c6dbef",
            "#9ecae1",
            "#6baed6",
            "#4292c6",
            "#2171b5",
            "#08519c",
            "#08306b",
        ),
    },
    "PuRd": {
        3: ("#e7e1ef", "#c994c7", "#dd1c77"),
        4: ("#f1eef6", "#d7b5d8", "#df65b0", "#ce1256"),
        5: ("#f1eef6", "#d7b5d8", "#df65b0", "#dd1c77", "#980043"),
        6: ("#f1eef6", "#d4b9da", "#c994c7", "#df65b0", "#dd1c77", "#980043"),
        7: ("#f1eef6", "#d4b9da", "#c994c7", "#df65b0", "#e7298a", "#ce1256", "#91003f"),
        8: ("#f7f4f9", "#e7e1ef", "#d4b9da", "#c994c7", "#df65b0", "#e7298a", "#ce1256", "#91003f"),
        9: (
            "#f7f4f9",
            "#e7e1ef",
            "#d4b9da",
            "#c994c7",
            "#df65b0",
            "#e7298a",
            "#ce1256",
            "#980043",
            "#67001f",
        ),
    },
}

#: ColorBrewer diverging red–blue, red first (hot spots first, as in the Gi* class order).
DIVERGING: dict[str, dict[int, tuple[str, ...]]] = {
    "RdBu": {
        3: ("#ef8a62", "#f7f7f7", "#67a9cf"),
        4: ("#ca0020", "#f4a582", "#92c5de", "#0571b0"),
        5: ("#ca0020", "#f4a582", "#f7f7f7", "#92c5de", "#0571b0"),
        6: ("#b2182b", "#ef8a62", "#fddbc7", "#d1e5f0", "#67a9cf", "#2166ac"),
        7: ("#b2182b", "#ef8a62", "#fddbc7", "#f7f7f7", "#d1e5f0", "#67a9cf", "#2166ac"),
        8: ("#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#d1e5f0", "#92c5de", "#4393c3", "#2166ac"),
        9: (
            "#b2182b",
            "#d6604d",
            "#f4a582",
            "#fddbc7",
            "#f7f7f7",
            "#d1e5f0",
            "#92c5de",
            "#4393c3",
            "#2166ac",
        ),
    },
}

_HEX = re.compile(r"#[0-9a-fA-F]{6}")


def check_colour(colour: object) -> str:
    """``colour`` when it is a ``#rrggbb`` string; ValueError otherwise."""
    if not isinstance(colour, str) or not _HEX.fullmatch(colour):
        raise ValueError(f"colours must be '#rrggbb' strings, got {colour!r}")
    return colour


def palette(name: str, k: int) -> tuple[str, ...]:
    """``k`` ColorBrewer colours of palette ``name`` (:data:`SEQUENTIAL` or
    :data:`DIVERGING`), light to dark (red to blue for diverging).

    ``k`` of 1 or 2 takes the ends (or the middle) of the 3-class palette.

    Raises
    ------
    ValueError
        Unknown palette or ``k`` outside 1–9.
    """
    table = SEQUENTIAL.get(name) or DIVERGING.get(name)
    if table is None:
        raise ValueError(f"unknown palette {name!r}; choose from {[*SEQUENTIAL, *DIVERGING]}")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= 9:
        raise ValueError(f"k must be an integer from 1 to 9, got {k!r}")
    if k >= 3:
        return table[int(k)]
    three = table[3]
    return (three[1],) if k == 1 else (three[0], three[2])


def category_colours(categories: Sequence[str], name: str = "RdBu") -> dict[str, str]:
    """Colours for ordered categories from a diverging palette, e.g. Gi* classes
    ("Hot spot 99%" … "Not significant" … "Cold spot 99%") → dark red … white … dark blue.

    Returns
    -------
    dict
        category → hex colour, in the order given (legend order).
    """
    categories = list(categories)
    return dict(zip(categories, palette(name, len(categories)), strict=True))


def fill_colours(
    class_index: Sequence[int] | pd.Series,
    colours: Sequence[str] | Mapping,
    missing: str = NO_DATA_COLOUR,
) -> list[str]:
    """The fill colour of each ward: ``colours[class]``, ``missing`` for class -1.

    ``colours`` is a sequence (one per class) or a mapping whose values are in class order
    (as returned by :func:`category_colours`).

    Raises
    ------
    ValueError
        A class has no colour or a colour is not ``#rrggbb``.
    """
    cols = list(colours.values()) if isinstance(colours, Mapping) else list(colours)
    for c in [*cols, missing]:
        check_colour(c)
    idx = np.asarray(class_index, dtype="int64")
    if len(idx) and idx.max(initial=-1) >= len(cols):
        raise ValueError(f"class {int(idx.max())} has no colour ({len(cols)} given)")
    return [missing if i < 0 else cols[i] for i in idx]


def legend_entries(
    classification: Classification, colours: Sequence[str] | Mapping, missing: str = NO_DATA_COLOUR
) -> list[tuple[str, str]]:
    """``(label, colour)`` per class, plus ``(NO_DATA_LABEL, missing)`` when a ward has no
    value — what the map and :func:`hotspots.outputs.map_folium.ward_map` draw as their legend."""
    cols = list(colours.values()) if isinstance(colours, Mapping) else list(colours)
    entries = list(zip(classification.labels, cols, strict=True))
    if bool((np.asarray(classification.class_index) < 0).any()):
        entries.append((NO_DATA_LABEL, missing))
    return entries
