"""The Data page: a load shows at once; damaged store files are shown, not a traceback."""

import pytest

from dashboard.safe_text import plain
from hotspots.store.ingest import load_paths
from tests.conftest import POLICE_UK_HEADER, ROOT, police_row, write_csv


class _Upload:
    """What ``st.file_uploader`` returns: a name and the bytes."""

    def __init__(self, path) -> None:
        self.name = path.name
        self._data = path.read_bytes()

    def getvalue(self) -> bytes:
        return self._data


@pytest.fixture
def app(grid_store, grid_crimes_file, tmp_path, monkeypatch):
    """The dashboard on the grid store with January loaded; ``app.uploads`` stands in for
    the files chosen (AppTest cannot upload) and "Check and load" is pressed while there
    are some."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    load_paths(grid_store, "crimes", [grid_crimes_file])
    monkeypatch.setenv("HOTSPOTS_DATA_DIR", str(grid_store.root))
    monkeypatch.setenv("HOTSPOTS_ACCOUNTS", str(tmp_path / "none.toml"))
    monkeypatch.setenv("HOTSPOTS_AUDIT_LOG", str(tmp_path / "audit.jsonl"))
    uploads: list[_Upload] = []
    pressed: list[bool] = []
    real_button = st.button

    def button(label, *a, **k):
        if label not in ("Check and load", "Gwirio a llwytho"):  # English, Welsh
            return real_button(label, *a, **k)
        # True in one run only, as a press is; the press is one new set of files
        press = bool(uploads) and not pressed
        if press:
            pressed.append(True)
        return press

    monkeypatch.setattr(st, "file_uploader", lambda *a, **k: list(uploads))
    monkeypatch.setattr(st, "button", button)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.uploads = uploads
    return at


def _loaded(at):
    """The "What is loaded" table: months per source."""
    table = at.dataframe[0].value
    return dict(zip(table["Source"], table["Months"], strict=True))


@pytest.mark.slow
def test_the_new_load_shows_at_once(app, tmp_path):
    app.run()
    app.switch_page("pages/data.py").run()
    assert not app.exception
    assert _loaded(app) == {"police.uk:grid": 1}
    feb = write_csv(
        tmp_path / "up" / "2023-02-grid-street.csv",
        POLICE_UK_HEADER,
        [police_row("f1", month="2023-02", lsoa="X01000001")],
    )
    app.uploads[:] = [_Upload(feb)]
    app.run()  # one press of "Check and load"
    assert not app.exception, app.exception
    assert _loaded(app) == {"police.uk:grid": 2}  # in the same press, no refresh
    assert any("Loaded 1 file(s)" in s.value for s in app.success)


@pytest.mark.slow
def test_a_damaged_store_file_is_a_message_with_the_repair(app, grid_store):
    name = next(iter(grid_store.manifest()["partitions"].values()))["object"]
    path = grid_store.root / "objects" / name
    path.write_bytes(path.read_bytes()[:100])
    app.run()  # the home page reads the crimes
    assert not app.exception, app.exception
    errors = [e.value for e in app.error]
    assert len(errors) == 1 and errors[0].startswith("**The data store needs a repair.**")
    assert name in errors[0] and "load crimes PATH/TO/2023-01-grid-street.csv" in errors[0]
    app.switch_page("pages/data.py").run()
    assert not app.exception
    assert any("1 stored file(s) are damaged" in e.value for e in app.error)
    assert not any("rows are accounted for" in s.value for s in app.success)


@pytest.mark.slow
def test_a_refused_upload_is_said_in_the_pages_language(app, tmp_path, grid_store):
    """A bad file uploaded on the Welsh page: the whole message in Welsh (the file's name
    and its cell as they are), nothing stored."""
    bad = write_csv(
        tmp_path / "up" / "2023-03-grid-street.csv",
        POLICE_UK_HEADER,
        [police_row("m1", month="2023-03", lsoa="X01000001"), police_row("m2", month="Mawrth")],
    )
    before = grid_store.checksum()
    app.query_params["lang"] = "cy"
    app.run()
    app.switch_page("pages/data.py").run()
    app.uploads[:] = [_Upload(bad)]
    app.run()
    assert not app.exception, app.exception
    said = [plain(e.value) for e in app.error if "2023-03-grid-street.csv" in e.value]
    assert said == [
        "**Ni chafodd dim ei gadw.** 2023-03-grid-street.csv, rhes 2: nid yw 'Mawrth' yn "
        "fis. Disgwylid YYYY-MM, e.e. 2019-01, o 1900 i 2100. I drwsio: cywirwch y gell "
        "Month."
    ], said
    assert grid_store.checksum() == before
