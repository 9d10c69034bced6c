"""What the pack's map and trend charts show, prepared once for every rendering: ward and
local-authority outlines (simplified, in British National Grid metres), the listed wards,
and the area's and each listed ward's serious violence by month, with months not loaded
as gaps (None), never 0.

The PDF draws these with its own lines (:mod:`hotspots.outputs.pack.pdf`); the page shows
:func:`map_svg` and the series; the Excel workbook carries the series as a sheet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

import numpy as np
import pandas as pd

from hotspots.slugs import force_key

Ring = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Shape:
    """One outline: a ward or local authority, its name, its rings (exteriors)."""

    code: str
    name: str
    rings: tuple[Ring, ...]


@dataclass(frozen=True, eq=False)
class PackFigures:
    """The map and monthly series of a pack.

    Attributes
    ----------
    wards, authorities : tuple of Shape
        Every ward of the area, and the local authorities (wards dissolved).
    listed : tuple of str
        The listed wards' codes, in rank order (label ``i + 1`` on the map).
    months : tuple of str
        The months of the period.
    area_series : tuple
        The area's serious violence per month, None where a force with data in the period
        has no crimes loaded that month (a gap).
    ward_series : dict
        Listed ward code → its serious violence per month (None: no data that month).
    forces_counted : tuple of str
        The forces whose wards the area series adds up (those with data in the period).
    hidden_below : int or None
        For a partner's pack: counts below this are suppressed, and the monthly values are
        the partner view's (suppressed counts at the stand-in).
    """

    wards: tuple[Shape, ...] = field(repr=False)
    authorities: tuple[Shape, ...] = field(repr=False)
    listed: tuple[str, ...]
    months: tuple[str, ...]
    area_series: tuple[float | None, ...]
    ward_series: dict[str, tuple[float | None, ...]] = field(repr=False)
    forces_counted: tuple[str, ...] = ()
    hidden_below: int | None = None
    label_points: dict[str, tuple[int, int]] = field(default_factory=dict, repr=False)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """``(min x, min y, max x, max y)`` of every outline."""
        pts = np.array([p for s in self.wards for r in s.rings for p in r], dtype=float)
        if not len(pts):
            return (0.0, 0.0, 1.0, 1.0)
        return (*pts.min(axis=0), *pts.max(axis=0))

    def series_table(self, names: dict[str, str]) -> pd.DataFrame:
        """The series as one table: a row per month, the area then each listed ward
        (``names``: column headings by ward code, and ``"area"``)."""
        out = pd.DataFrame({"month": list(self.months)})
        out[names.get("area", "area")] = pd.array(list(self.area_series), dtype="Float64")
        for code in self.listed:
            out[names.get(code, code)] = pd.array(list(self.ward_series[code]), dtype="Float64")
        return out


def _rings(geom, tolerance: float) -> tuple[Ring, ...]:
    if geom is None or geom.is_empty:
        return ()
    geom = geom.simplify(tolerance, preserve_topology=True)
    polys = getattr(geom, "geoms", [geom])
    out = []
    for p in polys:
        ext = getattr(p, "exterior", None)
        if ext is None:
            continue
        ring = tuple((round(x), round(y)) for x, y in ext.coords)
        if len(ring) >= 4:
            out.append(ring)
    return tuple(out)


def area_series(data) -> tuple[tuple[str, ...], tuple[float | None, ...], tuple[str, ...]]:
    """The area's serious violence per month of ``data``'s period (months, values, forces
    counted): the sum over the wards of the forces with crimes loaded in the period; a
    month one of those forces has not loaded is None (a gap), never a smaller total."""
    months = tuple(data.selection.months)
    forces = sorted({str(f) for f in data.wards["police_force"].dropna()})
    counted = [f for f in forces if data.force_months.get(force_key(f))]
    monthly = data.monthly
    values: list[float | None] = []
    for m in months:
        complete = counted and all(m in data.force_months.get(force_key(f), ()) for f in counted)
        if not complete:
            values.append(None)
            continue
        v = pd.to_numeric(monthly.loc[monthly["month"] == m, "sv_count"], errors="coerce")
        values.append(float(v.sum()) if v.notna().any() else None)
    return months, tuple(values), tuple(counted)


def ward_series(data, codes: list[str]) -> dict[str, tuple[float | None, ...]]:
    """Each ward's serious violence per month of the period (None: no data that month)."""
    months = list(data.selection.months)
    m = data.monthly[data.monthly["ward_code"].astype(str).isin(codes)]
    table = m.pivot_table(
        index="ward_code", columns="month", values="sv_count", aggfunc="first", dropna=False
    ).reindex(index=codes, columns=months)
    return {
        c: tuple(None if pd.isna(v) else float(v) for v in table.loc[c].to_numpy(dtype=object))
        for c in codes
    }


