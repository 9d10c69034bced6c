"""Write tables for people: CSV with a metadata sidecar (and, later, Excel and GeoJSON).

Cells that a spreadsheet would run as a formula (starting ``=``, ``+``, ``-``, ``@``)
are neutralised with a leading apostrophe in text columns.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from hotspots.dataset import WardData

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with text cells that start like a formula prefixed by ``'``."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            s = out[col].astype("string")
            hit = s.str.startswith(FORMULA_START).fillna(False)
            if hit.any():
                out[col] = s.mask(hit, "'" + s)
    return out


def ward_counts_table(data: WardData) -> pd.DataFrame:
    """The ``wards`` table: the declared columns, then a ``definition`` column that says
    when the definition is a proxy."""
    d = data.definition
    out = data.counts.copy()
    out["definition"] = f"{d.name} (proxy)" if d.proxy else d.name
    return out


def ward_counts_csv(data: WardData) -> bytes:
    """CSV bytes of :func:`ward_counts_table` (UTF-8, formulas neutralised)."""
    return neutralise_formulas(ward_counts_table(data)).to_csv(index=False).encode("utf-8")


def hotspot_list_csv(table: pd.DataFrame) -> bytes:
    """CSV bytes of a hotspot list (formulas neutralised); the CLI and dashboard share it."""
    return neutralise_formulas(table).to_csv(index=False, float_format="%.6g").encode("utf-8")


def write_ward_counts(data: WardData, out: Path) -> None:
    """Write the ward counts CSV and ``<out>.meta.json`` beside it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(ward_counts_csv(data))
    out.with_suffix(".meta.json").write_text(json.dumps(data.metadata(), indent=1),
                                             encoding="utf-8")
