"""Shared fixtures: the real open data (skipped when absent) and a hand-built ward grid."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import geopandas as gpd
import pytest
from pyproj import Transformer
from shapely.geometry import box

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("HOTSPOTS_SHARED_DATA", ROOT.parent / "shared" / "data"))
SKIP_SHARED = f"the real open data is not at {SHARED} (set HOTSPOTS_SHARED_DATA)"

POLICE_UK_HEADER = [
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
]

# The grid: four 1 km wards in British National Grid, origin (300000, 200000).
X0, Y0 = 300_000.0, 200_000.0
GRID_WARDS = {  # code: (name, la code, la name, xmin, ymin)
    "X05000001": ("Ward A", "X06000001", "Alpha", 0, 0),
    "X05000002": ("Ward B", "X06000001", "Alpha", 1000, 0),
    "X05000003": ("Ward C", "X06000002", "Beta", 0, 1000),
    "X05000004": ("Ward D", "X06000002", "Beta", 1000, 1000),
}
# 2021 LSOAs and their best-fit ward.
GRID_LSOA21 = {
    "X01000001": "X05000001",
    "X01000002": "X05000001",
    "X01000003": "X05000002",
    "X01000004": "X05000003",
    "X01000005": "X05000004",
    "X01000006": "X05000002",
}
# 2011 → 2021: X01000001, 04, 06 unchanged; X01000090 split into 02 (ward A) and 03
# (ward B); X01000091 and X01000092 merged into 05.
GRID_LSOA11 = [
    ("X01000001", "U", "X01000001"),
    ("X01000090", "S", "X01000002"),
    ("X01000090", "S", "X01000003"),
    ("X01000004", "U", "X01000004"),
    ("X01000091", "M", "X01000005"),
    ("X01000092", "M", "X01000005"),
    ("X01000006", "U", "X01000006"),
]
GRID_POPULATION = {
    "X01000001": 100,
    "X01000090": 200,
    "X01000004": 50,
    "X01000091": 30,
    "X01000092": 20,
    "X01000006": 70,
}
#: Expected ward populations: A = 100 + 200/2, B = 200/2 + 70, C = 50, D = 30 + 20.
GRID_WARD_POPULATION = {"X05000001": 200, "X05000002": 170, "X05000003": 50, "X05000004": 50}
GRID_PFA = "X15000001"

_TO_WGS = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def lonlat(x: float, y: float) -> tuple[str, str]:
    """Grid offsets in metres → police.uk longitude/latitude strings (6 decimals)."""
    lon, lat = _TO_WGS.transform(X0 + x, Y0 + y)
    return f"{lon:.6f}", f"{lat:.6f}"


def police_row(cid, month="2023-01", x=None, y=None, lsoa="", ctype="Robbery"):
    lon, lat = lonlat(x, y) if x is not None else ("", "")
    return [
        cid,
        month,
        "Grid Police",
        "Grid Police",
        lon,
        lat,
        "On or near Grid Road",
        lsoa,
        "",
        ctype,
        "Under investigation",
        "",
    ]


#: One row for each branch of the assignment rule, with the expected outcome.
GRID_CRIMES = [
    (police_row("c01", x=500, y=500, lsoa="X01000001"), "code", "X05000001"),
    (police_row("c02", lsoa="X01000003"), "code", "X05000002"),
    (police_row("c03", lsoa="X01000091"), "code", "X05000004"),
    (police_row("c04", x=1500, y=500, lsoa="X01000090"), "point", "X05000002"),
    (police_row("c05", lsoa="X01000090"), "unlocated", None),
    (police_row("c06", x=500, y=1500), "point", "X05000003"),
    (police_row("c07", x=-500, y=500), "nearest", "X05000001"),
    (police_row("c08", x=-5000, y=500), "unlocated", None),
    (police_row("c09"), "unlocated", None),
    (police_row("c10", x=500, y=500, lsoa="E01000001"), "outside", None),
    (
        police_row("", x=500, y=500, lsoa="X01000001", ctype="Anti-social behaviour"),
        "skipped",
        None,
    ),
    (police_row("c01", x=500, y=500, lsoa="X01000001"), "duplicate", None),
]


def write_csv(path: Path, header: list[str], rows: list[list], **kw) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding=kw.get("encoding", "utf-8")) as fh:
        w = csv.writer(fh, lineterminator=kw.get("lineterminator", "\n"))
        w.writerow(header)
        w.writerows(rows)
    return path


def write_grid_reference(folder: Path) -> dict[str, Path]:
    """Write the grid's boundaries, lookups and population in the publishers' formats."""
    folder.mkdir(parents=True, exist_ok=True)
    gdf = gpd.GeoDataFrame(
        {"WD22CD": list(GRID_WARDS), "WD22NM": [v[0] for v in GRID_WARDS.values()]},
        geometry=[
            box(X0 + v[3], Y0 + v[4], X0 + v[3] + 1000, Y0 + v[4] + 1000)
            for v in GRID_WARDS.values()
        ],
        crs="EPSG:27700",
    )
    paths = {"boundaries": folder / "grid_wards.gpkg"}
    gdf.to_file(paths["boundaries"], driver="GPKG")
    paths["lsoa21_ward"] = write_csv(
        folder / "lsoa21_ward22.csv",
        [
            "LSOA21CD",
            "LSOA21NM",
            "LSOA21NMW",
            "WD22CD",
            "WD22NM",
            "WD22NMW",
            "LAD22CD",
            "LAD22NM",
            "LAD22NMW",
            "ObjectId",
        ],
        [
            [
                lsoa,
                f"L {lsoa}",
                "",
                ward,
                GRID_WARDS[ward][0],
                "",
                GRID_WARDS[ward][1],
                GRID_WARDS[ward][2],
                "",
                i,
            ]
            for i, (lsoa, ward) in enumerate(GRID_LSOA21.items())
        ],
    )
    paths["lsoa11_21"] = write_csv(
        folder / "lsoa11_lsoa21.csv",
        [
            "lsoa11_code",
            "lsoa11_name",
            "change_code",
            "lsoa21_code",
            "lsoa21_name",
            "ltla22_code",
            "ltla22_name",
        ],
        [[a, "", c, b, "", "", ""] for a, c, b in GRID_LSOA11],
    )
    paths["lad_force"] = write_csv(
        folder / "lad_pfa.csv",
        ["ltla24_code", "ltla24_name", "csp24_code", "csp24_name", "pfa24_code", "pfa24_name"],
        [
            ["X06000001", "Alpha", "", "", GRID_PFA, "Grid"],
            ["X06000002", "Beta", "", "", GRID_PFA, "Grid"],
        ],
    )
    paths["population"] = write_csv(
        folder / "population_mid2022_lsoa11.csv",
        ["lsoa11_name", "lsoa11_code", "total_population"],
        [["", k, v] for k, v in GRID_POPULATION.items()],
    )
    return paths


def build_grid_store(root: Path):
    """A store of the grid (4 wards) with its reference files and one month of crimes
    (``GRID_CRIMES``), written under ``root`` in the publishers' formats."""
    from hotspots.store.base import Store
    from hotspots.store.ingest import load_paths

    ref = write_grid_reference(root / "reference")
    crimes = write_csv(
        root / "crimes" / "2023-01-grid-street.csv",
        POLICE_UK_HEADER,
        [r for r, _, _ in GRID_CRIMES],
    )
    store = Store(root / "store")
    load_paths(
        store,
        "auto",
        [ref[k] for k in ("boundaries", "lsoa21_ward", "lsoa11_21", "lad_force", "population")],
    )
    load_paths(store, "crimes", [crimes])
    return store


