"""Benchmarks: ``make bench`` runs every ``bench_*.py`` module here and prints one table.

Absolute times drift on shared machines, so each figure stands next to a baseline measured in the same
run (a bare PySide6 window, a plain matplotlib + reportlab page, a plain sqlite3 query, a plain CSV
read...). Never part of ``make test``.
"""
