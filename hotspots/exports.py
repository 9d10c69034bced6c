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
    if data.coverage is not None:  # why a ward's counts are empty ("no data", "counted with")
        out["data_note"] = out["ward_code"].map(
            data.coverage.set_index("ward_code")["data_note"]).fillna("")
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


def method_rows(metadata: dict) -> list[tuple[str, str]]:
    """The "Method and data" notes as (item, value) rows."""
    from hotspots.ranking import NORMALISATION

    def fmt(v) -> str:
        if isinstance(v, dict):
            return ", ".join(f"{k} {x:.0%}" if isinstance(x, float) else f"{k} {x}"
                             for k, x in v.items() if x)
        if isinstance(v, list | tuple):
            return ", ".join(map(str, v))
        return "" if v is None else str(v)

    order = [("definition_title", "Definition"), ("definition_note", "Definition type"),
             ("period", "Period"), ("data_cut_off", "Data cut-off (last month loaded)"),
             ("area", "Area"), ("weights", "Ranking weights"), ("preset", "Preset"),
             ("suppression", "Suppression"), ("sources", "Sources"),
             ("population_year", "Population year"), ("population_method", "Population"),
             ("harm_weights", "Harm weights"), ("label", "Data label"),
             ("months_loaded_note", "Months loaded"), ("months_not_loaded", "Months not loaded"),
             ("forces_without_data", "Forces without crimes loaded (no data)"),
             ("coverage_note", "Missing data")]
    rows = [(label, fmt(metadata.get(key))) for key, label in order if key in metadata]
    rows.append(("Normalisation", NORMALISATION))
    rows.append(("Licence", "Contains public sector information licensed under the Open "
                 "Government Licence v3.0; ONS boundaries and lookups © Crown copyright."))
    return rows


def hotspot_list_excel(table: pd.DataFrame, metadata: dict) -> bytes:
    """An Excel workbook: "Hotspots" (the list) and "Method and data"."""
    import io

    buf = io.BytesIO()
    safe = neutralise_formulas(table)
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        safe.to_excel(xl, sheet_name="Hotspots", index=False)
        pd.DataFrame(method_rows(metadata), columns=["Item", "Value"]).to_excel(
            xl, sheet_name="Method and data", index=False)
        for ws in xl.book.worksheets:
            for col in ws.columns:
                width = min(60, max(len(str(c.value or "")) for c in col[:50]) + 2)
                ws.column_dimensions[col[0].column_letter].width = width
    return buf.getvalue()


def hotspot_list_geojson(table: pd.DataFrame, wards) -> bytes:
    """GeoJSON (WGS84) of the hotspot list joined to ward boundaries."""
    import geopandas as gpd

    geo = wards[["ward_code", "geometry"]].merge(table, on="ward_code", how="inner")
    geo = gpd.GeoDataFrame(geo, geometry="geometry", crs=wards.crs).to_crs("EPSG:4326")
    for col in geo.columns:
        if col != "geometry" and str(geo[col].dtype) in ("Int64", "boolean"):
            geo[col] = geo[col].astype(object).where(geo[col].notna(), None)
    return geo.to_json(drop_id=True).encode("utf-8")
