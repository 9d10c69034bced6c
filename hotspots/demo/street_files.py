"""The demo's police.uk street-level crime files: one per month and force, with their
bad rows, in police.uk's columns, order and identifiers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from hotspots.demo.bad_rows import (
    BAD_KINDS,
    offshore_record,
    outside_codes,
    outside_points,
)
from hotspots.demo.formats import (
    DEMO_MARK,
    FIRST_LSOA21_MONTH,
    MONTHS,
    POLICE_UK_COLUMNS,
    POLICE_UK_DIR,
    blank,
    fixed,
)
from hotspots.demo.geometry import Geography, lonlat, sample_offshore
from hotspots.demo.incidents import Incidents
from hotspots.demo.settings import ASB, CATEGORIES, FAR_SEA_M, FORCES, NEAR_COAST_M

_OUTCOMES = (
    ("Unable to prosecute suspect", 0.32),
    ("Investigation complete; no suspect identified", 0.29),
    ("Court result unavailable", 0.05),
    ("Status update unavailable", 0.035),
    ("Local resolution", 0.026),
    ("Under investigation", 0.06),
    ("Offender given a caution", 0.014),
    ("Awaiting court outcome", 0.03),
    ("Offender sent to prison", 0.011),
    ("Offender given community sentence", 0.01),
    ("Offender fined", 0.007),
    ("Defendant found not guilty", 0.005),
    ("Further investigation is not in the public interest", 0.005),
    ("Formal action is not in the public interest", 0.0045),
    ("Court case unable to proceed", 0.004),
    ("Offender given suspended prison sentence", 0.0035),
    ("Action to be taken by another organisation", 0.0016),
)
_DRUG_OUTCOMES = (
    ("Offender given a drugs possession warning", 0.30),
    ("Local resolution", 0.20),
    ("Court result unavailable", 0.12),
    ("Under investigation", 0.12),
    ("Offender fined", 0.06),
    ("Unable to prosecute suspect", 0.10),
    ("Awaiting court outcome", 0.05),
    ("Offender given penalty notice", 0.05),
)


def _pick_outcomes(rng: np.random.Generator, table: tuple, n: int) -> np.ndarray:
    labels = np.array([t[0] for t in table], dtype=object)
    p = np.array([t[1] for t in table])
    return labels[rng.choice(len(labels), size=n, p=p / p.sum())]


def _hex_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` police.uk-style crime identifiers (64 hexadecimal characters)."""
    text = rng.bytes(32 * n).hex()
    return np.array([text[64 * i : 64 * (i + 1)] for i in range(n)], dtype=object)


