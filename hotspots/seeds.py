"""Random seeds derived from the data, so that the same data always give the same answer.

A simulation or permutation test seeded with a fixed number gives the same answer for the
same data, but so would any other number, and a reader cannot tell which the tool used.
:func:`data_seed` hashes the inputs themselves (with a small integer ``salt`` that a
caller may vary to see how much the answer depends on the draws), so a figure can be
reproduced from the data alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np

__all__ = ["data_seed"]


def data_seed(*parts: Iterable | np.ndarray, salt: int = 0) -> int:
    """A seed in ``[0, 2**32)`` from the values of ``parts`` and ``salt``.

    Parameters
    ----------
    *parts : array-like
        Numbers (hashed as float64, so ``3`` and ``3.0`` agree) or strings (e.g. ward
        codes, hashed as UTF-8 text); the order of values matters.
    salt : int, default 0
        Mixed into the hash: another salt gives an unrelated seed for the same data.

    Returns
    -------
    int
        The first four bytes of a BLAKE2b hash of the parts, as an unsigned integer.
    """
    h = hashlib.blake2b(digest_size=8)
    h.update(f"salt={int(salt)};".encode())
    for part in parts:
        values = np.asarray(list(part) if not isinstance(part, np.ndarray) else part)
        if values.dtype.kind in "biuf":
            h.update(b"num:" + np.ascontiguousarray(values, dtype="<f8").tobytes())
        else:
            h.update(b"str:" + "\x1f".join(map(str, values.ravel())).encode())
        h.update(b";")
    return int.from_bytes(h.digest()[:4], "little")
