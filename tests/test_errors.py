"""Error messages in Welsh and English (hotspots.errors).

1. On the syntax tree of hotspots/, dashboard/ and pages/: every text given to an
   :class:`InputError` (problem, expected, fix) or to an accounts error is a template
   written as a string literal (or ``N_`` of one, a choice between such, or a module
   constant / table of them), never an f-string, a concatenation or a ``.format``; and
   every template has Welsh in the catalogue with the same placeholders.
2. Real bad files (the malformed-input corpus of tests/corpus.py) through the loaders:
   the Welsh message has no English template left (its problem text differs from the
   English one), names the file and the row, and the English message is unchanged.
3. Values (file names, cells) come out verbatim, braces and percent signs included.
"""

from __future__ import annotations

import ast
import re
import warnings
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from hotspots.errors import N_, InputError, LocalisedError, Text, either, fill
from hotspots.i18n import LOCALE_DIR, translator
from tests.conftest import ROOT

PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
SOURCES = sorted(
    [
        ROOT / "app.py",
        *(ROOT / "pages").glob("*.py"),
        *(ROOT / "dashboard").glob("*.py"),
        *(ROOT / "hotspots").rglob("*.py"),
    ]
)
#: Error classes whose texts are templates: the class → its template arguments
#: (position, keyword).
TEMPLATED = {
    "InputError": ((0, "problem"), (None, "expected"), (None, "fix")),
    "StoreDamagedError": ((0, "problem"), (None, "expected"), (None, "fix")),
    "AccountsError": ((0, "template"),),
    "LocalisedError": ((0, "template"),),
    "MissingFlagError": ((0, "template"),),
}
CY = translator("cy")


def _name(func: ast.expr) -> str | None:
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def _module_constants(tree: ast.Module) -> dict[str, ast.expr]:
    out = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                out[target.id] = node.value
    return out


