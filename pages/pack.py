"""Monthly targeting pack: what moved, what is new, what persists — printable, and
published as presented so next month compares with what the meeting actually saw.

The page shows the same content as the PDF and the Excel workbook (one source:
:mod:`hotspots.outputs.pack`), in the language of the address (``?lang=cy``)."""

import altair as alt
import streamlit as st

from dashboard import accessibility as a11y
from dashboard import auth
from dashboard import caches as state
from dashboard import selection as fr
from dashboard.language import _, current_language, error_text
from dashboard.safe_text import md
from dashboard.tables import Column
from hotspots.access.disclosure import partner_windows
from hotspots.outputs.pack import (
    PackArchive,
    assemble_pack,
    map_inset_ranks,
    map_inset_svg,
    map_svg,
    method_items,
    month_name,
    pack_excel,
    pack_metadata,
    pack_pdf,
    pack_period,
    page_map_crowd,
    top_table,
    welsh_names,
)
from hotspots.outputs.pack.method import (
    cut_off_words,
    period_words,
    suppression_words,
    weights_words,
)
from hotspots.outputs.pack.summary import SOURCE_LINE, definition_line
from hotspots.outputs.pack.table import change_lines, heading_lines, left_out_table
from hotspots.outputs.pack.words import join, month_words, short_month
from hotspots.stats.analysis import AnalysisSettings

lang = current_language()
f = fr.sidebar()
st.title(_("Monthly targeting pack"))
c1, c2 = st.columns([2, 1])
months = list(f.months)
# Partners: only meeting months whose 12-month window is a partner window (no window
# inside another, so two packs cannot be subtracted to reveal a month).
choices = [last for _w, last in partner_windows(months)] if f.partner else months[::-1]
month = c1.selectbox(
    _("Meeting month (the pack covers the 12 months ending then)"),
    choices,
    format_func=lambda m: month_name(m, lang),
)
top_n = int(c2.number_input(_("Top N"), 3, 30, 12))
start, end = pack_period(month)
start = max(start, months[0])
selection = type(f.selection)(
    start=start, end=end, area=f.selection.area, definition=f.selection.definition
)
# Partners: the pack is made from the partner view only (hotspots.access.partner).
rule = f.view_rule
audience = "analyst" if rule is None else "partner"
data = state.ward_data(f.root, f.version, selection, rule)
fr.source_line(f, data)

ranking = f.ranking  # the selection's ranking, as on the Hotspot list and the map
settings = AnalysisSettings(top_n=top_n, ranking=ranking)
weights = (lang == "cy" and weights_words(dict(ranking.weights), lang)) or ranking.describe()
st.caption(_("Ranked by {weights} (the selection's weights).").format(weights=md(weights)))
meta = pack_metadata(data, ranking)
archive = PackArchive(f.store.root)
area_key, def_key = meta["area"], meta["definition"]
published = None
if month in archive.months(area_key, def_key):
    if month in archive.months(area_key, def_key, audience):
        published = archive.load(area_key, def_key, month, audience)
    else:  # published before partner renderings were kept: the partner view, made now
        st.info(
            _(
                "The {month} pack was published without a partner copy; this is the partner "
                "view of the same month, made now."
            ).format(month=month_name(month, lang))
        )

if published is not None:
    st.success(
        _(
            "The {month} pack was published on {when} (checksum {checksum}…). This is the "
            "pack as presented; it does not change when data are added later."
        ).format(
            month=month_name(month, lang),
            when=published.published_at,
            checksum=published.checksum[:12],
        )
    )
    for line in published.summary:
        st.markdown(f"- {md(line)}")
    a11y.ward_table(
        published.rows,
        [
            Column(_("Rank"), "rank", kind="count"),
            Column(_("Ward"), "ward_name"),
            Column(_("Violence per 1,000 residents"), "sv_rate", kind="decimal"),
            Column(_("Local authority"), "local_authority_name"),
            Column(_("Violence (offences)"), "sv_count", kind="count"),
        ],
        caption=_("The top {n} wards").format(n=len(published.rows)),
        table_id="published-pack-table",
    )
    st.download_button(
        _("Download the published PDF"),
        archive.pdf(published),
        f"pack_{area_key}_{month}.pdf",
        "application/pdf",
        on_click=auth.on_download(f"published pack {month}"),
    )
    st.stop()

