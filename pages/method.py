"""Method: definitions, formulas, the assignment rule, caveats, sources and licences."""

import pandas as pd
import streamlit as st

from dashboard import caches as state
from dashboard import labels
from dashboard import selection as fr
from dashboard.language import N_, _, current_language
from dashboard.safe_text import md, md_table
from hotspots.definitions import load_definitions
from hotspots.io.harm import HARM_KEY, NOT_STATED
from hotspots.io.population import POPULATION_METHOD
from hotspots.stats.analysis import AnalysisSettings
from hotspots.stats.ranking import NORMALISATION, PRESET_LABELS, PRESETS

f = fr.sidebar()
SETTINGS = AnalysisSettings()  # the figures the text quotes are the settings' own
DRAWS, MIN_MONTHS = SETTINGS.uncertainty_draws, SETTINGS.emerging.min_steps
st.title(_("Method"))
st.markdown(
    _("This page says how every figure is made, so that it can be checked.")
    + "\n\n### "
    + _("Which crimes count")
)
for d in load_definitions().values():
    lang = current_language()
    st.markdown(
        f"**{md(d.title_in(lang))}** ({md(d.name)}){_(' — a proxy') if d.proxy else ''}: "
        + md(d.description_in(lang))
    )
    if not d.has_language(lang):
        st.caption(
            _(
                "This definition's file has no Welsh title, description or category names "
                "yet, so they are shown in English."
            )
        )
    st.table(
        md_table(
            pd.DataFrame(
                {
                    _("Category"): [c.label_in(lang) for c in d.categories],
                    _("Counts"): [", ".join(c.values) for c in d.categories],
                    _("Not counted when flagged"): [
                        ", ".join(c.exclude_flags) or "—" for c in d.categories
                    ],
                }
            )
        ),
        hide_index=True,
    )
_harm = state.manifest(f.root, f.version)["reference"].get(HARM_KEY)
if _harm:
    _hm = _harm.get("meta", {})
    HARM_TEXT = _(
        "The harm-weighted ranking weighs each serious-violence offence by its **ONS Crime "
        "Severity Score** weight (by Home Office offence code). Table loaded: `{file}`, {n} "
        "codes. Source: {source}. Vintage: {vintage}. Provenance: {provenance}. It is "
        "offered only for a definition whose every offence code has a weight; police.uk data "
        "has no offence codes, so the proxy has no harm measure (no category averages are "
        "made up)."
    ).format(
        file=_harm["file"],
        n=f"{_harm['rows']:,}",
        source=_hm.get("source", NOT_STATED),
        vintage=_hm.get("vintage", NOT_STATED),
        provenance=_hm.get("provenance", NOT_STATED),
    )
else:
    HARM_TEXT = _(
        "No harm weights are loaded, so the harm-weighted ranking is not offered. "
        "An analyst loads the ONS Crime Severity Score table with `python -m "
        "hotspots load harm-weights FILE`."
    )
