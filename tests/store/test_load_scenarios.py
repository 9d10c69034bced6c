"""Loading that cannot double count or rot, on the real police.uk files: a file loaded
again under another name, a crime given again under another force or month, a damaged
store object, a truncated manifest."""

import json
import shutil

import pandas as pd
import pytest

from hotspots.cli import main
from hotspots.errors import InputError
from hotspots.store.base import Store, StoreDamagedError
from hotspots.store.ingest import load_paths

pytestmark = [pytest.mark.shared, pytest.mark.slow]

FEB = "crime/police_uk/2019-02/2019-02-dyfed-powys-street.csv"
#: Serious violence (proxy) in Dyfed-Powys, February 2019, from the real file.
DP_FEB_SV = 1_092


@pytest.fixture
def store(real_store, tmp_path) -> Store:
    """A copy of the store holding all of ../shared/data (the original is shared)."""
    shutil.copytree(real_store.root, tmp_path / "store")
    return Store(tmp_path / "store")


def _sv(store: Store, tmp_path, month="2019-02", to=None, area="dyfed-powys") -> int:
    out = tmp_path / "w.csv"
    assert (
        main(
            [
                "--data-dir",
                str(store.root),
                "wards",
                "--from",
                month,
                "--to",
                to or month,
                "--area",
                area,
                "--out",
                str(out),
            ]
        )
        == 0
    )
    return int(pd.read_csv(out)["sv_count"].sum())


def test_a_copy_under_another_name_is_the_same_force_and_month(store, shared_data, tmp_path):
    assert _sv(store, tmp_path) == DP_FEB_SV
    before = store.checksum()
    for name in ("2019-02-dyfedpowys-street.csv", "dyfed-powys-feb.csv"):
        copy = tmp_path / "in" / name
        copy.parent.mkdir(exist_ok=True)
        shutil.copy(shared_data / FEB, copy)
        report = load_paths(store, "crimes", [copy])
        assert report.unchanged == [name] and not report.loaded, name
        assert store.checksum() == before
        assert _sv(store, tmp_path) == DP_FEB_SV
    assert store.sources() == ["police.uk:dyfed-powys", "police.uk:south-wales"]


def test_a_name_that_says_another_force_than_the_rows_is_refused(store, shared_data, tmp_path):
    wrong = tmp_path / "2019-02-south-wales-street.csv"
    shutil.copy(shared_data / FEB, wrong)
    before = store.checksum()
    with pytest.raises(
        InputError,
        match=r"2019-02-south-wales-street.csv, row 1: the file "
        r"name says the force is 'south-wales' but its rows say 'Dyfed-Powys "
        r"Police'",
    ):
        load_paths(store, "crimes", [wrong])
    assert store.checksum() == before


def test_rows_naming_no_known_force_or_two_forces_are_refused(store, shared_data, tmp_path):
    text = (shared_data / FEB).read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    fake = tmp_path / "fake.csv"
    fake.write_text(text.replace("Dyfed-Powys Police", "Gotham City Police"), encoding="utf-8")
    before = store.checksum()
    with pytest.raises(
        InputError,
        match=r"fake.csv, row 1: the rows name the force 'Gotham "
        r"City Police', which is not a known police force",
    ):
        load_paths(store, "crimes", [fake])
    mixed = tmp_path / "mixed.csv"
    mixed.write_text(
        "".join(lines[:101])
        + lines[101].replace("Dyfed-Powys Police", "Gwent Police")
        + "".join(lines[102:]),
        encoding="utf-8",
    )
    with pytest.raises(
        InputError,
        match=r"mixed.csv, row 101: the rows name two police "
        r"forces: 'Dyfed-Powys Police' \(row 1\) and 'Gwent Police'",
    ):
        load_paths(store, "crimes", [mixed])
    assert store.checksum() == before


def test_a_crime_given_again_under_another_month_or_force_is_counted_once(
    store, shared_data, tmp_path
):
    wales_feb = _sv(store, tmp_path, area="W06000010")  # Carmarthenshire
    text = (shared_data / FEB).read_text(encoding="utf-8")
    n_crimes = sum(1 for line in text.splitlines()[1:] if not line.startswith(","))
    march = tmp_path / "2019-03-dyfed-powys-street.csv"  # the same crimes, dated March
    march.write_text(text.replace(",2019-02,", ",2019-03,"), encoding="utf-8")
    gwent = tmp_path / "gwent-feb.csv"  # the same crimes, given by another force
    gwent.write_text(text.replace("Dyfed-Powys Police", "Gwent Police"), encoding="utf-8")
    report = load_paths(store, "crimes", [march, gwent])
    assert sorted(report.loaded) == [march.name, gwent.name]
    rec = store.reconciliation().set_index(["source", "month"])
    for key in (("police.uk:dyfed-powys", "2019-03"), ("police.uk:gwent", "2019-02")):
        assert int(rec.loc[key, "duplicates"]) == n_crimes, key
        assert (
            int(rec.loc[key, ["by_code", "by_point", "by_nearest", "outside", "unlocated"]].sum())
            == 0
        )
    assert any("counted once" in note for note in report.notes)
    assert _sv(store, tmp_path) == DP_FEB_SV
    assert _sv(store, tmp_path, "2019-02", "2019-03") == DP_FEB_SV
    assert _sv(store, tmp_path, area="W06000010") == wales_feb
    # Loaded in the other order, the earlier month still counts them: the same answer.
    other = Store(tmp_path / "other")
    shutil.copytree(store.root, other.root)
    load_paths(other, "crimes", [shared_data / FEB])  # unchanged: nothing moves
    assert other.reconciliation().equals(store.reconciliation())


