"""Partner outputs do not depend on suppressed counts (the property behind the partner view).

On the real data (Dyfed-Powys and South Wales, 2018-10 to 2019-02), a copy of the police.uk
files is changed so that counts a partner sees as "<5" move within 1–4 — rows added and
dropped for wards whose period count stays within 1–4, and crimes moved between two months
whose counts both stay within 1–4 — and every partner output is compared with the same
output of the unchanged files: each page's element tree (AppTest, chart specs and their
data included), the map component's arguments, every download, the pack (JSON, PDF text,
Excel cells) and a published pack. Analysts' outputs do change: the perturbation is real.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import pandas as pd
import pytest

from hotspots.access.disclosure import RULES
from hotspots.access.partner import hotspot_table, partner_ward_data
from hotspots.outputs.exports import hotspot_list_csv, hotspot_list_excel, hotspot_list_geojson
from hotspots.outputs.pack import PackArchive, assemble_pack, pack_excel, pack_json, pack_pdf
from hotspots.stats.analysis import AnalysisSettings, analyse, analyse_ward_data
from hotspots.store.ward_data import Selection, load_ward_data
from tests.conftest import partner_app

pytestmark = [pytest.mark.shared, pytest.mark.slow]

RULE = RULES["under-5"]
PERIOD = ("2018-10", "2019-02")
REFERENCE = ("boundaries", "lookups", "deprivation", "population")
SV, DRUGS = ("Violence and sexual offences", "Robbery"), ("Drugs",)


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def _perturb(
    crimes: pd.DataFrame, files: dict[str, list[list[str]]], header: list[str]
) -> dict[str, int]:
    """Change ``files`` (name → rows) in place so that only suppressed counts move.

    ``crimes`` are the stored crimes of the unchanged files (file, row, ward, month,
    type). Every change keeps each affected ward's period count (per category and in
    total) and each affected ward-month cell within 1–4, before and after.
    """
    placed = crimes[crimes["assignment"] == "code"]
    kind = placed["crime_type"].map(lambda t: "sv" if t in SV else "drugs" if t in DRUGS else None)
    placed = placed.assign(kind=kind).dropna(subset=["kind"])
    total = Counter(zip(placed["ward_code"], placed["kind"], strict=True))
    cat_total = Counter(zip(placed["ward_code"], placed["crime_type"], strict=True))
    cell = Counter(zip(placed["ward_code"], placed["kind"], placed["month"], strict=True))
    cat_cell = Counter(zip(placed["ward_code"], placed["crime_type"], placed["month"], strict=True))
    col = {name: i for i, name in enumerate(header)}
    drop: dict[str, set[int]] = defaultdict(set)
    add: dict[str, list[list[str]]] = defaultdict(list)
    done: Counter = Counter()
    used: set[tuple[str, str]] = set()
    serial = 0
    for r in placed.sort_values(["ward_code", "month", "file", "row"]).itertuples():
        ward, k, m, t = r.ward_code, r.kind, r.month, r.crime_type
        if (ward, k) in used or done[k + " changes"] >= 40:
            continue
        row = files[r.file][int(r.row) - 1]
        n, c, ct, cc = total[ward, k], cell[ward, k, m], cat_total[ward, t], cat_cell[ward, t, m]
        others = sorted(
            mm
            for (w, kk, mm), v in cell.items()
            if w == ward and kk == k and mm != m and 1 <= v <= 3 and 1 <= cat_cell[ward, t, mm] <= 3
        )
        if n <= 3 and c <= 3 and ct <= 3 and cc <= 3 and serial % 3 == 0:
            serial += 1
            new = list(row)  # one more crime like this one, same ward and month
            new[col["Crime ID"]] = hashlib.sha256(f"added {serial}".encode()).hexdigest()
            add[r.file].append(new)
            done[f"{k} added"] += 1
        elif 2 <= n <= 4 and c >= 2 and cc >= 2 and serial % 3 == 1:
            serial += 1
            drop[r.file].add(int(r.row) - 1)  # one fewer; every cell stays ≥ 1
            done[f"{k} dropped"] += 1
        elif c >= 2 and cc >= 2 and c <= 4 and others and serial % 3 == 2:
            serial += 1
            target = others[0]  # moved to another month: two hidden cells swap a crime
            moved = list(row)
            moved[col["Month"]] = target
            drop[r.file].add(int(r.row) - 1)
            add[r.file.replace(m, target)].append(moved)
            done[f"{k} moved"] += 1
        else:
            continue
        done[k + " changes"] += 1
        used.add((ward, k))
    for name in files:
        files[name] = [row for i, row in enumerate(files[name]) if i not in drop[name]]
        files[name] += add[name]
    return dict(done)


@pytest.fixture(scope="module")
def stores(tmp_path_factory, shared_data):
    """Two real stores: the open data as published, and with suppressed counts moved."""
    from hotspots.store.base import Store
    from hotspots.store.ingest import load_paths

    base = tmp_path_factory.mktemp("invariance")
    crime_files = sorted((shared_data / "crime" / "police_uk").glob("*/*.csv"))
    header, _ = _read(crime_files[0])
    original = {p.name: _read(p)[1] for p in crime_files}
    out = {}
    for name in ("before", "after"):
        folder = base / name / "data"
        for ref in REFERENCE:
            (folder / ref).mkdir(parents=True)
            for f in sorted((shared_data / ref).iterdir()):
                (folder / ref / f.name).symlink_to(f)
        files = {k: [list(r) for r in v] for k, v in original.items()}
        if name == "after":
            crimes = out["before"].crimes(
                columns=["file", "row", "ward_code", "month", "crime_type", "assignment"]
            )
            changes = _perturb(crimes, files, header)
        for file, rows in files.items():
            _write(folder / "crime" / file[:7] / file, header, rows)
        store = Store(base / name / "store")
        load_paths(store, "auto", [folder])
        out[name] = store
    out["changes"] = changes
    return out


def test_the_perturbation_is_real(stores):
    """Rows were added, dropped and moved, and the analysts' counts differ."""
    changes = stores["changes"]
    for what in (
        "sv added",
        "sv dropped",
        "sv moved",
        "drugs added",
        "drugs dropped",
        "drugs moved",
    ):
        assert changes.get(what, 0) >= 3, changes
    sel = Selection(*PERIOD, "dyfed-powys")
    a = load_ward_data(stores["before"], sel).counts.set_index("ward_code")
    b = load_ward_data(stores["after"], sel).counts.set_index("ward_code")
    assert (a["sv_count"] != b["sv_count"]).sum() >= 3
    assert (a["drugs_count"] != b["drugs_count"]).sum() >= 3
    moved = (a["sv_count"] - b["sv_count"]).abs()
    assert set(a.loc[moved > 0, "sv_count"]) <= {1, 2, 3, 4}
    assert set(b.loc[moved > 0, "sv_count"]) <= {1, 2, 3, 4}


