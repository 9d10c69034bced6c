"""Tests of hotspots.stats.getis_ord, the one Gi* engine: by hand, against esda, and month by
month."""

from __future__ import annotations

import dataclasses
import math
import warnings

import esda
import numpy as np
import pandas as pd
import pytest
from libpysal.weights import W
from scipy import stats

from hotspots.stats.emerging import EMERGING_COLUMNS, EmergingSettings, classify_emerging
from hotspots.stats.fdr import bh_adjust
from hotspots.stats.getis_ord import (
    GI_BY_MONTH_COLUMNS,
    GI_CLASSES,
    GI_COLUMNS,
    GI_METHODS,
    GiSettings,
    classify_gi,
    confidence,
    gi_class_labels,
    gi_star,
    gi_star_by_month,
    gi_star_z,
)
from hotspots.stats.moran import local_moran
from hotspots.stats.weights import build_weights
from tests.stats.support import CENTRE, SIZE, lattice, monthly_panel, planted


@pytest.fixture(scope="module")
def grid():
    return lattice(SIZE, SIZE)


@pytest.fixture(scope="module")
def weights(grid):
    return build_weights(grid)


@pytest.fixture(scope="module")
def hot_result(weights):
    w, _ = weights
    return gi_star(planted(), w, GiSettings())


def hand_gi_star_z(values: pd.Series, code: str) -> float:
    """Gi* z-score from the formula (Ord and Getis 1995), neighbours from the grid.

    z_i = (sum_{j in N_i} x_j - xbar * k_i) / (s * sqrt((n * k_i - k_i**2) / (n - 1)))
    with N_i the cell and its queen neighbours, k_i = |N_i|, xbar the mean and
    s = sqrt(sum(x**2) / n - xbar**2).
    """
    r0, c0 = int(code[1]), int(code[2])
    x = [float(v) for v in values.to_numpy()]
    n = len(x)
    xbar = sum(x) / n
    s = math.sqrt(sum(v * v for v in x) / n - xbar**2)
    local = [
        float(values[f"W{r}{c}"])
        for r in range(r0 - 1, r0 + 2)
        for c in range(c0 - 1, c0 + 2)
        if 0 <= r < SIZE and 0 <= c < SIZE
    ]
    k = len(local)
    return (sum(local) - xbar * k) / (s * math.sqrt((n * k - k * k) / (n - 1)))


# --------------------------------------------------------------------------------------
# Gi* for one period
# --------------------------------------------------------------------------------------


def test_gi_columns_exact(hot_result):
    assert list(hot_result.columns) == GI_COLUMNS
    assert GI_COLUMNS == ["ward_code", "gi_z", "gi_p", "gi_p_fdr", "gi_class"]
    assert len(hot_result) == SIZE * SIZE
    assert set(hot_result["gi_class"]) <= set(GI_CLASSES)


def test_centre_z_matches_the_formula_by_hand(hot_result):
    centre = hot_result.set_index("ward_code").loc[CENTRE]
    # By hand: n = 49, sum x = 130, sum x^2 = 940, the centre's 9 cells sum to 90, so
    # z = (90 - 9 * 130/49) / (sqrt(940/49 - (130/49)^2) * sqrt((49*9 - 81)/48)) = sqrt(48)
    assert centre["gi_z"] == pytest.approx(math.sqrt(48), abs=1e-12)
    assert hand_gi_star_z(planted(), CENTRE) == pytest.approx(math.sqrt(48), abs=1e-12)
    for code in ("W00", "W22", "W23", "W11", "W06"):
        row = hot_result.set_index("ward_code").loc[code]
        assert row["gi_z"] == pytest.approx(hand_gi_star_z(planted(), code), abs=1e-12)


def test_centre_is_a_99_percent_hot_spot(hot_result, weights):
    centre = hot_result.set_index("ward_code").loc[CENTRE]
    # Exactly one of the C(48, 8) sets of 8 neighbours from the other 48 cells holds all
    # eight other 10s: the exact two-sided p is 2 / C(48, 8).
    assert centre["gi_p"] == pytest.approx(2 / math.comb(48, 8), rel=1e-9)
    assert centre["gi_p_fdr"] == pytest.approx(
        bh_adjust(hot_result["gi_p"])[hot_result["ward_code"].tolist().index(CENTRE)]
    )
    assert centre["gi_class"] == "Hot spot 99%"
    far = hot_result.set_index("ward_code").loc["W00"]
    assert far["gi_class"] == "Not significant"
    assert far["gi_z"] < 0
    # Random permutations: none of 9,999 draws that set, so p = 2 / 10,000; BH 49 p / 1.
    w, _ = weights
    sampled = gi_star(planted(), w, GiSettings(method="permutation")).set_index("ward_code")
    assert sampled.loc[CENTRE, "gi_p"] == pytest.approx(2 / 10_000)
    assert sampled.loc[CENTRE, "gi_p_fdr"] == pytest.approx(49 * 2 / 10_000)


