"""The pack in plain sentences: the summary a meeting reads first, and the "Method and
data" notes every rendering carries. Wording is deterministic (see the tests) and in the
pack's language; every number in a sentence is checked against what is loaded (a month or
a force missing is said, never counted as 0)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from hotspots.definitions import bare_title
from hotspots.i18n import N_
from hotspots.outputs.pack.cells import month_index, month_span, period_bounds
from hotspots.outputs.pack.words import (
    force_name,
    join,
    month_words,
    ordinal,
    ordinal_word,
    places,
    reason_text,
    tr,
)
from hotspots.validation import MONTH

#: Placeholder until the partnership agrees its small-number rule.
SUPPRESSION_NOTE = N_(
    "None applied in this pack (placeholder - the partnership's rule for "
    "small numbers goes here before the pack is shared more widely)."
)
#: Licence statements for the sources (from the README).
ATTRIBUTION = (
    "Crime data: police.uk, Open Government Licence v3.0 (contains public sector "
    "information licensed under the Open Government Licence v3.0). Boundaries, lookups and "
    "population: Office for National Statistics, OGL v3.0 (contains OS data (c) Crown "
    "copyright and database right). WIMD 2019: Welsh Government, OGL v3.0. IMD 2019: MHCLG, "
    "OGL v3.0."
)
#: The short source line of page 1.
SOURCE_LINE = N_(
    "Sources: police.uk (crimes), ONS (boundaries, lookups, population), Welsh Government "
    "(WIMD 2019). Open Government Licence v3.0; contains OS data (c) Crown copyright and "
    "database right."
)
RANK_CHANGE_RULE = N_(
    "Places moved since the previous published pack, as published (up = "
    "towards 1st); 'new' = not in that pack's list."
)
DRUGS_RULE = N_(
    "'Drugs top N': the ward is also among the N wards with most drug offences in "
    "the period (ties by ward code; wards with none excluded)."
)
_PROXY_NOTE = N_("PROXY: police.uk categories approximate serious violence")


def definition_line(pack) -> str:
    """The definition in words, with PROXY first where it is one."""
    _ = tr(pack.lang)
    m = pack.metadata
    title = str(m.get("definition_title") or pack.definition)  # in the pack's language
    if pack.proxy:
        title = bare_title(title)
    if pack.proxy:
        return _("PROXY - {title}: police.uk categories approximate serious violence").format(
            title=title
        )
    return title


def _since(pack, previous) -> str:
    _ = tr(pack.lang)
    if (
        previous is not None
        and month_index(pack.meeting_month) - month_index(previous.meeting_month) != 1
    ):
        return _("since the {month} pack").format(
            month=month_words(previous.meeting_month, pack.lang)
        )
    return _("this month")


def _first_lines(pack, previous, first: str, since: str) -> list[str]:
    _ = tr(pack.lang)
    change = pack.rows["rank_change"].iloc[0]
    n = pack.top_n
    if previous is None:
        return [
            _("{ward} is first.").format(ward=first),
            _(
                "No earlier pack has been published for this area and definition, so "
                "there are no changes to report."
            ),
        ]
    if pack.first_streak >= 2:
        return [
            _("{ward} is first for the {nth} month running.").format(
                ward=first, nth=ordinal_word(pack.first_streak, pack.lang), n=pack.first_streak
            )
        ]
    if change == "new":
        return [
            _("{ward} is first and new to the top {n} {since}.").format(
                ward=first, n=n, since=since
            )
        ]
    if change == 0:
        return [
            _("{ward} is first again, as in the {month} pack.").format(
                ward=first, month=month_words(previous.meeting_month, pack.lang)
            )
        ]
    return [
        _("{ward} moved up {places} to {rank}.").format(
            ward=first, places=places(int(change), pack.lang), rank=ordinal(1, pack.lang)
        )
    ]


def _method_differences(pack, previous) -> list[str]:
    _ = tr(pack.lang)
    diffs = []
    if int(previous.top_n) != pack.top_n:
        diffs.append(_("top {n}").format(n=previous.top_n))
    before, now = previous.metadata.get("weights"), pack.metadata.get("weights")
    if before is not None and now is not None and before != now:
        desc = previous.metadata.get("weights_description") or ", ".join(
            f"{k} {v:.0%}" for k, v in before.items() if v
        )
        diffs.append(_("weights {desc}").format(desc=desc))
    return diffs


def _change_lines(pack, previous, names, first_code, since) -> list[str]:
    _ = tr(pack.lang)
    lang, n, rows = pack.lang, pack.top_n, pack.rows
    lines = []
    diffs = _method_differences(pack, previous)
    if diffs:
        lines.append(
            _(
                "The {month} pack was made with other settings ({diffs}), so rank changes "
                "compare lists made differently."
            ).format(month=month_words(previous.meeting_month, lang), diffs="; ".join(diffs))
        )
    for code, rank, ch in zip(
        rows["ward_code"].iloc[1:], rows["rank"].iloc[1:], rows["rank_change"].iloc[1:], strict=True
    ):
        if isinstance(ch, int) and abs(ch) >= pack.settings.big_move:
            text = (
                _("{ward} moved up {places} to {rank}.")
                if ch > 0
                else _("{ward} moved down {places} to {rank}.")
            )
            lines.append(
                text.format(
                    ward=names.get(code, code),
                    places=places(abs(ch), lang),
                    rank=ordinal(rank, lang),
                )
            )
    new = [names.get(c, c) for c in pack.new_entrants["ward_code"] if c != first_code]
    if new:
        text = (
            _("{wards} is new to the top {n} {since}.")
            if len(new) == 1
            else _("{wards} are new to the top {n} {since}.")
        )
        lines.append(text.format(wards=join(new, lang), n=n, since=since))
    gone = [
        (
            names.get(code, code),
            _("now not ranked")
            if pd.isna(rank)
            else _("now {rank}").format(rank=ordinal(rank, lang)),
        )
        for code, rank in zip(pack.dropped_out["ward_code"], pack.dropped_out["rank"], strict=True)
    ]
    if gone:
        lines.append(
            _("{wards} dropped out of the top {n} {since}.").format(
                wards=join([f"{w} ({r})" for w, r in gone], lang), n=n, since=since
            )
        )
    return lines


def overlap_lines(pack, names: Mapping[str, str]) -> list[str]:
    """The two overlap sentences: the wards with most violence that also have most drug
    offences, and this list's wards among those with most drug offences."""
    _ = tr(pack.lang)
    o = pack.overlap
    n = int(o["n"])
    both = len(o["violence_vs_drugs_wards"])
    listed = [names.get(c, c) for c in o["list_vs_drugs_wards"]]
    first = _(
        "{k} of the {n} wards with most violence are also among the {n} with most drug offences."
    ).format(k=both, n=n)
    if not listed:
        second = _("None of this pack's {n} wards is among the {n} with most drug offences.")
    elif len(listed) == 1:
        second = _("1 of this pack's {n} wards is among the {n} with most drug offences: {wards}.")
    else:
        second = _(
            "{k} of this pack's {n} wards are among the {n} with most drug offences: {wards}."
        )
    return [first, second.format(k=len(listed), n=n, wards=join(listed, pack.lang))]


