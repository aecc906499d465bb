"""Render every kind of kiosk screen to PNG files, to look at them (not a test: a person judges).

    QT_QPA_PLATFORM=offscreen python -m tests.tools.kiosk_screenshots [OUT_DIR]

Writes ``<size>-<language>-<screen>.png`` for 1280x800, 1920x1080 and 800x1280 into OUT_DIR (default
/tmp/kiosk-shots, outside the repository) and prints any layout problem found on the way.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QApplication, QPushButton

from sijpro.services.clinic import Clinic
from sijpro.services.context import FixedClock
from tests.ui.clinic_setup import NURSE_PIN, create_clinic
from tests.ui.driver import answer, choose_language, confirm_identity, hand_over, next_button, screen, tap
from tests.ui.layout_check import layout_problems
from ui.kiosk.clinic_backend import ClinicBackend
from ui.kiosk.question_screen import QuestionScreen
from ui.kiosk.review_screen import ReviewScreen
from ui.kiosk.window import KioskWindow

SIZES = [(1280, 800), (1920, 1080), (800, 1280)]
SHOTS = {  # item code -> screen name, the questions worth a picture
    "lumbar": "nrs", "odi3": "odi-longest", "odi8": "odi-section8-skip", "PF02": "sf12-with-stem",
    "RE3": "sf12-long", "MH3": "sf12-six-options", "overall": "satisfaction", "percent": "relief",
}
TODAY = dt.date(2024, 6, 3)


class Shooter:
    """One kiosk over a fresh clinic in which John Smith left his questionnaires half done."""

    def __init__(self, out: Path, size: tuple[int, int], language: str, text_step: int = 0) -> None:
        self.out = out
        self.prefix = f"{size[0]}x{size[1]}-{language}" + (f"-text{text_step}" if text_step else "")
        self.language = language
        self.text_step = text_step
        self.folder = tempfile.TemporaryDirectory()
        database = str(Path(self.folder.name) / "clinic.sqlite")
        self.ids = create_clinic(database, TODAY)
        self.clinic = Clinic.open(database, actor="kiosk", clock=FixedClock(TODAY))
        set_up = self.clinic.system_session("screenshots")
        visit, instrument = set_up.collection.pending(self.ids["K-002"])[0]
        response = set_up.collection.open(visit.id, instrument)
        set_up.collection.save_answer(response.id, "lumbar", 6)
        self.window = KioskWindow(ClinicBackend(self.clinic), idle_seconds=3600, default_language=language,
                                  today=lambda: TODAY, settle_seconds=0)
        self.window.resize(*size)
        self.window.show()
        QApplication.processEvents()
        self.problems: list[str] = []

    def shot(self, name: str) -> None:
        QApplication.processEvents()
        window = self.window
        page = window.runner if window.runner is not None else window.stack.currentWidget()
        found = layout_problems(window, page, may_scroll=self.text_step > 0)
        self.problems += [f"{self.prefix}-{name}: {p}" for p in found]
        window.grab().save(str(self.out / f"{self.prefix}-{name}.png"))

    def run(self, wanted: Callable[[str], bool]) -> list[str]:
        window = self.window
        if wanted("locked"):
            self.shot("locked")
        tap(window.locked_screen.primary)
        window.unlock_screen.secret.setText("12")
        if wanted("unlock"):
            self.shot("unlock")
        window.unlock_screen.secret.setText(NURSE_PIN)
        tap(window.unlock_screen.primary)
        if wanted("nurse"):
            self.shot("nurse")
        hand_over(window, self.ids["K-001"], confirm=False)
        if self.text_step:
            tap(window.runner.text_buttons.button(self.text_step))
        if wanted("identity"):
            self.shot("identity")
        confirm_identity(window)
        if wanted("welcome"):
            self.shot("welcome")
        choose_language(window, self.language)
        if wanted("instructions"):
            self.shot("instructions")
        for _ in range(80):
            page = screen(window)
            if isinstance(page, ReviewScreen):
                break
            if not isinstance(page, QuestionScreen):
                tap(next_button(window))
                continue
            name = SHOTS.get(page.item.code)
            if name and wanted(name):
                self.shot(name)
                if page.item.code == "lumbar":
                    tap(page.choices[7])
                    self.shot("nrs-answered")
            answer(window, None if page.item.optional else page.item.kiosk_values()[-2])
        if wanted("review"):
            self.shot("review")
        window._on_idle()  # what the idle timer does
        if wanted("idle"):
            self.shot("idle")
        tap(window.overlay.findChildren(QPushButton)[-1])  # "Yes, continue"
        tap(screen(window).primary)
        if wanted("thanks"):
            self.shot("thanks")
        window._may_close = True
        window.close()
        self.clinic.close()
        self.folder.cleanup()
        return self.problems


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else Path("/tmp/kiosk-shots")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    problems: list[str] = []
    for size in SIZES:
        problems += Shooter(out, size, "en").run(lambda name: True)
        problems += Shooter(out, size, "fr").run(lambda name: name not in {"locked", "unlock", "nurse"})
        problems += Shooter(out, size, "fr", text_step=2).run(
            lambda name: name.startswith(("identity", "odi", "sf12", "review", "nrs", "relief")))
    app.processEvents()
    print(f"{len(list(out.glob('*.png')))} screenshots in {out}")
    print("\n".join(problems) if problems else "no layout problem found")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
