"""The one writer of every table people download or the command line writes: CSV, Excel
and GeoJSON, with a metadata sidecar for CSV.

Text that came from files (ward, local authority and force names, categories…) is data.
A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or a
carriage return before one) as a formula, so every text cell written here that starts
with one of those gets a leading apostrophe (the OWASP rule for CSV injection), unless
the whole text is a plain number (``-2``). In Excel files every text cell is also stored
as a string, never a formula; numbers stay numbers. The command line and the dashboard
call the same functions, so their files are byte-identical.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from hotspots.i18n import N_, check_language, translator
from hotspots.stats.phrases import is_phrase, reason_text
from hotspots.stats.ranking import NORMALISATION
from hotspots.store.ward_data import WardData

#: What a text cell that a spreadsheet would run as a formula starts with.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
#: Characters an Excel (XML) cell cannot hold (openpyxl refuses them).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: The longest text an Excel cell holds.
EXCEL_MAX_CHARS = 32767


def neutralise(text: str) -> str:
    """``text`` with a leading ``'`` when a spreadsheet would run it as a formula."""
    if text.startswith(FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and column names) are :func:`neutralise`-d;
    numbers, missing values and other cells are left as they are."""
    out = frame.copy()
    out.columns = [neutralise(c) if isinstance(c, str) else c for c in out.columns]
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype(object)
        text = s.dtype == object or pd.api.types.is_string_dtype(s)
        if text and any(isinstance(v, str) and neutralise(v) != v for v in s):
            out[col] = pd.Series(
                [neutralise(v) if isinstance(v, str) else v for v in s], index=s.index, dtype=object
            )
    return out


#: CSV files are UTF-8 with a byte-order mark: Excel on Windows reads a CSV without one in
#: the computer's legacy code page, and "Bôn-y-maen" would open as "BÃ´n-y-maen". Python
#: (``encoding="utf-8-sig"``), pandas and R read the mark as what it is.
CSV_ENCODING = "utf-8-sig"


def csv_bytes(frame: pd.DataFrame, float_format: str | None = None) -> bytes:
    """CSV bytes (UTF-8 with a byte-order mark, no index) of ``frame`` with every text
    cell neutralised; the header keeps the documented machine column names.

    Lines end with LF; when a text cell holds a carriage return they end with CRLF, so
    that the cell is quoted (Python's csv module quotes only the characters of its line
    end, and a spreadsheet starts a new row at a bare CR: a cell ``"x\r=1+1"`` would
    otherwise put a live formula at the start of a row).
    """
    safe = neutralise_formulas(frame)
    cr = any(
        isinstance(v, str) and "\r" in v
        for col in safe.columns
        if safe[col].dtype == object or pd.api.types.is_string_dtype(safe[col])
        for v in safe[col]
    )
    cr = cr or any(isinstance(c, str) and "\r" in c for c in safe.columns)
    return safe.to_csv(
        index=False, float_format=float_format, lineterminator="\r\n" if cr else "\n"
    ).encode(CSV_ENCODING)


def excel_value(value):
    """One value as an Excel cell holds it: None for missing (and infinite) values,
    Python numbers, bools and datetimes as they are, anything else as neutralised text
    (characters Excel cannot hold become U+FFFD; text over :data:`EXCEL_MAX_CHARS` is
    cut there and ends with "…")."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, dt.datetime | dt.date):
        return value
    text = neutralise(_XML_ILLEGAL.sub("\ufffd", str(value)))
    if len(text) > EXCEL_MAX_CHARS:
        text = text[: EXCEL_MAX_CHARS - 1] + "…"
    return text


@dataclass(frozen=True)
class Sheet:
    """One worksheet: a title, a table, and how it is laid out.

    Parameters
    ----------
    title : str
        The sheet's name.
    frame : DataFrame
        The header row is the column names, then one row per row.
    widths : mapping of column letter to width, optional
        Fixed column widths; other columns fit their longest value (at most 60).
    freeze : bool
        Keep the header row in view.
    """

    title: str
    frame: pd.DataFrame
    widths: Mapping[str, float] = field(default_factory=dict)
    freeze: bool = False


