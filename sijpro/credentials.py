"""A database server's password kept in the operating system's credential store, never in a file.

A workstation remembers which PostgreSQL server to open (``ui.workstation``); the password of that
address goes to the system's store through ``keyring`` (the Secret Service or KWallet on Linux, the
Windows Credential Manager, the macOS Keychain), under the address it opens, written without the
password. Where there is no store (a bare server, a CI machine) nothing is kept: ``store_password`` says
so and the password is asked at each start instead of being written in clear.
"""

from __future__ import annotations

from typing import Final

from sijpro.errors import UserError

SERVICE: Final = "sijpro"
"""The name the passwords are filed under in the store."""


def split_password(url: str) -> tuple[str, str | None]:
    """``url`` without its password (as text, the store's key) and the password, or None when it has none.

    A plain file path has no password and comes back as it is.
    """
    if "://" not in url:
        return url, None
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise UserError(f"database URL: {error}") from None
    if parsed.password is None:
        return url, None
    # URL.set(password=None) would leave the password as it is: _replace takes it out
    return parsed._replace(password=None).render_as_string(hide_password=False), str(parsed.password)


def with_password(address: str, password: str) -> str:
    """The URL ``address`` (written without a password) with ``password`` put back."""
    from sqlalchemy.engine import make_url

    return make_url(address).set(password=password).render_as_string(hide_password=False)


def store_password(address: str, password: str) -> bool:
    """Keep ``password`` for ``address`` in the system's store; False when this computer has none usable
    (nothing is then kept anywhere)."""
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(SERVICE, address, password)
    except (KeyringError, RuntimeError, OSError):  # no backend, a locked or refused store, no D-Bus
        return False
    return True


def stored_password(address: str) -> str | None:
    """The password kept for ``address``, or None (none kept, or no store)."""
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(SERVICE, address)
    except (KeyringError, RuntimeError, OSError):
        return None

