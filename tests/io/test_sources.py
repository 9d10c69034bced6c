"""The download sources: the registry, and the address used (an override, a mirror, or
the publisher's)."""

import pytest

from hotspots.io.fetch import LOG_NAME
from hotspots.io.sources import OGL, SOURCES, env_var, source_url


@pytest.fixture(autouse=True)
def _no_url_overrides(monkeypatch):
    for key in SOURCES:
        monkeypatch.delenv(env_var(key), raising=False)


def test_registry_sources_are_complete_and_consistent():
    kinds = {"crimes", "boundaries", "lookup", "deprivation", "population"}
    assert {
        "police-uk-archive",
        "wards-2022-bgc",
        "lsoa21-ward22-lookup",
        "lsoa11-lsoa21-lookup",
        "lad-csp-pfa-lookup",
        "wimd-2019-ranks",
        "population-mid2019",
        "population-mid2020",
    } <= set(SOURCES)
    names = [s.file for s in SOURCES.values()]
    assert len(set(names)) == len(names)
    for key, s in SOURCES.items():
        assert s.key == key
        assert s.licence == OGL
        assert s.kind in kinds
        assert s.url.startswith("https://")
        assert s.description and s.publisher
        assert "/" not in s.file and s.file != LOG_NAME
        assert s.monthly == (key == "police-uk-archive")
    assert SOURCES["police-uk-archive"].url == "https://data.police.uk/data/archive/{month}.zip"


def test_source_url_order_override_then_mirror_then_publisher(monkeypatch):
    s = SOURCES["police-uk-archive"]
    assert source_url(s, "2019-01") == "https://data.police.uk/data/archive/2019-01.zip"
    assert source_url(s, "2019-01", "http://m.example/x/") == "http://m.example/x/2019-01.zip"
    monkeypatch.setenv(env_var(s.key), "http://env.example/{month}.zip")
    assert env_var(s.key) == "HOTSPOTS_FETCH_URL_POLICE_UK_ARCHIVE"
    assert source_url(s, "2019-02", "http://m.example") == "http://env.example/2019-02.zip"
    urls = {s.key: "http://arg.example/a/{month}.zip"}
    assert source_url(s, "2019-02", "http://m.example", urls) == "http://arg.example/a/2019-02.zip"


# ---------------------------------------------------------------- downloads
