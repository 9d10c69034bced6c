"""A generated corpus of malformed (and acceptable-but-odd) inputs for every loader.

:func:`generate` writes files into a folder and yields :class:`Case` objects. Each case
says which loader reads it (a key of :data:`hotspots.store.ingest.KINDS`, or ``"definition"``
for :func:`hotspots.definitions.load_definition`) and what must happen:

* ``expect`` is a regular expression the :class:`~hotspots.errors.InputError` message
  must match (searched, not anchored): the input must be **refused**, with a message that
  names ``file`` (and ``row`` when the problem is in one row), and the store unchanged;
* ``expect is LOADS``: the input is odd but acceptable (a byte-order mark, Windows-1252
  text, CRLF line ends, HTML in a text field, unknown LSOA codes, duplicate rows…) and
  must **load**, with every row read accounted for in the reconciliation.

Cases are built on the conftest's hand-built grid (four wards, six 2021 LSOAs), so a case
that loads is placed in real wards. Bad values are planted at a pseudo-random data row
chosen from the case name (stable from run to run), and the message must name that row.

Decisions written into the expectations (see the loaders for the code):

* Coordinates that do not fit the file's CRS (metres labelled EPSG:4326, degrees labelled
  British National Grid, swapped latitude/longitude) are refused with a message about the
  CRS: the wards must lie in the UK once projected to EPSG:27700.
* A GeoJSON file without a ``crs`` member is EPSG:4326 by definition (RFC 7946), so a
  GeoJSON file of metres is "wrong CRS", not "no CRS". GeoJSON is UTF-8 by definition
  too: Latin-1 bytes in it are refused (CSV files in Windows-1252 are read).
* Codes nobody knows: boundaries or an LSOA→ward lookup whose wards do not match are
  refused while crimes are loaded (they must be placed again), naming the file; without
  crimes in the store they load, and the next crime load says so.
* Dates: police.uk months and force-extract dates must fall in 1900–2100; population years
  in 1990–2100. Anything else is refused as out of range.
* Coordinates out of range (longitude 999) are refused; unknown LSOA codes (English E01,
  nonsense) load and are reconciled as *outside the area*.
* Files over ``HOTSPOTS_MAX_FILE_MB`` (default 512 MB), and zip members that would unpack
  to more than that, are refused before they are read (the loaders hold a file in memory;
  a 1 GB file of rows takes about 30 s and 2.3 GB when the limit is raised).
* NUL bytes anywhere in a CSV are refused (naming the row); a cell of 10 MB, CR-only line
  ends, a line break inside quotes and bytes that are neither UTF-8 nor Windows-1252 (0x81,
  replaced) load.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
from shapely.geometry import LineString, Point, Polygon, box

from tests.conftest import (
    GRID_LSOA11,
    GRID_LSOA21,
    GRID_PFA,
    GRID_POPULATION,
    GRID_WARDS,
    POLICE_UK_HEADER,
    X0,
    Y0,
    lonlat,
    police_row,
)


class _Loads:
    """Marker: the input is acceptable-but-odd and must load."""

    def __repr__(self) -> str:
        return "LOADS"


LOADS = _Loads()


@dataclass(frozen=True)
class Case:
    """One input and what must happen to it.

    Attributes
    ----------
    name : str
        Unique, readable (``crimes/drop-month``).
    kind : str
        A key of ``hotspots.store.ingest.KINDS``, or ``"definition"``.
    paths : tuple of Path
        What is given to the loader.
    expect : str or LOADS
        Regex the message must match, or :data:`LOADS`.
    file : str or None
        The file name the message must contain (default: the first path's name).
    row : int or None
        The data row the message must name ("row N"), when the problem is in a row.
    mapping : Path or None
        A force-extract column mapping (TOML) given with ``--mapping``.
    options : dict
        Other keyword arguments of ``load_paths`` (``code_column``…).
    env : dict
        Environment variables set while the case runs (``HOTSPOTS_MAX_FILE_MB``).
    totals : dict
        For cases that load: reconciliation parts that must be at least this large.
    """

    name: str
    kind: str
    paths: tuple[Path, ...]
    expect: str | _Loads
    file: str | None = None
    row: int | None = None
    mapping: Path | None = None
    options: dict = field(default_factory=dict)
    env: dict = field(default_factory=dict)
    totals: dict = field(default_factory=dict)

    @property
    def loads(self) -> bool:
        return self.expect is LOADS

    @property
    def file_name(self) -> str:
        return self.file if self.file is not None else self.paths[0].name

    def __str__(self) -> str:
        return self.name


# --------------------------------------------------------------------------------------
# helpers


def pick(name: str, n: int) -> int:
    """A stable pseudo-random data row in 1..n for the case ``name``."""
    return zlib.crc32(name.encode()) % n + 1


def csv_text(header: list[str], rows: list[list], newline: str = "\n") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=newline)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def _put(path: Path, data: bytes | str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


def _drop(header: list[str], rows: list[list], col: str) -> tuple[list[str], list[list]]:
    i = header.index(col)
    return header[:i] + header[i + 1 :], [r[:i] + r[i + 1 :] for r in rows]


def _rename(header: list[str], old: str, new: str) -> list[str]:
    return [new if h == old else h for h in header]


def _set(rows: list[list], row: int, col: int, value) -> list[list]:
    out = [list(r) for r in rows]
    out[row - 1][col] = value
    return out


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _patch_zip(path: Path, *, flag: int | None = None, method: int | None = None) -> Path:
    """Set the general-purpose flag or the compression method of every member (in the
    local headers and the central directory): an "encrypted" or Deflate64 zip."""
    data = bytearray(path.read_bytes())
    for sig, flag_at, method_at in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):
        start = 0
        while (i := data.find(sig, start)) >= 0:
            if flag is not None:
                data[i + flag_at] |= flag
            if method is not None:
                data[i + method_at : i + method_at + 2] = method.to_bytes(2, "little")
            start = i + 4
    path.write_bytes(bytes(data))
    return path


def _sparse(path: Path, head: bytes, size: int) -> Path:
    """A file of ``size`` bytes: ``head`` then NUL bytes (sparse: nothing is written)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(head)
        fh.truncate(size)
    return path


HTML_PAGE = (
    "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
    "<body><h1>Bad Gateway</h1></body></html>\n"
)
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(document.cookie)>"
FORMULA = '=HYPERLINK("http://evil.example","click")'

#: Where a planted Markdown image would send the browser (tests/dashboard/test_hostile_strings.py
#: serves it on a free port and counts the requests; ``{port}`` is filled in there).
TRACKER = "http://127.0.0.1:{port}/track.png"

#: Hostile text for names and other strings that come from files (label → text): Markdown
#: and HTML that would become markup, spreadsheet formulas, Streamlit's own Markdown
#: additions, and odd text that must still show as given. The loaders strip leading and
#: trailing white space from names, so the tab- and CR-led cases reach the writers
#: directly (test_hostile_strings feeds them in).
HOSTILE_TEXT = {
    "image-formula": '=HYPERLINK("http://x","y") ![t](' + TRACKER + ")",
    "image": "![t](" + TRACKER + ") Ward",
    "link": "[click](http://evil.example/phish) Ward",
    "reference-link": "[click][1]\n\n[1]: http://evil.example/ref",
    "autolink": "<http://evil.example/a> http://evil.example/b www.evil.example c@evil.example",
    "img-onerror": '<img src=x onerror="alert(document.cookie)">',
    "script": "<script>alert('ward')</script>",
    "html-entities": "&lt;b&gt;not bold&lt;/b&gt; &amp; <b>bold</b> &copy;",
    "formula-plus": "+cmd|' /C calc'!A0",
    "formula-minus": "-1+1 Ward",
    "formula-at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "formula-tab": "\t=1+1",
    "formula-cr": "\r=1+1",
    "long": "Llan" + "fair" * 1500 + " [x](http://evil.example/long)",
    "rtl-override": "Ward \u202egnp.exe\u202c end",
    "null-none": "None",
    "null-nan": "NaN",
    "null-null": "NULL",
    "null-na": "N/A",
    "format": "{0} {ward_name!r} %s %(x)s {{}} {__class__}",
    "latex": "$x^2$ and $$\\int_0^1$$ Ward",
    "colour": ":red[Ward] :blue-background[x] :rainbow[y] :small[z]",
    "material": ":material/home: :streamlit: :smile: :+1:",
    "blocks": "# Heading\n- item\n> quote\n| a | b |\n|---|---|\n---",
    "emphasis": "**bold** _it_ ~~strike~~ `code` ~one~",
    "backslash": "C:\\Users\\x \\*not bold\\* \\",
    "unicode": "Ynys Môn ŵŷ Llanfair\u00adpwll 😀 \u0627\u0644\u0639\u0631\u0628\u064a\u0629",
}


# --------------------------------------------------------------------------------------
# shared mutations of a CSV (every tabular loader gets them)


@dataclass(frozen=True)
class Table:
    """A valid CSV of one kind, the base of the mutations."""

    kind: str
    prefix: str  # case names start with this
    filename: str  # the file name (matters: police.uk names carry the force)
    header: list[str]
    rows: list[list]
    text_column: str  # a free-text column (Latin-1, HTML and huge values go there)
    required: dict[str, str]  # column → regex of the message when it is dropped
    optional: tuple[str, ...]  # columns whose absence is fine
    #: mutation → regex or LOADS where this kind differs from the default
    special: dict = field(default_factory=dict)


#: What each generic mutation must give by default (regex or LOADS); ``{row}`` is filled.
GENERIC = {
    "empty": r"the file is empty",
    "whitespace": r"the file is empty",
    "header-only": r"header but no rows",
    "header-blank-lines": r"header but no rows",
    "bom": LOADS,
    "bom-crlf": LOADS,
    "crlf": LOADS,
    "cr-only": LOADS,
    "latin1": LOADS,
    "cp1252": LOADS,
    "undefined-byte": LOADS,  # 0x81: neither UTF-8 nor Windows-1252 (replaced)
    "utf16": r"UTF-16",
    "nul-in-row": r"row {row}.*NUL byte",
    "all-nul": r"binary data, not text",
    "gzip-bytes": r"compressed file",
    "zip-bytes": r"compressed file",
    "html-page": r"web page \(HTML\)",
    "huge-field": LOADS,  # a 10 MB cell in the free-text column
    "huge-line": r"first line is over 1 MB long",  # 10 MB, no line end: not a header
    "extra-field": r"row {row}.*fields where the header has",
    "missing-field": r"row {row}.*fields where the header has",
    "unterminated-quote": r"row {row}.*double quote",
    "quoted-newline": LOADS,
    "duplicate-rows": LOADS,
    "duplicate-header": r"repeats column",
    "script-in-text": LOADS,
    "formula-in-text": LOADS,
}


def table_cases(folder: Path, t: Table) -> Iterator[Case]:
    """The generic mutations of ``t``: columns dropped, encodings, line ends, bytes."""
    d = folder / t.prefix
    n = len(t.rows)
    text_i = t.header.index(t.text_column)

    def case(
        mut: str, data: bytes | str, filename: str | None = None, row=None, encoding="utf-8"
    ) -> Case:
        expect = t.special.get(mut, GENERIC[mut])
        name = f"{t.prefix}/{mut}"
        path = _put(d / mut / (filename or t.filename), data, encoding)
        if expect is not LOADS:
            expect = expect.format(row=row)
        else:
            row = None
        return Case(name, t.kind, (path,), expect, row=row if expect is not LOADS else None)

    base = csv_text(t.header, t.rows)
    yield Case(f"{t.prefix}/valid", t.kind, (_put(d / "valid" / t.filename, base),), LOADS)
    for col, rx in t.required.items():
        h, r = _drop(t.header, t.rows, col)
        yield Case(
            f"{t.prefix}/drop-{col}",
            t.kind,
            (_put(d / f"drop-{col}" / t.filename, csv_text(h, r)),),
            rx,
        )
    for col in t.optional:
        h, r = _drop(t.header, t.rows, col)
        yield Case(
            f"{t.prefix}/drop-{col}",
            t.kind,
            (_put(d / f"drop-{col}" / t.filename, csv_text(h, r)),),
            LOADS,
        )
    yield case("empty", b"")
    yield case("whitespace", b"  \r\n\n \t\n")
    yield case("header-only", csv_text(t.header, []))
    yield case("header-blank-lines", csv_text(t.header, []) + "\n\n\n")
    yield case("bom", "\ufeff" + base)
    yield case("bom-crlf", "\ufeff" + csv_text(t.header, t.rows, "\r\n"))
    yield case("crlf", csv_text(t.header, t.rows, "\r\n"))
    yield case("cr-only", csv_text(t.header, t.rows, "\r"))
    r = pick(t.prefix + "latin1", n)
    yield case(
        "latin1", csv_text(t.header, _set(t.rows, r, text_i, "Caf\xe9 Ll\xfdn")), encoding="latin-1"
    )
    r = pick(t.prefix + "cp1252", n)
    smart = "\u2018Bryn\u2019 \u2013 \u20ac"
    yield case("cp1252", csv_text(t.header, _set(t.rows, r, text_i, smart)), encoding="cp1252")
    r = pick(t.prefix + "undefined", n)
    yield case(
        "undefined-byte",
        csv_text(t.header, _set(t.rows, r, text_i, "\x81"))
        .encode("utf-8")
        .replace(b"\xc2\x81", b"\x81"),
    )
    yield case("utf16", base.encode("utf-16"))
    r = pick(t.prefix + "nul", n)
    yield case("nul-in-row", csv_text(t.header, _set(t.rows, r, text_i, "a\x00b")), row=r)
    yield Case(
        f"{t.prefix}/all-nul",
        t.kind,
        (_sparse(d / "all-nul" / t.filename, b"", 1 << 20),),
        t.special.get("all-nul", GENERIC["all-nul"]),
    )
    yield case("gzip-bytes", gzip.compress(base.encode()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("inner.csv", base)
    yield case("zip-bytes", buf.getvalue())
    yield case("html-page", HTML_PAGE)
    r = pick(t.prefix + "huge", n)
    yield case("huge-field", csv_text(t.header, _set(t.rows, r, text_i, "x" * 10_000_000)), row=r)
    yield case("huge-line", b"," * 3 + b"y" * 10_000_000)
    r = pick(t.prefix + "extra", n)
    rows = [list(x) for x in t.rows]
    rows[r - 1] = [*rows[r - 1], "surplus"]
    yield case("extra-field", csv_text(t.header, rows), row=r)
    r = pick(t.prefix + "missing", n)
    rows = [list(x) for x in t.rows]
    rows[r - 1] = rows[r - 1][:-2]
    yield case("missing-field", csv_text(t.header, rows), row=r)
    r = pick(t.prefix + "quote", n)
    lines = base.splitlines(keepends=True)
    lines[r] = '"' + lines[r]
    yield case("unterminated-quote", "".join(lines), row=r)
    r = pick(t.prefix + "newline", n)
    yield case("quoted-newline", csv_text(t.header, _set(t.rows, r, text_i, "line 1\nline 2")))
    yield case("duplicate-rows", csv_text(t.header, t.rows + t.rows[:3]))
    yield case("duplicate-header", csv_text([*t.header, t.header[0]], [[*x, x[0]] for x in t.rows]))
    r = pick(t.prefix + "script", n)
    yield case("script-in-text", csv_text(t.header, _set(t.rows, r, text_i, SCRIPT + IMG)))
    r = pick(t.prefix + "formula", n)
    yield case("formula-in-text", csv_text(t.header, _set(t.rows, r, text_i, FORMULA)))


def typed_cases(folder: Path, t: Table, bad: list[tuple[str, str, str]]) -> Iterator[Case]:
    """A bad value in a typed column at a pseudo-random row: (column, value, regex)."""
    for col, value, rx in bad:
        slug = f"{col}-{zlib.crc32(value.encode()):08x}"
        name = f"{t.prefix}/bad-{slug}"
        r = pick(name, len(t.rows))
        rows = _set(t.rows, r, t.header.index(col), value)
        path = _put(folder / t.prefix / f"bad-{slug}" / t.filename, csv_text(t.header, rows))
        if rx is LOADS:
            yield Case(name, t.kind, (path,), LOADS)
        else:
            yield Case(name, t.kind, (path,), rx, row=r)


# --------------------------------------------------------------------------------------
# police.uk street CSVs, archive zips and folders

CRIME_FILE = "2023-01-grid-street.csv"


def police_rows() -> list[list]:
    """40 valid police.uk rows on the grid (codes, points and both)."""
    lsoas = list(GRID_LSOA21)
    types = ["Robbery", "Violence and sexual offences", "Drugs", "Burglary"]
    rows = []
    for i in range(40):
        x, y = 100 + (i * 37) % 1800, 100 + (i * 53) % 1800
        rows.append(
            police_row(
                f"id{i:03d}", x=x, y=y, lsoa=lsoas[i % len(lsoas)], ctype=types[i % len(types)]
            )
        )
    return rows


POLICE_REQUIRED = {
    "Crime ID": r"missing column.*Crime ID",
    "Month": r"missing column.*Month",
    "Longitude": r"missing column.*Longitude",
    "Latitude": r"missing column.*Latitude",
    "LSOA code": r"missing column.*LSOA code",
    "Crime type": r"missing column.*Crime type",
}


def police_table() -> Table:
    return Table(
        kind="crimes",
        prefix="crimes",
        filename=CRIME_FILE,
        header=POLICE_UK_HEADER,
        rows=police_rows(),
        text_column="Location",
        required=POLICE_REQUIRED,
        optional=(
            "Reported by",
            "Falls within",
            "Location",
            "LSOA name",
            "Last outcome category",
            "Context",
        ),
    )


def police_cases(folder: Path) -> Iterator[Case]:
    t = police_table()
    yield from table_cases(folder, t)
    yield from typed_cases(
        folder,
        t,
        [
            ("Longitude", "abc", r"Longitude 'abc' is not a number"),
            ("Longitude", "51,5", r"Longitude '51,5' is not a number"),
            ("Latitude", "N51.5", r"Latitude 'N51.5' is not a number"),
            ("Latitude", "-", r"Latitude '-' is not a number"),
            ("Longitude", "999", r"Longitude 999.* outside -180"),
            ("Latitude", "-91", r"Latitude -91.* outside -90"),
            ("Longitude", "inf", r"Longitude inf.* outside -180"),
            ("Latitude", "nan", LOADS),  # Arrow reads NaN/N/A as empty: unlocated
            ("Longitude", "N/A", LOADS),
            ("Month", "2023-13", r"month '2023-13' is not a month"),
            ("Month", "01/2023", r"month '01/2023' is not a month"),
            ("Month", "Jan 2023", r"month 'Jan 2023' is not a month"),
            ("Month", "", r"Month cell is blank"),
            ("Month", "2023-1", r"month '2023-1' is not a month"),
            ("Month", "1899-12", r"month '1899-12' is out of range"),
            ("Month", "2999-01", r"month '2999-01' is out of range"),
            ("Month", "0000-01", r"month '0000-01' is out of range"),
            ("LSOA code", "E01000001", LOADS),  # English LSOA: outside the area
            ("LSOA code", "NOT-A-CODE", LOADS),  # nonsense: outside the area
            ("LSOA code", "x01000001", LOADS),  # lower case: upper-cased, placed
            ("Crime type", "", LOADS),  # no type: counted in no category
            ("Crime type", "Space piracy", LOADS),  # unknown type: counted in no category
            ("Crime ID", "", LOADS),  # no Crime ID: skipped (anti-social behaviour)
        ],
    )
    d = folder / "crimes"
    rows = t.rows
    # header variants and renamed columns
    variants = {
        "lower-underscore": [h.lower().replace(" ", "_") for h in POLICE_UK_HEADER],
        "upper-spaced": [f"  {h.upper()} " for h in POLICE_UK_HEADER],
    }
    for v, header in variants.items():
        yield Case(
            f"crimes/header-{v}",
            "crimes",
            (_put(d / f"header-{v}" / CRIME_FILE, csv_text(header, rows)),),
            LOADS,
        )
    for old, new, rx in (
        ("Month", "Date", r"missing column.*Month"),
        ("Crime type", "Category", r"missing column.*Crime type"),
        ("Longitude", "Lon", r"missing column.*Longitude"),
        ("LSOA code", "LSOA11CD", r"missing column.*LSOA code"),
    ):
        yield Case(
            f"crimes/rename-{new}",
            "crimes",
            (
                _put(
                    d / f"rename-{new}" / CRIME_FILE,
                    csv_text(_rename(POLICE_UK_HEADER, old, new), rows),
                ),
            ),
            rx,
        )
    # reconciled oddities
    yield Case(
        "crimes/all-asb",
        "crimes",
        (
            _put(
                d / "all-asb" / CRIME_FILE,
                csv_text(
                    POLICE_UK_HEADER,
                    [["", *r[1:-3], "Anti-social behaviour", "", ""] for r in rows],
                ),
            ),
        ),
        LOADS,
        totals={"skipped": len(rows)},
    )
    yield Case(
        "crimes/duplicate-ids",
        "crimes",
        (_put(d / "duplicate-ids" / CRIME_FILE, csv_text(POLICE_UK_HEADER, rows + rows)),),
        LOADS,
        totals={"duplicates": len(rows)},
    )
    yield Case(
        "crimes/english-lsoas",
        "crimes",
        (
            _put(
                d / "english-lsoas" / CRIME_FILE,
                csv_text(POLICE_UK_HEADER, [[*r[:7], "E01000001", *r[8:]] for r in rows]),
            ),
        ),
        LOADS,
        totals={"outside": len(rows)},
    )
    yield Case(
        "crimes/no-locations",
        "crimes",
        (
            _put(
                d / "no-locations" / CRIME_FILE,
                csv_text(POLICE_UK_HEADER, [[*r[:4], "", "", "", "", *r[8:]] for r in rows]),
            ),
        ),
        LOADS,
        totals={"unlocated": len(rows)},
    )
    yield Case(
        "crimes/two-months",
        "crimes",
        (
            _put(
                d / "two-months" / CRIME_FILE,
                csv_text(
                    POLICE_UK_HEADER,
                    [[r[0], "2023-02" if i % 2 else r[1], *r[2:]] for i, r in enumerate(rows)],
                ),
            ),
        ),
        LOADS,
    )
    yield Case(
        "crimes/nonstandard-name",
        "crimes",
        (_put(d / "nonstandard-name" / "my crimes.CSV", csv_text(POLICE_UK_HEADER, rows)),),
        LOADS,
    )
    # swapped longitude/latitude are valid numbers far away: placed by LSOA code, or
    # unlocated (the reconciliation shows it)
    yield Case(
        "crimes/lon-lat-swapped",
        "crimes",
        (
            _put(
                d / "lon-lat-swapped" / CRIME_FILE,
                csv_text(POLICE_UK_HEADER, [[*r[:4], r[5], r[4], *r[6:]] for r in rows]),
            ),
        ),
        LOADS,
    )
    hostile = "<img src=x onerror=alert(1)>"
    yield Case(
        "crimes/hostile-file-name",
        "crimes",
        (
            _put(
                d / "hostile-file-name" / f"2023-01-{hostile}-street.csv",
                csv_text(*_drop(POLICE_UK_HEADER, rows, "Month")),
            ),
        ),
        r"missing column.*Month",
    )
    yield Case(
        "crimes/no-such-file",
        "crimes",
        (d / "nowhere" / CRIME_FILE,),
        r"no such file",
        file=str(d / "nowhere" / CRIME_FILE),
    )
    # a wrong kind of file given as crimes
    yield Case(
        "crimes/a-lookup-file",
        "crimes",
        (
            _put(
                d / "lookup" / CRIME_FILE,
                csv_text(["LSOA21CD", "WD22CD"], [[k, v] for k, v in GRID_LSOA21.items()]),
            ),
        ),
        r"missing column.*police.uk street CSV header",
    )

    # archive zips
    good = csv_text(POLICE_UK_HEADER, rows).encode()
    member = "2023-01/2023-01-grid-street.csv"
    z = d / "zip"
    yield Case(
        "crimes-zip/valid", "crimes", (_zip(z / "valid" / "2023-01.zip", {member: good}),), LOADS
    )
    full = _zip(z / "tmp" / "2023-01.zip", {member: good}).read_bytes()
    yield Case(
        "crimes-zip/truncated",
        "crimes",
        (_put(z / "truncated" / "2023-01.zip", full[: len(full) // 2]),),
        r"damaged or incomplete",
    )
    yield Case(
        "crimes-zip/tail-cut",
        "crimes",
        (_put(z / "tail-cut" / "2023-01.zip", full[:-10]),),
        r"damaged or incomplete",
    )
    yield Case(
        "crimes-zip/zero-bytes",
        "crimes",
        (_put(z / "zero" / "2023-01.zip", b""),),
        r"damaged or incomplete",
    )
    yield Case(
        "crimes-zip/not-a-zip",
        "crimes",
        (_put(z / "not-a-zip" / "2023-01.zip", good),),
        r"damaged or incomplete",
    )
    yield Case(
        "crimes-zip/no-members",
        "crimes",
        (_zip(z / "empty" / "2023-01.zip", {}),),
        r"holds no police.uk street CSVs",
    )
    yield Case(
        "crimes-zip/other-members",
        "crimes",
        (_zip(z / "other" / "2023-01.zip", {"readme.txt": b"hello", "data.csv": good}),),
        r"holds no police.uk street CSVs",
    )
    inner = _zip(z / "tmp" / "inner.zip", {member: good}).read_bytes()
    yield Case(
        "crimes-zip/nested",
        "crimes",
        (_zip(z / "nested" / "outer.zip", {"2023-01.zip": inner}),),
        r"holds no police.uk street CSVs.*zip inside",
    )
    bad_month = csv_text(POLICE_UK_HEADER, _set(rows, 7, 1, "2023-99")).encode()
    yield Case(
        "crimes-zip/bad-member",
        "crimes",
        (_zip(z / "bad-member" / "2023-01.zip", {member: bad_month}),),
        r"month '2023-99' is not a month",
        file=f"2023-01.zip:{member}",
        row=7,
    )
    yield Case(
        "crimes-zip/one-bad-of-two",
        "crimes",
        (
            _zip(
                z / "one-bad" / "2023-01.zip",
                {
                    member: good,
                    "2023-01/2023-01-other-street.csv": csv_text(
                        *_drop(POLICE_UK_HEADER, rows, "Crime type")
                    ).encode(),
                },
            ),
        ),
        r"missing column.*Crime type",
        file="2023-01-other-street.csv",
    )
    yield Case(
        "crimes-zip/binary-member",
        "crimes",
        (_zip(z / "binary" / "2023-01.zip", {member: b"\x00" * 4096}),),
        r"binary",
        file=member,
    )
    yield Case(
        "crimes-zip/encrypted",
        "crimes",
        (_patch_zip(_zip(z / "encrypted" / "2023-01.zip", {member: good}), flag=0x1),),
        r"encrypted|password",
    )
    yield Case(
        "crimes-zip/deflate64",
        "crimes",
        (_patch_zip(_zip(z / "deflate64" / "2023-01.zip", {member: good}), method=9),),
        r"compression method",
    )
    crc = bytearray(full)
    i = crc.find(b"PK\x03\x04") + 30 + len(member) + 5
    crc[i] ^= 0xFF
    yield Case(
        "crimes-zip/corrupt-data",
        "crimes",
        (_put(z / "crc" / "2023-01.zip", bytes(crc)),),
        r"damaged or incomplete",
    )
    # a zip bomb: a member that unpacks to more than the limit (lowered for the test)
    yield Case(
        "crimes-zip/bomb",
        "crimes",
        (_zip(z / "bomb" / "2023-01.zip", {member: good + b"\x00" * (48 << 20)}),),
        r"unpacks to \d+ MB.*over the limit",
        file=member,
        env={"HOTSPOTS_MAX_FILE_MB": "32"},
    )
    yield Case(
        "crimes-zip/traversal-name",
        "crimes",
        (_zip(z / "traversal" / "2023-01.zip", {"../../2023-01-grid-street.csv": good}),),
        LOADS,
    )

    # folders
    f = d / "folders"
    (f / "empty").mkdir(parents=True, exist_ok=True)
    yield Case(
        "crimes-folder/empty",
        "crimes",
        (f / "empty",),
        r"no police.uk street CSVs",
        file=str(f / "empty"),
    )
    _put(f / "no-street" / "notes.txt", "hello")
    _put(f / "no-street" / "data.csv", good)
    yield Case(
        "crimes-folder/no-street-files",
        "crimes",
        (f / "no-street",),
        r"no police.uk street CSVs",
        file=str(f / "no-street"),
    )
    _put(f / "one-bad" / "2023-01-grid-street.csv", good)
    _put(
        f / "one-bad" / "2023-02-grid-street.csv",
        csv_text(POLICE_UK_HEADER, _set([[r[0], "2023-02", *r[2:]] for r in rows], 12, 4, "east")),
    )
    yield Case(
        "crimes-folder/one-bad-of-two",
        "crimes",
        (f / "one-bad",),
        r"Longitude 'east' is not a number",
        file="2023-02-grid-street.csv",
        row=12,
    )
    _put(f / "good" / "2023-01-grid-street.csv", good)
    _put(
        f / "good" / "2023-02-grid-street.csv",
        csv_text(POLICE_UK_HEADER, [[r[0], "2023-02", *r[2:]] for r in rows]),
    )
    _put(f / "good" / "readme.txt", "not a street file")
    yield Case("crimes-folder/valid", "crimes", (f / "good",), LOADS)


# --------------------------------------------------------------------------------------
# force extracts

EXTRACT_HEADER = [
    "crime_reference",
    "recorded_at",
    "ho_code",
    "offence_description",
    "latitude",
    "longitude",
    "easting",
    "northing",
    "lsoa_code",
    "domestic_flag",
    "alcohol_flag",
    "drugs_flag",
    "knife_flag",
    "terrorism_flag",
    "victim_age_band",
    "victim_sex",
]
EXTRACT_FILE = "grid-extract.csv"


def extract_rows() -> list[list]:
    lsoas = list(GRID_LSOA21)
    codes = [
        ("8N", "Assault with injury"),
        ("34B", "Robbery of personal property"),
        ("92A", "Trafficking in controlled drugs"),
        ("5D", "Assault by penetration"),
    ]
    rows = []
    for i in range(40):
        x, y = 100 + (i * 41) % 1800, 100 + (i * 29) % 1800
        lon, lat = lonlat(x, y)
        code, desc = codes[i % len(codes)]
        rows.append(
            [
                f"GP/{i:05d}",
                f"2023-01-{1 + i % 28:02d} {i % 24:02d}:15",
                code,
                desc,
                lat,
                lon,
                f"{X0 + x:.0f}",
                f"{Y0 + y:.0f}",
                lsoas[i % len(lsoas)],
                "Y" if i % 5 == 0 else "N",
                "",
                "N",
                "no",
                "N",
                "18-24",
                "F",
            ]
        )
    return rows


def extract_table() -> Table:
    return Table(
        kind="crimes-extract",
        prefix="extract",
        filename=EXTRACT_FILE,
        header=EXTRACT_HEADER,
        rows=extract_rows(),
        text_column="offence_description",
        required={
            "crime_reference": r"missing column.*crime_reference",
            "recorded_at": r"missing column.*recorded_at",
            "ho_code": r"missing column.*ho_code",
        },
        optional=(
            "offence_description",
            "domestic_flag",
            "alcohol_flag",
            "knife_flag",
            "terrorism_flag",
            "victim_age_band",
            "victim_sex",
            "lsoa_code",
        ),
    )


def extract_cases(folder: Path) -> Iterator[Case]:
    t = extract_table()
    yield from table_cases(folder, t)
    yield from typed_cases(
        folder,
        t,
        [
            ("crime_reference", "", r"crime reference is blank"),
            ("crime_reference", "   ", r"crime reference is blank"),
            ("ho_code", "", r"offence code is blank"),
            ("ho_code", "ZZZ", LOADS),  # unknown code: counted in no category
            ("ho_code", "008n", LOADS),  # spelling normalised to 8N
            ("recorded_at", "yesterday", r"recorded date-time 'yesterday' cannot be read"),
            ("recorded_at", "2023-02-30 10:00", r"recorded date-time '2023-02-30 10:00' cannot"),
            ("recorded_at", "31/12/2023", r"recorded date-time '31/12/2023' cannot be read"),
            ("recorded_at", "2023-01-05 25:61", r"cannot be read"),
            ("recorded_at", "1850-01-01 10:00", r"recorded date-time '1850-01-01 10:00' is out of"),
            ("recorded_at", "2263-01-01 10:00", r"recorded date-time '2263-01-01 10:00' is out of"),
            ("recorded_at", "0001-01-01 00:00", r"recorded date-time '0001-01-01 00:00' is out of"),
            ("recorded_at", "9999-12-31 23:59", r"out of range"),
            ("recorded_at", "07/02/2023 01:15", LOADS),  # day-first is documented
            ("recorded_at", "2023-01-05", LOADS),  # ISO date without a time
            ("latitude", "abc", r"latitude 'abc' is not a number"),
            ("longitude", "-3,2", r"longitude '-3,2' is not a number"),
            ("easting", "300 000", r"easting '300 000' is not a number"),
            ("northing", "N", r"northing 'N' is not a number"),
            ("latitude", "95", r"latitude 95.* outside -90"),
            ("longitude", "-200", r"longitude -200.* outside -180"),
            ("easting", "-5000000", r"easting -5000000.* outside"),
            ("northing", "99999999", r"northing 99999999.* outside"),
            ("domestic_flag", "maybe", r"domestic flag 'maybe' is not yes or no"),
            ("alcohol_flag", "2", r"alcohol flag '2' is not yes or no"),
            ("drugs_flag", "?", r"drugs flag '\?' is not yes or no"),
            ("knife_flag", "knife", r"knife flag 'knife' is not yes or no"),
            ("terrorism_flag", "unknown", r"terrorism flag 'unknown' is not yes or no"),
            ("domestic_flag", "YES", LOADS),
            ("lsoa_code", "E01000001", LOADS),
            ("lsoa_code", "rubbish", LOADS),
            ("victim_sex", SCRIPT, LOADS),
        ],
    )
    d = folder / "extract"
    rows = t.rows
    h, r = EXTRACT_HEADER, rows
    for col in ("latitude", "longitude", "easting", "northing", "lsoa_code"):
        h, r = _drop(h, r, col)
    yield Case(
        "extract/no-location-columns",
        "crimes-extract",
        (_put(d / "no-location" / EXTRACT_FILE, csv_text(h, r)),),
        r"no location columns",
    )
    yield Case(
        "extract/duplicate-references",
        "crimes-extract",
        (_put(d / "dups" / EXTRACT_FILE, csv_text(EXTRACT_HEADER, rows + rows)),),
        LOADS,
        totals={"duplicates": len(rows)},
    )
    yield Case(
        "extract/english-lsoas-no-points",
        "crimes-extract",
        (
            _put(
                d / "english" / EXTRACT_FILE,
                csv_text(
                    EXTRACT_HEADER, [[*x[:4], "", "", "", "", "E01000001", *x[9:]] for x in rows]
                ),
            ),
        ),
        LOADS,
        totals={"outside": len(rows)},
    )
    zoned = [[x[0], x[1].replace(" ", "T") + "Z", *x[2:]] for x in rows]
    yield Case(
        "extract/one-time-zone",
        "crimes-extract",
        (_put(d / "zone" / EXTRACT_FILE, csv_text(EXTRACT_HEADER, zoned)),),
        LOADS,
    )
    yield Case(
        "extract/mixed-time-zones",
        "crimes-extract",
        (
            _put(
                d / "zones" / EXTRACT_FILE,
                csv_text(EXTRACT_HEADER, _set(zoned, 5, 1, zoned[4][1].replace("Z", "+01:00"))),
            ),
        ),
        r"mix time zones",
        row=5,
    )
    yield Case(
        "extract/a-folder", "crimes-extract", (d / "dups",), r"a folder", file=str(d / "dups")
    )
    yield Case(
        "extract/police-uk-file",
        "crimes-extract",
        (_put(d / "police" / EXTRACT_FILE, csv_text(POLICE_UK_HEADER, police_rows())),),
        r"missing column.*crime_reference.*--mapping",
    )

    # column mappings (TOML)
    m = d / "mapping"
    renamed = {
        "crime_reference": "CRN",
        "recorded_at": "Recorded Date",
        "ho_code": "HO Code",
        "latitude": "Lat",
        "longitude": "Long",
        "domestic_flag": "DA Flag",
    }
    header = [renamed.get(c, c) for c in EXTRACT_HEADER]
    dmy = [[x[0], _dmy(x[1]), *x[2:]] for x in rows]
    data = _put(m / "renamed.csv", csv_text(header, dmy))
    good_toml = (
        'source = "grid-force"\ndate_format = "%d/%m/%Y %H:%M"\n[columns]\n'
        'crime_reference = "CRN"\nrecorded_at = "Recorded Date"\nho_code = "HO Code"\n'
        'latitude = "Lat"\nlongitude = "Long"\ndomestic = "DA Flag"\n'
    )

    def mcase(name, toml: str | bytes, expect, file="mapping.toml", row=None, csv_path=data):
        mp = _put(m / name / "mapping.toml", toml)
        return Case(
            f"extract-mapping/{name}",
            "crimes-extract",
            (csv_path,),
            expect,
            file=file,
            row=row,
            mapping=mp,
        )

    yield mcase("valid", good_toml, LOADS)
    yield mcase("bom", "\ufeff" + good_toml, LOADS)
    yield mcase("invalid-toml", good_toml.replace('= "CRN"', "= CRN"), r"not valid TOML")
    yield mcase("unknown-field", good_toml + 'colour = "Colour"\n', r"unknown field.*colour")
    yield mcase(
        "absent-column",
        good_toml.replace('"CRN"', '"Crime No"'),
        r"missing column.*Crime No",
        file="renamed.csv",
    )
    yield mcase(
        "wrong-date-format",
        good_toml.replace("%d/%m/%Y", "%Y-%m-%d"),
        r"cannot be read.*date_format",
        file="renamed.csv",
        row=1,
    )
    yield mcase(
        "date-format-bad-directive",
        good_toml.replace("%d/%m/%Y", "%Q/%m/%Y"),
        r"date-times cannot be read.*bad directive.*date_format",
        file="renamed.csv",
    )
    yield mcase(
        "date-format-number", good_toml.replace('"%d/%m/%Y %H:%M"', "5"), r"date_format.*text"
    )
    yield mcase("columns-array", 'source = "x"\ncolumns = ["CRN", "Date"]\n', r"\[columns\].*table")
    yield mcase("column-number", good_toml.replace('"CRN"', "7"), r"crime_reference.*text")
    yield mcase(
        "source-table",
        good_toml.replace('source = "grid-force"', "source = {a = 1}"),
        r"source.*text",
    )
    yield mcase("empty-source", good_toml.replace('"grid-force"', '""'), r"source")
    yield mcase("latin1", good_toml.replace("grid-force", "gr\xeff").encode("latin-1"), r"UTF-8")
    yield mcase("empty", "", r"missing column.*crime_reference", file="renamed.csv")


def _dmy(iso: str) -> str:
    date, time = iso.split(" ")
    y, mo, da = date.split("-")
    return f"{da}/{mo}/{y} {time}"


# --------------------------------------------------------------------------------------
# boundaries

FORMATS = ("geojson", "gpkg", "shpzip", "parquet")


def grid_wards(crs: str = "EPSG:27700", code="WD22CD", name="WD22NM") -> gpd.GeoDataFrame:
    gdf = gpd.GeoDataFrame(
        {
            code: list(GRID_WARDS),
            name: [v[0] for v in GRID_WARDS.values()],
            "LAD22CD": [v[1] for v in GRID_WARDS.values()],
            "LAD22NM": [v[2] for v in GRID_WARDS.values()],
        },
        geometry=[
            box(X0 + v[3], Y0 + v[4], X0 + v[3] + 1000, Y0 + v[4] + 1000)
            for v in GRID_WARDS.values()
        ],
        crs="EPSG:27700",
    )
    return gdf.to_crs(crs) if crs != "EPSG:27700" else gdf


def write_geo(gdf: gpd.GeoDataFrame, folder: Path, fmt: str, stem="wards") -> Path:
    """Write ``gdf`` as ``fmt``; a Shapefile is zipped (all its parts)."""
    folder.mkdir(parents=True, exist_ok=True)
    if fmt == "geojson":
        path = folder / f"{stem}.geojson"
        gdf.to_file(path, driver="GeoJSON")
    elif fmt == "gpkg":
        path = folder / f"{stem}.gpkg"
        gdf.to_file(path, driver="GPKG")
    elif fmt == "parquet":
        path = folder / f"{stem}.parquet"
        gdf.to_parquet(path)
    else:
        shp = folder / "shp"
        shp.mkdir(exist_ok=True)
        gdf.to_file(shp / f"{stem}.shp")
        path = folder / f"{stem}.zip"
        with zipfile.ZipFile(path, "w") as zf:
            for part in sorted(shp.iterdir()):
                zf.write(part, part.name)
    return path


def _geojson(path: Path, features: list[dict], crs: str | None = None) -> Path:
    doc: dict = {"type": "FeatureCollection", "features": features}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    return _put(path, json.dumps(doc))


def _ring(x: float, y: float) -> list[list[float]]:
    return [
        [X0 + x, Y0 + y],
        [X0 + x + 1000, Y0 + y],
        [X0 + x + 1000, Y0 + y + 1000],
        [X0 + x, Y0 + y + 1000],
        [X0 + x, Y0 + y],
    ]


def _feature(code: str, name: str, geometry: dict | None) -> dict:
    return {"type": "Feature", "properties": {"WD22CD": code, "WD22NM": name}, "geometry": geometry}


def boundary_cases(folder: Path) -> Iterator[Case]:
    d = folder / "boundaries"
    base = grid_wards()
    bowtie = Polygon([(X0, Y0), (X0 + 1000, Y0 + 1000), (X0 + 1000, Y0), (X0, Y0 + 1000)])
    for fmt in FORMATS:
        f = d / fmt

        def case(name, gdf, expect, row=None, fmt=fmt, f=f):
            return Case(
                f"boundaries-{fmt}/{name}",
                "boundaries",
                (write_geo(gdf, f / name, fmt),),
                expect,
                row=row,
            )

        yield case("valid", base, LOADS)
        yield case("reprojected-4326", grid_wards("EPSG:4326"), LOADS)
        yield case("empty", base.iloc[0:0], r"holds no features")
        g = base.copy()
        g.loc[2, "geometry"] = bowtie
        yield case("invalid-bowtie", g, LOADS)
        g = base.copy()
        g.loc[1, "geometry"] = Polygon()
        yield case("empty-geometry", g, r"empty geometry", row=2)
        yield case("points", base.set_geometry(base.geometry.centroid), r"not polygons")
        g = base.copy()
        g.loc[2, "WD22CD"] = g.loc[1, "WD22CD"]
        yield case("duplicate-codes", g, r"appears twice", row=3)
        yield case("no-code-column", base.drop(columns=["WD22CD"]), r"no ward code column")
        g = base.copy()
        g.loc[3, "WD22NM"] = SCRIPT
        yield case("script-in-name", g, LOADS)
        if fmt != "geojson":  # GeoJSON without "crs" is EPSG:4326 by definition
            yield case(
                "no-crs", base.set_crs(None, allow_override=True), r"no coordinate reference system"
            )
        yield case(
            "metres-labelled-4326",
            base.set_crs("EPSG:4326", allow_override=True),
            r"not longitude/latitude",
        )
        yield case(
            "degrees-labelled-27700",
            grid_wards("EPSG:4326").set_crs("EPSG:27700", allow_override=True),
            r"(smaller than|outside).*CRS",
        )
    g = grid_wards("EPSG:4326")
    swapped = g.set_geometry(
        g.geometry.map(lambda p: Polygon([(y, x) for x, y in p.exterior.coords]))
    )
    yield Case(
        "boundaries/lat-lon-swapped",
        "boundaries",
        (write_geo(swapped, d / "swapped", "gpkg"),),
        r"outside the UK.*CRS",
    )
    yield Case(
        "boundaries/web-mercator",
        "boundaries",
        (write_geo(grid_wards("EPSG:3857"), d / "mercator", "gpkg"),),
        LOADS,
    )
    g = base.copy()
    g.loc[2, "geometry"] = LineString([(X0, Y0), (X0 + 1000, Y0 + 1000)])
    yield Case(
        "boundaries/one-line",
        "boundaries",
        (write_geo(g, d / "line", "gpkg"),),
        r"LineString.*not polygons",
    )
    g = base.copy()
    g["WD22CD"] = g["WD22CD"].astype(object)
    g.loc[2, "WD22CD"] = None
    yield Case(
        "boundaries/blank-code",
        "boundaries",
        (write_geo(g, d / "blank", "gpkg"),),
        r"has no ward code",
        row=3,
    )
    # Codes the lookups do not know: with crimes loaded, placing them again needs the
    # lookup's wards in the boundaries, so the load is refused (naming the file).
    yield Case(
        "boundaries/numeric-codes",
        "boundaries",
        (write_geo(base.assign(WD22CD=[1, 2, 3, 4]), d / "numeric", "gpkg"),),
        r"4 ward\(s\) of the LSOA→ward lookup are not in the boundaries",
    )
    yield Case(
        "boundaries/code-column-named",
        "boundaries",
        (write_geo(grid_wards(code="id", name="label"), d / "named", "gpkg"),),
        LOADS,
        options={"code_column": "id", "name_column": "label"},
    )
    yield Case(
        "boundaries/code-column-absent",
        "boundaries",
        (write_geo(base, d / "absent", "gpkg"),),
        r"no column 'ward_id'",
        options={"code_column": "ward_id"},
    )
    sliver = Polygon([(X0, Y0), (X0 + 1000, Y0), (X0 + 2000, Y0), (X0, Y0)])
    g = base.copy()
    g.loc[1, "geometry"] = sliver
    yield Case(
        "boundaries/no-area",
        "boundaries",
        (write_geo(g, d / "no-area", "gpkg"),),
        r"no area",
        row=2,
    )
    g = base.copy()
    g.loc[0, "geometry"] = box(X0, Y0, X0 + 1000, Y0 + 1000).union(Point(X0 + 5000, Y0).buffer(10))
    yield Case("boundaries/multipolygon", "boundaries", (write_geo(g, d / "multi", "gpkg"),), LOADS)
    from shapely import force_3d

    yield Case(
        "boundaries/3d-polygons",
        "boundaries",
        (write_geo(base.set_geometry(force_3d(base.geometry.array, 50.0)), d / "z", "gpkg"),),
        LOADS,
    )
    gj = d / "geojson-raw"
    rings = [_ring(v[3], v[4]) for v in GRID_WARDS.values()]
    polys = [
        {
            "type": "Polygon",
            "coordinates": [[list(map(float, lonlat(x - X0, y - Y0))) for x, y in ring]],
        }
        for ring in rings
    ]
    poly = polys[0]
    codes = list(GRID_WARDS)

    def grid(geoms=polys, names=("A", "B", "C", "D")) -> list[dict]:
        return [_feature(c, n, g) for c, n, g in zip(codes, names, geoms, strict=True)]

    yield Case(
        "boundaries-geojson/null-geometry",
        "boundaries",
        (_geojson(gj / "null.geojson", grid([*polys[:1], None, *polys[2:]])),),
        r"empty geometry",
        row=2,
    )
    yield Case(
        "boundaries-geojson/empty-coordinates",
        "boundaries",
        (
            _geojson(
                gj / "emptycoords.geojson",
                grid([*polys[:1], {"type": "Polygon", "coordinates": []}, *polys[2:]]),
            ),
        ),
        r"empty geometry",
        row=2,
    )
    yield Case(
        "boundaries-geojson/named-crs-27700",
        "boundaries",
        (
            _geojson(
                gj / "crs27700.geojson",
                grid([{"type": "Polygon", "coordinates": [r]} for r in rings]),
                "urn:ogc:def:crs:EPSG::27700",
            ),
        ),
        LOADS,
    )
    yield Case(
        "boundaries-geojson/metres-no-crs",
        "boundaries",
        (
            _geojson(
                gj / "metres.geojson",
                grid([{"type": "Polygon", "coordinates": [r]} for r in rings]),
            ),
        ),
        r"not longitude/latitude",
    )
    yield Case(
        "boundaries-geojson/one-feature-of-four",
        "boundaries",
        (_put(gj / "feature.geojson", json.dumps(_feature("X05000001", "A", poly))),),
        r"3 ward\(s\) of the LSOA→ward lookup are not in the boundaries",
    )
    yield Case(
        "boundaries-geojson/not-json",
        "boundaries",
        (_put(gj / "bad.geojson", '{"type": "FeatureCollection", "features": [{"ty'),),
        r"cannot be read as boundaries",
    )
    yield Case(
        "boundaries-geojson/bom",
        "boundaries",
        (
            _put(
                gj / "bom.geojson",
                "\ufeff" + json.dumps({"type": "FeatureCollection", "features": grid()}),
            ),
        ),
        LOADS,
    )
    # GeoJSON is UTF-8 by definition (RFC 7946): Latin-1 bytes are refused, not guessed.
    yield Case(
        "boundaries-geojson/latin1-name",
        "boundaries",
        (
            _put(
                gj / "latin1.geojson",
                json.dumps(
                    {
                        "type": "FeatureCollection",
                        "features": grid(names=("Caf\xe9", "B", "C", "D")),
                    },
                    ensure_ascii=False,
                ).encode("latin-1"),
            ),
        ),
        r"cannot be read as boundaries.*utf-8",
    )
    yield Case(
        "boundaries-geojson/utf8-welsh-names",
        "boundaries",
        (
            _put(
                gj / "welsh.geojson",
                json.dumps(
                    {
                        "type": "FeatureCollection",
                        "features": grid(names=("Ll\u0177n", "Caf\xe9", "Tŷ Gwyn", "D")),
                    },
                    ensure_ascii=False,
                ).encode("utf-8"),
            ),
        ),
        LOADS,
    )
    yield Case(
        "boundaries-geojson/nan-coordinates",
        "boundaries",
        (
            _put(
                gj / "nan.geojson",
                json.dumps(
                    {
                        "type": "FeatureCollection",
                        "features": [
                            _feature(
                                "X05000001",
                                "A",
                                {
                                    "type": "Polygon",
                                    "coordinates": [
                                        [
                                            [float("nan"), 51.0],
                                            [-3.0, 51.0],
                                            [-3.0, 51.1],
                                            [float("nan"), 51.0],
                                        ]
                                    ],
                                },
                            )
                        ],
                    }
                ),
            ),
        ),
        r"cannot be read|empty geometry|not finite|no area",
    )
    yield Case(
        "boundaries-geojson/geometry-collection",
        "boundaries",
        (
            _geojson(
                gj / "gc.geojson",
                [_feature("X05000001", "A", {"type": "GeometryCollection", "geometries": [poly]})],
            ),
        ),
        r"not polygons",
    )
    yield Case(
        "boundaries-geojson/html-page",
        "boundaries",
        (_put(gj / "page.geojson", HTML_PAGE),),
        r"cannot be read as boundaries",
    )
    for fmt, suffix in (
        ("geojson", "geojson"),
        ("gpkg", "gpkg"),
        ("shpzip", "zip"),
        ("parquet", "parquet"),
    ):
        yield Case(
            f"boundaries-{fmt}/zero-bytes",
            "boundaries",
            (_put(d / "zero" / f"wards.{suffix}", b""),),
            r"cannot be read|damaged",
        )
        yield Case(
            f"boundaries-{fmt}/garbage",
            "boundaries",
            (_put(d / "garbage" / f"wards.{suffix}", b"\x13\x37" * 2048),),
            r"cannot be read as boundaries|damaged",
        )
    shz = write_geo(base, d / "shp-parts", "shpzip")
    with zipfile.ZipFile(shz) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    for drop, rx in (
        (".dbf", r"wards.shp has no \.dbf"),
        (".shx", r"wards.shp has no \.shx"),
        (".shp", r"holds no Shapefile"),
    ):
        kept = {n: b for n, b in parts.items() if not n.endswith(drop)}
        yield Case(
            f"boundaries-shpzip/without-{drop[1:]}",
            "boundaries",
            (_zip(d / f"shp-no-{drop[1:]}" / "wards.zip", kept),),
            rx,
        )
    yield Case(
        "boundaries-shpzip/without-prj",
        "boundaries",
        (
            _zip(
                d / "shp-no-prj" / "wards.zip",
                {n: b for n, b in parts.items() if not n.endswith(".prj")},
            ),
        ),
        r"no coordinate reference system",
    )
    blob = shz.read_bytes()
    yield Case(
        "boundaries-shpzip/truncated",
        "boundaries",
        (_put(d / "shp-trunc" / "wards.zip", blob[: len(blob) // 2]),),
        r"damaged or incomplete",
    )
    yield Case(
        "boundaries-shpzip/nested",
        "boundaries",
        (_zip(d / "shp-nested" / "outer.zip", {"wards.zip": blob}),),
        r"zip inside a zip",
    )
    yield Case(
        "boundaries-shpzip/upper-case-parts",
        "boundaries",
        (_zip(d / "shp-upper" / "WARDS.ZIP", {n.upper(): b for n, b in parts.items()}),),
        LOADS,
    )
    yield Case(
        "boundaries-parquet/no-geo-metadata",
        "boundaries",
        (_plain_parquet(d / "plain" / "wards.parquet"),),
        r"cannot be read as boundaries",
    )
    yield Case(
        "boundaries/kml-suffix",
        "boundaries",
        (_put(d / "kml" / "wards.kml", "<kml/>"),),
        r"not a boundary format",
    )
    yield Case(
        "boundaries/csv-suffix",
        "boundaries",
        (_put(d / "csv" / "wards.csv", "WD22CD\nX05000001\n"),),
        r"not a boundary format",
    )


def _plain_parquet(path: Path) -> Path:
    import pandas as pd

    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"WD22CD": list(GRID_WARDS), "geometry": ["x"] * 4}).to_parquet(path)
    return path


# --------------------------------------------------------------------------------------
# lookups

LSOA21_WARD_HEADER = [
    "LSOA21CD",
    "LSOA21NM",
    "LSOA21NMW",
    "WD22CD",
    "WD22NM",
    "WD22NMW",
    "LAD22CD",
    "LAD22NM",
    "LAD22NMW",
    "ObjectId",
]
LSOA11_HEADER = [
    "lsoa11_code",
    "lsoa11_name",
    "change_code",
    "lsoa21_code",
    "lsoa21_name",
    "ltla22_code",
    "ltla22_name",
]
LAD_HEADER = ["ltla24_code", "ltla24_name", "csp24_code", "csp24_name", "pfa24_code", "pfa24_name"]


def lookup_tables() -> list[Table]:
    w21 = [
        [
            lsoa,
            f"L {lsoa}",
            "",
            ward,
            GRID_WARDS[ward][0],
            "",
            GRID_WARDS[ward][1],
            GRID_WARDS[ward][2],
            "",
            str(i),
        ]
        for i, (lsoa, ward) in enumerate(GRID_LSOA21.items())
    ]
    l11 = [[a, f"Old {a}", c, b, "", "", ""] for a, c, b in GRID_LSOA11]
    lad = [
        ["X06000001", "Alpha", "", "", GRID_PFA, "Grid"],
        ["X06000002", "Beta", "", "", GRID_PFA, "Grid"],
    ]
    not_lookup = r"not a lookup the tool knows"
    common = {
        "duplicate-header": LOADS,  # pandas keeps the first; the copy is ignored
        "duplicate-rows": LOADS,
    }  # identical rows are dropped
    return [
        Table(
            "lookup",
            "lookup-lsoa21-ward",
            "lsoa21_ward22.csv",
            LSOA21_WARD_HEADER,
            w21,
            "LSOA21NM",
            {
                "LSOA21CD": not_lookup,
                "WD22CD": not_lookup,
                "WD22NM": r"no column for the ward name",
                "LAD22CD": r"no column for the local authority code",
                "LAD22NM": r"no column for the local authority name",
            },
            ("LSOA21NM", "LSOA21NMW", "WD22NMW", "LAD22NMW", "ObjectId"),
            common,
        ),
        Table(
            "lookup",
            "lookup-lsoa11-21",
            "lsoa11_lsoa21.csv",
            LSOA11_HEADER,
            l11,
            "lsoa11_name",
            {"lsoa11_code": not_lookup, "lsoa21_code": not_lookup},
            ("change_code", "lsoa11_name", "ltla22_code"),
            common,
        ),
        Table(
            "lookup",
            "lookup-lad-force",
            "lad_pfa.csv",
            LAD_HEADER,
            lad,
            "ltla24_name",
            {
                "ltla24_code": not_lookup,
                "pfa24_code": not_lookup,
                "pfa24_name": r"no column for the police force area name",
            },
            ("ltla24_name", "csp24_code", "csp24_name"),
            {**common, "duplicate-rows": LOADS},
        ),
    ]


def lookup_cases(folder: Path) -> Iterator[Case]:
    w21, l11, lad = lookup_tables()
    for t in (w21, l11, lad):
        yield from table_cases(folder, t)
    yield from typed_cases(
        folder,
        w21,
        [
            ("LSOA21CD", "X0100000", r"2021 LSOA code 'X0100000' is not a valid code"),
            ("LSOA21CD", "", r"2021 LSOA code '' is not a valid code"),
            ("WD22CD", "Ward A", r"ward code 'WARD A' is not a valid code"),
            ("WD22CD", SCRIPT, r"ward code .* is not a valid code"),
            ("LSOA21CD", "e01000001", LOADS),
            ("WD22NM", SCRIPT + FORMULA, LOADS),
        ],
    )
    yield from typed_cases(
        folder,
        l11,
        [
            ("lsoa11_code", "W01ABC", r"2011 LSOA code 'W01ABC' is not a valid code"),
            ("lsoa21_code", "-", r"2021 LSOA code '-' is not a valid code"),
            ("change_code", "?", LOADS),
        ],
    )
    yield from typed_cases(
        folder,
        lad,
        [
            ("ltla24_code", "Alpha", r"local authority code 'ALPHA' is not a valid code"),
            ("pfa24_name", IMG, LOADS),
        ],
    )
    d = folder / "lookup-other"
    rows = list(w21.rows)
    two = [*rows, [rows[2][0], *rows[0][1:]]]
    yield Case(
        "lookup-lsoa21-ward/lsoa-in-two-wards",
        "lookup",
        (_put(d / "two-wards" / w21.filename, csv_text(w21.header, two)),),
        r"LSOA X01000003 is given more than one ward",
        row=len(two),
    )
    two = [*lad.rows, ["X06000001", "Alpha", "", "", "X15000002", "Other"]]
    yield Case(
        "lookup-lad-force/la-in-two-forces",
        "lookup",
        (_put(d / "two-forces" / lad.filename, csv_text(lad.header, two)),),
        r"local authority X06000001 is in two police forces",
        row=3,
    )
    yield Case(
        "lookup/a-folder",
        "lookup",
        (d / "two-wards",),
        r"a folder was given",
        file=str(d / "two-wards"),
    )
    yield Case(
        "lookup/a-crimes-file",
        "lookup",
        (_put(d / "crimes" / "lookup.csv", csv_text(POLICE_UK_HEADER, police_rows())),),
        r"not a lookup the tool knows",
    )
    eng = [
        [f"E0100{i:04d}", "", "", "E05000001", "Eng", "", "E06000001", "Eng LA", "", i]
        for i in range(5)
    ]
    # English wards the boundaries do not hold: refused while crimes must be placed again
    yield Case(
        "lookup-lsoa21-ward/english",
        "lookup",
        (_put(d / "english" / w21.filename, csv_text(w21.header, eng)),),
        r"ward\(s\) of the LSOA→ward lookup are not in the boundaries \(e.g. E05000001\)",
    )
    yield Case(
        "lookup-lsoa11-21/english",
        "lookup",
        (
            _put(
                d / "english11" / l11.filename,
                csv_text(
                    l11.header,
                    [[f"E0100{i:04d}", "", "U", f"E0100{i:04d}", "", "", ""] for i in range(5)],
                ),
            ),
        ),
        LOADS,
    )


# --------------------------------------------------------------------------------------
# deprivation

WIMD_STEMS = [
    "IMD",
    "Income",
    "Employment",
    "Health",
    "Education",
    "Access",
    "Housing",
    "Crime",
    "Environment",
]
IMD_STEMS = [
    "IMD",
    "Income",
    "Employment",
    "Education",
    "Health",
    "Crime",
    "Housing_and_Access",
    "Environment",
]


def deprivation_table(
    stems=WIMD_STEMS, prefix="deprivation-wimd", lsoa="X0100000{}", filename="wimd2019_ranks.csv"
) -> Table:
    header = ["lsoa_code", "lsoa_name"]
    for s in stems:
        header += [f"{s}_rank", f"{s}_decile", f"{s}_score"]
    n = 10
    rows = []
    for i in range(n):
        row = [lsoa.format(i), f"Area {i}"]
        for j, _ in enumerate(stems):
            rank = (i + j) % n + 1
            row += [str(rank), str((rank - 1) * 10 // n + 1), f"{50 - rank * 2.5:.1f}"]
        rows.append(row)
    not_dep = r"not a deprivation file the tool knows"
    return Table(
        "deprivation",
        prefix,
        filename,
        header,
        rows,
        "lsoa_name",
        {
            "lsoa_code": not_dep,
            "IMD_rank": not_dep,
            "Income_rank": r"no column for the Income rank",
            "Environment_rank": r"no column for the Environment rank",
        },
        ("lsoa_name", "IMD_decile", "IMD_score", "Health_score"),
        {"duplicate-header": LOADS, "duplicate-rows": r"LSOA \S+ appears twice"},
    )


def deprivation_cases(folder: Path) -> Iterator[Case]:
    t = deprivation_table()
    yield from table_cases(folder, t)
    n = len(t.rows)
    yield from typed_cases(
        folder,
        t,
        [
            ("IMD_rank", "abc", r"IMD_rank 'abc' is not a number"),
            ("IMD_rank", "", r"IMD_rank '' is not a number"),
            ("Income_rank", "0", r"Income_rank 0 is outside 1\.\.10"),
            ("Health_rank", "-3", r"Health_rank -3 is outside 1\.\.10"),
            ("Access_rank", str(n + 1), rf"Access_rank {n + 1} is outside 1\.\.10"),
            ("Crime_rank", "2.5", r"Crime_rank 2\.5 is not a whole number"),
            ("IMD_decile", "11", r"IMD_decile 11 is outside 1\.\.10"),
            ("Income_decile", "x", r"Income_decile 'x' is not a number"),
            ("Housing_score", "n/a", r"Housing_score 'n/a' is not a number"),
            ("lsoa_code", "W05000001", r"LSOA code 'W05000001' is not a valid code"),
            ("lsoa_code", "", r"LSOA code '' is not a valid code"),
            ("Income_rank", " 3 ", LOADS),
            ("IMD_rank", "1e400", r"IMD_rank '1e400' is not a number"),
        ],
    )
    rows = [*t.rows[:-1], [t.rows[0][0].lower(), *t.rows[-1][1:]]]
    yield Case(
        "deprivation-wimd/lsoa-twice",
        "deprivation",
        (_put(folder / t.prefix / "lsoa-twice" / t.filename, csv_text(t.header, rows)),),
        r"LSOA X01000000 appears twice",
        row=n,
    )
    imd = deprivation_table(IMD_STEMS, "deprivation-imd", "E0100000{}", "imd2019_ranks.csv")
    yield Case(
        "deprivation-imd/valid",
        "deprivation",
        (_put(folder / "deprivation-imd" / imd.filename, csv_text(imd.header, imd.rows)),),
        LOADS,
    )
    yield from typed_cases(
        folder,
        imd,
        [("Housing_and_Access_rank", "top", r"Housing_and_Access_rank 'top' is not a number")],
    )


# --------------------------------------------------------------------------------------
# population


def population_table() -> Table:
    rows = [["", k, str(v)] for k, v in GRID_POPULATION.items()]
    rows += [["", f"X0100010{i}", str(10 + i)] for i in range(6)]
    return Table(
        "population",
        "population",
        "population_mid2022_lsoa11.csv",
        ["lsoa11_name", "lsoa11_code", "total_population"],
        rows,
        "lsoa11_name",
        {
            "lsoa11_code": r"no column for the LSOA code",
            "total_population": r"no column for the total population",
        },
        ("lsoa11_name",),
        {"duplicate-header": LOADS, "duplicate-rows": r"LSOA \S+ appears twice"},
    )


def population_cases(folder: Path) -> Iterator[Case]:
    t = population_table()
    yield from table_cases(folder, t)
    yield from typed_cases(
        folder,
        t,
        [
            ("total_population", "-5", r"population '-5' is not a count"),
            ("total_population", "many", r"population 'many' is not a count"),
            ("total_population", "", r"population '' is not a count"),
            ("total_population", "1,234", LOADS),
            ("total_population", "1e12", LOADS),  # odd, but a whole number
            ("total_population", "12.5", r"population '12.5' is not a count"),
            ("total_population", "inf", r"population 'inf' is not a count"),
            ("lsoa11_code", "X01", r"LSOA code 'X01' is not a valid code"),
            ("lsoa11_code", IMG, r"LSOA code .* is not a valid code"),
        ],
    )
    d = folder / "population-other"
    rows = t.rows
    twice = [*rows[:-1], [rows[-1][0], rows[0][1], rows[-1][2]]]
    yield Case(
        "population/lsoa-twice",
        "population",
        (_put(d / "lsoa-twice" / t.filename, csv_text(t.header, twice)),),
        rf"LSOA {rows[0][1]} appears twice",
        row=len(rows),
    )
    yield Case(
        "population/no-year",
        "population",
        (_put(d / "no-year" / "population_lsoa.csv", csv_text(t.header, rows)),),
        r"population year is not known",
    )
    for label, year, rx in (
        ("text", "abc", r"year 'abc' is not a year"),
        ("blank", "", r"year '' is not a year"),
        ("early", "1066", r"population year 1066 is out of range"),
        ("late", "20190", r"population year 20190 is out of range"),
        ("decimal", "2019.5", r"year '2019.5' is not a year"),
    ):
        yield Case(
            f"population/year-{label}",
            "population",
            (
                _put(
                    d / f"year-{label}" / "population_lsoa.csv",
                    csv_text([*t.header, "year"], [[*r, year] for r in rows]),
                ),
            ),
            rx,
            row=1,
        )
    yield Case(
        "population/year-column",
        "population",
        (
            _put(
                d / "year-column" / "population_lsoa.csv",
                csv_text([*t.header, "year"], [[*r, "2021"] for r in rows]),
            ),
        ),
        LOADS,
    )
    yield Case(
        "population/name-year-1066",
        "population",
        (_put(d / "name-1066" / "population_mid1066.csv", csv_text(t.header, rows)),),
        r"no year|year is not known|out of range",
    )


# --------------------------------------------------------------------------------------
# harm weights (the ONS Crime Severity Score table by Home Office code)


def harm_table() -> Table:
    rows = [
        ["1", "Murder", "violence against the person", "7973.3934"],
        ["4.1", "Manslaughter", "violence against the person", "7973.3934"],
        ["8N", "Assault with injury", "violence against the person", "189.1539"],
        ["19C", "Rape of a female aged 16 and over", "sexual offences", "2952.9410"],
        ["29A", "Aggravated Burglary Residential", "theft offences", "2288.6692"],
        ["34B", "Robbery of personal property", "robbery", "799.6289"],
        ["92D", "Possession of controlled drugs (excl. Cannabis)", "drug offences", "8.0820"],
        ["92E", "Possession of controlled drugs (Cannabis)", "drug offences", "1.7706"],
    ]
    return Table(
        "harm-weights",
        "harm",
        "ons_css_weights_by_ho_code.csv",
        ["ho_code", "offence", "offence_group", "css_weight"],
        rows,
        "offence",
        {
            "ho_code": r"missing column\(s\) \['ho_code'\]",
            "offence": r"missing column\(s\) \['offence'\]",
            "css_weight": r"missing column\(s\) \['css_weight'\]",
        },
        ("offence_group",),
        {"duplicate-rows": r"code '\S+' is given twice"},
    )


def harm_cases(folder: Path) -> Iterator[Case]:
    t = harm_table()
    yield from table_cases(folder, t)
    yield from typed_cases(
        folder,
        t,
        [
            ("css_weight", "-5", r"the weight '-5' of code '\S+' is not a positive number"),
            ("css_weight", "0", r"the weight '0' of code '\S+' is not a positive number"),
            ("css_weight", "heavy", r"the weight 'heavy' .* is not a positive number"),
            ("css_weight", "", r"the weight '' .* is not a positive number"),
            ("css_weight", "nan", r"the weight 'nan' .* is not a positive number"),
            ("css_weight", "inf", r"the weight 'inf' .* is not a positive number"),
            ("css_weight", "1e400", r"the weight '1e400' .* is not a positive number"),
            ("css_weight", " 12.5 ", LOADS),
            ("ho_code", "", r"the Home Office code is blank"),
            ("ho_code", "  ", r"the Home Office code is blank"),
            ("ho_code", "4/10", LOADS),  # class/subclass: read as 4.10
        ],
    )
    rows = [*t.rows, ["08n", "Assault with injury", "", "189.1539"]]
    yield Case(
        "harm/code-twice-in-two-spellings",
        "harm-weights",
        (_put(folder / "harm-other" / "twice" / t.filename, csv_text(t.header, rows)),),
        r"code '8N' is given twice",
        row=len(rows),
    )


# --------------------------------------------------------------------------------------
# definitions (TOML)

GOOD_DEFINITION = """\
name = "corpus"
title = "Corpus definition"
proxy = true
match = "crime_type"

[[serious_violence]]
key = "robbery"
label = "Robbery"
values = ["Robbery"]

[[drugs]]
key = "drugs"
label = "Drugs"
values = ["Drugs"]
"""


def definition_cases(folder: Path) -> Iterator[Case]:
    d = folder / "definitions"

    def case(name, text: str | bytes, expect) -> Case:
        return Case(
            f"definition/{name}", "definition", (_put(d / name / "corpus.toml", text),), expect
        )

    g = GOOD_DEFINITION
    yield case("valid", g, LOADS)
    yield case("bom", "\ufeff" + g, LOADS)
    yield case("crlf", g.replace("\n", "\r\n"), LOADS)
    yield case("script-in-label", g.replace('label = "Robbery"', f'label = "{SCRIPT}"'), LOADS)
    yield case("empty", "", r"has no 'name'")
    yield case("invalid-toml", g.replace('name = "corpus"', "name = corpus"), r"not valid TOML")
    yield case("latin1", g.replace("Corpus", "Caf\xe9").encode("latin-1"), r"UTF-8")
    yield case("utf16", g.encode("utf-16"), r"UTF-8|UTF-16")
    yield case("binary", b"\x00\x01\x02" * 100, r"UTF-8|not valid TOML|binary")
    for field_name in ("name", "match", "serious_violence", "drugs"):
        text = "\n".join(x for x in g.splitlines() if not x.startswith(f"{field_name} ="))
        if field_name in ("serious_violence", "drugs"):
            text = g.split(f"[[{field_name}]]")[0] + (
                "[[drugs]]" + g.split("[[drugs]]")[1] if field_name == "serious_violence" else ""
            )
        yield case(f"no-{field_name}", text, rf"has no '{field_name}'")
    yield case("match-unknown", g.replace('"crime_type"', '"colour"'), r"match = 'colour'")
    yield case("match-number", g.replace('"crime_type"', "3"), r"match = 3 is not known")
    yield case("category-no-key", g.replace('key = "robbery"\n', ""), r"has no 'key'")
    yield case("category-no-values", g.replace('values = ["Robbery"]\n', ""), r"has no 'values'")
    yield case("key-not-snake", g.replace('"robbery"', '"Rob Bery"'), r"not a snake_case")
    yield case("key-reserved", g.replace('"robbery"', '"population"'), r"is reserved")
    yield case("duplicate-key", g.replace('key = "drugs"', 'key = "robbery"'), r"share a key")
    yield case(
        "value-twice",
        g.replace('values = ["Drugs"]', 'values = ["Robbery"]'),
        r"'Robbery' is in two categories",
    )
    yield case(
        "unknown-flag",
        g.replace('values = ["Robbery"]\n', 'values = ["Robbery"]\nexclude_flags = ["colour"]\n'),
        r"unknown flag.*colour",
    )
    yield case("global-unknown-flag", 'exclude_flags = ["weekend"]\n' + g, r"unknown flag.*weekend")
    yield case(
        "flags-not-a-list",
        g.replace('values = ["Robbery"]\n', 'values = ["Robbery"]\nexclude_flags = "domestic"\n'),
        r"exclude_flags.*list",
    )
    yield case(
        "values-not-a-list",
        g.replace('values = ["Robbery"]', 'values = "Robbery"'),
        r"values.*list",
    )
    yield case("values-number", g.replace('values = ["Robbery"]', "values = 5"), r"values.*list")
    yield case("values-empty", g.replace('values = ["Robbery"]', "values = []"), r"values.*empty")
    yield case(
        "category-not-table",
        g.split("[[serious_violence]]")[0].replace(
            'match = "crime_type"', 'match = "crime_type"\nserious_violence = 5'
        )
        + "[[drugs]]"
        + g.split("[[drugs]]")[1],
        r"serious_violence.*list of tables",
    )
    yield case(
        "category-strings",
        g.split("[[serious_violence]]")[0].replace(
            'match = "crime_type"', 'match = "crime_type"\nserious_violence = ["Robbery"]'
        )
        + "[[drugs]]"
        + g.split("[[drugs]]")[1],
        r"serious_violence.*list of tables",
    )
    yield case("huge-line", g + f'description = "{"x" * 10_000_000}"\n', LOADS)


# --------------------------------------------------------------------------------------
# auto (detection)


def auto_cases(folder: Path) -> Iterator[Case]:
    d = folder / "auto"
    rows = police_rows()
    yield Case(
        "auto/unknown-csv",
        "auto",
        (_put(d / "unknown" / "things.csv", "colour,size\nred,3\n"),),
        r"kind of this file cannot be recognised",
    )
    yield Case(
        "auto/empty-csv",
        "auto",
        (_put(d / "empty" / "data.csv", b""),),
        r"cannot be recognised|empty",
    )
    yield Case(
        "auto/binary-csv",
        "auto",
        (_put(d / "binary" / "data.csv", b"\x00\xff" * 5000),),
        r"cannot be recognised|binary",
    )
    yield Case(
        "auto/html-page",
        "auto",
        (_put(d / "html" / "data.csv", HTML_PAGE),),
        r"cannot be recognised",
    )
    yield Case(
        "auto/truncated-zip",
        "auto",
        (
            _put(
                d / "tzip" / "2023-01.zip",
                _zip(
                    d / "tmp" / "z.zip",
                    {"2023-01/2023-01-grid-street.csv": csv_text(POLICE_UK_HEADER, rows)},
                ).read_bytes()[:200],
            ),
        ),
        r"damaged or incomplete",
    )
    yield Case(
        "auto/zip-of-nothing",
        "auto",
        (_zip(d / "zipnothing" / "stuff.zip", {"a.txt": b"a"}),),
        r"cannot be recognised",
    )
    yield Case(
        "auto/json-not-geojson",
        "auto",
        (_put(d / "json" / "data.json", '{"a": 1}'),),
        r"cannot be recognised",
    )
    yield Case(
        "auto/geojson-no-code",
        "auto",
        (write_geo(grid_wards().drop(columns=["WD22CD"]), d / "nocode", "geojson"),),
        r"cannot be recognised",
    )
    yield Case(
        "auto/unknown-suffix",
        "auto",
        (_put(d / "suffix" / "wards.kml", "<kml/>"),),
        r"cannot be recognised",
    )
    yield Case(
        "auto/police-uk-bad-row",
        "auto",
        (_put(d / "police" / CRIME_FILE, csv_text(POLICE_UK_HEADER, _set(rows, 9, 5, "lat"))),),
        r"Latitude 'lat' is not a number",
        row=9,
    )
    pop = population_table()
    yield Case(
        "auto/population-negative",
        "auto",
        (_put(d / "pop" / pop.filename, csv_text(pop.header, _set(pop.rows, 4, 2, "-1"))),),
        r"population '-1' is not a count",
        row=4,
    )
    dep = deprivation_table()
    yield Case(
        "auto/deprivation-bad-rank",
        "auto",
        (_put(d / "dep" / dep.filename, csv_text(dep.header, _set(dep.rows, 5, 2, "99"))),),
        r"IMD_rank 99 is outside",
        row=5,
    )
    w21 = lookup_tables()[0]
    yield Case(
        "auto/lookup-bad-code",
        "auto",
        (_put(d / "lookup" / w21.filename, csv_text(w21.header, _set(w21.rows, 2, 3, "W05"))),),
        r"ward code 'W05' is not a valid code",
        row=2,
    )
    ex = extract_table()
    yield Case(
        "auto/extract-bad-date",
        "auto",
        (_put(d / "extract" / EXTRACT_FILE, csv_text(ex.header, _set(ex.rows, 3, 1, "soon"))),),
        r"'soon' cannot be read",
        row=3,
    )
    _put(d / "folder" / "a" / "2023-01-grid-street.csv", csv_text(POLICE_UK_HEADER, rows))
    _put(
        d / "folder" / "b" / "2023-02-grid-street.csv",
        csv_text(POLICE_UK_HEADER, [[r[0], "2023-02-x", *r[2:]] for r in rows]),
    )
    _put(d / "folder" / "notes.txt", "ignored")
    yield Case(
        "auto/folder-one-bad",
        "auto",
        (d / "folder",),
        r"month '2023-02-x' is not a month",
        file="2023-02-grid-street.csv",
        row=1,
    )
    _put(d / "ignored" / "notes.txt", "nothing here")
    _put(d / "ignored" / "things.csv", "colour\nred\n")
    yield Case("auto/folder-nothing-known", "auto", (d / "ignored",), LOADS)
    yield Case(
        "auto/no-such-path",
        "auto",
        (d / "nowhere.csv",),
        r"no such file",
        file=str(d / "nowhere.csv"),
    )


# --------------------------------------------------------------------------------------
# big files


def big_crimes_file(folder: Path, size: int, name: str = CRIME_FILE) -> Path:
    """A police.uk file of ``size`` bytes: a valid header and rows, then NUL bytes to the
    end (sparse, so it costs no disk): one enormous last "row" that is not a row."""
    head = csv_text(POLICE_UK_HEADER, police_rows()).encode()
    return _sparse(folder / name, head, size)


def big_cases(folder: Path) -> Iterator[Case]:
    d = folder / "big"
    yield Case(
        "big/50MB-over-lowered-limit",
        "crimes",
        (big_crimes_file(d / "over", 50 << 20),),
        r"\d+ MB.*over the limit of 32 MB",
        env={"HOTSPOTS_MAX_FILE_MB": "32"},
    )
    yield Case(
        "big/50MB-over-lowered-limit-auto",
        "auto",
        (big_crimes_file(d / "over-auto", 50 << 20),),
        r"\d+ MB.*over the limit of 32 MB",
        env={"HOTSPOTS_MAX_FILE_MB": "32"},
    )
    yield Case(
        "big/50MB-lookup-over-limit",
        "lookup",
        (_sparse(d / "lookup" / "lookup.csv", b"LSOA21CD,WD22CD\n", 50 << 20),),
        r"over the limit",
        env={"HOTSPOTS_MAX_FILE_MB": "32"},
    )
    yield Case(
        "big/50MB-boundaries-over-limit",
        "boundaries",
        (_sparse(d / "bnd" / "wards.geojson", b"{", 50 << 20),),
        r"over the limit",
        env={"HOTSPOTS_MAX_FILE_MB": "32"},
    )
    yield Case(
        "big/24MB-nul-tail",
        "crimes",
        (big_crimes_file(d / "tail", 24 << 20),),
        r"row 41.*(binary|NUL|fields)",
        row=41,
    )
    yield Case(
        "big/24MB-garbage-geojson",
        "boundaries",
        (_sparse(d / "garbage" / "wards.geojson", b'{"type": "Featu', 24 << 20),),
        r"cannot be read as boundaries",
    )


# --------------------------------------------------------------------------------------

FAMILIES: dict[str, Callable[[Path], Iterator[Case]]] = {
    "crimes": police_cases,
    "crimes-extract": extract_cases,
    "boundaries": boundary_cases,
    "lookup": lookup_cases,
    "deprivation": deprivation_cases,
    "population": population_cases,
    "harm-weights": harm_cases,
    "definition": definition_cases,
    "auto": auto_cases,
    "big": big_cases,
}


def generate(folder: Path) -> list[Case]:
    """Write every case's files under ``folder`` and return the cases."""
    cases = [c for family in FAMILIES.values() for c in family(Path(folder))]
    names = [c.name for c in cases]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise AssertionError(f"case names repeat: {sorted(dup)}")
    return cases
