"""The one slug rule gives every force and area name of the real data and the demo the
slug and key the four earlier rules gave it (copied below as they were)."""

from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from pathlib import Path

import pytest

from hotspots.slugs import folder_slug, force_key, force_slug, slug

STREET = re.compile(r"(\d{4}-\d{2})-(.+)-street\.csv$", re.IGNORECASE)
WORDS = re.compile(r"\b(police|constabulary|service|heddlu)\b")


# ---- the rules as they were --------------------------------------------------------------


def old_street_slug(text):  # police.uk reading: file names, --force, mapping sources
    text = re.sub(r"\s+police$", "", str(text).strip(), flags=re.IGNORECASE)
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def old_unknown_force_slug(text):  # police.uk reading: a force police.uk does not publish
    return old_street_slug(WORDS.sub(" ", str(text).lower())) or old_street_slug(text)


def old_area_slug(text):  # the --area choices, and forces without data
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")


def old_match_key(name):  # the store→analysis seam: force ↔ source
    key = re.sub(r"[^a-z0-9]+", "", str(name).lower())
    return re.sub(r"(police|constabulary)$", "", key) or key


def old_folder_slug(text):  # the pack archive's folders
    norm = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    out = re.sub(r"[^a-z0-9]+", "-", norm.lower()).strip("-")
    if not out:
        out = "x-" + hashlib.sha256(str(text).encode("utf-8")).hexdigest()[:12]
    return out


# ---- the names ---------------------------------------------------------------------------


def _csv_column(path: Path, *columns: str) -> set[str]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {r[c] for r in rows for c in columns if r.get(c)}


def real_names(shared: Path) -> tuple[set[str], set[str], set[str]]:
    """Force names, force slugs of file names, and area (local authority) names."""
    forces: set[str] = set()
    parts: set[str] = set()
    for f in sorted((shared / "crime").rglob("*-street.csv")):
        parts.add(STREET.search(f.name).group(2))
        with open(f, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            first = next(reader)
        forces |= {first["Reported by"], first["Falls within"]}
    lookups = shared / "lookups"
    forces |= _csv_column(lookups / "lad24_to_csp24_to_pfa24_wales.csv", "pfa24_name")
    areas = _csv_column(lookups / "lad24_to_csp24_to_pfa24_wales.csv", "ltla24_name", "csp24_name")
    areas |= _csv_column(
        lookups / "lsoa21_to_ward22_to_lad22_wales.csv", "LAD22NM", "LAD22NMW", "WD22NM", "WD22NMW"
    )
    return forces, parts, areas


def demo_names(store) -> tuple[set[str], set[str], set[str]]:
    wards = store.geography().wards
    forces = set(wards["police_force"].dropna())
    parts = {s.split(":", 1)[1] for s in store.sources()}
    for f in store.reconciliation()["file"]:
        m = STREET.search(f)
        if m:
            parts.add(m.group(2))
    areas = set(wards["local_authority_name"].dropna()) | set(wards["ward_name"].dropna())
    return forces, parts, areas


def _check(forces: set[str], parts: set[str], areas: set[str]) -> None:
    assert forces and parts and areas
    for name in forces | parts:
        assert force_slug(name) == old_street_slug(name), name
        assert force_slug(name) == old_unknown_force_slug(name), name
        assert force_key(name) == old_match_key(name), name
    for name in forces:
        assert slug(name) == old_area_slug(name), name
    for name in forces | areas:
        assert folder_slug(name) == old_folder_slug(name), name


@pytest.mark.shared
def test_real_names_keep_their_slugs(shared_data):
    forces, parts, areas = real_names(shared_data)
    assert {"dyfed-powys", "south-wales"} <= parts
    assert {"Dyfed-Powys Police", "South Wales Police", "North Wales", "Gwent"} <= forces
    assert "Ynys Môn" in areas and folder_slug("Ynys Môn") == "ynys-mon"
    _check(forces, parts, areas)


@pytest.mark.slow
def test_demo_names_keep_their_slugs(demo_store):
    forces, parts, areas = demo_names(demo_store)
    assert {"cantre-gwaelod", "maes-gwyddno"} <= parts
    _check(forces, parts, areas)


def test_known_answers():
    assert slug("Vale of Helig") == "vale-of-helig"
    assert slug("  --Pen-y-bont ar Ogwr!! ") == "pen-y-bont-ar-ogwr"
    assert slug("😀") == ""
    assert force_slug("Dyfed-Powys Police") == "dyfed-powys"
    assert force_slug("Heddlu Gogledd Cymru") == "gogledd-cymru"
    assert force_slug("Police") == "police"
    assert folder_slug("😀").startswith("x-") and len(folder_slug("😀")) == 14
    with pytest.raises(ValueError, match="cannot make a folder name"):
        folder_slug("  ")
    assert force_key("Devon & Cornwall Police") == force_key("devon-and-cornwall")
    assert force_key("Heddlu Dyfed-Powys") == force_key("dyfed-powys") == "dyfedpowys"
