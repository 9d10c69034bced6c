"""Which store the dashboard shows, and cached reads keyed on small hashables.

Caches are keyed on (store folder, store version, frozen settings): never on frames.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from hotspots.store import DEMO_DIR, Store, default_dir


def active_store() -> Store:
    """The analyst's store when it holds crimes; otherwise the demo region (built on first
    use, so a fresh machine shows a working dashboard)."""
    main = Store(default_dir())
    if main.sources():
        return main
    demo = Store(DEMO_DIR)
    if not demo.sources():
        from hotspots.demo import build_demo

        with st.spinner("Building the synthetic demo region (first run only)…"):
            build_demo(DEMO_DIR)
    return demo


@st.cache_resource(max_entries=4, show_spinner=False)
def geography(root: str, version: int):
    """The store's geography (wards and lookups)."""
    return Store(Path(root)).geography()


@st.cache_data(max_entries=16, show_spinner=False)
def reconciliation(root: str, version: int):
    return Store(Path(root)).reconciliation()


@st.cache_data(max_entries=16, show_spinner=False)
def history(root: str, version: int):
    return Store(Path(root)).history()


@st.cache_data(max_entries=4, show_spinner=False)
def manifest(root: str, version: int) -> dict:
    return Store(Path(root)).manifest()