def excel_bytes(sheets: Sequence[Sheet], title: str | None = None) -> bytes:
    """An Excel workbook of ``sheets`` (bold headers). Every cell goes through
    :func:`excel_value`; every text cell is stored as a string, never a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    for sheet in sheets:
        ws = wb.create_sheet(sheet.title)
        rows = [list(sheet.frame.columns), *sheet.frame.itertuples(index=False, name=None)]
        longest: dict[int, int] = {}
        for r, row in enumerate(rows, start=1):
            for c, raw in enumerate(row, start=1):
                value = excel_value(raw)
                cell = ws.cell(row=r, column=c)
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = "s"  # text, whatever it starts with
                if r == 1:
                    cell.font = bold
                if r <= 200 and value is not None:
                    longest[c] = max(longest.get(c, 0), len(str(value)))
        for c, n in longest.items():
            ws.column_dimensions[get_column_letter(c)].width = min(60, n + 2)
        for letter, width in sheet.widths.items():
            ws.column_dimensions[letter].width = width
        if sheet.freeze:
            ws.freeze_panes = "A2"
    if title is not None:
        wb.properties.title = excel_value(title)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def ward_counts_table(data: WardData) -> pd.DataFrame:
    """The ``wards`` table: the declared columns, then a ``definition`` column that says
    when the definition is a proxy."""
    d = data.definition
    out = data.counts.copy()
    out["definition"] = f"{d.name} (proxy)" if d.proxy else d.name
    if data.coverage is not None:  # why a ward's counts are empty ("no data", "counted with")
        out["data_note"] = (
            out["ward_code"].map(data.coverage.set_index("ward_code")["data_note"]).fillna("")
        )
    return out


def ward_counts_csv(data: WardData) -> bytes:
    """CSV bytes of :func:`ward_counts_table` (UTF-8, formulas neutralised)."""
    return csv_bytes(ward_counts_table(data))


def hotspot_list_csv(table: pd.DataFrame) -> bytes:
    """CSV bytes of a hotspot list (formulas neutralised); the CLI and dashboard share it."""
    return csv_bytes(table, float_format="%.6g")


def write_ward_counts(data: WardData, out: Path) -> None:
    """Write the ward counts CSV and ``<out>.meta.json`` beside it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(ward_counts_csv(data))
    out.with_suffix(".meta.json").write_text(
        json.dumps(data.metadata(), indent=1), encoding="utf-8"
    )


#: The hotspot list's columns as people read them: the Excel file's header row (the CSV
#: keeps the machine names, documented for scripts).
EXCEL_HEADERS = {
    "rank": N_("Rank"),
    "ward_code": N_("Ward code"),
    "ward_name": N_("Ward"),
    "local_authority_code": N_("Local authority code"),
    "local_authority_name": N_("Local authority"),
    "police_force": N_("Police force"),
    "population": N_("Residents"),
    "sv_count": N_("Serious violence (count)"),
    "sv_rate": N_("Serious violence per 1,000 residents"),
    "sv_rate_smoothed": N_("Smoothed rate per 1,000 (empirical Bayes)"),
    "drugs_count": N_("Drug offences (count)"),
    "drugs_rate": N_("Drug offences per 1,000 residents"),
    "harm_rate": N_("Harm-weighted rate per 1,000"),
    "dep_share_20": N_("Share of residents in the 20% most deprived areas"),
    "dep_most_deprived_rank": N_("Most deprived area's rank"),
    "score": N_("Hotspot score"),
    "comp_violence": N_("Score part: violence"),
    "comp_drugs": N_("Score part: drugs"),
    "comp_deprivation": N_("Score part: deprivation"),
    "comp_harm": N_("Score part: harm"),
    "rank_low": N_("Rank range (90%): from"),
    "rank_high": N_("Rank range (90%): to"),
    "p_top_n": N_("Chance of being in the top N"),
    "volatile": N_("Volatile rank"),
    "gi_z": N_("Gi* z-score"),
    "gi_p_fdr": N_("Gi* p-value (FDR corrected)"),
    "gi_class": N_("Hot spot test (Gi*)"),
    "moran_cluster": N_("Local Moran cluster"),
    "obs_exp_ratio": N_("Observed / expected"),
    "higher_than_deprivation_predicts": N_("More violence than deprivation predicts"),
    "months_in_top_n": N_("Months in the top N"),
    "months_loaded": N_("Months loaded"),
    "new_entrant": N_("New in the top N"),
    "emerging_class": N_("Emerging hot spot class"),
    "why": N_("Why it ranks here"),
    "data_note": N_("Data note"),
    "definition": N_("Definition"),
}


