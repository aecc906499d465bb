"""Patient contact details and consent to be contacted, in a table of their own (identified data).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "patient_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(40), nullable=False),
        sa.Column("phone_e164", sa.String(20), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("address", sa.String(500), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("consent", sa.Boolean(), nullable=True),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["id"], ["patients.id"], name=op.f("fk_patient_contacts_id_patients")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_contacts")),
    )


def downgrade() -> None:
    op.drop_table("patient_contacts")
