"""Hotspot list: the ranked wards with presets, weights, uncertainty, trend and downloads."""

import pandas as pd
import streamlit as st

from dashboard import auth, state
from dashboard import frame as fr
from hotspots.analysis import AnalysisSettings, hotspot_list, rerank
from hotspots.disclosure import partner_hotspot_list
from hotspots.exports import hotspot_list_csv, hotspot_list_excel, hotspot_list_geojson
from hotspots.ranking import COMPONENTS, NORMALISATION, PRESET_LABELS, PRESETS, rank_settings

f = fr.sidebar()
st.title("Hotspot list")
data = state.ward_data(f.root, f.version, f.selection)
fr.source_line(f, data)

c1, c2 = st.columns([2, 1])
choices = [*PRESETS, "custom"]
wanted = st.query_params.get("preset", "violence-drugs-deprivation")
preset = c1.selectbox("Ranking", choices,
                      format_func=lambda p: PRESET_LABELS.get(p, "Your own weights"),
                      index=choices.index(wanted) if wanted in choices else 0)
top_n = int(c2.number_input("Top N", min_value=3, max_value=50, value=12, step=1))
if preset == "custom":
    cols = st.columns(len(COMPONENTS))
    raw = {k: cols[i].slider(COMPONENTS[k][1], 0, 100, 25, step=5, key=f"w_{k}")
           for i, k in enumerate(COMPONENTS)}
    total = sum(raw.values())
    if total == 0:
        st.warning("Give at least one component a weight.")
        st.stop()
    ranking = rank_settings(weights={k: v / total for k, v in raw.items()})
    st.caption("Weights are scaled to add up to 100%: " + ranking.describe())
else:
    ranking = rank_settings(preset)
st.query_params["preset"] = preset

with st.spinner("Ranking wards…"):
    result = state.analysis(f.root, f.version, f.selection, AnalysisSettings(top_n=top_n))
ranked = rerank(result, ranking)
d = data.definition
label = f"{d.name} (proxy)" if d.proxy else d.name
table = hotspot_list(result, label, ranked, ranking)

series = table[["ward_code"]].merge(result.trends[["ward_code", "series"]], on="ward_code",
                                    how="left")["series"]
if f.partner:
    table = partner_hotspot_list(table, f.rule)
    show = partner_hotspot_list(hotspot_list(result, label, ranked, ranking), f.rule,
                                series)
else:
    show = table.assign(series=series.to_numpy())
show["interval"] = [f"{int(a)}–{int(b)}" if pd.notna(a) else "" for a, b in
                    zip(show["rank_low"], show["rank_high"], strict=True)]
st.write(f"**{int(table['rank'].notna().sum())} wards ranked.** {NORMALISATION}")
st.dataframe(
    show[["rank", "ward_name", "local_authority_name", "sv_count", "sv_rate", "drugs_count",
          "dep_share_20", "interval", "volatile", "series", "gi_class", "why"]],
    hide_index=True, width="stretch",
    column_config={
        "rank": st.column_config.NumberColumn("Rank"),
        "ward_name": "Ward", "local_authority_name": "Local authority",
        "sv_count": st.column_config.NumberColumn("Violence", help=d.title),
        "sv_rate": "Per 1,000",
        "drugs_count": st.column_config.NumberColumn("Drugs"),
        "dep_share_20": st.column_config.ProgressColumn(
            "Most deprived 20%", help="Share of residents living in the 20% most deprived "
            "areas (index without community safety)", min_value=0.0, max_value=1.0,
            format="percent"),
        "interval": st.column_config.TextColumn("Rank range (90%)",
                                                help="90% interval of the ward's rank"),
        "volatile": st.column_config.CheckboxColumn("Volatile",
                                                    help="The rank range is wide"),
        "series": st.column_config.LineChartColumn("Monthly trend"),
        "gi_class": "Hot spot test (Gi*)", "why": "Why it ranks here",
    })

meta = {**data.metadata(), "weights": dict(ranking.weights), "preset": ranking.preset,
        "top_n": top_n, "suppression": f.suppression_note()}
stem = f"hotspots_{f.selection.area or 'all'}_{f.selection.start}_{f.selection.end}"
d1, d2, d3 = st.columns(3)
# Excel and GeoJSON are built only when clicked (Streamlit calls the function then), so
# the page's runs stay fast; the CSV is small and built every run.
d1.download_button("Download CSV", hotspot_list_csv(table), f"{stem}.csv", "text/csv",
                   on_click=auth.on_download(f"{stem}.csv"))
d2.download_button("Download Excel", lambda: hotspot_list_excel(table, meta), f"{stem}.xlsx",
                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   on_click=auth.on_download(f"{stem}.xlsx"))
d3.download_button("Download GeoJSON", lambda: hotspot_list_geojson(table, data.wards),
                   f"{stem}.geojson", "application/geo+json",
                   on_click=auth.on_download(f"{stem}.geojson"))
if result.concordance is not None:
    c = result.concordance
    st.info(f"**Violence and drugs meet:** {c.overlap} of the top {c.top_n} wards for violence "
            f"are also in the top {c.top_n} for drug offences (permutation p = "
            f"{c.overlap_p:.4f}; Spearman ρ = {c.spearman_rho:.2f}).")
