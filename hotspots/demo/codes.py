"""Codes and names of the demo's wards, local authorities and police force areas.

Wards are numbered in local-authority order, then north to south within each authority.
Every code has a prefix that ONS never issues (``X05`` ward, ``X06`` local authority,
``X14`` community safety partnership, ``X15`` police force area; ``X01`` LSOA in
:mod:`hotspots.demo.vintages`), and every name is invented.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from hotspots.demo.geometry import Geography
from hotspots.demo.settings import FORCES, LAS

_WARD_PREFIXES = (
    "Aber", "Llan", "Pen", "Tre", "Cwm", "Bryn", "Nant", "Pont", "Coed", "Glan",
    "Rhyd", "Maes", "Caer", "Dol", "Ynys", "Porth", "Bod", "Cefn", "Castell", "Betws",
)  # fmt: skip
_WARD_ROOTS = (
    "wyddno", "seithen", "garan", "mererid", "gwaelod", "tonnau", "gwymon", "morlo",
    "cregyn", "gwylan", "llanw", "morfil", "ewyn", "cwrel", "heligog", "tywodlyd",
)  # fmt: skip


@dataclass(frozen=True)
class WardCodes:
    """Codes and names of the wards, local authorities and police force areas.

    Attributes
    ----------
    xy : numpy.ndarray
        Centroid of each ward (generator order), EPSG:27700.
    rank : numpy.ndarray
        Position of each ward (generator order) in code order.
    codes, names : numpy.ndarray
        Code and name of each ward (generator order).
    msoa : numpy.ndarray
        MSOA-style number of each ward within its local authority (used in LSOA names).
    la_codes, pfa_codes : list of str
        Code of each local authority and of each police force area.
    """

    xy: np.ndarray
    rank: np.ndarray
    codes: np.ndarray
    names: np.ndarray
    msoa: np.ndarray
    la_codes: list[str]
    pfa_codes: list[str]


def ward_codes(rng: np.random.Generator, geo: Geography) -> WardCodes:
    """Number and name the wards: local-authority order, then north to south."""
    n_wards = len(geo.ward_geom)
    ward_xy = shapely.get_coordinates(shapely.centroid(geo.ward_geom))
    ward_order = np.lexsort((ward_xy[:, 0], -ward_xy[:, 1], geo.ward_la))
    ward_rank = np.empty(n_wards, dtype=np.int64)
    ward_rank[ward_order] = np.arange(n_wards)
    codes = np.array([code("X05", int(r) + 1) for r in ward_rank])
    names = np.array(_ward_names(rng, n_wards))[ward_rank]
    la_codes = [code("X06", k + 1) for k in range(len(LAS))]
    ward_msoa = np.zeros(n_wards, dtype=np.int64)  # MSOA-style number within the LA
    for la in range(len(LAS)):
        in_la = ward_order[geo.ward_la[ward_order] == la]
        ward_msoa[in_la] = np.arange(1, len(in_la) + 1)
    pfa_codes = [code("X15", f + 1) for f in range(len(FORCES))]
    return WardCodes(ward_xy, ward_rank, codes, names, ward_msoa, la_codes, pfa_codes)


def _ward_names(rng: np.random.Generator, n: int) -> list[str]:
    combos = [p + r for p in _WARD_PREFIXES for r in _WARD_ROOTS]
    names = [combos[i] for i in rng.permutation(len(combos))]
    if n > len(names):  # pragma: no cover - the pool has 320 names
        raise ValueError(f"only {len(names)} ward names for {n} wards")
    return names[:n]


def code(prefix: str, number: int) -> str:
    """A nine-character code: ``prefix`` and ``number`` in six digits (``X05000001``)."""
    return f"{prefix}{number:06d}"
