"""Ward boundaries in every format the tool reads, any CRS, detected or named columns."""

import zipfile

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from hotspots.errors import InputError
from hotspots.io.boundaries import BNG, BOUNDARY_COLUMNS, load_wards


def _wards(code_col="WD23CD", name_col="WD23NM", crs="EPSG:27700"):
    gdf = gpd.GeoDataFrame(
        {
            code_col: ["w05000002", "W05000001"],
            name_col: ["B", "A"],
            "LAD23CD": ["W06000001", "W06000001"],
        },
        geometry=[box(1000, 0, 2000, 1000), box(0, 0, 1000, 1000)],
        crs="EPSG:27700",
    )
    return gdf.to_crs(crs)


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "shpzip", "parquet"])
def test_formats(tmp_path, fmt):
    gdf = _wards(crs="EPSG:4326")
    if fmt == "geojson":
        path = tmp_path / "w.geojson"
        gdf.to_file(path, driver="GeoJSON")
    elif fmt == "gpkg":
        path = tmp_path / "w.gpkg"
        gdf.to_file(path, driver="GPKG")
    elif fmt == "parquet":
        path = tmp_path / "w.parquet"
        gdf.to_parquet(path)
    else:
        shp = tmp_path / "shp"
        shp.mkdir()
        gdf.to_file(shp / "w.shp")
        path = tmp_path / "w.zip"
        with zipfile.ZipFile(path, "w") as zf:
            for part in shp.iterdir():
                zf.write(part, part.name)
    out = load_wards(path)
    assert list(out.columns) == BOUNDARY_COLUMNS
    assert out.crs == BNG
    assert list(out["ward_code"]) == ["W05000001", "W05000002"]  # upper-cased, sorted
    assert list(out["local_authority_code"]) == ["W06000001", "W06000001"]
    assert abs(out.geometry.area.sum() - 2_000_000) < 2_000  # back in metres
    assert out.attrs["vintage"] == "2023"


@pytest.mark.parametrize(
    ("code", "name"),
    [("ward22_code", "ward22_name"), ("wd_code", "wd_name"), ("WARD_CODE", "WARD_NAME")],
)
def test_column_detection(tmp_path, code, name):
    path = tmp_path / "w.gpkg"
    _wards(code, name).to_file(path, driver="GPKG")
    assert list(load_wards(path)["ward_name"]) == ["A", "B"]


def test_columns_named_by_user(tmp_path):
    path = tmp_path / "w.gpkg"
    _wards("id", "label").to_file(path, driver="GPKG")
    with pytest.raises(InputError, match=r"no ward code column.*--code-column"):
        load_wards(path)
    out = load_wards(path, code_column="id", name_column="label")
    assert list(out["ward_code"]) == ["W05000001", "W05000002"]
    with pytest.raises(InputError, match=r"there is no column 'nope' for the ward code"):
        load_wards(path, code_column="nope")


def test_invalid_geometry_is_repaired(tmp_path):
    from shapely.geometry import Polygon

    bow = Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])  # self-intersecting
    gdf = gpd.GeoDataFrame({"WD22CD": ["W05000001"]}, geometry=[bow], crs="EPSG:27700")
    path = tmp_path / "w.gpkg"
    gdf.to_file(path, driver="GPKG")
    out = load_wards(path)
    assert out.geometry.is_valid.all() and out.geometry.area.iloc[0] == pytest.approx(50)


@pytest.mark.parametrize(
    ("gdf", "match"),
    [
        (
            gpd.GeoDataFrame(
                {"WD22CD": ["W05000001", "W05000001"]},
                geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)],
                crs="EPSG:27700",
            ),
            r"row 2: ward code W05000001 appears twice",
        ),
        (
            gpd.GeoDataFrame({"WD22CD": ["W05000001"]}, geometry=[Point(0, 0)], crs="EPSG:27700"),
            r"not polygons",
        ),
        (
            gpd.GeoDataFrame(
                {"WD22CD": ["W05000001", ""]},
                geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)],
                crs="EPSG:27700",
            ),
            r"row 2: a feature has no ward code",
        ),
    ],
)
def test_bad_boundaries(tmp_path, gdf, match):
    path = tmp_path / "bad.gpkg"
    gdf.to_file(path, driver="GPKG")
    with pytest.raises(InputError, match=match):
        load_wards(path)


def test_missing_crs_and_unreadable(tmp_path):
    shp = tmp_path / "w.shp"
    _wards().to_file(shp)
    shp.with_suffix(".prj").unlink()
    with pytest.raises(InputError, match=r"no coordinate reference system.*EPSG:27700"):
        load_wards(shp)
    bad = tmp_path / "broken.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [')
    with pytest.raises(InputError, match=r"broken.geojson: the file cannot be read"):
        load_wards(bad)
    txt = tmp_path / "x.txt"
    txt.write_text("x")
    with pytest.raises(InputError, match=r"'.txt' is not a boundary format"):
        load_wards(txt)


@pytest.mark.slow
def test_real_welsh_wards(shared_data):
    out = load_wards(shared_data / "boundaries" / "wales_wards_dec2022_bsc.geojson")
    assert len(out) == 762 and out["ward_code"].str.startswith("W05").all()
    assert out["local_authority_code"].nunique() == 22
    assert out.geometry.is_valid.all()


def test_a_zipped_shapefile_is_counted_as_it_unpacks(tmp_path, monkeypatch):
    """A member whose header claims 100 bytes but unpacks to 20 MB is refused at the
    limit before GDAL opens the zip."""
    import struct

    path = tmp_path / "wards.zip"
    size = 20 << 20
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("wards.shp", b"\0" * 100)
        zf.writestr("wards.shx", b"\0" * 100)
        zf.writestr("wards.dbf", b"\0" * size)
    raw = path.read_bytes()
    claimed = struct.pack("<I", size)
    assert raw.count(claimed) == 2  # the local header and the central directory
    path.write_bytes(raw.replace(claimed, struct.pack("<I", 100)))
    with zipfile.ZipFile(path) as zf:
        assert zf.getinfo("wards.dbf").file_size == 100  # what the header now claims
    monkeypatch.setenv("HOTSPOTS_MAX_FILE_MB", "8")
    with pytest.raises(
        InputError,
        match=r"wards.zip:wards.dbf: the member unpacks to more "
        r"than the limit of 8 MB although its header says "
        r"100 bytes",
    ):
        load_wards(path)
