"""Trends: the analytic monthly Gi*, persistence in the top N, rolling comparisons."""

import warnings

import esda
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from libpysal.weights import W
from scipy import stats
from shapely.geometry import box

from hotspots.stats.emerging import GI_BY_MONTH_COLUMNS
from hotspots.stats.spatial import GiSettings, bh_adjust, build_weights
from hotspots.stats.trends import TREND_COLUMNS, gi_star_z, monthly_gi, trend_summary

X0, Y0 = 300_000.0, 200_000.0


def lattice(rows: int, cols: int) -> gpd.GeoDataFrame:
    """A rows × cols grid of 1 km square wards in British National Grid."""
    codes, geoms = [], []
    for r in range(rows):
        for c in range(cols):
            codes.append(f"X05{r:03d}{c:03d}")
            geoms.append(
                box(X0 + 1000 * c, Y0 + 1000 * r, X0 + 1000 * (c + 1), Y0 + 1000 * (r + 1))
            )
    return gpd.GeoDataFrame({"ward_code": codes}, geometry=geoms, crs="EPSG:27700")


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


def test_gi_star_z_constant_columns_are_exactly_zero():
    w, _ = build_weights(lattice(3, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no sqrt-of-negative or 0/0 warnings either
        z = gi_star_z(np.column_stack([np.zeros(9), np.full(9, 7.7), np.full(9, 1 / 3)]), w)
    assert (z == 0).all()


def monthly_panel(codes, months, values) -> pd.DataFrame:
    """Long monthly frame from a (ward × month) array."""
    return pd.DataFrame(
        {
            "ward_code": np.repeat(codes, len(months)),
            "month": np.tile(months, len(codes)),
            "sv_count": np.asarray(values, dtype="int64").ravel(),
        }
    )


def test_monthly_gi_columns_and_bh_within_each_month():
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
    out = monthly_gi(monthly, w)
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
    raw = monthly_gi(monthly, w, settings=GiSettings(fdr=False))
    rfeb = raw[raw["month"] == "2019-02"]
    assert ((rfeb["gi_p"] <= 0.10) == (rfeb["gi_class"] != "Not significant")).all()


# A 3-ward × 14-month panel (2018-01 … 2019-02), top N = 1:
#   A: 10 every month, then 1 in the last month
#   B:  1 every month, then 20 in the last month
#   C:  0, then 3 in the last two months
MONTHS_14 = [str(p) for p in pd.period_range("2018-01", "2019-02", freq="M")]
PANEL_14 = {"A": [10] * 13 + [1], "B": [1] * 13 + [20], "C": [0] * 12 + [3, 3]}


def test_trend_summary_by_hand():
    monthly = monthly_panel(list(PANEL_14), MONTHS_14, list(PANEL_14.values()))
    out = trend_summary(monthly, top_n=1)
    assert list(out.columns) == TREND_COLUMNS
    t = out.set_index("ward_code")
    # the last 12 months are 2018-03 … 2019-02: A tops 11 of them, B the last one
    assert t["months_in_top_n"].to_dict() == {"A": 11, "B": 1, "C": 0}
    assert t["new_entrant"].to_dict() == {"A": False, "B": True, "C": False}
    assert t["dropped_out"].to_dict() == {"A": True, "B": False, "C": False}
    assert t["last_month_rank"].tolist() == [3, 1, 2]
    assert t["previous_month_rank"].tolist() == [1, 3, 2]
    # last 3 months (2018-12 … 2019-02) against the 3 before (2018-09 … 2018-11)
    assert t["last_3"].tolist() == [21, 22, 6]
    assert t["previous_3"].tolist() == [30, 3, 0]
    assert t.loc["A", "change_3"] == pytest.approx(0.7)
    assert t.loc["B", "change_3"] == pytest.approx(22 / 3)
    assert np.isnan(t.loc["C", "change_3"])  # nothing before: no ratio
    # last 12: 11 × 10 + 1, 11 × 1 + 20, 3 + 3; 14 months cannot hold 12 before them
    assert t["last_12"].tolist() == [111, 31, 6]
    assert t["previous_12"].isna().all() and t["change_12"].isna().all()
    assert t.loc["B", "series"] == PANEL_14["B"]
    assert all(isinstance(v, int) for v in t.loc["C", "series"])


def test_trend_summary_top_n_two_and_ties_by_ward_code():
    monthly = monthly_panel(list(PANEL_14), MONTHS_14, list(PANEL_14.values()))
    t = trend_summary(monthly, top_n=2).set_index("ward_code")
    # 2018-03 … 2018-12: A and B are the top two (B's 1 beats C's 0); 2019-01: A and C
    # (C's 3 passes B); 2019-02: B and C (A falls to 1)
    assert t["months_in_top_n"].to_dict() == {"A": 11, "B": 11, "C": 2}
    assert t["new_entrant"].to_dict() == {"A": False, "B": True, "C": False}
    assert t["dropped_out"].to_dict() == {"A": True, "B": False, "C": False}
    tied = monthly_panel(["Z", "Y"], ["2019-01", "2019-02"], [[1, 2], [1, 2]])
    tt = trend_summary(tied, top_n=1).set_index("ward_code")
    assert tt["last_month_rank"].to_dict() == {"Y": 1, "Z": 2}


def test_trend_summary_change_12_with_24_months():
    months = [str(p) for p in pd.period_range("2017-03", "2019-02", freq="M")]
    monthly = monthly_panel(["A", "B"], months, [[2] * 12 + [3] * 12, [5] * 12 + [0] * 12])
    t = trend_summary(monthly, top_n=1).set_index("ward_code")
    assert t["last_12"].tolist() == [36, 0] and t["previous_12"].tolist() == [24, 60]
    assert t["change_12"].tolist() == [pytest.approx(1.5), 0.0]
    assert t.loc["A", "change_3"] == pytest.approx(1.0)  # 9 against 9
    assert np.isnan(t.loc["B", "change_3"])  # 0 against 0


def test_trend_summary_single_month_has_no_entrants_and_bad_top_n():
    one = monthly_panel(["A", "B"], ["2019-01"], [[5], [1]])
    t = trend_summary(one, top_n=1).set_index("ward_code")
    assert not t["new_entrant"].any() and not t["dropped_out"].any()
    assert t["last_month_rank"].tolist() == [1, 2]
    assert t["previous_month_rank"].isna().all()
    assert t["last_3"].isna().all() and t["change_3"].isna().all()
    with pytest.raises(ValueError, match="top_n must be at least 1"):
        trend_summary(one, top_n=0)
