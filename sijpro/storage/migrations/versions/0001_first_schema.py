"""First schema: clinical record, schedule, responses, users and the hash-chained audit trail.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

GENESIS_HASH = "0" * 64

APPEND_ONLY_SQLITE = [
    f"""CREATE TRIGGER audit_events_refuse_{action.lower()} BEFORE {action} ON audit_events
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only: {action} refused'); END"""
    for action in ("UPDATE", "DELETE")
]
APPEND_ONLY_POSTGRESQL = [
    """CREATE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP; END $$""",
    """CREATE TRIGGER audit_events_refuse_change BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()""",
    """CREATE TRIGGER audit_events_refuse_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change()""",
]


def upgrade() -> None:
    op.create_table(
        "meta",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_meta")),
    )
    op.create_table(
        "patients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mrn", sa.String(64), nullable=False),
        sa.Column("family_name", sa.String(200), nullable=False),
        sa.Column("given_name", sa.String(200), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("sex", sa.String(1), nullable=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("bmi", sa.Float(), nullable=True),
        sa.Column("fbss", sa.Boolean(), nullable=True),
        sa.Column("prior_lumbar_surgeries", sa.Integer(), nullable=True),
        sa.Column("prior_lumbosacral_fusion", sa.Boolean(), nullable=True),
        sa.Column("prior_interventions", sa.String(100), nullable=False),
        sa.Column("search_key", sa.String(500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patients")),
        sa.UniqueConstraint("mrn", name=op.f("uq_patients_mrn")),
    )
    op.create_index(op.f("ix_patients_birth_date"), "patients", ["birth_date"])
    op.create_table(
        "procedures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("surgery_date", sa.Date(), nullable=False),
        sa.Column("side", sa.String(12), nullable=True),
        sa.Column("approach", sa.String(12), nullable=True),
        sa.Column("device", sa.String(200), nullable=True),
        sa.Column("surgeon", sa.String(200), nullable=True),
        sa.Column("second_side_date", sa.Date(), nullable=True),
        sa.Column("is_index", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_procedures_patient_id_patients")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedures")),
    )
    op.create_index(op.f("ix_procedures_patient_id"), "procedures", ["patient_id"])
    op.create_index(
        "uq_procedures_one_index", "procedures", ["patient_id"], unique=True,
        sqlite_where=sa.text("is_index = 1"), postgresql_where=sa.text("is_index"),
    )
    op.create_table(
        "protocols",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_protocols")),
        sa.UniqueConstraint("version", name=op.f("uq_protocols_version")),
    )
    op.create_table(
        "visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("procedure_id", sa.Integer(), nullable=False),
        sa.Column("protocol_id", sa.Integer(), nullable=False),
        sa.Column("timepoint", sa.String(32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("window_start", sa.Date(), nullable=False),
        sa.Column("window_end", sa.Date(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("instruments", sa.String(200), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.JSON(), nullable=True),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_visits_patient_id_patients")),
        sa.ForeignKeyConstraint(["procedure_id"], ["procedures.id"], name=op.f("fk_visits_procedure_id_procedures")),
        sa.ForeignKeyConstraint(["protocol_id"], ["protocols.id"], name=op.f("fk_visits_protocol_id_protocols")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visits")),
        sa.UniqueConstraint("patient_id", "timepoint", name=op.f("uq_visits_patient_id")),
    )
    op.create_index(op.f("ix_visits_procedure_id"), "visits", ["procedure_id"])
    op.create_index(op.f("ix_visits_protocol_id"), "visits", ["protocol_id"])
    op.create_index("ix_visits_window", "visits", ["window_end", "window_start"])
    op.create_table(
        "responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("instrument", sa.String(32), nullable=False),
        sa.Column("mode", sa.String(8), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.Column("entered_by", sa.String(100), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["visit_id"], ["visits.id"], name=op.f("fk_responses_visit_id_visits")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_responses")),
        sa.UniqueConstraint("visit_id", "instrument", name=op.f("uq_responses_visit_id")),
    )
    op.create_index(op.f("ix_responses_status"), "responses", ["status"])
    op.create_table(
        "answers",
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(32), nullable=False),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["response_id"], ["responses.id"], name=op.f("fk_answers_response_id_responses")),
        sa.PrimaryKeyConstraint("response_id", "item", name=op.f("pk_answers")),
    )
    op.create_table(
        "scores",
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("version", sa.String(40), nullable=False),
        sa.ForeignKeyConstraint(["response_id"], ["responses.id"], name=op.f("fk_scores_response_id_responses")),
        sa.PrimaryKeyConstraint("response_id", "name", name=op.f("pk_scores")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("full_name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(12), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("pin_hash", sa.String(200), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("entity", sa.String(32), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("field", sa.String(64), nullable=True),
        sa.Column("old", sa.Text(), nullable=True),
        sa.Column("new", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index("ix_audit_events_entity", "audit_events", ["entity", "entity_id"])
    audit_head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.bulk_insert(audit_head, [{"id": 1, "last_id": 0, "last_hash": GENESIS_HASH}])
    dialect = op.get_bind().dialect.name
    for statement in APPEND_ONLY_POSTGRESQL if dialect == "postgresql" else APPEND_ONLY_SQLITE:
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("the first schema cannot be downgraded: it would destroy clinical data")