def test_gi_z_matches_esda_zs():
    rng = np.random.default_rng(7)
    values = planted() + rng.gamma(2.0, 1.5, SIZE * SIZE)
    w, _ = build_weights(lattice(SIZE, SIZE))
    ours = gi_star(values, w, GiSettings(permutations=999))
    reference = esda.G_Local(
        values.to_numpy(),
        W(w.neighbors, id_order=list(w.id_order)),
        transform="B",
        star=True,
        permutations=0,
    )
    assert np.max(np.abs(ours["gi_z"].to_numpy() - reference.Zs)) < 1e-9
    # the one z-score engine follows esda's arithmetic: equal to the last bit
    np.testing.assert_array_equal(ours["gi_z"].to_numpy(), reference.Zs)


def test_weights_with_an_island_pass_without_warnings(weights):
    import warnings

    w = W({"a": ["b"], "b": ["a"], "c": []}, silence_warnings=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = pd.Series([1.0, 2.0, 3.0], index=["a", "b", "c"])
        result = gi_star(values, w)
        local_moran(values, w)
    assert result.loc[2, "gi_p"] == 1.0  # no neighbours: nothing to compare


def test_cold_spot(weights):
    w, _ = weights
    result = gi_star(planted(hot=0.0, background=10.0), w).set_index("ward_code")
    # values 10 - 10/9 * (hot pattern - 1): z is unchanged by scaling and flips sign
    assert result.loc[CENTRE, "gi_z"] == pytest.approx(-math.sqrt(48), abs=1e-12)
    assert result.loc[CENTRE, "gi_class"] == "Cold spot 99%"


def test_result_follows_values_order_and_does_not_depend_on_it(weights, hot_result):
    w, _ = weights
    values = planted().iloc[::-1]
    result = gi_star(values, w)
    assert result["ward_code"].tolist() == values.index.tolist()
    pd.testing.assert_frame_equal(
        result.sort_values("ward_code").reset_index(drop=True),
        hot_result.sort_values("ward_code").reset_index(drop=True),
    )


def test_inputs_and_global_rng_are_not_changed(weights):
    w, _ = weights
    values = planted()
    values_before = values.copy()
    neighbours_before = {k: list(v) for k, v in w.neighbors.items()}
    diagonal_before = w.sparse.diagonal().copy()
    np.random.seed(2024)
    expected_draw = np.random.random()
    np.random.seed(2024)
    gi_star(values, w, GiSettings(permutations=99))
    local_moran(values, w, GiSettings(permutations=99))
    assert np.random.random() == expected_draw
    assert w.transform.upper() == "B"
    assert {k: list(v) for k, v in w.neighbors.items()} == neighbours_before
    np.testing.assert_array_equal(w.sparse.diagonal(), diagonal_before)
    pd.testing.assert_series_equal(values, values_before)


def test_fdr_off_classifies_by_raw_p(weights):
    w, _ = weights
    values = planted()
    raw = gi_star(values, w, GiSettings(permutations=999, fdr=False)).set_index("ward_code")
    # W23 (edge of the block): raw p below 0.01 but the BH-adjusted p is not
    row = raw.loc["W23"]
    assert row["gi_p"] <= 0.01 < row["gi_p_fdr"]
    assert row["gi_class"] == "Hot spot 99%"
    adjusted = gi_star(values, w, GiSettings(permutations=999)).set_index("ward_code")
    assert adjusted.loc["W23", "gi_class"] != "Hot spot 99%"


def test_constant_values_are_not_significant(weights):
    w, _ = weights
    result = gi_star(pd.Series(0.0, index=planted().index), w)
    assert (result["gi_z"] == 0).all()
    assert (result["gi_p"] == 1).all() and (result["gi_p_fdr"] == 1).all()
    assert (result["gi_class"] == "Not significant").all()


def test_class_labels_follow_alphas():
    # rounded to 6 decimals, then shown with 6 significant digits
    assert (confidence(0.05), confidence(0.001), confidence(1e-7)) == ("95%", "99.9%", "100%")
    assert confidence(2.500999995e-06) == "99.9998%"  # 99.99974999 → 99.99975 → 99.9998
    assert confidence(4.5005386944176494e-07) == "100%"  # 99.99995499 → 99.999955
    assert gi_class_labels() == GI_CLASSES
    assert gi_class_labels(GiSettings(alphas=(0.001, 0.05))) == (
        "Hot spot 99.9%",
        "Hot spot 95%",
        "Not significant",
        "Cold spot 95%",
        "Cold spot 99.9%",
    )


def test_classes_follow_the_sign_of_z_and_the_levels():
    z = np.array([-0.5, 0.5, 0.0, 2.0, -2.0, 2.0, 2.0])
    p = np.array([0.001, 0.001, 0.001, 0.05, 0.10, 0.1000001, 0.01])
    assert classify_gi(z, p, (0.01, 0.05, 0.10)).tolist() == [
        "Cold spot 99%",
        "Hot spot 99%",
        "Not significant",
        "Hot spot 95%",
        "Cold spot 90%",
        "Not significant",
        "Hot spot 99%",
    ]


def test_gi_star_validation(weights):
    w, _ = weights
    values = planted()
    with pytest.raises(TypeError, match="pandas Series"):
        gi_star(values.to_numpy(), w)
    with pytest.raises(ValueError, match="missing 1"):
        gi_star(values.drop(CENTRE), w)
    with pytest.raises(ValueError, match="unknown 1"):
        gi_star(pd.concat([values, pd.Series({"X1": 1.0})]), w)
    with pytest.raises(ValueError, match="non-negative"):
        gi_star(values.where(values.index != CENTRE, -1.0), w)
    with pytest.raises(ValueError, match="finite"):
        gi_star(values.where(values.index != CENTRE, np.nan), w)
    with pytest.raises(TypeError, match="libpysal"):
        gi_star(values, {"W00": ["W01"]})
    with pytest.raises(TypeError, match="GiSettings"):
        gi_star(values, w, {"permutations": 99})
    with pytest.raises(TypeError, match="values must be numbers, got dtype bool"):
        gi_star(values > 5, w)
    with pytest.raises(TypeError, match="values must be numbers"):
        gi_star(values.astype(str), w)
    extra = pd.concat([values, pd.Series({f"X{i}": 1.0 for i in range(1, 5)})])
    with pytest.raises(ValueError, match=r"unknown 4 \(e\.g\. \['X1', 'X2', 'X3'\]\)"):
        gi_star(extra, w)
    with pytest.raises(ValueError, match=r"missing 4 \(e\.g\. \['W00', 'W01', 'W02'\]\)"):
        gi_star(values.drop(["W00", "W01", "W02", "W03"]), w)
    with pytest.raises(ValueError, match=r"duplicated ward codes: \['W00'\]"):
        gi_star(pd.concat([values, values.iloc[:1]]), w)
    with pytest.raises(ValueError, match="at least 99"):
        GiSettings(permutations=10)
    with pytest.raises(ValueError, match="strictly increasing"):
        GiSettings(alphas=(0.05, 0.01))
    with pytest.raises(ValueError, match="strictly increasing"):
        GiSettings(alphas=(0.05, 0.05))
    for bad in ("0.05", 0.05, b"x"):
        with pytest.raises(TypeError, match="alphas must be a tuple of significance levels"):
            GiSettings(alphas=bad)
    assert GiSettings(alphas=[0.05]).alphas == (0.05,)
    with pytest.raises(ValueError, match=r"\(0, 0.5\]"):
        GiSettings(alphas=(0.01, 0.9))
    with pytest.raises(TypeError, match="True or False"):
        GiSettings(fdr="yes")
    with pytest.raises(dataclasses.FrozenInstanceError):
        GiSettings().permutations = 5
    with pytest.raises(ValueError, match=r"method must be one of \['exact', 'permutation'\]"):
        GiSettings(method="analytic")
    with pytest.raises(ValueError, match="bins must be at least 16"):
        GiSettings(bins=15)
    with pytest.raises(TypeError, match="bins must be a whole number"):
        GiSettings(bins=2048.0)
    with pytest.raises(ValueError, match="seed must be at least 0 and at most 4294967295"):
        GiSettings(seed=2**32)
    with pytest.raises(ValueError, match="seed must be at least 0"):
        GiSettings(seed=-1)
    GiSettings(permutations=99, seed=0, bins=16)  # the smallest accepted
    GiSettings(seed=2**32 - 1, alphas=(0.5,), moran_alpha=0.5)
    for bad in ({"moran_alpha": 0.0}, {"moran_alpha": 0.51}, {"alphas": ()}):
        with pytest.raises(ValueError):
            GiSettings(**bad)
    for bad in ({"alphas": "0.05"}, {"alphas": (True,)}, {"permutations": 999.0}):
        with pytest.raises(TypeError):
            GiSettings(**bad)


def test_gi_settings_defaults_pinned():
    s = GiSettings()
    assert (s.permutations, s.seed, s.alphas, s.fdr, s.moran_alpha, s.method, s.bins) == (
        9999,
        12345,
        (0.01, 0.05, 0.10),
        True,
        0.05,
        "exact",
        2048,
    )
    assert list(GI_METHODS) == ["exact", "permutation"]


def test_p_values_do_not_depend_on_the_scale_of_the_values(weights):
    w, _ = weights
    values = planted() + np.random.default_rng(9).gamma(2.0, 1.0, SIZE * SIZE)
    big = gi_star(values, w)
    small = gi_star(values / 5000.0, w)  # e.g. rates per resident instead of per 1,000
    np.testing.assert_allclose(small["gi_p"], big["gi_p"], rtol=1e-9)
    np.testing.assert_allclose(small["gi_z"], big["gi_z"], rtol=1e-9)
    assert (small["gi_p"] < 1).any()


# --------------------------------------------------------------------------------------
# The z-score for many columns
# --------------------------------------------------------------------------------------


def esda_zs(y: np.ndarray, w: W) -> np.ndarray:
    fresh = W(w.neighbors, id_order=list(w.id_order), silence_warnings=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return esda.G_Local(y, fresh, transform="B", star=True, permutations=0).Zs


def test_gi_star_z_by_hand_on_a_strip():
    # Four wards in a row, values 0, 0, 0, 4: mean 1, s = √3.
    # End wards have k = 2 (with themselves), middle wards k = 3; n = 4.
    w, _ = build_weights(lattice(1, 4))
    z = gi_star_z(np.array([0.0, 0.0, 0.0, 4.0]), w).ravel()
    np.testing.assert_allclose(z, [-1.0, -np.sqrt(3), 1 / np.sqrt(3), 1.0], atol=1e-12)


def test_gi_star_z_equals_esda_zs_on_a_lattice():
    w, info = build_weights(lattice(6, 7))
    assert info.n_components == 1 and not info.added_links
    rng = np.random.default_rng(7)
    values = np.column_stack(
        [
            rng.poisson(3.0, 42).astype(float),
            rng.gamma(2.0, 5.0, 42),
            np.where(np.arange(42) % 7 < 2, 20.0, 1.0) + rng.random(42),  # a planted cluster
        ]
    )
    z = gi_star_z(values, w)
    assert z.shape == (42, 3)
    for j in range(values.shape[1]):
        np.testing.assert_allclose(z[:, j], esda_zs(values[:, j], w), rtol=0, atol=1e-9)
        # the same arithmetic as esda, so the same numbers to the last bit
        np.testing.assert_array_equal(z[:, j], esda_zs(values[:, j], w))


def test_gi_star_z_constant_columns_are_exactly_zero():
    w, _ = build_weights(lattice(3, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no sqrt-of-negative or 0/0 warnings either
        z = gi_star_z(np.column_stack([np.zeros(9), np.full(9, 7.7), np.full(9, 1 / 3)]), w)
    assert (z == 0).all()


# --------------------------------------------------------------------------------------
# Gi* month by month
# --------------------------------------------------------------------------------------


def test_gi_star_by_month_columns_and_bh_within_each_month():
    wards = lattice(5, 5)
    w, _ = build_weights(wards)
    codes = list(w.id_order)
    months = ["2019-01", "2019-02", "2019-03"]
    rng = np.random.default_rng(3)
    values = rng.poisson(2.0, (25, 3))
    values[[0, 1, 5, 6], 1] += 15  # a hot corner in February
    values[:, 2] = 4  # March: every ward the same
    monthly = monthly_panel(codes, months, values)
    monthly = monthly[~((monthly["ward_code"] == codes[24]) & (monthly["month"] == months[0]))]
    out = gi_star_by_month(monthly, w)
    assert list(out.columns) == GI_BY_MONTH_COLUMNS
    assert len(out) == 25 * 3
    assert out["month"].unique().tolist() == months
    values = values.astype(float)
    # A ward-month absent from the input is not 0: it takes the month's mean (neutral).
    values[24, 0] = values[:24, 0].mean()
    z = gi_star_z(values, w)
    for j, month in enumerate(months):
        m = out[out["month"] == month]
        assert m["ward_code"].tolist() == codes
        np.testing.assert_allclose(m["gi_z"], z[:, j], atol=1e-12)
        np.testing.assert_allclose(m["gi_p"], 2 * stats.norm.sf(np.abs(z[:, j])))
        # Benjamini-Hochberg over the 25 wards of that month only
        np.testing.assert_allclose(m["gi_p_fdr"], bh_adjust(m["gi_p"].to_numpy()))
        np.testing.assert_allclose(
            m["gi_p_fdr"], stats.false_discovery_control(m["gi_p"].to_numpy(), method="bh")
        )
    feb = out[out["month"] == "2019-02"].set_index("ward_code")
    assert feb.loc[codes[0], "gi_class"].startswith("Hot spot")
    assert (feb.loc[feb["gi_class"].str.startswith("Hot"), "gi_z"] > 0).all()
    sig = feb["gi_p_fdr"] <= 0.10
    assert (feb.loc[~sig, "gi_class"] == "Not significant").all()
    march = out[out["month"] == "2019-03"]
    assert (march["gi_z"] == 0).all() and (march["gi_class"] == "Not significant").all()
    # without FDR, classes follow the raw p-values
    raw = gi_star_by_month(monthly, w, settings=GiSettings(fdr=False))
    rfeb = raw[raw["month"] == "2019-02"]
    assert ((rfeb["gi_p"] <= 0.10) == (rfeb["gi_class"] != "Not significant")).all()


@pytest.fixture(scope="module")
def small_grid():
    grid = lattice(5, 5)
    w, _ = build_weights(grid)
    return grid["ward_code"].tolist(), w


def test_gi_star_by_month(small_grid):
    codes, w = small_grid
    rng = np.random.default_rng(8)
    months = ["2024-03", "2024-01", "2024-02"]  # deliberately unsorted
    monthly = pd.DataFrame(
        [(code, m, float(rng.poisson(3))) for m in months for code in codes],
        columns=["ward_code", "month", "value"],
    )
    before = monthly.copy()
    result = gi_star_by_month(monthly, w, "value")
    assert list(result.columns) == GI_BY_MONTH_COLUMNS
    assert len(result) == 3 * len(codes)
    assert result["month"].tolist() == sorted(result["month"])
    assert result["ward_code"].tolist() == codes * 3
    feb = monthly[monthly["month"] == "2024-02"].set_index("ward_code")["value"]
    got = result[result["month"] == "2024-02"].drop(columns="month").reset_index(drop=True)
    # one engine: the month's z-scores are the whole-period Gi*'s on that month's values,
    # to the last bit, and esda's
    expected = gi_star(feb, w)
    np.testing.assert_array_equal(got["gi_z"], expected["gi_z"])
    np.testing.assert_array_equal(got["gi_z"], esda_zs(feb.to_numpy(), w))
    p = 2 * stats.norm.sf(np.abs(got["gi_z"].to_numpy()))
    np.testing.assert_array_equal(got["gi_p"], p)
    np.testing.assert_array_equal(got["gi_p_fdr"], bh_adjust(p))
    want = classify_gi(got["gi_z"].to_numpy(), bh_adjust(p), GiSettings().alphas)
    assert got["gi_class"].tolist() == want.tolist()
    pd.testing.assert_frame_equal(monthly, before)
    # and the result feeds classify_emerging directly
    assert list(classify_emerging(result).columns) == EMERGING_COLUMNS
    raw = gi_star_by_month(monthly, w, "value", GiSettings(fdr=False))
    got = raw[raw["month"] == "2024-02"]
    want = classify_gi(got["gi_z"].to_numpy(), got["gi_p"].to_numpy(), GiSettings().alphas)
    assert got["gi_class"].tolist() == want.tolist()
    # permutations, seed and method belong to the whole-period Gi*: no effect here
    other = GiSettings(method="permutation", permutations=99, seed=7, bins=16)
    pd.testing.assert_frame_equal(gi_star_by_month(monthly, w, "value", other), result)


def test_gi_star_by_month_validation(small_grid):
    codes, w = small_grid
    monthly = pd.DataFrame(
        [(code, m, 1.0) for m in ("2024-01", "2024-02") for code in codes],
        columns=["ward_code", "month", "sv_count"],
    )
    with pytest.raises(TypeError, match="settings must be a GiSettings"):
        gi_star_by_month(monthly, w, settings=EmergingSettings())
    with pytest.raises(ValueError, match=r"missing column\(s\) \['value'\]"):
        gi_star_by_month(monthly, w, "value")
    with pytest.raises(TypeError, match="monthly must be a pandas DataFrame"):
        gi_star_by_month(monthly.to_dict(), w)
    assert len(gi_star_by_month(monthly, w)) == 2 * len(codes)
    with pytest.raises(ValueError, match=r"'YYYY-MM', got e\.g\. '2024-13'"):
        gi_star_by_month(monthly.replace({"month": {"2024-02": "2024-13"}}), w)
    with pytest.raises(
        ValueError, match=r"1 duplicated \(ward_code, month\) rows, e\.g\. \('W00', '2024-01'\)"
    ):
        gi_star_by_month(pd.concat([monthly, monthly.iloc[:1]]), w)
    # a ward-month absent is a gap (the month's mean), not an error and not 0
    gap = gi_star_by_month(monthly.iloc[1:], w)
    assert len(gap) == 2 * len(codes) and (gap["gi_z"] == 0).all()


def test_gi_star_by_month_has_a_plain_index(small_grid):
    codes, w = small_grid
    monthly = pd.DataFrame(
        [(code, m, float(i % 4)) for m in ("2024-01", "2024-02") for i, code in enumerate(codes)],
        columns=["ward_code", "month", "value"],
    )
    result = gi_star_by_month(monthly, w, "value")
    assert result.index.equals(pd.RangeIndex(2 * len(codes)))


def test_gi_star_z_counts_each_wards_own_neighbours_and_a_ward_next_to_all():
    # one-way links (a lists b, b does not list a): k_i counts ward i's own list, as esda
    w = W({"a": ["b", "c"], "b": ["c"], "c": ["d"], "d": ["a"], "e": ["a"]}, silence_warnings=True)
    y = np.array([1.0, 5.0, 2.0, 8.0, 3.0])
    np.testing.assert_array_equal(gi_star_z(y, w).ravel(), esda_zs(y, w))
    # a hub whose neighbourhood is every ward: Gi* is 0 / 0 there, z is exactly 0
    hub = W(
        {"h": ["a", "b", "c"], "a": ["h"], "b": ["h"], "c": ["h"]}, id_order=["h", "a", "b", "c"]
    )
    z = gi_star_z(np.array([[4.0, 1.0], [1.0, 1.0], [2.0, 1.0], [3.0, 9.0]]), hub)
    np.testing.assert_array_equal(z[0], [0.0, 0.0])
    assert np.isfinite(z).all() and (z[3] != 0).all()
    # no wards: an empty result
    assert gi_star_z(np.zeros((0, 2)), W({}, silence_warnings=True)).shape == (0, 2)


def test_values_with_a_range_of_exactly_1_are_not_taken_as_constant(weights):
    w, _ = weights
    unit = gi_star(planted(hot=1.0, background=0.0), w).set_index("ward_code")
    assert unit.loc[CENTRE, "gi_class"] == "Hot spot 99%"
    assert unit.loc[CENTRE, "gi_z"] > 0


def test_monthly_messages_name_the_first_problem(small_grid):
    codes, w = small_grid
    monthly = pd.DataFrame(
        [(code, m, 1.0) for m in ("2024-01", "2024-02", "2024-03") for code in codes],
        columns=["ward_code", "month", "sv_count"],
    )
    bad = monthly.replace({"month": {"2024-02": "2024-13", "2024-03": "24-03"}})
    with pytest.raises(ValueError, match=r"got e\.g\. '2024-13'"):
        gi_star_by_month(bad, w)
    twice = pd.concat([monthly, monthly.iloc[[0, len(codes)]]])
    with pytest.raises(ValueError, match=r"2 duplicated .* e\.g\. \('W00', '2024-01'\)"):
        gi_star_by_month(twice, w)