def _partner_outputs(store, area: str | None) -> dict[str, object]:
    """Every partner file the package makes for a selection, keyed by name."""
    from openpyxl import load_workbook
    from pypdf import PdfReader

    data = partner_ward_data(load_ward_data(store, Selection(*PERIOD, area)), RULE)
    result = analyse_ward_data(data, AnalysisSettings())
    table = hotspot_table(data, result, None, RULE)

    def cells(xlsx: bytes) -> dict:
        wb = load_workbook(io.BytesIO(xlsx))
        return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb}

    def text(pdf: bytes) -> str:
        return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)

    meta = {**data.metadata(), "suppression": RULE.describe()}
    pack = assemble_pack(data, result, PERIOD[1], top_n=12, rule=RULE)
    archive = PackArchive(store.root)
    analyst = load_ward_data(store, Selection(*PERIOD, area))
    a_result = analyse(
        analyst.counts, analyst.monthly, analyst.wards, AnalysisSettings(spatial=False)
    )
    a_pack = assemble_pack(analyst, a_result, PERIOD[1], top_n=12)
    published = archive.publish(a_pack, published_at="2019-03-01T09:00:00Z", partner=pack)
    # (the same pack gives the same PDF bytes, so checksums are compared too)
    shown = archive.load(published.area, published.definition, PERIOD[1], "partner")
    doc = json.loads(shown.path.read_text(encoding="utf-8"))
    return {
        "csv": hotspot_list_csv(table),
        "excel": cells(hotspot_list_excel(table, meta)),
        "geojson": hotspot_list_geojson(table, data.wards),
        "pack json": pack_json(pack),
        "pack pdf": text(pack_pdf(pack)),
        "pack excel": cells(pack_excel(pack)),
        "published": doc,
        "published pdf": text(archive.pdf(shown)),
        "concordance": (result.concordance.overlap, result.concordance.spearman_rho),
        "gi": result.gi[["ward_code", "gi_class"]].to_dict("list"),
    }


