"""Ward profile: trend, category mix, drugs, deprivation, neighbours, rank history, times."""

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import accessibility as a11y
from dashboard import caches as state
from dashboard import labels
from dashboard import selection as fr
from dashboard.language import N_, _, current_language
from dashboard.safe_text import md
from dashboard.tables import Column
from hotspots.access.disclosure import suppress_frame, suppress_series
from hotspots.stats.analysis import AnalysisSettings, rerank
from hotspots.stats.indicators import ward_domain_shares
from hotspots.stats.trends import monthly_ranks

DAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
#: The WIMD domains as the chart names them.
DOMAINS = {
    d: d
    for d in (
        N_("overall"),
        N_("income"),
        N_("employment"),
        N_("health"),
        N_("education"),
        N_("access"),
        N_("housing"),
        N_("community safety"),
        N_("environment"),
        N_("crime"),
        N_("barriers"),
    )
}


def domain_label(domain: str) -> str:
    """A deprivation domain's name in the page's language."""
    return _(DOMAINS[domain]) if domain in DOMAINS else domain


f = fr.sidebar()
data = state.ward_data(f.root, f.version, f.selection, f.view_rule)
counts = labels.localised(data.counts).sort_values("ward_name")
codes = list(counts["ward_code"])
names = dict(zip(counts["ward_code"], counts["ward_name"], strict=True))
wanted = st.query_params.get("ward")
if wanted not in codes:
    ranked = state.analysis(f.root, f.version, f.selection, AnalysisSettings(), f.view_rule).ranked
    wanted = ranked["ward_code"].iloc[0]
ward = st.selectbox(
    _("Ward"), codes, index=codes.index(wanted), format_func=lambda c: f"{names[c]} ({c})"
)
st.query_params["ward"] = ward
row = counts.set_index("ward_code").loc[ward]
st.title(md(names[ward]))
st.caption(
    f"{md(row['local_authority_name'])} · {md(row['police_force'])} · "
    + _("{n} residents").format(n=f"{int(row['population']):,}")
)
fr.source_line(f, data)

result = state.analysis(f.root, f.version, f.selection, AnalysisSettings(), f.view_rule)
ranked = rerank(result, f.ranking)  # the selection's ranking, as on the list and the map
r = ranked.set_index("ward_code").loc[ward]
cats = list(data.definition.category_keys)
sv_cats = [k.key for k in data.definition.serious_violence]
drug_cats = [k.key for k in data.definition.drugs]
one = counts[counts["ward_code"] == ward].assign(sv_rate=r["sv_rate"])
if f.partner:  # the same rule as every partner view: small numbers suppressed
    one = suppress_frame(
        one,
        f.rule,
        groups=[("sv_count", sv_cats), ("drugs_count", drug_cats)],
        rates={"sv_rate": ("sv_count", "population")},
    )
shown = one.iloc[0]
note = (
    ""
    if result.coverage is None
    else str(result.coverage.set_index("ward_code")["data_note"].get(ward, ""))
)
if note:  # no data, or counted with another ward: never shown as 0
    shown = shown.copy()
    for col in ("sv_count", "drugs_count", "sv_rate", *cats):
        shown[col] = _("No data") if note.startswith("no data") else "—"
    st.info(
        f"**{md(names[ward])}: {md(labels.phrase_text(note))}.** "
        + (
            _(
                "It has no residents by the ONS best-fit LSOA lookup, so police.uk crimes "
                "inside it are counted in the ward that receives its LSOA(s); it is not ranked."
            )
            if note.startswith("counted with")
            else _("Its counts are unknown (not 0); it is left out of the ranking and statistics.")
        )
    )


def _fmt(v, digits=0):
    if isinstance(v, str):
        return v
    if v is None or pd.isna(v):
        return "—"
    return f"{v:,.{digits}f}"


