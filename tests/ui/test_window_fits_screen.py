"""The desktop fits the screen it opens on, seen from outside on a real X server with a window manager:
on a 1366x768 laptop it opens maximised with every edge on screen (the bottom buttons were below it), on
a 1920x1080 screen at its usual 1280x800."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.xdisplay import start_openbox, start_xvfb
from tests.tools.processes import stop
from tests.ui.staff.setup import create_staff_clinic
from ui.staff.start import WINDOW_SIZE, fits_screen

pytestmark = [pytest.mark.gui, pytest.mark.display]

ROOT = Path(__file__).resolve().parents[2]


def test_the_usual_size_only_where_it_fits() -> None:
    assert fits_screen((1920, 1050)) and fits_screen((1440, 900))
    assert not fits_screen((1366, 740)) and not fits_screen((1280, 800)) and not fits_screen((1024, 738))


def _wait_for(predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


class Screen:
    """Xvfb at one size with openbox on it; ``run`` runs an X client on that display."""

    def __init__(self, size: str) -> None:
        self.server, self.number = start_xvfb(size)
        self.env = {**os.environ, "DISPLAY": f":{self.number}", "QT_QPA_PLATFORM": "xcb"}
        self.manager: subprocess.Popen[bytes] | None = None
        try:
            self.manager = start_openbox(self.env)
        except BaseException:
            self.close()
            raise

    def run(self, *command: str, timeout: float = 30) -> str:
        return subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=timeout,
                              check=False).stdout

    def close(self) -> None:
        for process in (self.manager, self.server):
            if process is None:
                continue
            stop(process)


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("fits") / "clinic.sqlite"
    create_staff_clinic(str(path))
    return str(path)


def desktop_window(screen: Screen, database: str, config: Path) -> Iterator[dict[str, object]]:
    """Start the desktop on ``screen``; yield its window as another X client sees it."""
    env = {**screen.env, "SIJPRO_CONFIG_DIR": str(config)}
    env.pop("SIJPRO_DATABASE_URL", None)
    app = subprocess.Popen([sys.executable, "main.py", "--db", database], cwd=ROOT, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        window = screen.run("xdotool", "search", "--sync", "--onlyvisible", "--name", "SIJ-PRO").split()[0]
        time.sleep(1.0)  # the window manager places and sizes it
        info = screen.run("xwininfo", "-id", window)
        extents = screen.run("xprop", "-id", window, "_NET_FRAME_EXTENTS")

        def number(label: str) -> int:
            return int(re.search(rf"{label}:\s+(-?\d+)", info).group(1))  # type: ignore[union-attr]

        frame = [int(n) for n in re.findall(r"\d+", extents.split("=")[-1])] if "=" in extents else [0, 0, 0, 0]
        yield {"x": number("Absolute upper-left X"), "y": number("Absolute upper-left Y"), "width": number("Width"),
               "height": number("Height"), "state": screen.run("xprop", "-id", window, "_NET_WM_STATE"),
               "frame": frame}
    finally:
        stop(app)


@pytest.mark.parametrize(("size", "maximised"), [("1366x768", True), ("1920x1080", False)])
def test_the_desktop_fits_the_screen(database: str, tmp_path: Path, size: str, maximised: bool) -> None:
    screen = Screen(size)
    try:
        screen_width, screen_height = (int(n) for n in size.split("x"))
        for window in desktop_window(screen, database, tmp_path / "config"):
            left, right, top, bottom = window["frame"]  # type: ignore[misc]
            assert window["x"] - left >= 0 and window["y"] - top >= 0
            assert window["x"] + window["width"] + right <= screen_width
            assert window["y"] + window["height"] + bottom <= screen_height, "the bottom of the window is off screen"
            assert ("_NET_WM_STATE_MAXIMIZED_VERT" in window["state"]) is maximised
            if not maximised:
                assert (window["width"], window["height"]) == WINDOW_SIZE
    finally:
        screen.close()
