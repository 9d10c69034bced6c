"""The monthly targeting pack: the top wards for a partnership meeting, what changed since
the last *published* pack, a printable PDF and an Excel workbook in Welsh or English, and
an archive that keeps every published pack unchanged with a checksum.

One concept per module:

- :mod:`~hotspots.outputs.pack.cells` — declared columns, typed cells, months;
- :mod:`~hotspots.outputs.pack.words` and :mod:`~hotspots.outputs.pack.names` — the
  pack's words and place names in Welsh and English;
- :mod:`~hotspots.outputs.pack.model` — the pack and how it is built (:func:`build_pack`,
  :func:`assemble_pack`);
- :mod:`~hotspots.outputs.pack.summary` and :mod:`~hotspots.outputs.pack.method` — plain
  sentences and the method notes;
- :mod:`~hotspots.outputs.pack.figures` — what the map and the trend charts show;
- :mod:`~hotspots.outputs.pack.table` — the tables as a meeting reads them;
- :mod:`~hotspots.outputs.pack.pdf` (with :mod:`~hotspots.outputs.pack.drawing`, its map and
  charts) and :mod:`~hotspots.outputs.pack.excel` — renderings;
- :mod:`~hotspots.outputs.pack.archive` — publishing (with a lock) and the JSON document.
"""

from hotspots.outputs.pack.archive import FORMAT, PackArchive, pack_json
from hotspots.outputs.pack.cells import CHANGE_COLUMNS, PACK_COLUMNS, pack_period
from hotspots.outputs.pack.excel import pack_excel
from hotspots.outputs.pack.figures import (
    PackFigures,
    map_inset_ranks,
    map_inset_svg,
    map_svg,
    page_map_crowd,
)
from hotspots.outputs.pack.method import method_items
from hotspots.outputs.pack.model import (
    REQUIRED_HOTSPOT_COLUMNS,
    REQUIRED_METADATA,
    REQUIRED_TREND_COLUMNS,
    Pack,
    PackSettings,
    PublishedPack,
    assemble_pack,
    build_pack,
    pack_metadata,
    persistence,
    persistence_window,
)
from hotspots.outputs.pack.names import welsh_names
from hotspots.outputs.pack.pdf import DEJAVU, latin1_safe, pack_pdf
from hotspots.outputs.pack.summary import (
    ATTRIBUTION,
    DRUGS_RULE,
    RANK_CHANGE_RULE,
    SUPPRESSION_NOTE,
    summary_lines,
)
from hotspots.outputs.pack.table import top_table
from hotspots.outputs.pack.words import month_name, ordinal
from hotspots.slugs import folder_slug as slug

__all__ = [
    "ATTRIBUTION",
    "CHANGE_COLUMNS",
    "DEJAVU",
    "DRUGS_RULE",
    "FORMAT",
    "PACK_COLUMNS",
    "RANK_CHANGE_RULE",
    "REQUIRED_HOTSPOT_COLUMNS",
    "REQUIRED_METADATA",
    "REQUIRED_TREND_COLUMNS",
    "SUPPRESSION_NOTE",
    "Pack",
    "PackArchive",
    "PackFigures",
    "PackSettings",
    "PublishedPack",
    "assemble_pack",
    "build_pack",
    "latin1_safe",
    "map_inset_ranks",
    "map_inset_svg",
    "map_svg",
    "method_items",
    "month_name",
    "ordinal",
    "pack_excel",
    "pack_json",
    "pack_metadata",
    "pack_pdf",
    "pack_period",
    "page_map_crowd",
    "persistence",
    "persistence_window",
    "slug",
    "summary_lines",
    "top_table",
    "welsh_names",
]
