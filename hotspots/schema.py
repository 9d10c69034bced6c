"""Output schemas, declared once.

Every table the package hands to the command line, the dashboard or a download has
its columns listed here; tests assert them exactly.
"""

from __future__ import annotations

#: The normalised crimes table, as stored (one row per crime row read, except skipped ones).
CRIME_COLUMNS = [
    "source",  # "police.uk:dyfed-powys" or "extract:dyfed-powys"
    "file",  # file name the row came from
    "row",  # 1-based data row in that file (header not counted)
    "month",  # YYYY-MM
    "crime_id",
    "crime_type",  # police.uk crime type, or the extract's offence description
    "ho_code",  # Home Office offence code (extracts only)
    "occurred_at",  # recorded date-time (extracts only)
    "lsoa_code",
    "longitude",
    "latitude",
    "easting",
    "northing",
    "domestic",
    "alcohol",
    "drugs_flag",
    "knife",
    "terrorism",
    "victim_age_band",
    "victim_sex",
    "ward_code",  # assigned 2022 ward, missing unless assignment is code/point/nearest
    "assignment",  # one of ASSIGNMENTS
]

#: How a row was placed. Rows counted in a ward are the first three.
ASSIGNMENTS = ("code", "point", "nearest", "outside", "unlocated", "duplicate")
ASSIGNED = ("code", "point", "nearest")

#: The reconciliation of one file and month: the parts sum to ``rows_read``.
RECONCILIATION_COLUMNS = [
    "source",
    "file",
    "checksum",
    "month",
    "rows_read",
    "by_code",
    "by_point",
    "by_nearest",
    "outside",
    "unlocated",
    "skipped",
    "duplicates",
]
RECONCILIATION_PARTS = [
    "by_code",
    "by_point",
    "by_nearest",
    "outside",
    "unlocated",
    "skipped",
    "duplicates",
]

#: Leading columns of the ward counts table (``python -m hotspots wards``); category
#: columns of the definition follow.
WARD_COUNT_COLUMNS = [
    "ward_code",
    "ward_name",
    "local_authority_code",
    "local_authority_name",
    "police_force",
    "population",
    "sv_count",
    "drugs_count",
]

#: Columns of the wards GeoDataFrame held by :class:`hotspots.geo.geography.Geography`.
WARD_COLUMNS = [
    "ward_code",
    "ward_name",
    "local_authority_code",
    "local_authority_name",
    "police_force",
    "geometry",
]

#: The store's history: one row per load that changed something.
HISTORY_COLUMNS = ["time", "kind", "file", "checksum", "months", "rows", "action"]
