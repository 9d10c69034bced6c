"""The "Method and data" notes of a pack: (item, text) pairs shared by the PDF, the Excel
workbook and the page, in the pack's language."""

from __future__ import annotations

from hotspots.i18n import N_
from hotspots.outputs.pack.cells import period_bounds
from hotspots.outputs.pack.summary import (
    ATTRIBUTION,
    DRUGS_RULE,
    RANK_CHANGE_RULE,
    SUPPRESSION_NOTE,
    definition_line,
    overlap_lines,
)
from hotspots.outputs.pack.words import force_name, join, month_words, tr
from hotspots.stats.phrases import is_phrase, reason_text


def period_words(pack) -> str:
    """The period in words: "October 2018 to February 2019"."""
    start, end = period_bounds(pack.metadata["period"])
    return tr(pack.lang)("{start} to {end}").format(
        start=month_words(start, pack.lang), end=month_words(end, pack.lang)
    )


def cut_off_words(pack) -> str:
    """The last month with crimes loaded, in words ("no crimes loaded" when none is)."""
    cut = pack.metadata.get("data_cut_off")
    return month_words(cut, pack.lang) if cut else tr(pack.lang)("no crimes loaded")


_COMPONENTS = {
    "violence": N_("violence"),
    "drugs": N_("drugs"),
    "deprivation": N_("deprivation"),
    "harm": N_("harm"),
}


def weights_words(weights, lang: str) -> str:
    """``{"violence": 0.5, "drugs": 0.25}`` → "violence 50%, drugs 25%" in ``lang``."""
    if not weights:
        return ""
    _ = tr(lang)
    return ", ".join(f"{_(_COMPONENTS.get(k, k))} {float(v):.0%}" for k, v in weights.items() if v)


def suppression_words(pack) -> str:
    """What the pack says about small numbers, in its language (English: the partner
    view's own statement)."""
    _ = tr(pack.lang)
    m = pack.metadata
    rule = m.get("suppression_rule")
    if pack.lang == "en" or not rule:
        return _(str(m.get("suppression") or SUPPRESSION_NOTE))
    text = _('Small numbers suppressed: counts from 1 to {k} shown as "<{n}"').format(
        k=rule["threshold"] - 1, n=rule["threshold"]
    )
    if rule.get("round_to"):
        text += _("; other counts rounded to the nearest {r}").format(r=rule["round_to"])
    return text + _(
        "; rates from suppressed counts suppressed; secondary suppression where a total and "
        "its parts are shown. Partner view: every figure is computed with each suppressed "
        "count taken as {v}, so ranks may differ slightly from the analysts' copy."
    ).format(v=rule["stand_in"])


def method_items(pack) -> list[tuple[str, str]]:
    """(item, text) pairs of the "Method and data" notes."""
    _ = tr(pack.lang)
    lang = pack.lang
    m = pack.metadata
    none, unstated = _("none"), _("not stated")
    weights = (
        (lang == "cy" and weights_words(m.get("weights"), lang))
        or m.get("weights_description")
        or (
            ", ".join(f"{k} {float(v):.0%}" for k, v in m["weights"].items() if v)
            if m.get("weights")
            else unstated
        )
    )
    s = pack.settings
    months = lambda key: join([month_words(x, lang) for x in m.get(key) or []], lang)  # noqa: E731
    items = [
        (_("Meeting month"), month_words(pack.meeting_month, lang)),
        (_("Area"), pack.area_label),
        (_("Definition"), f"{definition_line(pack)} ({pack.definition})"),
        (_("Period"), period_words(pack)),
        (_("Data cut-off"), cut_off_words(pack)),
        (_("Months with data"), months("months_with_data") or unstated),
        (_("Months not loaded"), months("months_not_loaded") or none),
        (
            _("Forces without crimes loaded"),
            join([force_name(f, lang) for f in m.get("forces_without_data") or []], lang) or none,
        ),
        (_("Missing data"), _(str(m.get("coverage_note") or "not stated"))),
        (_("Overlap"), " ".join(overlap_lines(pack, pack.names)) if pack.overlap else unstated),
        (_("Weights"), weights),
        (_("Normalisation"), _(str(m.get("normalisation") or "not stated"))),
        (_("Top N"), str(pack.top_n)),
        (
            _("Rank change"),
            _(RANK_CHANGE_RULE)
            + " "
            + (
                _("Previous pack: {month} (checksum {checksum}).").format(
                    month=month_words(pack.previous_month, lang),
                    checksum=pack.previous_checksum[:12],
                )
                if pack.previous_month and pack.previous_checksum
                else _("No earlier pack was published.")
            ),
        ),
        (
            _("Persistence"),
            _(
                "'Months in top N': loaded months of the last {window} in which the ward was "
                "in the top {n} by its monthly violence count ({k} loaded; months not loaded "
                "are not counted); persistent = at least {need} of {of}."
            ).format(
                window=pack.persistence_window or pack.persistence_months,
                n=pack.top_n,
                k=pack.persistence_months,
                need=s.persistent_months,
                of=s.persistence_window,
            ),
        ),
        (_("Drug co-location"), _(DRUGS_RULE)),
        (
            _("Population"),
            " ".join(
                x
                for x in (
                    _("Year {year}.").format(year=m["population_year"])
                    if m.get("population_year")
                    else "",
                    _(str(m.get("population_method") or "")) if m.get("population_method") else "",
                )
                if x
            )
            or unstated,
        ),
        (_("Harm weights"), _harm_words(m.get("harm_weights"), pack.lang)),
        (_("Suppression"), suppression_words(pack)),
        (_("Sources"), ", ".join(m.get("sources") or []) or unstated),
        (_("Licences"), _(ATTRIBUTION)),
    ]
    if m.get("label"):
        items.insert(
            0,
            (
                _("Label"),
                _("{label}: invented places and crimes, not real data").format(
                    label=str(m["label"]).upper()
                ),
            ),
        )
    return items


def _harm_words(note, lang: str) -> str:
    """The harm weights' note: the analysis' phrase in ``lang``; "not used" when none."""
    if is_phrase(note):
        return reason_text(note, lang)
    return tr(lang)(str(note or N_("not used")))
