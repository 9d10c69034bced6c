"""Real data with holes made on purpose: a force left out, months left out in the middle, a
month loaded after a gap, wards without residents. "No data" is never 0.

The stores are built from ../shared/data through the real loaders (skipped, with the
reason, when it is absent). ../shared/data holds Dyfed-Powys and South Wales only, so in
every store here Gwent and North Wales have no crimes loaded.
"""

from __future__ import annotations

import csv
import json

import numpy as np
import pandas as pd
import pytest

from dashboard.safe_text import plain
from hotspots.cli import main
from hotspots.outputs.pack import build_pack, pack_metadata, pack_period
from hotspots.outputs.pack.table import left_out_table
from hotspots.stats.analysis import (
    HOTSPOT_LIST_COLUMNS,
    LEFT_OUT_COLUMNS,
    AnalysisSettings,
    analyse_ward_data,
    hotspot_list,
    left_out,
    rerank,
)
from hotspots.stats.concordance import named_overlaps
from hotspots.stats.ranking import rank_settings
from hotspots.stats.rates import empirical_bayes_rate
from hotspots.stats.trends import monthly_ranks
from hotspots.store.ward_data import Selection, load_ward_data
from tests.a11y_support import ward_tables
from tests.conftest import ROOT, map_component_args, map_rows, partner_app

pytestmark = [pytest.mark.shared, pytest.mark.slow]

LLANNARTH, LLANBRYNMAIR = "W05001309", "W05001140"
REFERENCE = ("boundaries", "lookups", "deprivation", "population")


def _load(root, paths):
    from hotspots.store.base import Store
    from hotspots.store.ingest import load_paths

    store = Store(root)
    load_paths(store, "auto", [str(p) for p in paths])
    return store


