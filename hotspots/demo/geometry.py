"""The demo region's geometry: a fictional coastline, towns, 2021 LSOAs grown from
Voronoi cells, wards grouped from them and local authorities around the main town.

Everything is in EPSG:27700 metres; :func:`lonlat` converts to longitude and latitude
for the files.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import Transformer

from hotspots.demo.settings import CENTRE, SEMI_AXES

_N_LSOA_POINTS = 700
_N_TOWNS = 6


def _coastline(rng: np.random.Generator) -> shapely.Polygon:
    """An irregular, star-shaped blob: an ellipse with random harmonics on its radius."""
    t = np.linspace(0.0, 2.0 * np.pi, 720, endpoint=False)
    r = np.ones_like(t)
    for k in range(2, 9):
        r += rng.uniform(0.03, 0.08) / k**0.6 * np.cos(k * t + rng.uniform(0, 2 * np.pi))
    for k in range(9, 40):
        r += rng.uniform(0.0, 0.01) * np.cos(k * t + rng.uniform(0, 2 * np.pi))
    x = CENTRE[0] + SEMI_AXES[0] * r * np.cos(t)
    y = CENTRE[1] + SEMI_AXES[1] * r * np.sin(t)
    return shapely.Polygon(np.column_stack([x, y]))


def _towns(rng: np.random.Generator, land: shapely.Polygon) -> np.ndarray:
    """Town centres, at least 7 km apart and 3.5 km inside the coast, biggest first."""
    inner = land.buffer(-3_500.0)
    minx, miny, maxx, maxy = inner.bounds
    towns: list[tuple[float, float]] = []
    while len(towns) < _N_TOWNS:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if not inner.contains(shapely.Point(x, y)):
            continue
        if all(math.hypot(x - tx, y - ty) >= 7_000.0 for tx, ty in towns):
            towns.append((x, y))
    return np.array(towns)


def _lsoa_points(rng: np.random.Generator, land: shapely.Polygon, towns: np.ndarray) -> np.ndarray:
    """Generator points of the 2021 LSOAs: clustered around towns plus a rural scatter."""
    weights = np.array([0.30, 0.22, 0.16, 0.12, 0.10, 0.10])
    spreads = np.array([2_300.0, 2_000.0, 1_700.0, 1_400.0, 1_200.0, 1_200.0])
    inner = land.buffer(-150.0)
    shapely.prepare(inner)
    minx, miny, maxx, maxy = land.bounds
    accepted = np.empty((0, 2))
    while len(accepted) < _N_LSOA_POINTS:
        batch = 512
        town = rng.choice(_N_TOWNS, size=batch, p=weights)
        clustered = rng.random(batch) < 0.6
        xy = np.where(
            clustered[:, None],
            towns[town] + rng.normal(size=(batch, 2)) * spreads[town][:, None],
            np.column_stack([rng.uniform(minx, maxx, batch), rng.uniform(miny, maxy, batch)]),
        )
        xy = xy[shapely.contains_xy(inner, xy[:, 0], xy[:, 1])]
        for p in xy:
            if len(accepted) and np.min(np.hypot(*(accepted - p).T)) < 300.0:
                continue
            accepted = np.vstack([accepted, p])
            if len(accepted) == _N_LSOA_POINTS:
                break
    return accepted


def _adjacency(geoms: np.ndarray) -> list[set[int]]:
    """Neighbours sharing a boundary of more than 1 m, for each geometry."""
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    shared = shapely.length(shapely.intersection(geoms[left], geoms[right]))
    neighbours: list[set[int]] = [set() for _ in range(len(geoms))]
    for a, b in zip(left[shared > 1.0], right[shared > 1.0], strict=True):
        neighbours[a].add(int(b))
        neighbours[b].add(int(a))
    return neighbours


def _group_into_wards(
    rng: np.random.Generator, centroids: np.ndarray, neighbours: list[set[int]]
) -> np.ndarray:
    """Grow contiguous wards of three or four LSOAs; return each LSOA's ward number."""
    n = len(centroids)
    ward = np.full(n, -1)
    free_degree = np.array([len(near) for near in neighbours], dtype=float)
    sizes: list[int] = []

    def take(i: int, w: int) -> None:
        ward[i] = w
        free_degree[i] = np.inf
        for j in neighbours[i]:
            free_degree[j] -= 1

    while (ward < 0).any():
        # Start from the free LSOA with the fewest free neighbours (edges first).
        start = int(np.argmin(free_degree))
        target = int(rng.choice([3, 4]))
        members = [start]
        take(start, len(sizes))
        while len(members) < target:
            candidates = sorted({j for m in members for j in neighbours[m] if ward[j] < 0})
            if not candidates:
                break
            centre = centroids[members].mean(axis=0)
            dist = np.hypot(*(centroids[candidates] - centre).T)
            pick = candidates[int(np.argmin(dist))]
            take(pick, len(sizes))
            members.append(pick)
        sizes.append(len(members))
    # Fold single-LSOA wards into their smallest neighbouring ward.
    for w, size in enumerate(sizes):
        if size != 1:
            continue
        (lsoa,) = np.flatnonzero(ward == w)
        options = sorted({int(ward[j]) for j in neighbours[lsoa] if ward[j] != w})
        if options:
            best = min(options, key=lambda o: (sizes[o], o))
            ward[lsoa] = best
            sizes[best] += 1
            sizes[w] = 0
    _, renumbered = np.unique(ward, return_inverse=True)
    return renumbered


