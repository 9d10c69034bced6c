"""Find police.uk street files in CSV paths, folders and police.uk archive zips."""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from hotspots.errors import N_, InputError
from hotspots.io.csv_guard import check_size
from hotspots.io.raw import RawFile, read_buffer, read_member
from hotspots.slugs import force_slug

STREET_NAME = re.compile(r"(\d{4}-\d{2})-(.+)-street\.csv$", re.IGNORECASE)


def iter_police_uk(
    paths: Iterable[str | Path],
    forces: Iterable[str] | None = None,
    months: Iterable[str] | None = None,
) -> Iterator[RawFile]:
    """Yield police.uk street files from CSV paths, folders and police.uk archive zips.

    A police.uk archive (``YYYY-MM.zip`` holding ``YYYY-MM/YYYY-MM-<force>-street.csv``)
    is read member by member straight from the zip; only the members for the ``forces``
    (slugs such as ``"dyfed-powys"``) and ``months`` asked for are read.

    Raises
    ------
    InputError
        A path that does not exist, a zip that is damaged, or a folder or zip with no
        street files in it.
    """
    want_forces = {force_slug(f) for f in forces} if forces else None
    want_months = set(months) if months else None

    def wanted(name: str) -> bool:
        m = STREET_NAME.search(name)
        if not m:
            return False
        return (want_forces is None or force_slug(m.group(2)) in want_forces) and (
            want_months is None or m.group(1) in want_months
        )

    for p in map(Path, paths):
        if not p.exists():
            raise InputError(
                N_("no such file or folder"),
                file=str(p),
                fix=N_("check the path (folders and .zip archives are accepted)"),
            )
        if p.is_dir():
            found = sorted(
                q
                for q in p.rglob("*")
                if q.is_file() and (q.suffix.lower() == ".zip" or wanted(q.name))
            )
            if not found:
                raise InputError(
                    N_("the folder holds no police.uk street CSVs"),
                    file=str(p),
                    expected=N_("files named YYYY-MM-<force>-street.csv"),
                )
            yield from iter_police_uk(found, forces, months)
        elif p.suffix.lower() == ".zip":
            try:
                with zipfile.ZipFile(p) as zf:
                    members = [i for i in zf.infolist() if wanted(i.filename)]
                    if not members and want_forces is None and want_months is None:
                        nested = [
                            i.filename for i in zf.infolist() if i.filename.lower().endswith(".zip")
                        ]
                        raise InputError(
                            N_(
                                "the zip holds no police.uk street CSVs (it holds a zip "
                                "inside a zip: {inner})"
                            )
                            if nested
                            else N_("the zip holds no police.uk street CSVs"),
                            file=p.name,
                            expected=N_("members named YYYY-MM/YYYY-MM-<force>-street.csv"),
                            fix=N_("unpack the outer zip and load the zip inside")
                            if nested
                            else N_("check that this is a police.uk archive"),
                            values={"inner": nested[0] if nested else ""},
                        )
                    for info in members:
                        yield RawFile(
                            name=f"{p.name}:{info.filename}", data=read_member(zf, info, p.name)
                        )
            except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile, OSError, zlib.error) as exc:
                raise InputError(
                    N_("the zip is damaged or incomplete ({reason})"),
                    file=p.name,
                    fix=N_("download the archive again"),
                    values={"reason": exc},
                ) from None
            except NotImplementedError as exc:  # e.g. Deflate64 or another compression
                raise InputError(
                    N_("the zip uses a compression method the tool cannot read ({reason})"),
                    file=p.name,
                    expected=N_("a Deflate (ordinary) zip"),
                    fix=N_("unpack it and zip it again, or load the CSVs"),
                    values={"reason": exc},
                ) from None
            except RuntimeError as exc:  # an encrypted member
                raise InputError(
                    N_("the zip is encrypted (it needs a password)")
                    if "encrypted" in str(exc)
                    else N_("the zip cannot be opened ({reason})"),
                    file=p.name,
                    expected=N_("a zip without a password"),
                    fix=N_("unpack it with its password and load the CSVs"),
                    values={"reason": exc},
                ) from None
        else:
            if (want_forces or want_months) and STREET_NAME.search(p.name) and not wanted(p.name):
                continue
            check_size(p.stat().st_size, p.name)
            yield RawFile(name=p.name, data=read_buffer(p))
