"""Complications and reoperations recorded after surgery (DESIGN.md, clinical record).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "complications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("side", sa.String(12), nullable=True),
        sa.Column("revision", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.String(500), nullable=False),
        sa.Column("withdrawn_reason", sa.String(500), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_complications_patient_id_patients")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complications")),
    )
    op.create_index(op.f("ix_complications_patient_id"), "complications", ["patient_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_complications_patient_id"), table_name="complications")
    op.drop_table("complications")
