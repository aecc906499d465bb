"""Invitations to answer at home (one-time link and short code, stored hashed) and the door's counters.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("seed", sa.String(64), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("issued_by", sa.String(100), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("failed_tries", sa.Integer(), nullable=False),
        sa.Column("locked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_reason", sa.String(500), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.Column("pass_hash", sa.String(64), nullable=True),
        sa.Column("pass_seq", sa.Integer(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_invitations_patient_id_patients")),
        sa.ForeignKeyConstraint(["visit_id"], ["visits.id"], name=op.f("fk_invitations_visit_id_visits")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitations_token_hash")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_invitations_code_hash")),
        sa.UniqueConstraint("pass_hash", name=op.f("uq_invitations_pass_hash")),
    )
    op.create_index(op.f("ix_invitations_patient_id"), "invitations", ["patient_id"])
    op.create_index(op.f("ix_invitations_visit_id"), "invitations", ["visit_id"])
    op.create_table(
        "door_throttles",
        sa.Column("key", sa.String(80), nullable=False),
        sa.Column("window_start", sa.DateTime(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_door_throttles")),
    )


def downgrade() -> None:
    op.drop_table("door_throttles")
    op.drop_table("invitations")
