"""Tell the kind of an input file from its name and content (police.uk crimes, a force
extract, ward boundaries, a lookup, deprivation ranks, population, harm weights), and
say in words why a file is of no kind the tool loads."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pandas as pd

from hotspots.errors import N_, InputError, Text
from hotspots.io import boundaries, deprivation, harm, lookups
from hotspots.io.csv_decode import column_key
from hotspots.io.csv_guard import check_text
from hotspots.io.street_files import STREET_NAME

_POLICE_UK_HEADER = {"crimeid", "month", "crimetype", "lsoacode"}
_EXTRACT_HEADER = {"crimereference", "hocode"}


def detect_kind(path: Path) -> str | None:
    """The kind of one file from its name and content, or None when unknown."""
    suffix = path.suffix.lower()
    if suffix == ".zip":
        try:
            with zipfile.ZipFile(path) as zf:
                names = zf.namelist()
        except zipfile.BadZipFile:
            return None
        if any(STREET_NAME.search(n) for n in names):
            return "crimes"
        if any(n.lower().endswith(".shp") for n in names):
            return "boundaries"
        return None
    if suffix in (".geojson", ".json", ".gpkg", ".shp", ".parquet", ".geoparquet"):
        return "boundaries" if ward_code_column(path) else None
    if suffix != ".csv":
        return None
    try:
        head = read_table_head(path)
    except (
        InputError,
        ValueError,
        UnicodeDecodeError,
        pd.errors.ParserError,
        pd.errors.EmptyDataError,
    ):
        return None
    keys = {column_key(c) for c in head.columns}
    if keys >= _POLICE_UK_HEADER:
        return "crimes"
    if keys >= _EXTRACT_HEADER:
        return "crimes-extract"
    if harm.is_harm_weights(head.columns):
        return "harm-weights"
    if lookups.detect_lookup(head):
        return "lookup"
    if deprivation.detect_index(head):
        return "deprivation"
    if {"totalpopulation"} & keys or ({"allages"} & keys and any("lsoa" in k for k in keys)):
        return "population"
    return None


#: For telling what a CSV of no known kind looks like: kind → (description, the columns
#: it needs, each as (name to show, lower-case letters-and-digits patterns)).
_CSV_SIGNATURES = {
    "crimes": (
        N_("a police.uk street CSV"),
        [
            ("Crime ID", r"crimeid"),
            ("Month", r"month"),
            ("Longitude", r"longitude"),
            ("Latitude", r"latitude"),
            ("LSOA code", r"lsoacode"),
            ("Crime type", r"crimetype"),
        ],
    ),
    "crimes-extract": (
        N_("a force extract"),
        [
            ("crime_reference", r"crimereference"),
            ("recorded_at", r"recordedat"),
            ("ho_code", r"hocode"),
        ],
    ),
    "lookup (LSOA 2011→2021)": (
        N_("the ONS LSOA 2011→2021 lookup"),
        [("LSOA11CD", r"lsoa11c(ode|d)"), ("LSOA21CD", r"lsoa21c(ode|d)")],
    ),
    "lookup (LSOA 2021→ward)": (
        N_("the ONS LSOA 2021→ward lookup"),
        [("LSOA21CD", r"lsoa21c(ode|d)"), ("WD22CD", r"(wd\d\dcd|ward\d\dcode)")],
    ),
    "lookup (local authority→force)": (
        N_("the ONS local authority→police force lookup"),
        [("LAD24CD", r"(lad|ltla)\d\dc(ode|d)"), ("PFA24CD", r"pfa\d\dc(ode|d)")],
    ),
    "deprivation": (
        N_("a WIMD/IMD 2019 LSOA table"),
        [("lsoa_code", r"lsoa(11)?c(ode|d)"), ("IMD_rank", r"imdrank")],
    ),
    "population": (
        N_("an ONS LSOA population table"),
        [
            ("lsoa11_code", r"lsoa(11|21)?c(ode|d)"),
            ("total_population", r"(totalpopulation|allages)"),
        ],
    ),
}

#: Words in other columns that tell the kinds apart when they match equally well.
_CSV_HINTS = {
    "crimes": r"crime|outcome|location|reportedby|fallswithin|context",
    "crimes-extract": r"offence|flag|victim|reference|recorded",
    "lookup (LSOA 2011→2021)": r"lsoa11|lsoa21|change",
    "lookup (LSOA 2021→ward)": r"wd\d\d|ward",
    "lookup (local authority→force)": r"lad\d\d|ltla|csp|pfa",
    "deprivation": r"imd|rank|decile|score|wimd",
    "population": r"population|persons|^\d+$|allages|females|males",
}


def why_unrecognised(path: Path) -> Text:
    """Why ``auto`` cannot tell the kind of a file, in words (``str()``: English): empty,
    binary (and what it looks like), or which kind it is closest to and the columns that
    kind needs that it lacks."""
    suffix = path.suffix.lower()
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(1 << 16)
    except OSError as exc:
        return Text(N_("it cannot be read ({reason})"), {"reason": exc.strerror or exc})
    if size == 0 or not head.strip():
        return Text(
            N_("the file is empty (0 bytes)")
            if size == 0
            else N_("the file is empty (0 bytes but blanks)")
        )
    if suffix == ".zip" or head[:2] == b"PK":
        try:
            with zipfile.ZipFile(path) as zf:
                names = zf.namelist()
        except (zipfile.BadZipFile, OSError):
            return Text(N_("the zip is damaged or incomplete"))
        if any(n.startswith("xl/") for n in names):
            return Text(
                N_(
                    "it is an Excel workbook, not a CSV: save the sheet as 'CSV UTF-8 "
                    "(comma delimited)' and load that"
                )
            )
        return Text(
            N_(
                "the zip holds neither police.uk street CSVs (YYYY-MM-<force>-street.csv) "
                "nor a Shapefile (.shp); it holds: {names}"
            ),
            {
                "names": Text(
                    N_("{names} and {n} more"), {"names": ", ".join(names[:5]), "n": len(names) - 5}
                )
                if len(names) > 5
                else ", ".join(names)
                if names
                else Text(N_("nothing"))
            },
        )
    if suffix in (".geojson", ".json", ".gpkg", ".shp", ".parquet", ".geoparquet"):
        return Text(
            N_(
                "it looks like a map or table file but has no ward code column (e.g. "
                "WD22CD or ward22_code)"
            )
        )
    try:
        check_text(head, path.name)
    except InputError as exc:
        if "binary" not in exc.problem:
            return Text(exc.templates[0], exc.values)
        return Text(N_("the file is binary, not text ({looks})"), {"looks": _looks_like(head)})
    try:
        header = read_table_head(path).columns
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        return Text(
            N_("it cannot be read as a CSV ({reason})"), {"reason": str(exc).splitlines()[0][:100]}
        )
    keys = [column_key(c) for c in header]
    near = []
    for kind, (what, needs) in _CSV_SIGNATURES.items():
        have = [n for n, pat in needs if any(re.fullmatch(pat, k) for k in keys)]
        missing = [n for n, pat in needs if n not in have]
        if have:
            hints = sum(
                bool(re.search(_CSV_HINTS[kind], k))
                for k in keys
                if not any(re.fullmatch(pat, k) for _, pat in needs)
            )
            near.append(((len(have) / len(needs), len(have), hints), kind, what, missing))
    shown = ", ".join(str(c) for c in list(header)[:8]) + (" …" if len(header) > 8 else "")
    if not near:
        return Text(
            N_("its columns ({columns}) are not those of any kind of file the tool loads"),
            {"columns": shown},
        )
    top = max(n[0] for n in near)
    best = [n for n in near if n[0] == top]
    if len(best) == 1:
        _, kind, what, missing = best[0]
        return Text(
            N_(
                "it looks like {what} ({kind}) but lacks the column(s) {missing} "
                "(its columns: {columns})"
            ),
            {"what": Text(what), "kind": kind, "missing": ", ".join(missing), "columns": shown},
        )
    could = [
        Text(N_("{what} (lacks {missing})"), {"what": Text(what), "missing": ", ".join(missing)})
        for _, _, what, missing in best
    ]
    return Text(
        N_("it could be {kinds}: it lacks the columns each of them needs (its columns: {columns})"),
        {
            "kinds": Text(
                N_("{first} or {last}"), {"first": Text.join(", ", could[:-1]), "last": could[-1]}
            ),
            "columns": shown,
        },
    )


def _looks_like(head: bytes) -> Text:
    """What binary bytes look like, from their first bytes."""
    for magic, what in (
        (b"%PDF", N_("it looks like a PDF document")),
        (b"\xd0\xcf\x11\xe0", N_("it looks like an old Excel or Word file")),
        (b"PK", N_("it looks like a zip, or an Excel .xlsx workbook")),
        (b"\x1f\x8b", N_("it looks like gzip-compressed data")),
        (
            b"SQLite format",
            N_("it looks like a SQLite database (a GeoPackage needs the .gpkg extension)"),
        ),
        (b"PAR1", N_("it looks like a Parquet file (it needs the .parquet extension)")),
        (b"\x89PNG", N_("it looks like a PNG image")),
        (b"\xff\xd8", N_("it looks like a JPEG image")),
    ):
        if head.startswith(magic):
            return Text(what)
    return Text(N_("not a known kind of file"))


def ward_code_column(path: Path) -> str | None:
    """The ward code column of a vector file (schema only is read), or None."""
    try:
        if path.suffix.lower() in (".parquet", ".geoparquet"):
            import pyarrow.parquet as pq

            fields = pq.read_schema(path).names
        else:
            import pyogrio

            fields = list(pyogrio.read_info(path)["fields"])
    except Exception:  # unreadable: not ours to detect
        return None
    return boundaries.match_column(fields, boundaries.CODE_PATTERNS[:-1])


def read_table_head(path: Path) -> pd.DataFrame:
    """The header and first rows of a CSV (for detection)."""
    with open(path, "rb") as fh:
        data = fh.read(65536)
    text = data.decode("utf-8-sig", errors="replace")
    text = text[: text.rfind("\n")] if "\n" in text else text
    return pd.read_csv(io.StringIO(text), dtype=str, nrows=5)
