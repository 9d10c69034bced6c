"""Commands that bring data in from elsewhere: ``fetch`` (the official originals) and
``demo`` (the synthetic demo region)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from hotspots.demo.build import build_demo
from hotspots.io.fetch import fetch


def cmd_demo(args: argparse.Namespace) -> int:
    root = Path(args.dir) if args.dir else None
    store = build_demo(root, seed=args.seed, force=args.force)
    print(f"Demo region (synthetic demo) ready in {store.root}")
    return 0


def cmd_fetch(args: argparse.Namespace) -> int:
    results = fetch(
        args.what,
        out_dir=Path(args.out),
        months=args.month,
        forces=args.force,
        base_url=args.base_url,
    )
    for r in results:
        print(f"{r.status:10s} {r.path} sha256={r.sha256[:12]} ({r.size:,} bytes)")
    print(json.dumps({"log": str(Path(args.out) / "fetch-log.json")}))
    return 0
