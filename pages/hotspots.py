"""Hotspot list: the ranked wards with presets, weights, uncertainty, trend and downloads."""

import pandas as pd
import streamlit as st

from dashboard import accessibility as a11y
from dashboard import auth, labels
from dashboard import caches as state
from dashboard import selection as fr
from dashboard.language import _, current_language, labels_of, ngettext
from dashboard.safe_text import md
from dashboard.tables import Column
from hotspots.access.disclosure import partner_hotspot_list
from hotspots.access.partner import hotspot_table
from hotspots.outputs.exports import hotspot_list_csv, hotspot_list_excel, hotspot_list_geojson
from hotspots.stats.analysis import AnalysisSettings, hotspot_list, left_out, rerank
from hotspots.stats.concordance import named_overlaps
from hotspots.stats.ranking import COMPONENTS, NORMALISATION, PRESET_LABELS, PRESETS, rank_settings

f = fr.sidebar()
st.title(_("Hotspot list"))
data = state.ward_data(f.root, f.version, f.selection, f.view_rule)
fr.source_line(f, data)

c1, c2 = st.columns([2, 1])
# The harm-weighted preset only when every code of the definition has a harm weight.
harm_ok = data.harm_available
choices = [p for p in PRESETS if harm_ok or not PRESETS[p].get("harm")] + [fr.CUSTOM]
components = [k for k in COMPONENTS if harm_ok or k != "harm"]
# The ranking belongs to the selection (kept in the address): the map and the pack use it.
wanted = f.preset
preset = c1.selectbox(
    _("Ranking"),
    choices,
    format_func=labels_of(
        choices, lambda p: _(PRESET_LABELS[p]) if p in PRESET_LABELS else _("Your own weights")
    ),
    index=choices.index(wanted) if wanted in choices else 0,
    help=_("Kept in the address: the map's hotspot score and the pack use it."),
)
top_n = int(
    c2.number_input(
        _("Top N"),
        min_value=3,
        max_value=50,
        value=12,
        step=1,
        help=_("How many wards make the list's top (the overlaps and the pack use it)."),
    )
)
if not harm_ok:
    st.caption(
        _("Harm-weighted ranking not offered: {reason}.").format(
            reason=md(labels.harm_reason_text(data.harm_reason))
        )
    )
if preset == fr.CUSTOM:
    cols = st.columns(len(components))
    start = dict(f.ranking.weights) if f.ranking.preset is None else {}
    raw = {
        k: cols[i].slider(
            _(COMPONENTS[k][1]),
            0,
            100,
            int(round(start.get(k, 0.25) * 100 / 5) * 5),
            step=5,
            key=f"w_{k}",
        )
        for i, k in enumerate(components)
    }
    total = sum(raw.values())
    if total == 0:
        st.warning(_("Give at least one component a weight."))
        st.stop()
    ranking = rank_settings(weights={k: v / total for k, v in raw.items()})
    st.caption(
        _("Weights are scaled to add up to 100%: {weights}").format(
            weights=labels.ranking_description(ranking)
        )
    )
else:
    ranking = rank_settings(preset)
fr.set_ranking(ranking)

with st.spinner(_("Ranking wards…")):
    result = state.analysis(
        f.root, f.version, f.selection, AnalysisSettings(top_n=top_n), f.view_rule
    )
ranked = rerank(result, ranking)
d = data.definition
label = f"{d.name} (proxy)" if d.proxy else d.name
# What the downloads hold (the command line's `rank --audience` writes the same bytes).
table = hotspot_table(data, result, ranked, f.view_rule, ranking)

full = hotspot_list(result, label, ranked, ranking)
series = full[["ward_code"]].merge(
    result.trends[["ward_code", "series"]], on="ward_code", how="left"
)["series"]
if f.partner:  # result is the partner view's; each month shown beside the ward's total
    show = partner_hotspot_list(full, f.rule, series)
else:
    show = table.assign(series=series.to_numpy())
show["interval"] = [
    f"{int(a)}–{int(b)}" if pd.notna(a) else ""
    for a, b in zip(show["rank_low"], show["rank_high"], strict=True)
]
show = labels.localised(show)
if current_language() != "en":
    show["gi_class"] = show["gi_class"].map(labels.class_label, na_action="ignore")
    show["why"] = show["why"].map(labels.why_label, na_action="ignore")
