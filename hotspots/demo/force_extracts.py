"""The demo's force extracts: one file per force with every planted crime (no anti-social
behaviour) of all months, Home Office offence codes, flags, victims, recorded times and
the force's own locations, with their bad rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from hotspots.demo.bad_rows import BAD_KINDS, offshore_record, outside_codes
from hotspots.demo.formats import FORCE_EXTRACT_COLUMNS, FORCE_EXTRACT_DIR, MONTHS, blank, fixed
from hotspots.demo.geometry import Geography, lonlat, sample_offshore
from hotspots.demo.incidents import Incidents
from hotspots.demo.settings import ASB, CATEGORIES, FAR_SEA_M, FORCES, HO_CODES, NEAR_COAST_M

_FEMALE_VICTIM = frozenset({"19C", "19D", "19E", "20A"})
_MALE_VICTIM = frozenset({"19F", "19G", "19H", "17A"})
_CHILD_VICTIM = frozenset({"19D", "19E", "19G", "19H"})
_AGE_BANDS = ("0-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+")
_AGE_BAND_P = (0.12, 0.22, 0.26, 0.18, 0.12, 0.06, 0.04)

_NIGHT_HOURS = np.array(
    [6, 5, 4, 3, 2, 1.5, 1.5, 2, 2.5, 3, 3.5, 3.8, 4, 4, 4, 4.5, 4.8, 5, 5, 5.2, 5.5, 6, 7, 7.5]
)
_DAY_HOURS = np.array(
    [
        1,
        0.7,
        0.5,
        0.4,
        0.4,
        0.6,
        1.2,
        2.5,
        3.5,
        4,
        4.5,
        4.8,
        5,
        5,
        5,
        5,
        5,
        5,
        4.5,
        4,
        3.5,
        3,
        2,
        1.5,
    ]
)


def _hour_weights(night: bool, month: str) -> tuple[np.ndarray, np.ndarray]:
    """Every hour of ``month`` (datetime64[h]) and its weight for a time profile."""
    start = np.datetime64(month, "M")
    hours = np.arange(start.astype("datetime64[h]"), (start + 1).astype("datetime64[h]"))
    days = hours.astype("datetime64[D]").astype(np.int64)
    dow = (days + 3) % 7  # Monday = 0 (1970-01-01 was a Thursday)
    hour = (hours - hours.astype("datetime64[D]")).astype(np.int64)
    if night:
        w = _NIGHT_HOURS[hour].copy()
        friday_night = ((dow == 4) & (hour >= 20)) | ((dow == 5) & (hour <= 2))
        saturday_night = ((dow == 5) & (hour >= 20)) | ((dow == 6) & (hour <= 2))
        w[friday_night] *= 2.4
        w[saturday_night] *= 2.8
    else:
        w = _DAY_HOURS[hour] * np.where(dow == 5, 1.1, np.where(dow == 6, 0.85, 1.0))
    return hours, w / w.sum()


def _force_extract_path(force: int) -> str:
    return (
        f"{FORCE_EXTRACT_DIR}/synthetic_demo_{FORCES[force][1]}_force_extract_"
        f"{MONTHS[0]}_{MONTHS[-1]}.csv"
    )


def _offence_codes(rng: np.random.Generator, cat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A Home Office offence code and description for each crime of category ``cat``."""
    ho = blank(len(cat))
    desc = blank(len(cat))
    for c, category in enumerate(CATEGORIES):
        rows = np.flatnonzero(cat == c)
        if c == ASB or not len(rows):
            continue
        table = HO_CODES[category.name]
        p = np.array([t[2] for t in table])
        pick = rng.choice(len(table), size=len(rows), p=p / p.sum())
        ho[rows] = np.array([t[0] for t in table], dtype=object)[pick]
        desc[rows] = np.array([t[1] for t in table], dtype=object)[pick]
    return ho, desc


def _recorded_times(rng: np.random.Generator, cat: np.ndarray, month: np.ndarray) -> np.ndarray:
    """A recorded time (datetime64[m]) for each crime, with a night-time weekend skew."""
    when = np.empty(len(cat), dtype="datetime64[m]")
    is_night = np.array([c.night for c in CATEGORIES])[cat]
    for m, month_name in enumerate(MONTHS):
        for night in (True, False):
            rows = np.flatnonzero((month == m) & (is_night == night))
            if not len(rows):
                continue
            hours, p = _hour_weights(night, month_name)
            pick = hours[rng.choice(len(hours), size=len(rows), p=p)]
            minutes = rng.integers(0, 60, size=len(rows)).astype("timedelta64[m]")
            when[rows] = pick.astype("datetime64[m]") + minutes
    return when