def _assign_las(rng: np.random.Generator, centroids: np.ndarray, city: np.ndarray) -> np.ndarray:
    """Local authority of each ward: a city around the main town, four wedges around it."""
    n = len(centroids)
    la = np.full(n, -1)
    dist = np.hypot(*(centroids - city).T)
    n_city = round(n * 0.2)
    la[np.argsort(dist, kind="stable")[:n_city]] = 0
    rest = np.flatnonzero(la < 0)
    offset = rng.uniform(0, 2 * np.pi)
    angle = (np.arctan2(*(centroids[rest] - city).T[::-1]) - offset) % (2 * np.pi)
    order = rest[np.argsort(angle, kind="stable")]
    for k, chunk in enumerate(np.array_split(order, 4)):
        la[chunk] = k + 1
    return la


def multipolygon(geom: shapely.Geometry) -> shapely.MultiPolygon:
    """The polygons of ``geom`` with an area, as one MultiPolygon."""
    parts = [g for g in shapely.get_parts(geom) if isinstance(g, shapely.Polygon) and g.area > 0]
    return shapely.MultiPolygon(parts)


def sample_points(rng: np.random.Generator, polygon: shapely.Geometry, n: int) -> np.ndarray:
    """``n`` uniform random points inside ``polygon`` (rejection sampling)."""
    if n == 0:
        return np.empty((0, 2))
    shapely.prepare(polygon)
    minx, miny, maxx, maxy = polygon.bounds
    ratio = (maxx - minx) * (maxy - miny) / max(polygon.area, 1.0)
    out: list[np.ndarray] = []
    got = 0
    while got < n:
        k = max(16, int((n - got) * ratio * 1.3))
        xy = np.column_stack([rng.uniform(minx, maxx, k), rng.uniform(miny, maxy, k)])
        xy = xy[shapely.contains_xy(polygon, xy[:, 0], xy[:, 1])]
        out.append(xy)
        got += len(xy)
    return np.vstack(out)[:n]


@dataclass(frozen=True)
class Geography:
    """The region's land, towns, 2021 LSOAs, wards and local authorities.

    LSOAs and wards are numbered in generator order (not code order); ``ward_la`` is the
    local-authority index (into :data:`~hotspots.demo.settings.LAS`) of each ward.
    """

    land: shapely.Polygon
    towns: np.ndarray
    lsoa_geom: np.ndarray  # 2021 LSOA polygons, generator order
    lsoa_ward: np.ndarray  # ward number (generator order) of each LSOA
    ward_geom: np.ndarray
    ward_la: np.ndarray
    ward_neighbours: list[set[int]]
    lsoa_neighbours: list[set[int]]


def make_geography(rng: np.random.Generator) -> Geography:
    """The coastline, towns, Voronoi LSOAs grouped into contiguous wards, and LAs."""
    land = _coastline(rng)
    towns = _towns(rng, land)
    points = _lsoa_points(rng, land, towns)
    cells = shapely.get_parts(
        shapely.voronoi_polygons(
            shapely.MultiPoint(points), extend_to=land.buffer(10_000.0), ordered=True
        )
    )
    lsoa_geom = np.array([multipolygon(g) for g in shapely.intersection(cells, land)])
    lsoa_neighbours = _adjacency(lsoa_geom)
    centroids = shapely.get_coordinates(shapely.centroid(lsoa_geom))
    lsoa_ward = _group_into_wards(rng, centroids, lsoa_neighbours)
    n_wards = int(lsoa_ward.max()) + 1
    ward_geom = np.array(
        [multipolygon(shapely.union_all(lsoa_geom[lsoa_ward == w])) for w in range(n_wards)]
    )
    ward_centroids = shapely.get_coordinates(shapely.centroid(ward_geom))
    ward_la = _assign_las(rng, ward_centroids, towns[0])
    ward_neighbours: list[set[int]] = [set() for _ in range(n_wards)]
    for i, near in enumerate(lsoa_neighbours):
        for j in near:
            if lsoa_ward[i] != lsoa_ward[j]:
                ward_neighbours[lsoa_ward[i]].add(int(lsoa_ward[j]))
    return Geography(
        land, towns, lsoa_geom, lsoa_ward, ward_geom, ward_la, ward_neighbours, lsoa_neighbours
    )


@functools.cache
def _to_lonlat() -> Transformer:
    return Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def lonlat(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude (EPSG:4326) of EPSG:27700 points ``xy``."""
    lon, lat = _to_lonlat().transform(xy[:, 0], xy[:, 1])
    return np.asarray(lon), np.asarray(lat)


def sample_offshore(
    rng: np.random.Generator, land: shapely.Geometry, n: int, lo: float, hi: float, *, west: bool
) -> np.ndarray:
    """``n`` points at sea between ``lo`` and ``hi`` metres from ``land``."""
    minx, miny, maxx, maxy = land.buffer(hi).bounds
    if west:
        maxx = CENTRE[0] - SEMI_AXES[0] * 0.5
    out = np.empty((0, 2))
    while len(out) < n:
        xy = np.column_stack([rng.uniform(minx, maxx, 1024), rng.uniform(miny, maxy, 1024)])
        d = shapely.distance(land, shapely.points(xy))
        out = np.vstack([out, xy[(d >= lo) & (d <= hi)]])
    return out[:n]
