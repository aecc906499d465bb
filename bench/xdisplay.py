"""A real X display for the benchmarks: Xvfb with openbox on it, and how long a program takes until its
first window maps, seen from outside the program by another X client (``xev`` watching the root window
for MapNotify), as the person at the desk sees the window appear.

The clock starts just before the program is started and stops when the X server reports the map of the
program's first top-level window (the window manager's frame around it): import time, the work before
the first window and the window manager's part all count, as they do for a person waiting at the desk.
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PROGRAMS = ("Xvfb", "openbox", "xev", "xprop", "stdbuf")
START_SECONDS = 60.0
"""How long an X server or a window manager may take to come up on a loaded machine."""


def missing_programs() -> list[str]:
    return [program for program in PROGRAMS if shutil.which(program) is None]


def start_xvfb(size: str) -> tuple[subprocess.Popen[bytes], int]:
    """A new Xvfb (``size`` as WIDTHxHEIGHT) on a display number it chose itself, and that number.

    ``-displayfd`` makes the server take the first free display and write its number once it is ready to
    take clients: no race with other programs starting X servers at the same time (looking for a free
    lock file, then starting a server on it, is one)."""
    read_end, write_end = os.pipe()
    try:
        server = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-screen", "0", f"{size}x24",
                                   "-nolisten", "tcp"], pass_fds=(write_end,),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(write_end)
        write_end = -1
        text = b""
        deadline = time.monotonic() + START_SECONDS
        while not text.endswith(b"\n"):
            left = deadline - time.monotonic()
            ready, _, _ = select.select([read_end], [], [], max(left, 0))
            chunk = os.read(read_end, 16) if ready else b""
            if not chunk:
                _stop(server)
                raise RuntimeError("Xvfb did not start")
            text += chunk
        return server, int(text)
    finally:
        os.close(read_end)
        if write_end >= 0:
            os.close(write_end)


def start_openbox(env: dict[str, str]) -> subprocess.Popen[bytes]:
    """openbox on ``env``'s display, once it manages the screen (it says so on the root window)."""
    manager = subprocess.Popen(["openbox", "--sm-disable"], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        _wait(lambda: "(WINDOW)" in subprocess.run(["xprop", "-root", "_NET_SUPPORTING_WM_CHECK"], env=env,
                                                   capture_output=True, text=True, check=False).stdout,
              START_SECONDS)
    except BaseException:
        _stop(manager)
        raise
    return manager


def _wait(predicate: object, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise RuntimeError("the X display did not come up")


def _stop(process: subprocess.Popen[str] | subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def x_display(size: str = "1920x1080") -> Iterator[dict[str, str]]:
    """An environment whose DISPLAY is a fresh Xvfb with openbox managing it."""
    server, number = start_xvfb(size)
    env = {**os.environ, "DISPLAY": f":{number}", "QT_QPA_PLATFORM": "xcb"}
    manager = None
    try:
        manager = start_openbox(env)
        yield env
    finally:
        _stop(manager)
        _stop(server)


def peak_mb(pid: int) -> float:
    """The resident high-water mark of a running process, in MB (Linux /proc; 0 elsewhere)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def seconds_to_first_map(command: list[str], env: dict[str, str], cwd: Path,
                         timeout: float = 60.0) -> tuple[float, float]:
    """(seconds from starting ``command`` to the X server's first MapNotify of a top-level window, the
    program's peak resident MB by then)."""
    watcher = subprocess.Popen(["stdbuf", "-oL", "xev", "-root", "-event", "substructure"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0)
    program = None
    try:
        time.sleep(0.3)  # xev selects the root window's events before anything maps
        assert watcher.stdout is not None
        stream = watcher.stdout.fileno()
        start = time.perf_counter()
        program = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = start + timeout
        seen = b""
        while time.perf_counter() < deadline:
            ready, _, _ = select.select([stream], [], [], 0.5)
            if not ready:
                if program.poll() not in (None, 0):
                    raise RuntimeError(f"{command[:3]} exited with {program.returncode} before a window mapped")
                continue
            seen += os.read(stream, 65536)  # raw reads: nothing waits in a buffer select cannot see
            if b"\nMapNotify" in b"\n" + seen:
                return time.perf_counter() - start, peak_mb(program.pid)
        raise RuntimeError(f"{command[:3]}: no window mapped within {timeout:.0f} s")
    finally:
        _stop(program)
        _stop(watcher)
