"""GUI tests: real widgets on Qt's offscreen platform over a real SQLite clinic; any Qt warning fails.

The clinic (a nurse with a PIN, three patients whose 3-month questionnaires are due) is built once per
session and copied for each test, so every test starts from the same committed state.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sijpro.services.clinic import Clinic
from sijpro.services.context import FixedClock
from tests.ui.clinic_setup import create_clinic
from ui.kiosk.clinic_backend import ClinicBackend
from ui.kiosk.flow import Planned
from ui.kiosk.window import KioskWindow

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

HERE = Path(__file__).resolve().parent
TODAY = dt.date(2024, 6, 3)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Qt warnings (a bad stylesheet, a broken layout, a model misuse) fail the test that caused them."""
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))


@pytest.fixture(autouse=True)
def english_after_each_test() -> Iterator[None]:
    """The language is process-wide: a test that ends on a French screen must not start the next in French."""
    yield
    from ui.i18n import set_language

    set_language("en")


@pytest.fixture(scope="session")
def clinic_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    path = tmp_path_factory.mktemp("kiosk-template") / "clinic.sqlite"
    return path, create_clinic(str(path), TODAY)


@pytest.fixture
def kiosk_db(clinic_template: tuple[Path, dict[str, int]], tmp_path: Path) -> tuple[Path, dict[str, int]]:
    """A fresh copy of the template clinic (and the patient ids by MRN)."""
    template, ids = clinic_template
    for part in template.parent.glob(f"{template.name}*"):
        shutil.copy(part, tmp_path / part.name)
    return tmp_path / template.name, ids


@pytest.fixture
def kiosk_clinic(kiosk_db: tuple[Path, dict[str, int]]) -> Iterator[Clinic]:
    with Clinic.open(str(kiosk_db[0]), actor="kiosk", clock=FixedClock(TODAY)) as clinic:
        yield clinic


class OneInstrument(ClinicBackend):
    """The real backend, asking only one of the due questionnaires (to walk one instrument alone)."""

    def __init__(self, clinic: Clinic, instrument: str) -> None:
        super().__init__(clinic)
        self.instrument = instrument

    def plan(self, patient_id: int, day: dt.date) -> list[Planned]:
        return [p for p in super().plan(patient_id, day) if p.instrument == self.instrument]


@pytest.fixture
def make_kiosk(qtbot, kiosk_clinic: Clinic) -> Iterator[Callable[..., KioskWindow]]:
    """A shown kiosk window over the test clinic; ``instrument=`` limits the run to one questionnaire."""
    windows = []

    def make(instrument: str | None = None, size: tuple[int, int] = (1280, 800), **options: object) -> KioskWindow:
        # Taps right after a screen appears are ignored for 0.4 s (a double tap's second tap); tests that
        # tap at machine speed turn that off, the double-tap tests keep it with settle_seconds=SETTLE_SECONDS.
        options.setdefault("settle_seconds", 0.0)
        backend = OneInstrument(kiosk_clinic, instrument) if instrument else ClinicBackend(kiosk_clinic)
        window = KioskWindow(backend, today=lambda: TODAY, **options)  # type: ignore[arg-type]
        qtbot.addWidget(window)
        window.resize(*size)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield make
    # pytest-qt closes its widgets before fixtures end, when a kiosk still refuses to close: close them
    # here, or they stay on screen and the next test that looks for "the kiosk on screen" finds a stale one
    for window in windows:
        window._may_close = True
        window.close()
