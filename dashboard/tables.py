"""Ward tables as real HTML tables: every ward's name a link to its profile, the values as
the page shows them, column headings with their plain explanations under the table.

``st.dataframe`` draws its cells on a canvas: its cells are not links, and assistive
technology reads a hidden copy of the data. :func:`ward_table_html` builds the table the
map page, the Hotspot list, the monthly pack and the ward profile show instead:

* the ward's name is the row's heading (``<th scope="row">``) and a link to its profile,
  keeping the address's parameters (language, area, period, ranking);
* a caption names the table, and the region around it takes the keyboard's focus, so a
  keyboard user can scroll it (sideways on a phone: the page itself never scrolls
  sideways; the first columns — rank, ward and rate — show without scrolling);
* cells are text as shown: one decimal for rates, "46.6%", "Yes"/"No", "—" for none
  (never "None" or "nan"); every text is escaped, so a ward named
  ``<img src=x onerror=alert(1)>`` or ``=HYPERLINK(...)`` shows as those characters;
* headings stay at the top of a region that scrolls down, and each heading's one-line
  explanation is in the notes under the table (read by everyone, not in a tooltip).

Pure functions of their arguments (no Streamlit): pages call ``st.html`` with the result.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

import pandas as pd

__all__ = ["TABLE_CLASS", "Column", "cell_text", "sparkline_svg", "ward_table_html"]

#: The class of the scrolling region around each table (its style is in
#: :data:`dashboard.accessibility.STYLE`; the map's skip link and the tests find it by it).
TABLE_CLASS = "ward-table"
#: What an empty cell shows.
NONE = "—"
#: Spaces the shown values may be padded with (figure spaces sort percentages as text).
_PAD = " \u2007"
#: A cell of a table: left-aligned, a little room, a rule under each row.
_CELL = "text-align:left;vertical-align:top;padding:3px 6px;border-bottom:1px solid #d0d0d0"
#: Headings stay in view while the region scrolls down.
_STICKY = "position:sticky;top:0;background:#fff;z-index:1"
#: Numbers line up on the right and never wrap.
_NUM = _CELL.replace("text-align:left", "text-align:right") + ";white-space:nowrap"
#: A number column's heading: on the right, wrapping (a long heading must not push the
#: rate out of view on a phone)...
_NUM_HEAD = _CELL.replace("text-align:left", "text-align:right")
#: ... its words wrapping within this width (a table cell's own max-width is not kept).
_NUM_HEAD_TEXT = "display:inline-block;max-width:6.5em"
#: A ward's name wraps within a narrow column, so that the rate beside it shows on a phone.
_WARD = f"{_CELL};font-weight:400;min-width:8em;max-width:11em;overflow-wrap:break-word"
#: A column of long texts is given room (the region scrolls sideways) rather than being
#: squeezed into a word a line.
_LONG = f"{_CELL};min-width:22em"
#: Texts longer than this make a column "long".
_LONG_TEXT = 30
#: The caption stays at the region's left edge, wrapped to the window, when the table is
#: wider than the region and scrolls sideways.
_CAPTION_TEXT = (
    "position:sticky;left:6px;display:inline-block;max-width:calc(100vw - 4rem);white-space:normal"
)

KINDS = ("text", "count", "decimal", "trend")


@dataclass(frozen=True)
class Column:
    """One column of a ward table.

    Parameters
    ----------
    heading : str
        The heading shown (in the page's language).
    key : str
        The frame's column.
    help : str
        Its one-line explanation, shown in the notes under the table ("" for none).
    kind : str
        ``"text"`` (shown as given), ``"count"`` (a whole number, "1,234"), ``"decimal"``
        (one decimal, "12.3") or ``"trend"`` (a list of monthly values drawn as a small
        line, with the values in words for screen readers). Text in a number column (a
        partner's "<5") is shown as given.
    """

    heading: str
    key: str
    help: str = ""
    kind: str = "text"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"column {self.key!r}: kind {self.kind!r} is not one of {KINDS}")


def _gap(v) -> bool:
    if v is None:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def cell_text(value, kind: str = "text") -> str:
    """``value`` as a table shows it (not yet escaped): "—" for none, one decimal for a
    ``"decimal"`` column, "1,234" for a ``"count"``; text as given (padding removed)."""
    if isinstance(value, list | tuple):
        return ", ".join(cell_text(v, "count") for v in value) or NONE
    if _gap(value):
        return NONE
    if isinstance(value, str):
        return value.strip(_PAD) or NONE
    if isinstance(value, bool):
        return str(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if kind == "decimal":
        return f"{number:.1f}"
    if kind == "count" and number.is_integer():
        return f"{int(number):,}"
    return str(value)


def sparkline_svg(values: Sequence, width: int = 80, height: int = 20) -> str:
    """A small line of ``values`` (months), hidden from assistive technology: gaps
    (a month not loaded, a suppressed month shown as text) break the line."""
    nums = [
        float(v) if not _gap(v) and not isinstance(v, str) and not isinstance(v, bool) else None
        for v in values
    ]
    have = [v for v in nums if v is not None and math.isfinite(v)]
    if len(nums) < 2 or not have:
        return ""
    top = max(have) or 1.0
    step = (width - 2) / (len(nums) - 1)
    paths, run = [], []
    for i, v in enumerate(nums):
        if v is None or not math.isfinite(v):
            if run:
                paths.append(run)
            run = []
            continue
        run.append(f"{1 + i * step:.1f},{height - 1 - (height - 2) * v / top:.1f}")
    if run:
        paths.append(run)
    lines = "".join(
        f'<polyline points="{" ".join(p)}" fill="none" stroke="#1a4d8f" stroke-width="1.5"/>'
        if len(p) > 1
        else f'<circle cx="{p[0].split(",")[0]}" cy="{p[0].split(",")[1]}" r="1.5" fill="#1a4d8f"/>'
        for p in paths
    )
    return (
        f'<svg aria-hidden="true" focusable="false" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">{lines}</svg>'
    )


#: Text only screen readers read (the monthly values beside the line).
_SR_ONLY = (
    "position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;"
    "clip:rect(0 0 0 0);white-space:nowrap;border:0"
)


def _cell(value, column: Column, long: bool = False) -> str:
    if column.kind == "trend":
        values = list(value) if isinstance(value, list | tuple) else []
        words = cell_text(values) if values else NONE
        return (
            f'<td style="{_CELL};white-space:nowrap">{sparkline_svg(values)}'
            f'<span style="{_SR_ONLY}">{html.escape(words)}</span></td>'
        )
    style = _NUM if column.kind in ("count", "decimal") else _LONG if long else _CELL
    return f'<td style="{style}">{html.escape(cell_text(value, column.kind))}</td>'


def ward_table_html(
    rows: pd.DataFrame,
    columns: Sequence[Column],
    *,
    caption: str,
    link_query: Mapping[str, str],
    table_id: str,
    ward: str = "ward_name",
    code: str = "ward_code",
    notes_heading: str = "",
    max_height: str = "min(420px, 70vh)",
) -> str:
    """A ward table in a scrolling region that takes the keyboard focus; every text
    escaped.

    Parameters
    ----------
    rows : pandas.DataFrame
        One row per ward, in the order shown, with the ``ward`` and ``code`` columns and
        every column's ``key``.
    columns : sequence of Column
        The columns in order; the ``ward`` column is the row's heading and a link to the
        ward's profile (``profile?...&ward=CODE``).
    caption : str
        The table's caption (and the region's name).
    link_query : mapping
        The address's parameters kept in each profile link (``ward`` is replaced).
    table_id : str
        The region's id (the notes' ids start with it).
    notes_heading : str
        Said before the notes (e.g. "About the columns:"); the notes are left out when
        no column has one.
    max_height : str
        The region's greatest height (CSS) before it scrolls down.

    Returns
    -------
    str
        The region (with the table) followed by the notes.
    """
    if ward not in {c.key for c in columns}:
        raise ValueError(f"the columns must include the ward column {ward!r}")
    missing = [k for k in [code, *(c.key for c in columns)] if k not in rows.columns]
    if missing:
        raise ValueError(f"rows have no column {', '.join(map(repr, missing))}")
    tid = html.escape(table_id)
    keep = {k: v for k, v in dict(link_query).items() if k != "ward"}
    long = {
        c.key
        for c in columns
        if c.kind == "text"
        and c.key != ward
        and any(len(cell_text(v)) > _LONG_TEXT for v in rows[c.key].tolist())
    }
    head = []
    for c in columns:
        described = f' aria-describedby="{tid}-note-{html.escape(c.key)}"' if c.help else ""
        heading = html.escape(c.heading)
        if c.kind in ("count", "decimal"):
            align, heading = _NUM_HEAD, f'<span style="{_NUM_HEAD_TEXT}">{heading}</span>'
        else:
            align = _LONG if c.key in long else _CELL
        head.append(
            f'<th scope="col" data-col="{html.escape(c.key)}" style="{align};{_STICKY}"'
            f"{described}>{heading}</th>"
        )
    body = []
    for record in rows.to_dict("records"):
        cells = []
        for c in columns:
            if c.key == ward:
                href = "profile?" + urlencode({**keep, "ward": str(record[code])})
                cells.append(
                    f'<th scope="row" style="{_WARD}">'
                    f'<a href="{html.escape(href)}" target="_self">'
                    f"{html.escape(cell_text(record[ward]))}</a></th>"
                )
            else:
                cells.append(_cell(record[c.key], c, c.key in long))
        body.append(f"<tr>{''.join(cells)}</tr>")
    table = (
        f'<div id="{tid}" class="{TABLE_CLASS}" role="region" '
        f'aria-label="{html.escape(caption)}" tabindex="0" '
        # relative: the screen readers' hidden texts are placed (and clipped) inside it
        f'style="position:relative;max-height:{max_height};overflow:auto;'
        'border:1px solid #8a8a8a">'
        '<table style="width:100%;border-collapse:collapse;font-size:14px">'
        f'<caption style="text-align:left;font-weight:600;padding:4px 0">'
        f'<span style="{_CAPTION_TEXT}">{html.escape(caption)}</span></caption>'
        f"<thead><tr>{''.join(head)}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )
    noted = [c for c in columns if c.help]
    if not noted:
        return table
    items = "".join(
        f'<li id="{tid}-note-{html.escape(c.key)}"><strong>{html.escape(c.heading)}</strong>: '
        f"{html.escape(c.help)}</li>"
        for c in noted
    )
    lead = f'<p style="margin:6px 0 2px">{html.escape(notes_heading)}</p>' if notes_heading else ""
    return (
        f'{table}<div class="{TABLE_CLASS}-notes" style="font-size:14px">{lead}'
        f'<ul style="margin:0 0 8px 1.2em;padding:0">{items}</ul></div>'
    )
