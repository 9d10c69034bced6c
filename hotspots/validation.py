"""Checks of values shared by the readers, the store and the command line, beside
:class:`~hotspots.errors.InputError`: one rule and one message each."""

from __future__ import annotations

import re

#: A calendar month as ``YYYY-MM`` (police.uk months, periods, meeting months).
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def check_month(value: object, what: str = "month", example: str = "2019-01") -> str:
    """``value`` when it is a month ``YYYY-MM``.

    Raises
    ------
    ValueError
        ``"{what} '2019-13' is not YYYY-MM (e.g. {example})"``.
    """
    if not isinstance(value, str) or not MONTH.match(value):
        raise ValueError(f"{what} {value!r} is not YYYY-MM (e.g. {example})")
    return value
