"""The command line: ``python -m hotspots COMMAND``.

Bad input ends with exit code 2 and a message naming the file, the row, what was
expected and how to fix it; the store is left as it was.

:mod:`~hotspots.cli.parser` declares the commands; :mod:`~hotspots.cli.run` runs one,
importing only the module of its group: :mod:`~hotspots.cli.store` (load, status,
verify, accept-missing-flag), :mod:`~hotspots.cli.analysis` (wards, rank, pack),
:mod:`~hotspots.cli.sources` (fetch, demo) and :mod:`~hotspots.cli.users` (user).
"""

from hotspots.cli.parser import build_parser
from hotspots.cli.run import EXIT_BAD_INPUT, main

__all__ = ["EXIT_BAD_INPUT", "build_parser", "main"]
