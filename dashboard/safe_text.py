"""Strings that came from files, shown as text and never as markup.

Ward, local authority and force names, file names, definition titles and descriptions,
crime categories, user names and error messages quoting a file's cells are data. Most
Streamlit elements render their text as GitHub-flavoured Markdown with Streamlit's own
additions: ``st.markdown``, ``st.write`` of a string, ``st.caption``, ``st.title`` and the
other headings, ``st.info``/``st.success``/``st.warning``/``st.error``, expander and widget
labels, and the cells of ``st.table``. A ward named ``![t](http://host/track.png)`` would
make every viewer's browser fetch that image; ``[click](http://…)`` would be a link,
``:red[x]`` coloured text, ``$x$`` LaTeX.

:func:`md` makes such a string safe to put into Markdown so that it shows exactly as given:

* every ASCII punctuation character is backslash-escaped (CommonMark lets any of them be
  escaped, and the escape shows the character itself), but for a hyphen or full stop
  between two letters or digits: no emphasis, link, image, heading,
  list, table, HTML tag, entity, LaTeX (``$``), or Streamlit directive (``:red[…]``,
  ``:material/…:``) can start inside the string;
* bare web addresses and e-mail addresses, which GitHub-flavoured Markdown turns into links
  after parsing (so escaping cannot stop it), get an invisible WORD JOINER (U+2060) where
  the address would start (``http⁠://``, ``www⁠.``, ``@⁠``); so do ``:name:`` emoji
  shortcodes, which a plugin also replaces after parsing;
* line breaks, tabs and other control characters become spaces (a line break could end
  the paragraph and start a block);
* a string holding bidirectional controls (e.g. U+202E RIGHT-TO-LEFT OVERRIDE) is wrapped
  in an isolate (U+2068 … U+2069), so the reversal cannot spill into the text around it.

Tables drawn with ``st.dataframe`` show cells as plain text and need none of this; the map
builds its tooltips from text nodes and escapes its legend (:mod:`dashboard.map_component`). No
page sets ``unsafe_allow_html`` on text from a file.
"""

from __future__ import annotations

import re

import pandas as pd

#: Every ASCII punctuation character (CommonMark: each may be backslash-escaped), except
#: a hyphen or full stop between two letters or digits ("Llanfair-pwll", "police.uk",
#: "1.5"), which no Markdown syntax starts with.
_PUNCT = re.compile(r"""([!"#$%&'()*+,/:;<=>?@\[\\\]^_`{|}~]|(?<![^\W_])[-.]|[-.](?![^\W_]))""")
#: Control characters and the Unicode line and paragraph separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
#: Bidirectional formatting characters.
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
WORD_JOINER = "\u2060"
#: Where GitHub-flavoured Markdown would start a link, or Streamlit an emoji shortcode:
#: before the ``:`` of ``http(s)://``, before the ``.`` of ``www.``, after an ``@``, and
#: between a ``:`` and the word after it.
_LINK_START = re.compile(
    r"(?i)(?<=https)(?=:)|(?<=http)(?=:)|(?<=www)(?=\.)|(?<=@)"
    r"|(?<=:)(?=[\w+-])"
)


def md(value) -> str:
    """``value`` (any object; None and missing values give ``""``) as Markdown text that
    Streamlit shows exactly as the string reads (see the module's notes)."""
    if (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float) and value != value)
    ):
        return ""
    text = _CONTROL.sub(" ", str(value))
    text = _LINK_START.sub(WORD_JOINER, text)
    text = _PUNCT.sub(r"\\\1", text)
    if _BIDI.search(text):
        text = "\u2068" + text + "\u2069"
    return text


def md_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` for ``st.table`` (which renders cells and headers as Markdown):
    text cells and column names through :func:`md`; numbers stay numbers."""
    out = frame.copy()
    out.columns = [md(c) for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = [md(v) if isinstance(v, str) else v for v in out[col]]
    return out


def plain(text: str) -> str:
    """The text a reader sees for Markdown made by :func:`md` (escapes, word joiners and
    isolates removed); used by tests to check that a name is shown as given."""
    text = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)
    return text.replace(WORD_JOINER, "").replace("\u2068", "").replace("\u2069", "")