c = st.columns(4)
c[0].metric(
    _("Rank"),
    "—"
    if pd.isna(r["rank"])
    else _("{rank} of {n}").format(rank=int(r["rank"]), n=int(ranked["rank"].notna().sum())),
    help=_("Ranks use smoothed rates.") + " " + _(labels.HELP_SMOOTHED),
)
c[1].metric(_("Serious violence"), _fmt(shown["sv_count"]))
c[2].metric(_("Per 1,000 residents"), _fmt(shown["sv_rate"], 1))
c[3].metric(_("Drug offences"), _fmt(shown["drugs_count"]))
st.markdown(_("**Why it ranks here:** {why}").format(why=md(labels.why_label(r["why"]))))

# Only the columns the chart draws go to the browser.
monthly = data.monthly.loc[
    data.monthly["ward_code"] == ward, ["month", "sv_count", "drugs_count"]
].copy()
if f.partner:  # partner counts, each month beside the ward's total
    for col in ("sv_count", "drugs_count"):
        have = monthly[col].notna().to_numpy()
        if have.any():  # months not loaded stay gaps
            values, _hidden = suppress_series(
                monthly.loc[have, col].astype(int).tolist(), float(row[col]), f.rule
            )
            cells = pd.array([pd.NA] * len(monthly), dtype="Int64")
            cells[have] = pd.array(values, dtype="Int64")
            monthly[col] = cells
monthly["rolling"] = (
    monthly["sv_count"].astype(float).rolling(3, min_periods=1).mean()
    if not f.partner
    else monthly["sv_count"].astype(float)
)
st.subheader(_("Month by month"))
# Tooltips name each value in words, in the page's language (not the column names).
base = alt.Chart(monthly).encode(
    x=alt.X("month:O", title=_("Month")),
    tooltip=[
        alt.Tooltip("month:O", title=_("Month")),
        alt.Tooltip("sv_count:Q", title=_("Serious violence")),
        alt.Tooltip("rolling:Q", title=_("3-month average"), format=".1f"),
        alt.Tooltip("drugs_count:Q", title=_("Drug offences")),
    ],
)
chart = (
    base.mark_bar(opacity=0.5).encode(y=alt.Y("sv_count:Q", title=_("Serious violence")))
    + base.mark_line(color="#b2182b").encode(y="rolling:Q")
    + base.mark_line(color="#2166ac", strokeDash=[4, 2]).encode(y="drugs_count:Q")
)
st.altair_chart(chart, width="stretch")
st.caption(
    _(
        "Bars: serious violence each month; red line: 3-month average; "
        "blue dashes: drug offences; a month not loaded is a gap."
    )
    + (
        " " + _("Months with 1 to {n} crimes are left out.").format(n=f.rule.threshold - 1)
        if f.partner
        else ""
    )
)

left, right = st.columns(2)
with left:
    st.subheader(_("Kinds of crime"))
    category_labels = {c.key: c.label_in(current_language()) for c in data.definition.categories}
    mix = pd.DataFrame(
        {
            "category": [category_labels[k] for k in cats],
            "count": [
                None if isinstance(shown[k], str) or pd.isna(shown[k]) else int(shown[k])
                for k in cats
            ],
        }
    )
    st.altair_chart(
        alt.Chart(mix)
        .mark_bar()
        .encode(
            x=alt.X("count:Q", title=_("Crimes")),
            y=alt.Y("category:N", sort="-x", title=None, axis=a11y.WHOLE_LABELS),
            tooltip=[
                alt.Tooltip("category:N", title=_("Category")),
                alt.Tooltip("count:Q", title=_("Crimes")),
            ],
        ),
        width="stretch",
    )
with right:
    st.subheader(_("Rank month by month"))
    ranks = monthly_ranks(data.monthly)
    ranks = ranks.loc[ranks["ward_code"] == ward, ["month", "rank"]]
    ranks["rank"] = ranks["rank"].astype(float)  # a month not loaded: no rank (a gap)
    st.altair_chart(
        alt.Chart(ranks)
        .mark_line(point=True)
        .encode(
            x=alt.X("month:O", title=_("Month")),
            y=alt.Y(
                "rank:Q",
                scale=alt.Scale(reverse=True),
                axis=alt.Axis(format="d", tickMinStep=1),  # ranks are whole numbers
                title=_("Rank (1 = most violence)"),
            ),
            tooltip=[
                alt.Tooltip("month:O", title=_("Month")),
                alt.Tooltip("rank:Q", title=_("Rank")),
            ],
        ),
        width="stretch",
    )

