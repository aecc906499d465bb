"""Answer buttons wrap long statements to their width, never lose a word, and keep equal heights."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtGui import QFont, QFontMetrics

from ui.kiosk.widgets import EqualColumn, WrapButton, wrap_lines

pytestmark = pytest.mark.gui

WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèàç'’-", min_size=1, max_size=30)


@settings(max_examples=60, deadline=None)
@given(words=st.lists(WORDS, min_size=1, max_size=25), width=st.integers(min_value=40, max_value=600))
def test_wrapped_lines_fit_and_keep_every_character(qapp, words, width) -> None:
    font = QFont("DejaVu Sans")
    font.setPixelSize(22)
    metrics = QFontMetrics(font)
    text = " ".join(words)
    lines = wrap_lines(text, metrics, width)
    for line in lines:
        assert metrics.horizontalAdvance(line) <= width or len(line) == 1
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_paragraphs_stay_apart(qapp) -> None:
    metrics = QFontMetrics(QFont("DejaVu Sans", 12))
    assert wrap_lines("first\nsecond", metrics, 1000) == ["first", "second"]


def test_an_equal_column_gives_every_answer_the_tallest_ones_height(qtbot) -> None:
    short = WrapButton("Yes", "option")
    long = WrapButton("Pain prevents me from lifting heavy weights off the floor, but I can manage if they "
                      "are conveniently placed eg. on a table", "option")
    column = EqualColumn([short, long], spacing=8)
    qtbot.addWidget(column)
    column.resize(320, column.heightForWidth(320))
    column.show()
    qtbot.waitExposed(column)
    assert short.height() == long.height() >= 64
    assert long.fits() and len(long.lines_for(320)) > 1
    assert long.text().count("\n") == len(long.lines_for(320)) - 1
    assert long.accessibleName().startswith("Pain prevents")  # the whole sentence, not the wrapped one
