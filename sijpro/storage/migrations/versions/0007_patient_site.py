"""Patient site: the centre's code, so a study database can pool clinics and report per site.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("patients") as batch:
        batch.add_column(sa.Column("site", sa.String(32), nullable=False, server_default=""))
        batch.create_index(op.f("ix_patients_site"), ["site"])


def downgrade() -> None:
    with op.batch_alter_table("patients") as batch:
        batch.drop_index(op.f("ix_patients_site"))
        batch.drop_column("site")
