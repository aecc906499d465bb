"""Alembic environment, driven from ``sijpro.storage.schema`` (no alembic.ini at run time).

The caller passes an open connection in ``config.attributes["connection"]``; to write a new migration
during development: ``python -m sijpro.storage.schema revision "message"``.
"""

from __future__ import annotations

from alembic import context

from sijpro.storage.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