st.subheader(_("Deprivation"))
if data.lsoa_deprivation is None or data.lsoa_weights is None:
    st.write(_("No deprivation data loaded."))
else:
    shares = ward_domain_shares(data.lsoa_deprivation, data.lsoa_weights)
    s = shares[shares["ward_code"] == ward].drop(columns="ward_code").T.reset_index()
    if s.shape[1] != 2:  # no LSOA's residents carried to this ward
        st.write(
            _(
                "No LSOA's residents are carried to this ward by the ONS best-fit lookup, "
                "so its deprivation is not known."
            )
        )
    else:
        s.columns = ["domain", "share"]
        s["domain"] = (
            s["domain"].str.replace("_share_20", "").str.replace("_", " ").map(domain_label)
        )
        chart = (
            alt.Chart(s)
            .mark_bar()
            .encode(
                x=alt.X(
                    "share:Q",
                    axis=alt.Axis(format="%"),
                    title=a11y.title_lines(_("Residents in the most deprived 20% of areas")),
                ),
                y=alt.Y("domain:N", title=None, axis=a11y.WHOLE_LABELS),
                tooltip=[
                    alt.Tooltip("domain:N", title=_("Deprivation")),
                    alt.Tooltip(
                        "share:Q",
                        title=_("Residents in the most deprived 20% of areas"),
                        format=".0%",
                    ),
                ],
            )
        )
        rule = alt.Chart(pd.DataFrame({"x": [0.2]})).mark_rule(color="black").encode(x="x:Q")
        st.altair_chart(chart + rule, width="stretch")
        st.caption(
            _(
                "The black line is the 20% a ward would have if deprivation were spread "
                "evenly across Wales."
            )
        )

st.subheader(_("Neighbouring wards"))
neighbours = state.ward_neighbours(f.root, f.version, f.selection)[ward]  # as Gi*'s weights
nb = ranked[ranked["ward_code"].isin(neighbours) & (ranked["ward_code"] != ward)][
    ["rank", "ward_code", "ward_name", "sv_count", "sv_rate", "drugs_count", "population"]
]
if f.partner:
    nb = suppress_frame(
        nb,
        f.rule,
        counts=("sv_count", "drugs_count"),
        rates={"sv_rate": ("sv_count", "population")},
    )
a11y.ward_table(
    labels.localised(nb),
    [
        Column(_("Rank"), "rank", kind="count"),
        Column(_("Ward"), "ward_name"),
        Column(_("Per 1,000"), "sv_rate", kind="decimal"),
        Column(_("Violence"), "sv_count", kind="count"),
        Column(_("Drugs"), "drugs_count", kind="count"),
    ],
    caption=_("Neighbouring wards (a ward's name opens its profile)"),
    table_id="neighbours-table",
)

st.subheader(_("Time of day and day of week"))
times = (
    state.ward_crime_times(f.root, f.version, f.selection, ward)
    if not f.partner
    else pd.Series([], dtype="datetime64[ns]")
)
if f.partner:
    st.write(
        _(
            "The heat map of recorded times is for analysts: counts by hour and day are "
            "too small to show safely."
        )
    )
elif len(times):
    order = [_(d) for d in DAYS]
    grid = pd.DataFrame({"hour": times.dt.hour, "day": [order[d] for d in times.dt.day_of_week]})
    grid = grid.groupby(["day", "hour"]).size().reset_index(name="crimes")
    st.altair_chart(
        alt.Chart(grid)
        .mark_rect()
        .encode(
            x=alt.X("hour:O", title=_("Hour")),
            y=alt.Y("day:N", sort=order, title=None),
            color=alt.Color("crimes:Q", scale=alt.Scale(scheme="orangered")),
            tooltip=[
                alt.Tooltip("day:N", title=_("Day")),
                alt.Tooltip("hour:O", title=_("Hour")),
                alt.Tooltip("crimes:Q", title=_("Crimes")),
            ],
        ),
        width="stretch",
    )
else:
    st.write(
        _(
            "The data for this definition have no times (police.uk gives months only); "
            "force extracts with recorded times show a heat map here."
        )
    )
