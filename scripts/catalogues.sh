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
#                  and method sheets, the package's errors shown to users
#   pack           the monthly pack (PDF, Excel)
#   map            the map page, its component and the downloaded map file
#   accessibility  the accessibility statement and labels
#   analysis       the analysis' phrases (hotspots/stats/phrases.py): reasons, classes, notes
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
                    -e '^hotspots/outputs/map_data\.py$' -e '^dashboard/accessibility\.py$' \
                    -e '^hotspots/stats/phrases\.py$' ;;
        pack) ls pages/pack.py hotspots/outputs/pack.py ;;
        map) ls pages/map.py dashboard/map_component.py hotspots/outputs/map_data.py ;;
        accessibility) ls pages/accessibility.py dashboard/accessibility.py 2>/dev/null || true ;;
        analysis) ls hotspots/stats/phrases.py ;;
        *) echo "unknown domain: $1 (dashboard, pack, map, accessibility, analysis)" >&2; exit 2 ;;
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
