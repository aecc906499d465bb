"""Worklist index covers status as well as the window, so the due list reads no table row it then drops.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_visits_window", table_name="visits")
    op.create_index("ix_visits_window_status", "visits", ["window_end", "window_start", "status"])


def downgrade() -> None:
    op.drop_index("ix_visits_window_status", table_name="visits")
    op.create_index("ix_visits_window", "visits", ["window_end", "window_start"])
