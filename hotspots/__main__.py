"""``python -m hotspots``: the command line (see :mod:`hotspots.cli`)."""

import sys

from hotspots.cli import main

sys.exit(main())