@pytest.fixture
def grid_reference(tmp_path) -> dict[str, Path]:
    return write_grid_reference(tmp_path / "reference")


@pytest.fixture
def grid_crimes_file(tmp_path) -> Path:
    return write_csv(
        tmp_path / "crimes" / "2023-01-grid-street.csv",
        POLICE_UK_HEADER,
        [r for r, _, _ in GRID_CRIMES],
    )


@pytest.fixture
def grid_store(tmp_path, grid_reference):
    from hotspots.store.base import Store
    from hotspots.store.ingest import load_paths

    store = Store(tmp_path / "store")
    load_paths(
        store,
        "auto",
        [
            grid_reference[k]
            for k in ("boundaries", "lsoa21_ward", "lsoa11_21", "lad_force", "population")
        ],
    )
    return store


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not (SHARED / "PROVENANCE.md").exists():
        pytest.skip(SKIP_SHARED)
    return SHARED


@pytest.fixture(scope="session")
def real_store(tmp_path_factory, shared_data):
    """A store with all of ../shared/data loaded once for the session (read-only use)."""
    from hotspots.store.base import Store
    from hotspots.store.ingest import load_paths

    store = Store(tmp_path_factory.mktemp("real-store"))
    load_paths(store, "auto", [shared_data])
    return store