@pytest.mark.parametrize("area", ["dyfed-powys", None], ids=["dyfed-powys", "all-wales"])
def test_partner_files_do_not_move_with_hidden_counts(stores, area):
    before = _partner_outputs(stores["before"], area)
    after = _partner_outputs(stores["after"], area)
    assert before.keys() == after.keys()
    for key in before:
        assert before[key] == after[key], f"the partner {key} changed"
    assert "<5" in before["csv"].decode()
    assert (
        any(
            "<5" in str(r["sv_count"]) or "<5" in str(r["drugs_count"])
            for r in before["pack json"]["top"]
        )
        or before["pack json"]["top"]
    )


def _tree(at) -> list[str]:
    """Every element of a run as its message text (chart specs and data, map arguments,
    table bytes and download addresses included)."""
    out = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            out.append(f"{type(node).__name__}: {proto}")
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    # A file made on click gets a new random address each run; its content is compared
    # where it is made (test_partner_files_do_not_move_with_hidden_counts, map files).
    return [re.sub(r'file_id: "[0-9a-f]+"', 'file_id: "…"', line) for line in out]


def _partner_pages(store, tmp_path: Path, monkeypatch, area: str, ward: str) -> dict:
    from dashboard.auth import User

    at = partner_app(store, tmp_path, monkeypatch, timeout=600)
    at.query_params.update({"area": area, "def": "police-uk-proxy", "ward": ward})
    at.session_state["user"] = User("bob", "partner", "password")
    at.run()
    assert not at.exception
    trees = {"home": _tree(at)}
    for page in ("map", "map", "hotspots", "profile", "pack", "data", "method"):
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, (page, at.exception)
        trees[page + ("" if page not in trees else " again")] = _tree(at)
    return trees


def _changed_ward(stores, area: str | None) -> str:
    sel = Selection(*PERIOD, area)
    a = load_ward_data(stores["before"], sel).monthly.set_index(["ward_code", "month"])
    b = load_ward_data(stores["after"], sel).monthly.set_index(["ward_code", "month"])
    diff = (a["sv_count"] != b["sv_count"]).groupby(level=0).sum()
    return str(diff[diff > 0].index[0])


@pytest.mark.parametrize("area", ["dyfed-powys", "All wards"])
def test_partner_pages_do_not_move_with_hidden_counts(stores, tmp_path, monkeypatch, area):
    ward = _changed_ward(stores, None if area == "All wards" else area)
    before = _partner_pages(stores["before"], tmp_path, monkeypatch, area, ward)
    after = _partner_pages(stores["after"], tmp_path, monkeypatch, area, ward)
    assert before.keys() == after.keys()
    for page in before:
        a = [line.replace(str(stores["before"].root), "STORE") for line in before[page]]
        b = [line.replace(str(stores["after"].root), "STORE") for line in after[page]]
        assert len(a) == len(b), page
        for x, y in zip(a, b, strict=True):
            assert x == y, f"the partner's {page} page changed"
    assert any("<5" in line for line in before["hotspots"])
    assert any(
        "bidi_component" in line.lower() or "ward_map" in line for line in before["map again"]
    )


