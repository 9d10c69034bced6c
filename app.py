"""The dashboard: ``streamlit run app.py`` (see README for the one-line start)."""

import streamlit as st

from dashboard import accessibility, auth
from dashboard.language import _, error_text, keep_language
from dashboard.navigation import draw_page_menu, page_menu

# No page or page_icon icons: Streamlit fetches Material icons for the favicon from
# Google's servers, and the dashboard must make no request beyond its own server.
st.set_page_config(page_title=_("Serious violence hotspots"), layout="wide")
keep_language()  # ?lang=cy stays in the address, whichever way a page is reached
# Contrast, focus and wrapping corrections, and <html lang> (before the login form too).
accessibility.page_setup()

# Before any page: with accounts configured and nobody signed in, this draws only the
# login form and stops the run (docs/access-control.md).
user = auth.gate()

pages = [
    # The map is not the default page: Streamlit serves the default page at "/" only, and
    # the map's own address (/map?area=…) must open the map every time.
    st.Page("pages/home.py", title=_("Home"), default=True),
    st.Page("pages/map.py", title=_("Map"), url_path="map"),
    st.Page("pages/hotspots.py", title=_("Hotspot list"), url_path="hotspots"),
    st.Page("pages/pack.py", title=_("Monthly pack"), url_path="pack"),
    st.Page("pages/profile.py", title=_("Ward profile"), url_path="profile"),
    st.Page("pages/data.py", title=_("Data"), url_path="data"),
    st.Page("pages/method.py", title=_("Method"), url_path="method"),
    st.Page("pages/accessibility.py", title=_("Accessibility"), url_path="accessibility"),
]
# Pages only analysts may open: left out of partners' navigation, so their URLs do not
# resolve for partners. (Sections of shared pages call auth.require_role("analyst").)
analyst_pages: list = []
from hotspots.store.base import StoreDamagedError  # noqa: E402

# The page menu is drawn by the dashboard, not Streamlit (client.showSidebarNavigation is
# off, so a first visitor never sees the pages folder's file names before the login
# form): its links carry the language and the selection, which Streamlit's own menu drops.
allowed = pages + (analyst_pages if user.can("analyst") else [])
page_menu(st.sidebar.container(), allowed)  # the page draws it once its selection is known
try:
    page = st.navigation(allowed, position="hidden")
    accessibility.page_title(page.title)  # each page its own title in the browser tab
    page.run()
except StoreDamagedError as exc:  # a damaged store file: what to do, never a traceback
    import logging

    logging.getLogger(__name__).error("store damaged: %s", exc.message)
    st.error(
        _("**The data store needs a repair.**")
        + " "
        + (
            error_text(exc)
            if user.can("analyst")
            else _("Please tell the project's analysts; the figures cannot be shown until then.")
        )
    )
finally:
    draw_page_menu()  # a page that stopped before its selection: the menu all the same
