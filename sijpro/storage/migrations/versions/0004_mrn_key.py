"""MRNs unique case-insensitively after trimming: each patient's compared form (``mrn_key``), unique.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07

A database holding two MRNs that differ only by case (allowed by older releases) cannot take the unique
index: the upgrade stops, naming them, so a person decides which record is which before going on.
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from alembic import op

from sijpro.errors import UserError
from sijpro.mrn import mrn_key

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("patients", sa.Column("mrn_key", sa.String(128), nullable=True))
    connection = op.get_bind()
    patients = sa.table("patients", sa.column("id", sa.Integer()), sa.column("mrn", sa.String()),
                        sa.column("mrn_key", sa.String()))
    same: dict[str, list[str]] = defaultdict(list)
    keys = []
    for patient_id, mrn in connection.execute(sa.select(patients.c.id, patients.c.mrn)).all():
        same[mrn_key(mrn)].append(mrn)
        keys.append({"patient": patient_id, "key": mrn_key(mrn)})
    if keys:
        connection.execute(patients.update().where(patients.c.id == sa.bindparam("patient"))
                           .values(mrn_key=sa.bindparam("key")), keys)
    clashes = ["; ".join(mrns) for mrns in same.values() if len(mrns) > 1]
    if clashes:
        raise UserError("these MRNs differ only by case or spaces and would be one patient's: "
                           f"{' | '.join(clashes[:20])}. Rename or merge them with the release you have, "
                           "then upgrade again")
    op.create_index("uq_patients_mrn_key", "patients", ["mrn_key"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_patients_mrn_key", table_name="patients")
    op.drop_column("patients", "mrn_key")