st.markdown(
    "### "
    + _("Placing each crime in a ward")
    + "\n"
    + _(
        "1. The crime's LSOA code (2011 or 2021) → its 2021 LSOA(s) (ONS lookup) → 2022 "
        "ward(s) (ONS best-fit lookup). Exactly one ward → that ward.\n"
        "2. Otherwise, if the crime has coordinates → the ward polygon holding the point; a "
        "point just off the generalised coast → the nearest ward within 2 km; else "
        "*unlocated*.\n"
        "3. An LSOA code in neither lookup (e.g. an English code) → *outside the area*."
    )
    + "\n\n"
    + _("Every row read is accounted for on the **Data** page.")
    + "\n\n### "
    + _("Rates and small numbers")
    + "\n"
    + _(
        "Rates are per 1,000 residents. {population} Small wards with few residents can "
        "have extreme rates from a handful of crimes, so rankings use **empirical-Bayes "
        "smoothed rates** (each ward's rate pulled towards the average in proportion to how "
        "little evidence it has). Each ward's rank also gets a **90% range**: every count "
        "behind its score (violence, drugs, harm) is re-sampled {draws} times and the wards "
        "ranked again by the same weights, so the range belongs to the rank shown; wards "
        "whose range is wide are marked **volatile**."
    ).format(population=_(POPULATION_METHOD), draws=f"{DRAWS:,}")
    + "\n\n### "
    + _("Deprivation")
    + "\n"
    + _(
        "Deprivation comes from the Welsh Index of Multiple Deprivation 2019 (IMD 2019 for "
        "English areas). It is summarised for wards as Welsh Government advises for larger "
        "areas: the share of the ward's residents living in the most deprived 10% and 20% of "
        "small areas — not an average of ranks. **The index is recomputed without its "
        "Community Safety domain**, because that domain contains police-recorded crime, and "
        "ranking violence against it would be partly circular (domain ranks → exponential "
        "transformation → weighted sum with the published weights, the remaining weights "
        "rescaled)."
    )
    + "\n\n### "
    + _("Ranking")
    + "\n"
    + _("Presets: {presets}.").format(presets=", ".join(_(PRESET_LABELS[p]) for p in PRESETS))
    + " "
    + _(NORMALISATION)
    + "\n\n### "
    + _("Harm")
    + "\n"
    + HARM_TEXT
    + "\n\n### "
    + _("Hot spot tests")
    + "\n"
    + _(
        "**Getis-Ord Gi\\*** compares each ward and its neighbours (wards sharing a boundary "
        "point; islands joined to their nearest ward) with the whole area, on smoothed "
        "violence rates: the two-sided p-value counts every possible re-arrangement of a "
        "ward's neighbours (exactly, not a random sample, so the same data always give the "
        "same answer), corrected for testing many wards at once (Benjamini–Hochberg false "
        "discovery rate). **Local Moran** clusters give a second view. **Emerging hot "
        "spots** follow the ArcGIS classes (new, consecutive, intensifying, persistent, "
        "diminishing, sporadic, oscillating, historical) from a Gi\\* per month and a "
        "Mann–Kendall trend test, once at least {min_months} months are loaded (with fewer "
        'the list says "Not enough months"). **Observed vs expected**: a negative binomial '
        "model of "
        "violence on deprivation (population as offset; it allows ward counts to vary more "
        "than a Poisson model would) says which wards have more violence than their "
        "deprivation predicts, at a 5% false discovery rate (Benjamini–Hochberg)."
    ).format(min_months=MIN_MONTHS)
)
fitted = st.empty()  # this selection's fit, filled in last (its analysis may be refused)
st.markdown("### " + _("The terms in plain words"))
st.markdown(
    "\n".join(
        f"- **{_(term)}** — {_(words)}"
        for term, words in (
            (N_("Smoothed rate (empirical Bayes)"), labels.HELP_SMOOTHED),
            (N_("Rank range (90%)"), labels.HELP_RANK_RANGE),
            (N_("Hot spot test (Gi*)"), labels.HELP_GI),
            (N_("False discovery rate (FDR)"), labels.HELP_FDR),
            (N_("Permutation p"), labels.HELP_PERMUTATION),
            (N_("Spearman ρ"), labels.HELP_SPEARMAN),
        )
    ).replace("Gi*", "Gi\\*")
)
rule = fr.disclosure_rule()
st.markdown(
    "### "
    + _("What partners see")
    + "\n"
    + _(
        "Partners (councils, health boards, fire, youth justice, probation) see small "
        "numbers suppressed under the deployment's rule ({rule}). Their view is made "
        "**once**, from the analysts' counts: every count from 1 to {last} — a ward's count "
        "for the period, each kind of crime and each month — is replaced by one fixed "
        "stand-in ({stand_in}), and every figure a partner sees (rates, smoothed rates, "
        "percentiles, scores, ranks and rank ranges, hot spot classes, the violence–drugs "
        "overlap, trends and map classes) is computed from that table. So no partner figure "
        "can depend on a hidden count, and partners may see ranks that differ slightly from "
        "the analysts'. Recorded times of day and the row-by-row reconciliation of each file "
        "are shown to analysts only; harm scores are withheld."
    ).format(rule=fr.rule_text(rule), last=rule.threshold - 1, stand_in=rule.stand_in)
    + "\n\n### "
    + _("Caveats")
    + "\n"
    + _(
        '- With the police.uk proxy, "serious violence" includes all violence and sexual '
        "offences recorded by police (common assault and harassment too) and robbery.\n"
        "- police.uk places each crime at an anonymous map point near where it happened.\n"
        "- Small counts: read rank ranges, not only ranks.\n"
        '- Missing data is never 0: wards of a force with no crimes loaded are "no data" '
        "(grey, empty) and left out of smoothing, ranking, Gi\\*, Moran, concordance and "
        'trends; a month not loaded is a gap; "months in the top N" counts loaded months '
        'only. Wards with no residents by the ONS best-fit lookup are "counted with" the '
        "ward receiving their LSOA."
    )
    + "\n\n### "
    + _("Sources and licences")
    + "\n"
    + _(
        "police.uk crime data; ONS boundaries, lookups and population estimates; Welsh "
        "Government WIMD 2019; MHCLG IMD 2019 — all under the Open Government Licence v3.0. "
        "Contains OS data © Crown copyright and database right."
    )
)
# The map's base map: an operator's setting (hotspots.outputs.basemap), off by default.
from dashboard.language import _, current_language, error_text  # noqa: E402
from hotspots.outputs.basemap import basemap_from_env, describe_basemap  # noqa: E402

try:
    basemap_text = describe_basemap(basemap_from_env(), current_language())
except ValueError as exc:  # InputError: a mistyped setting, said in words
    basemap_text = error_text(exc)
st.markdown("### " + _("Base map") + "\n" + basemap_text)
# Partners: the fit of the partner view (hotspots.access.partner), as every partner figure.
result = state.analysis(f.root, f.version, f.selection, SETTINGS, f.view_rule)
fit = result.expected.attrs.get("fit") if result.expected is not None else None
fitted.markdown(
    _("For this selection: {fit}").format(fit=fit.describe(current_language()))
    if fit is not None
    else _("For this selection no deprivation model was fitted.")
)
