"""The staff desktop over a fresh copy of a real SQLite clinic, on a fixed day, with cheap password hashing."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sijpro.services.clinic import Clinic
from sijpro.services.context import FixedClock
from tests.ui.clinic_setup import cheap_hashing
from tests.ui.staff.setup import PASSWORDS, TODAY, create_staff_clinic
from ui.i18n import set_language
from ui.staff.main_window import StaffWindow


@pytest.fixture(autouse=True)
def english_and_cheap_hashing() -> Iterator[None]:
    set_language("en")
    with cheap_hashing():
        yield
    set_language("en")


@pytest.fixture(scope="session")
def staff_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    path = tmp_path_factory.mktemp("staff-template") / "clinic.sqlite"
    return path, create_staff_clinic(str(path))


@pytest.fixture
def staff_db(staff_template: tuple[Path, dict[str, int]], tmp_path: Path) -> tuple[Path, dict[str, int]]:
    template, ids = staff_template
    for part in template.parent.glob(f"{template.name}*"):
        shutil.copy(part, tmp_path / part.name)
    return tmp_path / template.name, ids


@pytest.fixture
def ids(staff_db: tuple[Path, dict[str, int]]) -> dict[str, int]:
    return staff_db[1]


@pytest.fixture
def staff_clinic(staff_db: tuple[Path, dict[str, int]]) -> Iterator[Clinic]:
    with Clinic.open(str(staff_db[0]), actor="staff", clock=FixedClock(TODAY)) as clinic:
        yield clinic


@pytest.fixture
def make_window(qtbot, staff_clinic: Clinic) -> Callable[..., StaffWindow]:
    """A shown staff window on its sign-in screen; kiosks it hands over to open as plain windows."""

    def make(idle_seconds: float = 600, **options: object) -> StaffWindow:
        options.setdefault("show_kiosk", lambda kiosk: kiosk.show())
        window = StaffWindow(staff_clinic, clinic_name="Clinique du Parc", idle_seconds=idle_seconds,
                             **options)  # type: ignore[arg-type]
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        qtbot.waitExposed(window)
        return window

    return make


def sign_in(window: StaffWindow, username: str, password: str | None = None) -> None:
    window.login.username.setText(username)
    window.login.password.setText(PASSWORDS[username] if password is None else password)
    window.login.sign_in_button.click()


@pytest.fixture
def signed_in(make_window: Callable[..., StaffWindow]) -> Callable[..., StaffWindow]:
    def make(username: str = "nina", **options: object) -> StaffWindow:
        window = make_window(**options)
        sign_in(window, username)
        assert window.user is not None and window.user.username == username
        return window

    return make