def _damage(store: Store, key="police.uk:dyfed-powys|2019-02", how="truncate") -> str:
    name = store.manifest()["partitions"][key]["object"]
    path = store.root / "objects" / name
    data = path.read_bytes()
    if how == "truncate":
        path.write_bytes(data[: len(data) // 2])
    else:  # one byte changed, the size kept
        middle = len(data) // 2
        path.write_bytes(data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :])
    return name


@pytest.mark.parametrize("how", ["truncate", "flip"])
def test_a_damaged_object_is_found_named_and_mended(store, shared_data, tmp_path, capsys, how):
    name = _damage(store, how=how)
    problem = (
        "the file has .* bytes where .* were written"
        if how == "truncate"
        else "its checksum differs"
    )
    assert main(["--data-dir", str(store.root), "status"]) == 2
    out, err = capsys.readouterr()
    assert "DAMAGED: 1 stored object(s)" in out
    assert (
        f"objects/{name}" in err
        and "Repair: python -m hotspots load crimes PATH/TO/2019-02-dyfed-powys-street.csv" in err
    )
    assert main(["--data-dir", str(store.root), "verify"]) == 2
    out, err = capsys.readouterr()
    assert "1 of 20 stored objects damaged" in err
    # reading it: a clear error naming the object and the repair, never a traceback
    with pytest.raises(
        StoreDamagedError,
        match=rf"{name}: a store file is damaged: "
        rf"{problem}.*police.uk:dyfed-powys 2019-02 from 2019-02-dyfed-powys-"
        r"street.csv.*load crimes PATH/TO/2019-02-dyfed-powys-street.csv",
    ):
        store.crimes(months=["2019-02"])
    out = tmp_path / "w.csv"
    assert (
        main(
            [
                "--data-dir",
                str(store.root),
                "wards",
                "--from",
                "2019-02",
                "--to",
                "2019-02",
                "--out",
                str(out),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "a store file is damaged" in err and "Traceback" not in err
    # the repair: the original loaded again is stored again (not "unchanged")
    report = load_paths(store, "crimes", [shared_data / FEB])
    assert report.repaired == ["2019-02-dyfed-powys-street.csv"] and not report.unchanged
    assert store.verify() == []
    assert main(["--data-dir", str(store.root), "verify"]) == 0
    assert "All 20 stored objects are intact" in capsys.readouterr().out
    assert _sv(store, tmp_path) == DP_FEB_SV
    assert store.history()["action"].iloc[-1] == "repaired"


def test_a_truncated_manifest_falls_back_to_the_previous_one(store, shared_data, tmp_path, capsys):
    # a second commit, so that a previous manifest exists: the February file repaired
    _damage(store)
    load_paths(store, "crimes", [shared_data / FEB])
    good = store.manifest()
    previous = json.loads(store.previous_manifest_path.read_text())
    assert previous["version"] == good["version"] - 1
    data = store.manifest_path.read_bytes()
    store.manifest_path.write_bytes(data[: len(data) // 3])  # a real truncation on disk
    assert store.manifest() == previous
    assert "the store's manifest is damaged: it is not valid JSON" in store.manifest_problem()
    assert main(["--data-dir", str(store.root), "status"]) == 2
    out, err = capsys.readouterr()
    assert f"Version {previous['version']}," in out
    assert "Showing the previous manifest" in err and "Traceback" not in err
    assert main(["--data-dir", str(store.root), "verify"]) == 2
    # the previous manifest's objects are all there
    assert store.verify() == [] or all(n != "the file is missing" for _, n, *_ in store.verify())
    # loading writes a sound manifest again, past the damaged one's version
    capsys.readouterr()
    assert (
        main(["--data-dir", str(store.root), "load", "crimes", "--quiet", str(shared_data / FEB)])
        == 0
    )
    err = capsys.readouterr().err
    assert "warning: the store's manifest is damaged" in err and "writes a new manifest" in err
    assert store.manifest_problem() is None
    assert store.version() == previous["version"] + 2
    assert main(["--data-dir", str(store.root), "verify"]) == 0
    assert _sv(store, tmp_path) == DP_FEB_SV
    # neither manifest readable: a clear error, naming the fix
    store.manifest_path.write_bytes(b'{"format": 1, "vers')
    store.previous_manifest_path.write_bytes(b"")
    with pytest.raises(
        StoreDamagedError,
        match=r"manifest.json: the store's manifest is "
        r"damaged: .* and there is no readable previous manifest.*restore",
    ):
        store.manifest()
    assert main(["--data-dir", str(store.root), "status"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_a_damaged_reference_table_is_named_and_mended(store, shared_data, tmp_path):
    entry = store.manifest()["reference"]["wards"]
    path = store.root / "objects" / entry["object"]
    path.write_bytes(path.read_bytes()[:-1000])
    with pytest.raises(
        StoreDamagedError,
        match=r"a store file is damaged: .*It holds the "
        r"wards table from wales_wards_dec2022_bsc.geojson.*load boundaries "
        r"PATH/TO/wales_wards_dec2022_bsc.geojson",
    ):
        store.geography()
    report = load_paths(
        store, "boundaries", [shared_data / "boundaries" / "wales_wards_dec2022_bsc.geojson"]
    )
    assert report.repaired == ["wales_wards_dec2022_bsc.geojson"]
    assert store.verify() == []
    assert _sv(store, tmp_path) == DP_FEB_SV
