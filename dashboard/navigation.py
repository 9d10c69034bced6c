"""The page menu: a link to each page that keeps the language and the selection, drawn
by the dashboard (Streamlit's own menu is off), and the language toggle under it."""

from __future__ import annotations

import streamlit as st

from dashboard.language import language_toggle

#: Session-state key: whether this run's page drew its controls (a map's first run does
#: not: it draws no widget before its map, and the menu waits for the next run too).
CONTROLS_KEY = "hotspots_controls_drawn"

#: Query parameters every page shares: the language and the selection.
SHARED_PARAMS = ("lang", "area", "period", "from", "to", "def", "preset", "weights")


def shared_params() -> dict[str, str]:
    """The address's language and selection, for links to other pages."""
    return {k: st.query_params[k] for k in SHARED_PARAMS if k in st.query_params}


#: Session-state key: this run's page menu (where it goes, the pages, whether drawn).
MENU_KEY = "_hotspots_page_menu"


def page_menu(where, pages: list) -> None:
    """Say where this run's page menu goes (``where``, the top of the sidebar) and which
    pages it lists. The page draws it (:func:`draw_page_menu`) once its selection is in
    the address, so that the links carry it; ``app.py`` draws it after the page if the
    page did not."""
    st.session_state[MENU_KEY] = {"where": where, "pages": pages, "drawn": False}


def draw_page_menu() -> None:
    """The page menu: a link to each page that keeps the language and the selection,
    then the language toggle (once a run; nothing on a run without controls)."""
    menu = st.session_state.get(MENU_KEY)
    if not menu or menu["drawn"] or not st.session_state.get(CONTROLS_KEY, True):
        return
    menu["drawn"] = True
    params = shared_params()
    with menu["where"]:
        for page in menu["pages"]:
            st.page_link(page, label=page.title, query_params=params)
        language_toggle(st, key="lang_toggle_sidebar")