def _persistence_line(pack) -> str | None:
    _ = tr(pack.lang)
    n, rows, s = pack.top_n, pack.rows, pack.settings
    pers = pack.persistent
    k, window = pack.persistence_months, s.persistence_window
    if not k:
        return None
    if k < s.persistent_months:
        best = int(rows["months_in_top_n"].max()) if len(rows) else 0
        at_best = int((rows["months_in_top_n"] == best).sum()) if len(rows) else 0
        line = _(
            "Whether a ward is persistent (in the top {n} in at least {need} of {window} "
            "months) cannot be judged yet: only {k} of the {window} months are loaded."
        ).format(n=n, need=s.persistent_months, window=window, k=k)
        if best:
            line += " " + (
                _("{count} of this pack's wards were in the top {n} in all {k} loaded months.")
                if best == k
                else _(
                    "{count} of this pack's wards were in the top {n} in {best} of the {k} "
                    "loaded months."
                )
            ).format(count=at_best, n=n, best=best, k=k)
        return line
    rule = _(
        "in the top {n} for violence counts in at least {need} of the last {window} months"
    ).format(n=n, need=s.persistent_months, window=window)
    if k < window:
        rule += " " + _("({k} of {window} months loaded)").format(k=k, window=window)
    inside = int(pers["ward_code"].isin(rows["ward_code"]).sum())
    if len(pers) == 0:
        return _("No ward was {rule}.").format(rule=rule)
    if len(pers) == 1:
        return (
            _("1 ward was {rule}; it is in this pack.")
            if inside
            else _("1 ward was {rule}; it is not in this pack.")
        ).format(rule=rule)
    which = (
        _("all of them are in this pack")
        if inside == len(pers)
        else _("none of them is in this pack")
        if inside == 0
        else _("{k} of them are in this pack").format(k=inside)
    )
    return _("{count} wards were {rule}; {which}.").format(count=len(pers), rule=rule, which=which)


