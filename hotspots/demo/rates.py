"""The demo's expected crime: a rate for every 2021 LSOA, month and crime category.

A rate is the category's base rate for the LSOA's population, raised with deprivation,
scaled by a ward-level random effect, the planted hotspot levels, the season and, in the
emerging areas, the emerging trend.
"""

from __future__ import annotations

import numpy as np

from hotspots.demo.formats import MONTHS
from hotspots.demo.geometry import Geography
from hotspots.demo.plan import Plan
from hotspots.demo.settings import (
    CATEGORIES,
    EMERGING_END,
    EMERGING_MID,
    EMERGING_RING_LEVEL,
    EMERGING_START,
    RATE_SCALE,
    WARD_EFFECT_SD,
    Category,
)


def expected_counts(
    rng_rate: np.random.Generator,
    geo: Geography,
    plan: Plan,
    pop21: np.ndarray,
    z21: np.ndarray,
) -> np.ndarray:
    """Expected crimes of each 2021 LSOA, month and category, shape (lsoa, month, category).

    What was planted is set, not left to chance: no random effect there, and the violence
    hotspots and emerging areas all share the hotspots' mean deprivation.
    """
    n_wards = len(geo.ward_geom)
    n21 = len(geo.lsoa_geom)
    n_months, n_cat = len(MONTHS), len(CATEGORIES)
    hot_level = plan.hot_level(n_wards)
    hot = np.zeros(n_wards, dtype=bool)
    hot[plan.violence_hotspots] = True
    drug_hot = np.zeros(n_wards, dtype=bool)
    drug_hot[plan.drug_hotspots] = True
    emerging_level = np.zeros(n_wards)
    for area in plan.emerging_areas:
        emerging_level[area[1:]] = EMERGING_RING_LEVEL
    emerging_level[plan.emerging] = 1.0
    emerging = emerging_level > 0
    lsoa_level = hot_level[geo.lsoa_ward]
    lsoa_drug = drug_hot[geo.lsoa_ward]
    lsoa_emerging = emerging_level[geo.lsoa_ward]
    trend = emerging_trend()
    # A ward-level random effect: places differ in ways deprivation does not explain.
    ward_effect = np.exp(rng_rate.normal(0.0, WARD_EFFECT_SD, size=n_wards))
    # What was planted is set, not left to chance: no random effect there, and the
    # violence hotspots and emerging areas all share the hotspots' mean deprivation, so
    # that every cluster is equally strong and flat inside (its core a little above its
    # ring) and both emerging areas rise alike. Fringe wards keep their own deprivation.
    fringe = np.zeros(n_wards, dtype=bool)
    fringe[plan.fringe] = True
    ward_effect[hot | drug_hot | emerging | fringe] = 1.0
    ward_effect = ward_effect[geo.lsoa_ward]
    in_hotspot = hot[geo.lsoa_ward]
    z_rate = z21.copy()
    z_rate[in_hotspot | (lsoa_emerging > 0)] = np.average(
        z21[in_hotspot], weights=pop21[in_hotspot]
    )
    lam = np.empty((n21, n_months, n_cat))
    for c, cat in enumerate(CATEGORIES):
        per_month = pop21 / 1_000.0 * cat.base_rate * RATE_SCALE / 12.0
        spatial = per_month * np.exp(cat.beta * z_rate) * ward_effect
        spatial = spatial * (1.0 + (cat.hotspot - 1.0) * lsoa_level)
        spatial = spatial * np.where(lsoa_drug, cat.drug_hotspot, 1.0)
        rate = spatial[:, None] * _month_factors(cat)[None, :]
        if cat.emerging:
            rate = rate * (1.0 + (trend[None, :] - 1.0) * lsoa_emerging[:, None])
        lam[:, :, c] = rate
    return lam


def emerging_trend() -> np.ndarray:
    """Violence multiplier of an emerging ward in each month: a slow, steady rise from 1 in
    the first month to ``EMERGING_MID`` at month ``EMERGING_START``, then a faster one to
    ``EMERGING_END`` in the last month."""
    m = np.arange(len(MONTHS), dtype=float)
    last = len(MONTHS) - 1
    slow = 1.0 + (EMERGING_MID - 1.0) * np.minimum(m, EMERGING_START) / EMERGING_START
    fast = (EMERGING_END - EMERGING_MID) * np.clip(
        (m - EMERGING_START) / (last - EMERGING_START), 0.0, 1.0
    )
    return slow + fast


def _month_factors(cat: Category) -> np.ndarray:
    months = np.array([int(m[5:]) for m in MONTHS])
    season = 1.0 + cat.season * np.cos(2 * np.pi * (months - 7) / 12.0)
    return season * np.where(months == 12, cat.december, 1.0)
