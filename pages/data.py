"""Data: what is loaded, how every row read was accounted for, uploads and definitions."""

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import auth, labels
from dashboard import caches as state
from dashboard import selection as fr
from dashboard.language import N_, _, current_language, error_text, labels_of
from dashboard.safe_text import md
from hotspots.definitions import load_definitions
from hotspots.errors import InputError
from hotspots.io.extract_checks import (
    FLAG_WORDS,
    accept_missing_flag,
    extract_lines,
    pending_acceptances,
    with_profiles,
)
from hotspots.io.harm import HARM_KEY, NOT_STATED
from hotspots.schema import RECONCILIATION_PARTS
from hotspots.store.ingest import KINDS, load_paths

#: The reconciliation's columns in words (the store and the command line keep the names).
RECONCILIATION_WORDS = {
    "source": N_("Source"),
    "file": N_("File"),
    "month": N_("Month"),
    "rows_read": N_("Rows read"),
    "by_code": N_("Placed by LSOA code"),
    "by_point": N_("Placed by map point"),
    "by_nearest": N_("Placed in the nearest ward (within 2 km)"),
    "outside": N_("Outside the area"),
    "unlocated": N_("Without a location"),
    "skipped": N_("Skipped (not a crime)"),
    "duplicates": N_("Duplicates"),
}

#: Each kind of file by a short name, as the upload's choice shows it (its description,
#: :data:`hotspots.store.ingest.KINDS`, is shown under the box).
KIND_NAMES = {
    "auto": N_("Any (detect each file's kind)"),
    "crimes": N_("Crimes (police.uk)"),
    "crimes-extract": N_("Force extract"),
    "boundaries": N_("Ward boundaries"),
    "lookup": N_("ONS lookup"),
    "deprivation": N_("Deprivation"),
    "population": N_("Population"),
    "harm-weights": N_("Harm weights"),
}


def in_words(frame: pd.DataFrame) -> pd.DataFrame:
    """A reconciliation table with its columns in words, in the page's language."""
    return frame.rename(columns={k: _(v) for k, v in RECONCILIATION_WORDS.items()})


f = fr.sidebar()
st.title(_("Data"))
m = state.manifest(f.root, f.version)
if f.demo:
    st.info(
        _(
            "You are looking at the **synthetic demo** region: invented places and crimes, "
            "for trying the tool. Load real data below or with "
            "`python -m hotspots load auto FOLDER`."
        )
    )

problem = f.store.manifest_problem(current_language())
if problem:
    st.error(problem)
# every stored file against its recorded size and checksum
damaged = f.store.verify(current_language())
if damaged:
    st.error(
        _(
            "**{n} stored file(s) are damaged**; their rows cannot be read "
            "until the originals are loaded again (below, or with the command shown)."
        ).format(n=len(damaged))
    )
    st.dataframe(
        pd.DataFrame(damaged, columns=[_("Object"), _("Problem"), _("Holds"), _("Repair")]),
        hide_index=True,
    )

rec = state.reconciliation(f.root, f.version)
st.subheader(_("What is loaded"))
if len(rec):
    months = rec.groupby("source")["month"].agg(["min", "max", "count"]).reset_index()
    months.columns = [_("Source"), _("First month"), _("Last month"), _("Months")]
    st.dataframe(months, hide_index=True)
ref = pd.DataFrame(
    [
        {_("Table"): k, _("File"): v["file"], _("Rows"): v["rows"]}
        for k, v in sorted(m["reference"].items())
    ],
    columns=[_("Table"), _("File"), _("Rows")],
)
st.dataframe(ref, hide_index=True)

st.subheader(_("Reconciliation"))
if f.partner:  # exact row counts per file and month: for analysts only
    st.caption(_("The row-by-row reconciliation of each file is for analysts."))
    rec = rec.iloc[:0]