def excel_headers(columns, lang: str = "en") -> list[str]:
    """Human headers of ``columns`` in ``lang`` (a column without one keeps its name)."""
    _ = translator(lang)
    return [_(EXCEL_HEADERS[c]) if c in EXCEL_HEADERS else c for c in columns]


def method_rows(metadata: dict, lang: str = "en") -> list[tuple[str, str]]:
    """The "Method and data" notes as (item, value) rows, the items in ``lang``."""

    _ = translator(lang)

    def fmt(v) -> str:
        if isinstance(v, dict):
            return ", ".join(
                f"{k} {x:.0%}" if isinstance(x, float) else f"{k} {x}" for k, x in v.items() if x
            )
        if isinstance(v, list | tuple):
            return ", ".join(map(str, v))
        if is_phrase(v):  # the analysis' words (e.g. the harm weights' note), in ``lang``
            return reason_text(v, lang)
        return "" if v is None else str(v)

    order = [
        ("definition_title", N_("Definition")),
        ("definition_note", N_("Definition type")),
        ("period", N_("Period")),
        ("data_cut_off", N_("Data cut-off (last month loaded)")),
        ("area", N_("Area")),
        ("weights", N_("Ranking weights")),
        ("preset", N_("Preset")),
        ("suppression", N_("Suppression")),
        ("sources", N_("Sources")),
        ("population_year", N_("Population year")),
        ("population_method", N_("Population")),
        ("harm_weights", N_("Harm weights")),
        ("label", N_("Data label")),
        ("months_loaded_note", N_("Months loaded")),
        ("months_not_loaded", N_("Months not loaded")),
        ("forces_without_data", N_("Forces without crimes loaded (no data)")),
        ("coverage_note", N_("Missing data")),
    ]
    rows = [(_(label), fmt(metadata.get(key))) for key, label in order if key in metadata]
    rows.append((_("Normalisation"), _(NORMALISATION)))
    rows.append(
        (
            _("Licence"),
            _(
                "Contains public sector information licensed under the Open "
                "Government Licence v3.0; ONS boundaries and lookups © Crown copyright."
            ),
        )
    )
    return rows


#: Columns of the hotspot list that hold the analysis' phrases (English in the CSV).
PHRASE_COLUMNS = ("gi_class", "emerging_class", "why", "data_note")


def hotspot_list_excel(table: pd.DataFrame, metadata: dict, lang: str = "en") -> bytes:
    """An Excel workbook: "Hotspots" (the list, with human headers in ``lang``) and
    "Method and data"."""
    _ = translator(lang)
    human = table.copy()
    if check_language(lang) != "en":  # the analysis' phrases in words of the language
        for col in PHRASE_COLUMNS:
            if col in human.columns:
                human[col] = [reason_text(v, lang) for v in human[col]]
    human.columns = excel_headers(table.columns, lang)
    return excel_bytes(
        [
            Sheet(_("Hotspots"), human, freeze=True),
            Sheet(
                _("Method and data"),
                pd.DataFrame(method_rows(metadata, lang), columns=[_("Item"), _("Value")]),
            ),
        ]
    )


def hotspot_list_geojson(table: pd.DataFrame, wards) -> bytes:
    """GeoJSON (WGS84) of the hotspot list joined to ward boundaries (text properties
    neutralised as in CSV: GeoJSON is often opened in, or converted for, a spreadsheet)."""
    import geopandas as gpd

    geo = wards[["ward_code", "geometry"]].merge(
        neutralise_formulas(table), on="ward_code", how="inner"
    )
    geo = gpd.GeoDataFrame(geo, geometry="geometry", crs=wards.crs).to_crs("EPSG:4326")
    for col in geo.columns:
        if col != "geometry" and str(geo[col].dtype) in ("Int64", "boolean"):
            geo[col] = geo[col].astype(object).where(geo[col].notna(), None)
    return geo.to_json(drop_id=True).encode("utf-8")
