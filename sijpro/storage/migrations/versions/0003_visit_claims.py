"""Visit claims: the device a visit is being answered on, so a second tablet is refused (DESIGN rule 11).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "visit_claims",
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("device", sa.String(100), nullable=False),
        sa.Column("claimed_by", sa.String(100), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["visit_id"], ["visits.id"], name=op.f("fk_visit_claims_visit_id_visits")),
        sa.PrimaryKeyConstraint("visit_id", name=op.f("pk_visit_claims")),
    )


def downgrade() -> None:
    op.drop_table("visit_claims")
