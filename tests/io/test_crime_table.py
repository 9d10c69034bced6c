"""The crimes table: text as Arrow dictionary arrays."""

import numpy as np
import pyarrow as pa

from hotspots.io.crime_table import dictionary_array


def test_dictionary_array_known_answers():
    arr = dictionary_array(["a", None, "b", "a"], np.array([0, 1, 2, 3, -1, 2]))
    assert arr.to_pylist() == ["a", None, "b", "a", None, "b"]
    assert arr.dictionary.to_pylist() == ["a", "b"]  # each value once
    assert arr.type.index_type == pa.int8()
    # the usual case (values as they are, blank last): the codes are the indices
    fast = dictionary_array(["x", "y", None], np.array([1, 0, 2, 1], dtype=np.int32))
    assert fast.to_pylist() == ["y", "x", None, "y"]
    assert fast.indices.to_pylist() == [1, 0, None, 1]
    wide = dictionary_array([f"w{i}" for i in range(300)], np.array([299, 0]))
    assert wide.type.index_type == pa.int16() and wide.to_pylist() == ["w299", "w0"]
