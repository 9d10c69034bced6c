"""Monthly targeting pack: what moved, what is new, what persists — printable, and
published as presented so next month compares with what the meeting actually saw."""

import pandas as pd
import streamlit as st

from dashboard import accessibility as a11y
from dashboard import auth
from dashboard import caches as state
from dashboard import selection as fr
from dashboard.safe_text import md
from hotspots.access.disclosure import partner_windows
from hotspots.outputs.pack import (
    PackArchive,
    assemble_pack,
    month_name,
    pack_excel,
    pack_metadata,
    pack_pdf,
    pack_period,
)
from hotspots.stats.analysis import AnalysisSettings

f = fr.sidebar()
st.title("Monthly targeting pack")
c1, c2 = st.columns([2, 1])
months = list(f.months)
# Partners: only meeting months whose 12-month window is a partner window (no window
# inside another, so two packs cannot be subtracted to reveal a month).
choices = [last for _, last in partner_windows(months)] if f.partner else months[::-1]
month = c1.selectbox(
    "Meeting month (the pack covers the 12 months ending then)", choices, format_func=month_name
)
top_n = int(c2.number_input("Top N", 3, 30, 12))
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
st.caption(f"Ranked by {md(ranking.describe())} (the selection's weights).")
meta = pack_metadata(data, ranking)
archive = PackArchive(f.store.root)
area_key, def_key = meta["area"], meta["definition"]
published = None
if month in archive.months(area_key, def_key):
    if month in archive.months(area_key, def_key, audience):
        published = archive.load(area_key, def_key, month, audience)
    else:  # published before partner renderings were kept: the partner view, made now
        st.info(
            f"The {month_name(month)} pack was published without a partner copy; this "
            "is the partner view of the same month, made now."
        )

if published is not None:
    st.success(
        f"The {month_name(month)} pack was published on {published.published_at} "
        f"(checksum {published.checksum[:12]}…). This is the pack as presented; it "
        "does not change when data are added later."
    )
    for line in published.summary:
        st.markdown(f"- {md(line)}")
    st.dataframe(published.rows, hide_index=True)
    st.download_button(
        "Download the published PDF",
        archive.pdf(published),
        f"pack_{area_key}_{month}.pdf",
        "application/pdf",
        on_click=auth.on_download(f"published pack {month}"),
    )
    st.stop()

previous = archive.latest_before(area_key, def_key, month, audience)
with st.spinner("Building the pack…"):
    result = state.analysis(f.root, f.version, selection, settings, rule)
    pack = assemble_pack(
        data, result, month, top_n=top_n, ranking=ranking, previous=previous, rule=rule
    )
if f.partner:  # where partners' and analysts' copies of a pack can meet
    st.caption(pack.metadata["suppression"])
if previous is None:
    st.info(
        "No pack has been published before this month, so there are no rank changes "
        "yet. Publishing this one makes it the comparison for next month."
    )
else:
    st.caption(
        f"Changes are against the pack published for "
        f"{month_name(previous.meeting_month)}, as it was presented."
    )
st.subheader("Summary")
for line in pack.summary:
    st.markdown(f"- {md(line)}")
st.subheader(f"Top {top_n}")
rows = pack.rows.copy()
# Screen readers read a table's data: make it what the table shows (downloads unchanged).
rows = a11y.as_shown(
    rows, rounded_1=["sv_rate"], percent=["dep_share_20"], flags=["new_entrant", "drugs_top_n"]
)
st.dataframe(
    rows,
    hide_index=True,
    column_config={
        "rank": "Rank",
        "ward_name": "Ward",
        "local_authority_name": "Local authority",
        "sv_count": "Violence",
        "sv_rate": "Per 1,000",
        "drugs_count": "Drugs",
        "rank_change": "Change",
        "new_entrant": "New",
        "months_in_top_n": "Months in top N"
        + (f" ({pack.months_loaded_note})" if pack.months_loaded_note else ""),
        "emerging_class": "Trend",
        "drugs_top_n": "Drugs top N",
        "dep_share_20": st.column_config.TextColumn("Most deprived 20%"),
        "why": "Why",
    },
)
left, right = st.columns(2)
with left:
    st.subheader("New and dropped out")
    st.dataframe(pd.concat([pack.new_entrants, pack.dropped_out]), hide_index=True)
with right:
    st.subheader("Persistent")
    if pack.months_loaded_note:
        st.caption(f"Counted over loaded months only: {pack.months_loaded_note}.")
    st.dataframe(pack.persistent, hide_index=True)
if pack.left_out is not None and len(pack.left_out):
    st.subheader(f"High violence, not in the top {top_n}")
    st.dataframe(
        pack.left_out[["ward_name", "local_authority_name", "rank", "reason"]], hide_index=True
    )

stem = f"pack_{area_key}_{month}"
d1, d2, d3 = st.columns(3)
# The files are made when clicked (Streamlit calls the function then): runs stay fast.
d1.download_button(
    "Download PDF",
    lambda: pack_pdf(pack),
    f"{stem}.pdf",
    "application/pdf",
    on_click=auth.on_download(f"pack PDF {month}"),
)
d2.download_button(
    "Download Excel",
    lambda: pack_excel(pack),
    f"{stem}.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    on_click=auth.on_download(f"pack Excel {month}"),
)
user = auth.current_user()
if user is not None and user.can("analyst") and not f.partner:
    sure = d3.checkbox(
        "I have checked this pack: publish it as it is",
        help="A published pack cannot be changed or replaced afterwards",
    )
    if d3.button(
        "Publish this pack",
        type="primary",
        disabled=not sure,
        help="Archive the pack as presented (it cannot be changed afterwards), "
        "with the partners' copy made from the partner view",
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
            )
            done = archive.publish(pack, pack_pdf(pack), partner=p_pack)
        except ValueError as exc:
            st.error(md(exc))
        else:
            auth.audit("publish", f"{area_key} {def_key} {month} {done.checksum[:12]}")
            st.success(f"Published (checksum {done.checksum[:12]}…).")
            st.rerun()
else:
    d3.caption("Publishing is for analysts.")