def pack_figures(data, codes: list[str], names, rule=None) -> PackFigures:
    """The figures of a pack from its :class:`hotspots.store.ward_data.WardData` (the
    partner view for a partner's pack), the listed ``codes`` and the names to show
    (:class:`hotspots.outputs.pack.names.LocalNames`)."""
    wards = data.wards
    minx, miny, maxx, maxy = wards.total_bounds if len(wards) else (0, 0, 1, 1)
    tol = max(maxx - minx, maxy - miny) / 700
    shapes = tuple(
        Shape(str(c), names.wards.get(str(c), str(n)), _rings(g, tol))
        for c, n, g in zip(wards["ward_code"], wards["ward_name"], wards.geometry, strict=True)
    )
    las = []
    points = {}
    for code, group in wards.groupby("local_authority_code", sort=True):
        outline = group.geometry.union_all()
        las.append(
            Shape(
                str(code),
                names.authority_codes.get(str(code), str(group["local_authority_name"].iloc[0])),
                _rings(outline, tol),
            )
        )
        p = outline.representative_point()
        points[str(code)] = (round(p.x), round(p.y))
    months, area, counted = area_series(data)
    at = wards.set_index(wards["ward_code"].astype(str))
    for c in codes:
        if c in at.index and at.loc[c].geometry is not None:
            p = at.loc[c].geometry.representative_point()
            points[c] = (round(p.x), round(p.y))
    return PackFigures(
        wards=shapes,
        authorities=tuple(las),
        listed=tuple(codes),
        months=months,
        area_series=area,
        ward_series=ward_series(data, codes),
        forces_counted=counted,
        hidden_below=None if rule is None else int(rule.threshold),
        label_points=points,
    )


#: The page's map is drawn this wide (px); its enlarged view this wide and high.
SVG_WIDTH = 560
SVG_INSET = (560, 280)


def ring_in_window(ring: Ring, window: tuple[float, ...] | None) -> bool:
    """Whether the ring's bounding box reaches into ``window`` (always, without one)."""
    if window is None:
        return True
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    return not (
        max(xs) < window[0] or min(xs) > window[2] or max(ys) < window[1] or min(ys) > window[3]
    )


def in_window(figures: PackFigures, window: tuple[float, ...]) -> list[int]:
    """Indices (rank − 1) of the listed wards whose number's point lies in ``window``."""
    found = []
    for i, code in enumerate(figures.listed):
        x, y = label_point(figures, code)
        if window[0] <= x <= window[2] and window[1] <= y <= window[3]:
            found.append(i)
    return found


def _svg_scale(figures: PackFigures, width: int) -> float:
    minx, _, maxx, _ = figures.bounds
    return width / max(maxx - minx, 1.0)


def page_map_crowd(figures: PackFigures, width: int = SVG_WIDTH) -> tuple[str, ...]:
    """The listed wards whose numbers crowd on the page's map (:func:`map_svg` ``width``
    px wide: three or more closer than about three numbers' widths, as on the PDF), in
    rank order; ``()`` when none do."""
    scale = _svg_scale(figures, width)
    points = [(x * scale, -y * scale) for x, y in (label_point(figures, c) for c in figures.listed)]
    group = crowded_group(points, 3.2 * width / 48)
    return tuple(figures.listed[i] for i in group)


