"""Nurse calls: a patient at a tablet asks for a nurse; the staff desks and the tablet show it until answered.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nurse_calls",
        sa.Column("device", sa.String(100), nullable=False),
        sa.Column("called_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("device", name=op.f("pk_nurse_calls")),
    )


def downgrade() -> None:
    op.drop_table("nurse_calls")
