"""The whole analysis and the ``rank`` command on the real open data (Dyfed-Powys,
2018-10 to 2019-02, police.uk proxy). Skipped, with the reason, without ../shared/data."""

import json

import numpy as np
import pandas as pd
import pytest

from hotspots.cli import main
from hotspots.outputs.exports import hotspot_list_csv
from hotspots.stats.analysis import HOTSPOT_LIST_COLUMNS, analyse_ward_data, hotspot_list, rerank
from hotspots.stats.ranking import NORMALISATION, RANK_COLUMNS, rank_settings
from hotspots.store.ward_data import Selection, load_ward_data

PERIOD = ["--from", "2018-10", "--to", "2019-02", "--area", "dyfed-powys"]
HARM_NOTE = (
    "Not used: police.uk data has no Home Office offence codes and the Crime "
    "Severity Score weighs offences by code, so no harm is computed for "
    "'police-uk-proxy'."
)


def top_overlap(frame: pd.DataFrame, a: str, b: str, n: int = 12) -> set[str]:
    """Wards in the top n by both columns, ties broken by ward code (as in
    tests/store/test_real_data.py)."""

    def top(col):
        return set(
            frame.sort_values([col, "ward_code"], ascending=[False, True]).head(n)["ward_code"]
        )

    return top(a) & top(b)


def run_rank(store, out, *extra):
    return main(["--data-dir", str(store.root), "rank", *PERIOD, "--out", str(out), *extra])


def read_list(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"ward_code": str, "local_authority_code": str})


@pytest.fixture(scope="module")
def ranked_default(real_store, tmp_path_factory):
    """The default ``rank`` run: (csv path, meta, printed text)."""
    import contextlib
    import io

    out = tmp_path_factory.mktemp("rank") / "dp.csv"
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert run_rank(real_store, out) == 0
    meta = json.loads(out.with_suffix(".meta.json").read_text(encoding="utf-8"))
    return out, meta, buf.getvalue()


@pytest.fixture(scope="module")
def dp_analysis(real_store):
    data = load_ward_data(real_store, Selection("2018-10", "2019-02", area="dyfed-powys"))
    result = analyse_ward_data(data)
    return data, result


def test_hotspot_list_columns_declared_once():
    assert HOTSPOT_LIST_COLUMNS[:20] == RANK_COLUMNS[:-1]
    assert HOTSPOT_LIST_COLUMNS[20:] == [
        "rank_low",
        "rank_high",
        "p_top_n",
        "volatile",
        "gi_z",
        "gi_p_fdr",
        "gi_class",
        "moran_cluster",
        "obs_exp_ratio",
        "higher_than_deprivation_predicts",
        "months_in_top_n",
        "months_loaded",
        "new_entrant",
        "emerging_class",
        "why",
        "data_note",
        "definition",
    ]


@pytest.mark.slow
def test_rank_command_writes_the_list(ranked_default):
    out, meta, _ = ranked_default
    table = read_list(out)
    assert list(table.columns) == HOTSPOT_LIST_COLUMNS
    assert len(table) == 204 and table["ward_code"].is_unique
    assert set(table["police_force"]) == {"Dyfed-Powys"}
    assert set(table["definition"]) == {"police-uk-proxy (proxy)"}
    ranked = table["rank"].dropna().astype(int)
    assert ranked.tolist() == list(range(1, len(ranked) + 1))  # 1..N, unique, best first
    # The 3 Dyfed-Powys wards without residents: counted with the ward receiving their LSOA.
    unranked = table.loc[table["rank"].isna()]
    assert len(unranked) == 3 and unranked["why"].str.startswith("counted with ").all()
    assert unranked["sv_count"].isna().all()
    assert (table["population"] > 0).sum() == len(ranked)
    assert table["score"].dropna().is_monotonic_decreasing
    # the score is the stated weighted sum of the percentiles
    want = (
        0.5 * table["comp_violence"]
        + 0.25 * table["comp_drugs"]
        + 0.25 * table["comp_deprivation"].fillna(0)
    )
    np.testing.assert_allclose(table["score"].dropna(), want[table["score"].notna()], rtol=1e-5)
    assert table.loc[0, "ward_code"] == "W05001226"  # Tyisha, Llanelli
    assert meta["weights"] == {"violence": 0.5, "drugs": 0.25, "deprivation": 0.25, "harm": 0.0}
    assert meta["preset"] == "violence-drugs-deprivation"
    assert meta["normalisation"] == NORMALISATION
    assert meta["proxy"] is True and meta["area"] == "dyfed-powys"
    assert meta["top_n"] == 12


