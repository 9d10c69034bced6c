"""The floor of bench/browser.py: an empty Streamlit page."""

import streamlit as st

st.write("x")
