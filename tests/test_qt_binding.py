"""The Qt binding in use keeps Python's reference counts right.

PySide6 6.12.0 on CPython 3.11 drops a reference to ``None`` on every call of a method that returns
nothing (``setText``, ``QTimer.setInterval``...): after a few thousand calls Python aborts with
"deallocating None". CPython 3.12 made ``None`` immortal, which hides it there. pyproject.toml excludes
that release; this test catches the next one that does the same.
"""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QObject, QTimer


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12 on")
def test_methods_returning_nothing_leave_the_refcount_of_none_alone() -> None:
    timer, thing = QTimer(), QObject()
    before = sys.getrefcount(None)
    for _ in range(200):
        timer.setInterval(5)
        thing.setObjectName("x")
    assert sys.getrefcount(None) - before > -50, "the Qt binding decrements None: pin another PySide6 release"
