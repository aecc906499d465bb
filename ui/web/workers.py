"""Several processes answering the web app on one listening socket: forked, watched, restarted, stopped.

One Python process runs one thread at a time, so a single waitress process uses one core however many
threads it has; at 200 patients answering at once its queue, not the database, sets the time an answer
takes. The parent binds the socket, forks the workers (each opens its own database connection: nothing
of a connection may cross a fork), and then only watches: a worker that dies is replaced after a pause,
one that keeps dying stops the server with a message, SIGTERM or Ctrl-C stops them all. A worker whose
parent is gone (killed with SIGKILL) notices within a quarter of a second and ends too, so nothing is left holding
the port.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from types import FrameType

from sijpro.errors import UserError
from sijpro.logs import record_crash

RESTART_PAUSE = 1.0
"""Seconds before a dead worker is replaced (a worker failing at once does not spin)."""
DEATHS_ALLOWED = 5
"""Deaths within ``DEATHS_WINDOW`` seconds after which the server stops rather than restart again."""
DEATHS_WINDOW = 60.0
log = logging.getLogger("sijpro.web")


def run_workers(count: int, work: Callable[[], None]) -> int:
    """Fork ``count`` processes each running ``work`` (which serves until the process is stopped); return
    the exit code once all have ended: 0 when asked to stop, 1 when workers kept failing."""
    parent = os.getpid()
    children: dict[int, int] = {}
    stopping = threading.Event()
    deaths: deque[float] = deque()

    def stop(_signal: int, _frame: FrameType | None) -> None:
        stopping.set()
        for pid in list(children):
            _signal_child(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for slot in range(count):
        children[_fork(work, parent)] = slot
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        if pid not in children:
            continue
        slot = children.pop(pid)
        if stopping.is_set():
            continue
        log.warning("worker %d (process %d) ended with code %d", slot + 1, pid, os.waitstatus_to_exitcode(status))
        now = time.monotonic()
        deaths.append(now)
        while deaths and deaths[0] < now - DEATHS_WINDOW:
            deaths.popleft()
        if len(deaths) > DEATHS_ALLOWED:
            print(f"sijpro: the web app's workers ended {len(deaths)} times in {DEATHS_WINDOW:.0f} s; stopping "
                  "(the log says why)", file=sys.stderr, flush=True)
            stop(signal.SIGTERM, None)
            continue
        time.sleep(RESTART_PAUSE)
        if not stopping.is_set():
            children[_fork(work, parent)] = slot
    return 1 if len(deaths) > DEATHS_ALLOWED else 0


def _signal_child(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it ended on its own meanwhile
        os.kill(pid, signum)


def _fork(work: Callable[[], None], parent: int) -> int:
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:  # the worker: never returns into the parent's code
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        threading.Thread(target=_end_with_parent, args=(parent,), name="sijpro-worker-parent", daemon=True).start()
        work()
        code = 0
    except KeyboardInterrupt:
        code = 0
    except UserError as error:
        print(f"sijpro: {error}", file=sys.stderr, flush=True)
    except BaseException as error:  # a worker must end here, whatever happened
        log.error("a web worker failed: %s (traceback in %s)", type(error).__name__, record_crash(error))
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _end_with_parent(parent: int) -> None:
    """Exit once the parent is gone: a worker left behind would hold the port and the database lock."""
    while os.getppid() == parent:
        time.sleep(0.25)
    os._exit(0)
