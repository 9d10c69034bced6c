"""The dashboard's server: ``streamlit run serve.py`` (``scripts/start.sh`` does this).

It serves ``app.py`` with the sign-in cookie routes and the guard on served files
(``dashboard/web.py``). With no accounts file, open access listens on this machine only
(127.0.0.1, set in ``.streamlit/config.toml``): another address is refused unless
``HOTSPOTS_OPEN_ACCESS_ANY_ADDRESS=1``. See docs/access-control.md.
"""

import streamlit as st

from dashboard import web

web.check_listen_address()
web.install()
app = st.App("app.py", routes=web.routes(), middleware=web.middleware())
