"""The pack as a printable PDF: A4 landscape, at most four pages for a top 12.

Page 1: what the pack is (title, period, definition — PROXY where it is one — data
cut-off, source and licence), the summary in sentences and a map of the area with the
listed wards numbered by rank and the local authorities outlined. Page 2: serious violence
by month for the area and for each listed ward (months not loaded are gaps), changes since
the last published pack and the wards left out. Then the table and the method notes. The
footer of every page carries the area, the period, the page number and the page count.

The map and charts are drawn with the PDF's own lines (no image library), and the file is
dated by its meeting month, so the same pack always gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

from hotspots.outputs.pack.figures import PackFigures, label_point
from hotspots.outputs.pack.method import cut_off_words, method_items, period_words
from hotspots.outputs.pack.summary import SOURCE_LINE, definition_line
from hotspots.outputs.pack.table import (
    change_lines,
    heading_lines,
    left_out_table,
    table_headings,
    top_table,
)
from hotspots.outputs.pack.words import force_name, join, month_words, short_month, tr

#: Unicode font embedded in the PDF when it exists (else Helvetica with Latin-1 text).
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

_PUNCTUATION = {
    "–": "-",
    "—": "-",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "…": "...",
    "≥": ">=",
    "≤": "<=",
    "→": "->",
    "•": "-",
    "×": "x",
    "−": "-",
    "·": "-",
}
_RED = (178, 24, 43)
_FILL = (244, 165, 130)
_GREY = (110, 110, 110)


def latin1_safe(text: str) -> str:
    """``text`` in Latin-1 for PDF core fonts: Latin-1 characters kept (â, ê, ô...), others
    (ŵ, ŷ) without their accents, typographic punctuation as ASCII, anything else "?"."""
    out = []
    for ch in str(text):
        ch = _PUNCTUATION.get(ch, ch)
        try:
            ch.encode("latin-1")
        except UnicodeEncodeError:
            base = "".join(
                c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)
            )
            try:
                base.encode("latin-1")
                ch = base or "?"
            except UnicodeEncodeError:
                ch = "?"
        out.append(ch)
    return "".join(out)


def footer_text(pack) -> str:
    """What every page's footer says before its page number."""
    label = str(pack.metadata.get("label") or "").upper()
    proxy = " (PROXY)" if pack.proxy else ""
    return " · ".join(
        x for x in (pack.area_label, period_words(pack), pack.definition + proxy, label) if x
    )


def page_label(lang: str) -> str:
    """ "page {page} of {pages}" in ``lang``."""
    return tr(lang)("page {page} of {pages}")


class _Drawing:
    """The PDF being written, with the pack's font and text rule."""

    def __init__(self, pack, font_path) -> None:
        from fpdf import FPDF

        unicode_font = font_path is not None and Path(font_path).is_file()
        self.text = (lambda s: str(s)) if unicode_font else latin1_safe
        family = "DejaVu" if unicode_font else "Helvetica"
        self.family = family
        footer = self.text(footer_text(pack))
        pages = page_label(pack.lang)
        text = self.text

        class _PDF(FPDF):
            def footer(self) -> None:
                self.set_y(-10)
                self.set_font(family, "", 7.5)
                self.set_text_color(80)
                label = pages.format(page=self.page_no(), pages="{nb}")
                self.cell(0, 5, text(f"{footer} · {label}"), align="C")
                self.set_text_color(0)

        pdf = _PDF(orientation="L", unit="mm", format="A4")
        pdf.set_margins(10, 10, 10)
        pdf.set_auto_page_break(True, margin=14)
        if unicode_font:
            path = Path(font_path)
            bold = path.with_name(path.stem + "-Bold" + path.suffix)
            pdf.add_font(family, "", path)
            pdf.add_font(family, "B", bold if bold.is_file() else path)
        self.pdf = pdf

    def para(self, s: str, size: float = 9, style: str = "", w: float = 0, h: float = 4.5):
        pdf = self.pdf
        pdf.set_font(self.family, style, size)
        pdf.multi_cell(w or pdf.epw, h, self.text(s), align="L", new_x="LEFT", new_y="NEXT")

    def heading(self, s: str, size: float = 12) -> None:
        self.pdf.ln(1.5)
        self.para(s, size=size, style="B", h=6)


