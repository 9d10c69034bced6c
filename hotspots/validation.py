"""Checks of values shared by the readers, the store and the command line, beside
:class:`~hotspots.errors.InputError`: one rule and one message each."""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

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


def check_positive_int(value: object, name: str) -> int:
    """``value`` as an int, if it is a positive whole number (``TypeError``/``ValueError``)."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be a positive integer, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value}")
    return int(value)


def check_frame(frame: object, name: str, required: Iterable[str]) -> None:
    """Raise unless ``frame`` is a DataFrame with every ``required`` column."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} is missing column(s) {missing}; it has {list(frame.columns)}")


def check_percent(percent: object) -> int:
    """``percent`` as an int, if it is a whole number from 1 to 100."""
    if isinstance(percent, bool) or not isinstance(percent, int | np.integer):
        raise TypeError(f"percent must be an integer from 1 to 100, got {percent!r}")
    if not 1 <= percent <= 100:
        raise ValueError(f"percent must be an integer from 1 to 100, got {percent}")
    return int(percent)
