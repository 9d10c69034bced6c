"""Where the demo plants its patterns: violence hotspot clusters with their fringes, an
isolated hotspot, emerging areas and drug hotspots (:func:`plan_hotspots`), and which
2021 LSOAs were split from or merged out of 2011 LSOAs (:func:`plan_changes`).

Wards and LSOAs are referred to by their generator numbers (positions in
:class:`~hotspots.demo.geometry.Geography`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from hotspots.demo.geometry import Geography
from hotspots.demo.settings import FRINGE_LEVEL, N_CLUSTERS, RING_LEVEL, RING_SIZES


@dataclass(frozen=True)
class Plan:
    """The planted places, as ward numbers (generator order)."""

    hotspot_clusters: list[list[int]]  # ward numbers (generator order), the core first
    hotspots: list[int]  # every ward of every cluster: what Gi* is expected to find
    cores: list[int]  # the core ward of each cluster
    fringe: list[int]  # wards bordering a cluster: somewhat raised rates, not hotspots
    isolated: list[int]  # single-ward violence hotspots (for the ranking, not for Gi*)
    drug_hotspots: list[int]
    emerging: list[int]  # the centre of each emerging area
    emerging_areas: list[list[int]]  # each emerging ward, then the ring that rises with it

    @property
    def violence_hotspots(self) -> list[int]:
        """Cluster and isolated violence hotspots together."""
        return sorted([*self.hotspots, *self.isolated])

    def hot_level(self, n_wards: int) -> np.ndarray:
        """How much of each category's hotspot multiplier each ward gets (0 to 1)."""
        level = np.zeros(n_wards)
        level[self.fringe] = FRINGE_LEVEL
        level[self.hotspots] = RING_LEVEL
        level[self.cores] = 1.0
        level[self.isolated] = 1.0
        return level


def plan_hotspots(rng: np.random.Generator, geo: Geography) -> Plan:
    """Violence clusters (a core ward and its whole ring of neighbours) at the three
    biggest towns with their fringes, an isolated single-ward hotspot at the fourth,
    emerging areas (a ward and its ring) at the fifth and sixth, and drug hotspots on most
    of the violence hotspots. Planted places keep apart, so none is another's neighbour."""
    centroids = shapely.get_coordinates(shapely.centroid(geo.ward_geom))

    def by_distance(xy: np.ndarray) -> np.ndarray:
        return np.argsort(np.hypot(*(centroids - xy).T), kind="stable")

    def closed(w: int) -> set[int]:
        return {int(w)} | geo.ward_neighbours[w]

    taken: set[int] = set()  # planted wards and the fringes of the clusters
    clusters: list[list[int]] = []
    for t in range(N_CLUSTERS):
        # Fringes never touch: at least one ordinary ward lies between two clusters.
        blocked = taken | _halo(geo, taken)
        core = next(
            int(w) for w in by_distance(geo.towns[t])
            if RING_SIZES[0] <= len(geo.ward_neighbours[w]) <= RING_SIZES[1]
            and not _halo(geo, closed(w)) & blocked
        )  # fmt: skip
        clusters.append([core, *sorted(geo.ward_neighbours[core])])
        taken |= closed(core) | _halo(geo, closed(core))
    hotspots = sorted(w for c in clusters for w in c)
    cores = [c[0] for c in clusters]
    fringe = sorted(_halo(geo, set(hotspots)) - set(hotspots))

    def single(t: int) -> int:
        blocked = taken | _halo(geo, taken)
        return next(int(w) for w in by_distance(geo.towns[t]) if not closed(w) & blocked)

    isolated = single(3)
    taken.add(isolated)
    emerging, emerging_areas = [], []
    for t in (4, 5):
        blocked = taken | _halo(geo, taken)
        centre = next(
            int(w) for w in by_distance(geo.towns[t])
            if RING_SIZES[0] <= len(geo.ward_neighbours[w]) <= RING_SIZES[1]
            and not closed(w) & blocked
        )  # fmt: skip
        emerging.append(centre)
        emerging_areas.append([centre, *sorted(geo.ward_neighbours[centre])])
        taken |= closed(centre)
    # Drug markets: every core, most of the rings, the isolated hotspot, and one ward just
    # outside the first cluster that has drugs but no violence hotspot.
    drug = {*cores, isolated}
    for cluster in clusters:
        ring = cluster[1:]
        drug |= {int(w) for w in rng.choice(ring, size=round(0.6 * len(ring)), replace=False)}
    drug.add(int(sorted(_halo(geo, set(clusters[0])) - set(hotspots))[0]))
    return Plan(
        clusters, hotspots, cores, fringe, [isolated], sorted(drug), emerging, emerging_areas
    )


def _halo(geo: Geography, wards: set[int]) -> set[int]:
    """Wards adjacent to any of ``wards``."""
    return set().union(*(geo.ward_neighbours[w] for w in wards)) if wards else set()


@dataclass(frozen=True)
class Changes:
    """The LSOA splits and merges between the 2011 and 2021 vintages (generator order)."""

    split_pairs: list[tuple[int, int]]  # 2021 LSOA pairs that were one 2011 LSOA
    straddling: list[bool]  # whether each split pair spans two wards
    merged: list[int]  # 2021 LSOAs that were two 2011 LSOAs


def plan_changes(rng: np.random.Generator, geo: Geography, plan: Plan) -> Changes:
    """Splits (three across ward boundaries, three inside wards) and five merges."""
    avoid = set(plan.violence_hotspots) | set(plan.fringe) | set(plan.drug_hotspots)
    avoid |= {w for area in plan.emerging_areas for w in area}
    used: set[int] = set()
    pairs_across, pairs_within = [], []
    for a, near in enumerate(geo.lsoa_neighbours):
        for b in sorted(near):
            if b <= a:
                continue
            wa, wb = int(geo.lsoa_ward[a]), int(geo.lsoa_ward[b])
            if wa == wb:
                pairs_within.append((a, b))
            elif geo.ward_la[wa] == geo.ward_la[wb] and not {wa, wb} & avoid:
                pairs_across.append((a, b))
    split_pairs: list[tuple[int, int]] = []
    straddling: list[bool] = []
    for pool, want, across in ((pairs_across, 3, True), (pairs_within, 3, False)):
        order = rng.permutation(len(pool))
        got = 0
        for k in order:
            a, b = pool[k]
            if a in used or b in used:
                continue
            split_pairs.append((a, b))
            straddling.append(across)
            used |= {a, b}
            got += 1
            if got == want:
                break
    merged: list[int] = []
    for i in rng.permutation(len(geo.lsoa_geom)):
        if int(i) in used or geo.lsoa_geom[i].area < 400_000.0:
            continue
        merged.append(int(i))
        used.add(int(i))
        if len(merged) == 5:
            break
    return Changes(split_pairs, straddling, sorted(merged))
