"""Partners never see a count below the threshold: list, downloads, map, profile, pack."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from hotspots.access.disclosure import RULES, hidden_cells, partner_hotspot_list
from hotspots.outputs.exports import (
    EXCEL_HEADERS,
    hotspot_list_csv,
    hotspot_list_excel,
    hotspot_list_geojson,
)
from hotspots.stats.analysis import AnalysisSettings, analyse, hotspot_list
from hotspots.store.ward_data import Selection, load_ward_data
from tests.a11y_support import ward_tables
from tests.conftest import ROOT, map_component_args, map_rows, partner_app

pytestmark = pytest.mark.slow

RULE = RULES["under-5"]
COUNTS = ["sv_count", "drugs_count"]


@pytest.fixture(scope="module")
def demo_list(demo_store):
    # One month of one local authority: plenty of small counts.
    data = load_ward_data(demo_store, Selection("2024-12", "2024-12", "Seithenyn City"))
    result = analyse(data.counts, data.monthly, data.wards, AnalysisSettings(spatial=False))
    return data, hotspot_list(result, "police-uk-proxy (proxy)"), result


def test_partner_list_and_every_download(demo_list):
    data, table, _ = demo_list
    assert hidden_cells(table, RULE, COUNTS) > 0  # the exact list has small counts
    partner = partner_hotspot_list(table, RULE)
    assert hidden_cells(partner, RULE, COUNTS) == 0
    assert (partner[COUNTS] == "<5").any().any()
    for col in ("sv_rate_smoothed", "harm_rate", "obs_exp_ratio", "gi_z"):
        assert col not in partner.columns
    csv = pd.read_csv(io.BytesIO(hotspot_list_csv(partner)), dtype=str)
    assert hidden_cells(csv.apply(pd.to_numeric, errors="coerce"), RULE, COUNTS) == 0
    xl = pd.read_excel(
        io.BytesIO(hotspot_list_excel(partner, {"suppression": RULE.describe()})), sheet_name=None
    )
    # The Excel file's headers are in words; read back by the machine names they stand for.
    machine = {v: k for k, v in EXCEL_HEADERS.items()}
    assert hidden_cells(xl["Hotspots"].rename(columns=machine), RULE, COUNTS) == 0
    assert "<5" in xl["Method and data"].to_string()
    gj = json.loads(hotspot_list_geojson(partner, data.wards))
    props = pd.DataFrame([f["properties"] for f in gj["features"]])
    assert hidden_cells(props, RULE, COUNTS) == 0


def test_partner_rates_do_not_give_counts_back(demo_list):
    _, table, _ = demo_list
    partner = partner_hotspot_list(table, RULE)
    small = partner["sv_count"] == "<5"
    assert (partner.loc[small, "sv_rate"] == "<5").all()


def test_partner_series_beside_totals_cannot_be_recovered(demo_list):
    _, table, result = demo_list
    series = table[["ward_code"]].merge(result.trends, on="ward_code")["series"]
    partner = partner_hotspot_list(table, RULE, series)
    for total, months in zip(partner["sv_count"], partner["series"], strict=True):
        hidden = sum(v is None for v in months)
        assert hidden != 1 or total == "<5"
        assert all(v is None or v == 0 or v >= 5 for v in months)


def test_partner_dashboard_pages(demo_store, tmp_path, monkeypatch):
    from dashboard.auth import User

    at = partner_app(demo_store, tmp_path, monkeypatch)
    # Partners see the last 12 months: in this area two wards have 1–4 drug offences.
    at.query_params.update({"area": "cantre-gwaelod", "def": "police-uk-proxy"})
    # Signed in as bob (the login form itself is driven in tests/browser/test_auth_browser.py);
    # the gate re-checks the session's user against the accounts file on every run.
    at.session_state["user"] = User("bob", "partner", "password")
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Serious violence hotspots"]
    at.switch_page("pages/map.py").run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Map"]
    args, _ = map_component_args(at)
    # Map tooltips suppressed (shown as text by the map, never as HTML).
    wards = map_rows(args)
    assert hidden_cells(pd.DataFrame(wards), RULE, ["sv_count", "drugs_count"]) == 0
    assert any(f["drugs_count"] == "<5" for f in wards)
    at.switch_page("pages/hotspots.py").run()
    assert not at.exception
    shown = ward_tables(at)[0]
    assert hidden_cells(shown, RULE, ["sv_count", "drugs_count"]) == 0
    assert (shown["drugs_count"].astype(str) == "<5").any()
    assert any("Partner view" in c.value for c in at.sidebar.caption)
    at.switch_page("pages/pack.py").run()
    assert not at.exception
    rows = ward_tables(at)[0]
    assert hidden_cells(rows, RULE, ["Violence (offences)", "Drug offences"]) == 0
    assert "Publish this pack" not in [b.label for b in at.button]


def test_partner_cannot_choose_periods_that_subtract(demo_store, monkeypatch, tmp_path):
    """A partner gets the latest whole 12-month window whatever the address asks for, and
    the pack offers only meeting months whose window is a partner window."""
    from dashboard.auth import User
    from hotspots.access.disclosure import partner_windows
    from hotspots.outputs.pack import month_name

    at = partner_app(demo_store, tmp_path, monkeypatch)
    # An analyst's link to one month: a partner opening it must not get that month.
    at.query_params.update(
        {
            "area": "Seithenyn City",
            "period": "month",
            "from": "2024-06",
            "to": "2024-06",
            "def": "police-uk-proxy",
        }
    )
    at.session_state["user"] = User("bob", "partner", "password")
    at.run()
    assert not at.exception
    windows = partner_windows(demo_store.months())
    first, last = windows[0]
    assert (first, last) == ("2024-01", "2024-12")
    assert "Period" not in [s.label for s in at.sidebar.selectbox]
    assert any(
        c.value == "Period: Jan 2024 to Dec 2024 (partners see 12-month periods only)"
        for c in at.sidebar.caption
    )
    assert any("Period Jan 2024 – Dec 2024" in c.value for c in at.caption)  # source line
    at.switch_page("pages/pack.py").run()
    assert not at.exception
    # The page's own month choice (above it, the phone bar offers the area only).
    assert at.main.selectbox[0].key == "phone_area"
    assert at.main.selectbox[1].options == [month_name(last) for _, last in windows]


def test_partner_opening_the_map_first(demo_store, monkeypatch, tmp_path):
    """A partner whose session starts at the map (a shared link to one month): the first
    run, drawn before any widget, already shows the partner's 12-month window and
    suppressed tooltips, and says so in the sidebar."""
    from dashboard.auth import User

    at = partner_app(demo_store, tmp_path, monkeypatch)
    at.query_params.update(
        {
            "area": "cantre-gwaelod",
            "period": "month",
            "from": "2024-06",
            "to": "2024-06",
            "def": "police-uk-proxy",
        }
    )
    at.session_state["user"] = User("bob", "partner", "password")
    at.switch_page("pages/map.py").run()
    assert not at.exception
    assert len(at.selectbox) == 0
    args, _ = map_component_args(at)
    assert args["notify_drawn"] is True
    wards = map_rows(args)
    assert hidden_cells(pd.DataFrame(wards), RULE, COUNTS) == 0
    assert any(f["drugs_count"] == "<5" for f in wards)
    said = " ".join(m.value for m in at.sidebar.markdown)
    assert "**Period**: Jan 2024 to Dec 2024 (partners see 12-month periods only)" in said
    assert any(c.value.startswith("Partner view: ") for c in at.sidebar.caption)
    assert at.query_params["from"] == "2024-01" and at.query_params["to"] == "2024-12"


def test_partner_pack_pdf_with_suppressed_rows(demo_store):
    """A partner pack whose top wards hold "<5" renders (PDF and Excel) and shows the mark."""
    from pypdf import PdfReader

    from hotspots.access.partner import partner_ward_data
    from hotspots.outputs.pack import assemble_pack, pack_excel, pack_json, pack_pdf

    data = partner_ward_data(
        load_ward_data(demo_store, Selection("2024-01", "2024-12", "Vale of Helig")), RULE
    )
    result = analyse(
        data.counts, data.monthly, data.wards, AnalysisSettings(spatial=False, top_n=30)
    )
    pack = assemble_pack(data, result, "2024-12", top_n=30, rule=RULE)
    assert (pack.rows[COUNTS].astype(str) == "<5").any().any()
    assert hidden_cells(pack.rows, RULE, COUNTS) == 0
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pack_pdf(pack))).pages).split()
    )
    assert "<5" in text and "Partner view: every figure is computed" in text
    book = pd.read_excel(io.BytesIO(pack_excel(pack)), sheet_name=None)
    shown = ["Violence (offences)", "Drug offences"]
    assert set(shown) <= set(book["Top wards"].columns)
    assert (book["Top wards"][shown].astype(str) == "<5").any().any()
    assert hidden_cells(book["Top wards"], RULE, shown) == 0
    by_month = book["By month"].drop(columns="Month")
    assert hidden_cells(by_month, RULE, list(by_month.columns)) == 0
    doc = pack_json(pack)
    assert doc["audience"] == "partner"
    assert any(r["sv_count"] == "<5" or r["drugs_count"] == "<5" for r in doc["top"])


def test_partner_opens_the_partner_rendering_of_a_published_pack(demo_store, tmp_path, monkeypatch):
    """An analyst publishes (after confirming); a partner opening that month gets the
    partner rendering stored with it — table and PDF — never the analysts' exact counts."""
    import shutil

    from streamlit.runtime.memory_media_file_storage import _calculate_file_id
    from streamlit.testing.v1 import AppTest

    from dashboard.auth import User
    from hotspots.access.partner import partner_ward_data
    from hotspots.access.users import add_user
    from hotspots.outputs.pack import PackArchive, assemble_pack
    from hotspots.store.base import Store

    store = Store(shutil.copytree(demo_store.root, tmp_path / "store"))
    accounts = tmp_path / "accounts.toml"
    add_user(accounts, "ann", "analyst", "analyst-pass-1", rounds=4)
    add_user(accounts, "bob", "partner", "partner-pass-1", rounds=4)
    monkeypatch.setenv("HOTSPOTS_ACCOUNTS", str(accounts))
    monkeypatch.setenv("HOTSPOTS_AUDIT_LOG", str(tmp_path / "audit.jsonl"))
    monkeypatch.setenv("HOTSPOTS_DATA_DIR", str(store.root))
    query = {"area": "Vale of Helig", "def": "police-uk-proxy"}

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.query_params.update(query)
    at.session_state["user"] = User("ann", "analyst", "password")
    at.switch_page("pages/pack.py").run()
    assert not at.exception
    publish = next(b for b in at.button if b.label == "Publish this pack")
    assert publish.disabled  # nothing is published without the confirmation
    at.checkbox[0].check().run()
    assert not next(b for b in at.button if b.label == "Publish this pack").disabled
    # What the button does (AppTest runs every page twice, which drops a click's value):
    # both copies built as the page builds them, published together.
    month = store.months()[-1]
    sel = Selection("2024-01", month, "Vale of Helig")
    archive = PackArchive(store.root)
    copies = {}
    for who, rule in (("analyst", None), ("partner", RULE)):
        data = load_ward_data(store, sel)
        data = data if rule is None else partner_ward_data(data, rule)
        result = analyse(data.counts, data.monthly, data.wards, AnalysisSettings(top_n=30))
        copies[who] = assemble_pack(data, result, month, top_n=30, rule=rule, previous=None)
    archive.publish(copies["analyst"], partner=copies["partner"])
    analyst = archive.load("Vale of Helig", "police-uk-proxy", month)
    assert hidden_cells(analyst.rows, RULE, COUNTS) > 0  # the analysts' copy is exact
    partner = archive.load("Vale of Helig", "police-uk-proxy", month, "partner")
    assert hidden_cells(partner.rows, RULE, COUNTS) == 0
    assert (partner.rows[COUNTS].astype(str) == "<5").any().any()

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.query_params.update(query)
    at.session_state["user"] = User("bob", "partner", "password")
    at.switch_page("pages/pack.py").run()
    assert not at.exception
    assert any("was published on" in s.value for s in at.success)
    shown = ward_tables(at)[0]
    assert "sv_count" in shown.columns
    assert hidden_cells(shown, RULE, ["sv_count"]) == 0
    assert list(shown["ward_name"]) == list(partner.rows["ward_name"])
    button = next(b for b in at.get("download_button") if b.label == "Download the published PDF")
    pdf = archive.pdf(partner)
    assert pdf != archive.pdf(analyst)
    name = f"pack_Vale of Helig_{month}.pdf"
    assert button.proto.url.endswith(_calculate_file_id(pdf, "application/pdf", name) + ".pdf")


