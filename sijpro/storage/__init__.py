"""Persistence: SQLAlchemy typed mappings, engines for SQLite and PostgreSQL, Alembic migrations shipped
in the package, converters from rows to records, bulk writing, and integrity checks and backups."""
