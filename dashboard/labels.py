"""The analysis' words in the page's language: plain explanations of the statistical
terms, the analysis' fixed phrases (hot spot classes, why a ward is listed, harm reasons),
the ranking in words, and place names in Welsh on a Welsh page."""

from __future__ import annotations

import re

import pandas as pd

from dashboard import caches as state
from dashboard.language import N_, _, current_language, place_names
from hotspots.stats.ranking import COMPONENTS, RankSettings

#: The area choice that means every ward of the store.
ALL = "All wards"

# ------------------------------------------------------------ statistical terms in words
#: One plain line for each statistical term, shown beside it (tooltips and captions).
HELP_GI = N_(
    "Gi* asks whether a ward and its neighbours together have more (hot) or less (cold) "
    "violence than the whole area, by more than chance would give."
)
HELP_FDR = N_(
    "Testing many wards at once makes some look significant by chance; the false discovery "
    "rate (FDR) correction keeps such false alarms to a small share."
)
HELP_SMOOTHED = N_(
    "Empirical Bayes pulls a small ward's rate towards the average, so that a handful of "
    "crimes cannot make it look extreme."
)
HELP_RANK_RANGE = N_(
    "If the counts had come out a little differently by chance, the ward's rank would fall "
    "in this range 9 times out of 10."
)
HELP_PERMUTATION = N_(
    "Permutation p: how often shuffling the wards at random gives an overlap at least this "
    "big; below 0.05, the overlap is unlikely to be chance."
)
HELP_SPEARMAN = N_(
    "Spearman ρ: how closely the order of wards by violence follows their order by drug "
    "offences (1 = the same order, 0 = unrelated, −1 = the reverse)."
)

_HOT = re.compile(r"(Hot|Cold) spot (\d+%)")
_TOP = re.compile(r"(.+) in the top (\d+)%")


def class_label(text: str) -> str:
    """A Gi* class ("Hot spot 95%", "Not significant") in the page's language."""
    m = _HOT.fullmatch(str(text))
    if m:
        hot = m.group(1) == "Hot"
        return (_("Hot spot {level}") if hot else _("Cold spot {level}")).format(level=m.group(2))
    return _(str(text)) if text else text


def why_label(text: str) -> str:
    """ "Why it ranks here" ("violence rate in the top 5%; …") in the page's language."""
    words = {w[2]: w[2] for w in COMPONENTS.values()}
    parts = []
    for part in str(text).split("; "):
        m = _TOP.fullmatch(part)
        if m and m.group(1) in words:
            parts.append(
                _("{what} in the top {share}").format(what=_(m.group(1)), share=m.group(2) + "%")
            )
        else:
            parts.append(_(part) if part else part)
    return "; ".join(parts)


_NO_CODES = re.compile(
    r"police\.uk data has no Home Office offence codes and the Crime Severity Score weighs "
    r"offences by code, so no harm is computed for '(.+)'"
)


def harm_reason_text(reason: str) -> str:
    """Why the harm-weighted ranking is not offered, in the page's language where the
    catalogue has the reason (a list of codes without weights stays in English)."""
    m = _NO_CODES.fullmatch(str(reason))
    if m:
        return _(
            "police.uk data has no Home Office offence codes and the Crime Severity Score "
            "weighs offences by code, so no harm is computed for '{definition}'"
        ).format(definition=m.group(1))
    return _(str(reason)) if reason else reason


#: Texts the analysis writes that pages show as they are, in the catalogue.
ANALYSIS_TEXTS = (
    N_("harm scores are withheld from partner views (a sum over individual crimes)"),
    N_(
        "no harm weights are loaded: load the ONS Crime Severity Score table with "
        "'python -m hotspots load harm-weights FILE'"
    ),
    N_("All wards"),
    N_("no data"),
    N_("Not significant"),
    N_("no component in the top fifth of wards"),
    N_("no resident population: not ranked"),
)

#: The ranking's components in words, as the weights are described.
COMPONENT_WORDS = {
    "violence": N_("violence"),
    "drugs": N_("drugs"),
    "deprivation": N_("deprivation"),
    "harm": N_("harm"),
}


def ranking_description(ranking: RankSettings) -> str:
    """ "violence 50%, drugs 25%, deprivation 25%" in the page's language."""
    return ", ".join(f"{_(COMPONENT_WORDS.get(k, k))} {w:.0%}" for k, w in ranking.weights if w)


def welsh_names() -> dict[str, str]:
    """The Welsh names of the active store's wards, councils and forces, on a Welsh
    page; empty on an English page (nothing to replace)."""
    if current_language() != "cy":
        return {}
    store = state.active_store()
    return state.welsh_names(str(store.root), store.version())


def area_label(area: str) -> str:
    """An area choice as shown: "All wards" translated, and on a Welsh page a force's or
    council's Welsh name (the address keeps the English key)."""
    if area == ALL:
        return _(ALL)
    return welsh_names().get(area, area)


def localised(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with ward, council and force names in Welsh on a Welsh page."""
    return place_names(frame, welsh_names())
