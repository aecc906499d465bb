"""Starting the GUI where no display can be reached says so in one line and exits 1: Qt's own xcb
plugin would abort the process (exit 134, "could not connect to display") before any window exists."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ui.app import missing_display

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("command", "platform"), [
    ([sys.executable, str(ROOT / "main.py")], None),
    ([sys.executable, str(ROOT / "main.py"), "--kiosk"], None),
    ([sys.executable, str(ROOT / "main.py"), "--kiosk", "--windowed"], "xcb"),
    ([str(Path(sys.executable).with_name("sijpro"))], None),
])
def test_no_display_gives_one_clear_line_and_exit_1(tmp_path: Path, command: list[str], platform: str | None) -> None:
    environ = {key: value for key, value in os.environ.items()
               if key not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    if platform is not None:
        environ["QT_QPA_PLATFORM"] = platform
    result = subprocess.run([*command, "--db", str(tmp_path / "clinic.sqlite")], capture_output=True, text=True,
                            cwd=tmp_path, env=environ, timeout=60, check=False)
    assert result.returncode == 1, (result.returncode, result.stderr)
    assert result.stderr.splitlines() == [
        "sijpro: no display to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is set): start SIJ-PRO "
        "from a desktop session, or give a command (sijpro --help)"]
    assert result.stdout == "" and not (tmp_path / "clinic.sqlite").exists()


def test_a_display_or_a_platform_chosen_on_purpose_is_left_to_qt() -> None:
    assert missing_display([], {"DISPLAY": ":0"}, "linux") is None
    assert missing_display([], {"WAYLAND_DISPLAY": "wayland-0"}, "linux") is None
    assert missing_display([], {"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert missing_display(["-platform", "offscreen"], {}, "linux") is None
    assert missing_display([], {}, "win32") is None
    assert missing_display([], {"QT_QPA_PLATFORM": "xcb;wayland"}, "linux") is not None
    assert missing_display(["-platform", "xcb"], {"QT_QPA_PLATFORM": "offscreen"}, "linux") is not None