def _draw_map(d: _Drawing, fig: PackFigures, x: float, y: float, w: float, h: float) -> float:
    """The map fitted in the box; returns the height used."""
    pdf = d.pdf
    minx, miny, maxx, maxy = fig.bounds
    scale = min(w / max(maxx - minx, 1.0), h / max(maxy - miny, 1.0))
    used_w, used_h = (maxx - minx) * scale, (maxy - miny) * scale
    x0 = x + (w - used_w) / 2

    def at(px: float, py: float) -> tuple[float, float]:
        return x0 + (px - minx) * scale, y + (maxy - py) * scale

    listed = {c: i + 1 for i, c in enumerate(fig.listed)}
    pdf.set_line_width(0.1)
    pdf.set_draw_color(185)
    for s in fig.wards:
        if s.code in listed:
            pdf.set_fill_color(*_FILL)
        else:
            pdf.set_fill_color(247)
        for ring in s.rings:
            pdf.polygon([at(*p) for p in ring], style="DF")
    pdf.set_draw_color(40)
    pdf.set_line_width(0.45)
    for s in fig.authorities:
        for ring in s.rings:
            pdf.polygon([at(*p) for p in ring], style="D")
    pdf.set_draw_color(*_RED)
    pdf.set_line_width(0.35)
    for s in fig.wards:
        if s.code in listed:
            for ring in s.rings:
                pdf.polygon([at(*p) for p in ring], style="D")
    pdf.set_font(d.family, "", 6)
    pdf.set_text_color(*_GREY)
    for s in fig.authorities:
        if s.code not in fig.label_points or not s.rings:
            continue
        xs = [p[0] for r in s.rings for p in r]
        tw = pdf.get_string_width(d.text(s.name))
        if tw > (max(xs) - min(xs)) * scale * 0.6:  # too small on this map to name
            continue
        lx, ly = at(*fig.label_points[s.code])
        pdf.text(lx - tw / 2, ly, d.text(s.name))
    pdf.set_text_color(0)
    pdf.set_font(d.family, "B", 6.5)
    anchors = [at(*label_point(fig, code)) for code in listed]
    spots = spread_labels(anchors, 2.1, (x, y, x + w, y + h))
    pdf.set_line_width(0.2)
    pdf.set_draw_color(60)
    for (ax, ay), (lx, ly) in zip(anchors, spots, strict=True):
        if abs(ax - lx) + abs(ay - ly) > 0.5:
            pdf.line(ax, ay, lx, ly)
    pdf.set_line_width(0.25)
    pdf.set_draw_color(*_RED)
    pdf.set_fill_color(255)
    for k, (lx, ly) in enumerate(spots, 1):
        pdf.circle(lx, ly, 1.9, style="DF")
        tw = pdf.get_string_width(str(k))
        pdf.text(lx - tw / 2, ly + 0.8, str(k))
    pdf.set_draw_color(0)
    pdf.set_line_width(0.2)
    return used_h


def spread_labels(
    points: list[tuple[float, float]], radius: float, box: tuple[float, float, float, float]
) -> list[tuple[float, float]]:
    """Label positions near ``points`` with no two closer than ``2 * radius`` (pushed apart
    a little at a time, kept inside ``box``); deterministic."""
    spots = [list(p) for p in points]
    gap = 2 * radius + 0.4
    for _round in range(200):
        moved = False
        for i in range(len(spots)):
            for j in range(i + 1, len(spots)):
                dx = spots[j][0] - spots[i][0]
                dy = spots[j][1] - spots[i][1]
                dist = (dx * dx + dy * dy) ** 0.5
                if dist >= gap:
                    continue
                if dist < 1e-6:
                    dx, dy, dist = 1.0, 0.3 * (j - i), (1 + 0.09 * (j - i) ** 2) ** 0.5
                push = (gap - dist) / 2 + 0.05
                ux, uy = dx / dist, dy / dist
                spots[i][0] -= ux * push
                spots[i][1] -= uy * push
                spots[j][0] += ux * push
                spots[j][1] += uy * push
                moved = True
        for p in spots:
            p[0] = min(max(p[0], box[0] + radius), box[2] - radius)
            p[1] = min(max(p[1], box[1] + radius), box[3] - radius)
        if not moved:
            break
    return [(p[0], p[1]) for p in spots]