def _moved(src, dest, month: str):
    """A police.uk file's rows as another month (Crime IDs reversed, so still unique)."""
    with open(src, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    with open(dest, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(rows[0])
        for r in rows[1:]:
            w.writerow([r[0][::-1], month, *r[2:]])
    return dest


@pytest.fixture(scope="module")
def gap_store(tmp_path_factory, shared_data):
    """The five real months, then 2019-02's rows loaded as 2019-09: six months missing."""
    tmp = tmp_path_factory.mktemp("gap")
    crime = shared_data / "crime" / "police_uk" / "2019-02"
    late = [
        _moved(crime / f"2019-02-{f}-street.csv", tmp / f"2019-09-{f}-street.csv", "2019-09")
        for f in ("dyfed-powys", "south-wales")
    ]
    return _load(tmp / "store", [shared_data, *late])


@pytest.fixture(scope="module")
def hole_store(tmp_path_factory, shared_data):
    """Dyfed-Powys with December 2018 left out, and South Wales for October 2018 only."""
    crime = shared_data / "crime" / "police_uk"
    files = [crime / m / f"{m}-dyfed-powys-street.csv" for m in ("2018-10", "2018-11", "2019-01")]
    files.append(crime / "2018-10" / "2018-10-south-wales-street.csv")
    return _load(
        tmp_path_factory.mktemp("hole") / "store", [*(shared_data / r for r in REFERENCE), *files]
    )


def _analysis(store, selection, **kw):
    data = load_ward_data(store, selection)
    result = analyse_ward_data(data, AnalysisSettings(**kw))
    return data, result


@pytest.fixture(scope="module")
def wales(real_store):
    return _analysis(real_store, Selection("2018-10", "2019-02"))


@pytest.fixture(scope="module")
def dyfed_powys(real_store):
    return _analysis(real_store, Selection("2018-10", "2019-02", area="dyfed-powys"), spatial=False)


# ------------------------------------------------------------------ a force left out
@pytest.mark.slow
def test_forces_without_crimes_are_no_data_not_zero(wales):
    data, result = wales
    assert data.forces_without_data == ("Gwent", "North Wales")
    missing = data.wards["police_force"].isin(["Gwent", "North Wales"]).to_numpy()
    assert int(missing.sum()) == 355
    gone = set(data.wards.loc[missing, "ward_code"])
    counts = data.counts.set_index("ward_code")
    assert counts.loc[sorted(gone), ["sv_count", "drugs_count"]].isna().all().all()
    # Every ward with data keeps its exact count (0 stays 0 there).
    have = counts.drop(index=sorted(gone))
    assert int(have["sv_count"].notna().sum()) == 407 - 4  # 4 wards have no residents
    table = hotspot_list(result, "proxy")
    assert list(table.columns) == HOTSPOT_LIST_COLUMNS
    assert int(table["rank"].notna().sum()) == 403
    lost = table[table["ward_code"].isin(gone)]
    assert lost["rank"].isna().all() and lost["sv_count"].isna().all()
    assert lost["gi_class"].isna().all() and lost["moran_cluster"].isna().all()
    assert lost["emerging_class"].isna().all() and lost["months_in_top_n"].isna().all()
    assert set(lost["data_note"]) == {
        "no data: no crimes loaded for Gwent",
        "no data: no crimes loaded for North Wales",
    }
    # Gi* at FDR 0.05: on main the zeros made 55 hot and 189 cold spots, all 189 cold
    # in Gwent and North Wales; over the wards with data (exact p-values) 0 hot and 4
    # cold, none of them in a force without data.
    sig = table[table["gi_p_fdr"] <= 0.05]
    assert int((sig["gi_z"] > 0).sum()) == 0 and int((sig["gi_z"] < 0).sum()) == 4
    assert not set(sig["ward_code"]) & gone
    assert result.gi is not None and len(result.gi) == 403
    assert not set(result.gi["ward_code"]) & gone
    assert result.concordance.n_wards == 403
    # The empirical-Bayes prior is the pooled rate of the wards with data (11.96 per
    # 1,000: 11.97 before the five crime IDs police.uk gives again in a later month were
    # counted once), not of all Wales with zeros (7.05; 7.06 before).
    ok = result.indicators[result.analysed.to_numpy()]
    pooled = ok["sv_count"].astype(float).sum() / ok["population"].sum() * 1000
    assert round(pooled, 2) == 11.96
    everyone = data.counts["sv_count"].astype(float).sum() / data.counts["population"].sum()
    assert round(everyone * 1000, 2) == 7.05
    np.testing.assert_allclose(
        ok["sv_rate_smoothed"].to_numpy(),
        np.asarray(
            empirical_bayes_rate(
                ok["sv_count"].astype(float).to_numpy(), ok["population"].astype(float).to_numpy()
            )
        ),
    )
    # Monthly series of a ward without data are gaps, not zeros.
    series = result.trends.set_index("ward_code")["series"]
    assert all(s == [None] * 5 for s in series[sorted(gone)])


@pytest.mark.slow
def test_rank_and_wards_commands_warn_and_leave_counts_empty(real_store, tmp_path, capsys):
    out = tmp_path / "wales.csv"
    assert (
        main(
            [
                "--data-dir",
                str(real_store.root),
                "wards",
                "--from",
                "2018-10",
                "--to",
                "2019-02",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    said = capsys.readouterr().out
    assert (
        "Warning: no crimes are loaded for Gwent, North Wales: its 355 wards are "
        "'no data' (empty, not 0)"
    ) in said
    got = pd.read_csv(out, dtype={"ward_code": str})
    gwent = got[got["police_force"] == "Gwent"]
    assert len(gwent) > 0 and gwent["sv_count"].isna().all()
    assert set(gwent["data_note"]) == {"no data: no crimes loaded for Gwent"}
    meta = json.loads(out.with_suffix(".meta.json").read_text())
    assert meta["forces_without_data"] == ["Gwent", "North Wales"]
    assert meta["wards_counted_with"][LLANNARTH] == "counted with New Quay and Llanllwchaearn"
    ranked = tmp_path / "rank.csv"
    assert (
        main(
            [
                "--data-dir",
                str(real_store.root),
                "rank",
                "--from",
                "2018-10",
                "--to",
                "2019-02",
                "--out",
                str(ranked),
            ]
        )
        == 0
    )
    said = capsys.readouterr().out
    assert "Warning: no crimes are loaded for Gwent, North Wales" in said
    table = pd.read_csv(ranked, dtype={"ward_code": str})
    assert table.loc[table["police_force"] == "North Wales", "rank"].isna().all()
    assert table.loc[table["police_force"] == "North Wales", "sv_count"].isna().all()
    assert int(table["rank"].notna().sum()) == 403


# ------------------------------------------------------------ wards with no residents
def test_wards_without_residents_are_counted_with_their_neighbour(dyfed_powys):
    data, result = dyfed_powys
    cov = data.coverage.set_index("ward_code")
    assert cov.loc[LLANNARTH, "data_note"] == "counted with New Quay and Llanllwchaearn"
    assert cov.loc[LLANBRYNMAIR, "data_note"] == "counted with Glantwymyn"
    table = hotspot_list(result, "proxy").set_index("ward_code")
    for code in (LLANNARTH, LLANBRYNMAIR):
        assert pd.isna(table.loc[code, "rank"]) and pd.isna(table.loc[code, "sv_count"])
        assert table.loc[code, "why"].startswith("counted with ")
    # Every ward of the force has a count or a reason; none shows 0 for "no residents".
    assert (table["sv_count"].notna() | (table["data_note"] != "")).all()


# --------------------------------------------------- months missing, after a gap, few
def test_months_left_out_in_the_middle_are_gaps(hole_store):
    data, result = _analysis(hole_store, Selection("2018-10", "2019-01", area="dyfed-powys"))
    assert data.months_not_loaded == ("2018-12",)
    meta = data.metadata()
    assert meta["months_not_loaded"] == ["2018-12"]
    assert meta["months_loaded_note"] == "3 of 4 months loaded"
    m = data.monthly
    assert m.loc[m["month"] == "2018-12", "sv_count"].isna().all()
    # 3 loaded months × the 201 wards with residents (3 of the 204 have none)
    assert m.loc[m["month"] != "2018-12", "sv_count"].notna().sum() == 3 * 201
    ranks = monthly_ranks(m)
    assert ranks.loc[ranks["month"] == "2018-12", "rank"].isna().all()
    t = result.trends.set_index("ward_code")
    tyisha = t.loc["W05001226"]
    assert tyisha["series"][2] is None and all(
        v is not None for v in (tyisha["series"][0], tyisha["series"][1], tyisha["series"][3])
    )
    assert int(tyisha["months_loaded"]) == 3 and int(tyisha["months_in_top_n"]) == 3
    assert result.gi_by_month["month"].unique().tolist() == ["2018-10", "2018-11", "2019-01"]
    # South Wales has one month only: its wards have gaps, and the warning says so.
    everything = load_ward_data(hole_store, Selection("2018-10", "2019-01"))
    assert everything.forces_without_data == ("Gwent", "North Wales")
    assert everything.forces_with_gaps == {"South Wales": 1}
    warning = everything.coverage_warning()
    assert "months not loaded: 2018-12 (3 of 4 months loaded)" in warning
    assert "South Wales has crimes loaded for 1 of 4 months only" in warning
    sw = everything.monthly[everything.monthly["ward_code"] == "W05001270"]  # Adamsdown
    assert sw["sv_count"].notna().tolist() == [True, False, False, False]


def _pack(store, month, area="dyfed-powys"):
    start, end = pack_period(month)
    start = max(start, store.months()[0])
    data, result = _analysis(store, Selection(start, end, area=area), spatial=False)
    hot = hotspot_list(result, "proxy")
    return (
        data,
        result,
        build_pack(hot, result.trends, month, 12, metadata=pack_metadata(data, rank_settings())),
    )


def test_persistence_counts_loaded_months_after_a_gap(gap_store):
    data, _, pack = _pack(gap_store, "2019-09")
    assert data.months_loaded == ("2018-10", "2018-11", "2018-12", "2019-01", "2019-02", "2019-09")
    # Independently: wards in the top 12 by monthly count in every one of the 6 loaded
    # months (ties by ward code), among wards with data.
    m = data.monthly.dropna(subset=["sv_count"])
    tops = [
        set(g.sort_values(["sv_count", "ward_code"], ascending=[False, True])["ward_code"].head(12))
        for _, g in m.groupby("month")
    ]
    assert len(tops) == 6
    expected = set.intersection(*tops)
    assert set(pack.persistent["ward_code"]) == expected and len(expected) == 6
    # On main, the six empty months were credited to the first wards by code: wards
    # ranked 193rd and 188th were listed as persistent.
    assert int(pack.persistent["rank"].max()) < 25
    assert pack.persistence_months == 6 and pack.months_loaded_note == "6 of 12 months loaded"
    assert (
        "6 wards were in the top 12 for violence counts in at least 6 of the last 12 "
        "months (6 of 12 months loaded); 4 of them are in this pack."
    ) in pack.summary
    assert any(
        line.startswith(
            "No crimes are loaded for March 2019, April 2019, May 2019, June 2019, July 2019 "
            "and August 2019: those months are gaps, not zero"
        )
        for line in pack.summary
    )


def test_five_months_loaded_says_persistence_cannot_be_judged(real_store):
    _, _, pack = _pack(real_store, "2019-02")
    assert not any("of the last 5 months" in line for line in pack.summary)
    assert int((pack.rows["months_in_top_n"] == 5).sum()) == 4
    assert (
        "Whether a ward is persistent (in the top 12 in at least 6 of 12 months) cannot be "
        "judged yet: only 5 of the 12 months are loaded. 4 of this pack's wards were in the "
        "top 12 in all 5 loaded months."
    ) in pack.summary
    assert pack.persistent.empty
    # The PDF says the same (on main: "at least 6 of the last 5 months").
    import io

    from pypdf import PdfReader

    from hotspots.outputs.pack import pack_pdf

    text = " ".join(
        " ".join(
            page.extract_text() for page in PdfReader(io.BytesIO(pack_pdf(pack))).pages
        ).split()
    )
    assert "of the last 5 months" not in text
    assert ("in at least 6 of the last 12 months): not judged: only 5 of 12 months loaded") in text


# ------------------------------------------------------------- overlap and left out
def test_named_overlaps_on_the_real_data(dyfed_powys):
    _, result = dyfed_powys
    table = hotspot_list(result, "proxy")
    o = named_overlaps(table, 12)
    assert o.as_dict()["violence_vs_drugs"] == 9  # the needs assessment's figure
    assert {"W05001226", "W05001183", "W05001300"} <= set(o.violence_vs_drugs)
    assert o.as_dict() == {
        "n": 12,
        "violence_vs_drugs": 9,
        "list_vs_drugs": 5,
        "violence_vs_drugs_wards": list(o.violence_vs_drugs),
        "list_vs_drugs_wards": ["W05001226", "W05001446", "W05001160", "W05001178", "W05001183"],
    }
    names = dict(zip(table["ward_code"], table["ward_name"], strict=True))
    assert o.lines(names) == [
        "Top 12 by violence count vs top 12 by drug count: 9.",
        "Of this list's top 12, 5 are in the drug top 12: Tyisha, Haverfordwest: Garth, "
        "Newtown Central and South, Ammanford, Carmarthen Town North and South.",
    ]


def test_pack_carries_both_overlaps_and_who_is_left_out(real_store):
    _, _, pack = _pack(real_store, "2019-02")
    assert pack.overlap["n"] == 12 and pack.overlap["violence_vs_drugs"] == 9
    assert pack.overlap["list_vs_drugs"] == 5
    assert pack.metadata["overlap"] == pack.overlap
    assert (
        "9 of the 12 wards with most violence are also among the 12 with most drug offences."
    ) in pack.summary
    assert list(pack.left_out.columns) == LEFT_OUT_COLUMNS
    assert (
        "8 wards with high violence are not in the top 12; see the reasons below."
    ) in pack.summary
    assert (
        "Haverfordwest: Castle (ranked 14th): 4th most violence offences (129) and "
        "highest violence rate (53.3 per 1,000) but low deprivation."
    ) in left_out_table(pack)


def test_left_out_names_the_highest_rate_and_the_most_offences(dyfed_powys, wales):
    _, dp = dyfed_powys
    missed = left_out(hotspot_list(dp, "proxy"), 12, dp.settings.ranking.as_dict)
    assert list(missed.columns) == LEFT_OUT_COLUMNS
    castle = missed.set_index("ward_name").loc["Haverfordwest: Castle"]
    assert int(castle["rank"]) == 14 and int(castle["rate_place"]) == 1
    assert castle["reason"] == (
        "4th most violence offences (129) and highest violence rate "
        "(53.3 per 1,000) but low deprivation"
    )
    assert (missed["rank"] > 12).all()
    _, w = wales
    cathays = left_out(hotspot_list(w, "proxy"), 12).set_index("ward_name").loc["Cathays"]
    assert int(cathays["count_place"]) == 1 and int(cathays["sv_count"]) == 837
    assert cathays["reason"].startswith(
        "most violence offences (837) and 7th highest violence rate (37.9 per 1,000) but "
    )


def test_left_out_follows_the_ranking(dyfed_powys):
    _, dp = dyfed_powys
    table = hotspot_list(dp, "proxy", rerank(dp, rank_settings("violence")))
    missed = left_out(table, 12, {"violence": 1.0})
    assert (missed["rank"] > 12).all() and (missed["reason"].str.len() > 0).all()
    # Ranked by violence alone, Castle (the highest rate) is in the top 12: not left out.
    assert "Haverfordwest: Castle" not in set(missed["ward_name"])
    with pytest.raises(ValueError, match="top_n must be a whole number"):
        left_out(table, 0)


# ----------------------------------------------------------------------- the pages
def _app(store, monkeypatch, tmp_path, **query):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("HOTSPOTS_DATA_DIR", str(store.root))
    monkeypatch.setenv("HOTSPOTS_ACCOUNTS", str(tmp_path / "none.toml"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.query_params.update(
        {
            "area": "dyfed-powys",
            "period": "range",
            "from": "2018-10",
            "to": "2019-02",
            "def": "police-uk-proxy",
            **query,
        }
    )
    return at


def _open(at, page):
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception[0].value
    return at


@pytest.mark.slow
def test_profile_of_a_ward_without_residents_does_not_fail(real_store, monkeypatch, tmp_path):
    # On main: ValueError: Length mismatch, shown to the partner as a traceback.
    at = _open(_app(real_store, monkeypatch, tmp_path, ward=LLANNARTH), "pages/profile.py")
    assert [t.value for t in at.title] == ["Llannarth"]
    assert any("counted with New Quay and Llanllwchaearn" in i.value for i in at.info)
    values = {m.label: m.value for m in at.metric}
    assert values["Serious violence"] != "0" and values["Rank"] == "—"


@pytest.mark.slow
def test_map_greys_wards_without_data_and_follows_the_ranking(real_store, monkeypatch, tmp_path):
    at = _app(
        real_store,
        monkeypatch,
        tmp_path,
        area="All wards",
        show="Violence (count)",
        preset="violence",
    )
    at = _open(at, "pages/map.py")
    args, _ = map_component_args(at)
    rows = {r["ward_code"]: r for r in map_rows(args)}
    assert rows[LLANNARTH]["sv_count"] == "counted with New Quay and Llanllwchaearn"
    assert rows[LLANNARTH]["fill"] == "#bdbdbd"
    gwent = rows["W05001256"]  # Abertillery and Six Bells
    assert gwent["sv_count"] == "No data" and gwent["fill"] == "#bdbdbd"
    assert gwent["rank_text"] == ""
    assert any("no data" in w.value for w in at.warning)
    # The hotspot score and rank on the map are the address's ranking (violence only).
    _, result = _analysis(real_store, Selection("2018-10", "2019-02"))
    ranked = rerank(result, rank_settings("violence")).set_index("ward_code")
    tyisha = rows["W05001226"]
    assert tyisha["rank_text"] == str(int(ranked.loc["W05001226", "rank"]))
    default = result.ranked.set_index("ward_code")
    assert int(ranked.loc["W05001226", "rank"]) != int(default.loc["W05001226", "rank"])
    assert any("violence 100%" in c.value for c in at.caption)
    assert any("violence 100%" in c.value for c in at.caption)


@pytest.mark.slow
def test_list_page_shows_overlaps_left_out_and_keeps_weights(real_store, monkeypatch, tmp_path):
    at = _app(real_store, monkeypatch, tmp_path, preset="custom", weights="violence:50,drugs:50")
    at = _open(at, "pages/hotspots.py")
    assert next(b for b in at.selectbox if b.label == "Ranking").value == "custom"
    text = " ".join(plain(m.value) for m in at.markdown)
    assert "Top 12 by violence count vs top 12 by drug count: 9." in text
    assert "Of this list's top 12," in text
    assert "High violence, not in the top 12" in [s.value for s in at.subheader]
    params = {k: v[0] if isinstance(v, list) else v for k, v in at.query_params.items()}
    assert params["preset"] == "custom" and params["weights"] == "violence:50,drugs:50"


@pytest.mark.slow
def test_pack_page_period_line_is_the_packs(gap_store, monkeypatch, tmp_path):
    # On main: "Oct 2018 – Feb 2019 · data up to Sep 2019" above a 2018-10..2019-09 pack.
    at = _open(_app(gap_store, monkeypatch, tmp_path), "pages/pack.py")
    line = next(c.value for c in at.caption if c.value.startswith("Period "))
    assert line.startswith(
        "Period Oct 2018 – Sep 2019 (6 of 12 months loaded) · data up to Sep 2019"
    )
    assert any("Months not loaded in this period" in w.value for w in at.warning)
    text = " ".join(plain(m.value) for m in at.markdown)  # as the reader sees it
    assert "(6 of 12 months loaded)" in text


def test_the_ranking_in_the_address_round_trips():
    from dashboard.selection import CUSTOM, period_label, ranking_from, weights_text

    own = ranking_from(CUSTOM, "violence:50,drugs:50")
    assert own.preset is None and own.as_dict == {
        "violence": 0.5,
        "drugs": 0.5,
        "deprivation": 0.0,
        "harm": 0.0,
    }
    assert weights_text(own) == "violence:50,drugs:50"
    assert ranking_from(CUSTOM, weights_text(own)) == own
    assert ranking_from("violence", None) == rank_settings("violence")
    # Typed addresses never fail: unknown presets or unreadable weights give the default.
    for preset, weights in (
        ("nonsense", None),
        (CUSTOM, "violence:x"),
        (CUSTOM, "pets:1"),
        (CUSTOM, "violence:0"),
        (CUSTOM, None),
    ):
        assert ranking_from(preset, weights) == rank_settings()
    # "Last 12 months" only when the 12 months are loaded.
    five = ["2018-10", "2018-11", "2018-12", "2019-01", "2019-02"]
    assert period_label("rolling12", five) == "Latest months (5 of 12 loaded)"
    assert period_label("rolling12", [*five, "2019-09"]) == "Latest months (6 of 12 loaded)"
    full = [str(p) for p in pd.period_range("2018-01", "2018-12", freq="M")]
    assert period_label("rolling12", full) == "Last 12 months"


@pytest.mark.slow
@pytest.mark.parametrize(
    "page",
    ["pages/home.py", "pages/map.py", "pages/hotspots.py", "pages/pack.py", "pages/profile.py"],
)
def test_every_page_of_a_force_without_data(real_store, monkeypatch, tmp_path, page):
    at = _open(_app(real_store, monkeypatch, tmp_path, area="gwent", period="rolling12"), page)
    assert any(
        w.value.startswith("No crimes are loaded for **Gwent**: its 123 wards show **no data**")
        for w in at.warning
    )
    line = next(c.value for c in at.caption if c.value.startswith("Period "))
    assert line.startswith("Period Oct 2018 – Feb 2019 · data up to Feb 2019 · Gwent Police")
    period = next(b for b in at.selectbox if b.label == "Period")
    assert "Latest months (5 of 12 loaded)" in period.options
    assert "Last 12 months" not in period.options
    if page == "pages/map.py":
        rows = map_rows(map_component_args(at)[0])
        assert len(rows) == 123 and {r["fill"] for r in rows} == {"#bdbdbd"}
        assert {r["sv_count"] for r in rows} == {"No data"}


@pytest.mark.slow
def test_partner_pages_with_wards_without_data(real_store, monkeypatch, tmp_path):
    """A partner's view of All Wales (Gwent and North Wales without crimes) and of a ward
    without residents: nothing fails and no ward without data shows a number."""
    from dashboard.auth import User

    at = partner_app(real_store, tmp_path, monkeypatch, timeout=300)
    at.query_params.update({"area": "All wards", "def": "police-uk-proxy", "ward": LLANNARTH})
    at.session_state["user"] = User("bob", "partner", "password")
    at.run()
    assert not at.exception, at.exception[0].value
    for page in ("pages/map.py", "pages/hotspots.py", "pages/pack.py", "pages/profile.py"):
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception[0].value)
        if page == "pages/map.py":
            rows = {r["ward_code"]: r for r in map_rows(map_component_args(at)[0])}
            assert rows["W05001256"]["sv_count"] == "No data"
            assert rows[LLANNARTH]["sv_count"].startswith("counted with ")
        if page == "pages/hotspots.py":
            shown = ward_tables(at)[0].set_index("ward_name")
            assert pd.isna(shown.loc["Abertillery and Six Bells", "sv_count"])


def test_pack_command_after_a_gap(gap_store, tmp_path):
    """``pack --json`` on a month loaded after a six-month gap: the months missing named,
    persistence over the loaded months, for analysts and partners alike."""
    from hotspots.cli import main

    _, _, pack = _pack(gap_store, "2019-09")
    for audience in ("analyst", "partner"):
        out = tmp_path / f"{audience}.json"
        assert (
            main(
                [
                    "--data-dir",
                    str(gap_store.root),
                    "pack",
                    "--month",
                    "2019-09",
                    "--area",
                    "dyfed-powys",
                    "--audience",
                    audience,
                    "--out",
                    str(tmp_path / f"{audience}.pdf"),
                    "--json",
                    str(out),
                ]
            )
            == 0
        )
        doc = json.loads(out.read_text(encoding="utf-8"))
        assert doc["period"] == {"from": "2018-10", "to": "2019-09"}
        assert doc["months_loaded"] == [
            "2018-10",
            "2018-11",
            "2018-12",
            "2019-01",
            "2019-02",
            "2019-09",
        ]
        assert doc["months_missing"] == [
            "2019-03",
            "2019-04",
            "2019-05",
            "2019-06",
            "2019-07",
            "2019-08",
        ]
        assert doc["persistent_rule"] == {"top_n": 12, "min_months": 6, "window_months": 12}
        assert all(r["months_in_top_n"] <= 6 for r in doc["top"])
        if audience == "analyst":
            assert set(doc["persistent"]) == set(pack.persistent["ward_code"])
            assert doc["overlap"]["n"] == 12
