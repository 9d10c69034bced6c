"""Tests of hotspots.seeds: seeds derived from the data."""

from __future__ import annotations

import hashlib

import numpy as np

from hotspots.seeds import data_seed


def test_known_value_and_range():
    h = hashlib.blake2b(digest_size=8)
    h.update(b"salt=0;")
    h.update(b"num:" + np.array([1.0, 2.0], dtype="<f8").tobytes())
    h.update(b";")
    assert data_seed([1, 2]) == int.from_bytes(h.digest()[:4], "little")
    assert 0 <= data_seed([1, 2], salt=99) < 2**32


def test_same_data_same_seed_and_every_part_counts():
    a = data_seed(np.array([1.0, 2.0]), ["W1", "W2"], salt=3)
    assert a == data_seed([1, 2], ("W1", "W2"), salt=3)  # ints hash as floats
    assert a != data_seed([1.0, 2.0], ["W1", "W2"], salt=4)
    assert a != data_seed([2.0, 1.0], ["W1", "W2"], salt=3)
    assert a != data_seed([1.0, 2.0], ["W2", "W1"], salt=3)
    assert a != data_seed([1.0, 2.0], salt=3)
    # parts are kept apart: moving a value from one part to the next changes the seed
    assert data_seed([1.0], [2.0, 3.0]) != data_seed([1.0, 2.0], [3.0])
    # numbers and their text are different data
    assert data_seed([1.0]) != data_seed(["1.0"])
    assert data_seed(np.array([True, False])) == data_seed([1.0, 0.0])
