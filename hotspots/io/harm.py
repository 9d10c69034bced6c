"""Crime harm weights: the ONS Crime Severity Score weights, one per Home Office code.

The weights are not shipped with the tool: an analyst loads the published table with
``python -m hotspots load harm-weights FILE`` (``load auto`` recognises it too). The file
is the ONS table as published by offence code, with the columns ``ho_code``, ``offence``,
``offence_group`` (optional) and ``css_weight``. Its source and vintage come from a
``PROVENANCE.md`` beside it (or in a folder above) when there is one; otherwise the
outputs say they are not stated.

Harm is computed only for a definition whose every offence code has a weight; police.uk
data has no offence codes, so no harm is computed for it (no category averages are
invented).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from hotspots.definitions import Definition, classify_crimes, normalise_ho_code
from hotspots.errors import N_, InputError
from hotspots.io.csv_guard import read_table
from hotspots.schema import ASSIGNED
from hotspots.stats.phrases import Phrase

#: Columns of the weights file (as published); ``offence_group`` may be absent.
HARM_FILE_COLUMNS = ["ho_code", "offence", "offence_group", "css_weight"]
HARM_REQUIRED = ["ho_code", "offence", "css_weight"]
#: Columns of the weights table as stored.
HARM_COLUMNS = ["ho_code", "offence", "offence_group", "weight"]
#: Manifest key of the loaded weights in the store's reference tables.
HARM_KEY = "harm-weights"
NOT_STATED = "not stated (the file came without provenance)"


def is_harm_weights(columns) -> bool:
    """True when a CSV header is that of a weights file (for ``load auto``)."""
    keys = {re.sub(r"[^a-z0-9]", "", str(c).lower()) for c in columns}
    return {"hocode", "cssweight"} <= keys


def read_harm_weights(path: str | Path) -> pd.DataFrame:
    """Read and check a Crime Severity Score weights file.

    Returns
    -------
    DataFrame
        :data:`HARM_COLUMNS`, one row per normalised Home Office code; ``weight`` a float
        > 0. ``attrs`` holds ``source`` and ``vintage`` (see :func:`provenance`).

    Raises
    ------
    InputError
        A missing column, a blank or repeated code, or a weight that is not a positive
        number; the message names the first bad row.
    """
    path = Path(path)
    raw = read_table(path)
    raw.columns = [c.strip().lower() for c in raw.columns]
    twice = [c for c in HARM_FILE_COLUMNS if f"{c}.1" in raw.columns]
    if twice:
        raise InputError(
            N_("the header repeats column {column}"),
            file=path.name,
            expected=N_("each column once"),
            fix=N_("remove the second one"),
            values={"column": repr(twice[0])},
        )
    missing = [c for c in HARM_REQUIRED if c not in raw.columns]
    if missing:
        raise InputError(
            N_("missing column(s) {columns}"),
            file=path.name,
            expected=N_(
                "the ONS Crime Severity Score table with columns {published} "
                "(offence_group may be left out)"
            ),
            fix=N_("rename the columns, or load the table as published"),
            values={"columns": str(missing), "published": str(HARM_FILE_COLUMNS)},
        )
    if raw.empty:
        raise InputError(
            N_("the file has a header but no rows"),
            file=path.name,
            expected=N_("one row per Home Office offence code"),
        )
    code = raw["ho_code"].str.strip()
    blank = (code == "").to_numpy()
    if blank.any():
        raise InputError(
            N_("the Home Office code is blank"),
            file=path.name,
            row=int(blank.argmax()) + 1,
            expected=N_("a code such as 8N or 4.1"),
            fix=N_("fill it in or remove the row"),
        )
    code = code.map(normalise_ho_code)
    repeated = code.duplicated().to_numpy()
    if repeated.any():
        row = int(repeated.argmax()) + 1
        raise InputError(
            N_("code {code} is given twice"),
            file=path.name,
            row=row,
            expected=N_("one weight per Home Office code"),
            fix=N_("keep one of the rows"),
            values={"code": repr(code.iloc[row - 1])},
        )
    text = raw["css_weight"].str.strip()
    weight = pd.to_numeric(text, errors="coerce")
    bad = (weight.isna() | ~np.isfinite(weight) | (weight <= 0)).to_numpy()
    if bad.any():
        row = int(bad.argmax()) + 1
        raise InputError(
            N_("the weight {weight} of code {code} is not a positive number"),
            file=path.name,
            row=row,
            expected=N_("a number greater than 0 (e.g. 189.1539)"),
            fix=N_("correct the cell from the published table"),
            values={"weight": repr(text.iloc[row - 1]), "code": repr(code.iloc[row - 1])},
        )
    out = pd.DataFrame(
        {
            "ho_code": code.to_numpy(),
            "offence": raw["offence"].str.strip().to_numpy(),
            "offence_group": (
                raw["offence_group"].str.strip().to_numpy()
                if "offence_group" in raw.columns
                else ""
            ),
            "weight": weight.to_numpy(dtype=float),
        }
    )
    out.attrs.update(provenance(path))
    return out


def provenance(path: str | Path) -> dict[str, str]:
    """The source and vintage of a weights file, read from the section of a
    ``PROVENANCE.md`` (in the file's folder or up to three folders above) that names it.

    Returns ``{"source": ..., "vintage": ..., "provenance": ...}``; :data:`NOT_STATED`
    where nothing is found.
    """
    path = Path(path).resolve()
    for folder in list(path.parents)[:4]:
        doc = folder / "PROVENANCE.md"
        if not doc.is_file():
            continue
        try:
            text = doc.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        rel = path.relative_to(folder).as_posix()
        for section in re.split(r"\n(?=#{2,3} )", text):
            heading = section.split("\n", 1)[0]
            if rel in heading or path.name in heading:
                return _from_section(
                    section, f"{doc.parent.name}/PROVENANCE.md, {heading.lstrip('# ').strip()}"
                )
    return {"source": NOT_STATED, "vintage": NOT_STATED, "provenance": NOT_STATED}


def _bullet(section: str, name: str) -> str:
    m = re.search(rf"\*\*{name}\*\*:\s*(.+?)(?=\n- \*\*|\Z)", section, re.S)
    return re.sub(r"\s+", " ", m.group(1)).strip() if m else ""


def _from_section(section: str, where: str) -> dict[str, str]:
    what, source = _bullet(section, "What"), _bullet(section, "Source")
    m = re.search(r'(ONS)\s+["“]([^"”]+)["”]', what)
    dataset = f"{m.group(1)} {m.group(2)}" if m else ""
    vintage = re.search(r"([^;,()]*\d{4}[^;,()]*vintage)", what)
    repo = re.search(r"`([^`]+/[^`]+)`", source)
    stated = dataset or "Crime Severity Score weights"
    if repo:
        stated += f", as published in {repo.group(1)}"
    return {
        "source": stated or NOT_STATED,
        "vintage": vintage.group(1).strip() if vintage else NOT_STATED,
        "provenance": where,
    }


@dataclass(frozen=True)
class HarmCoverage:
    """Whether harm can be computed for a definition, and why not when it cannot."""

    available: bool
    reason: str  # a Phrase (hotspots.stats.phrases) when not available; "" when it is


def harm_coverage(definition: Definition, weights: pd.DataFrame | None) -> HarmCoverage:
    """Harm needs a loaded weights table and a weight for every code of the definition."""
    if definition.match != "ho_code":
        return HarmCoverage(False, Phrase("harm.no_codes", definition=definition.name))
    if weights is None:
        return HarmCoverage(False, Phrase("harm.no_weights"))
    known = set(weights["ho_code"])
    missing = sorted({v for c in definition.categories for v in c.values} - known)
    if missing:
        more = len(missing) - 8
        values = {"n": len(missing), "definition": definition.name, "codes": missing[:8]}
        return HarmCoverage(
            False,
            Phrase("harm.missing_more", more=more, **values)
            if more > 0
            else Phrase("harm.missing", **values),
        )
    return HarmCoverage(True, "")


def harm_note(definition: Definition, weights: pd.DataFrame | None) -> str:
    """Plain words on the harm weights used for ``definition`` (or why there are none)."""
    cover = harm_coverage(definition, weights)
    if not cover.available:
        return Phrase("harm.not_used", reason=cover.reason)
    a = weights.attrs

    def stated(value):  # a file's own words, or "not stated" in the reader's language
        return Phrase("harm.not_stated") if value in (None, "", NOT_STATED) else value

    return Phrase(
        "harm.weights",
        n=len(weights),
        source=stated(a.get("source")),
        vintage=stated(a.get("vintage")),
        file=stated(a.get("file")),
    )


def harm_by_ward(
    crimes: pd.DataFrame, definition: Definition, weights: pd.DataFrame | None
) -> pd.Series | None:
    """Sum of the harm weights of the serious-violence crimes placed in each ward; None
    when harm cannot be computed (see :func:`harm_coverage`)."""
    if not harm_coverage(definition, weights).available:
        return None
    placed = crimes[crimes["assignment"].isin(ASSIGNED).to_numpy(dtype=bool)]
    cat = classify_crimes(placed, definition)
    sv = {c.key for c in definition.serious_violence}
    keep = cat.isin(sv).fillna(False).to_numpy(dtype=bool)
    values = pd.Series(placed["ho_code"].astype("string").to_numpy()[keep])
    uniq = values.dropna().unique()
    values = values.map(dict(zip(uniq, [normalise_ho_code(u) for u in uniq], strict=True)))
    table = weights.set_index("ho_code")["weight"]
    harm = values.map(table).to_numpy(dtype=float)
    wards = placed["ward_code"].to_numpy()[keep]
    return pd.Series(harm, index=pd.Index(wards, name="ward_code")).groupby(level=0).sum()
