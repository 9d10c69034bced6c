"""Shared builders of the statistics tests: square-lattice wards, planted values and
monthly panels (EPSG:27700, 1 km cells)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import box

SIZE = 7
CELL = 1000.0
CENTRE = "W33"


def lattice(rows: int, cols: int, prefix: str = "W", x0: float = 0.0, y0: float = 0.0):
    """A rows x cols lattice of 1 km squares; code f"{prefix}{row}{col}"."""
    codes, cells = [], []
    for r in range(rows):
        for c in range(cols):
            codes.append(f"{prefix}{r}{c}")
            cells.append(
                box(x0 + c * CELL, y0 + r * CELL, x0 + (c + 1) * CELL, y0 + (r + 1) * CELL)
            )
    return gpd.GeoDataFrame({"ward_code": codes}, geometry=cells, crs="EPSG:27700")


def planted(hot: float = 10.0, background: float = 1.0) -> pd.Series:
    """7 x 7 values: the 3 x 3 block around the centre is ``hot``, the rest ``background``."""
    values = {
        f"W{r}{c}": hot if (2 <= r <= 4 and 2 <= c <= 4) else background
        for r in range(SIZE)
        for c in range(SIZE)
    }
    return pd.Series(values, dtype=float)


def monthly_panel(codes, months, values) -> pd.DataFrame:
    """Long monthly frame from a (ward × month) array."""
    return pd.DataFrame(
        {
            "ward_code": np.repeat(codes, len(months)),
            "month": np.tile(months, len(codes)),
            "sv_count": np.asarray(values, dtype="int64").ravel(),
        }
    )