def test_pack_command_json_pdf_and_excel(demo_store, tmp_path, monkeypatch):
    """``python -m hotspots pack``: the files the pack page gives, and a JSON with the
    documented keys; the partner audience shows no count below the threshold."""
    from pypdf import PdfReader

    from hotspots.cli import main

    monkeypatch.setenv("HOTSPOTS_SUPPRESSION", "under-5")
    out = {k: tmp_path / f"pack.{k}" for k in ("pdf", "xlsx", "json")}
    assert (
        main(
            [
                "--data-dir",
                str(demo_store.root),
                "pack",
                "--month",
                "2024-12",
                "--area",
                "Vale of Helig",
                "--top-n",
                "30",
                "--audience",
                "partner",
                "--out",
                str(out["pdf"]),
                "--excel",
                str(out["xlsx"]),
                "--json",
                str(out["json"]),
            ]
        )
        == 0
    )
    doc = json.loads(out["json"].read_text(encoding="utf-8"))
    for key in (
        "month",
        "area",
        "definition",
        "period",
        "months_loaded",
        "months_missing",
        "top",
        "persistent",
        "persistent_rule",
        "overlap",
        "audience",
    ):
        assert key in doc, key
    assert doc["month"] == "2024-12" and doc["audience"] == "partner"
    assert doc["period"] == {"from": "2024-01", "to": "2024-12"}
    assert len(doc["months_loaded"]) == 12 and doc["months_missing"] == []
    assert doc["persistent_rule"] == {"top_n": 30, "min_months": 6, "window_months": 12}
    assert {"n", "violence_vs_drugs", "list_vs_drugs"} <= set(doc["overlap"])
    assert doc["overlap"]["n"] == 30
    assert len(doc["top"]) == 30 and [r["rank"] for r in doc["top"]] == list(range(1, 31))
    top = pd.DataFrame(doc["top"])
    assert hidden_cells(top, RULE, COUNTS) == 0 and (top[COUNTS] == "<5").any().any()
    assert set(doc["persistent"]) <= set(top["ward_code"]) | set(doc["persistent"])
    text = " ".join(p.extract_text() for p in PdfReader(out["pdf"]).pages)
    assert "Vale of Helig" in text and "<5" in text
    book = pd.read_excel(out["xlsx"], sheet_name=None)
    shown = ["Violence (offences)", "Drug offences"]
    assert set(shown) <= set(book["Top wards"].columns)
    assert hidden_cells(book["Top wards"], RULE, shown) == 0
    with pytest.raises(SystemExit):
        main(["pack", "--month", "2024-12", "--audience", "public", "--out", "x.pdf"])
