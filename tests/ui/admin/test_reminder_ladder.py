"""The protocol page's reminder ladder: the bundled steps shown, a step typed in with real key presses and
saved with the next protocol version, a step the visit never lives to see refused before anything is
saved, and a timepoint's own 'no reminders' row kept."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from ui.staff.admin.protocol import ProtocolPage

pytestmark = pytest.mark.gui

BUNDLED = [("default", "email_1", "email", 0), ("default", "email_2", "email", 7),
           ("default", "letter", "post", 14), ("default", "call", "phone", 21), ("baseline", "", "", 0)]


@pytest.fixture
def page(shown_page):
    return shown_page(ProtocolPage, (1500, 1000))


def type_step(page: ProtocolPage, code: str, channel_key: str, day: str) -> int:
    QTest.mouseClick(page.ladders.add_button, Qt.MouseButton.LeftButton)
    row = page.ladders.table.rowCount() - 1
    step, channel, days = (page.ladders.table.cellWidget(row, column) for column in (1, 2, 3))
    step.setFocus()
    QTest.keyClicks(step, code)
    channel.setFocus()
    QTest.keyClicks(channel, channel_key)  # a combo box picks the item its typed letters begin
    days.setFocus()
    days.selectAll()
    QTest.keyClicks(days, day)
    QTest.keyClick(days, Qt.Key.Key_Tab)
    return row


def test_a_step_typed_in_is_saved_with_the_next_version(page, dialogs) -> None:
    assert list(page.ladders.rows()) == BUNDLED
    row = type_step(page, "call_2", "P", "35")
    assert page.ladders.rows()[row] == ("default", "call_2", "phone", 35) and page.dirty
    dialogs.answer = True
    saved = page.save()
    assert saved is not None and saved.version == 2
    current = page.clinic.protocols.current()
    assert [(s.code, s.channel, s.day) for s in current.ladder("m12")][-1] == ("call_2", "phone", 35)
    assert current.ladder("baseline") == ()
    assert list(page.ladders.rows()) == [*BUNDLED[:4], ("default", "call_2", "phone", 35), BUNDLED[4]]


def test_a_step_after_the_visit_stops_being_collected_is_refused(page, dialogs) -> None:
    type_step(page, "late_call", "P", "70")
    dialogs.answer = True
    assert page.save() is None
    assert page.problem.text() == ("Reminder ladder: Step late_call on day 70 comes after the visit stops being "
                                   "collected (day 58 after its window opens).")
    assert page.clinic.protocols.current().version == 1 and dialogs.texts("question") == []
