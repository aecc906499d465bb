"""The desk warns the administrator, on signing in, when the last automatic backup found faults."""

from __future__ import annotations

import sqlite3

import pytest

from sijpro.services import backups
from tests.trusted import as_system
from tests.ui.staff.conftest import sign_in

pytestmark = pytest.mark.gui


def test_an_administrator_is_warned_of_a_faulty_backup_and_a_nurse_is_not(make_window, staff_clinic, staff_db):
    good = backups.auto_backup(staff_clinic, reason="daily")
    with sqlite3.connect(staff_db[0]) as raw:
        raw.execute("UPDATE users SET role = 'admin' WHERE username = 'nina'")
    faulty = backups.auto_backup(staff_clinic, reason="close")
    assert faulty is not None and faulty.name.endswith("-faulty.sqlite")
    with sqlite3.connect(staff_db[0]) as raw:  # nina is a nurse again, so that she signs in as one
        raw.execute("UPDATE users SET role = 'nurse' WHERE username = 'nina'")
    window = make_window()
    sign_in(window, "ada")
    notice = window.backup_notice
    assert notice.isVisible()
    [nina] = [user for user in as_system(staff_clinic).auth.users() if user.username == "nina"]
    assert "found 1 fault in" in notice.text() and f"(row {nina.id} of table users)" in notice.text()
    assert good is not None and good.name in notice.text()
    window.sign_out()
    assert not notice.isVisible()
    sign_in(window, "nina")
    assert window.user is not None and window.user.username == "nina"
    assert not notice.isVisible()
