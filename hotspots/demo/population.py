"""The demo's population: 2021 LSOAs carry the truth, 2011 LSOAs are derived from them.

Written like the mid-2019 estimates by 2011 LSOA and single year of age.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hotspots.demo.formats import POPULATION_COLUMNS
from hotspots.demo.plan import Changes
from hotspots.demo.vintages import Vintages


def make_population(
    rng_pop: np.random.Generator, changes: Changes, vintages: Vintages
) -> tuple[np.ndarray, pd.DataFrame]:
    """The population of each 2021 LSOA and the population file by 2011 LSOA.

    A split 2011 LSOA has the sum of its two 2021 LSOAs; a merged 2021 LSOA's two 2011
    halves share its population at random (40 % to 60 %).

    Returns
    -------
    pop21 : numpy.ndarray
        Residents of each 2021 LSOA (generator order).
    population : pandas.DataFrame
        The population file, columns :data:`~hotspots.demo.formats.POPULATION_COLUMNS`.
    """
    units, n11 = vintages.units, vintages.n11
    lsoa11_codes, lsoa11_names = vintages.lsoa11_codes, vintages.lsoa11_names
    n21 = len(vintages.lsoa_xy)
    pop21 = np.clip(np.round(rng_pop.normal(1_500.0, 260.0, size=n21)), 1_000, 2_600).astype(
        np.int64
    )
    merge_share = {i: float(rng_pop.uniform(0.4, 0.6)) for i in changes.merged}
    pop11 = np.empty(n11, dtype=np.int64)
    for k, u in enumerate(units):
        if u[0] == "U":
            pop11[k] = pop21[u[1]]
        elif u[0] == "S":
            a, b = changes.split_pairs[u[1]]
            pop11[k] = pop21[a] + pop21[b]
        else:
            first = round(pop21[u[1]] * merge_share[u[1]])
            pop11[k] = first if u[2] == 0 else pop21[u[1]] - first
    ages = rng_pop.multinomial(pop11, _age_profile())
    population = pd.DataFrame(ages, columns=list(POPULATION_COLUMNS[3:]))
    population.insert(0, "total_population", pop11)
    population.insert(0, "lsoa11_code", lsoa11_codes)
    population.insert(0, "lsoa11_name", lsoa11_names)
    return pop21, population


def _age_profile() -> np.ndarray:
    ages = np.arange(91, dtype=float)
    p = np.where(ages < 20, 1.15, 1.25)
    p = np.where(ages >= 35, 1.3, p)
    p = np.where(ages >= 60, 1.3 * np.exp(-(ages - 60) / 16.0), p)
    p[90] = 0.9
    return p / p.sum()
