"""The page's language: chosen by the toggle, kept in the address (``?lang=cy``).

Pages write ``from dashboard.language import _`` and wrap every user-facing string in
``_("...")``; the string is looked up in the catalogues of the language the address
names (English when it names none), see :mod:`hotspots.i18n`.
"""

from __future__ import annotations

import streamlit as st

from hotspots.i18n import check_language, ntranslator, translator


def current_language() -> str:
    """The language of this run: ``?lang=`` in the address, else English."""
    return check_language(st.query_params.get("lang"))


def _(message: str) -> str:
    """Translate ``message`` into the current language."""
    return translator(current_language())(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a string that depends on the number ``n``."""
    return ntranslator(current_language())(singular, plural, n)
