"""The page's language: chosen by the toggle, kept in the address (``?lang=cy``).

Pages write ``from dashboard.language import _`` and wrap every user-facing string in
``_("...")``; the string is looked up in the catalogues of the language the address
names (English when it names none), see :mod:`hotspots.i18n`.

The language lives in the address so that a shared link opens in the sender's
language. Streamlit clears the address's query when the page menu switches pages, so
the session remembers the last language chosen and :func:`keep_language` writes it back
into the address on every page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pandas as pd
import streamlit as st

from hotspots.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGE_NAMES,
    LANGUAGES,
    N_,
    check_language,
    ntranslator,
    translator,
)

__all__ = [
    "N_",
    "_",
    "current_language",
    "keep_language",
    "language_toggle",
    "ngettext",
    "place_names",
]

#: Session-state key holding the language of the session's last run.
LANGUAGE_KEY = "hotspots_lang"


def current_language() -> str:
    """The language of this run: ``?lang=`` in the address, else the session's last
    choice (the page menu drops the query), else English."""
    given = st.query_params.get("lang")
    if given:
        return check_language(given)
    try:
        return check_language(st.session_state.get(LANGUAGE_KEY))
    except Exception:  # no session (a bare script run): the default
        return DEFAULT_LANGUAGE


def keep_language() -> str:
    """Keep this run's language in the address and the session; return it."""
    lang = current_language()
    st.session_state[LANGUAGE_KEY] = lang
    if lang != DEFAULT_LANGUAGE and st.query_params.get("lang") != lang:
        st.query_params["lang"] = lang
    elif lang == DEFAULT_LANGUAGE and "lang" in st.query_params:
        del st.query_params["lang"]
    return lang


def _switch(lang: str) -> None:
    st.session_state[LANGUAGE_KEY] = lang
    if lang == DEFAULT_LANGUAGE:
        if "lang" in st.query_params:
            del st.query_params["lang"]
    else:
        st.query_params["lang"] = lang


def language_toggle(where=None, key: str = "lang_toggle") -> None:
    """A button that shows the page in the other language (its name in itself:
    "Cymraeg" on an English page, "English" on a Welsh one). The choice goes into the
    address, so the link a user shares opens in their language."""
    here = current_language()
    other = next(lang for lang in LANGUAGES if lang != here)
    (where or st).button(
        LANGUAGE_NAMES[other],
        key=key,
        on_click=_switch,
        args=(other,),
        help=_("Show the dashboard in English")
        if other == "en"
        else _("Show the dashboard in Welsh"),
    )


def _(message: str) -> str:
    """Translate ``message`` into the current language."""
    return translator(current_language())(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a string that depends on the number ``n``."""
    return ntranslator(current_language())(singular, plural, n)


def place_names(
    frame: pd.DataFrame,
    welsh: Mapping[str, str],
    columns: tuple[tuple[str, str], ...] = (
        ("ward_name", "ward_code"),
        ("local_authority_name", "local_authority_code"),
        ("police_force", ""),
    ),
) -> pd.DataFrame:
    """``frame`` with its place names in Welsh when the page is in Welsh.

    ``welsh`` maps a ward's or local authority's code (and a force's English name) to its
    Welsh name (:func:`hotspots.geo.geography.welsh_names`); a name column is looked up by
    the code column beside it, or, without one, by the English name itself. Names with no
    Welsh form, and every name on an English page, are left as they are.
    """
    if current_language() != "cy" or not welsh:
        return frame
    out = frame.copy()
    for name, code in columns:
        if name not in out.columns:
            continue
        key = out[code] if code and code in out.columns else out[name]
        cy = key.astype(object).map(lambda k: welsh.get(k) if isinstance(k, str) else None)
        out[name] = cy.where(cy.notna(), out[name].astype(object))
    return out


def error_text(exc: BaseException) -> str:
    """An error's message for the user, in the page's language: an
    :class:`hotspots.errors.InputError`, an accounts error or any error with a
    ``localised(lang)`` method has its templates translated (its values as they are);
    any other error is shown as ``str(exc)``."""
    localised = getattr(exc, "localised", None)
    if callable(localised):
        return localised(current_language())
    return str(exc)


def labels_of(options, label) -> Callable[[object], str]:
    """A widget's ``format_func`` that shows each option as ``label`` does in this run's
    language, fixed now: Streamlit may call a ``format_func`` outside the run (its test
    harness does), where the address, and so the language, is not known."""
    shown = {option: label(option) for option in options}
    return lambda option: shown.get(option, str(option))