st.caption(
    _(
        "Every row read is accounted for: placed in a ward by its LSOA code, by its "
        "point, or by the nearest ward within 2 km; outside the area; without a location; "
        "skipped (not a crime, e.g. anti-social behaviour); or a duplicate."
    )
)
if len(rec):
    total = int(rec["rows_read"].sum())
    parts = int(rec[RECONCILIATION_PARTS].sum().sum())
    cols = st.columns(4)
    cols[0].metric(_("Rows read"), f"{total:,}")
    cols[1].metric(
        _("Placed in wards"), f"{int(rec[['by_code', 'by_point', 'by_nearest']].sum().sum()):,}"
    )
    cols[2].metric(_("Outside the area"), f"{int(rec['outside'].sum()):,}")
    cols[3].metric(_("Without a location"), f"{int(rec['unlocated'].sum()):,}")
    if damaged:
        st.warning(
            _(
                "{total} rows were accounted for when loaded, but {n} "
                "stored file(s) are damaged (see above)."
            ).format(total=f"{total:,}", n=len(damaged))
        )
    elif parts == total:
        st.success(
            _(
                "All {total} rows are accounted for "
                "(placed + outside + unlocated + skipped + duplicates = rows read)."
            ).format(total=f"{total:,}")
        )
    else:
        st.error(_("{n} rows are not accounted for.").format(n=f"{total - parts:,}"))
    st.dataframe(in_words(rec.drop(columns=["checksum"])), hide_index=True)
checked = with_profiles(f.store)  # extract months loaded by earlier versions profiled here
code_lines = extract_lines(checked, state.definitions().values())
if code_lines:
    st.markdown(
        _(
            "**Offence codes and flags of the force extracts** (codes no category uses "
            "are kept in the store, not counted; a rule that needs a missing flag is "
            "refused until an analyst accepts it)"
        )
    )
    st.markdown("\n".join(f"- {md(labels.phrase_text(line))}" for line in code_lines))
harm_ref = m["reference"].get(HARM_KEY)
if harm_ref:
    hm = harm_ref.get("meta", {})
    st.caption(
        _("Harm weights: {file} ({n} codes); source: {source}; vintage: {vintage}.").format(
            file=md(harm_ref["file"]),
            n=f"{harm_ref['rows']:,}",
            source=md(hm.get("source", NOT_STATED)),
            vintage=md(hm.get("vintage", NOT_STATED)),
        )
    )
else:
    st.caption(
        _(
            "Harm weights: none loaded, so the harm-weighted ranking is not offered. Load "
            "the ONS Crime Severity Score table (kind harm-weights)."
        )
    )

st.subheader(_("Add files"))
user = auth.require_role("analyst")  # partners: a plain message, and the page stops here
st.caption(
    _(
        "police.uk street CSVs or archive zips, force extracts, boundaries, lookups, "
        "deprivation or population. Every file is checked first; if anything fails, "
        "nothing is stored."
    )
)
if f.demo:
    st.caption(
        _(
            "Uploads go to your own store (not the demo); once it holds crimes, "
            "the dashboard shows it."
        )
    )
# The result of the last load, kept across the rerun that shows the new data above.
done = st.session_state.pop("data_load_result", None)
if done is not None:
    st.success(done["message"])
    if done["reconciliation"] is not None:
        st.dataframe(in_words(done["reconciliation"]), hide_index=True)
