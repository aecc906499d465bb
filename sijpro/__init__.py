"""SIJ-PRO core: instruments, scoring, storage, services, analysis, reports and data exchange.

This package never imports Qt or the ``ui`` layer, so everything the GUI does is also a plain Python
call (and most of it a CLI command).
"""

__version__ = "0.1.0"
