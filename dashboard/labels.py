"""The analysis' words in the page's language: plain explanations of the statistical
terms, the analysis' phrases (hot spot classes, why a ward is listed, harm reasons; made
from their parts by :mod:`hotspots.stats.phrases`), the ranking in words, and place names
in Welsh on a Welsh page."""

from __future__ import annotations

import pandas as pd

from dashboard import caches as state
from dashboard.language import N_, _, current_language, place_names
from hotspots.slugs import slug
from hotspots.stats.phrases import FORCE_NAMES, force_name, reason_text
from hotspots.stats.ranking import RankSettings

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


def phrase_text(text: str) -> str:
    """A phrase of the analysis (a Gi* or emerging class, "why it ranks here", a reason,
    a data note) in the page's language, rendered from its parts
    (:func:`hotspots.stats.phrases.reason_text`)."""
    return reason_text(text, current_language())


def class_label(text: str) -> str:
    """A Gi* class ("Hot spot 95%", "Not significant") in the page's language."""
    return phrase_text(text)


def why_label(text: str) -> str:
    """ "Why it ranks here" ("violence rate in the top 5%; …") in the page's language."""
    return phrase_text(text)


def harm_reason_text(reason: str) -> str:
    """Why the harm-weighted ranking is not offered, in the page's language."""
    return phrase_text(reason)


#: Texts of the pages that are not the analysis' phrases, in the catalogue.
PAGE_TEXTS = (N_("All wards"),)

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
    """An area choice as shown: "All wards" translated, a Welsh police force by its name
    ("South Wales Police" / "Heddlu De Cymru"), and on a Welsh page a council's Welsh name
    (the address keeps the key: "south-wales")."""
    if area == ALL:
        return _(ALL)
    if area in FORCE_NAMES:  # a force's key ("south-wales") as its name, in either language
        return force_name(area, current_language())
    return welsh_names().get(area) or force_names().get(area, area)


def force_names() -> dict[str, str]:
    """The active store's police forces: key ("cantre-gwaelod") → name as its wards
    carry it ("Cantre Gwaelod")."""
    store = state.active_store()
    wards = state.geography(str(store.root), store.version()).wards
    return {slug(f): str(f) for f in wards["police_force"].dropna().unique()}


def localised(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with ward, council and force names in Welsh on a Welsh page."""
    return place_names(frame, welsh_names())
