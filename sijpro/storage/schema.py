"""Schema versions: Alembic driven from code, with the migrations shipped inside the package.

``sijpro init`` calls ``upgrade``; ``Clinic.open`` calls ``check_current`` so that an old release never
writes into a newer schema and a new release never writes into an old one.

During development, a new migration is written with
``python -m sijpro.storage.schema revision "what changes" [SQLALCHEMY_URL_OF_A_HEAD_DATABASE]``.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from sijpro.errors import UserError
from sijpro.storage.engine import WRITE_OPTION

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


@cache
def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the package ships no migration"
    return head


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the schema to head in one transaction; returns (revision before, revision after)."""
    with engine.connect() as connection:
        connection.execution_options(**{WRITE_OPTION: True})
        before = current_revision(connection)
        connection.rollback()
        if before is not None and before not in _known_revisions():
            raise UserError(_newer_message(before))
        command.upgrade(alembic_config(connection), "head")
        connection.commit()
    return before, head_revision()


def create_in(connection: Connection) -> None:
    """Create the whole schema inside the caller's open transaction, so it lands (or not) with the rows
    the caller writes next: a copy that fails leaves no empty tables behind."""
    command.upgrade(alembic_config(connection), "head")


def check_current(connection: Connection, where: str) -> None:
    """Refuse a database that is not at the schema this release writes."""
    revision = current_revision(connection)
    if revision == head_revision():
        return
    if revision is None:
        raise UserError(f"{where} is not an SIJ-PRO database yet: run 'sijpro init' to create it")
    if revision in _known_revisions():
        raise UserError(f"{where} has an older schema ({revision}, this release needs {head_revision()}): "
                        "back it up, then run 'sijpro init' to upgrade it")
    raise UserError(_newer_message(revision, where))


def _newer_message(revision: str | None, where: str = "the database") -> str:
    return (f"{where} has schema {revision}, which this release of SIJ-PRO does not know: "
            "it was written by a newer release; use that release")


@cache
def _known_revisions() -> frozenset[str]:
    return frozenset(script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions())


def _write_revision(message: str, url: str | None) -> None:
    from sqlalchemy import create_engine

    config = alembic_config()
    if url is None:
        command.revision(config, message=message)
        return
    with create_engine(url).connect() as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] != "revision":
        sys.exit("usage: python -m sijpro.storage.schema revision MESSAGE [URL]")
    _write_revision(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
