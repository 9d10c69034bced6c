"""The analysis commands: ``wards`` (ward counts), ``rank`` (the ranked hotspot list)
and ``pack`` (the monthly targeting pack)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from hotspots.access.disclosure import rule_from_env
from hotspots.access.partner import (
    check_audience,
    hotspot_table,
    partner_ward_data,
    suppression_note,
)
from hotspots.definitions import get_definition
from hotspots.geo.counts import sources_for
from hotspots.outputs.exports import hotspot_list_csv, write_ward_counts
from hotspots.outputs.pack import (
    PackArchive,
    assemble_pack,
    pack_excel,
    pack_json,
    pack_metadata,
    pack_pdf,
    pack_period,
    welsh_names,
)
from hotspots.stats.analysis import AnalysisSettings, analyse_ward_data, hotspot_list, left_out
from hotspots.stats.concordance import named_overlaps
from hotspots.stats.ranking import NORMALISATION, parse_weights, rank_settings
from hotspots.store.base import Store
from hotspots.store.ward_data import Selection, load_ward_data


def _selection(args: argparse.Namespace):
    return Selection(start=args.start, end=args.end, area=args.area, definition=args.definition)


def cmd_wards(args: argparse.Namespace) -> int:
    store = Store(args.data_dir)
    data = load_ward_data(store, _selection(args))
    out = Path(args.out)
    write_ward_counts(data, out)
    print(f"wrote {out} ({len(data.counts)} wards; metadata in {out.with_suffix('.meta.json')})")
    _warn(data)
    if data.definition.proxy:
        print("Note: definition is a PROXY (police.uk categories approximate serious violence).")
    for line in data.caveats:
        print(f"Note: {line}")
    return 0


def _audience_rule(args: argparse.Namespace):
    """The disclosure rule of ``--audience partner`` ($HOTSPOTS_SUPPRESSION), else None."""
    return rule_from_env() if check_audience(args.audience) == "partner" else None


def _warn(data) -> None:
    """Print what is missing from the selection (forces, months, wards counted elsewhere)."""
    line = data.coverage_warning()
    if line:
        print(line)


def cmd_rank(args: argparse.Namespace) -> int:
    ranking = (
        rank_settings(weights=parse_weights(args.weights))
        if args.weights
        else rank_settings(args.preset)
    )
    store = Store(args.data_dir)
    rule = _audience_rule(args)
    data = load_ward_data(store, _selection(args))
    if rule is not None:
        data = partner_ward_data(data, rule)
    if ranking.as_dict.get("harm") and not data.harm_available:
        raise ValueError(f"the harm-weighted ranking is not available: {data.harm_reason}")
    settings = AnalysisSettings(ranking=ranking, top_n=args.top_n)
    result = analyse_ward_data(data, settings)
    d = data.definition
    table = hotspot_table(data, result, None, rule)  # as downloaded (partner: suppressed)
    full = hotspot_list(result, f"{d.name} (proxy)" if d.proxy else d.name)
    overlap = named_overlaps(full, args.top_n)
    missed = left_out(full, args.top_n, ranking.as_dict)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(hotspot_list_csv(table))
    conc = result.concordance
    meta = {
        **data.metadata(),
        "weights": dict(ranking.weights),
        "preset": ranking.preset,
        "normalisation": NORMALISATION,
        "top_n": args.top_n,
        "audience": args.audience,
        "suppression": suppression_note(rule),
        "concordance": None
        if conc is None
        else {
            "top_n": conc.top_n,
            "overlap": conc.overlap,
            "overlap_wards": list(conc.overlap_codes),
            "spearman_rho": conc.spearman_rho,
            "overlap_p": conc.overlap_p,
        },
        "overlap": overlap.as_dict(),
        "left_out": [
            {"ward_code": c, "ward_name": n, "rank": int(r), "reason": why}
            for c, n, r, why in zip(
                missed["ward_code"],
                missed["ward_name"],
                missed["rank"],
                missed["reason"],
                strict=True,
            )
        ],
    }
    out.with_suffix(".meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    print(f"wrote {out} ({len(table)} wards, ranked by {ranking.describe()})")
    _warn(data)
    names = dict(zip(table["ward_code"].astype(str), table["ward_name"].astype(str), strict=True))
    for line in overlap.lines(names):
        print(line)
    if conc is not None:
        print(
            f"Violence and drugs: {conc.overlap} of the top {conc.top_n} wards by violence "
            f"are also in the top {conc.top_n} for drug offences (permutation p = "
            f"{conc.overlap_p:.4f}); Spearman rho = {conc.spearman_rho:.2f}."
        )
    if d.proxy:
        print("Note: definition is a PROXY (police.uk categories approximate serious violence).")
    if rule is not None:
        print(f"Partner view: {suppression_note(rule)}")
    for line in data.caveats:
        print(f"Note: {line}")
    return 0


def cmd_pack(args: argparse.Namespace) -> int:
    store = Store(args.data_dir)
    rule = _audience_rule(args)
    definition = get_definition(args.definition)
    loaded = store.months(sources_for(definition, store.sources()))
    if not loaded:
        raise ValueError("no crimes are loaded; load police.uk files or a force extract first")
    start, end = pack_period(args.month)
    selection = Selection(
        start=max(start, loaded[0]), end=end, area=args.area, definition=args.definition
    )
    data = load_ward_data(store, selection)
    if rule is not None:
        data = partner_ward_data(data, rule)
    ranking = rank_settings()
    settings = AnalysisSettings(top_n=args.top_n)
    result = analyse_ward_data(data, settings)
    meta = pack_metadata(data, ranking)
    previous = PackArchive(store.root).latest_before(
        meta["area"], meta["definition"], args.month, args.audience
    )
    pack = assemble_pack(
        data,
        result,
        args.month,
        top_n=args.top_n,
        ranking=ranking,
        previous=previous,
        rule=rule,
        lang=args.lang,
        welsh_names=welsh_names(store.geography().lsoa21_ward) if args.lang == "cy" else None,
    )
    written = []
    for path, make in (
        (args.out, pack_pdf),
        (args.excel, pack_excel),
        (
            args.json,
            lambda p: (json.dumps(pack_json(p), indent=1, ensure_ascii=False) + "\n").encode(
                "utf-8"
            ),
        ),
    ):
        if path:
            target = Path(path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(make(pack))
            written.append(str(target))
    print(
        f"wrote {', '.join(written)} ({pack.title}; {pack.area}; top {pack.top_n}; "
        f"for {'partners' if rule is not None else 'analysts'})"
    )
    for line in pack.summary:
        print(f"  - {line}")
    return 0
