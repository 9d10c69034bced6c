"""Welsh and English: no user-facing string outside the catalogues.

1. Every string the code marks for translation (``_()``, ``N_()``, ``ngettext()``), as
   Babel extracts it, has a Welsh translation in the merged catalogues.
2. Every Welsh string keeps its English original's placeholders (``{n}``), so that
   ``.format`` cannot fail or drop a value in Welsh.
3. The pages and the dashboard pass no bare English text to a Streamlit display call: a
   string literal given to ``st.title``, ``st.caption``, a widget's label or ``help=``,
   or a column's header is wrapped in ``_()`` (checked on the syntax tree).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from hotspots.i18n import LOCALE_DIR, translations
from tests.conftest import ROOT

KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
SOURCES = sorted(
    [
        ROOT / "app.py",
        *(ROOT / "pages").glob("*.py"),
        *(ROOT / "dashboard").glob("*.py"),
        *(ROOT / "hotspots").rglob("*.py"),
    ]
)
#: Files whose strings go into another part's catalogue (the pack, the map): checked here
#: once they use the translator, as every other file is.
PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _marked() -> dict[str, str]:
    """Every marked msgid (singular) → the file it is in."""
    found: dict[str, str] = {}
    for path in SOURCES:
        for _lineno, message, _comments, _context in extract_from_file(
            "python", str(path), keywords=KEYWORDS
        ):
            first = message[0] if isinstance(message, tuple) else message
            if first:
                found.setdefault(first, _rel(path))
    return found


def _catalogues():
    for po in sorted((LOCALE_DIR / "cy" / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as fh:
            yield po.name, read_po(fh, locale="cy")


def test_the_translator_is_used_and_finds_welsh():
    marked = _marked()
    assert len(marked) > 300  # the pages, sidebar, sign-in, downloads and errors
    assert translations("cy").gettext("Serious violence hotspots") == (
        "Mannau problemus trais difrifol"
    )
    assert translations("en").gettext("Serious violence hotspots") == "Serious violence hotspots"


def test_every_marked_string_has_welsh():
    welsh = {}
    for _name, cat in _catalogues():
        for m in cat:
            if m.id:
                key = m.id[0] if isinstance(m.id, tuple) else m.id
                text = m.string[0] if isinstance(m.string, tuple) else m.string
                if text:
                    welsh[key] = text
    missing = {msgid: where for msgid, where in _marked().items() if msgid not in welsh}
    assert not missing, f"{len(missing)} strings without Welsh, e.g. {list(missing.items())[:5]}"


def test_welsh_keeps_the_placeholders_and_every_unchecked_string_is_marked():
    problems = []
    for name, cat in _catalogues():
        assert cat.num_plurals == 6, name  # Welsh has six plural forms
        for m in cat:
            if not m.id:
                continue
            ids = m.id if isinstance(m.id, tuple) else (m.id,)
            strings = m.string if isinstance(m.string, tuple) else (m.string,)
            want = set(PLACEHOLDER.findall(ids[-1]))
            for s in strings:
                if s and set(PLACEHOLDER.findall(s)) != want:
                    problems.append((name, ids[0], s))
    assert not problems, problems[:5]
    # The dashboard's Welsh has not been checked by a Welsh speaker yet: every entry says so.
    with (LOCALE_DIR / "cy" / "LC_MESSAGES" / "dashboard.po").open("rb") as fh:
        cat = read_po(fh, locale="cy")
    unflagged = [m.id for m in cat if m.id and m.string and "fuzzy" not in m.flags]
    assert not unflagged, unflagged[:5]


def test_glossary_has_the_domain_terms():
    import csv

    with (LOCALE_DIR / "glossary.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["english", "welsh", "note"]
    terms = {r["english"]: r["welsh"] for r in rows}
    for term in (
        "serious violence",
        "hotspot",
        "electoral ward",
        "deprivation",
        "rate",
        "smoothed rate",
        "rank range",
        "Gi* (Getis-Ord)",
        "false discovery rate (FDR)",
    ):
        assert terms.get(term), term
    assert terms["deprivation"] == "amddifadedd"


# ------------------------------------------------------------------ the syntax-tree check

#: Streamlit calls whose first argument is text shown to the user.
DISPLAY = {
    "title", "header", "subheader", "markdown", "write", "caption", "info", "warning",
    "error", "success", "toast", "button", "download_button", "form_submit_button",
    "link_button", "page_link", "selectbox", "multiselect", "radio", "checkbox", "toggle",
    "text_input", "text_area", "number_input", "slider", "select_slider", "file_uploader",
    "date_input", "metric", "spinner", "expander", "popover", "tabs", "badge",
    "NumberColumn", "TextColumn", "ProgressColumn", "CheckboxColumn", "LineChartColumn",
    "BarChartColumn", "LinkColumn", "DateColumn", "Column", "set_page_config",
}  # fmt: skip
#: Keywords of those calls that are text shown to the user.
TEXT_KEYWORDS = {"label", "help", "placeholder", "page_title", "title"}


def _has_words(node: ast.AST) -> bool:
    """Whether ``node`` is text with words in it that did not pass through a call
    (``_("...")``, ``md(...)``, ``.format(...)`` of a translated string)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(re.search(r"[A-Za-z]{2,}", node.value))
    if isinstance(node, ast.JoinedStr):
        return any(_has_words(v) for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.BinOp):
        return _has_words(node.left) or _has_words(node.right)
    if isinstance(node, ast.IfExp):
        return _has_words(node.body) or _has_words(node.orelse)
    return False


