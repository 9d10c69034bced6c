"""Hotspot list: the ranked wards with presets, weights, uncertainty, trend and downloads."""

import pandas as pd
import streamlit as st

from dashboard import accessibility as a11y
from dashboard import auth
from dashboard import caches as state
from dashboard import selection as fr
from dashboard.safe_text import md
from hotspots.access.disclosure import partner_hotspot_list
from hotspots.access.partner import hotspot_table
from hotspots.outputs.exports import hotspot_list_csv, hotspot_list_excel, hotspot_list_geojson
from hotspots.stats.analysis import AnalysisSettings, hotspot_list, left_out, rerank
from hotspots.stats.concordance import named_overlaps
from hotspots.stats.ranking import COMPONENTS, NORMALISATION, PRESET_LABELS, PRESETS, rank_settings

f = fr.sidebar()
st.title("Hotspot list")
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
    "Ranking",
    choices,
    format_func=lambda p: PRESET_LABELS.get(p, "Your own weights"),
    index=choices.index(wanted) if wanted in choices else 0,
    help="Kept in the address: the map's hotspot score and the pack use it.",
)
top_n = int(c2.number_input("Top N", min_value=3, max_value=50, value=12, step=1))
if not harm_ok:
    st.caption(f"Harm-weighted ranking not offered: {md(data.harm_reason)}.")
if preset == fr.CUSTOM:
    cols = st.columns(len(components))
    start = dict(f.ranking.weights) if f.ranking.preset is None else {}
    raw = {
        k: cols[i].slider(
            COMPONENTS[k][1],
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
        st.warning("Give at least one component a weight.")
        st.stop()
    ranking = rank_settings(weights={k: v / total for k, v in raw.items()})
    st.caption("Weights are scaled to add up to 100%: " + ranking.describe())
else:
    ranking = rank_settings(preset)
fr.set_ranking(ranking)

with st.spinner("Ranking wards…"):
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
# Screen readers read a table's data: make it what the table shows (downloads unchanged).
show = a11y.as_shown(show, rounded_1=["sv_rate"], percent=["dep_share_20"], flags=["volatile"])
st.write(f"**{int(table['rank'].notna().sum())} wards ranked.** {NORMALISATION}")
st.dataframe(
    show[
        [
            "rank",
            "ward_name",
            "local_authority_name",
            "sv_count",
            "sv_rate",
            "drugs_count",
            "dep_share_20",
            "interval",
            "volatile",
            "series",
            "gi_class",
            "why",
        ]
    ],
    hide_index=True,
    width="stretch",
    column_config={
        "rank": st.column_config.NumberColumn("Rank"),
        "ward_name": "Ward",
        "local_authority_name": "Local authority",
        "sv_count": st.column_config.NumberColumn("Violence", help=md(d.title)),
        "sv_rate": "Per 1,000",
        "drugs_count": st.column_config.NumberColumn("Drugs"),
        "dep_share_20": st.column_config.TextColumn(
            "Most deprived 20%",
            help="Share of residents living in the 20% most deprived "
            "areas (index without community safety)",
        ),
        "interval": st.column_config.TextColumn(
            "Rank range (90%)", help="90% interval of the ward's rank"
        ),
        "volatile": st.column_config.TextColumn("Volatile", help="The rank range is wide"),
        "series": st.column_config.LineChartColumn("Monthly trend"),
        "gi_class": "Hot spot test (Gi*)",
        "why": "Why it ranks here",
    },
)
a11y.ward_links(show.dropna(subset=["rank"]).sort_values("rank").head(top_n))

meta = {
    **data.metadata(),
    "weights": dict(ranking.weights),
    "preset": ranking.preset,
    "top_n": top_n,
    "suppression": f.suppression_note(),
}
stem = f"hotspots_{f.selection.area or 'all'}_{f.selection.start}_{f.selection.end}"
d1, d2, d3 = st.columns(3)
# Excel and GeoJSON are built only when clicked (Streamlit calls the function then), so
# the page's runs stay fast; the CSV is small and built every run.
d1.download_button(
    "Download CSV",
    hotspot_list_csv(table),
    f"{stem}.csv",
    "text/csv",
    on_click=auth.on_download(f"{stem}.csv"),
)
d2.download_button(
    "Download Excel",
    lambda: hotspot_list_excel(table, meta),
    f"{stem}.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    on_click=auth.on_download(f"{stem}.xlsx"),
)
d3.download_button(
    "Download GeoJSON",
    lambda: hotspot_list_geojson(table, data.wards),
    f"{stem}.geojson",
    "application/geo+json",
    on_click=auth.on_download(f"{stem}.geojson"),
)
overlap = named_overlaps(full, top_n)
names = dict(zip(table["ward_code"].astype(str), table["ward_name"].astype(str), strict=True))
st.subheader("Violence and drugs: two overlaps")
for line in overlap.lines(names):
    st.markdown(f"- {md(line)}")  # ward names are data, never markup
st.subheader(f"High violence, not in the top {top_n}")
missed = left_out(full, top_n, ranking.as_dict)
if missed.empty:
    st.caption(
        f"Every ward in the top {top_n} by violence count or rate is in the list's top {top_n}."
    )
else:
    st.dataframe(
        missed[["ward_name", "local_authority_name", "rank", "reason"]],
        hide_index=True,
        width="stretch",
        column_config={
            "ward_name": "Ward",
            "local_authority_name": "Local authority",
            "rank": st.column_config.NumberColumn("Rank"),
            "reason": "Why it is not in the top",
        },
    )
if result.concordance is not None:
    c = result.concordance
    st.info(
        f"**Violence and drugs meet:** {c.overlap} of the top {c.top_n} wards for violence "
        f"are also in the top {c.top_n} for drug offences (permutation p = "
        f"{c.overlap_p:.4f}; Spearman ρ = {c.spearman_rho:.2f})."
    )
