"""What every page shares for accessibility: its own title in the browser tab, the
language of the page (``<html lang="cy">`` in Welsh), and a few style corrections to
Streamlit's defaults (text contrast, visible focus, nothing focusable off screen, labels
that wrap instead of being cut).

``app.py`` calls :func:`page_setup` once per run, before anything else is drawn (the
login form included), and :func:`page_title` with the page about to run.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence

import pandas as pd
import streamlit as st

from dashboard.builtin_words import builtin_words_script
from dashboard.language import N_, _, current_language
from dashboard.tables import Column, ward_table_html

#: The product's name, the second part of every page's title.
PRODUCT = "Serious violence hotspots"
#: Focus and link colour: 7.5:1 on Streamlit's light grey sidebar (#f0f2f6), 8.4:1 on white.
FOCUS = "#1a4d8f"
#: Secondary text (captions, source lines): 6.0:1 on #f0f2f6, 6.8:1 on white.
MUTED = "#5c5b5a"

STYLE = f"""
<style>
/* Captions and source lines at 4.5:1 or more (Streamlit's are about 3.8:1). */
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] * {{
  color: {MUTED} !important;
  opacity: 1 !important;
}}
/* A visible focus of 3:1 or more on links, buttons and tabs (the sidebar's page links
   otherwise show focus only by a 1.1:1 change of background). */
a:focus-visible, button:focus-visible, [role="tab"]:focus-visible, summary:focus-visible,
[data-testid="stSidebarNavLink"]:focus-visible, [data-testid="stPageLink-NavLink"]:focus-visible {{
  outline: 3px solid {FOCUS} !important;
  outline-offset: 1px;
}}
/* The collapsed sidebar is moved off screen: nothing in it may keep the focus. */
[data-testid="stSidebar"][data-collapsed="true"],
[data-testid="stSidebar"][data-collapsed="true"] * {{
  visibility: hidden !important;
}}
/* A ward table's scrolling region shows when it has the keyboard's focus. */
.ward-table:focus-visible {{
  outline: 3px solid {FOCUS} !important;
  outline-offset: 1px;
}}
/* A chart wider than the page (small multiples at 320 px or 200 % zoom) scrolls
   sideways in its own box: the page itself never scrolls sideways. */