def police_uk_frames(
    rng: np.random.Generator,
    geo: Geography,
    inc: Incidents,
    lsoa_force: np.ndarray,
    lsoa21_code: np.ndarray,
    lsoa21_name: np.ndarray,
    code11: np.ndarray,
    name11: np.ndarray,
    ward_codes: np.ndarray,
) -> tuple[dict[str, pd.DataFrame], dict[str, dict[str, int]], list[dict]]:
    """police.uk street files (one per month and force), with their bad rows."""
    n_files = len(MONTHS) * len(FORCES)
    n = len(inc.lsoa)
    cat_names = np.array([c.name for c in CATEGORIES], dtype=object)
    lon, lat = lonlat(inc.snap_xy)
    use21 = np.array([m >= FIRST_LSOA21_MONTH for m in MONTHS])[inc.month]
    cols: dict[str, list[np.ndarray]] = {
        "file": [inc.month * len(FORCES) + lsoa_force[inc.lsoa]],
        "Longitude": [fixed(lon, 6)],
        "Latitude": [fixed(lat, 6)],
        "Location": [inc.snap_name.astype(object)],
        "LSOA code": [np.where(use21, lsoa21_code[inc.lsoa], code11)],
        "LSOA name": [np.where(use21, lsoa21_name[inc.lsoa], name11)],
        "Crime type": [cat_names[inc.category]],
        "kind": [blank(n)],
        "x": [np.full(n, np.nan)],
        "y": [np.full(n, np.nan)],
    }
    # How many bad rows of each kind go into each file.
    sizes = np.bincount(cols["file"][0], minlength=n_files)
    per_file = {
        "no_location": np.round(sizes * 0.012).astype(np.int64) + rng.integers(0, 3, n_files),
        "outside_area_lsoa": rng.integers(0, 4, n_files),
        "offshore_near": rng.integers(0, 3, n_files),
        "offshore_far": rng.integers(0, 2, n_files),
        "duplicate": np.isin(np.arange(n_files), rng.choice(n_files, 3, replace=False)),
    }
    land = shapely.union_all(geo.ward_geom)
    for kind in ("no_location", "outside_area_lsoa", "offshore_near", "offshore_far"):
        file_idx = np.repeat(np.arange(n_files), per_file[kind])
        k = len(file_idx)
        first_type = 0 if kind == "no_location" else 1  # only located rows avoid ASB
        xy = np.full((k, 2), np.nan)
        codes, names = blank(k), blank(k)
        location = np.full(k, "No Location", dtype=object)
        if kind == "outside_area_lsoa":
            xy = outside_points(rng, k)
            codes, names = outside_codes(rng, k)
            location = np.full(k, "On or near Border Road", dtype=object)
        elif kind.startswith("offshore"):
            lo, hi = NEAR_COAST_M if kind == "offshore_near" else FAR_SEA_M
            xy = sample_offshore(rng, land, k, lo, hi, west=kind == "offshore_far")
            location = np.full(k, "On or near Pier", dtype=object)
        x_lon, x_lat = lonlat(xy) if kind != "no_location" else (None, None)
        cols["file"].append(file_idx)
        cols["Longitude"].append(blank(k) if x_lon is None else fixed(x_lon, 6))
        cols["Latitude"].append(blank(k) if x_lat is None else fixed(x_lat, 6))
        cols["Location"].append(location)
        cols["LSOA code"].append(codes)
        cols["LSOA name"].append(names)
        cols["Crime type"].append(cat_names[rng.integers(first_type, len(CATEGORIES), k)])
        cols["kind"].append(np.full(k, kind, dtype=object))
        cols["x"].append(xy[:, 0])
        cols["y"].append(xy[:, 1])
    data = {name: np.concatenate(parts) for name, parts in cols.items()}
    total = len(data["file"])
    # Outcomes: none for anti-social behaviour; drug offences have their own mix.
    outcome = _pick_outcomes(rng, _OUTCOMES, total)
    drugs = data["Crime type"] == "Drugs"
    outcome[drugs] = _pick_outcomes(rng, _DRUG_OUTCOMES, int(drugs.sum()))
    asb = data["Crime type"] == CATEGORIES[ASB].name
    outcome[asb] = ""
    data["Last outcome category"] = outcome
    # Order as police.uk files are: by LSOA code (no location last), then crime type.
    code_key = np.where(data["LSOA code"] == "", "~", data["LSOA code"]).astype(str)
    order = np.lexsort((np.arange(total), data["Crime type"].astype(str), code_key, data["file"]))
    data = {name: values[order] for name, values in data.items()}
    asb = asb[order]
    ids = blank(total)
    ids[~asb] = _hex_ids(rng, int((~asb).sum()))
    data["Crime ID"] = ids
    bounds = np.searchsorted(data["file"], np.arange(n_files + 1))
    force_names = [f"{f[0]} Police" for f in FORCES]
    frames: dict[str, pd.DataFrame] = {}
    bad: dict[str, dict[str, int]] = {}
    offshore: list[dict] = []
    for file in range(n_files):
        m, f = divmod(file, len(FORCES))
        path = _police_uk_path(m, f)
        rows = np.arange(bounds[file], bounds[file + 1])
        bad[path] = {kind: int(per_file[kind][file]) for kind in BAD_KINDS}
        if per_file["duplicate"][file]:
            planted = rows[(data["kind"][rows] == "") & (data["Crime ID"][rows] != "")]
            j = int(rng.choice(planted))
            rows = np.insert(rows, np.searchsorted(rows, j), j)
        frame = {
            "Crime ID": data["Crime ID"][rows],
            "Month": np.full(len(rows), MONTHS[m], dtype=object),
            "Reported by": np.full(len(rows), force_names[f], dtype=object),
            "Falls within": np.full(len(rows), force_names[f], dtype=object),
            **{c: data[c][rows] for c in POLICE_UK_COLUMNS[4:11]},
            "Context": np.full(len(rows), DEMO_MARK, dtype=object),
        }
        frames[path] = pd.DataFrame(frame, columns=list(POLICE_UK_COLUMNS), dtype=object)
        for j in rows[np.isin(data["kind"][rows], ["offshore_near", "offshore_far"])]:
            offshore.append(
                offshore_record(
                    "police_uk", path, data["Crime ID"][j], data["kind"][j],
                    (data["x"][j], data["y"][j]), geo, ward_codes,
                )
            )  # fmt: skip
    return frames, bad, offshore


def _police_uk_path(month: int, force: int) -> str:
    m = MONTHS[month]
    return f"{POLICE_UK_DIR}/{m}/{m}-{FORCES[force][1]}-street.csv"
