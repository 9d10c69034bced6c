"""Data: what is loaded, and how every row read was accounted for."""

import pandas as pd
import streamlit as st

from dashboard import state

store = state.active_store()
root, version = str(store.root), store.version()
m = state.manifest(root, version)

st.title("Data")
if m.get("label"):
    st.info("You are looking at the **synthetic demo** region: invented places and crimes, "
            "for trying the tool. Load real data with `python -m hotspots load auto FOLDER`.")

rec = state.reconciliation(root, version)
st.subheader("What is loaded")
if len(rec):
    months = rec.groupby("source")["month"].agg(["min", "max", "count"]).reset_index()
    months.columns = ["Source", "First month", "Last month", "Months"]
    st.dataframe(months, hide_index=True)
ref = pd.DataFrame([{"Table": k, "File": v["file"], "Rows": v["rows"]}
                    for k, v in sorted(m["reference"].items())])
st.dataframe(ref, hide_index=True)

st.subheader("Reconciliation")
st.caption("Every row read is accounted for: placed in a ward by its LSOA code, by its "
           "point, or by the nearest ward within 2 km; outside the area; without a location; "
           "skipped (not a crime); or a duplicate.")
if len(rec):
    parts = ["by_code", "by_point", "by_nearest", "outside", "unlocated", "skipped",
             "duplicates"]
    total = int(rec["rows_read"].sum())
    placed = int(rec[parts].sum().sum())
    st.metric("Rows read", f"{total:,}",
              help="= placed by code + by point + by nearest + outside + unlocated + skipped "
                   "+ duplicates")
    if placed == total:
        st.success(f"All {total:,} rows are accounted for.")
    else:
        st.error(f"{total - placed:,} rows are not accounted for.")
    st.dataframe(rec.drop(columns=["checksum"]), hide_index=True)
