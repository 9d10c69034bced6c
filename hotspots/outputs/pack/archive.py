"""Published packs, kept unchanged with a checksum, and the pack as a JSON document.

Archive layout, under the store folder::

    packs/<area-slug>/<definition>/<YYYY-MM>.json   the pack, with its sha256 checksum
    packs/<area-slug>/<definition>/<YYYY-MM>.pdf    the PDF as published
    packs/.lock                                     held while publishing

The JSON is written last (temporary file + ``os.replace``): it is the commit point, and
once it exists the month is published and can never be written again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fcntl
import hashlib
import json
from pathlib import Path

import pandas as pd

from hotspots.errors import N_, LocalisedError, Text
from hotspots.outputs.pack.cells import (
    PACK_COLUMNS,
    check_month,
    jsonable,
    month_span,
    period_bounds,
    records,
    typed_rows,
)
from hotspots.outputs.pack.model import Pack, PublishedPack
from hotspots.outputs.pack.pdf import pack_pdf
from hotspots.slugs import folder_slug as slug
from hotspots.store.files import atomic_write
from hotspots.validation import MONTH

FORMAT = 1


def _canonical(doc: dict) -> bytes:
    return json.dumps(
        doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class PackArchive:
    """Published packs, kept unchanged under ``<root>/packs`` (``root``: the store folder).

    Parameters
    ----------
    root : path
        The store folder (``Store.root``); packs go in its ``packs`` folder.
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.folder = self.root / "packs"

    def __repr__(self) -> str:
        return f"PackArchive({str(self.root)!r})"

    def _dir(self, area: str, definition: str) -> Path:
        return self.folder / slug(area) / slug(definition)

    def path(self, area: str, definition: str, month: str, audience: str = "analyst") -> Path:
        """The JSON file of a pack (whether published or not); a partner's rendering of
        the same publication is ``<month>.partner.json``."""
        check_month(month, "month")
        if audience not in ("analyst", "partner"):
            raise ValueError(f"audience must be 'analyst' or 'partner', got {audience!r}")
        suffix = "" if audience == "analyst" else ".partner"
        return self._dir(area, definition) / f"{month}{suffix}.json"

    def months(self, area: str, definition: str, audience: str = "analyst") -> list[str]:
        """Meeting months published for an area and definition (for ``audience``: those
        with a partner rendering), oldest first."""
        folder = self._dir(area, definition)
        if not folder.is_dir():
            return []
        done = sorted(p.stem for p in folder.glob("*.json") if MONTH.match(p.stem))
        if audience == "analyst":
            return done
        return [m for m in done if self.path(area, definition, m, audience).is_file()]

    def load(
        self, area: str, definition: str, month: str, audience: str = "analyst"
    ) -> PublishedPack:
        """A published pack as stored (``audience="partner"``: its partner rendering).

        Raises
        ------
        ValueError
            When no pack is published for that month (naming the months that are).
        """
        path = self.path(area, definition, month, audience)
        try:
            doc = json.loads(path.read_bytes())
        except FileNotFoundError:
            raise ValueError(
                f"no pack is published for {area} ({definition}) in {month}"
                f"{'' if audience == 'analyst' else ' for partners'}; published: "
                f"{self.months(area, definition, audience) or 'none'}"
            ) from None
        return PublishedPack(
            meeting_month=doc["meeting_month"],
            area=doc["area"],
            definition=doc["definition"],
            published_at=doc["published_at"],
            checksum=doc["checksum"],
            rows=typed_rows(pd.DataFrame(doc["rows"], columns=PACK_COLUMNS)),
            top_n=int(doc["top_n"]),
            first_streak=int(doc["first_streak"]),
            metadata=doc["metadata"],
            summary=tuple(doc["summary"]),
            path=path,
        )

    def latest_before(
        self, area: str, definition: str, month: str, audience: str = "analyst"
    ) -> PublishedPack | None:
        """The last pack published for a meeting month strictly before ``month`` (for
        ``audience="partner"``: the last partner rendering, which a partner's pack is
        compared with — never the analysts' exact ranks)."""
        check_month(month, "month")
        earlier = [m for m in self.months(area, definition, audience) if m < month]
        return self.load(area, definition, earlier[-1], audience) if earlier else None

    def pdf(self, published: PublishedPack) -> bytes:
        """The PDF bytes stored with a published pack (or its partner rendering)."""
        path = published.path or self.path(
            published.area, published.definition, published.meeting_month
        )
        return path.with_suffix(".pdf").read_bytes()

    @contextlib.contextmanager
    def _lock(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / ".lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _document(
        self, pack: Pack, pdf: bytes, path: Path, published_at: str, audience: str
    ) -> dict:
        latest = self.latest_before(pack.area, pack.definition, pack.meeting_month, audience)
        expected = (latest.meeting_month, latest.checksum) if latest else (None, None)
        if (pack.previous_month, pack.previous_checksum) != expected:
            raise LocalisedError(
                N_(
                    "this partners' pack was built against the previous pack {previous}, "
                    "but the latest published before {month} is {latest} (another pack was "
                    "published meanwhile); build it again against the latest: on the "
                    "dashboard, open the Monthly pack page again; in code, "
                    "previous=archive.latest_before(area, definition, meeting_month, "
                    "audience='partner')"
                )
                if audience == "partner"
                else N_(
                    "this pack was built against the previous pack {previous}, but the "
                    "latest published before {month} is {latest} (another pack was published "
                    "meanwhile); build it again against the latest: on the dashboard, open "
                    "the Monthly pack page again; in code, previous=archive.latest_before(area, "
                    "definition, meeting_month)"
                ),
                {
                    "previous": pack.previous_month or Text(N_("none")),
                    "month": pack.meeting_month,
                    "latest": expected[0] or Text(N_("none")),
                },
            )
        doc = {
            "format": FORMAT,
            "meeting_month": pack.meeting_month,
            "area": pack.area,
            "area_slug": slug(pack.area),
            "definition": pack.definition,
            "audience": audience,
            "published_at": published_at,
            "top_n": pack.top_n,
            "first_streak": pack.first_streak,
            "persistence_months": pack.persistence_months,
            "overlap": jsonable(pack.overlap),
            "previous_month": pack.previous_month,
            "previous_checksum": pack.previous_checksum,
            "settings": dataclasses.asdict(pack.settings),
            "metadata": jsonable(pack.metadata),
            "summary": list(pack.summary),
            "columns": PACK_COLUMNS,
            "rows": records(pack.rows),
            "changes": records(pack.changes),
            "pdf": {
                "file": path.with_suffix(".pdf").name,
                "sha256": hashlib.sha256(pdf).hexdigest(),
                "bytes": len(pdf),
            },
        }
        doc["checksum"] = hashlib.sha256(_canonical(doc)).hexdigest()
        return doc

    def publish(
        self,
        pack: Pack,
        pdf: bytes | None = None,
        published_at: str | None = None,
        partner: Pack | None = None,
        partner_pdf: bytes | None = None,
    ) -> PublishedPack:
        """Store ``pack`` (and its PDF, made with :func:`pack_pdf` when not given) for good,
        with ``partner`` — the same pack built from the partner view — as the rendering
        partners are shown.

        Raises
        ------
        ValueError
            When a pack is already published for that area, definition and month (published
            packs are immutable), when ``pack`` (or ``partner``) was built against another
            previous pack than the latest one published before its month, or when
            ``partner`` is for another month, area or definition.
        """
        pdf = pack_pdf(pack) if pdf is None else bytes(pdf)
        path = self.path(pack.area, pack.definition, pack.meeting_month)
        if partner is not None and (
            partner.meeting_month,
            slug(partner.area),
            partner.definition,
        ) != (pack.meeting_month, slug(pack.area), pack.definition):
            raise ValueError("the partner rendering is of another month, area or definition")
        when = published_at or _now()
        with self._lock():
            if path.exists():
                done = json.loads(path.read_bytes())
                raise LocalisedError(
                    N_(
                        "the {month} pack for {area} ({definition}) is already published "
                        "(at {published_at}, {path}); published packs are immutable and "
                        "cannot be replaced"
                    ),
                    {
                        "month": pack.meeting_month,
                        "area": pack.area,
                        "definition": pack.definition,
                        "published_at": str(done.get("published_at")),
                        "path": str(path),
                    },
                )
            doc = self._document(pack, pdf, path, when, "analyst")
            path.parent.mkdir(parents=True, exist_ok=True)
            if partner is not None:
                ppdf = pack_pdf(partner) if partner_pdf is None else bytes(partner_pdf)
                ppath = self.path(pack.area, pack.definition, pack.meeting_month, "partner")
                pdoc = self._document(partner, ppdf, ppath, when, "partner")
                atomic_write(ppath.with_suffix(".pdf"), ppdf)
                atomic_write(
                    ppath,
                    json.dumps(pdoc, indent=1, sort_keys=True, ensure_ascii=False).encode("utf-8"),
                )
            # The analysts' JSON last: it is the commit point of the publication.
            atomic_write(path.with_suffix(".pdf"), pdf)
            atomic_write(
                path, json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False).encode("utf-8")
            )
        return self.load(pack.area, pack.definition, pack.meeting_month)

    def verify(self, published: PublishedPack) -> bool:
        """True when the stored pack still matches its checksum (JSON and PDF) and
        ``published`` (its checksum and rows) matches what is stored."""
        path = published.path or self.path(
            published.area, published.definition, published.meeting_month
        )
        try:
            doc = json.loads(path.read_bytes())
            pdf = path.with_suffix(".pdf").read_bytes()
        except (FileNotFoundError, ValueError):
            return False
        recorded = doc.pop("checksum", None)
        try:
            actual = hashlib.sha256(_canonical(doc)).hexdigest()
        except ValueError:
            return False
        return (
            recorded == actual == published.checksum
            and hashlib.sha256(pdf).hexdigest() == doc.get("pdf", {}).get("sha256")
            and doc.get("rows") == records(published.rows.reindex(columns=PACK_COLUMNS))
        )