def force_extract_frames(
    rng: np.random.Generator,
    geo: Geography,
    inc: Incidents,
    lsoa_force: np.ndarray,
    lsoa21_code: np.ndarray,
    ward_codes: np.ndarray,
) -> tuple[dict[str, pd.DataFrame], dict[str, dict[str, int]], list[dict]]:
    """One extract per force: every planted crime (no anti-social behaviour), all months."""
    keep = inc.category != ASB
    cat, month, lsoa, xy = inc.category[keep], inc.month[keep], inc.lsoa[keep], inc.true_xy[keep]
    n = len(cat)
    ho, desc = _offence_codes(rng, cat)
    when = _recorded_times(rng, cat, month)
    hour = (when - when.astype("datetime64[D]")).astype("timedelta64[h]").astype(np.int64)
    late = (hour >= 21) | (hour <= 3)
    # Flags and victims.
    cat_name = np.array([c.name for c in CATEGORIES], dtype=object)[cat]
    violent = cat_name == "Violence and sexual offences"
    u = rng.random((6, n))
    domestic = u[0] < np.select(
        [violent, cat_name == "Criminal damage and arson"], [0.33, 0.15], 0.02
    )
    alcohol = u[1] < np.where(
        violent | (cat_name == "Public order"), np.where(late, 0.5, 0.15), 0.02
    )
    drugs_flag = (cat_name == "Drugs") | (u[2] < np.where(cat_name == "Robbery", 0.10, 0.04))
    knife_p = np.select(
        [ho == "10D", np.isin(ho, ["1", "2", "4.1"]), ho == "5D", cat_name == "Robbery",
         np.isin(ho, ["8N", "3B"])],
        [1.0, 0.4, 0.25, 0.15, 0.05],
        0.0,
    )  # fmt: skip
    knife = u[3] < knife_p
    victim = np.array([c.victim for c in CATEGORIES])[cat]
    band = np.array(_AGE_BANDS, dtype=object)[
        rng.choice(len(_AGE_BANDS), size=n, p=np.array(_AGE_BAND_P) / sum(_AGE_BAND_P))
    ]
    band = np.where(np.isin(ho, list(_CHILD_VICTIM)), "0-17", band)
    band = np.where(victim, band, "")
    sex = np.where(u[4] < 0.47, "F", np.where(u[4] < 0.95, "M", "U")).astype(object)
    sex = np.where(np.isin(ho, list(_FEMALE_VICTIM)), "F", sex)
    sex = np.where(np.isin(ho, list(_MALE_VICTIM)), "M", sex)
    sex = np.where(victim, sex, "U")
    # Location: lat/lon for ~55% of rows, easting/northing for ~42%, LSOA only for ~3%.
    mode = np.where(u[5] < 0.55, 0, np.where(u[5] < 0.97, 1, 2))
    yn = np.array(["N", "Y"], dtype=object)
    cols: dict[str, list[np.ndarray]] = {
        "force": [lsoa_force[lsoa]],
        "when": [when],
        "ho_code": [ho],
        "offence_description": [desc],
        "mode": [mode],
        "x": [xy[:, 0]],
        "y": [xy[:, 1]],
        "lsoa_code": [np.where(mode == 2, lsoa21_code[lsoa], "")],
        "domestic_flag": [yn[domestic.astype(int)]],
        "alcohol_flag": [yn[alcohol.astype(int)]],
        "drugs_flag": [yn[drugs_flag.astype(int)]],
        "knife_flag": [yn[knife.astype(int)]],
        "victim_age_band": [band],
        "victim_sex": [sex.astype(object)],
        "kind": [blank(n)],
    }
    # Bad rows.
    n_forces = len(FORCES)
    sizes = np.bincount(lsoa_force[lsoa], minlength=n_forces)
    per_force = {
        "no_location": np.round(sizes * 0.004).astype(np.int64) + rng.integers(0, 5, n_forces),
        "outside_area_lsoa": rng.integers(6, 12, n_forces),
        "offshore_near": rng.integers(4, 8, n_forces),
        "offshore_far": rng.integers(3, 6, n_forces),
        "duplicate": np.full(n_forces, 2),
    }
    land = shapely.union_all(geo.ward_geom)
    codes_flat = [t for c in CATEGORIES if c.name in HO_CODES for t in HO_CODES[c.name]]
    start = np.datetime64(MONTHS[0], "M")
    n_minutes = int(((start + len(MONTHS)) - start).astype("timedelta64[m]").astype(np.int64))
    for kind in ("no_location", "outside_area_lsoa", "offshore_near", "offshore_far"):
        force = np.repeat(np.arange(n_forces), per_force[kind])
        k = len(force)
        pick = rng.integers(0, len(codes_flat), size=k)
        minutes = rng.integers(0, n_minutes, size=k).astype("timedelta64[m]")
        sea = np.full((k, 2), np.nan)
        codes = blank(k)
        row_mode = np.full(k, 3)  # 3 = no location at all
        if kind == "outside_area_lsoa":
            codes = outside_codes(rng, k)[0]
            row_mode = np.full(k, 2)
        elif kind.startswith("offshore"):
            lo, hi = NEAR_COAST_M if kind == "offshore_near" else FAR_SEA_M
            sea = sample_offshore(rng, land, k, lo, hi, west=kind == "offshore_far")
            row_mode = np.arange(k) % 2  # alternately lat/lon and easting/northing
        extra = {
            "force": force,
            "when": start.astype("datetime64[m]") + minutes,
            "ho_code": np.array([codes_flat[p][0] for p in pick], dtype=object),
            "offence_description": np.array([codes_flat[p][1] for p in pick], dtype=object),
            "mode": row_mode,
            "x": sea[:, 0],
            "y": sea[:, 1],
            "lsoa_code": codes,
            **{flag: np.full(k, "N", dtype=object) for flag in FORCE_EXTRACT_COLUMNS[9:13]},
            "victim_age_band": blank(k),
            "victim_sex": np.full(k, "U", dtype=object),
            "kind": np.full(k, kind, dtype=object),
        }
        for name, values in extra.items():
            cols[name].append(values)
    data = {name: np.concatenate(parts) for name, parts in cols.items()}
    total = len(data["force"])
    order = np.lexsort((np.arange(total), data["when"], data["force"]))
    data = {name: values[order] for name, values in data.items()}
    # Coordinates as the force's system gives them.
    mode = data["mode"]
    lon, lat = lonlat(np.column_stack([data["x"], data["y"]]))
    data["latitude"] = np.where(mode == 0, fixed(lat, 6), "")
    data["longitude"] = np.where(mode == 0, fixed(lon, 6), "")
    data["easting"] = np.where(mode == 1, fixed(data["x"], 0), "")
    data["northing"] = np.where(mode == 1, fixed(data["y"], 0), "")
    # References: <force prefix>/<yy>/<sequence within the force and year>.
    year = data["when"].astype("datetime64[Y]").astype(np.int64) + 1970
    group = data["force"] * 10_000 + year
    first = np.searchsorted(group, group)  # sorted by force then time, so years are runs
    seq = np.arange(total) - first + 1
    prefix = np.array([f"{f[2]}/" for f in FORCES])[data["force"]]
    reference = np.strings.add(prefix, np.strings.zfill((year % 100).astype(str), 2))
    reference = np.strings.add(reference, "/")
    reference = np.strings.add(reference, np.strings.zfill(seq.astype(str), 6))
    data["crime_reference"] = reference.astype(object)
    stamps = np.datetime_as_string(data["when"], unit="m")
    data["recorded_at"] = np.strings.replace(stamps, "T", " ").astype(object)
    bounds = np.searchsorted(data["force"], np.arange(n_forces + 1))
    frames: dict[str, pd.DataFrame] = {}
    bad: dict[str, dict[str, int]] = {}
    offshore: list[dict] = []
    for f in range(n_forces):
        path = _force_extract_path(f)
        rows = np.arange(bounds[f], bounds[f + 1])
        bad[path] = {kind: int(per_force[kind][f]) for kind in BAD_KINDS}
        planted = rows[data["kind"][rows] == ""]
        for j in rng.choice(planted, size=int(per_force["duplicate"][f]), replace=False):
            rows = np.insert(rows, np.searchsorted(rows, j), j)
        frames[path] = pd.DataFrame(
            {c: data[c][rows] for c in FORCE_EXTRACT_COLUMNS},
            columns=list(FORCE_EXTRACT_COLUMNS),
            dtype=object,
        )
        for j in rows[np.isin(data["kind"][rows], ["offshore_near", "offshore_far"])]:
            offshore.append(
                offshore_record(
                    "force_extract", path, data["crime_reference"][j], data["kind"][j],
                    (data["x"][j], data["y"][j]), geo, ward_codes,
                )
            )  # fmt: skip
    return frames, bad, offshore
