"""Tests of hotspots.stats.fdr: Benjamini-Hochberg against scipy and by hand."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats

from hotspots.stats.fdr import bh_adjust


def test_bh_matches_scipy():
    rng = np.random.default_rng(11)
    p = np.concatenate([rng.uniform(0, 1, 200), rng.uniform(0, 0.01, 30), [0.0, 1.0, 0.5, 0.5]])
    np.testing.assert_allclose(bh_adjust(p), scipy.stats.false_discovery_control(p), rtol=1e-12)
    # by hand: m = 4, sorted p = .01 .02 .03 .5 -> .04 .04 .04 .5
    np.testing.assert_allclose(bh_adjust([0.03, 0.01, 0.5, 0.02]), [0.04, 0.04, 0.5, 0.04])
    assert bh_adjust([]).size == 0
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        bh_adjust([0.1, 1.5])
    for bad in ([-0.5, 0.1], [np.nan], [1.0000001]):
        with pytest.raises(ValueError, match=r"\[0, 1\]"):
            bh_adjust(bad)
    np.testing.assert_array_equal(bh_adjust([0.0, 1.0]), [0.0, 1.0])
    with pytest.raises(ValueError, match="one-dimensional"):
        bh_adjust([[0.1, 0.2]])