def pack_json(pack: Pack) -> dict:
    """The pack as a JSON document (``python -m hotspots pack --json``): what a script
    needs to follow the meeting's list. Counts are as the pack's audience sees them."""
    m = pack.metadata
    start, end = period_bounds(m["period"])
    loaded = list(m.get("months_with_data") or [])
    every = month_span(start, end)
    shown = [
        "rank",
        "ward_code",
        "ward_name",
        "local_authority_name",
        "sv_count",
        "sv_rate",
        "drugs_count",
        "rank_change",
        "months_in_top_n",
        "drugs_top_n",
        "emerging_class",
        "dep_share_20",
        "why",
    ]
    return jsonable(
        {
            "month": pack.meeting_month,
            "area": pack.area,
            "definition": pack.definition,
            "proxy": pack.proxy,
            "lang": pack.lang,
            "audience": m.get("audience", "analyst"),
            "period": {"from": start, "to": end},
            "months_loaded": [x for x in every if x in set(loaded)],
            "months_missing": [x for x in every if x not in set(loaded)],
            "top": records(pack.rows[shown]),
            "persistent": list(pack.persistent["ward_code"]),
            "persistent_rule": {
                "top_n": pack.top_n,
                "min_months": pack.settings.persistent_months,
                "window_months": pack.settings.persistence_window,
            },
            "overlap": dict(pack.overlap or {"n": pack.top_n}),
            "previous_pack": pack.previous_month,
            "summary": list(pack.summary),
            "suppression": m.get("suppression"),
        }
    )