def _svg_shapes(figures: PackFigures, pts, listed, window=None) -> list[str]:
    parts = []
    for s in figures.wards:
        fill = "#f4a582" if s.code in listed else "#f7f7f7"
        for r in s.rings:
            if ring_in_window(r, window):
                parts.append(
                    f'<polygon points="{pts(r)}" fill="{fill}" stroke="#bbbbbb" '
                    'stroke-width="0.4"/>'
                )
    for s in figures.authorities:
        for r in s.rings:
            if ring_in_window(r, window):
                parts.append(
                    f'<polygon points="{pts(r)}" fill="none" stroke="#333333" stroke-width="1.2"/>'
                )
    for s in figures.wards:
        if s.code in listed:
            for r in s.rings:
                if ring_in_window(r, window):
                    parts.append(
                        f'<polygon points="{pts(r)}" fill="none" stroke="#b2182b" '
                        'stroke-width="1.4"/>'
                    )
    return parts


def _svg_numbers(anchors, numbers, radius: float, box) -> list[str]:
    parts = []
    spots = spread_labels(anchors, radius, box)
    for (ax, ay), (lx, ly) in zip(anchors, spots, strict=True):
        if abs(ax - lx) + abs(ay - ly) > 1:
            parts.append(
                f'<line x1="{ax:.1f}" y1="{ay:.1f}" x2="{lx:.1f}" y2="{ly:.1f}" '
                'stroke="#444" stroke-width="0.8"/>'
            )
    for k, (lx, ly) in zip(numbers, spots, strict=True):
        parts.append(
            f'<circle cx="{lx:.1f}" cy="{ly:.1f}" r="{radius:.1f}" fill="#fff" '
            'stroke="#b2182b" stroke-width="1.2"/>'
            f'<text x="{lx:.1f}" y="{ly + radius * 0.45:.1f}" font-size="{radius * 1.25:.1f}" '
            f'font-weight="bold" text-anchor="middle" font-family="sans-serif">{k}</text>'
        )
    return parts


def _svg_inset_window(figures: PackFigures, enlarged: tuple[str, ...]) -> tuple[float, ...]:
    return enlarged_window(figures, set(enlarged), SVG_INSET[0] / SVG_INSET[1])


def map_svg(
    figures: PackFigures, title: str, width: int = SVG_WIDTH, enlarged: tuple[str, ...] = ()
) -> str:
    """The pack's map as SVG text: wards in grey, local authorities in dark outline, the
    listed wards filled and numbered by rank (for the page; the PDF draws the same).

    With ``enlarged`` (:func:`page_map_crowd`), a box shows the area :func:`map_inset_svg`
    enlarges, and the numbers inside it are drawn there instead."""
    minx, miny, _, maxy = figures.bounds
    scale = _svg_scale(figures, width)
    height = int((maxy - miny) * scale) + 1

    def at(x: float, y: float) -> tuple[float, float]:
        return (x - minx) * scale, (maxy - y) * scale

    def pts(ring: Ring) -> str:
        return " ".join("{:.1f},{:.1f}".format(*at(x, y)) for x, y in ring)

    listed = {c: i + 1 for i, c in enumerate(figures.listed)}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img"><title>{escape(title)}</title>',
        *_svg_shapes(figures, pts, listed),
    ]
    shown = list(range(len(figures.listed)))
    if enlarged:
        window = _svg_inset_window(figures, enlarged)
        (x0, y1), (x1, y0) = at(window[0], window[1]), at(window[2], window[3])
        parts.append(
            f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{x1 - x0:.1f}" height="{y1 - y0:.1f}" '
            'fill="none" stroke="#000" stroke-width="1.2"/>'
        )
        inside = set(in_window(figures, window))
        shown = [i for i in shown if i not in inside]
    anchors = [at(*label_point(figures, figures.listed[i])) for i in shown]
    parts += _svg_numbers(anchors, [i + 1 for i in shown], width / 48, (0, 0, width, height))
    parts.append("</svg>")
    return "".join(parts)