def read_json(path: Path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory):
    """The demo region built once for the session (about 15 s)."""
    from hotspots.demo.build import build_demo

    return build_demo(tmp_path_factory.mktemp("demo") / "store")


#: The accounts of the dashboard the browser tests share (:func:`accounts_app`).
APP_PASSWORDS = {"alice": "analyst-pass-1", "bob": "partner-pass-1"}


@pytest.fixture(scope="session")
def accounts_app(tmp_path_factory, demo_store):
    """The dashboard on the demo store with an analyst (alice) and a partner (bob), with
    :data:`APP_PASSWORDS`, started once for the session (its address): for browser tests
    that sign in and read. Tests that change accounts, lock them out or read the audit
    log start their own (``tests.browser_support.app_with_accounts``)."""
    from tests.browser_support import app_with_accounts

    folder = tmp_path_factory.mktemp("accounts-app")
    with app_with_accounts(folder, demo_store.root, APP_PASSWORDS) as url:
        yield url


def map_component_args(at) -> tuple[dict, str]:
    """The data an AppTest run sent the page's map component (``dashboard.map_component.map_data``'s
    JSON text, which Streamlit sends as a JSON string): (parsed, text)."""
    comp = at.get("bidi_component")
    assert len(comp) == 1 and comp[0].proto.component_name == "hotspots.ward_map"
    text = json.loads(comp[0].proto.json)
    return json.loads(text), text


def map_rows(args: dict) -> list[dict]:
    """The tooltip values the map component was sent, one dict per ward (with fill)."""
    keys = [f[0] for f in args["fields"]]
    return [
        {"ward_code": code, "fill": fill, **dict(zip(keys, row, strict=True))}
        for code, fill, row in zip(args["codes"], args["fill"], args["values"], strict=True)
    ]


#: The selection most page tests open: the demo region's 2024 under the proxy definition.
DEMO_QUERY = {
    "area": "cantre-gwaelod",
    "period": "range",
    "from": "2024-01",
    "to": "2024-12",
    "def": "police-uk-proxy",
}


def analyst_app(store, tmp_path: Path, monkeypatch, query: dict | None = None, timeout=180):
    """The dashboard on ``store`` without an accounts file (so it serves this computer
    only, to an analyst), with ``query`` in its address (AppTest, not yet run)."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("HOTSPOTS_DATA_DIR", str(store.root))
    monkeypatch.setenv("HOTSPOTS_ACCOUNTS", str(tmp_path / "none.toml"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    at.query_params.update(query or {})
    return at


def partner_app(store, tmp_path: Path, monkeypatch, timeout: float = 180):
    """The dashboard on ``store`` with one partner account, "bob" (AppTest, not yet run);
    tests sign bob in by putting him in the session (the login form itself is driven in
    the browser tests)."""
    from streamlit.testing.v1 import AppTest

    from hotspots.access.users import add_user

    accounts = tmp_path / "accounts.toml"
    if not accounts.exists():
        add_user(accounts, "bob", "partner", "partner-pass-1", rounds=4)
    monkeypatch.setenv("HOTSPOTS_ACCOUNTS", str(accounts))
    monkeypatch.setenv("HOTSPOTS_AUDIT_LOG", str(tmp_path / "audit.jsonl"))
    monkeypatch.setenv("HOTSPOTS_DATA_DIR", str(store.root))
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
