"""The pack's tables as a meeting reads them, one source for the PDF, the Excel workbook
and the page: human headings in the pack's language, ward names (never codes), rates to
one decimal, "—" where there is nothing, and the reason each ward is listed."""

from __future__ import annotations

import pandas as pd

from hotspots.outputs.pack.cells import cell
from hotspots.outputs.pack.summary import left_out_lines
from hotspots.outputs.pack.words import join, month_words, ordinal, tr, trend_class, why_text

#: What an empty cell shows.
NONE = "—"


def _number(value, spec: str):
    v = cell(value)
    if v is None:
        return NONE
    return v if isinstance(v, str) else format(v, spec)  # text: a partner's "<5"


def change_text(value, lang: str = "en") -> str:
    """A rank change in words: "up 3", "down 2", "same", "new"; "—" with no earlier pack."""
    _ = tr(lang)
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return NONE
    if isinstance(value, str):
        return _("new") if value == "new" else value
    v = int(value)
    if v == 0:
        return _("same")
    return (_("up {k}") if v > 0 else _("down {k}")).format(k=abs(v))


def table_headings(pack) -> list[str]:
    """The headings of the table of top wards, in order."""
    _ = tr(pack.lang)
    n = pack.top_n
    return [
        _("Rank"),
        _("Change"),
        _("Ward"),
        _("Local authority"),
        _("Violence (offences)"),
        _("Violence per 1,000 residents"),
        _("Drug offences"),
        _("Drugs top {n}").format(n=n),
        _("Months in top {n} (of {k} loaded)").format(n=n, k=pack.persistence_months),
        _("Trend"),
        _("Residents in most deprived 20%"),
        _("Why listed"),
    ]


def top_table(pack) -> pd.DataFrame:
    """The table of top wards as shown: :func:`table_headings` and text cells."""
    _ = tr(pack.lang)
    lang = pack.lang
    rows = []
    for r in pack.rows.itertuples(index=False):
        rows.append(
            [
                str(r.rank),
                change_text(r.rank_change, lang),
                r.ward_name,
                r.local_authority_name or NONE,
                _number(r.sv_count, ",d"),
                _number(r.sv_rate, ".1f"),
                _number(r.drugs_count, ",d"),
                _("yes") if r.drugs_top_n else _("no"),
                _number(r.months_in_top_n, "d"),
                trend_class(r.emerging_class, lang) or NONE,
                _number(r.dep_share_20, ".0%"),
                why_text(r.why, lang) or NONE,
            ]
        )
    return pd.DataFrame(rows, columns=table_headings(pack))


def change_lines(pack) -> list[str]:
    """ "Changes since the last published pack" as lines: new entrants, dropped out,
    persistent wards (what the rule could and could not judge)."""
    _ = tr(pack.lang)
    lang = pack.lang
    lines = []
    if pack.previous_month is None:
        lines.append(_("No earlier pack has been published for this area and definition."))
    else:
        new = [
            f"{w} ({ordinal(r, lang)})"
            for w, r in zip(pack.new_entrants["ward_name"], pack.new_entrants["rank"], strict=True)
        ]
        lines.append(
            _("New to the list: {wards}").format(wards=join(new, lang) if new else _("none"))
        )
        gone = [
            _("{ward} (was {before}, now {now})").format(
                ward=w,
                before=ordinal(p, lang),
                now=_("not ranked") if pd.isna(r) else ordinal(r, lang),
            )
            for w, p, r in zip(
                pack.dropped_out["ward_name"],
                pack.dropped_out["previous_rank"],
                pack.dropped_out["rank"],
                strict=True,
            )
        ]
        lines.append(
            _("Dropped out: {wards}").format(wards=join(gone, lang) if gone else _("none"))
        )
    s = pack.settings
    rule = _(
        "Persistent (in the top {n} for violence counts in at least {need} of the last "
        "{window} months)"
    ).format(n=pack.top_n, need=s.persistent_months, window=s.persistence_window)
    if pack.persistence_months < s.persistent_months:
        lines.append(
            rule
            + ": "
            + _("not judged: only {k} of {window} months loaded").format(
                k=pack.persistence_months, window=s.persistence_window
            )
        )
    else:
        pers = [
            _("{ward} ({k} of {m} loaded months)").format(ward=w, k=k, m=pack.persistence_months)
            for w, k in zip(
                pack.persistent["ward_name"], pack.persistent["months_in_top_n"], strict=True
            )
        ]
        lines.append(rule + ": " + (join(pers, lang) if pers else _("none")))
    return lines


def heading_lines(pack) -> dict[str, str]:
    """The headings of the pack's sections, shared by every rendering."""
    _ = tr(pack.lang)
    n = pack.top_n
    return {
        "summary": _("Summary"),
        "map": _("Where the top {n} are").format(n=n),
        "trend": _("Serious violence by month"),
        "table": _("The top {n} wards").format(n=n),
        "left_out": _("High violence, not in the top {n}: why").format(n=n),
        "changes": _("Changes since the {month} pack").format(
            month=month_words(pack.previous_month, pack.lang)
        )
        if pack.previous_month
        else _("Changes since the last published pack"),
        "method": _("Method and data"),
    }


def left_out_table(pack) -> list[str]:
    """The "left out, and why" lines ("none" when no high-violence ward is left out)."""
    lines = left_out_lines(pack, pack.names)
    return lines or [
        tr(pack.lang)("None: every ward with high violence is in the top {n}.").format(n=pack.top_n)
    ]
