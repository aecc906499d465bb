"""What was shown: the language of each answer as given, and the text size and contrast of a kiosk run.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("answers") as batch:
        batch.add_column(sa.Column("language", sa.String(8), nullable=True))
    with op.batch_alter_table("responses") as batch:
        batch.add_column(sa.Column("text_size", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("contrast", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("responses") as batch:
        batch.drop_column("contrast")
        batch.drop_column("text_size")
    with op.batch_alter_table("answers") as batch:
        batch.drop_column("language")
