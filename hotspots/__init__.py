"""hotspots: serious-violence hotspot analysis for Welsh community-safety partnerships.

The package never imports streamlit; the dashboard (``app.py``, ``pages/``) calls it.
"""

__version__ = "0.1.0"