kind = st.selectbox(
    _("Kind of file"),
    list(KINDS),
    format_func=labels_of(KINDS, lambda k: _(KIND_NAMES.get(k, k))),
)
st.caption(_(KINDS[kind]))  # what that kind is, in full (a short name fits a phone's box)
uploads = st.file_uploader(_("Files"), accept_multiple_files=True)
if uploads and st.button(_("Check and load"), type="primary"):
    from hotspots.store.base import Store
    from hotspots.store.location import default_dir

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
            with st.spinner(_("Checking and loading…")):
                report = load_paths(target, kind, paths)
        except InputError as exc:
            auth.audit(
                "upload_failed",
                {"kind": kind, "files": [u.name for u in uploads], "error": exc.message[:500]},
            )
            st.error(_("**Nothing was stored.**") + " " + md(error_text(exc)))
        except ValueError as exc:
            auth.audit(
                "upload_failed",
                {"kind": kind, "files": [u.name for u in uploads], "error": str(exc)[:500]},
            )
            st.error(_("**Nothing was stored.**") + " " + md(error_text(exc)))
        except Exception as exc:  # never a traceback for a partner; the log keeps it
            import logging

            logging.getLogger(__name__).exception("upload failed")
            auth.audit(
                "upload_failed",
                {"kind": kind, "files": [u.name for u in uploads], "error": type(exc).__name__},
            )
            st.error(
                _("**Nothing was stored.**")
                + " "
                + _(
                    "The files could not be loaded ({error}). Please send them to the "
                    "project's analysts."
                ).format(error=type(exc).__name__)
            )
        else:
            auth.audit(
                "upload",
                {"kind": kind, "files": [u.name for u in uploads], "loaded": list(report.loaded)},
            )
            message = (
                _("Loaded {n} file(s); {k} already loaded; {m} month(s) replaced").format(
                    n=len(report.loaded), k=len(report.unchanged), m=len(report.replaced)
                )
                + (
                    "; " + _("{n} damaged stored file(s) repaired").format(n=len(report.repaired))
                    if report.repaired
                    else ""
                )
                + "."
            )
            rec_loaded = (
                None
                if report.reconciliation is None
                else report.reconciliation.drop(columns=["checksum"])
            )
            if target.checksum() != before:
                # Run the page again so that everything above shows the new load.
                st.cache_data.clear()
                st.session_state["data_load_result"] = {
                    "message": message,
                    "reconciliation": rec_loaded,
                }
                st.rerun()
            st.success(message)
            if rec_loaded is not None:
                st.dataframe(in_words(rec_loaded), hide_index=True)

pending = pending_acceptances(checked, state.definitions().values())
if pending:
    st.subheader(_("Rows without a flag"))
    st.caption(
        _(
            "A definition that counts a category only when a flag is not set cannot judge "
            "rows without the flag, so it is refused until an analyst accepts counting "
            "them as not flagged. The acceptance is recorded with your name and the time, "
            "and every view and download made with the definition states it."
        )
    )
    for dname, source, flag, n in pending:
        key = f"accept|{dname}|{source}|{flag}"
        st.markdown(
            _("**{definition}** on **{source}**: {n} rows have no {flag}.").format(
                definition=md(dname), source=md(source), n=f"{n:,}", flag=FLAG_WORDS[flag]
            )
        )
        who = st.text_input(
            _("Your name"), value="" if user.method == "open" else user.name, key=f"{key}|who"
        )
        if st.checkbox(
            _("I accept that '{definition}' counts them as not {flag}.").format(
                definition=dname, flag=flag
            ),
            key=key,
        ):
            if not who.strip():
                st.warning(_("Give your name first: the acceptance is recorded with it."))
            else:
                # recorded in the manifest and its history, with the name and the time
                accept_missing_flag(f.store, state.definitions()[dname], source, flag, who.strip())
                st.cache_data.clear()
                st.rerun()

st.subheader(_("Definitions in force"))
for d in load_definitions().values():
    lang = current_language()
    with st.expander(md(d.label_in(lang))):
        st.markdown(md(d.description_in(lang)))
        st.dataframe(
            pd.DataFrame(
                {
                    _("Category"): [c.label_in(lang) for c in d.categories],
                    _("Values"): [", ".join(c.values) for c in d.categories],
                }
            ),
            hide_index=True,
        )

with st.expander(_("Load history")):
    st.dataframe(state.history(f.root, f.version), hide_index=True)
