"""The geography crimes are placed in: ward polygons plus the LSOA lookups."""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from hotspots.errors import N_, InputError
from hotspots.schema import WARD_COLUMNS
from hotspots.slugs import slug


@dataclass(frozen=True, eq=False)
class Geography:
    """Wards (EPSG:27700) and the lookups that carry LSOA codes to them.

    Build it with :func:`build_geography`; it is read-only.

    Attributes
    ----------
    wards : GeoDataFrame
        :data:`hotspots.schema.WARD_COLUMNS`, sorted by ``ward_code``.
    lsoa11_21, lsoa21_ward : DataFrame
        The normalised ONS lookups (see :mod:`hotspots.io.lookups`).
    single_ward : dict
        LSOA code (2011 or 2021) → ward code, for codes that reach exactly one ward.
    multi_ward : frozenset
        LSOA codes that reach several wards (split 2011 LSOAs across a ward boundary).
    """

    wards: gpd.GeoDataFrame = field(repr=False)
    lsoa11_21: pd.DataFrame = field(repr=False)
    lsoa21_ward: pd.DataFrame = field(repr=False)
    single_ward: dict[str, str] = field(repr=False)
    multi_ward: frozenset[str] = field(repr=False)

    @functools.cached_property
    def known_codes(self) -> frozenset[str]:
        """Every LSOA code in either lookup."""
        return frozenset(self.single_ward) | self.multi_ward

    @functools.cached_property
    def ward_codes(self) -> list[str]:
        """Ward codes in the order of :attr:`wards`."""
        return [str(c) for c in self.wards["ward_code"].to_numpy(dtype=object)]

    @functools.cached_property
    def ward_index(self) -> dict[str, int]:
        """Ward code → position in :attr:`wards`."""
        return {w: i for i, w in enumerate(self.ward_codes)}


def code_wards(lsoa11_21: pd.DataFrame, lsoa21_ward: pd.DataFrame) -> dict[str, set[str]]:
    """Every LSOA code (2021 and 2011) → the set of 2022 wards it reaches."""
    ward_of = dict(
        zip(lsoa21_ward["lsoa21_code"].tolist(), lsoa21_ward["ward_code"].tolist(), strict=True)
    )
    reach: dict[str, set[str]] = defaultdict(set)
    for l21, ward in ward_of.items():
        reach[l21].add(ward)
    for l11, l21 in zip(
        lsoa11_21["lsoa11_code"].tolist(), lsoa11_21["lsoa21_code"].tolist(), strict=True
    ):
        if l21 in ward_of:
            reach[l11].add(ward_of[l21])
    return dict(reach)


def build_geography(
    wards: gpd.GeoDataFrame,
    lsoa11_21: pd.DataFrame,
    lsoa21_ward: pd.DataFrame,
    lad_force: pd.DataFrame | None = None,
) -> Geography:
    """Assemble a :class:`Geography` from loaded boundaries and lookups.

    Ward names and local authorities missing from the boundary file are taken from the
    LSOA→ward lookup; the police force of each ward from ``lad_force`` when given.

    Raises
    ------
    InputError
        When the lookup's wards are not in the boundaries (different vintages).
    """
    w = wards.copy()
    names = lsoa21_ward.drop_duplicates("ward_code").set_index("ward_code")
    for col in ("ward_name", "local_authority_code", "local_authority_name"):
        fill = w["ward_code"].map(names[col]).astype("string")
        w[col] = w[col].astype("string").fillna(fill)
    if lad_force is not None and len(lad_force):
        force = lad_force.set_index("local_authority_code")["police_force"]
        w["police_force"] = w["local_authority_code"].map(force).astype("string")
    else:
        w["police_force"] = pd.array([pd.NA] * len(w), dtype="string")
    missing = sorted(set(lsoa21_ward["ward_code"].tolist()) - set(w["ward_code"].tolist()))
    if missing:
        raise InputError(
            N_("{n} ward(s) of the LSOA→ward lookup are not in the boundaries (e.g. {code})"),
            expected=N_("boundaries and lookup of the same ward vintage (e.g. both December 2022)"),
            fix=N_("load the matching ward boundaries or lookup"),
            values={"n": len(missing), "code": missing[0]},
        )
    reach = code_wards(lsoa11_21, lsoa21_ward)
    w = gpd.GeoDataFrame(w[WARD_COLUMNS], geometry="geometry", crs=wards.crs)
    return Geography(
        wards=w.sort_values("ward_code").reset_index(drop=True),
        lsoa11_21=lsoa11_21,
        lsoa21_ward=lsoa21_ward,
        single_ward={k: next(iter(v)) for k, v in reach.items() if len(v) == 1},
        multi_ward=frozenset(k for k, v in reach.items() if len(v) > 1),
    )


def select_wards(geography: Geography, area: str | None) -> gpd.GeoDataFrame:
    """Wards of an area: a force ("dyfed-powys", "South Wales", W15…), a local authority
    code or name, or everything when ``area`` is None.

    Raises
    ------
    ValueError
        When nothing matches; the message lists the valid areas.
    """
    w = geography.wards
    if not area:
        return w
    key = _norm(area)
    for col in ("police_force", "local_authority_code", "local_authority_name", "ward_code"):
        hit = w[col].fillna("").map(_norm) == key
        if hit.any():
            return w[hit.to_numpy()]
    raise ValueError(f"unknown area {area!r}; choose one of {area_choices(geography)}")


#: The Welsh police forces' names in Welsh, by the English name (and slug) the data use.
FORCE_NAMES_CY = {
    "Dyfed-Powys": "Heddlu Dyfed-Powys",
    "South Wales": "Heddlu De Cymru",
    "Gwent": "Heddlu Gwent",
    "North Wales": "Heddlu Gogledd Cymru",
    # The synthetic demo region's forces.
    "Cantre Gwaelod": "Heddlu Cantre'r Gwaelod",
    "Maes Gwyddno": "Heddlu Maes Gwyddno",
}


def welsh_names(geography: Geography) -> dict[str, str]:
    """The Welsh name of each ward and local authority that ONS gives one (by code, and
    for local authorities by English name too), and of each Welsh police force (by its
    English name and its slug, e.g. ``"dyfed-powys"``).

    Empty for wards and local authorities when the LSOA→ward lookup was loaded without
    its Welsh name columns (``WD22NMW``, ``LAD22NMW``).
    """
    out: dict[str, str] = {}
    for english, welsh in FORCE_NAMES_CY.items():
        out[english] = welsh
        out[slug(english)] = welsh
    lookup = geography.lsoa21_ward
    for code, name, cy in (
        ("ward_code", "ward_name", "ward_name_cy"),
        ("local_authority_code", "local_authority_name", "local_authority_name_cy"),
    ):
        if cy not in lookup.columns:
            continue
        rows = lookup[[code, name, cy]].dropna().drop_duplicates(code)
        rows = rows[rows[cy].astype(str).str.strip() != ""]
        out.update(zip(rows[code].astype(str), rows[cy].astype(str), strict=True))
        if code == "local_authority_code":
            out.update(zip(rows[name].astype(str), rows[cy].astype(str), strict=True))
    return out


def area_choices(geography: Geography) -> list[str]:
    """Valid ``area`` values: force slugs, then local authority names."""
    w = geography.wards
    forces = sorted({slug(f) for f in w["police_force"].dropna()})
    las = sorted(set(w["local_authority_name"].dropna()))
    return forces + las


def _norm(text: str) -> str:
    t = re.sub(r"\s+police$", "", str(text).strip(), flags=re.IGNORECASE)
    return re.sub(r"[^a-z0-9]", "", t.lower())