[data-testid="stVegaLiteChart"] {{
  max-width: 100%;
  overflow-x: auto;
}}
[data-testid="stVegaLiteChart"]:focus-visible {{
  outline: 3px solid {FOCUS} !important;
  outline-offset: 1px;
}}
/* The page's own script and style elements take no room. */
[data-testid="stElementContainer"]:has(> [data-testid="stHtml"] > :is(script, style):only-child) {{
  display: none;
}}
/* Labels wrap at any zoom rather than being cut with an ellipsis. */
[data-testid="stWidgetLabel"] p, [data-testid="stMetricLabel"] p,
[data-testid="stMetricLabel"] div, [data-testid="stMetricValue"] div,
[data-testid="stSidebarNavLink"] span, [data-testid="stPageLink-NavLink"] span,
button [data-testid="stMarkdownContainer"], button [data-testid="stMarkdownContainer"] p {{
  white-space: normal !important;
  overflow: visible !important;
  text-overflow: clip !important;
}}
</style>
"""


#: Keeps the keyboard's focus on screen: when a run the user started with a key (Enter on
#: a select box) redraws the page and leaves the focused control out of view (the
#: sidebar's scroll is reset at 200 % zoom), the control is scrolled back into view. Only
#: within two seconds of a key press, so it never fights a user scrolling with a mouse.
KEEP_FOCUS_IN_VIEW = (  # written without <, > or & (the page's HTML keeps it as text)
    "if(!window.__focusKeeper){window.__focusKeeper=1;var k=0;"
    "addEventListener('keydown',function(){k=Date.now()},true);"
    "new MutationObserver(function(){var e=document.activeElement;"
    "if(!e||e===document.body||Math.sign(Date.now()-k-2000)===1)return;"
    "var r=e.getBoundingClientRect();if(!r.width)return;"
    "if(Math.sign(r.top)===-1||Math.sign(r.bottom-innerHeight)===1||"
    "Math.sign(r.left)===-1||Math.sign(r.right-innerWidth)===1)"
    "e.scrollIntoView({block:'nearest',inline:'nearest'})})"
    ".observe(document.body,{childList:true,subtree:true})}"
)


#: The name a chart wider than the window is given when it becomes a scrolling region.
CHART_REGION = N_("Chart wider than the window: scroll it sideways with the arrow keys")

#: A chart wider than its box (small multiples at 320 px or 200 % zoom) scrolls sideways
#: in it (:data:`STYLE`); this makes such a box a named region that takes the keyboard's
#: focus, so that the arrow keys can scroll it, and undoes that when the chart fits again.
FOCUSABLE_WIDE_CHARTS = (  # written without <, > or & (the page's HTML keeps it as text)
    "if(!window.__wideCharts){window.__wideCharts=1;var w=function(){"
    "document.querySelectorAll('[data-testid=stVegaLiteChart]').forEach(function(c){"
    "if(Math.sign(c.scrollWidth-c.clientWidth-1)===1){"
    "if(c.getAttribute('tabindex')!=='0')c.setAttribute('tabindex','0');"
    "if(c.getAttribute('role')!=='region')c.setAttribute('role','region');"
    "if(c.getAttribute('aria-label')!==window.__chartRegion)"
    "c.setAttribute('aria-label',window.__chartRegion)}"
    "else if(c.getAttribute('role')==='region'){c.removeAttribute('tabindex');"
    "c.removeAttribute('role');c.removeAttribute('aria-label')}})};"
    "new MutationObserver(w).observe(document.body,{childList:true,subtree:true});"
    "addEventListener('resize',w);w()}"
)


def lang_script(lang: str) -> str:
    """The script that sets ``<html lang>`` to ``lang`` (Streamlit's page says "en"),
    keeps the keyboard's focus on screen (:data:`KEEP_FOCUS_IN_VIEW`) and puts Streamlit's
    own texts into the page's language (:mod:`dashboard.builtin_words`)."""
    from hotspots.i18n import translator

    region = json.dumps(translator(lang)(CHART_REGION))
    return (
        f"<script>document.documentElement.lang = {json.dumps(lang)};{KEEP_FOCUS_IN_VIEW}"
        f"window.__chartRegion={region};{FOCUSABLE_WIDE_CHARTS}"
        f"{builtin_words_script(lang)}</script>"
    )


def own_html() -> frozenset[str]:
    """Every HTML body :func:`page_setup` sends: fixed text of the app's own, no data."""
    from hotspots.i18n import LANGUAGES

    return frozenset({STYLE, *(lang_script(lang) for lang in LANGUAGES)})


def _first_map_run() -> bool:
    """Whether this is a session's first run of the map page, which draws its map before
    any other element (pages/map.py): an ``st.html`` would make the browser fetch that
    element's script first and hold the map back. The map page runs again as soon as the
    map is drawn, and that run adds the style and the language."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    from dashboard.selection import first_run

    ctx = get_script_run_ctx()
    return ctx is not None and first_run() and ctx.pages_manager.intended_page_name == "map"


def page_setup() -> None:
    """Add the style corrections and say the page's language (``lang`` on ``<html>``),
    in the sidebar so that the page's own elements keep their places between runs."""
    if _first_map_run():
        return
    st.sidebar.html(STYLE)
    st.sidebar.html(lang_script(current_language()), unsafe_allow_javascript=True, width="content")


def page_title(title: str) -> None:
    """Give the browser tab the page's own title: "Map – Serious violence hotspots"."""
    st.set_page_config(page_title=_("{page} – {product}").format(page=_(title), product=_(PRODUCT)))


# ------------------------------------------------------------- tables as they are shown
#
# ``st.dataframe`` draws its cells on a canvas and gives assistive technology a hidden
# table of the cells' *data* ("0.46597903842954586", "false"), not of what the screen
# shows. The helpers below make the data what is shown: numbers rounded as displayed
# (still numbers, so the column sorts by value), shares as "46.6%" and flags as
# "Yes"/"No" text. Downloads are made from the unformatted tables.

#: Pads percentages to one width so that a text column sorts them by value.
FIGURE_SPACE = "\u2007"


def _number(v) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and not math.isnan(v)


def rounded(values: Iterable, digits: int = 1) -> list:
    """Numbers rounded to ``digits`` (as the table shows them); text and gaps kept."""
    return [round(float(v), digits) if _number(v) else (None if _gap(v) else v) for v in values]


def percent_text(values: Iterable, digits: int = 1) -> list:
    """Shares (0 to 1) as "46.6%" text, padded with figure spaces to sort by value; text
    (e.g. a suppression mark) kept; gaps empty."""
    width = 4 + digits + (1 if digits else 0)  # "100.0%"
    out = []
    for v in values:
        if _number(v):
            out.append(f"{100 * float(v):.{digits}f}%".rjust(width, FIGURE_SPACE))
        else:
            out.append(None if _gap(v) else v)
    return out


def yes_no(values: Iterable) -> list:
    """Flags as "Yes" / "No" in the page's language; gaps empty."""
    return [None if _gap(v) else (_("Yes") if bool(v) else _("No")) for v in values]


def _gap(v) -> bool:
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def as_shown(
    frame: pd.DataFrame,
    *,
    rounded_1: Iterable[str] = (),
    percent: Iterable[str] = (),
    flags: Iterable[str] = (),
) -> pd.DataFrame:
    """A copy of ``frame`` with the named columns as the table shows them: ``rounded_1``
    to one decimal, ``percent`` as "46.6%" text, ``flags`` as "Yes"/"No"; columns
    absent from ``frame`` are skipped."""
    out = frame.copy()
    for cols, fn in ((rounded_1, rounded), (percent, percent_text), (flags, yes_no)):
        for c in cols:
            if c in out.columns:
                cells = fn(out[c].tolist())
                numeric = all(v is None or _number(v) for v in cells)
                out[c] = pd.Series(cells, index=out.index, dtype=float if numeric else object)
    return out


# ------------------------------------------------------------- charts on small screens

#: A chart axis whose labels are shown whole (Vega cuts them at 180 px with "…": at 320 px
#: a category such as "Violence and sexual offences" lost its end).
WHOLE_LABELS = {"labelLimit": 0}


def title_lines(text: str, width: int = 28) -> list[str]:
    """An axis title as lines of at most ``width`` characters (Vega draws a list as
    lines): a long title is not cut at the edge of a narrow chart."""
    import textwrap

    return textwrap.wrap(text, width) or [text]


#: The monthly-trend column's explanation (under the Hotspot list).
TREND_NOTE = N_(
    "A small line of the ward's monthly counts, first month to last (a gap: a month not "
    "loaded or not shown); screen readers read the counts. The ward's profile has the "
    "full chart."
)


def ward_table(
    rows: pd.DataFrame,
    columns: Sequence[Column],
    *,
    caption: str,
    table_id: str,
    ward: str = "ward_name",
) -> None:
    """Draw ``rows`` as a ward table (:func:`dashboard.tables.ward_table_html`): ward names
    link to their profiles keeping the address's language and selection; the headings'
    explanations are under the table."""
    from dashboard.navigation import shared_params

    st.html(
        ward_table_html(
            rows,
            columns,
            caption=caption,
            link_query=shared_params(),
            table_id=table_id,
            ward=ward,
            notes_heading=_("About the columns:"),
        )
    )
