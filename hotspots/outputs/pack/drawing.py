"""How the pack's map and trend charts are drawn in its PDF, with the PDF's own lines (no
image library): the area with its local authorities and the listed wards numbered by rank,
the area's serious violence by month and a small line per listed ward, months not loaded
left as gaps."""

from __future__ import annotations

from hotspots.outputs.pack.figures import (
    PackFigures,
    crowded_group,
    enlarged_window,
    in_window,
    label_point,
    ring_in_window,
    spread_labels,
)
from hotspots.outputs.pack.words import force_name, join, short_month, tr

RED = (178, 24, 43)
FILL = (244, 165, 130)
GREY = (110, 110, 110)


#: A listed ward's number on the map: a circle of this radius (mm).
LABEL_RADIUS = 1.9
#: Listed wards whose points lie closer than this (mm) on the map crowd one another.
CROWDED = 6.0
#: Room (mm) a box of enlarged wards needs: its title line and at least this much map.
INSET_TITLE = 4.0
INSET_MIN = 24.0


def map_scale(fig: PackFigures, w: float, h: float) -> float:
    """Millimetres per map unit when the whole area is fitted in a ``w`` × ``h`` box."""
    minx, miny, maxx, maxy = fig.bounds
    return min(w / max(maxx - minx, 1.0), h / max(maxy - miny, 1.0))


def map_height(fig: PackFigures, w: float, h: float) -> float:
    """The height (mm) :func:`draw_map` uses of a ``w`` × ``h`` box."""
    _, miny, _, maxy = fig.bounds
    return (maxy - miny) * map_scale(fig, w, h)


def _shapes(d, fig: PackFigures, at, listed: dict[str, int], window=None) -> None:
    """Wards (listed ones filled), local-authority outlines, then the listed wards'
    outlines in red; with ``window``, only outlines reaching into it."""
    pdf = d.pdf
    pdf.set_line_width(0.1)
    pdf.set_draw_color(185)
    for s in fig.wards:
        if s.code in listed:
            pdf.set_fill_color(*FILL)
        else:
            pdf.set_fill_color(247)
        for ring in s.rings:
            if ring_in_window(ring, window):
                pdf.polygon([at(*p) for p in ring], style="DF")
    pdf.set_draw_color(40)
    pdf.set_line_width(0.45)
    for s in fig.authorities:
        for ring in s.rings:
            if ring_in_window(ring, window):
                pdf.polygon([at(*p) for p in ring], style="D")
    pdf.set_draw_color(*RED)
    pdf.set_line_width(0.35)
    for s in fig.wards:
        if s.code in listed:
            for ring in s.rings:
                if ring_in_window(ring, window):
                    pdf.polygon([at(*p) for p in ring], style="D")


def _numbers(d, anchors, numbers, box) -> None:
    """Each ``number`` in a circle near its anchor (spread apart, inside ``box``), with a
    leader line when it had to move."""
    pdf = d.pdf
    pdf.set_font(d.family, "B", 6.5)
    spots = spread_labels(anchors, LABEL_RADIUS + 0.2, box)
    pdf.set_line_width(0.2)
    pdf.set_draw_color(60)
    for (ax, ay), (lx, ly) in zip(anchors, spots, strict=True):
        if abs(ax - lx) + abs(ay - ly) > 0.5:
            pdf.line(ax, ay, lx, ly)
    pdf.set_line_width(0.25)
    pdf.set_draw_color(*RED)
    pdf.set_fill_color(255)
    for k, (lx, ly) in zip(numbers, spots, strict=True):
        pdf.circle(lx, ly, LABEL_RADIUS, style="DF")
        tw = pdf.get_string_width(str(k))
        pdf.text(lx - tw / 2, ly + 0.8, str(k))


