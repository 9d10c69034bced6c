"""The bad rows planted in every demo crime file, and the record of each one off the coast.

Kinds (:data:`BAD_KINDS`): no location, English (``E01``) LSOA codes outside the area,
points just off the coast (within 2 km of a ward: placed in the nearest ward), points far
out to sea (more than 2 km from every ward: not placed) and duplicated identifiers.
"""

from __future__ import annotations

import numpy as np
import shapely

from hotspots.demo.geometry import Geography

BAD_KINDS = ("no_location", "outside_area_lsoa", "offshore_near", "offshore_far", "duplicate")


def outside_points(rng: np.random.Generator, n: int) -> np.ndarray:
    """Points for rows over the "border": far out in the open sea to the north-west."""
    return np.column_stack(
        [rng.uniform(145_000.0, 155_000.0, n), rng.uniform(295_000.0, 305_000.0, n)]
    )


def outside_codes(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """English-style LSOA codes and names that no real LSOA has (``E01099001``...)."""
    numbers = rng.integers(1, 400, size=n)
    codes = np.array([f"E01099{k:03d}" for k in numbers], dtype=object)
    names = np.array(
        [f"Borderland {1 + k // 4:03d}{chr(ord('A') + k % 4)}" for k in numbers], dtype=object
    )
    return codes, names


def offshore_record(
    fmt: str,
    path: str,
    row_id: str,
    kind: str,
    xy: tuple[float, float],
    geo: Geography,
    ward_codes: np.ndarray,
) -> dict:
    point = shapely.Point(xy)
    dist = shapely.distance(geo.ward_geom, point)
    nearest = int(np.argmin(dist))
    return {
        "format": fmt,
        "file": path,
        "id": str(row_id),
        "kind": str(kind),
        "easting": round(float(xy[0]), 1),
        "northing": round(float(xy[1]), 1),
        "distance_m": round(float(dist[nearest]), 1),
        "nearest_ward": str(ward_codes[nearest]),
    }