def _templates(
    node: ast.expr, constants: dict[str, ast.expr], marked: bool = False
) -> list[str] | None:
    """The literal templates ``node`` may be, or None when it is built from values or is
    words not marked ``N_()`` (so not in the catalogue)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value] if marked or not _has_words(node.value) else None
    if isinstance(node, ast.Call) and _name(node.func) == "N_" and len(node.args) == 1:
        return _templates(node.args[0], constants, marked=True)
    if isinstance(node, ast.IfExp):
        body, orelse = _templates(node.body, constants), _templates(node.orelse, constants)
        return None if body is None or orelse is None else body + orelse
    if isinstance(node, ast.Name) and node.id in constants:
        return _templates(constants[node.id], constants)
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        table = constants.get(node.value.id)
        if isinstance(table, ast.Dict):
            found = [_templates(v, constants) for v in table.values]
            return None if any(f is None for f in found) else [t for f in found for t in f]
    return None


def _argument(call: ast.Call, position: int | None, keyword: str) -> ast.expr | None:
    for k in call.keywords:
        if k.arg == keyword:
            return k.value
    if position is not None and len(call.args) > position:
        return call.args[position]
    return None


def _enclosing_functions(tree: ast.Module) -> dict[ast.AST, ast.FunctionDef]:
    """Each node → the innermost function it is in (ast.walk goes outer before inner)."""
    out = {}
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(fn):
                if node is not fn:
                    out[node] = fn
    return out


def _forwarded(
    tree: ast.Module, fn: ast.FunctionDef, param: str, constants: dict
) -> list[str] | None:
    """The templates every call of ``fn`` (in its module) passes as ``param``."""
    names = [a.arg for a in fn.args.args]
    position = names.index(param)
    defaults = dict(zip(names[len(names) - len(fn.args.defaults) :], fn.args.defaults, strict=True))
    found: list[str] = []
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _name(n.func) == fn.name]
    if not calls:
        return None
    for call in calls:
        arg = _argument(call, position, param)
        arg = arg if arg is not None else defaults.get(param)
        got = None if arg is None else _templates(arg, constants)
        if got is None:
            return None
        found += got
    return found


def templated_calls(path: Path, root: Path = ROOT) -> tuple[list[str], list[tuple[str, int, str]]]:
    """``(templates, problems)`` of the error calls in ``path``: every literal template,
    and each argument that is not one (``file:line class.argument``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    constants = _module_constants(tree)
    enclosing = _enclosing_functions(tree)
    templates, problems = [], []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or _name(node.func) not in TEMPLATED:
            continue
        cls = _name(node.func)
        for position, keyword in TEMPLATED[cls]:
            arg = _argument(node, position, keyword)
            if arg is None:
                continue
            got = _templates(arg, constants)
            fn = enclosing.get(node)
            if (
                got is None
                and isinstance(arg, ast.Name)
                and fn is not None
                and arg.id in [a.arg for a in fn.args.args]
            ):
                got = _forwarded(tree, fn, arg.id, constants)
            if got is None:
                problems.append(
                    (path.relative_to(root).as_posix(), node.lineno, f"{cls}.{keyword}")
                )
            else:
                templates += got
    return templates, problems


def _has_words(template: str) -> bool:
    return bool(re.search(r"[A-Za-z]{2,}", PLACEHOLDER.sub("", template)))


def _welsh() -> dict[str, str]:
    out = {}
    for po in (LOCALE_DIR / "cy" / "LC_MESSAGES").glob("*.po"):
        with po.open("rb") as fh:
            for m in read_po(fh, locale="cy"):
                if m.id and isinstance(m.id, str) and m.string:
                    out[m.id] = m.string
    return out


# ------------------------------------------------------------------ the syntax tree


def test_every_error_text_is_a_template_with_welsh():
    templates, problems = [], []
    for path in SOURCES:
        if path == ROOT / "hotspots" / "errors.py":  # the class itself: copies its templates
            continue
        t, p = templated_calls(path)
        templates += t
        problems += p
    assert not problems, f"texts built from values (use a template and values=): {problems}"
    assert len(templates) > 250  # the loaders, store, definitions, accounts, sign-in
    welsh = _welsh()
    missing = sorted({t for t in templates if _has_words(t) and t not in welsh})
    assert not missing, f"{len(missing)} templates without Welsh, e.g. {missing[:5]}"
    differ = [
        t
        for t in set(templates)
        if t in welsh and set(PLACEHOLDER.findall(t)) != set(PLACEHOLDER.findall(welsh[t]))
    ]
    assert not differ, differ[:5]


def test_the_check_finds_texts_built_from_values(tmp_path):
    """The check itself: f-strings, concatenation, .format and a variable are found; a
    literal, N_ of one, a choice, a constant, a table and a forwarded template are not."""
    module = tmp_path / "module.py"
    module.write_text(
        "FIX = N_('fix it')\n"
        "WORDS = {'a': N_('one'), 'b': N_('two')}\n"
        "def fail(what, fix=FIX):\n"
        "    return InputError(N_('failed: {what}'), fix=fix, values={'what': what})\n"
        "def f(x, k):\n"
        "    fail(x, N_('again'))\n"
        "    fail(x)\n"
        "    raise InputError(N_('a') if x else N_('b'), expected=WORDS[k], fix=FIX)\n"
        "    raise InputError(f'bad {x}')\n"
        "    raise InputError('bad ' + x, fix='do {y}'.format(y=x))\n"
        "    raise AccountsError(x)\n"
        "    raise InputError('plain words', fix='{x}')\n",
        encoding="utf-8",
    )
    templates, problems = templated_calls(module, tmp_path)
    assert [(line, what) for _, line, what in problems] == [
        (9, "InputError.problem"),
        (10, "InputError.problem"),
        (10, "InputError.fix"),
        (11, "AccountsError.template"),
        (12, "InputError.problem"),
    ]
    assert sorted(templates) == [
        "a",
        "again",
        "b",
        "failed: {what}",
        "fix it",
        "fix it",
        "one",
        "two",
        "{x}",
    ]


def test_the_errors_catalogue_shares_no_msgid_with_another_domain():
    folder = LOCALE_DIR / "cy" / "LC_MESSAGES"
    with (folder / "errors.po").open("rb") as fh:
        errors = {m.id for m in read_po(fh, locale="cy") if m.id}
    assert len(errors) > 250
    for po in folder.glob("*.po"):
        if po.stem != "errors":
            with po.open("rb") as fh:
                other = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
            assert not errors & other, (po.name, sorted(errors & other)[:5])


def test_no_common_texts_list_is_left():
    import hotspots.errors

    assert not hasattr(hotspots.errors, "COMMON_TEXTS")


# ------------------------------------------------------------------ values verbatim


@pytest.mark.parametrize(
    "value",
    ["{x}", "%s", "%(name)s", "{0}", "{{y}}", "100%", "a}b{c", "{column} {file}"],
)
def test_values_come_out_verbatim(value):
    err = InputError(
        N_("there is no column {given} for the {what}"),
        file=f"data {value}.csv",
        row=3,
        expected=N_("one of the columns {columns}"),
        fix=N_("rename the column, or name it (columns found: {columns})"),
        values={"given": value, "what": Text(N_("ward code")), "columns": value},
    )
    assert err.message == (
        f"data {value}.csv, row 3: there is no column {value} for the ward code. "
        f"Expected one of the columns {value}. "
        f"Fix: rename the column, or name it (columns found: {value})."
    )
    assert err.localised("cy") == (
        f"data {value}.csv, rhes 3: nid oes colofn {value} ar gyfer cod ward. "
        f"Disgwylid un o'r colofnau {value}. "
        f"I drwsio: ailenwch y golofn, neu enwch hi (colofnau a gafwyd: {value})."
    )
    account = LocalisedError(N_("{path}: [oidc] must be a table"), {"path": value})
    assert str(account) == f"{value}: [oidc] must be a table"
    assert account.localised("cy") == f"{value}: rhaid i [oidc] fod yn dabl"


def test_english_message_as_before_and_welsh_frame():
    err = InputError(
        N_("the file is empty"),
        file="x.csv",
        expected=N_("a header line and at least one data row"),
    )
    assert (
        err.message == "x.csv: the file is empty. Expected a header line and at least one data row."
    )
    assert str(err) == err.message
    assert err.localised("cy") == (
        "x.csv: mae'r ffeil yn wag. Disgwylid llinell pennawd ac o leiaf un rhes ddata."
    )
    assert err.localised("en") == err.message
    moved = err.replace(file="a.csv, b.csv")
    assert moved.message == err.message.replace("x.csv", "a.csv, b.csv")
    assert moved.templates == err.templates and moved.values == err.values


def test_nested_texts_and_lists_are_translated():
    text = Text(
        N_("the store has no {missing}"),
        {"missing": either([Text(N_("ward boundaries")), Text(N_("the LSOA 2011→2021 lookup"))])},
    )
    assert str(text) == "the store has no ward boundaries or the LSOA 2011→2021 lookup"
    assert text.localised("cy") == (
        "nid oes gan y storfa ffiniau wardiau neu dabl cyfatebu AGEHI 2011→2021"
    )
    assert str(Text.join("; ", ["a{b}", Text(N_("nothing"))])) == "a{b}; nothing"


def test_a_broken_translation_falls_back_to_english():
    def broken(template: str) -> str:
        return "{nonsense}" if template else template

    assert fill("LSOA {code} appears twice", {"code": "W01"}, broken) == "LSOA W01 appears twice"


def test_text_given_where_a_template_was_due_comes_out_as_it_is():
    """Braces in a text made before this API (or by mistake): shown, never an error."""
    err = InputError("column {Month} of {0} is bad", file="x.csv")
    assert err.message == "x.csv: column {Month} of {0} is bad."
    assert err.localised("cy") == "x.csv: column {Month} of {0} is bad."


# ------------------------------------------------------------------ real bad files

#: Corpus cases (tests/corpus.py) through the loaders: one or more per raise site family.
CASES = [
    "crimes/drop-Month",  # police_uk: missing column(s)
    "crimes/empty",  # csv_decode: the file is empty
    "crimes/header-only",  # police_uk: header but no rows
    "crimes/utf16",  # csv_guard: UTF-16
    "crimes/nul-in-row",  # csv_guard: a NUL byte, with its row
    "crimes/html-page",  # csv_guard: a web page
    "crimes/extra-field",  # csv_guard: ragged row
    "crimes/unterminated-quote",  # csv_guard: an unclosed quote
    "crimes/duplicate-header",  # csv_decode: the header repeats
    "crimes/bad-Month-d68d6316",  # police_uk: a bad month, with its row
    "crimes/bad-Longitude-352441c2",  # cells: a coordinate, with its row
    "crimes-zip/encrypted",  # street_files: an encrypted zip
    "crimes-zip/nested",  # street_files: a zip inside a zip
    "crimes-folder/no-street-files",  # street_files: an empty folder
    "extract/bad-ho_code-00000000",  # force_extract: blank code, with its row
    "extract/bad-recorded_at-e5342a36",  # force_extract: a date, with its row
    "extract/bad-domestic_flag-15291baa",  # force_extract: a flag, with its row
    "extract/mixed-time-zones",  # force_extract: time zones, with its row
    "extract-mapping/unknown-field",  # force_extract mapping
    "boundaries-geojson/points",  # boundaries: not polygons
    "boundaries-geojson/duplicate-codes",  # boundaries: a code twice
    "boundaries-shpzip/without-dbf",  # boundaries: a Shapefile without its .dbf
    "boundaries/kml-suffix",  # boundaries: not a format read
    "lookup-lsoa21-ward/drop-WD22CD",  # lookups: not a lookup the tool knows
]


@pytest.fixture(scope="module")
def corpus_cases(tmp_path_factory):
    from tests import corpus

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cases = corpus.generate(tmp_path_factory.mktemp("corpus"))
    return {c.name: c for c in cases}


@pytest.fixture(scope="module")
def grid_store(tmp_path_factory):
    from tests.conftest import build_grid_store

    return build_grid_store(tmp_path_factory.mktemp("errors-store"))


def refused(case, store) -> InputError:
    """The InputError a corpus case is refused with (loaded as the CLI does)."""
    from hotspots.definitions import load_definition
    from hotspots.io.force_extract import read_extract_mapping
    from hotspots.store.ingest import load_paths

    with pytest.raises(InputError) as info:
        if case.kind == "definition":
            load_definition(case.paths[0])
        else:
            mapping = read_extract_mapping(case.mapping) if case.mapping else None
            load_paths(store, case.kind, case.paths, mapping=mapping, **case.options)
    return info.value


def check_welsh(exc: InputError, file_name: str, row: int | None) -> str:
    """The Welsh message: every template translated, the file and row named; returns it."""
    cy = exc.localised("cy")
    en_problem, *_ = exc.templates
    cy_problem = fill(en_problem, exc.values, CY)
    assert CY(en_problem) != en_problem, f"no Welsh for {en_problem!r}"
    assert cy_problem != exc.problem, cy
    for template, english in zip(exc.templates, (exc.problem, exc.expected, exc.fix), strict=True):
        if template and _has_words(template):
            assert CY(template) != template, f"no Welsh for {template!r}"
            assert english not in cy, f"English left in {cy!r}: {english!r}"
    assert "Expected " not in cy and "Fix: " not in cy, cy
    assert file_name in cy, cy
    if row is not None:
        assert f"rhes {row}:" in cy, cy
    return cy


@pytest.mark.parametrize("name", CASES)
def test_real_bad_files_say_it_in_welsh(name, corpus_cases, grid_store):
    case = corpus_cases[name]
    exc = refused(case, grid_store)
    assert re.search(case.expect, exc.message, re.S), exc.message  # English as before
    check_welsh(exc, case.file_name, case.row)


def test_the_cases_cover_many_raise_sites(corpus_cases, grid_store):
    """At least 15 different templates are met by the cases above."""
    problems = {refused(corpus_cases[n], grid_store).templates[0] for n in CASES}
    assert len(problems) >= 15, problems


def test_the_command_line_speaks_welsh_when_asked(tmp_path, monkeypatch, capsys):
    from hotspots.cli import main

    bad = tmp_path / "2023-01-dyfed-powys-street.csv"
    bad.write_text("Crime ID,Month\n", encoding="utf-8")
    monkeypatch.setenv("HOTSPOTS_LANG", "cy")
    code = main(["--data-dir", str(tmp_path / "store"), "load", "crimes", str(bad)])
    err = capsys.readouterr().err
    assert code == 2
    assert "2023-01-dyfed-powys-street.csv: nid oes gan y storfa ffiniau wardiau" in err
    assert "Ni newidiwyd dim yn y storfa." in err
    monkeypatch.delenv("HOTSPOTS_LANG")
    main(["--data-dir", str(tmp_path / "store"), "load", "crimes", str(bad)])
    err = capsys.readouterr().err
    assert "2023-01-dyfed-powys-street.csv: the store has no ward boundaries" in err
    assert "Nothing was changed in the store." in err


# ------------------------------------------------------------------ accounts and sign-in


def test_accounts_errors_in_welsh(tmp_path):
    from hotspots.access import accounts as acc

    path = tmp_path / "accounts {x} 100%.toml"
    with pytest.raises(acc.AccountsError) as info:
        acc.parse_accounts({"users": {"ann": {"role": "boss", "password_hash": "$2b$x"}}}, path)
    exc = info.value
    assert str(exc) == f"{path}: [users.ann]: role must be one of partner, analyst, not 'boss'"
    assert exc.localised("cy") == (
        f"{path}: [users.ann]: rhaid i role fod yn un o partner, analyst, nid 'boss'"
    )
    with pytest.raises(acc.AccountsError) as info:
        acc.parse_oidc({"roles": {"ann@x.org": "analyst"}, "colour": "red"}, path)
    assert info.value.localised("cy") == f"{path}: mae allwedd(i) anhysbys ['colour'] yn [oidc]"


def test_sign_in_set_up_problems_in_welsh():
    from dashboard.oidc import oidc_problems
    from hotspots.access.accounts import parse_oidc

    oidc = parse_oidc({"default_role": "partner", "provider": "council"})
    auth = {"redirect_uri": "https://x.org/oauth2callback", "cookie_secret": "s"}
    assert oidc_problems(auth, oidc) == ["no [auth.council] section in .streamlit/secrets.toml"]
    assert oidc_problems(auth, oidc, lang="cy") == [
        "nid oes adran [auth.council] yn .streamlit/secrets.toml"
    ]
    lacking = oidc_problems({**auth, "council": {"client_id": "c"}}, oidc, False, lang="cy")
    assert lacking == [
        "nid oes client_secret yn [auth.council]",
        "nid oes server_metadata_url yn [auth.council]",
        "mae st.login Streamlit angen Authlib>=1.3.2 (pip install Authlib)",
    ]


@pytest.mark.slow
def test_a_broken_accounts_file_closes_the_welsh_dashboard_in_welsh(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    accounts = tmp_path / "accounts.toml"
    accounts.write_text("[users.ann\nrole = 'analyst'\n", encoding="utf-8")
    monkeypatch.setenv("HOTSPOTS_ACCOUNTS", str(accounts))
    monkeypatch.setenv("HOTSPOTS_AUDIT_LOG", str(tmp_path / "audit.jsonl"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["lang"] = "cy"
    at.run()
    assert not at.exception, at.exception
    from dashboard.safe_text import plain

    shown = [plain(e.value) for e in at.error]
    assert len(shown) == 1, shown
    assert f"nid yw {accounts} yn TOML dilys: " in shown[0], shown
    assert "is not valid TOML" not in shown[0]


def test_a_mistyped_base_map_setting_in_welsh_with_its_braces():
    from hotspots.outputs.basemap import basemap_from_env

    with pytest.raises(InputError) as info:
        basemap_from_env({"HOTSPOTS_BASEMAP_URL": "https://tiles.example/{z}/{x}.png"})
    exc = info.value
    assert exc.message == (
        "HOTSPOTS_BASEMAP_URL: the base map address 'https://tiles.example/{z}/{x}.png' has "
        "no {y}. Expected an address with {z}, {x} and {y} where the tile's zoom and column "
        "go. Fix: set HOTSPOTS_BASEMAP_URL to a tile address such as "
        "https://host/{z}/{x}/{y}.png."
    )
    assert exc.localised("cy") == (
        "HOTSPOTS_BASEMAP_URL: nid oes {y} yng nghyfeiriad y map sylfaen "
        "'https://tiles.example/{z}/{x}.png'. Disgwylid cyfeiriad gyda {z}, {x} a {y} lle "
        "mae chwyddo a cholofn y deilsen yn mynd. I drwsio: gosodwch HOTSPOTS_BASEMAP_URL i "
        "gyfeiriad teils fel https://host/{z}/{x}/{y}.png."
    )
