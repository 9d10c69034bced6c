"""The demo's deprivation: a spatially smooth latent field, higher around towns and
hotspots, written as WIMD-style ranks, deciles and scores by 2011 LSOA.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from hotspots.demo.codes import WardCodes
from hotspots.demo.formats import WIMD_COLUMNS, WIMD_DOMAINS, WIMD_SCORE_ORDER
from hotspots.demo.geometry import Geography
from hotspots.demo.plan import Changes, Plan
from hotspots.demo.settings import HOTSPOT_DEPRIVATION
from hotspots.demo.vintages import Vintages


def make_deprivation(
    rng_dep: np.random.Generator,
    geo: Geography,
    plan: Plan,
    changes: Changes,
    wc: WardCodes,
    vintages: Vintages,
) -> tuple[np.ndarray, pd.DataFrame]:
    """The latent deprivation of each 2021 LSOA and the WIMD-style file by 2011 LSOA.

    Returns
    -------
    z21 : numpy.ndarray
        Standardised latent deprivation of each 2021 LSOA (generator order).
    deprivation : pandas.DataFrame
        The deprivation file, columns :data:`~hotspots.demo.formats.WIMD_COLUMNS`.
    """
    ward_xy, lsoa_xy = wc.xy, vintages.lsoa_xy
    units, n11, lsoa11_codes = vintages.units, vintages.n11, vintages.lsoa11_codes
    n21 = len(lsoa_xy)
    # One bump per hotspot area (a cluster's centre, or the isolated ward), as wide as it.
    areas = [*plan.hotspot_clusters, *([w] for w in plan.isolated)]
    hotspot_xy = np.array([ward_xy[a].mean(axis=0) for a in areas])
    hotspot_sd = np.array(
        [
            max(1_000.0, float(np.hypot(*(ward_xy[a] - ward_xy[a].mean(axis=0)).T).max()))
            for a in areas
        ]
    )
    z21 = _standardise(
        _latent_deprivation(rng_dep, lsoa_xy, geo.towns, hotspot_xy, hotspot_sd)
        + rng_dep.normal(0.0, 0.12, size=n21)
    )
    z11 = np.empty(n11)
    for k, u in enumerate(units):
        if u[0] == "U":
            z11[k] = z21[u[1]]
        elif u[0] == "S":
            z11[k] = z21[list(changes.split_pairs[u[1]])].mean()
        else:
            z11[k] = z21[u[1]] + rng_dep.normal(0.0, 0.1)
    deprivation = _wimd_frame(rng_dep, lsoa11_codes, z11)
    return z21, deprivation


def _latent_deprivation(
    rng: np.random.Generator,
    xy: np.ndarray,
    towns: np.ndarray,
    hotspot_xy: np.ndarray,
    hotspot_sd: np.ndarray,
) -> np.ndarray:
    """Spatially smooth deprivation field at ``xy`` (unstandardised), with a bump of
    standard deviation ``hotspot_sd`` metres around each point of ``hotspot_xy``."""
    value = np.zeros(len(xy))
    for t, (tx, ty) in enumerate(towns):
        d2 = (xy[:, 0] - tx) ** 2 + (xy[:, 1] - ty) ** 2
        value += (1.0 - 0.08 * t) * np.exp(-d2 / (2 * 2_500.0**2))
    for (hx, hy), sd in zip(hotspot_xy, hotspot_sd, strict=True):
        d2 = (xy[:, 0] - hx) ** 2 + (xy[:, 1] - hy) ** 2
        value += HOTSPOT_DEPRIVATION * np.exp(-d2 / (2 * sd**2))
    for _ in range(10):
        wavelength = rng.uniform(6_000.0, 20_000.0)
        theta = rng.uniform(0, 2 * np.pi)
        k = 2 * np.pi / wavelength * np.array([np.cos(theta), np.sin(theta)])
        value += 0.12 * np.cos(xy @ k + rng.uniform(0, 2 * np.pi))
    return value


def _standardise(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / x.std()


def _wimd_frame(rng: np.random.Generator, codes: list[str], z: np.ndarray) -> pd.DataFrame:
    """WIMD-style ranks, deciles and scores from the latent deprivation ``z``."""
    n = len(codes)
    # (loading on z, score scale, score log-slope); Environment is on a linear scale.
    domains = {
        "Income": (0.95, 14.0, 0.45),
        "Employment": (0.92, 12.0, 0.42),
        "Health": (0.85, 11.0, 0.50),
        "Education": (0.85, 12.0, 0.55),
        "Housing": (0.45, 18.0, 0.35),
        "Access": (-0.35, 22.0, 0.40),
        "Environment": (0.30, 0.0, 0.0),
        "Crime": (0.80, 12.0, 0.50),
    }
    weights = {
        "Income": 0.22,
        "Employment": 0.22,
        "Health": 0.15,
        "Education": 0.14,
        "Access": 0.10,
        "Housing": 0.07,
        "Crime": 0.05,
        "Environment": 0.05,
    }
    scores: dict[str, np.ndarray] = {}
    imd = np.zeros(n)
    for name, (loading, scale, slope) in domains.items():
        zd = loading * z + math.sqrt(1 - loading**2) * rng.normal(size=n)
        imd += weights[name] * zd
        if name == "Environment":
            scores[name] = 0.7 + 0.6 * zd
        else:
            scores[name] = scale * np.exp(slope * zd)
    scores["IMD"] = 18.0 * np.exp(0.45 * _standardise(imd))
    frame: dict[str, object] = {"lsoa_code": codes}
    ranks: dict[str, np.ndarray] = {}
    for name in WIMD_DOMAINS:
        order = np.lexsort((np.array(codes), -scores[name]))  # highest score = rank 1
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(1, n + 1)
        ranks[name] = rank
    for name in WIMD_DOMAINS:
        frame[f"{name}_decile"] = (ranks[name] - 1) * 10 // n + 1
    for name in WIMD_DOMAINS:
        frame[f"{name}_rank"] = ranks[name]
    for name in WIMD_SCORE_ORDER:
        frame[f"{name}_score"] = [f"{v:.10g}" for v in scores[name]]
    return pd.DataFrame(frame, columns=list(WIMD_COLUMNS))
