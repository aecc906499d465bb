"""Contact attempts: every follow-up contact made or tried (e-mail, letter, call) with its outcome.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

MADE = "outcome IN ('sending', 'sent', 'refused', 'reached', 'declined', 'wrong_number')"


def upgrade() -> None:
    op.create_table(
        "contact_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("by", sa.String(100), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("detail", sa.String(500), nullable=False),
        sa.Column("message_id", sa.String(200), nullable=False),
        sa.Column("call_back_on", sa.Date(), nullable=True),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_contact_attempts_patient_id_patients")),
        sa.ForeignKeyConstraint(["visit_id"], ["visits.id"], name=op.f("fk_contact_attempts_visit_id_visits")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_attempts")),
    )
    op.create_index(op.f("ix_contact_attempts_patient_id"), "contact_attempts", ["patient_id"])
    op.create_index(op.f("ix_contact_attempts_visit_id"), "contact_attempts", ["visit_id"])
    op.create_index("uq_contact_attempts_made", "contact_attempts", ["visit_id", "step"], unique=True,
                    sqlite_where=sa.text(MADE), postgresql_where=sa.text(MADE))


def downgrade() -> None:
    op.drop_table("contact_attempts")
