"""What a force extract lets a Home Office code definition do, said in words.

At load time each extract month gets a profile (:func:`profile_extract`): how many rows
carry each offence code and how many rows have no value for each flag. From the profiles
the load's reconciliation reports, for every definition that reads offence codes, the
codes no category uses (they are kept in the store, never lost) and the rows a flag rule
cannot judge (:func:`extract_report`).

A category rule such as "not domestic" cannot be applied to a row without the flag, so
counting such rows is refused (:class:`MissingFlagError`) until an analyst accepts it
for a definition and source (:func:`accept_missing_flag`, recorded in the manifest with
who and when); every output made then states the acceptance (:func:`caveats`).
A definition-wide exclusion (terrorism never counted) on rows without the marker is
stated on every output as well.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping

import pandas as pd

from hotspots.definitions import FLAGS, Definition, normalise_ho_code
from hotspots.errors import N_, LocalisedError, Text
from hotspots.schema import ASSIGNED
from hotspots.stats.phrases import Phrase

#: Manifest key of the analysts' acceptances.
ACCEPTED_KEY = "accepted_missing_flags"
#: How a flag reads in a sentence.
FLAG_WORDS = {
    "domestic": N_("domestic flag"),
    "alcohol": N_("alcohol flag"),
    "drugs_flag": N_("drugs flag"),
    "knife": N_("knife flag"),
    "terrorism": N_("terrorism marker"),
}


class MissingFlagError(LocalisedError):
    """Counting under a definition whose flag rule cannot be applied to the data (a
    template and its values: ``str()`` English, :meth:`localised` another language)."""


def profile_extract(crimes: pd.DataFrame) -> dict[str, dict]:
    """Per month: ``{"rows": n, "codes": {code: n}, "no_flag": {flag: n}}``.

    ``crimes`` are the rows of one extract (:data:`hotspots.schema.CRIME_COLUMNS`);
    codes are counted in their normalised spelling; ``no_flag`` counts rows whose flag is
    blank or whose file has no such column.
    """
    out: dict[str, dict] = {}
    for month, rows in crimes.groupby("month", sort=True):
        codes = rows["ho_code"].astype("string").fillna("").map(normalise_ho_code)
        out[str(month)] = {
            "rows": len(rows),
            "codes": {str(k): int(v) for k, v in sorted(Counter(codes).items())},
            "no_flag": {f: int(rows[f].isna().sum()) for f in FLAGS},
        }
    return out


def merge_profiles(profiles: Iterable[Mapping]) -> dict:
    """Add month profiles together (one source, several months)."""
    rows, codes, no_flag = 0, Counter(), Counter()
    for p in profiles:
        rows += int(p["rows"])
        codes.update(p["codes"])
        no_flag.update(p["no_flag"])
    return {"rows": rows, "codes": dict(codes), "no_flag": dict(no_flag)}


def source_profiles(manifest: Mapping, months: Iterable[str] | None = None) -> dict[str, dict]:
    """The merged profile of each extract source in ``manifest`` (for ``months``)."""
    wanted = set(months) if months is not None else None
    by_source: dict[str, list] = {}
    for part in manifest["partitions"].values():
        prof = part.get("extract_profile")
        if prof and (wanted is None or part["month"] in wanted):
            by_source.setdefault(part["source"], []).append(prof)
    return {s: merge_profiles(ps) for s, ps in sorted(by_source.items())}


def with_profiles(store) -> dict:
    """The store's manifest, with a profile made from the stored rows for every extract
    month loaded before loads kept profiles (the manifest on disk is not changed)."""
    import copy

    m = store.manifest()
    old = [
        p
        for p in m["partitions"].values()
        if p["source"].startswith("extract:") and "extract_profile" not in p
    ]
    if not old:
        return m
    m = copy.deepcopy(m)
    crimes = store.crimes(
        months=sorted({p["month"] for p in old}),
        sources=sorted({p["source"] for p in old}),
        columns=["source", "month", "ho_code", *FLAGS],
    )
    for key, part in m["partitions"].items():
        if part["source"].startswith("extract:") and "extract_profile" not in part:
            rows = crimes[
                (crimes["source"] == part["source"]).to_numpy(dtype=bool)
                & (crimes["month"] == part["month"]).to_numpy(dtype=bool)
            ]
            m["partitions"][key] = {
                **part,
                "extract_profile": profile_extract(rows).get(
                    part["month"], {"rows": 0, "codes": {}, "no_flag": {}}
                ),
            }
    return m


def unmatched_codes(definition: Definition, codes: Mapping[str, int]) -> dict[str, int]:
    """Codes (with their row counts, most first) that no category of ``definition`` uses."""
    used = {v for c in definition.categories for v in c.values}
    left = {k: int(n) for k, n in codes.items() if k not in used and n}
    return dict(sorted(left.items(), key=lambda kv: (-kv[1], kv[0])))


def acceptances(manifest: Mapping) -> list[dict]:
    """The recorded acceptances (``definition, source, flag, by, time, rows``)."""
    return list(manifest.get(ACCEPTED_KEY, []))


def accepted(manifest: Mapping, definition: str, source: str, flag: str) -> dict | None:
    """The acceptance for a definition, source and flag, or None."""
    for a in acceptances(manifest):
        if (a["definition"], a["source"], a["flag"]) == (definition, source, flag):
            return a
    return None


def _rule_flags(definition: Definition) -> dict[str, list[str]]:
    """Category-level flags → labels of the categories that exclude on them."""
    out: dict[str, list[str]] = {}
    for c in definition.categories:
        for f in c.exclude_flags:
            out.setdefault(f, []).append(c.label)
    return out


def extract_report(
    definition: Definition, manifest: Mapping, months: Iterable[str] | None = None
) -> list[str]:
    """Sentences on each extract source under ``definition``: unmatched codes, rows a
    flag rule cannot judge, and any acceptance. Empty for a police.uk definition.

    Each sentence is a :class:`hotspots.stats.phrases.Phrase`: English as it reads here,
    and in Welsh through :func:`hotspots.stats.phrases.reason_text`."""
    if definition.match != "ho_code":
        return []
    lines = []
    labels = {c.label: c.label_cy for c in definition.categories}
    for source, prof in source_profiles(manifest, months).items():
        head = {"source": source, "definition": definition.name}
        left = unmatched_codes(definition, prof["codes"])
        if left:
            n = sum(left.values())
            codes = list(left.items())[:8]
            if len(left) > 8:
                codes.append(Phrase("extract.more_codes", k=len(left) - 8))
            lines.append(
                Phrase("extract.unmatched_one", rows=prof["rows"], codes=codes, **head)
                if n == 1
                else Phrase("extract.unmatched", n=n, rows=prof["rows"], codes=codes, **head)
            )
        else:
            lines.append(Phrase("extract.all_matched", rows=prof["rows"], **head))
        rules = _rule_flags(definition)
        for flag in [*rules, *(f for f in definition.exclude_flags if f not in rules)]:
            n = int(prof["no_flag"].get(flag, 0))
            if not n:
                continue
            rule = (
                Phrase("extract.rule", flag_name=flag, labels=[(x, labels[x]) for x in rules[flag]])
                if flag in rules
                else Phrase("extract.exclusion", flag_name=flag)
            )
            acc = accepted(manifest, definition.name, source, flag)
            then = (
                Phrase("extract.accepted", by=acc["by"], date=acc["time"][:10])
                if acc
                else Phrase("extract.refused", flag=flag, **head)
                if flag in rules
                else ""
            )
            values = {"flag_words": flag, "rule": rule, "then": then, **head}
            lines.append(
                Phrase("extract.no_flag_one", **values)
                if n == 1
                else Phrase("extract.no_flag", n=n, **values)
            )
    return lines


def extract_lines(manifest: Mapping, definitions: Iterable[Definition]) -> list[str]:
    """:func:`extract_report` of every definition, one list (for ``status`` and the Data
    page)."""
    return [line for d in definitions for line in extract_report(d, manifest)]


def pending_acceptances(
    manifest: Mapping, definitions: Iterable[Definition]
) -> list[tuple[str, str, str, int]]:
    """``(definition, source, flag, rows)`` for each category rule that some loaded
    extract rows cannot support and that no analyst has accepted (rows: all rows of the
    source without the flag)."""
    out = []
    for d in definitions:
        if d.match != "ho_code":
            continue
        for source, prof in source_profiles(manifest).items():
            for flag in _rule_flags(d):
                n = int(prof["no_flag"].get(flag, 0))
                if n and accepted(manifest, d.name, source, flag) is None:
                    out.append((d.name, source, flag, n))
    return out


def missing_flags(crimes: pd.DataFrame, definition: Definition) -> list[tuple[str, str, str, int]]:
    """Rows that a flag rule of ``definition`` cannot judge, by source.

    Returns ``(source, flag, what, rows)`` tuples: for a category rule, ``what`` names the
    categories and ``rows`` counts their rows without the flag; for a definition-wide
    exclusion, ``what`` is empty and ``rows`` counts the rows of any category without the
    marker. Only rows placed in a ward (those counted) are looked at.
    """
    if definition.match != "ho_code" or crimes.empty:
        return []
    if "assignment" in crimes.columns:  # only rows placed in a ward are counted
        crimes = crimes[crimes["assignment"].isin(ASSIGNED).to_numpy(dtype=bool)]
    codes = crimes["ho_code"].astype("string")
    uniq = codes.dropna().unique()
    codes = codes.map(dict(zip(uniq, [normalise_ho_code(u) for u in uniq], strict=True)))
    out = []
    for source, idx in crimes.groupby("source", sort=True).groups.items():
        rows = crimes.loc[idx]
        rcodes = codes.loc[idx]
        for flag, labels in _rule_flags(definition).items():
            values = {v for c in definition.categories if flag in c.exclude_flags for v in c.values}
            n = int((rcodes.isin(values).fillna(False) & rows[flag].isna()).sum())
            if n:
                out.append((str(source), flag, ", ".join(labels), n))
        counted = rcodes.isin({v for c in definition.categories for v in c.values})
        for flag in definition.exclude_flags:
            n = int((counted.fillna(False) & rows[flag].isna()).sum())
            if n:
                out.append((str(source), flag, "", n))
    return out


def caveats(crimes: pd.DataFrame, definition: Definition, manifest: Mapping) -> tuple[str, ...]:
    """What every output made with ``definition`` on ``crimes`` must state.

    Raises
    ------
    MissingFlagError
        When a category rule cannot be applied to some rows and no analyst has accepted
        that for the definition and source; the message says how to accept it.
    """
    out = []
    cy = {c.label: c.label_cy for c in definition.categories}
    for source, flag, what, n in missing_flags(crimes, definition):
        words = FLAG_WORDS[flag]
        said = {"source": source, "flag_words": flag, "flag_name": flag}
        if not what:
            out.append(
                Phrase("caveat.exclusion_one", **said)
                if n == 1
                else Phrase("caveat.exclusion", n=n, **said)
            )
            continue
        acc = accepted(manifest, definition.name, source, flag)
        if acc is None:
            raise MissingFlagError(
                N_(
                    "'{name}' counts {what} only when not {flag}, but {n} of those rows "
                    "from {source} have no {words} (the column is missing or blank), so the "
                    "rule cannot be applied. Load an extract with the flag, or accept "
                    "counting those rows as not {flag}: python -m hotspots "
                    "accept-missing-flag --definition {name} --source {source} "
                    "--flag {flag} --by YOUR-NAME"
                ),
                {
                    "name": definition.name,
                    "what": what,
                    "flag": flag,
                    "n": f"{n:,}",
                    "source": source,
                    "words": Text(words),
                },
            )
        labels = [(x, cy.get(x, "")) for x in _rule_flags(definition)[flag]]
        out.append(
            Phrase(
                "caveat.accepted", by=acc["by"], date=acc["time"][:10], n=n, labels=labels, **said
            )
        )
    return tuple(out)


def accept_missing_flag(store, definition: Definition, source: str, flag: str, by: str) -> dict:
    """Record that ``by`` accepts counting rows of ``source`` without ``flag`` as not
    flagged under ``definition`` (in the manifest, with the time, and in the history).

    Raises
    ------
    ValueError
        An unknown source, a flag the definition does not use, or a blank name.
    """
    by = str(by or "").strip()
    if not by:
        raise ValueError("say who accepts it: --by NAME")
    used = sorted(set(_rule_flags(definition)) | set(definition.exclude_flags))
    if flag not in used:
        raise ValueError(
            f"'{definition.name}' has no rule on the {flag!r} flag; its flags are {used or 'none'}"
        )
    m = store.manifest()
    sources = sorted(
        {p["source"] for p in m["partitions"].values() if p["source"].startswith("extract:")}
    )
    if source not in sources:
        raise ValueError(
            f"no force extract {source!r} is loaded; choose one of "
            f"{sources or 'none (load an extract first)'}"
        )
    prof = source_profiles(m).get(source)
    rows = int(prof["no_flag"].get(flag, 0)) if prof else 0
    entry = {
        "definition": definition.name,
        "source": source,
        "flag": flag,
        "by": by,
        "time": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "rows": rows,
    }
    with store.transaction() as txn:
        kept = [
            a
            for a in txn.manifest.get(ACCEPTED_KEY, [])
            if (a["definition"], a["source"], a["flag"]) != (definition.name, source, flag)
        ]
        txn.manifest[ACCEPTED_KEY] = [*kept, entry]
        txn.record(
            "accept-missing-flag",
            source,
            "",
            [],
            rows,
            f"accepted by {by}: '{definition.name}' counts rows without the "
            f"{FLAG_WORDS[flag]} as not {flag}",
        )
    return entry