def missing_data_lines(pack) -> list[str]:
    """What is not loaded, in sentences: months with no crimes, forces with none."""
    _ = tr(pack.lang)
    m, lang = pack.metadata, pack.lang
    lines = []
    loaded = m.get("months_with_data")
    start, end = period_bounds(m["period"])
    if loaded is not None and MONTH.match(start) and MONTH.match(end):
        span = month_span(start, end)
        absent = [x for x in span if x not in set(loaded)]
        if absent:
            text = (
                _(
                    "No crimes are loaded for {months}: that month is a gap, not zero; counts "
                    "cover {k} of the {n} months."
                )
                if len(absent) == 1
                else _(
                    "No crimes are loaded for {months}: those months are gaps, not zero; counts "
                    "cover {k} of the {n} months."
                )
            )
            lines.append(
                text.format(
                    months=join([month_words(x, lang) for x in absent], lang),
                    k=len(span) - len(absent),
                    n=len(span),
                )
            )
    forces = [force_name(f, lang) for f in m.get("forces_without_data") or []]
    if forces:
        lines.append(
            _(
                "No crimes are loaded for {forces}: their wards show no data (not zero) and "
                "are not ranked."
            ).format(forces=join(forces, lang))
        )
    for force, k in sorted((m.get("forces_with_gaps") or {}).items()):
        lines.append(
            _("{force}: crimes loaded for {k} of the period's months only.").format(
                force=force_name(force, lang), k=k
            )
        )
    return lines


def left_out_lines(pack, names: Mapping[str, str] | None = None) -> list[str]:
    """One line per high-violence ward not in the top N, with the reason."""
    names = names or {}
    _ = tr(pack.lang)
    if pack.left_out is None:
        return []
    return [
        _("{ward} (ranked {rank}): {why}.").format(
            ward=names.get(c, w), rank=ordinal(r, pack.lang), why=reason_text(why, pack.lang)
        )
        for c, w, r, why in zip(
            pack.left_out["ward_code"],
            pack.left_out["ward_name"],
            pack.left_out["rank"],
            pack.left_out["reason"],
            strict=True,
        )
    ]


def summary_lines(pack, previous, names: dict[str, str]) -> list[str]:
    """The plain sentences of a pack, in its language (deterministic; see the tests)."""
    _ = tr(pack.lang)
    rows = pack.rows
    if rows.empty:
        return [_("No ward is ranked in this period."), *missing_data_lines(pack)]
    since = _since(pack, previous)
    first_code = rows["ward_code"].iloc[0]
    first = names.get(first_code, rows["ward_name"].iloc[0])
    lines = _first_lines(pack, previous, first, since)
    if previous is not None:
        lines.extend(_change_lines(pack, previous, names, first_code, since))
    if pack.overlap:
        lines.extend(overlap_lines(pack, names))
    out = left_out_lines(pack, names)
    if out:
        lines.append(
            _("{k} wards with high violence are not in the top {n}; see the reasons below.").format(
                k=len(out), n=pack.top_n
            )
            if len(out) > 1
            else _("1 ward with high violence is not in the top {n}; see the reason below.").format(
                n=pack.top_n
            )
        )
    pers = _persistence_line(pack)
    if pers:
        lines.append(pers)
    lines.extend(missing_data_lines(pack))
    return lines
