"""The staff desktop's stylesheet (``resources/styles/staff.qss``), set on its own windows only so the
kiosk keeps its own large-print look when the tablet is handed over."""

from __future__ import annotations

from functools import cache

from sijpro.resources import resource_path


@cache
def staff_stylesheet() -> str:
    return resource_path("styles", "staff.qss").read_text(encoding="utf-8")
