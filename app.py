"""The dashboard: ``streamlit run app.py`` (see README for the one-line start)."""

import streamlit as st

from dashboard import auth

st.set_page_config(page_title="Serious violence hotspots", page_icon="📍", layout="wide")

# Before any page: with accounts configured and nobody signed in, this draws only the
# login form and stops the run (docs/access-control.md).
user = auth.gate()

pages = [
    st.Page("pages/map.py", title="Map", icon="🗺️", url_path="map", default=True),
    st.Page("pages/hotspots.py", title="Hotspot list", icon="📋", url_path="hotspots"),
    st.Page("pages/profile.py", title="Ward profile", icon="🏘️", url_path="profile"),
    st.Page("pages/data.py", title="Data", icon="🗂️", url_path="data"),
    st.Page("pages/method.py", title="Method", icon="📖", url_path="method"),
]
# Pages only analysts may open: left out of partners' navigation, so their URLs do not
# resolve for partners. (Sections of shared pages call auth.require_role("analyst").)
analyst_pages: list = []
st.navigation(pages + (analyst_pages if user.can("analyst") else [])).run()
