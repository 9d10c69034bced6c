"""The dashboard: ``streamlit run app.py`` (see README for the one-line start)."""

import streamlit as st

st.set_page_config(page_title="Serious violence hotspots", page_icon="📍", layout="wide")

pages = [
    st.Page("pages/data.py", title="Data", icon="🗂️", url_path="data", default=True),
]
st.navigation(pages).run()
