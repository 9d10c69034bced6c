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


def map_svg(figures: PackFigures, title: str, width: int = 560) -> str:
    """The pack's map as SVG text: wards in grey, local authorities in dark outline, the
    listed wards filled and numbered by rank (for the page; the PDF draws the same)."""
    minx, miny, maxx, maxy = figures.bounds
    scale = width / max(maxx - minx, 1.0)
    height = int((maxy - miny) * scale) + 1

    def pts(ring: Ring) -> str:
        return " ".join(f"{(x - minx) * scale:.1f},{(maxy - y) * scale:.1f}" for x, y in ring)

    listed = {c: i + 1 for i, c in enumerate(figures.listed)}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img"><title>{escape(title)}</title>'
    ]
    for s in figures.wards:
        fill = "#f4a582" if s.code in listed else "#f7f7f7"
        for r in s.rings:
            parts.append(
                f'<polygon points="{pts(r)}" fill="{fill}" stroke="#bbbbbb" stroke-width="0.4"/>'
            )
    for s in figures.authorities:
        for r in s.rings:
            parts.append(
                f'<polygon points="{pts(r)}" fill="none" stroke="#333333" stroke-width="1.2"/>'
            )
    for s in figures.wards:
        if s.code in listed:
            for r in s.rings:
                parts.append(
                    f'<polygon points="{pts(r)}" fill="none" stroke="#b2182b" stroke-width="1.4"/>'
                )
    anchors = [
        ((x - minx) * scale, (maxy - y) * scale)
        for x, y in (label_point(figures, code) for code in listed)
    ]
    radius = width / 48
    spots = spread_labels(anchors, radius, (0, 0, width, height))
    for (ax, ay), (lx, ly) in zip(anchors, spots, strict=True):
        if abs(ax - lx) + abs(ay - ly) > 1:
            parts.append(
                f'<line x1="{ax:.1f}" y1="{ay:.1f}" x2="{lx:.1f}" y2="{ly:.1f}" '
                'stroke="#444" stroke-width="0.8"/>'
            )
    for k, (lx, ly) in enumerate(spots, 1):
        parts.append(
            f'<circle cx="{lx:.1f}" cy="{ly:.1f}" r="{radius:.1f}" fill="#fff" '
            'stroke="#b2182b" stroke-width="1.2"/>'
            f'<text x="{lx:.1f}" y="{ly + radius * 0.45:.1f}" font-size="{radius * 1.25:.1f}" '
            f'font-weight="bold" text-anchor="middle" font-family="sans-serif">{k}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


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
