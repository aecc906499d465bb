"""Delivering a tablet's journal to the clinic database, in order, exactly once, whatever the network does.

A background thread takes the journal's pending entries oldest first and applies each through the
clinic's services, as the actor and at the time it was given on the tablet, naming the entry's id: the
database records the ids it has applied (``deliveries``), in the same transaction, so an entry sent again
after its acknowledgement was lost is not applied twice. While the database cannot be reached the relay
waits and tries again; no entry is skipped, and none is given up on for want of a network. An entry the
clinic refuses (the visit was cancelled meanwhile, say) is set aside with the reason, for the nurse.

Each delivery has a deadline: a connection that went silent (a Wi-Fi access point that drops packets
without a reset, which TCP alone can take minutes to notice) is cut by shutting its socket down, so the
relay retries on a new one instead of hanging.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import threading
from collections.abc import Callable
from typing import Final

from sqlalchemy.exc import DBAPIError

from sijpro.errors import ConflictError, StorageFull, Unreachable, UserError
from sijpro.logs import record_crash
from sijpro.services.clinic import Clinic
from sijpro.services.context import FixedClock
from sijpro.services.deliveries import is_delivered
from sijpro.storage.journal import Entry, Journal

__all__ = ["DEADLINE_SECONDS", "RETRY_SECONDS", "Journal", "Relay", "tablet_relay"]
"""``Journal`` too: the kiosk names the journal its relay delivers without reaching into storage."""

DEADLINE_SECONDS: Final = 5.0
RETRY_SECONDS: Final = 1.0


class Relay:
    def __init__(self, journal: Journal, connect: Callable[[], Clinic], device: str, *,
                 deadline: float = DEADLINE_SECONDS, retry: float = RETRY_SECONDS) -> None:
        """``connect`` opens the clinic database for the relay alone (its own connections)."""
        self.journal = journal
        self.connect = connect
        self.device = device
        self.deadline = deadline
        self.retry = retry
        self.reachable: bool | None = None
        """None until the first attempt; False while the database cannot be reached."""
        self.delivered = 0
        self._settled: collections.deque[str] = collections.deque(maxlen=1000)
        self._refusals: dict[str, UserError] = {}
        """The clinic's own refusal of each entry refused since start, for the tap still waiting on it."""
        self._settling = threading.Condition()
        self._clinic: Clinic | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sijpro-relay", daemon=True)

    def start(self) -> Relay:
        self._thread.start()
        return self

    def notify(self) -> None:
        """An entry was added: deliver it now rather than at the next retry."""
        self._wake.set()

    def wait_for(self, entry_id: str, timeout: float) -> bool:
        """Wait at most ``timeout`` seconds for the entry to be settled; True when it was. A kiosk waits a
        moment so that, while the database answers, an answer is in it when the tap returns."""
        with self._settling:
            return self._settling.wait_for(lambda: entry_id in self._settled, timeout)

    def refusal(self, entry_id: str) -> UserError | None:
        """The clinic's refusal of a settled entry (a ``VisitClaimed`` naming the other tablet, say), once;
        None when it was delivered or is still pending."""
        with self._settling:
            return self._refusals.pop(entry_id, None)

    def _settle(self, entry_id: str, state: str, reason: str | None = None) -> None:
        self.journal.mark(entry_id, state, reason)
        with self._settling:
            self._settled.append(entry_id)
            self._settling.notify_all()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        if self._clinic is not None:
            self._clinic.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                waiting = self.drain()
            except Exception as error:  # a bug must not end delivery for good: log it and try again
                record_crash(error)
                waiting = True
            self._wake.wait(self.retry if waiting else 30.0)

    def drain(self) -> bool:
        """Deliver what is pending; True when something is still waiting (the database was unreachable)."""
        while not self._stop.is_set():
            entries = self.journal.pending()
            if not entries:
                return False
            for entry in entries:
                if not self._deliver(entry):
                    return True
        return True

    # --- one entry ----------------------------------------------------------------------------------

    def _deliver(self, entry: Entry) -> bool:
        """True when the entry is settled (applied, already applied, or refused); False to retry later."""
        self._cut_flag = False
        timer = threading.Timer(self.deadline, self._cut)
        timer.daemon = True
        timer.start()
        try:
            clinic = self._open()
            self._apply(clinic, entry)
        except ConflictError:
            if not self._already(entry):
                return self._unreachable()
        except (Unreachable, StorageFull, DBAPIError, OSError):
            return self._unreachable()
        except UserError as error:
            if self._cut_happened():
                return self._unreachable()
            with self._settling:
                self._refusals[entry.id] = error
                while len(self._refusals) > 1000:  # nobody asked for the oldest: forget them
                    self._refusals.pop(next(iter(self._refusals)))
            self._settle(entry.id, "refused", str(error))
            self.reachable = True
            return True
        finally:
            timer.cancel()
        self._settle(entry.id, "delivered")
        self.delivered += 1
        self.reachable = True
        return True

    def _apply(self, clinic: Clinic, entry: Entry) -> None:
        delivery = clinic.delivery_session(entry.actor, FixedClock(
            entry.at.replace(tzinfo=dt.UTC) if entry.at.tzinfo is None else entry.at), self.device)
        payload = entry.payload
        if entry.kind == "answer":
            delivery.collection.save_answer(payload["response_id"], payload["item"], payload["value"],
                                            payload.get("language"), delivery=entry.id)
        elif entry.kind == "complete":
            delivery.collection.complete_all(payload["response_ids"], delivery=entry.id)
        elif entry.kind == "release":
            delivery.claims.release(payload["visit_ids"], self.device)
        else:
            raise UserError(f"unknown journal entry kind {entry.kind!r}")

    def _already(self, entry: Entry) -> bool:
        try:
            assert self._clinic is not None
            with self._clinic.database.reading() as session:
                return is_delivered(session, entry.id)
        except (UserError, DBAPIError, OSError):
            return False

    def _unreachable(self) -> bool:
        self.reachable = False
        if self._clinic is not None:
            with contextlib.suppress(Exception):
                self._clinic.database.engine.dispose()
        return False

    # --- connections and their deadline -----------------------------------------------------------------

    def _open(self) -> Clinic:
        if self._clinic is None:
            clinic = self.connect()
            if clinic.dialect == "postgresql":
                clinic.database.engine.dispose()  # every connection the relay uses is one its deadline can cut
            self._clinic = clinic
        return self._clinic

    _cut_flag = False

    def _cut(self) -> None:
        """The deadline passed: the database counts as unreachable; the sockets in use are shut down, so a
        call blocked on a silent connection fails at once (one still connecting gives up by itself)."""
        self._cut_flag = True
        self.reachable = False
        if self._clinic is not None:
            self._clinic.database.cut_connections()

    def _cut_happened(self) -> bool:
        return self._cut_flag


def tablet_relay(clinic: Clinic, device: str) -> Relay:
    """This tablet's journal for ``clinic`` (encrypted as the database is) and its relay, started: the
    relay opens its own connections to the same database, acting as ``clinic``'s actor."""
    from sijpro.storage.database import Database
    from sijpro.storage.journal import journal_path

    url = clinic.database.url
    journal = Journal(journal_path(device, clinic.where), clinic.database.passphrase)
    return Relay(journal, lambda: Clinic(Database(url), actor=clinic.actor), device).start()
