"""dashboard.state: what the dashboard keeps between runs."""

from __future__ import annotations

import gc
import weakref


class _Node:
    def __init__(self):
        self.me = self  # a reference cycle: only the collector can free it


def _build(n: int) -> list[_Node]:
    return [_Node() for _ in range(n)]


def test_long_lived_collects_then_freezes_what_a_cache_miss_built():
    from dashboard.state import long_lived

    gc.unfreeze()
    try:
        garbage = [weakref.ref(_Node()) for _ in range(3)]  # cyclic garbage, not yet freed
        assert all(r() is not None for r in garbage)
        before = gc.get_freeze_count()
        built = long_lived(_build)(1000)
        assert len(built) == 1000 and long_lived(_build).__name__ == "_build"
        # The garbage was collected first (not frozen); what was alive is frozen, so later
        # full collections do not walk it.
        assert all(r() is None for r in garbage)
        assert gc.get_freeze_count() >= before + 1000
        walked = {id(o) for o in gc.get_objects()}
        assert not any(id(n) in walked for n in built)
    finally:
        gc.unfreeze()
