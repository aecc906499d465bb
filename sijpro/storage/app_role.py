"""PostgreSQL: the app connects as a role that does not own the tables, so it cannot disable the triggers.

``sijpro init --app-role NAME`` (run as the tables' owner, the clinic's database administrator) creates
the login role NAME if it does not exist (password from ``$SIJPRO_APP_ROLE_PASSWORD``) and grants it what
the app does and nothing more: reading and writing the clinical tables, only reading and appending the
audit trail (no UPDATE, DELETE or TRUNCATE of ``audit_events``), moving the chain head, and the
sequences. It owns nothing, so ``ALTER TABLE audit_events DISABLE TRIGGER`` and ``DROP TRIGGER`` are
refused to it: the app's own credentials cannot rewrite the trail. Default privileges give it the same
rights on the tables later releases' migrations create (run by the owner).
"""

from __future__ import annotations

import os
import re
from typing import Final

from sqlalchemy import Connection, text

from sijpro.errors import UserError
from sijpro.storage.models import AuditEvent, AuditHead, Base

PASSWORD_VARIABLE: Final = "SIJPRO_APP_ROLE_PASSWORD"
ROLE_NAME: Final = re.compile(r"[a-z_][a-z0-9_]{0,62}")
SCHEMA_TABLE: Final = "alembic_version"


def grant_app_role(connection: Connection, role: str) -> bool:
    """Create (when missing) and grant the app's role; True when it was created."""
    if connection.dialect.name != "postgresql":
        raise UserError("--app-role is for a PostgreSQL database: an SQLite file has no roles")
    if not ROLE_NAME.fullmatch(role):
        raise UserError(f"--app-role {role!r}: use lower-case letters, digits and '_' (a PostgreSQL role name)")
    owner = connection.execute(text("SELECT current_user")).scalar()
    if role == owner:
        raise UserError(f"--app-role {role}: that is the role running init, which owns the tables; name another "
                        "role, for the app to connect as")
    exists = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": role}).first()
    if not exists:
        password = os.environ.get(PASSWORD_VARIABLE)
        if not password:
            raise UserError(f"--app-role {role}: the role does not exist yet; give its password in "
                            f"${PASSWORD_VARIABLE} to create it")
        quoted = connection.execute(text("SELECT quote_literal(:password)"), {"password": password}).scalar()
        connection.execute(text(f'CREATE ROLE "{role}" LOGIN PASSWORD {quoted}'))
    schema = connection.execute(text("SELECT current_schema()")).scalar()
    statements = [f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"',
                  f'REVOKE ALL ON ALL TABLES IN SCHEMA "{schema}" FROM "{role}"']
    for table in Base.metadata.sorted_tables:
        rights = {AuditEvent.__tablename__: "SELECT, INSERT",
                  AuditHead.__tablename__: "SELECT, UPDATE"}.get(table.name, "SELECT, INSERT, UPDATE, DELETE")
        statements.append(f'GRANT {rights} ON "{schema}"."{table.name}" TO "{role}"')
    statements += [
        f'GRANT SELECT ON "{schema}"."{SCHEMA_TABLE}" TO "{role}"',
        f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "{schema}" TO "{role}"',
        f'ALTER DEFAULT PRIVILEGES IN SCHEMA "{schema}" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "{role}"',
        f'ALTER DEFAULT PRIVILEGES IN SCHEMA "{schema}" GRANT USAGE, SELECT ON SEQUENCES TO "{role}"',
    ]
    for statement in statements:
        connection.execute(text(statement))
    return not exists