def _display_call(node: ast.Call) -> str | None:
    f = node.func
    if isinstance(f, ast.Attribute) and "log" in ast.unparse(f.value).lower():
        return None  # a log line (LOG.error, logging.getLogger(...).warning): not shown
    name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None
    return name if name in DISPLAY else None


def _bare_strings(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _display_call(node)
        shown = []
        if name is not None and name != "page_link":  # page_link's first argument: a file
            shown += list(node.args[:1])
            shown += [k.value for k in node.keywords if k.arg in TEXT_KEYWORDS]
            if name == "tabs" and node.args and isinstance(node.args[0], ast.List):
                shown += list(node.args[0].elts)
        for k in node.keywords:  # column headers: column_config={"col": "Header", ...}
            if k.arg == "column_config" and isinstance(k.value, ast.Dict):
                name = name or "column_config"
                shown += list(k.value.values)
        for arg in shown:
            if _has_words(arg):
                where = path.relative_to(root).as_posix()
                found.append(f"{where}:{arg.lineno} {name}: {ast.unparse(arg)[:60]}")
    return found


@pytest.mark.parametrize(
    "path",
    sorted([*(ROOT / "pages").glob("*.py"), *(ROOT / "dashboard").glob("*.py"), ROOT / "app.py"]),
    ids=_rel,
)
def test_no_bare_english_in_display_calls(path):
    assert _bare_strings(path) == []


def test_the_syntax_tree_check_finds_bare_text(tmp_path):
    """The check itself: bare text, f-strings with words, headers and help are found;
    translated text, names and numbers are not."""
    page = tmp_path / "page.py"
    page.write_text(
        "import streamlit as st\n"
        "from dashboard.language import _\n"
        "st.title('Hotspot list')\n"
        "st.caption(f'{n} wards ranked')\n"
        "st.selectbox(_('Area'), xs, help='A police force')\n"
        "st.dataframe(t, column_config={'rank': 'Rank', 'x': _('X')})\n"
        "st.markdown(_('Fine {n}').format(n=1))\n"
        "st.write(f'{md(name)} ({code})')\n"
        "st.error(_('Nothing') + ' ' + md(e))\n"
        "st.sidebar.warning('Careful' if x else _('Fine'))\n",
        encoding="utf-8",
    )
    found = sorted(line.split(" ", 1)[1] for line in _bare_strings(page, tmp_path))
    assert found == [
        "caption: f'{n} wards ranked'",
        "column_config: 'Rank'",
        "selectbox: 'A police force'",
        "title: 'Hotspot list'",
        "warning: 'Careful' if x else _('Fine')",
    ]
