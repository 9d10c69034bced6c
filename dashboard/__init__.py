"""The Streamlit side of the tool: caching, the shared sidebar, and rendering helpers.

Only this package and ``app.py``/``pages/`` import streamlit; ``hotspots`` never does.
"""
