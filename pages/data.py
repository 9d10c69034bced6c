"""Data: what is loaded, how every row read was accounted for, uploads and definitions."""

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import auth, state
from dashboard import frame as fr
from hotspots.definitions import load_definitions
from hotspots.errors import InputError
from hotspots.ingest import KINDS, load_paths
from hotspots.schema import RECONCILIATION_PARTS

f = fr.sidebar()
st.title("Data")
m = state.manifest(f.root, f.version)
if f.demo:
    st.info("You are looking at the **synthetic demo** region: invented places and crimes, "
            "for trying the tool. Load real data below or with "
            "`python -m hotspots load auto FOLDER`.")

rec = state.reconciliation(f.root, f.version)
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
           "skipped (not a crime, e.g. anti-social behaviour); or a duplicate.")
if len(rec):
    total = int(rec["rows_read"].sum())
    parts = int(rec[RECONCILIATION_PARTS].sum().sum())
    cols = st.columns(4)
    cols[0].metric("Rows read", f"{total:,}")
    cols[1].metric("Placed in wards",
                   f"{int(rec[['by_code', 'by_point', 'by_nearest']].sum().sum()):,}")
    cols[2].metric("Outside the area", f"{int(rec['outside'].sum()):,}")
    cols[3].metric("Without a location", f"{int(rec['unlocated'].sum()):,}")
    if parts == total:
        st.success(f"All {total:,} rows are accounted for "
                   "(placed + outside + unlocated + skipped + duplicates = rows read).")
    else:
        st.error(f"{total - parts:,} rows are not accounted for.")
    st.dataframe(rec.drop(columns=["checksum"]), hide_index=True)

st.subheader("Add files")
auth.require_role("analyst")  # partners: a plain message, and the page stops here
st.caption("police.uk street CSVs or archive zips, force extracts, boundaries, lookups, "
           "deprivation or population. Every file is checked first; if anything fails, "
           "nothing is stored.")
if f.demo:
    st.caption("Uploads go to your own store (not the demo); once it holds crimes, the "
               "dashboard shows it.")
kind = st.selectbox("Kind of file", list(KINDS), format_func=lambda k: f"{k}: {KINDS[k]}")
uploads = st.file_uploader("Files", accept_multiple_files=True)
if uploads and st.button("Check and load", type="primary"):
    from hotspots.store import Store, default_dir

    target = Store(default_dir())
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, up in enumerate(uploads):
            name = Path(up.name or "").name.strip(". ") or f"upload-{i + 1}"
            path = Path(tmp) / name
            if path.exists():  # two uploads with one name: keep both
                path = Path(tmp) / f"{i + 1}-{name}"
            path.write_bytes(up.getvalue())
            paths.append(path)
        before = target.checksum()
        try:
            with st.spinner("Checking and loading…"):
                report = load_paths(target, kind, paths)
        except InputError as exc:
            auth.audit("upload_failed", {"kind": kind, "files": [u.name for u in uploads],
                                         "error": exc.message[:500]})
            st.error(f"**Nothing was stored.** {exc.message}")
        except ValueError as exc:
            auth.audit("upload_failed", {"kind": kind, "files": [u.name for u in uploads],
                                         "error": str(exc)[:500]})
            st.error(f"**Nothing was stored.** {exc}")
        except Exception as exc:  # never a traceback for a partner; the log keeps it
            import logging

            logging.getLogger(__name__).exception("upload failed")
            auth.audit("upload_failed", {"kind": kind, "files": [u.name for u in uploads],
                                         "error": type(exc).__name__})
            st.error(f"**Nothing was stored.** The files could not be loaded "
                     f"({type(exc).__name__}). Please send them to the project's analysts.")
        else:
            auth.audit("upload", {"kind": kind, "files": [u.name for u in uploads],
                                  "loaded": list(report.loaded)})
            st.success(f"Loaded {len(report.loaded)} file(s); {len(report.unchanged)} already "
                       f"loaded; {len(report.replaced)} month(s) replaced.")
            if report.reconciliation is not None:
                st.dataframe(report.reconciliation.drop(columns=["checksum"]),
                             hide_index=True)
            if target.checksum() != before:
                st.cache_data.clear()

st.subheader("Definitions in force")
for d in load_definitions().values():
    with st.expander(d.title + (" — proxy" if d.proxy else "")):
        st.write(d.description)
        st.dataframe(pd.DataFrame({"Category": [c.label for c in d.categories],
                                   "Values": [", ".join(c.values) for c in d.categories]}),
                     hide_index=True)

with st.expander("Load history"):
    st.dataframe(state.history(f.root, f.version), hide_index=True)