def draw_map(
    d,
    fig: PackFigures,
    x: float,
    y: float,
    w: float,
    h: float,
    inset: tuple[float, float, float, float] | None = None,
    inset_title: str = "",
) -> float:
    """The map fitted in the box; returns the height used.

    Where three or more listed wards crowd (closer than :data:`CROWDED`; see
    :func:`~hotspots.outputs.pack.figures.crowded_group`) and an ``inset`` box
    (x, y, w, h; at least :data:`INSET_TITLE` + :data:`INSET_MIN` high) is given, their
    numbers move to an enlarged view of them drawn there under ``inset_title``, and a box
    on the map shows where it is; otherwise every number is on the map."""
    pdf = d.pdf
    minx, miny, maxx, maxy = fig.bounds
    scale = map_scale(fig, w, h)
    used_w, used_h = (maxx - minx) * scale, (maxy - miny) * scale
    x0 = x + (w - used_w) / 2

    def at(px: float, py: float) -> tuple[float, float]:
        return x0 + (px - minx) * scale, y + (maxy - py) * scale

    listed = {c: i + 1 for i, c in enumerate(fig.listed)}
    codes = list(listed)
    anchors = [at(*label_point(fig, code)) for code in codes]
    group = crowded_group(anchors, CROWDED) if inset and inset[3] >= INSET_TITLE + INSET_MIN else []
    _shapes(d, fig, at, listed)
    pdf.set_font(d.family, "", 6)
    pdf.set_text_color(*GREY)
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
    if group:
        ix, iy, iw, ih = inset
        frame_h = ih - INSET_TITLE
        window = enlarged_window(fig, {codes[i] for i in group}, iw / frame_h)
        # The window's box on the map, then the numbers of the wards outside it.
        (ax0, ay1), (ax1, ay0) = at(window[0], window[1]), at(window[2], window[3])
        pdf.set_draw_color(0)
        pdf.set_line_width(0.3)
        pdf.rect(ax0, ay0, ax1 - ax0, ay1 - ay0, style="D")
        inside = in_window(fig, window)
        rest = [i for i in range(len(codes)) if i not in inside]
        _numbers(d, [anchors[i] for i in rest], [i + 1 for i in rest], (x, y, x + w, y + h))
        # The enlarged view: the same drawing at a larger scale, clipped to its frame.
        pdf.set_font(d.family, "B", 7)
        pdf.set_text_color(0)
        pdf.text(ix, iy + INSET_TITLE - 1.2, d.text(inset_title))
        fy = iy + INSET_TITLE
        k = min(iw / (window[2] - window[0]), frame_h / (window[3] - window[1]))

        def at_inset(px: float, py: float) -> tuple[float, float]:
            return ix + (px - window[0]) * k, fy + (window[3] - py) * k

        with pdf.rect_clip(ix, fy, iw, frame_h):
            _shapes(d, fig, at_inset, listed, window)
        pdf.set_draw_color(0)
        pdf.set_line_width(0.3)
        pdf.rect(ix, fy, iw, frame_h, style="D")
        _numbers(
            d,
            [at_inset(*label_point(fig, codes[i])) for i in inside],
            [i + 1 for i in inside],
            (ix, fy, ix + iw, fy + frame_h),
        )
    else:
        _numbers(d, anchors, [i + 1 for i in range(len(codes))], (x, y, x + w, y + h))
    pdf.set_draw_color(0)
    pdf.set_line_width(0.2)
    return used_h


def _axis_max(values) -> float:
    top = max([v for v in values if v is not None] or [1.0])
    return max(top * 1.1, 1.0)


#: The leading figures a round axis top may have (its half is round too).
_ROUND_TOPS = (1, 1.2, 1.4, 1.6, 2, 2.5, 3, 4, 5, 6, 8, 10)


def round_axis_top(values) -> float:
    """The axis top of the area chart: a round number above the highest month (1,200
    rather than 1,212), so that its three gridlines (0, half, top) read as round figures.

    >>> round_axis_top([950, 1101, None])
    1200.0
    >>> round_axis_top([0.4])
    1.0
    """
    want = max(max([v for v in values if v is not None] or [1.0]) * 1.05, 1.0)
    power = 10.0 ** (len(str(int(want))) - 1)
    return float(next(m * power for m in _ROUND_TOPS if m * power >= want))


