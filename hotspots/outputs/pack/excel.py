"""The pack as an Excel workbook: the same content as the PDF and the page, with human
headings in the pack's language."""

from __future__ import annotations

import pandas as pd

from hotspots.outputs.exports import Sheet, excel_bytes
from hotspots.outputs.pack.method import method_items
from hotspots.outputs.pack.table import (
    NONE,
    change_lines,
    heading_lines,
    left_out_table,
    top_table,
)
from hotspots.outputs.pack.words import short_month, tr


def _numbers(table: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Cells of ``columns`` that are numbers as shown become numbers (Excel can add them);
    "—" and a partner's "<5" stay text."""
    out = table.copy()
    for c in columns:
        vals = []
        for v in out[c]:
            text = str(v).replace(",", "")
            try:
                vals.append(float(text) if "." in text else int(text))
            except ValueError:
                vals.append(v)
        out[c] = pd.Series(vals, index=out.index, dtype=object)
    return out


def pack_excel(pack) -> bytes:
    """The pack as an Excel workbook: sheets "Top wards", "Summary and changes", "By
    month" (when the pack has its figures) and "Method and data", in the pack's language.

    Written by :func:`hotspots.outputs.exports.excel_bytes`, the one writer of
    spreadsheets: text cells are never formulas; counts and rates stay numbers (rates to
    one decimal as shown); "—" marks an empty cell.
    """
    _ = tr(pack.lang)
    heads = heading_lines(pack)
    table = top_table(pack)
    cols = list(table.columns)
    table = _numbers(table, [cols[0], cols[4], cols[5], cols[6], cols[8]])
    item, value = _("Item"), _("Text")
    notes = [(_("Title"), pack.title)]
    notes += [(heads["summary"], line) for line in pack.summary]
    notes += [(heads["changes"], line) for line in change_lines(pack)]
    notes += [(heads["left_out"], line) for line in left_out_table(pack)]
    sheets = [
        Sheet(_("Top wards"), table, freeze=True),
        Sheet(
            _("Summary and changes"),
            pd.DataFrame(notes, columns=[item, value]),
            widths={"A": 34, "B": 140},
        ),
    ]
    if pack.figures is not None:
        fig = pack.figures
        names = {"area": pack.area_label}
        for i, (code, name) in enumerate(
            zip(pack.rows["ward_code"], pack.rows["ward_name"], strict=True), 1
        ):
            names[code] = f"{i}. {name}"
        series = fig.series_table(names)
        series.insert(0, _("Month"), [short_month(m, pack.lang) for m in series.pop("month")])
        series = series.astype(object).where(series.notna(), NONE)
        if fig.hidden_below:  # a partner's copy: a suppressed month shows the mark
            mark = f"<{fig.hidden_below}"
            for c in series.columns[1:]:
                series[c] = [
                    mark if not isinstance(v, str) and 0 < v < fig.hidden_below else v
                    for v in series[c]
                ]
        sheets.append(Sheet(_("By month"), series, freeze=True))
    sheets.append(
        Sheet(
            heads["method"],
            pd.DataFrame(method_items(pack), columns=[item, value]),
            widths={"A": 28, "B": 120},
        )
    )
    return excel_bytes(sheets, title=pack.title)
