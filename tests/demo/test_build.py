"""The demo store: built by the normal loaders, labelled, and matching its planted truth."""

import json

import pandas as pd
import pytest

from hotspots.demo.build import DEMO_LABEL, build_demo
from hotspots.store.ward_data import Selection, load_ward_data

pytestmark = pytest.mark.slow


def _truth(store):
    return json.loads((store.root / "planted_truth.json").read_text())


def test_demo_is_labelled_and_complete(demo_store):
    m = demo_store.manifest()
    assert m["label"] == DEMO_LABEL
    assert demo_store.sources() == [
        "extract:cantre-gwaelod",
        "extract:maes-gwyddno",
        "police.uk:cantre-gwaelod",
        "police.uk:maes-gwyddno",
    ]
    assert len(demo_store.months()) == 24
    assert len(demo_store.geography().wards) == _truth(demo_store)["counts"]["wards"]


def test_demo_reconciliation_matches_planted_bad_rows(demo_store):
    truth = _truth(demo_store)["bad_rows"]["police_uk"]
    rec = demo_store.reconciliation()
    rec = rec[rec["source"].str.startswith("police.uk")].set_index("file")
    assert len(rec) == 48
    for path, bad in truth.items():
        row = rec.loc[path.rsplit("/", 1)[-1]]
        assert row["outside"] == bad["outside_area_lsoa"], path
        assert row["by_nearest"] == bad["offshore_near"], path
        assert row["duplicates"] == bad["duplicate"], path
        assert row["unlocated"] <= bad["no_location"] + bad["offshore_far"], path


def test_points_off_the_coast_go_to_the_planted_nearest_ward(demo_store):
    near = demo_store.crimes(sources=["police.uk:cantre-gwaelod", "police.uk:maes-gwyddno"])
    near = near[near["assignment"] == "nearest"]
    got = set(zip(near["crime_id"], near["ward_code"], strict=True))
    want = {
        (r["id"], r["nearest_ward"])
        for r in _truth(demo_store)["offshore_rows"]
        if r["format"] == "police_uk" and r["kind"] == "offshore_near"
    }
    assert got == want and len(got) == 42


def test_demo_counts_equal_planted_counts(demo_store):
    """Planted counts are of crimes on land; the rows off the coast placed in their nearest
    ward come on top."""
    truth = _truth(demo_store)["planted_counts"]["all"]
    data = load_ward_data(demo_store, Selection("2023-01", "2024-12"))
    got = data.counts.set_index("ward_code")
    crimes = demo_store.crimes(sources=data.sources)
    near = crimes[crimes["assignment"] == "nearest"]
    sv_types = ["Violence and sexual offences", "Robbery"]
    extra_sv = near[near["crime_type"].isin(sv_types)].groupby("ward_code").size()
    extra_drugs = near[near["crime_type"] == "Drugs"].groupby("ward_code").size()
    want = pd.Series(
        {w: c["violence_and_sexual_offences"] + c["robbery"] for w, c in truth.items()}
    )
    want = want.add(extra_sv, fill_value=0).reindex(got.index)
    assert (got["sv_count"] == want).all()
    want_drugs = pd.Series({w: c["drugs"] for w, c in truth.items()})
    want_drugs = want_drugs.add(extra_drugs, fill_value=0).reindex(got.index)
    assert (got["drugs_count"] == want_drugs).all()
    assert int(got["sv_count"].sum()) > 50_000


def test_build_demo_reuses_an_existing_store(demo_store):
    version = demo_store.version()
    again = build_demo(demo_store.root)
    assert again.version() == version