previous = archive.latest_before(area_key, def_key, month, audience)
with st.spinner(_("Building the pack…")):
    result = state.analysis(f.root, f.version, selection, settings, rule)
    cy_names = welsh_names(state.geography(f.root, f.version).lsoa21_ward) if lang == "cy" else None
    pack = assemble_pack(
        data,
        result,
        month,
        top_n=top_n,
        ranking=ranking,
        previous=previous,
        rule=rule,
        lang=lang,
        welsh_names=cy_names,
    )
heads = heading_lines(pack)
st.subheader(
    md(_("Serious violence targeting pack: {area}").format(area=pack.area_label)), anchor=False
)
st.markdown(
    md(
        _("For the meeting of {month}. Period: {period}. Data cut-off: {cut}.").format(
            month=month_words(month, lang), period=period_words(pack), cut=cut_off_words(pack)
        )
    )
)
definition = _("Definition: {definition}").format(definition=definition_line(pack))
(st.warning if pack.proxy else st.markdown)(md(definition))
st.caption(md(_(SOURCE_LINE)))
if f.partner:  # where partners' and analysts' copies of a pack can meet
    st.caption(md(suppression_words(pack)))

left, right = st.columns([1, 1])
with left:
    st.subheader(heads["summary"])
    for line in pack.summary:
        st.markdown(f"- {md(line)}")
    st.subheader(heads["changes"])
    for line in change_lines(pack):
        st.markdown(f"- {md(line)}")
with right:
    st.subheader(heads["map"])
    crowd = page_map_crowd(pack.figures)
    st.image(
        map_svg(pack.figures, heads["map"], enlarged=crowd),
        width="stretch",
        alt=_(
            "Map of the area's wards and local authorities, with the top {n} wards filled "
            "in red and numbered by rank; the table below lists them."
        ).format(n=top_n),
    )
    st.caption(
        _(
            "Numbers: rank in this pack (wards filled and outlined in red). Dark lines: "
            "local authorities."
        )
    )
    if crowd:
        inset_title = _("Enlarged: the area in the box on the map")
        st.markdown(f"**{md(inset_title)}**")
        st.image(
            map_inset_svg(pack.figures, inset_title, crowd),
            width="stretch",
            alt=_(
                "The area in the box on the map, enlarged: wards ranked {ranks} are numbered there."
            ).format(ranks=join([str(r) for r in map_inset_ranks(pack.figures, crowd)], lang)),
        )

st.subheader(heads["trend"])
names = {"area": pack.area_label}
names.update(
    {
        c: f"{i}. {n}"
        for i, (c, n) in enumerate(
            zip(pack.rows["ward_code"], pack.rows["ward_name"], strict=True), 1
        )
    }
)
series = pack.figures.series_table(names)
series = series.astype({c: float for c in series.columns[1:]})
series["month"] = [short_month(m, lang) for m in series["month"]]
order = list(series["month"])
month_axis = alt.X("month:N", sort=order, title=None, axis=alt.Axis(labelAngle=0))
# Months not loaded stay empty: the line breaks there (a gap, never 0).
area_chart = (
    alt.Chart(series[["month", pack.area_label]].rename(columns={pack.area_label: "value"}))
    .mark_line(
        point=alt.OverlayMarkDef(color="#b2182b"),
        color="#b2182b",
        invalid="break-paths-show-domains",
    )
    .encode(
        month_axis,
        alt.Y("value:Q", title=pack.area_label, scale=alt.Scale(zero=True)),
        tooltip=[
            alt.Tooltip("month:N", title=_("Month")),
            alt.Tooltip("value:Q", title=_("Violence (offences)")),
        ],
    )
    .properties(height=220, padding={"left": 5, "top": 5, "bottom": 5, "right": 12})
)
st.altair_chart(area_chart, width="stretch")
long = series.drop(columns=pack.area_label).melt("month", var_name="ward", value_name="value")
wards_chart = (
    alt.Chart(long)
    .mark_line(
        point=alt.OverlayMarkDef(color="#b2182b"),
        color="#b2182b",
        invalid="break-paths-show-domains",
    )
    .encode(
        month_axis,
        alt.Y("value:Q", title=None, scale=alt.Scale(zero=True)),
        tooltip=[
            alt.Tooltip("ward:N", title=_("Ward")),
            alt.Tooltip("month:N", title=_("Month")),
            alt.Tooltip("value:Q", title=_("Violence (offences)")),
        ],
    )
    .properties(width=150, height=70)
    .facet(alt.Facet("ward:N", title=None, sort=list(names.values())[1:]), columns=4)
    .resolve_scale(y="independent")
    .properties(padding={"left": 5, "top": 5, "bottom": 5, "right": 12})  # the last label whole
)
st.altair_chart(wards_chart)
if any(v is None for v in pack.figures.area_series):
    st.caption(_("Grey: a month with no crimes loaded for a force (a gap, not zero)."))

