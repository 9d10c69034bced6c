"""The bytes of input files: one file or zip member as a :class:`RawFile`, files read into
Arrow buffers, and zip members unpacked with a size limit."""

from __future__ import annotations

import functools
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import xxhash

from hotspots.errors import N_, InputError
from hotspots.io.csv_guard import check_size, max_file_bytes


@dataclass(frozen=True)
class RawFile:
    """The bytes of one input file (or one member of a zip).

    ``data`` is ``bytes`` or another bytes-like object (files are read into a
    :class:`pyarrow.Buffer`, whose memory Arrow reuses from one file to the next).
    """

    name: str
    data: bytes | pa.Buffer = field(repr=False)

    @functools.cached_property
    def checksum(self) -> str:
        """Checksum of the bytes (XXH3-128, hex; computed once)."""
        return xxhash.xxh3_128_hexdigest(self.data)


def read_buffer(path: str | Path) -> pa.Buffer:
    """The bytes of a file in a :class:`pyarrow.Buffer` (Arrow's memory pool keeps and
    reuses the memory, so reading many files does not fault in fresh pages each time)."""
    with pa.OSFile(str(path)) as fh:
        return fh.read_buffer()


def read_member(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, archive: str, *, keep: bool = True
) -> pa.Buffer | None:
    """The bytes of one zip member, decompressed a block at a time and counted as they
    come, whatever its header says: reading stops at the size limit
    (``HOTSPOTS_MAX_FILE_MB``), so a member whose header claims a small size but that
    unpacks to gigabytes is refused after reading no more than the limit. With
    ``keep=False`` the bytes are only counted (a check before another reader opens the
    zip), and None is returned.

    Raises
    ------
    InputError
        The member is over the limit, or unpacks to another size than its header says.
    """
    name = f"{archive}:{info.filename}"
    check_size(info.file_size, name, member=True)
    limit = max_file_bytes()
    # The zip reader stops at the size the header gives; ask it for a block more than
    # the limit instead (it would check the CRC on reaching that size), so that the
    # bytes actually unpacked are what is counted.
    counted = zipfile.ZipInfo(info.filename, info.date_time)
    for attr in (
        "compress_type",
        "compress_size",
        "CRC",
        "flag_bits",
        "header_offset",
        "extra",
        "create_system",
        "create_version",
        "extract_version",
        "external_attr",
        "internal_attr",
        "volume",
        "reserved",
        "comment",
    ):
        setattr(counted, attr, getattr(info, attr))
    block_size = 1 << 20
    counted.file_size = limit + block_size + 1
    out = bytearray()
    size = 0
    with zf.open(counted) as fh:
        while True:
            block = fh.read(block_size)
            if not block:
                break
            size += len(block)
            if keep:
                out += block
            if size > limit:
                raise InputError(
                    N_(
                        "the member unpacks to more than the limit of {limit} MB although its "
                        "header says {size} bytes (reading stopped at the limit)"
                    ),
                    file=name,
                    expected=N_("a zip whose members unpack to no more than the limit"),
                    fix=N_(
                        "check the archive (download it again from police.uk), or raise "
                        "the limit with the environment variable HOTSPOTS_MAX_FILE_MB"
                    ),
                    values={"limit": f"{limit / (1 << 20):.0f}", "size": f"{info.file_size:,}"},
                )
    if size != info.file_size:
        raise InputError(
            N_("the member unpacks to {size} bytes but its header says {header}"),
            file=name,
            fix=N_("download the archive again"),
            values={"size": f"{size:,}", "header": f"{info.file_size:,}"},
        )
    return pa.py_buffer(out) if keep else None
