"""Place names in the pack's language: wards and local authorities in Welsh where ONS
publishes them (``WD22NMW``, ``LAD22NMW`` of the LSOA → ward lookup), police forces by their
own Welsh names, and the area of a pack in words."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from hotspots.outputs.pack.words import force_name, tr


@dataclass(frozen=True)
class LocalNames:
    """Names in the pack's language: ward code → name, local-authority name (English, as
    the analysis carries it) → name, local-authority code → name."""

    wards: dict[str, str] = field(default_factory=dict)
    authorities: dict[str, str] = field(default_factory=dict)
    authority_codes: dict[str, str] = field(default_factory=dict)


def welsh_names(lookup: pd.DataFrame | None) -> dict[str, str]:
    """Ward and local-authority code → Welsh name, from the LSOA → ward lookup in force
    (:attr:`hotspots.geo.geography.Geography.lsoa21_ward`; its ``ward_name_cy`` and
    ``local_authority_name_cy`` columns, read from ``WD22NMW`` / ``LAD22NMW``). Codes
    without a Welsh name are left out; an empty dict when the lookup has none."""
    out: dict[str, str] = {}
    if lookup is None:
        return out
    for code, name in (
        ("ward_code", "ward_name_cy"),
        ("local_authority_code", "local_authority_name_cy"),
    ):
        if code not in lookup.columns or name not in lookup.columns:
            continue
        pairs = lookup[[code, name]].dropna().drop_duplicates(code)
        out.update(
            {
                str(c): str(n).strip()
                for c, n in zip(pairs[code], pairs[name], strict=True)
                if str(n).strip()
            }
        )
    return out


def local_names(wards: pd.DataFrame, welsh: Mapping[str, str] | None = None) -> LocalNames:
    """The names of an area's wards and local authorities, in Welsh where ``welsh`` (code →
    Welsh name) has them, else as ``wards`` has them (English)."""
    welsh = welsh or {}
    w = {
        str(c): welsh.get(str(c), str(n))
        for c, n in zip(wards["ward_code"], wards["ward_name"], strict=True)
    }
    la_codes = wards[["local_authority_code", "local_authority_name"]].dropna()
    pairs = list(
        zip(la_codes["local_authority_code"], la_codes["local_authority_name"], strict=True)
    )
    by_code = {str(c): welsh.get(str(c), str(n)) for c, n in pairs}
    by_name = {str(n): welsh.get(str(c), str(n)) for c, n in pairs}
    return LocalNames(w, by_name, by_code)


def display_names(hotspots: pd.DataFrame) -> dict[str, str]:
    """Ward name, with its local authority when the name is not unique in the area."""
    names = hotspots["ward_name"].astype(str)
    dup = names.duplicated(keep=False)
    return {
        str(code): (f"{n} ({la})" if d else n)
        for code, n, la, d in zip(
            hotspots["ward_code"].astype(str),
            names,
            hotspots["local_authority_name"].astype(str),
            dup,
            strict=True,
        )
    }


def area_label(wards: pd.DataFrame, area: str, lang: str, names: LocalNames) -> str:
    """The area of a pack in words: a police force ("Heddlu Dyfed-Powys"), a local
    authority (its name in the pack's language) or every loaded ward."""
    if area in ("", "all wards"):
        return tr(lang)("All wards loaded (Wales)")
    for force in sorted({str(f) for f in wards["police_force"].dropna()}):
        if _norm(area) in (_norm(force), _norm(force_name(force))):
            return force_name(force, lang)
    las = sorted(set(names.authority_codes.values()))
    return las[0] if len(las) == 1 else str(area)


def _norm(text: str) -> str:
    return "".join(ch for ch in str(text).lower() if ch.isalnum()).removesuffix("police")