st.subheader(heads["table"])
top = top_table(pack)  # the pack's own cells, as in its PDF and Excel
cols = list(top.columns)
top["ward_code"] = pack.rows["ward_code"].astype(str).to_numpy()
# Rank, ward and rate first (on a phone they show without scrolling); numbers on the right.
a11y.ward_table(
    top,
    [
        Column(cols[i], cols[i], kind="count" if i in (0, 4, 5, 6, 8) else "text")
        for i in (0, 2, 5, 1, 3, 4, 6, 7, 8, 9, 10, 11)
    ],
    caption=heads["table"],
    table_id="pack-table",
    ward=cols[2],
)
st.subheader(heads["left_out"])
for line in left_out_table(pack):
    st.markdown(f"- {md(line)}")
with st.expander(heads["method"]):
    for item, value in method_items(pack):
        st.markdown(f"**{md(item)}**: {md(value)}")

stem = f"pack_{area_key}_{month}" + ("_cy" if lang == "cy" else "")
d1, d2, d3 = st.columns(3)
# The files are made when clicked (Streamlit calls the function then): runs stay fast.
d1.download_button(
    _("Download PDF"),
    lambda: pack_pdf(pack),
    f"{stem}.pdf",
    "application/pdf",
    on_click=auth.on_download(f"pack PDF {month}"),
)
d2.download_button(
    _("Download Excel"),
    lambda: pack_excel(pack),
    f"{stem}.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    on_click=auth.on_download(f"pack Excel {month}"),
)
user = auth.current_user()
if user is not None and user.can("analyst") and not f.partner:
    sure = d3.checkbox(
        _("I have checked this pack: publish it as it is"),
        help=_("A published pack cannot be changed or replaced afterwards"),
    )
    if d3.button(
        _("Publish this pack"),
        type="primary",
        disabled=not sure,
        help=_(
            "Archive the pack as presented (it cannot be changed afterwards), with the "
            "partners' copy made from the partner view"
        ),
    ):
        try:
            p_rule = f.rule
            p_data = state.ward_data(f.root, f.version, selection, p_rule)
            p_result = state.analysis(f.root, f.version, selection, settings, p_rule)
            p_pack = assemble_pack(
                p_data,
                p_result,
                month,
                top_n=top_n,
                ranking=ranking,
                rule=p_rule,
                previous=archive.latest_before(area_key, def_key, month, "partner"),
                lang=lang,
                welsh_names=cy_names,
            )
            done = archive.publish(pack, pack_pdf(pack), partner=p_pack)
        except ValueError as exc:
            st.error(md(error_text(exc)))
        else:
            auth.audit("publish", f"{area_key} {def_key} {month} {done.checksum[:12]}")
            st.success(_("Published (checksum {checksum}…).").format(checksum=done.checksum[:12]))
            st.rerun()
else:
    d3.caption(_("Publishing is for analysts."))
