"""``main.py`` tells a command from a desktop start by the words alone, without loading the commands."""

from __future__ import annotations

import pytest

from main import _wants_cli


@pytest.mark.parametrize(("argv", "cli"), [
    ([], False),
    (["--db", "clinic.sqlite"], False),
    (["--kiosk", "--windowed", "--exit-after-start", "--db", "due"], False),  # a file named like a command
    (["-platform", "offscreen", "--db", "x.sqlite"], False),
    (["due"], True),
    (["--db", "clinic.sqlite", "report", "all"], True),
    (["--help"], True),
    (["--version"], True),
    (["no-such-command"], True),  # the CLI says it is not a command
])
def test_commands_and_desktop_starts_are_told_apart(argv, cli) -> None:
    assert _wants_cli(argv) is cli
