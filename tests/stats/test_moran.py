"""Tests of hotspots.stats.moran against esda on a hand-built lattice."""

from __future__ import annotations

import esda
import numpy as np
import pandas as pd
import pytest
from libpysal.weights import W

from hotspots.stats.fdr import bh_adjust
from hotspots.stats.getis_ord import GiSettings
from hotspots.stats.moran import MORAN_COLUMNS, local_moran
from hotspots.stats.weights import build_weights
from tests.stats.support import CENTRE, SIZE, lattice, planted


@pytest.fixture(scope="module")
def grid():
    return lattice(SIZE, SIZE)


@pytest.fixture(scope="module")
def weights(grid):
    return build_weights(grid)


def test_local_moran(weights):
    w, _ = weights
    values = planted()
    result = local_moran(values, w, GiSettings(permutations=999))
    assert list(result.columns) == MORAN_COLUMNS
    assert MORAN_COLUMNS == ["ward_code", "moran_i", "moran_p", "moran_cluster"]
    by_code = result.set_index("ward_code")
    assert by_code.loc[CENTRE, "moran_cluster"] == "High-High"
    assert by_code.loc["W00", "moran_cluster"] == "Not significant"
    reference = esda.Moran_Local(
        values.to_numpy(),
        W(w.neighbors, id_order=list(w.id_order)),
        transformation="r",
        permutations=0,
    )
    np.testing.assert_allclose(result["moran_i"].to_numpy(), reference.Is, atol=1e-12)
    assert set(result["moran_cluster"]) <= {
        "High-High",
        "Low-Low",
        "High-Low",
        "Low-High",
        "Not significant",
    }
    assert w.transform.upper() == "B"


def test_local_moran_labels_follow_esda_quadrants_and_the_level(weights):
    w, _ = weights
    values = pd.Series(np.random.default_rng(0).gamma(1.0, 1.0, 49), index=planted().index)
    loose = local_moran(values, w, GiSettings(fdr=False, moran_alpha=0.5))
    reference = esda.Moran_Local(
        values.to_numpy(),
        W(w.neighbors, id_order=list(w.id_order)),
        transformation="r",
        permutations=0,
    )
    names = {1: "High-High", 2: "Low-High", 3: "Low-Low", 4: "High-Low"}
    significant = (loose["moran_p"] <= 0.5).to_numpy()
    want = [
        names[q] if sig else "Not significant"
        for q, sig in zip(reference.q, significant, strict=True)
    ]
    assert loose["moran_cluster"].tolist() == want
    assert set(want) == {*names.values(), "Not significant"}
    # raw p-values under fdr=False, BH-adjusted ones by default
    adjusted = local_moran(values, w, GiSettings(moran_alpha=0.5))
    np.testing.assert_allclose(adjusted["moran_p"], bh_adjust(loose["moran_p"]))
    # a p-value equal to the level is significant
    at = float(loose["moran_p"].iloc[int(np.argmax(significant))])
    exact = local_moran(values, w, GiSettings(fdr=False, moran_alpha=at))
    assert exact["moran_cluster"].iloc[int(np.argmax(significant))] != "Not significant"


def test_local_moran_constant_and_unit_range_values_and_a_ward_at_the_mean(weights):
    w, _ = weights
    flat = local_moran(pd.Series(3.0, index=planted().index), w)
    assert (flat["moran_i"] == 0).all() and (flat["moran_p"] == 1).all()
    assert (flat["moran_cluster"] == "Not significant").all()
    unit = local_moran(planted(hot=1.0, background=0.0), w).set_index("ward_code")
    assert unit.loc[CENTRE, "moran_cluster"] == "High-High"  # a range of exactly 1
    values = planted()
    values[CENTRE] = values.drop(CENTRE).mean()  # so the mean of all 49 too
    raw = local_moran(values, w, GiSettings(fdr=False)).set_index("ward_code")
    # surrounded by 10s, its neighbour sum is extreme, but I = 0 at the mean: p is 1
    assert raw.loc[CENTRE, "moran_p"] == 1.0
    assert raw.loc["W23", "moran_p"] < 0.05


def test_a_ward_at_the_mean_up_to_rounding_gets_p_1_and_the_tolerance_is_1e12(weights):
    w, _ = weights
    # large values: the centre is the mean of the others, but the mean of all 49 as
    # computed differs from it by 4.7e-10 (rounding), well within 1e-12 of 2.5e6
    values = planted() * 1e6 + 0.3
    values[CENTRE] = values.drop(CENTRE).mean()
    assert values[CENTRE] != values.mean()
    raw = local_moran(values, w, GiSettings(fdr=False)).set_index("ward_code")
    assert raw.loc[CENTRE, "moran_p"] == 1.0
    assert raw.loc[CENTRE, "moran_cluster"] == "Not significant"
    # below a mean of 1 the tolerance is an absolute 1e-12: 0.9e-12 away is at the mean,
    # 1.5e-12 away is not (its neighbours are all high, so its p is tiny)
    p = {}
    for offset in (0.9e-12, 1.5e-12):
        small = planted(hot=0.5, background=0.125)  # mean of the others 0.1875
        small[CENTRE] = 0.1875 + offset
        p[offset] = local_moran(small, w, GiSettings(fdr=False)).set_index("ward_code")
    assert p[0.9e-12].loc[CENTRE, "moran_p"] == 1.0
    assert p[1.5e-12].loc[CENTRE, "moran_p"] < 1e-6
    assert p[1.5e-12].loc[CENTRE, "moran_cluster"] == "High-High"