def test_analysts_see_the_change(stores, tmp_path, monkeypatch):
    """The same comparison for an analyst does differ: the test can fail."""
    sel = Selection(*PERIOD, "dyfed-powys")
    a = load_ward_data(stores["before"], sel)
    b = load_ward_data(stores["after"], sel)
    ra = analyse(a.counts, a.monthly, a.wards, AnalysisSettings(spatial=False))
    rb = analyse(b.counts, b.monthly, b.wards, AnalysisSettings(spatial=False))
    assert hotspot_table(a, ra).to_csv() != hotspot_table(b, rb).to_csv()


def test_cli_partner_csv_is_the_dashboard_download(stores, tmp_path, monkeypatch):
    """``rank --audience partner`` writes the bytes the partner's "Download CSV" serves."""
    from streamlit.runtime.memory_media_file_storage import _calculate_file_id

    from dashboard.auth import User
    from hotspots.cli import main

    store = stores["before"]
    out = tmp_path / "partner.csv"
    assert (
        main(
            [
                "--data-dir",
                str(store.root),
                "rank",
                "--from",
                PERIOD[0],
                "--to",
                PERIOD[1],
                "--area",
                "dyfed-powys",
                "--audience",
                "partner",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    data = out.read_bytes()
    assert b"<5" in data
    at = partner_app(store, tmp_path, monkeypatch, timeout=600)
    at.query_params.update({"area": "dyfed-powys", "def": "police-uk-proxy"})
    at.session_state["user"] = User("bob", "partner", "password")
    at.switch_page("pages/hotspots.py").run()
    assert not at.exception
    button = next(b for b in at.get("download_button") if b.label == "Download CSV")
    name = f"hotspots_dyfed-powys_{PERIOD[0]}_{PERIOD[1]}.csv"
    assert button.proto.url.endswith(_calculate_file_id(data, "text/csv", name) + ".csv")


@pytest.mark.parametrize("area", ["dyfed-powys", None], ids=["dyfed-powys", "all-wales"])
def test_partner_map_files_do_not_move_with_hidden_counts(stores, area):
    """Every indicator, class scheme and number of classes: the classes, legend, fill and
    overlay are the same; and the downloaded map file of each indicator."""
    from dashboard.map_component import map_file, map_view
    from hotspots.outputs import map_data as mapping

    sel = Selection(*PERIOD, area)
    seen = 0
    for choice, (_, kind, _) in mapping.MAP_INDICATORS.items():
        for scheme in mapping.SCHEMES if kind != "category" else ["-"]:
            for k in (3, 5, 7) if kind != "category" else [0]:
                views = [
                    map_view(
                        str(stores[n].root), stores[n].version(), sel, choice, scheme, k, True, RULE
                    )
                    for n in ("before", "after")
                ]
                a, b = (
                    (
                        v.classification.bins,
                        v.classification.labels,
                        v.classification.class_index.tolist(),
                        v.fill.to_dict("list"),
                        v.overlay,
                    )
                    for v in views
                )
                assert a == b, (choice, scheme, k)
                seen += 1
        files = []
        for n in ("before", "after"):
            store = stores[n]
            view = map_view(
                str(store.root),
                store.version(),
                sel,
                choice,
                mapping.DEFAULT_SCHEME
                if hasattr(mapping, "DEFAULT_SCHEME")
                else next(iter(mapping.SCHEMES)),
                5,
                True,
                RULE,
            )
            page = map_file(view, str(store.root), store.version(), sel, choice, RULE)
            files.append(re.sub(r"_[0-9a-f]{32}", "_ID", page))  # folium's element ids
        assert files[0] == files[1], choice
        # the file says what it is: indicator, period, PROXY, small numbers, licences
        for said in (
            f"{choice} — {area or 'all wards'}",
            "Period 2018-10 to 2019-02",
            "— PROXY",
            "Small numbers suppressed",
            "Open Government Licence",
        ):
            assert said in files[0], said
    assert seen == 6 * len(mapping.SCHEMES) * 3 + 1