@pytest.mark.slow
def test_concordance_matches_the_wards_output(ranked_default, real_store, tmp_path):
    _, meta, printed = ranked_default
    wards = tmp_path / "dp-wards.csv"
    assert main(["--data-dir", str(real_store.root), "wards", *PERIOD, "--out", str(wards)]) == 0
    dp = pd.read_csv(wards, dtype={"ward_code": str})
    overlap = top_overlap(dp, "sv_count", "drugs_count")
    assert len(overlap) == 9
    conc = meta["concordance"]
    assert conc["top_n"] == 12
    assert conc["overlap"] == len(overlap) == 9
    assert set(conc["overlap_wards"]) == overlap
    assert 0 <= conc["overlap_p"] < 0.01 and conc["spearman_rho"] > 0.5
    assert (
        "Violence and drugs: 9 of the top 12 wards by violence are also in the top 12 "
        "for drug offences"
    ) in printed
    assert (
        "wrote " in printed
        and "(204 wards, ranked by violence 50%, drugs 25%, deprivation 25%)" in printed
    )
    assert "Note: definition is a PROXY" in printed


@pytest.mark.slow
def test_weights_not_summing_to_one_exit_2(real_store, tmp_path, capsys):
    out = tmp_path / "bad.csv"
    code = run_rank(real_store, out, "--weights", "violence=0.5,drugs=0.25")
    assert code == 2
    err = capsys.readouterr().err
    assert "error: weights must sum to 1 (they sum to 0.75)" in err
    assert not out.exists()
    assert run_rank(real_store, out, "--weights", "violence=lots") == 2
    assert "cannot read weight 'violence=lots'" in capsys.readouterr().err


@pytest.mark.slow
def test_harm_preset_is_refused_for_the_proxy_with_the_reason(
    real_store, tmp_path, capsys, dp_analysis
):
    # the ONS weights are loaded (load auto found them), but police.uk has no offence codes
    assert len(real_store.reference("harm-weights")) == 133
    out = tmp_path / "harm.csv"
    assert run_rank(real_store, out, "--preset", "harm-weighted") == 2
    assert (
        "error: the harm-weighted ranking is not available: police.uk data has no Home "
        "Office offence codes"
    ) in capsys.readouterr().err
    assert not out.exists()
    assert run_rank(real_store, out, "--weights", "violence=0.5,harm=0.5") == 2
    data, _ = dp_analysis
    assert data.harm is None and not data.harm_available
    assert data.harm_note == HARM_NOTE


@pytest.mark.slow
def test_preset_and_rerank_reproduce(real_store, tmp_path, capsys, dp_analysis):
    out = tmp_path / "vd.csv"
    assert run_rank(real_store, out, "--preset", "violence-deprivation") == 0
    assert "ranked by violence 60%, deprivation 40%" in capsys.readouterr().out
    meta = json.loads(out.with_suffix(".meta.json").read_text(encoding="utf-8"))
    assert meta["preset"] == "violence-deprivation"
    table = read_list(out)
    want = 0.6 * table["comp_violence"] + 0.4 * table["comp_deprivation"].fillna(0)
    np.testing.assert_allclose(table["score"].dropna(), want[table["score"].notna()], rtol=1e-5)
    # Re-ranking the default analysis gives byte for byte what the command wrote.
    _, result = dp_analysis
    label = "police-uk-proxy (proxy)"
    vd = rank_settings("violence-deprivation")
    again = hotspot_list(result, label, rerank(result, vd), vd)
    assert hotspot_list_csv(again) == out.read_bytes()
    default = hotspot_list(result, label)
    assert default["ward_code"].tolist() != again["ward_code"].tolist()


@pytest.mark.slow
def test_default_list_reproduces_the_command(ranked_default, dp_analysis):
    out, _, _ = ranked_default
    _, result = dp_analysis
    assert hotspot_list_csv(hotspot_list(result, "police-uk-proxy (proxy)")) == out.read_bytes()
    # re-ranking is pure: the analysis keeps its own list
    before = result.ranked.copy()
    rerank(result, rank_settings("violence"))
    pd.testing.assert_frame_equal(result.ranked, before)