def _axis_max(values) -> float:
    top = max([v for v in values if v is not None] or [1.0])
    return max(top * 1.1, 1.0)


def _draw_series(
    d: _Drawing,
    values,
    x: float,
    y: float,
    w: float,
    h: float,
    *,
    top: float,
    hidden_below: int | None = None,
    width: float = 0.5,
) -> None:
    """One line over equally spaced months; None is a gap (the line stops)."""
    pdf = d.pdf
    n = len(values)
    step = w / max(n - 1, 1)

    def at(i: int, v: float) -> tuple[float, float]:
        return x + i * step, y + h - (v / top) * h

    if hidden_below:
        band = min((hidden_below - 1) / top, 1.0) * h
        pdf.set_fill_color(228)
        pdf.rect(x, y + h - band, w, band, style="F")
    pdf.set_draw_color(170)
    pdf.set_line_width(0.1)
    pdf.line(x, y + h, x + w, y + h)
    pdf.set_draw_color(*_RED)
    pdf.set_fill_color(*_RED)
    pdf.set_line_width(width)
    run: list[tuple[float, float]] = []
    for i, v in enumerate([*values, None]):
        if v is None:
            if len(run) > 1:
                pdf.polyline(run)
            for px, py in run:
                pdf.circle(px, py, width * 0.9, style="F")
            run = []
        else:
            run.append(at(i, v))
    pdf.set_draw_color(0)
    pdf.set_line_width(0.2)


