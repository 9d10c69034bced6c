"""The shared frame (dashboard/selection.py): the sidebar's choices, with and without widgets."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def _both_frames():
    """An app that draws the frame without widgets, then with them, and keeps both."""
    import streamlit as st

    from dashboard import auth
    from dashboard import selection as fr

    auth.gate()
    st.session_state["first"] = fr.first_run()
    query = st.query_params.to_dict()
    bare = fr.sidebar(controls=False)
    st.session_state["after_bare"] = fr.first_run()
    st.query_params.from_dict(query)  # each call writes its choices back to the address
    full = fr.sidebar()
    fr.describe(bare)
    st.session_state["frames"] = [
        (f.selection, f.months, f.partner, f.rule, f.label) for f in (bare, full)
    ]


@pytest.fixture
def frames_app(demo_store, monkeypatch, tmp_path):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("HOTSPOTS_DATA_DIR", str(demo_store.root))
    monkeypatch.setenv("HOTSPOTS_ACCOUNTS", str(tmp_path / "none.toml"))
    return AppTest.from_function(_both_frames, default_timeout=120)


@pytest.mark.parametrize(
    "query",
    [
        {},  # the defaults: the first force with data, the last 12 months
        {"area": "cantre-gwaelod", "period": "range", "from": "2024-03", "to": "2024-08"},
        {"area": "All wards", "period": "month", "to": "2024-05", "def": "police-uk-proxy"},
        {"period": "rolling12", "from": "2024-02"},
        # Values that are not choices fall back as the widgets do: an unknown area, a "to"
        # before "from", an unknown period and definition.
        {"area": "Atlantis", "period": "range", "from": "2024-09", "to": "2024-02"},
        {"period": "fortnight", "def": "no-such-definition"},
    ],
)
def test_frame_without_widgets_is_what_the_widgets_start_at(frames_app, query):
    at = frames_app
    at.query_params.update(query)
    at.run()
    assert not at.exception, at.exception[0].value
    bare, full = at.session_state["frames"]
    assert bare == full
    assert at.session_state["first"] is True and at.session_state["after_bare"] is False
    # The widgets are drawn by the second call only; describe() states the bare frame's
    # choices in words.
    assert len(at.sidebar.selectbox) >= 3
    said = " ".join(m.value for m in at.sidebar.markdown)
    shown = {"cantre-gwaelod": "Cantre Gwaelod"}.get(full[0].area, full[0].area)  # by name
    assert f"**Area**: {shown or 'All wards'}" in said
    assert "Loading the controls…" in [c.value for c in at.sidebar.caption]


def _bare_frame():
    from dashboard import auth
    from dashboard import selection as fr

    auth.gate()
    fr.sidebar(controls=False)


def test_frame_without_widgets_draws_nothing(demo_store, monkeypatch, tmp_path):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("HOTSPOTS_DATA_DIR", str(demo_store.root))
    monkeypatch.setenv("HOTSPOTS_ACCOUNTS", str(tmp_path / "none.toml"))
    at = AppTest.from_function(_bare_frame, default_timeout=120).run()
    assert not at.exception
    assert len(at.sidebar) == 0
    assert len(at.main) == 1  # auth.gate()'s badge, nothing else
    assert "Open access" in at.main.markdown[0].value
    assert at.query_params["period"] == "rolling12"  # the address still gets the choices


def test_first_run_is_true_only_until_a_frame_is_drawn(frames_app):
    at = frames_app
    at.run()
    assert at.session_state["first"] is True
    at.run()
    assert at.session_state["first"] is False
