"""The kiosk on a real X server, seen from another X client (xwininfo, xdotool) as an outside check
would see it: full screen on a bare X session with no window manager, and under openbox it stays on
top, comes back when iconified, and takes the focus back from a window that covered it.

Each test starts its own Xvfb (and openbox) on this run's displays; CI installs them (.ci/run).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bench.xdisplay import start_openbox, start_xvfb
from tests.tools.processes import stop
from tests.ui.clinic_setup import create_clinic

pytestmark = [pytest.mark.gui, pytest.mark.display]

ROOT = Path(__file__).resolve().parents[2]
SCREEN = (1280, 800)
def wait_for(check: Callable[[], object], timeout: float = 15.0, what: str = "") -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what or check}")


class XSession:
    """Xvfb on a free display, optionally openbox, and the helpers that look at it from outside."""

    def __init__(self, window_manager: bool) -> None:
        for tool in ("Xvfb", "xdpyinfo", "xwininfo", "xprop", "xmessage", "xdotool",
                     *(("openbox",) if window_manager else ())):
            if shutil.which(tool) is None:  # not a skip: CI installs them, a machine without them fails
                raise AssertionError(f"{tool} is not installed (.ci/run installs it)")
        server, self.number = start_xvfb(f"{SCREEN[0]}x{SCREEN[1]}")
        self.env = {**os.environ, "DISPLAY": f":{self.number}", "QT_QPA_PLATFORM": "xcb"}
        self.env.pop("WAYLAND_DISPLAY", None)
        self.processes: list[subprocess.Popen] = [server]
        if window_manager:
            self.processes.append(start_openbox(self.env))

    def start(self, command: list[str], **options: object) -> subprocess.Popen:
        process = subprocess.Popen(command, env=options.pop("env", self.env), stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=True, **options)  # type: ignore[call-overload]
        self.processes.append(process)
        return process

    def run(self, *command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=20, check=False)

    def window(self, name: str) -> int | None:
        found = self.run("xdotool", "search", "--onlyvisible", "--name", f"^{name}$")
        ids = [int(line) for line in found.stdout.split()]
        return ids[-1] if ids else None

    def geometry(self, window: int) -> tuple[int, int, int, int, str]:
        """Absolute x, y, width, height and map state, as xwininfo reports them."""
        text = self.run("xwininfo", "-id", str(window)).stdout
        value = {key: re.search(rf"{key}:\s+(\S+)", text).group(1)  # type: ignore[union-attr]
                 for key in ("Absolute upper-left X", "Absolute upper-left Y", "Width", "Height", "Map State")}
        return (int(value["Absolute upper-left X"]), int(value["Absolute upper-left Y"]), int(value["Width"]),
                int(value["Height"]), value["Map State"])

    def focused(self) -> int:
        return int(self.run("xdotool", "getwindowfocus", "-f").stdout.strip() or 0)

    def close(self) -> None:
        for process in reversed(self.processes):
            stop(process)


@pytest.fixture
def kiosk_on(tmp_path: Path) -> Iterator[Callable[[bool], tuple[XSession, int]]]:
    sessions: list[XSession] = []
    database = str(tmp_path / "clinic.sqlite")
    create_clinic(database, dt.date.today())

    def start(window_manager: bool) -> tuple[XSession, int]:
        session = XSession(window_manager)
        sessions.append(session)
        session.start([sys.executable, "main.py", "--kiosk", "--db", database], cwd=ROOT)
        window = wait_for(lambda: session.window("SIJ-PRO"), what="the kiosk window")
        return session, int(window)  # type: ignore[arg-type]

    yield start
    for session in sessions:
        session.close()


def fills_the_screen(session: XSession, window: int) -> bool:
    return session.geometry(window) == (0, 0, SCREEN[0], SCREEN[1], "IsViewable")


def test_full_screen_and_focused_on_a_bare_x_server(kiosk_on) -> None:
    session, window = kiosk_on(False)
    wait_for(lambda: fills_the_screen(session, window), what=f"full screen, not {session.geometry(window)}")
    wait_for(lambda: session.focused() == window, what="the keyboard focus")
    other = session.start(["xmessage", "-geometry", f"{SCREEN[0]}x{SCREEN[1]}+0+0", "a window over the kiosk"])
    wait_for(lambda: session.window("xmessage"), what="the other window")
    wait_for(lambda: session.focused() == window, what="the focus back on the kiosk")
    assert fills_the_screen(session, window)
    other.terminate()


def test_under_openbox_it_stays_on_top_and_comes_back_when_iconified(kiosk_on) -> None:
    session, window = kiosk_on(True)
    wait_for(lambda: fills_the_screen(session, window), what=f"full screen, not {session.geometry(window)}")
    state = session.run("xprop", "-id", str(window), "_NET_WM_STATE").stdout
    assert "_NET_WM_STATE_FULLSCREEN" in state and "_NET_WM_STATE_ABOVE" in state
    session.run("xdotool", "windowminimize", str(window))  # what openbox's Alt+Space > Iconify does
    wait_for(lambda: fills_the_screen(session, window), what="the kiosk back from iconified")
    other = session.start(["xmessage", "-geometry", "600x400+100+100", "a window over the kiosk"])
    covering = wait_for(lambda: session.window("xmessage"), what="the other window")
    session.run("xdotool", "windowactivate", str(covering))
    wait_for(lambda: session.focused() == window, what="the focus back on the kiosk")
    active = session.run("xdotool", "getactivewindow").stdout.strip()
    assert int(active) == window
    assert fills_the_screen(session, window)
    other.terminate()
