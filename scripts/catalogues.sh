#!/usr/bin/env bash
# The Welsh catalogues (gettext .po files, managed with Babel).
#
#   scripts/catalogues.sh extract [DOMAIN...]   write hotspots/locale/DOMAIN.pot from the code
#   scripts/catalogues.sh update  [DOMAIN...]   extract, then merge new strings into
#                                               hotspots/locale/cy/LC_MESSAGES/DOMAIN.po
#                                               (created with `pybabel init` when absent)
#   scripts/catalogues.sh check                 every marked string has Welsh (the test
#                                               tests/test_catalogues.py does the same)
#
# Each part of the product owns one domain, so that its strings are reviewed on their own:
#   dashboard      the pages, the app, the sidebar, sign-in, messages, downloads' headers
#                  and method sheets
#   errors         the error messages: bad input (InputError templates of the loaders,
#                  the store, definitions), the accounts file and the sign-in set-up
#   pack           the monthly pack (PDF, Excel)
#   map            the map page, its component and the downloaded map file
#   accessibility  the accessibility statement and labels
#   analysis       the analysis' phrases (hotspots/stats/phrases.py): reasons, classes, notes
# A msgid lives in one domain only: `update` leaves out of a domain's template the strings
# another domain's catalogue already holds (a file may hold strings of several domains).
# Every Welsh string not yet checked by a Welsh speaker carries "#, fuzzy"; the dashboard
# shows fuzzy strings (hotspots/i18n.py). The glossary of domain terms is
# hotspots/locale/glossary.csv.
set -euo pipefail
cd "$(dirname "$0")/.."
PYBABEL=${PYBABEL:-.venv/bin/pybabel}
LOCALE=hotspots/locale

files() {  # the source files of a domain
    case "$1" in
        dashboard)
            ls app.py pages/*.py dashboard/*.py hotspots/*.py hotspots/*/*.py \
                | grep -v -e '^pages/pack\.py$' -e '^pages/map\.py$' \
                    -e '^dashboard/map_component\.py$' -e '^hotspots/outputs/pack\.py$' \
                    -e '^hotspots/outputs/map_' -e '^dashboard/accessibility\.py$' \
                    -e '^hotspots/stats/phrases\.py$' ;;
        pack) ls pages/pack.py hotspots/outputs/pack/*.py ;;
        map) ls pages/map.py dashboard/map_component.py hotspots/outputs/map_*.py ;;
        accessibility) ls pages/accessibility.py dashboard/accessibility.py 2>/dev/null || true ;;
        errors)
            ls hotspots/errors.py hotspots/definitions.py hotspots/io/*.py hotspots/store/*.py \
                hotspots/access/*.py hotspots/geo/geography.py hotspots/outputs/basemap.py \
                hotspots/cli/run.py dashboard/oidc.py dashboard/auth.py dashboard/web.py ;;
        analysis) ls hotspots/stats/phrases.py ;;
        *) echo "unknown domain: $1 (dashboard, pack, map, accessibility, errors, analysis)" >&2
           exit 2 ;;
    esac
}

extract() {
    local domain=$1
    # shellcheck disable=SC2046
    "$PYBABEL" -q extract -F babel.cfg -k _ -k N_ -k ngettext:1,2 --no-location --sort-output \
        --project="Serious violence hotspots" --msgid-bugs-address="" \
        -o "$LOCALE/$domain.pot" $(files "$domain")
}

update() {
    local domain=$1 po="$LOCALE/cy/LC_MESSAGES/$1.po"
    extract "$domain"
    # shellcheck disable=SC2016
    .venv/bin/python - "$LOCALE/$domain.pot" "$domain" <<'PY'
import sys
from pathlib import Path
from babel.messages.pofile import read_po, write_po
pot, domain = Path(sys.argv[1]), sys.argv[2]
with pot.open("rb") as fh:
    template = read_po(fh)
owned = set()
for po in (pot.parent / "cy" / "LC_MESSAGES").glob("*.po"):
    if po.stem != domain:
        with po.open("rb") as fh:
            owned |= {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
for m in list(template):
    if m.id and (m.id if isinstance(m.id, str) else m.id[0]) in owned:
        del template[m.id]
with pot.open("wb") as fh:
    write_po(fh, template, width=100, sort_output=True, omit_header=False)
PY
    if [ -f "$po" ]; then
        "$PYBABEL" -q update -D "$domain" -d "$LOCALE" -l cy -i "$LOCALE/$domain.pot" \
            --no-fuzzy-matching --ignore-obsolete
    else
        "$PYBABEL" -q init -D "$domain" -d "$LOCALE" -l cy -i "$LOCALE/$domain.pot"
    fi
    rm -f "$LOCALE/$domain.pot"
}

cmd=${1:-}
shift || true
domains=("$@")
[ ${#domains[@]} -eq 0 ] && domains=(dashboard)
case "$cmd" in
    extract) for d in "${domains[@]}"; do extract "$d"; done ;;
    update) for d in "${domains[@]}"; do update "$d"; done ;;
    check) .venv/bin/python -m pytest tests/test_catalogues.py -q ;;
    *) sed -n '2,20p' "$0"; exit 2 ;;
esac
