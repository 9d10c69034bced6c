"""Home: what the tool is, in plain words, and where to go next."""

import streamlit as st

from dashboard import caches as state
from dashboard import labels, navigation
from dashboard import selection as fr
from dashboard.language import N_, _
from dashboard.safe_text import md
from hotspots.stats.analysis import AnalysisSettings, rerank

f = fr.sidebar()
st.title(_("Serious violence hotspots"))
data = state.ward_data(f.root, f.version, f.selection, f.view_rule)
fr.source_line(f, data)
st.markdown(
    _(
        "This dashboard shows **where serious violence is concentrated** in the chosen area "
        "and period, how that meets **drug offences** and **deprivation**, and what has "
        "changed since last month — for the partnership's list of hotspots under the "
        "Serious Violence Duty. Choose the area, period and definition on the left; every "
        "page follows them, and the address in your browser can be shared as a link."
    )
)

params = navigation.shared_params()
PAGES = [
    (
        "pages/map.py",
        N_("Map"),
        N_(
            "wards coloured by violence, drugs, deprivation or hotspot "
            "class; click a ward for its profile"
        ),
    ),
    (
        "pages/hotspots.py",
        N_("Hotspot list"),
        N_("the ranked wards with downloads (CSV, Excel, GeoJSON)"),
    ),
    (
        "pages/pack.py",
        N_("Monthly pack"),
        N_("top wards for the meeting, what moved, what is new, as a PDF"),
    ),
    (
        "pages/profile.py",
        N_("Ward profile"),
        N_("one ward: trend, crime mix, deprivation, neighbours"),
    ),
    ("pages/data.py", N_("Data"), N_("what is loaded and how every row was counted")),
    ("pages/method.py", N_("Method"), N_("how each figure is made, caveats and sources")),
]
for path, label, what in PAGES:
    c1, c2 = st.columns([1, 4])
    with c1:
        st.page_link(path, label=_(label), query_params=params)
    c2.caption(_(what))

result = state.analysis(f.root, f.version, f.selection, AnalysisSettings(), f.view_rule)
top = rerank(result, f.ranking).dropna(subset=["rank"]).sort_values("rank").head(5)
top = labels.localised(top)
st.subheader(_("Top five wards now"))
if top.empty:
    st.write(_("No ward is ranked: there are no data for this area and period."))
else:
    for _i, r in top.iterrows():  # each ward a link to its profile
        st.page_link(
            "pages/profile.py",
            label=_("{rank}. {ward} ({authority})").format(
                rank=int(r["rank"]),
                ward=md(r["ward_name"]),
                authority=md(r["local_authority_name"]),
            ),
            query_params={**params, "ward": str(r["ward_code"])},
        )
st.caption(
    _(
        "Ranked by {ranking} (the selection's ranking, chosen on the Hotspot list page, "
        "which explains it)."
    ).format(ranking=labels.ranking_description(f.ranking))
)