def _draw_trend(d: _Drawing, pack, x: float, y: float, w: float, h: float) -> None:
    """The area's serious violence by month, with an axis, month labels and gaps marked."""
    pdf = d.pdf
    _ = tr(pack.lang)
    fig = pack.figures
    values = fig.area_series
    top = _axis_max(values)
    n = len(values)
    step = w / max(n - 1, 1)
    pdf.set_draw_color(160)
    pdf.set_line_width(0.15)
    pdf.set_font(d.family, "", 6.5)
    pdf.set_text_color(*_GREY)
    for frac in (0.0, 0.5, 1.0):
        ty = y + h - frac * h
        pdf.line(x, ty, x + w, ty)
        label = f"{top * frac:,.0f}"
        pdf.text(x - pdf.get_string_width(label) - 1, ty + 1, label)
    every = max(1, (n + 11) // 12)
    for i, m in enumerate(fig.months):
        if values[i] is None:
            pdf.set_fill_color(238)
            pdf.rect(x + i * step - step / 2 if n > 1 else x, y, step if n > 1 else w, h, style="F")
        if i % every == 0:
            label = d.text(short_month(m, pack.lang))
            pdf.text(x + i * step - pdf.get_string_width(label) / 2, y + h + 3.5, label)
    pdf.set_text_color(0)
    _draw_series(d, values, x, y, w, h, top=top, width=0.7)
    pdf.set_xy(x - 8, y + h + 5)
    notes = []
    if any(v is None for v in values):
        notes.append(_("Grey: a month with no crimes loaded for a force (a gap, not zero)."))
    if fig.hidden_below:
        notes.append(
            _(
                "Partner figures: suppressed counts are taken as the stand-in value. Grey band "
                "in a ward's line: fewer than {n} offences, drawn at the stand-in value, not "
                "the count."
            ).format(n=fig.hidden_below)
        )
    forces = join([force_name(f, pack.lang) for f in fig.forces_counted], pack.lang)
    if forces:
        notes.append(_("Counted: wards of {forces}.").format(forces=forces))
    d.para(" ".join(notes), size=7, w=w + 8, h=3.5)


def _draw_small_multiples(d: _Drawing, pack, x: float, y: float, w: float, h: float) -> None:
    """A small line per listed ward, its own scale, its highest month written."""
    pdf = d.pdf
    _ = tr(pack.lang)
    fig = pack.figures
    cols = 4
    rows = max(1, -(-len(fig.listed) // cols))
    cw, ch = w / cols, h / rows
    names = dict(zip(pack.rows["ward_code"], pack.rows["ward_name"], strict=True))
    for i, code in enumerate(fig.listed):
        cx, cy = x + (i % cols) * cw, y + (i // cols) * ch
        values = fig.ward_series.get(code, ())
        known = [v for v in values if v is not None]
        pdf.set_font(d.family, "", 5.5)
        if known:
            peak = max(known)
            peak_text = (
                f"<{fig.hidden_below}"
                if fig.hidden_below and 0 < peak < fig.hidden_below
                else f"{peak:,.0f}"
            )
            note = d.text(_("max {v}").format(v=peak_text))
        else:
            note = d.text(_("no data"))
        note_w = pdf.get_string_width(note)
        pdf.set_text_color(*_GREY)
        pdf.text(cx + cw - 3 - note_w, cy + 2.5, note)
        pdf.set_text_color(0)
        pdf.set_font(d.family, "B", 6.5)
        name = d.text(f"{i + 1}. {names.get(code, code)}")
        ellipsis = "…" if d.text("…") == "…" else "..."
        while pdf.get_string_width(name) > cw - 5 - note_w and len(name) > 6:
            name = name.removesuffix(ellipsis)[:-1] + ellipsis
        pdf.text(cx, cy + 2.5, name)
        top = _axis_max(values)
        if fig.hidden_below and top < fig.hidden_below:
            top = float(fig.hidden_below)
        _draw_series(
            d, values, cx + 1, cy + 4, cw - 6, ch - 7, top=top, hidden_below=fig.hidden_below
        )


def pack_pdf(pack, map_png: bytes | None = None, font_path: str | Path | None = DEJAVU) -> bytes:
    """The pack as a printable A4 (landscape) PDF.

    Parameters
    ----------
    pack : Pack
    map_png : bytes, optional
        Unused (kept for callers of earlier versions): the map is drawn from
        ``pack.figures``.
    font_path : path, optional
        A TrueType font to embed (default DejaVu Sans when installed, with its bold beside
        it, which has every Welsh letter: ŵ, ŷ); None or a missing file: Helvetica, with
        text made Latin-1 (ŵ → w, ŷ → y).
    """
    _ = tr(pack.lang)
    d = _Drawing(pack, font_path)
    pdf = d.pdf
    pdf.set_title(d.text(pack.title))
    pdf.set_author("hotspots")
    pdf.set_lang("cy" if pack.lang == "cy" else "en-GB")
    # Dated by its meeting month, so the same pack always gives the same bytes.
    pdf.set_creation_date(
        dt.datetime(int(pack.meeting_month[:4]), int(pack.meeting_month[5:]), 1, tzinfo=dt.UTC)
    )
    heads = heading_lines(pack)
    m = pack.metadata
    pdf.add_page()
    if m.get("label"):
        pdf.set_text_color(170, 0, 0)
        d.para(
            _("{label}: invented places and crimes, not real data").format(
                label=str(m["label"]).upper()
            ),
            size=10,
            style="B",
        )
        pdf.set_text_color(0)
    d.para(
        _("Serious violence targeting pack: {area}").format(area=pack.area_label),
        size=16,
        style="B",
        h=8,
    )
    d.para(
        _("For the meeting of {month}. Period: {period}. Data cut-off: {cut}.").format(
            month=month_words(pack.meeting_month, pack.lang),
            period=period_words(pack),
            cut=cut_off_words(pack),
        ),
        size=10,
        h=5,
    )
    if pack.proxy:
        pdf.set_text_color(*_RED)
    d.para(
        _("Definition: {definition}").format(definition=definition_line(pack)),
        size=10,
        style="B" if pack.proxy else "",
        h=5,
    )
    pdf.set_text_color(0)
    audience = (
        _("Partners' copy: small numbers are suppressed.")
        if m.get("audience") == "partner"
        else _("Analysts' copy: exact counts.")
    )
    d.para(f"{audience} {_(SOURCE_LINE)}", size=7.5, h=3.6)
    pdf.ln(1)
    top_y = pdf.get_y()
    map_w = 118.0
    text_w = pdf.epw - map_w - 6
    if pack.figures is not None:
        map_x = pdf.l_margin + text_w + 6
        pdf.set_font(d.family, "B", 10)
        pdf.set_xy(map_x, top_y)
        d.para(heads["map"], size=10, style="B", w=map_w, h=5)
        used = _draw_map(d, pack.figures, map_x, top_y + 6, map_w, 196 - top_y - 22)
        pdf.set_xy(map_x, top_y + 7 + used)
        d.para(
            _(
                "Numbers: rank in this pack (wards filled and outlined in red). Dark lines: "
                "local authorities."
            ),
            size=6.5,
            w=map_w,
            h=3,
        )
    pdf.set_xy(pdf.l_margin, top_y)
    d.para(heads["summary"], size=12, style="B", w=text_w, h=6)
    for line in pack.summary:
        pdf.set_x(pdf.l_margin)
        d.para(f"•  {line}", size=9, w=text_w, h=4.3)
        pdf.ln(0.6)
    pdf.set_x(pdf.l_margin)
    d.heading(heads["changes"], size=11)
    for line in change_lines(pack):
        pdf.set_x(pdf.l_margin)
        d.para(f"•  {line}", size=8.5, w=text_w, h=4)

    # Page 2: trends, changes, left out.
    if pack.figures is not None:
        pdf.add_page()
        d.heading(heads["trend"])
        y = pdf.get_y() + 2
        pdf.set_font(d.family, "B", 8.5)
        pdf.text(
            pdf.l_margin,
            y + 1,
            d.text(_("{area}: all listed and unlisted wards").format(area=pack.area_label)),
        )
        _draw_trend(d, pack, pdf.l_margin + 10, y + 4, 95, 48)
        after = pdf.get_y()
        pdf.set_font(d.family, "B", 8.5)
        pdf.text(pdf.l_margin + 118, y + 1, d.text(_("Each listed ward (own scale)")))
        _draw_small_multiples(d, pack, pdf.l_margin + 118, y + 3, pdf.epw - 118, 62)
        pdf.set_xy(pdf.l_margin, max(after, y + 68))
    d.heading(heads["left_out"], size=11)
    for line in left_out_table(pack):
        d.para(f"•  {line}", size=8.5, h=4)

    pdf.add_page()
    d.heading(heads["table"])
    _table(d, pack)
    pdf.add_page()
    d.heading(heads["method"], size=11)
    for item, value in method_items(pack):
        d.para(f"{item}: {value}", size=8, h=3.8)
    return bytes(pdf.output())


def _table(d: _Drawing, pack) -> None:
    from fpdf.fonts import FontFace

    pdf = d.pdf
    widths = (10, 13, 33, 27, 19, 19, 19, 16, 20, 24, 22, 55)
    pdf.set_font(d.family, "", 7.5)
    pdf.set_fill_color(255)
    pdf.set_draw_color(120)
    pdf.set_line_width(0.15)
    table = top_table(pack)
    with pdf.table(
        col_widths=widths,
        width=pdf.epw,
        text_align="LEFT",
        line_height=3.6,
        padding=0.8,
        cell_fill_color=(244, 244, 244),
        cell_fill_mode="ROWS",
        headings_style=FontFace(emphasis="BOLD", fill_color=(225, 225, 225), size_pt=6.8),
    ) as t:
        row = t.row()
        for h in table_headings(pack):
            row.cell(d.text(h))
        for values in table.itertuples(index=False, name=None):
            row = t.row()
            for v in values:
                row.cell(d.text(v))
