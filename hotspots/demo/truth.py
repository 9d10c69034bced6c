"""The demo's planted truth: what was planted where, as JSON-ready data.

Written as ``planted_truth.json`` beside the demo files and kept in the demo store, so
the analytics tests can check the methods against known answers: the hotspot clusters,
their fringes, the isolated and drug hotspots and the emerging areas, the latent rates and
realised counts by ward, the LSOA splits and merges, and every planted bad row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hotspots.demo.bad_rows import BAD_KINDS
from hotspots.demo.formats import DEMO_MARK, FIRST_LSOA21_MONTH, MONTHS
from hotspots.demo.geometry import Geography
from hotspots.demo.incidents import Incidents
from hotspots.demo.plan import Changes, Plan
from hotspots.demo.rates import emerging_trend
from hotspots.demo.settings import (
    CATEGORIES,
    CENTRE,
    EMERGING_RING_LEVEL,
    FORCES,
    FRINGE_LEVEL,
    HO_CODES,
    LA_FORCE,
    LAS,
    RATE_SCALE,
    RING_LEVEL,
    WARD_EFFECT_SD,
)


def planted_truth(
    *,
    seed: int,
    geo: Geography,
    plan: Plan,
    changes: Changes,
    ward_codes: np.ndarray,
    ward_names: np.ndarray,
    la_codes: list[str],
    pfa_codes: list[str],
    lsoa21_code: np.ndarray,
    units: list[tuple],
    lsoa11_codes: list[str],
    pop21: np.ndarray,
    lam: np.ndarray,
    incidents: Incidents,
    police_uk: dict[str, pd.DataFrame],
    force_extracts: dict[str, pd.DataFrame],
    bad_rows: dict[str, dict[str, dict[str, int]]],
    offshore_rows: list[dict],
    n11: int,
) -> dict:
    """The planted truth, JSON-ready, in the layout of ``planted_truth.json``.

    Ward-keyed sections are in ward code order; rates are per 1,000 residents a year.
    """
    n_wards = len(geo.ward_geom)
    n_months = len(MONTHS)
    ward_pop = np.bincount(geo.lsoa_ward, weights=pop21, minlength=n_wards)
    expected = np.zeros((n_wards, len(CATEGORIES)))
    for c in range(len(CATEGORIES)):
        expected[:, c] = np.bincount(
            geo.lsoa_ward, weights=lam[:, :, c].sum(axis=1), minlength=n_wards
        )
    per_1000_year = expected / ward_pop[:, None] * 1_000.0 / (n_months / 12.0)
    slug = {c.name: c.slug for c in CATEGORIES}
    v = next(k for k, c in enumerate(CATEGORIES) if c.slug == "violence_and_sexual_offences")
    d = next(k for k, c in enumerate(CATEGORIES) if c.slug == "drugs")
    latent = {}
    for w in np.argsort(ward_codes):
        latent[str(ward_codes[w])] = {
            "ward_name": str(ward_names[w]),
            "population": int(ward_pop[w]),
            "violence_per_1000_per_year": round(float(per_1000_year[w, v]), 3),
            "drugs_per_1000_per_year": round(float(per_1000_year[w, d]), 3),
            "expected_violence_24_months": round(float(expected[w, v]), 2),
            "expected_drugs_24_months": round(float(expected[w, d]), 2),
        }
    # Realised planted crimes (valid rows only) by ward, category and year.
    inc_ward = geo.lsoa_ward[incidents.lsoa]
    planted: dict[str, dict[str, dict[str, int]]] = {"all": {}, "2023": {}, "2024": {}}
    year_of = np.array([int(m[:4]) for m in MONTHS])[incidents.month]
    for key, mask in (("all", None), ("2023", year_of == 2023), ("2024", year_of == 2024)):
        sel = np.ones(len(inc_ward), dtype=bool) if mask is None else mask
        table = np.zeros((n_wards, len(CATEGORIES)), dtype=np.int64)
        np.add.at(table, (inc_ward[sel], incidents.category[sel]), 1)
        for w in np.argsort(ward_codes):
            planted[key][str(ward_codes[w])] = {
                CATEGORIES[c].slug: int(table[w, c]) for c in range(len(CATEGORIES))
            }
    background = float(np.median(per_1000_year[:, v]))
    hot_rate = per_1000_year[plan.violence_hotspots, v]

    def ratio(wards: list[int]) -> float:
        return round(float(np.median(per_1000_year[wards, v])) / background, 2)

    rings = sorted(set(plan.hotspots) - set(plan.cores))
    splits = []
    for k, (a, b) in enumerate(changes.split_pairs):
        unit = next(j for j, u in enumerate(units) if u[0] == "S" and u[1] == k)
        splits.append(
            {
                "lsoa11_code": lsoa11_codes[unit],
                "lsoa21_codes": sorted([str(lsoa21_code[a]), str(lsoa21_code[b])]),
                "ward_codes": sorted({str(ward_codes[geo.lsoa_ward[a]]),
                                      str(ward_codes[geo.lsoa_ward[b]])}),
                "straddles_wards": bool(changes.straddling[k]),
            }
        )  # fmt: skip
    merges = []
    for i in changes.merged:
        parents = [lsoa11_codes[j] for j, u in enumerate(units) if u[0] == "M" and u[1] == i]
        merges.append(
            {
                "lsoa11_codes": parents,
                "lsoa21_code": str(lsoa21_code[i]),
                "ward_code": str(ward_codes[geo.lsoa_ward[i]]),
            }
        )

    def codes(wards: list[int]) -> list[str]:
        return sorted(str(ward_codes[w]) for w in wards)

    totals = {
        fmt: {kind: sum(f[kind] for f in files.values()) for kind in BAD_KINDS}
        for fmt, files in bad_rows.items()
    }
    return {
        "description": (
            f"Planted truth of the {DEMO_MARK} region (hotspots.demo.synth). Every place, "
            "code and crime in it is invented."
        ),
        "generator": "hotspots.demo.synth.make_demo_region",
        "seed": seed,
        "crs": "EPSG:27700",
        "centre_easting_northing": list(CENTRE),
        "months": list(MONTHS),
        "police_uk_lsoa_vintage": {
            "2011": [m for m in MONTHS if m < FIRST_LSOA21_MONTH],
            "2021": [m for m in MONTHS if m >= FIRST_LSOA21_MONTH],
        },
        "force_extract_lsoa_vintage": "2021",
        "counts": {
            "wards": n_wards,
            "lsoa21": len(geo.lsoa_geom),
            "lsoa11": n11,
            "local_authorities": len(la_codes),
            "police_forces": len(pfa_codes),
            "population": int(pop21.sum()),
            "police_uk_rows": {p: len(f) for p, f in police_uk.items()},
            "force_extract_rows": {p: len(f) for p, f in force_extracts.items()},
        },
        "local_authorities": {
            la_codes[la]: {
                "name": LAS[la][0],
                "name_welsh": LAS[la][1],
                "police_force": pfa_codes[LA_FORCE[la]],
            }
            for la in range(len(LAS))
        },
        "police_forces": {
            pfa_codes[f]: {
                "name": FORCES[f][0],
                "reported_by": f"{FORCES[f][0]} Police",
                "slug": FORCES[f][1],
            }
            for f in range(len(FORCES))
        },
        "hotspot_design": (
            "hotspot_wards are the wards of the violence hotspot clusters, each a core ward "
            "and its whole ring of neighbours, all several times the background rate: the "
            "cluster hotspots Getis-Ord Gi* is expected to find. hotspot_fringe_wards border "
            "a cluster and have a raised rate (a step down from the cluster, as crime thins "
            "out around a hotspot); they are not hotspots. isolated_hotspot_wards are single "
            "hot wards among ordinary neighbours: the ranking finds them, Gi* (a statistic "
            "of a ward and its neighbours together) is not expected to. emerging_areas are "
            "an emerging ward and its ring, ordinary at first, whose violence rises slowly "
            "and then fast in the last months."
        ),
        "hotspot_wards": codes(plan.hotspots),
        "hotspot_clusters": [codes(c) for c in plan.hotspot_clusters],
        "hotspot_cluster_cores": [str(ward_codes[w]) for w in plan.cores],
        "hotspot_fringe_wards": codes(plan.fringe),
        "isolated_hotspot_wards": codes(plan.isolated),
        "violence_hotspot_wards": codes(plan.violence_hotspots),
        "drug_hotspot_wards": codes(plan.drug_hotspots),
        "drug_only_hotspot_wards": codes(
            sorted(set(plan.drug_hotspots) - set(plan.violence_hotspots))
        ),
        "emerging_wards": codes(plan.emerging),
        "emerging_areas": sorted(
            ({"ward": str(ward_codes[a[0]]), "ring": codes(a[1:])} for a in plan.emerging_areas),
            key=lambda area: area["ward"],
        ),
        "background_violence_per_1000_per_year": round(background, 3),
        "hotspot_violence_to_background_ratio": {
            "min": round(float(hot_rate.min()) / background, 2),
            "median": round(float(np.median(hot_rate)) / background, 2),
            "median_core": ratio(plan.cores),
            "median_ring": ratio(rings),
            "median_isolated": ratio(plan.isolated),
            "median_fringe": ratio(plan.fringe),
        },
        "model": {
            "rate_scale": RATE_SCALE,
            "hotspot_multiplier_share": {
                "core": 1.0,
                "ring": RING_LEVEL,
                "isolated": 1.0,
                "fringe": FRINGE_LEVEL,
            },
            "ward_effect_log_sd": WARD_EFFECT_SD,
            "emerging_multiplier": {
                "by_month": dict(zip(MONTHS, np.round(emerging_trend(), 3).tolist(), strict=True)),
                "ring_share": EMERGING_RING_LEVEL,
                "categories": [c.slug for c in CATEGORIES if c.emerging],
            },
            "categories": {
                c.slug: {
                    "police_uk_crime_type": c.name,
                    "base_rate_per_1000_per_year": c.base_rate,
                    "deprivation_log_slope": c.beta,
                    "hotspot_multiplier": c.hotspot,
                    "drug_hotspot_multiplier": c.drug_hotspot,
                    "summer_amplitude": c.season,
                    "december_factor": c.december,
                    "time_profile": "night" if c.night else "day",
                }
                for c in CATEGORIES
            },
            "ho_codes": {
                slug[name]: {code: desc for code, desc, _ in table}
                for name, table in HO_CODES.items()
            },
        },
        "latent_rates": latent,
        "planted_counts": planted,
        "lsoa_changes": {"split": splits, "merged": merges},
        "bad_rows": {**bad_rows, "totals": totals},
        "offshore_rows": offshore_rows,
    }