# Screen readers read a table's data: make it what the table shows (downloads unchanged).
show = a11y.as_shown(show, rounded_1=["sv_rate"], percent=["dep_share_20"], flags=["volatile"])
n_ranked = int(table["rank"].notna().sum())
st.write(
    "**"
    + ngettext("{n} ward ranked.", "{n} wards ranked.", n_ranked).format(n=n_ranked)
    + "** "
    + _(NORMALISATION)
)
# A real table: ward names link to their profiles; each heading explained under it.
a11y.ward_table(
    show,
    [
        Column(_("Rank"), "rank", kind="count"),
        Column(_("Ward"), "ward_name"),
        Column(
            _("Per 1,000"),
            "sv_rate",
            help=_("Serious violence per 1,000 residents in the period."),
            kind="decimal",
        ),
        Column(_("Local authority"), "local_authority_name"),
        Column(
            _("Violence"), "sv_count", help=d.title_in(current_language()), kind="count"
        ),  # the definition
        Column(_("Drugs"), "drugs_count", kind="count"),
        Column(
            _("Most deprived 20%"),
            "dep_share_20",
            help=_(
                "Share of residents living in the 20% most deprived "
                "areas (index without community safety)"
            ),
        ),
        Column(_("Rank range (90%)"), "interval", help=_(labels.HELP_RANK_RANGE)),
        Column(
            _("Volatile"),
            "volatile",
            help=_("The rank range is wide: the rank could easily change."),
        ),
        Column(_("Monthly trend"), "series", help=_(a11y.TREND_NOTE), kind="trend"),
        Column(_("Hot spot test (Gi*)"), "gi_class", help=_(labels.HELP_GI)),
        Column(_("Why it ranks here"), "why"),
    ],
    caption=_("The ranked wards (a ward's name opens its profile)"),
    table_id="hotspot-list-table",
)
st.caption(
    _("**Ranks** use smoothed rates: {smoothed} **Hot spot test**: {gi} {fdr}").format(
        smoothed=_(labels.HELP_SMOOTHED), gi=_(labels.HELP_GI), fdr=_(labels.HELP_FDR)
    )
)

meta = {
    **data.metadata(),
    "weights": dict(ranking.weights),
    "preset": ranking.preset,
    "top_n": top_n,
    "suppression": f.suppression_note(),
    "definition_title": d.title_in(current_language()),  # the Excel is for people
}
stem = f"hotspots_{f.selection.area or 'all'}_{f.selection.start}_{f.selection.end}"
d1, d2, d3 = st.columns(3)
# Excel and GeoJSON are built only when clicked (Streamlit calls the function then), so
# the page's runs stay fast; the CSV is small and built every run.
d1.download_button(
    _("Download CSV"),
    hotspot_list_csv(table),
    f"{stem}.csv",
    "text/csv",
    on_click=auth.on_download(f"{stem}.csv"),
)
lang = current_language()
d2.download_button(
    _("Download Excel"),
    lambda: hotspot_list_excel(table, meta, lang=lang),
    f"{stem}.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    on_click=auth.on_download(f"{stem}.xlsx"),
)
d3.download_button(
    _("Download GeoJSON"),
    lambda: hotspot_list_geojson(table, data.wards),
    f"{stem}.geojson",
    "application/geo+json",
    on_click=auth.on_download(f"{stem}.geojson"),
)
overlap = named_overlaps(full, top_n)
names = dict(zip(table["ward_code"].astype(str), table["ward_name"].astype(str), strict=True))
names.update({c: n for c, n in labels.welsh_names().items() if c in names})
st.subheader(_("Violence and drugs: two overlaps"))
which = ", ".join(names.get(c, c) for c in overlap.list_vs_drugs)
lines = [
    _("Top {n} by violence count vs top {n} by drug count: {k}.").format(
        n=top_n, k=len(overlap.violence_vs_drugs)
    ),
    ngettext(
        "Of this list's top {n}, {k} is in the drug top {n}",
        "Of this list's top {n}, {k} are in the drug top {n}",
        len(overlap.list_vs_drugs),
    ).format(n=top_n, k=len(overlap.list_vs_drugs))
    + (f": {which}." if which else "."),
]
for line in lines:
    st.markdown(f"- {md(line)}")  # ward names are data, never markup
st.subheader(_("High violence, not in the top {n}").format(n=top_n))
missed = left_out(full, top_n, ranking.as_dict)
if missed.empty:
    st.caption(
        _("Every ward in the top {n} by violence count or rate is in the list's top {n}.").format(
            n=top_n
        )
    )
else:
    if current_language() != "en":  # the analysis' reasons, in the page's language
        missed = missed.assign(reason=missed["reason"].map(labels.phrase_text))
    a11y.ward_table(
        labels.localised(missed),
        [
            Column(_("Ward"), "ward_name"),
            Column(_("Local authority"), "local_authority_name"),
            Column(_("Rank"), "rank", kind="count"),
            Column(_("Why it is not in the top"), "reason"),
        ],
        caption=_("High violence, not in the top {n}").format(n=top_n),
        table_id="left-out-table",
    )
if result.concordance is not None:
    c = result.concordance
    st.info(
        _(
            "**Violence and drugs meet:** {k} of the top {n} wards for violence are also in "
            "the top {n} for drug offences (permutation p = {p}; Spearman ρ = {rho})."
        ).format(k=c.overlap, n=c.top_n, p=f"{c.overlap_p:.4f}", rho=f"{c.spearman_rho:.2f}")
    )
    st.caption(_(labels.HELP_PERMUTATION) + " " + _(labels.HELP_SPEARMAN))
