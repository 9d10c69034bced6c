"""The shared checks of values (hotspots.validation)."""

import pytest

from hotspots.store.ward_data import Selection
from hotspots.validation import MONTH, check_month


def test_check_month_known_answers():
    assert check_month("2019-01") == "2019-01"
    assert MONTH.match("2024-12") and not MONTH.match("2024-13") and not MONTH.match("24-01")
    for bad in ("2019-13", "2019-1", "201901", "", None, 201901):
        with pytest.raises(ValueError, match=r"is not YYYY-MM \(e\.g\. 2019-01\)"):
            check_month(bad)
    with pytest.raises(
        ValueError, match=r"^meeting month '2024-00' is not YYYY-MM \(e\.g\. 2024-11\)$"
    ):
        check_month("2024-00", "meeting month", "2024-11")


def test_the_period_names_the_bad_month():
    with pytest.raises(ValueError, match=r"^end month '2019-1' is not YYYY-MM \(e\.g\. 2019-01\)$"):
        Selection(start="2019-01", end="2019-1")
