"""The page tests' dashboard: AppTest on the demo store, opened at :data:`DEMO_QUERY`."""

from __future__ import annotations

import pytest

from tests.conftest import DEMO_QUERY, analyst_app


@pytest.fixture
def app(demo_store, monkeypatch, tmp_path):
    """The dashboard on the demo store, an analyst's view, at :data:`DEMO_QUERY`."""
    return analyst_app(demo_store, tmp_path, monkeypatch, DEMO_QUERY)
