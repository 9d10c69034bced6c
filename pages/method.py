"""Method: definitions, formulas, the assignment rule, caveats, sources and licences."""

import streamlit as st

from dashboard import frame as fr
from dashboard import state
from hotspots.analysis import AnalysisSettings
from hotspots.definitions import load_definitions
from hotspots.population import POPULATION_METHOD
from hotspots.ranking import NORMALISATION, PRESET_LABELS, PRESETS

f = fr.sidebar()
st.title("Method")
st.markdown("""
This page says how every figure is made, so that it can be checked.

### Which crimes count
""")
for d in load_definitions().values():
    st.markdown(f"**{d.title}** (`{d.name}`){' — a proxy' if d.proxy else ''}: "
                f"{d.description}")
    st.table({"Category": [c.label for c in d.categories],
              "Counts": [", ".join(c.values) for c in d.categories],
              "Not counted when flagged": [", ".join(c.exclude_flags) or "—"
                                           for c in d.categories]})
result = state.analysis(f.root, f.version, f.selection, AnalysisSettings())
fit = result.expected.attrs.get("fit") if result.expected is not None else None
expected_fit = (f"For this selection: {fit.describe()}" if fit is not None else
                "For this selection no deprivation model was fitted.")
st.markdown(f"""
### Placing each crime in a ward
1. The crime's LSOA code (2011 or 2021) → its 2021 LSOA(s) (ONS lookup) → 2022 ward(s)
   (ONS best-fit lookup). Exactly one ward → that ward.
2. Otherwise, if the crime has coordinates → the ward polygon holding the point; a point
   just off the generalised coast → the nearest ward within 2 km; else *unlocated*.
3. An LSOA code in neither lookup (e.g. an English code) → *outside the area*.

Every row read is accounted for on the **Data** page.

### Rates and small numbers
Rates are per 1,000 residents. {POPULATION_METHOD} Small wards with few residents can
have extreme rates from a handful of crimes, so rankings use **empirical-Bayes smoothed
rates** (each ward's rate pulled towards the average in proportion to how little
evidence it has). Each ward's rank also gets a **90% range**: every count behind its
score (violence, drugs, harm) is re-sampled 2,000 times and the wards ranked again by the
same weights, so the range belongs to the rank shown; wards whose range is wide are
marked **volatile**.

### Deprivation
Deprivation comes from the Welsh Index of Multiple Deprivation 2019 (IMD 2019 for English
areas). It is summarised for wards as Welsh Government advises for larger areas: the share
of the ward's residents living in the most deprived 10% and 20% of small areas — not an
average of ranks. **The index is recomputed without its Community Safety domain**,
because that domain contains police-recorded crime, and ranking violence against it
would be partly circular (domain ranks → exponential transformation → weighted sum with
the published weights, the remaining weights rescaled).

### Ranking
Presets: {", ".join(PRESET_LABELS[p] for p in PRESETS)}. {NORMALISATION}

### Hot spot tests
**Getis-Ord Gi\\*** compares each ward and its neighbours (wards sharing a boundary point;
islands joined to their nearest ward) with the whole area, on smoothed violence rates:
the two-sided p-value counts every possible re-arrangement of a ward's neighbours
(exactly, not a random sample, so the same data always give the same answer), corrected
for testing many wards at once (Benjamini–Hochberg false discovery rate). **Local Moran**
clusters give a second view. **Emerging hot spots** follow the ArcGIS classes (new,
consecutive, intensifying, persistent, diminishing, sporadic, oscillating, historical)
from a Gi\\* per month and a Mann–Kendall trend test, once at least 10 months are loaded
(with fewer the list says "Not enough months"). **Observed vs expected**: a negative
binomial model of violence on deprivation (population as offset; it allows ward counts to
vary more than a Poisson model would) says which wards have more violence than their
deprivation predicts, at a 5% false discovery rate (Benjamini–Hochberg).

{expected_fit}

### Caveats
- With the police.uk proxy, "serious violence" includes all violence and sexual offences
  recorded by police (common assault and harassment too) and robbery.
- police.uk places each crime at an anonymous map point near where it happened.
- Small counts: read rank ranges, not only ranks.

### Sources and licences
police.uk crime data; ONS boundaries, lookups and population estimates; Welsh Government
WIMD 2019; MHCLG IMD 2019 — all under the Open Government Licence v3.0. Contains OS data
© Crown copyright and database right.
""")