def wrap_words(text: str, fits, max_lines: int = 2, ellipsis: str = "…") -> list[str]:
    """``text`` broken at spaces into at most ``max_lines`` lines, line ``i`` holding what
    ``fits(i, line)`` allows; a last line that still does not fit is shortened with
    ``ellipsis``.

    >>> wrap_words("Gogledd a De Tref Caerfyrddin", lambda i, s: len(s) <= 16)
    ['Gogledd a De', 'Tref Caerfyrddin']
    >>> wrap_words("Aberystwyth Morfa a Glais", lambda i, s: len(s) <= 12, 1, "...")
    ['Aberystwy...']
    """
    lines: list[str] = []
    words = text.split()
    while words and len(lines) < max_lines:
        line = words.pop(0)
        while words and fits(len(lines), line + " " + words[0]):
            line += " " + words.pop(0)
        lines.append(line)
    if not lines:
        return lines
    last_i = len(lines) - 1
    last = " ".join([lines[-1], *words])
    while not fits(last_i, last) and len(last) > 4:
        last = last.removesuffix(ellipsis)[:-1].rstrip() + ellipsis
    lines[-1] = last
    return lines


def _draw_series(
    d,
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
    pdf.set_draw_color(*RED)
    pdf.set_fill_color(*RED)
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


def draw_trend(d, pack, x: float, y: float, w: float, h: float) -> None:
    """The area's serious violence by month, with an axis, month labels and gaps marked."""
    pdf = d.pdf
    _ = tr(pack.lang)
    fig = pack.figures
    values = fig.area_series
    top = round_axis_top(values)
    n = len(values)
    step = w / max(n - 1, 1)
    pdf.set_fill_color(238)
    for i, v in enumerate(values):  # a month not loaded: a grey band, the line stops
        if v is None:
            left = max(x, x + i * step - step / 2) if n > 1 else x
            right = min(x + w, x + i * step + step / 2) if n > 1 else x + w
            pdf.rect(left, y, right - left, h, style="F")
    pdf.set_draw_color(160)
    pdf.set_line_width(0.15)
    pdf.set_font(d.family, "", 6.5)
    pdf.set_text_color(*GREY)
    for frac in (0.0, 0.5, 1.0):
        ty = y + h - frac * h
        pdf.line(x, ty, x + w, ty)
        label = f"{top * frac:,.0f}"
        pdf.text(x - pdf.get_string_width(label) - 1, ty + 1, label)
    every = 1 if n <= 8 else 2 if n <= 16 else max(1, (n + 7) // 8)
    for i, m in enumerate(fig.months):
        if (n - 1 - i) % every == 0:  # the meeting month is always labelled
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


def draw_small_multiples(d, pack, x: float, y: float, w: float, h: float) -> None:
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
        pdf.set_text_color(*GREY)
        pdf.text(cx + cw - 3 - note_w, cy + 2.5, note)
        pdf.set_text_color(0)
        pdf.set_font(d.family, "B", 6.5)
        name = d.text(f"{i + 1}. {names.get(code, code)}")
        ellipsis = "…" if d.text("…") == "…" else "..."
        # The name on up to two lines (the first beside the highest month): never cut
        # short while two lines can hold it.
        first_w, line_h = cw - 5 - note_w, 2.6
        lines = wrap_words(
            name,
            lambda j, s, first_w=first_w: (
                pdf.get_string_width(s) <= (first_w if j == 0 else cw - 3)
            ),
            2,
            ellipsis,
        )
        for j, line in enumerate(lines):
            pdf.text(cx, cy + 2.5 + j * line_h, line)
        extra = line_h * (len(lines) - 1)
        top = _axis_max(values)
        if fig.hidden_below and top < fig.hidden_below:
            top = float(fig.hidden_below)
        _draw_series(
            d,
            values,
            cx + 1,
            cy + 4 + extra,
            cw - 6,
            ch - 7 - extra,
            top=top,
            hidden_below=fig.hidden_below,
        )
