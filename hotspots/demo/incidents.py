"""The demo's crimes: drawn from the expected counts, each placed at a point in its LSOA
and at a police.uk-style anonymised map point ("On or near ...") nearby.

Anti-social behaviour is placed at a map point itself (police.uk-style: it has no
other location).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from hotspots.demo.geometry import Geography, sample_points
from hotspots.demo.settings import ASB

_STREETS = (
    "Heol Gwyddno", "Ffordd y Môr", "Stryd Seithenyn", "Lôn Mererid", "Heol y Cei",
    "Ffordd Garanhir", "Stryd y Gwymon", "Lôn yr Ewyn", "Rhodfa'r Tonnau", "Heol y Llanw",
    "Harbour Road", "Station Road", "High Street", "Chapel Street", "Marine Terrace",
    "Mill Lane", "Church Street", "Quay Street", "Bridge Street", "Castle Street",
    "Seaview Close", "Lighthouse Way", "Sandbank Drive", "Beacon Hill", "Causeway Road",
    "Anchor Lane", "Tidewater Place", "Shell Road", "Gull Close", "Dyke Street",
)  # fmt: skip
_PLACES = (
    "Parking Area", "Shopping Area", "Supermarket", "Sports/Recreation Area",
    "Petrol Station", "Nightclub", "Pedestrian Subway", "Police Station", "Hospital",
    "Park/Open Space", "Further/Higher Educational Building", "Theatre/Concert Hall",
    "Parking Area, Harbour",
)  # fmt: skip


@dataclass(frozen=True)
class Incidents:
    """The planted crimes, one row each (shared by the police.uk files and the extracts)."""

    lsoa: np.ndarray  # 2021 LSOA index (generator order)
    month: np.ndarray  # index into MONTHS
    category: np.ndarray  # index into CATEGORIES
    true_xy: np.ndarray  # the force's own location (EPSG:27700)
    snap_xy: np.ndarray  # the police.uk anonymised map point
    snap_name: np.ndarray  # "On or near ..." of the map point


def _snap_points(
    rng: np.random.Generator, inner: np.ndarray
) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """police.uk-style anonymised map points in each LSOA, with names and popularity."""
    xy_all, names_all, weights_all = [], [], []
    labels = np.array([f"On or near {s}" for s in (*_STREETS, *_PLACES)])
    for poly in inner:
        k = int(min(40, 6 + round(poly.area / 250_000.0)))
        xy_all.append(sample_points(rng, poly, k))
        names_all.append(labels[rng.integers(0, len(labels), size=k)])
        w = rng.lognormal(0.0, 0.8, size=k)
        weights_all.append(w / w.sum())
    return xy_all, names_all, weights_all


def _make_incidents(rng: np.random.Generator, lam: np.ndarray, inner: np.ndarray) -> Incidents:
    counts = rng.poisson(lam)  # (lsoa, month, category)
    lsoa, month, category = np.nonzero(counts)
    reps = counts[lsoa, month, category]
    lsoa, month, category = (np.repeat(a, reps) for a in (lsoa, month, category))
    snaps_xy, snaps_name, snaps_w = _snap_points(rng, inner)
    n = len(lsoa)
    true_xy = np.empty((n, 2))
    snap_idx = np.empty(n, dtype=np.int64)
    order = np.argsort(lsoa, kind="stable")
    bounds = np.searchsorted(lsoa[order], np.arange(len(inner) + 1))
    for i in range(len(inner)):
        rows = order[bounds[i] : bounds[i + 1]]
        if not len(rows):
            continue
        asb = category[rows] == ASB
        pts = sample_points(rng, inner[i], int((~asb).sum()))
        d2 = ((pts[:, None, :] - snaps_xy[i][None, :, :]) ** 2).sum(axis=2)
        snap_idx[rows[~asb]] = np.argmin(d2, axis=1)
        snap_idx[rows[asb]] = rng.choice(len(snaps_w[i]), size=int(asb.sum()), p=snaps_w[i])
        true_xy[rows[~asb]] = pts
        true_xy[rows[asb]] = snaps_xy[i][snap_idx[rows[asb]]]
    snap_xy = np.empty((n, 2))
    snap_name = np.empty(n, dtype=object)
    for i in range(len(inner)):
        rows = order[bounds[i] : bounds[i + 1]]
        snap_xy[rows] = snaps_xy[i][snap_idx[rows]]
        snap_name[rows] = snaps_name[i][snap_idx[rows]]
    return Incidents(lsoa, month, category, true_xy, snap_xy, snap_name.astype(str))


def plant_incidents(rng_crime: np.random.Generator, geo: Geography, lam: np.ndarray) -> Incidents:
    """Draw the planted crimes from the expected counts ``lam`` (lsoa, month, category).

    Points keep 15 m inside their LSOA (where the LSOA is big enough), so that no crime
    falls on a boundary.
    """
    shrunk = shapely.buffer(geo.lsoa_geom, -15.0)
    inner = np.where(shapely.is_empty(shrunk), geo.lsoa_geom, shrunk)
    incidents = _make_incidents(rng_crime, lam, inner)
    return incidents
