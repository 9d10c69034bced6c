"""The demo's 2011 and 2021 LSOAs: which 2011 LSOA each 2021 LSOA came from, their codes
and their names.

Most LSOAs are the same in both vintages (change code ``U``); a few 2011 LSOAs were split
into two 2021 LSOAs (``S``) and a few pairs of 2011 LSOAs merged into one (``M``), as
:func:`~hotspots.demo.plan.plan_changes` chose. A 2011 LSOA is a *unit* here:
``("U", i)`` is 2021 LSOA ``i`` unchanged, ``("S", k)`` the 2011 LSOA split into pair
``k`` and ``("M", i, half)`` one of the two halves merged into 2021 LSOA ``i``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from hotspots.demo.codes import WardCodes, code
from hotspots.demo.geometry import Geography
from hotspots.demo.incidents import Incidents
from hotspots.demo.plan import Changes
from hotspots.demo.settings import LAS


@dataclass(frozen=True)
class Vintages:
    """The 2011 units and the codes and names of both LSOA vintages.

    Attributes
    ----------
    units : list of tuple
        The 2011 LSOAs as units (see the module docstring), in 2011 code order.
    lsoa_xy : numpy.ndarray
        Centroid of each 2021 LSOA (generator order), EPSG:27700.
    lsoa11_codes, lsoa11_names : list of str
        Code and name of each 2011 LSOA (unit order).
    lsoa21_code, lsoa21_name, lsoa21_name_w : numpy.ndarray
        Code, English name and Welsh name of each 2021 LSOA (generator order).
    """

    units: list[tuple]
    lsoa_xy: np.ndarray
    lsoa11_codes: list[str]
    lsoa11_names: list[str]
    lsoa21_code: np.ndarray
    lsoa21_name: np.ndarray
    lsoa21_name_w: np.ndarray

    @property
    def n11(self) -> int:
        """The number of 2011 LSOAs."""
        return len(self.units)


def lsoa_vintages(geo: Geography, changes: Changes, wc: WardCodes) -> Vintages:
    """The 2011 units and both vintages' codes and names.

    LSOAs are numbered in ward code order, then north to south; an unchanged LSOA keeps
    its 2011 code and the new 2021 LSOAs (splits and merges) take codes after the last
    2011 one. Names are the local authority's name and an MSOA-style suffix.
    """
    ward_rank, ward_msoa = wc.rank, wc.msoa
    n_wards = len(geo.ward_geom)
    n21 = len(geo.lsoa_geom)
    lsoa_xy = shapely.get_coordinates(shapely.centroid(geo.lsoa_geom))
    split_of = {a: k for k, pair in enumerate(changes.split_pairs) for a in pair}
    merged = set(changes.merged)
    # 2011 units: ("U", i), ("S", k) for split pair k, ("M", i, half).
    units: list[tuple] = []
    for i in range(n21):
        if i in split_of:
            k = split_of[i]
            if changes.split_pairs[k][0] == i:
                units.append(("S", k))
        elif i in merged:
            units.extend([("M", i, 0), ("M", i, 1)])
        else:
            units.append(("U", i))

    def unit_first_lsoa(u: tuple) -> int:
        return changes.split_pairs[u[1]][0] if u[0] == "S" else u[1]

    def unit_key(u: tuple) -> tuple:
        i = unit_first_lsoa(u)
        w = geo.lsoa_ward[i]
        half = u[2] if u[0] == "M" else 0
        return (ward_rank[w], -lsoa_xy[i, 1], lsoa_xy[i, 0], half)

    units.sort(key=unit_key)
    n11 = len(units)
    lsoa11_codes = [code("X01", k + 1) for k in range(n11)]
    letters_used = np.zeros(n_wards, dtype=np.int64)

    def next_name(ward: int) -> tuple[str, str]:
        la = geo.ward_la[ward]
        suffix = f"{ward_msoa[ward]:03d}{chr(ord('A') + letters_used[ward])}"
        letters_used[ward] += 1
        return f"{LAS[la][0]} {suffix}", f"{LAS[la][1]} {suffix}"

    lsoa11_names: list[str] = []
    for u in units:
        lsoa11_names.append(next_name(int(geo.lsoa_ward[unit_first_lsoa(u)]))[0])
    lsoa21_code = np.empty(n21, dtype=object)
    lsoa21_name = np.empty(n21, dtype=object)
    lsoa21_name_w = np.empty(n21, dtype=object)
    unit_of_u: dict[int, int] = {u[1]: k for k, u in enumerate(units) if u[0] == "U"}
    for i, k in unit_of_u.items():
        lsoa21_code[i] = lsoa11_codes[k]
        suffix = lsoa11_names[k].rsplit(" ", 1)[1]
        la = geo.ward_la[geo.lsoa_ward[i]]
        lsoa21_name[i] = lsoa11_names[k]
        lsoa21_name_w[i] = f"{LAS[la][1]} {suffix}"
    new_lsoas = sorted(
        set(range(n21)) - set(unit_of_u), key=lambda i: (ward_rank[geo.lsoa_ward[i]], i)
    )
    for k, i in enumerate(new_lsoas):
        lsoa21_code[i] = code("X01", n11 + k + 1)
        lsoa21_name[i], lsoa21_name_w[i] = next_name(int(geo.lsoa_ward[i]))
    return Vintages(
        units, lsoa_xy, lsoa11_codes, lsoa11_names, lsoa21_code, lsoa21_name, lsoa21_name_w
    )


def incident_units(vintages: Vintages, changes: Changes, incidents: Incidents) -> np.ndarray:
    """The 2011 unit of each incident (for the police.uk months before 2024).

    A merged 2021 LSOA's incidents go to its western or eastern 2011 half by their map
    point's side of the LSOA's centroid.
    """
    units, lsoa_xy = vintages.units, vintages.lsoa_xy
    n21 = len(lsoa_xy)
    lsoa_to_unit = np.empty(n21, dtype=np.int64)
    merged_units: dict[int, list[int]] = {}
    for k, u in enumerate(units):
        if u[0] == "U":
            lsoa_to_unit[u[1]] = k
        elif u[0] == "S":
            for i in changes.split_pairs[u[1]]:
                lsoa_to_unit[i] = k
        else:
            lsoa_to_unit[u[1]] = k
            merged_units.setdefault(u[1], [k, k])[u[2]] = k
    unit_idx = lsoa_to_unit[incidents.lsoa]
    for i, (k0, k1) in merged_units.items():
        rows = incidents.lsoa == i
        east = incidents.snap_xy[:, 0] >= lsoa_xy[i, 0]  # halves split at the centroid
        unit_idx = np.where(rows, np.where(east, k1, k0), unit_idx)
    return unit_idx
