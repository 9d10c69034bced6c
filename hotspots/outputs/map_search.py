"""The map's ward search: each ward findable by its English or Welsh name.

Welsh names come from the ONS lookup (``WD22NMW``, ``LAD22NMW``, kept by
:func:`hotspots.io.lookups.load_lsoa21_ward` as ``ward_name_cy`` and
``local_authority_name_cy``); where a name has no Welsh form the English one stands.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

__all__ = ["in_language", "search_labels", "welsh_names"]


def welsh_names(lookup: pd.DataFrame) -> tuple[dict[str, str], dict[str, str]]:
    """Welsh names by code: (wards, local authorities); empty when the lookup has none."""

    def pairs(code: str, name: str) -> dict[str, str]:
        if name not in lookup.columns:
            return {}
        rows = lookup[[code, name]].dropna().drop_duplicates(code)
        return {str(c): str(n) for c, n in rows.itertuples(index=False) if str(n).strip()}

    return (
        pairs("ward_code", "ward_name_cy"),
        pairs("local_authority_code", "local_authority_name_cy"),
    )


def search_labels(
    wards: pd.DataFrame,
    ward_cy: Mapping[str, str],
    council_cy: Mapping[str, str],
    lang: str = "en",
) -> dict[str, str]:
    """Ward code → the text the search box matches and shows: both names when they differ
    (the page's language first) and the council, e.g. "Swansea Castle / Castell
    (Swansea)". Sorted by that text.

    Parameters
    ----------
    wards : pandas.DataFrame
        ``ward_code``, ``ward_name``, ``local_authority_code``, ``local_authority_name``.
    ward_cy, council_cy : mapping
        Welsh names by code (:func:`welsh_names`).
    lang : str, default "en"
    """
    out = {}
    for code, name, la_code, la_name in wards[
        ["ward_code", "ward_name", "local_authority_code", "local_authority_name"]
    ].itertuples(index=False):
        cy = ward_cy.get(code) or name
        first, second = (cy, name) if lang == "cy" else (name, cy)
        council = (council_cy.get(la_code) or la_name) if lang == "cy" else la_name
        shown = first if first == second else f"{first} / {second}"
        out[str(code)] = f"{shown} ({council})"
    return dict(sorted(out.items(), key=lambda kv: (kv[1].casefold(), kv[0])))


def in_language(
    frame: pd.DataFrame,
    ward_cy: Mapping[str, str],
    council_cy: Mapping[str, str],
    lang: str = "en",
) -> pd.DataFrame:
    """``frame`` with ``ward_name`` and ``local_authority_name`` in Welsh where ONS
    publishes a Welsh name and ``lang`` is "cy" (a new frame; English: ``frame`` itself)."""
    if lang != "cy":
        return frame
    cols = {}
    if "ward_name" in frame.columns:
        welsh = frame["ward_code"].map(ward_cy)
        cols["ward_name"] = welsh.where(welsh.notna(), frame["ward_name"])
    if "local_authority_name" in frame.columns and "local_authority_code" in frame.columns:
        welsh = frame["local_authority_code"].map(council_cy)
        cols["local_authority_name"] = welsh.where(welsh.notna(), frame["local_authority_name"])
    return frame.assign(**cols)
