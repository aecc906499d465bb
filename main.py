"""Start SIJ-PRO: ``python main.py`` opens the app, ``python main.py CMD ...`` runs the ``sijpro`` CLI
(``ui.launcher``, which the ``sijpro`` console script starts too)."""

from __future__ import annotations

import sys

from ui.launcher import main
from ui.launcher import wants_cli as _wants_cli

__all__ = ["_wants_cli", "main"]


if __name__ == "__main__":
    if getattr(sys, "frozen", False):
        # The bundle starts its report workers and multiprocessing helpers by running this executable
        # again: freeze_support() turns such a start into that helper instead of a second app.
        import multiprocessing

        multiprocessing.freeze_support()
    sys.exit(main())
