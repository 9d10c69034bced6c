"""The demo's boundaries and lookups as frames: wards, 2021 LSOAs, LSOA 2011 to 2021 to
local authority, LSOA 2021 to ward to local authority, and local authority to community
safety partnership to police force area.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspots.demo.codes import WardCodes, code
from hotspots.demo.formats import (
    DEMO_MARK,
    LAD_LOOKUP_COLUMNS,
    LSOA11_LOOKUP_COLUMNS,
    WARD_LOOKUP_COLUMNS,
)
from hotspots.demo.geometry import Geography
from hotspots.demo.plan import Changes
from hotspots.demo.settings import FORCES, LA_FORCE, LAS
from hotspots.demo.vintages import Vintages


@dataclass(frozen=True)
class Lookups:
    """The boundary and lookup frames (see :class:`~hotspots.demo.synth.DemoRegion`)."""

    wards: gpd.GeoDataFrame
    lsoa21: gpd.GeoDataFrame
    lsoa11_to_lsoa21: pd.DataFrame
    lsoa21_to_ward: pd.DataFrame
    lad_to_csp_to_pfa: pd.DataFrame


def boundary_and_lookup_frames(
    seed: int,
    geo: Geography,
    changes: Changes,
    wc: WardCodes,
    vintages: Vintages,
    pop21: np.ndarray,
    z21: np.ndarray,
) -> Lookups:
    """The boundary and lookup frames, each in its real file's columns and row order."""
    ward_rank, ward_codes, ward_names = wc.rank, wc.codes, wc.names
    la_codes, pfa_codes = wc.la_codes, wc.pfa_codes
    units, lsoa11_codes, lsoa11_names = vintages.units, vintages.lsoa11_codes, vintages.lsoa11_names
    lsoa21_code, lsoa21_name = vintages.lsoa21_code, vintages.lsoa21_name
    lsoa21_name_w = vintages.lsoa21_name_w
    n21 = len(geo.lsoa_geom)
    ward_ids = np.argsort(ward_rank)  # generator ward number in code order
    wards = gpd.GeoDataFrame(
        {
            "ward22_code": ward_codes[ward_ids],
            "ward22_name": ward_names[ward_ids],
            "lad22_code": [la_codes[geo.ward_la[w]] for w in ward_ids],
            "lad22_name": [LAS[geo.ward_la[w]][0] for w in ward_ids],
            "lad_source": f"{DEMO_MARK} (hotspots.demo.synth, seed {seed})",
        },
        geometry=list(geo.ward_geom[ward_ids]),
        crs="EPSG:27700",
    )
    lsoa_ids = np.argsort(lsoa21_code.astype(str), kind="stable")
    lsoa_ward_code = ward_codes[geo.lsoa_ward]
    lsoa_la = geo.ward_la[geo.lsoa_ward]
    lsoa21 = gpd.GeoDataFrame(
        {
            "lsoa21_code": lsoa21_code[lsoa_ids].astype(str),
            "lsoa21_name": lsoa21_name[lsoa_ids].astype(str),
            "ward_code": lsoa_ward_code[lsoa_ids],
            "lad_code": [la_codes[la] for la in lsoa_la[lsoa_ids]],
            "population": pop21[lsoa_ids],
            "deprivation": np.round(z21[lsoa_ids], 6),
        },
        geometry=list(geo.lsoa_geom[lsoa_ids]),
        crs="EPSG:27700",
    )
    lsoa21_to_ward = pd.DataFrame(
        {
            "LSOA21CD": lsoa21_code[lsoa_ids].astype(str),
            "LSOA21NM": lsoa21_name[lsoa_ids].astype(str),
            "LSOA21NMW": lsoa21_name_w[lsoa_ids].astype(str),
            "WD22CD": lsoa_ward_code[lsoa_ids],
            "WD22NM": ward_names[geo.lsoa_ward][lsoa_ids],
            "WD22NMW": ward_names[geo.lsoa_ward][lsoa_ids],
            "LAD22CD": [la_codes[la] for la in lsoa_la[lsoa_ids]],
            "LAD22NM": [LAS[la][0] for la in lsoa_la[lsoa_ids]],
            "LAD22NMW": [LAS[la][1] for la in lsoa_la[lsoa_ids]],
            "ObjectId": np.arange(1, n21 + 1),
        },
        columns=list(WARD_LOOKUP_COLUMNS),
    )
    lookup_rows = []
    for k, u in enumerate(units):
        if u[0] == "U":
            targets, change = [u[1]], "U"
        elif u[0] == "S":
            targets, change = list(changes.split_pairs[u[1]]), "S"
        else:
            targets, change = [u[1]], "M"
        for i in targets:
            la = lsoa_la[i]
            lookup_rows.append(
                (lsoa11_codes[k], lsoa11_names[k], change, lsoa21_code[i], lsoa21_name[i],
                 la_codes[la], LAS[la][0])
            )  # fmt: skip
    lsoa11_to_lsoa21 = pd.DataFrame(lookup_rows, columns=list(LSOA11_LOOKUP_COLUMNS))
    lsoa11_to_lsoa21 = lsoa11_to_lsoa21.sort_values(
        ["lsoa11_code", "lsoa21_code"], kind="stable", ignore_index=True
    )
    lad_to_csp_to_pfa = pd.DataFrame(
        [
            (la_codes[la], LAS[la][0], code("X14", la + 1), LAS[la][0],
             pfa_codes[LA_FORCE[la]], FORCES[LA_FORCE[la]][0])
            for la in range(len(LAS))
        ],
        columns=list(LAD_LOOKUP_COLUMNS),
    )  # fmt: skip
    return Lookups(wards, lsoa21, lsoa11_to_lsoa21, lsoa21_to_ward, lad_to_csp_to_pfa)
