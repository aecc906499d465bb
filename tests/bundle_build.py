"""The PyInstaller build the bundle's tests need, started in the background as soon as they are collected.

The build takes about two minutes of one core and is half of what those tests cost; the rest of the
suite waits mostly on subprocesses, timers and the database, so the build runs beside it at the lowest
CPU priority (``nice 19``: it takes only what the tests leave), and the bundle's tests run last and find
it done. ``packaging/build.py`` reuses ``dist/sijpro`` when it is newer than every source, so a run after
``make package`` builds nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class BackgroundBuild:
    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.log: Path | None = None

    def start(self) -> None:
        """Start the build once (nothing if it is already running or done)."""
        if self.process is not None:
            return
        descriptor, name = tempfile.mkstemp(prefix="sijpro-bundle-build-", suffix=".log")
        self.log = Path(name)
        low = ["nice", "-n", "19"] if os.name == "posix" and shutil.which("nice") else []
        with os.fdopen(descriptor, "wb") as log:
            self.process = subprocess.Popen([*low, sys.executable, str(ROOT / "packaging" / "build.py")],
                                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)

    def wait(self, timeout: float) -> tuple[int, str]:
        """(exit status, the end of its output) once the build has ended; started now if it was not."""
        self.start()
        assert self.process is not None and self.log is not None
        status = self.process.wait(timeout=timeout)
        return status, self.log.read_text(errors="replace")[-6000:]

    def stop(self) -> None:
        """End a build still running when the session ends (a run stopped early)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if self.log is not None:
            self.log.unlink(missing_ok=True)


bundle_build = BackgroundBuild()
"""The session's one build."""
