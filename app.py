"""The dashboard: ``streamlit run app.py`` (see README for the one-line start)."""

import streamlit as st

st.set_page_config(page_title="Serious violence hotspots", page_icon="📍", layout="wide")

pages = [
    st.Page("pages/hotspots.py", title="Hotspot list", icon="📋", url_path="hotspots",
            default=True),
    st.Page("pages/profile.py", title="Ward profile", icon="🏘️", url_path="profile"),
    st.Page("pages/data.py", title="Data", icon="🗂️", url_path="data"),
    st.Page("pages/method.py", title="Method", icon="📖", url_path="method"),
]
st.navigation(pages).run()
