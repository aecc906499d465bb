"""Unlock throttles: wrong PINs alone counted per device, with growing delays, instead of clinic-wide.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unlock_throttles",
        sa.Column("device", sa.String(100), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("not_before", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("device", name=op.f("pk_unlock_throttles")),
    )
    op.execute("DELETE FROM meta WHERE key IN ('pin_alone_failures', 'pin_alone_locked_until')")


def downgrade() -> None:
    op.drop_table("unlock_throttles")