def map_inset_ranks(figures: PackFigures, enlarged: tuple[str, ...]) -> list[int]:
    """The ranks :func:`map_inset_svg` numbers (the listed wards in its window)."""
    return [i + 1 for i in in_window(figures, _svg_inset_window(figures, enlarged))]


def map_inset_svg(figures: PackFigures, title: str, enlarged: tuple[str, ...]) -> str:
    """The enlarged view of the listed wards ``enlarged`` (:func:`page_map_crowd`) and
    their surroundings, numbered by rank, as SVG text :data:`SVG_INSET` px in size; the
    box :func:`map_svg` draws with the same ``enlarged`` shows where it is."""
    width, height = SVG_INSET
    window = _svg_inset_window(figures, enlarged)
    scale = min(width / (window[2] - window[0]), height / (window[3] - window[1]))

    def at(x: float, y: float) -> tuple[float, float]:
        return (x - window[0]) * scale, (window[3] - y) * scale

    def pts(ring: Ring) -> str:
        return " ".join("{:.1f},{:.1f}".format(*at(x, y)) for x, y in ring)

    listed = {c: i + 1 for i, c in enumerate(figures.listed)}
    inside = [rank - 1 for rank in map_inset_ranks(figures, enlarged)]
    anchors = [at(*label_point(figures, figures.listed[i])) for i in inside]
    return "".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img"><title>{escape(title)}</title>',
            *_svg_shapes(figures, pts, listed, window),
            *_svg_numbers(anchors, [i + 1 for i in inside], width / 48, (0, 0, width, height)),
            f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" fill="none" '
            'stroke="#000" stroke-width="1.2"/>',
            "</svg>",
        ]
    )


def label_point(figures: PackFigures, code: str) -> tuple[float, float]:
    """Where a listed ward's number goes: a point inside the ward (else the centre of its
    largest ring's bounding box)."""
    if code in figures.label_points:
        return figures.label_points[code]
    shape = next(s for s in figures.wards if s.code == code)
    if not shape.rings:
        return figures.bounds[:2]
    ring = max(shape.rings, key=len)
    xs, ys = zip(*ring, strict=True)
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2


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


def crowded_group(points: list[tuple[float, float]], near: float) -> list[int]:
    """The largest group of three or more ``points`` each within ``near`` of another
    member (single linkage), as indices in order; ``[]`` when no three crowd. Ties go
    to the group holding the lowest index (the best-ranked ward)."""
    n = len(points)
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(n):
        for j in range(i + 1, n):
            dx, dy = points[i][0] - points[j][0], points[i][1] - points[j][1]
            if dx * dx + dy * dy < near * near:
                parent[root(j)] = root(i)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(root(i), []).append(i)
    big = [g for g in groups.values() if len(g) >= 3]
    return max(big, key=lambda g: (len(g), -g[0])) if big else []


def enlarged_window(fig: PackFigures, codes: set[str], aspect: float) -> tuple[float, ...]:
    """Map-unit bounds around the wards ``codes`` (their outlines and their numbers'
    points: a ward too small to keep an outline still counts), padded, at least a
    twentieth of the area across, and widened to ``aspect`` (width / height)."""
    pts = [p for s in fig.wards if s.code in codes for r in s.rings for p in r]
    pts += [label_point(fig, c) for c in sorted(codes)]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    minx, miny, maxx, maxy = fig.bounds
    least = max(maxx - minx, maxy - miny, 1.0) / 20
    w, h = max(max(xs) - min(xs), least) * 1.25, max(max(ys) - min(ys), least) * 1.25
    w, h = max(w, h * aspect), max(h, w / aspect)
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2
