"""Schema versions: Alembic driven from code, with the migrations shipped inside the package.

``sijpro init`` calls ``upgrade``; ``Clinic.open`` calls ``check_current`` so that an old release never
writes into a newer schema and a new release never writes into an old one.

Checking reads the migration files' revision lines and the ``alembic_version`` table directly: Alembic
(a tenth of a second of imports) loads only when a schema is created or upgraded, not at every start of
the desktop or of a command.

During development, a new migration is written with
``python -m sijpro.storage.schema revision "what changes" [SQLALCHEMY_URL_OF_A_HEAD_DATABASE]``.
"""

from __future__ import annotations

import re
import sys
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

from sijpro.errors import UserError
from sijpro.storage.engine import WRITE_OPTION

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"
REVISION_LINE = re.compile(r'^(down_)?revision\s*(?::[^=]*)?=\s*(?:"([^"]*)"|\'([^\']*)\'|None)\s*$', re.M)


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


@cache
def _revision_links() -> dict[str, str | None]:
    """Each shipped revision and the one it follows, read from the migration files' own lines."""
    links: dict[str, str | None] = {}
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        found = {bool(kind): value or quoted or None
                 for kind, value, quoted in REVISION_LINE.findall(path.read_text(encoding="utf-8"))}
        revision = found.get(False)
        if revision is None:
            raise RuntimeError(f"{path.name}: no revision line")
        links[revision] = found.get(True)
    return links


@cache
def head_revision() -> str:
    links = _revision_links()
    heads = set(links) - set(links.values())
    assert len(heads) == 1, f"the package ships {len(heads)} migration heads: {sorted(heads)}"
    return heads.pop()


def current_revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    return connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the schema to head in one transaction; returns (revision before, revision after)."""
    with engine.connect() as connection:
        connection.execution_options(**{WRITE_OPTION: True})
        before = current_revision(connection)
        connection.rollback()
        if before is not None and before not in _known_revisions():
            raise UserError(_newer_message(before))
        from alembic import command

        command.upgrade(alembic_config(connection), "head")
        connection.commit()
    return before, head_revision()


def create_in(connection: Connection) -> None:
    """Create the whole schema inside the caller's open transaction, so it lands (or not) with the rows
    the caller writes next: a copy that fails leaves no empty tables behind."""
    from alembic import command

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


def _known_revisions() -> frozenset[str]:
    return frozenset(_revision_links())


def _write_revision(message: str, url: str | None) -> None:
    from alembic import command
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
