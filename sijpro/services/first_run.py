"""The first start of a clinic's database: its administrator account and its name, in one step.

The desktop's first-run wizard collects the values and calls ``set_up_clinic`` once. Every problem is
reported at once (``Problem``, each naming its field), before anything is created, so a mistyped password
never leaves behind a database without an administrator.
"""

from __future__ import annotations

from dataclasses import dataclass

from sijpro.errors import InputErrors, UserError
from sijpro.problems import Problem
from sijpro.records import UserRecord
from sijpro.services.auth import USERNAME
from sijpro.services.clinic import Clinic
from sijpro.services.clinic_settings import MAX_NAME, ClinicSettings
from sijpro.services.context import Clock
from sijpro.services.passwords import password_problem
from sijpro.storage import schema
from sijpro.storage.database import Database
from sijpro.storage.encryption import PassphraseSource, file_state
from sijpro.storage.engine import resolve_url, sqlite_path

FIRST_RUN_ACTOR = "first-run"


@dataclass(frozen=True)
class NewAdmin:
    username: str
    full_name: str
    password: str
    repeated: str


def admin_problems(admin: NewAdmin, clinic_name: str) -> list[Problem]:
    """Every problem with the wizard's values, each naming its field."""
    problems = []
    username = admin.username.strip().lower()
    if not USERNAME.fullmatch(username):
        problems.append(Problem("username", "username_rule"))
    if not admin.full_name.strip():
        problems.append(Problem("full_name", "required"))
    weakness = password_problem(admin.password, username)
    if weakness:
        problems.append(weakness)
    elif admin.password != admin.repeated:
        problems.append(Problem("repeated", "passwords_differ"))
    if not clinic_name.strip():
        problems.append(Problem("clinic_name", "required"))
    elif len(clinic_name.strip()) > MAX_NAME:
        problems.append(Problem("clinic_name", "too_long", {"limit": str(MAX_NAME)}))
    return problems


def is_new_database(url: str | None) -> bool:
    """True for a database nobody set up yet: no SQLite file (or an empty one), or a server database
    without SIJ-PRO's tables. Reads nothing else, so it is safe on an encrypted file."""
    resolved = resolve_url(url)
    path = sqlite_path(resolved)
    if path is not None:
        return file_state(path) in {"missing", "empty"}
    database = Database(resolved)
    try:
        with database.translated_errors(), database.engine.connect() as connection:
            return schema.current_revision(connection) is None
    finally:
        database.close()


def set_up_clinic(url: str | None, admin: NewAdmin, clinic_name: str, *, clock: Clock | None = None,
                  passphrase: PassphraseSource = None) -> UserRecord:
    """Create (or upgrade) the database, its first administrator and its name.

    Refused when the database already has users: a second first run must not add a back door.
    """
    problems = admin_problems(admin, clinic_name)
    if problems:
        raise InputErrors(problems)
    Clinic.init(url, actor=FIRST_RUN_ACTOR, clock=clock, passphrase=passphrase)
    with Clinic.open(url, actor=FIRST_RUN_ACTOR, clock=clock, passphrase=passphrase) as clinic:
        if clinic.auth.has_accounts():
            raise UserError(f"{clinic.where} already has users: sign in instead")
        user = clinic.auth.add_user(admin.username, admin.full_name, "admin", admin.password)
        clinic.session(user).settings.save(ClinicSettings(name=clinic_name))
    return user
