"""The first-run wizard: set up this clinic (its administrator and name), or explore a demo clinic.

Setting up is one call to ``set_up_clinic`` when the nurse or manager presses Finish; every problem
comes back at its field (username rule, password strength, the two passwords, the clinic name). The
demo is a separate database in the user data folder, built in the background with a progress dialog,
and opened with a demo administrator whose password the sign-in screen shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from sijpro.errors import UserError
from sijpro.services.places import demo_database_path
from ui.errors import problem_words
from ui.i18n import tr
from ui.staff.form import CheckedForm
from ui.staff.live_text import follow_language
from ui.staff.style import staff_stylesheet
from ui.tasks import default_error, start_task

if TYPE_CHECKING:  # the wizard shows before the database layers load; they load when it needs them
    from sijpro.demo.sandbox import DemoAccount
    from sijpro.progress import Progress
    from sijpro.services.context import Clock

CHOICE_PAGE, ACCOUNT_PAGE = 0, 1


@dataclass(frozen=True)
class FirstRunOutcome:
    """Which database to open next, who to offer at sign-in, and the note the sign-in screen shows."""

    url: str | None
    username: str
    notice_key: str
    notice_values: dict[str, object] = field(default_factory=dict)


class ChoicePage(QWizardPage):
    def __init__(self, wizard: FirstRunWizard) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.set_up = QRadioButton(self)
        self.set_up.setObjectName("choiceSetUp")
        self.set_up.setChecked(True)
        self.demo = QRadioButton(self)
        self.demo.setObjectName("choiceDemo")
        self.demo_text = QLabel(self)
        self.demo_text.setWordWrap(True)
        self.demo_text.setProperty("role", "muted")
        group = QButtonGroup(self)
        group.addButton(self.set_up)
        group.addButton(self.demo)
        self.set_up.toggled.connect(lambda set_up: self.setFinalPage(not set_up))
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addSpacing(12)
        layout.addWidget(self.set_up)
        layout.addWidget(self.demo)
        layout.addWidget(self.demo_text)
        layout.addStretch(1)
        follow_language(self, self.retranslate)

    def retranslate(self) -> None:
        self.setTitle(tr("staff.wizard.welcome_title"))
        self.text.setText(tr("staff.wizard.welcome_text", where=self.wizard_.where))
        self.set_up.setText(tr("staff.wizard.choice_set_up"))
        self.demo.setText(tr("staff.wizard.choice_demo"))
        self.demo_text.setText(tr("staff.wizard.demo_text", where=str(self.wizard_.demo_path or "")))

    def nextId(self) -> int:  # noqa: N802 - Qt's name
        return ACCOUNT_PAGE if self.set_up.isChecked() else -1

    def validatePage(self) -> bool:  # noqa: N802 - Qt's name
        """Set up a clinic: on to the account page. The demo: done once it is built (in the background;
        Finish is pressed again for the user when it is ready)."""
        if self.set_up.isChecked() or self.wizard_.outcome is not None:
            return True
        self.wizard_.build_demo()
        return False


class AccountPage(QWizardPage):
    def __init__(self, wizard: FirstRunWizard) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.form = CheckedForm(self)
        self.username = self.form.add("username", "staff.wizard.username", QLineEdit())
        self.full_name = self.form.add("full_name", "staff.wizard.full_name", QLineEdit())
        self.password = self.form.add("password", "staff.wizard.password", QLineEdit())
        self.strength = QLabel(self)
        self.strength.setObjectName("passwordStrength")
        self.strength.setProperty("role", "muted")
        self.strength.setWordWrap(True)
        self.form.layout_.addRow("", self.strength)  # under the password: the rule, live
        self.repeated = self.form.add("repeated", "staff.wizard.repeated", QLineEdit())
        for secret in (self.password, self.repeated):
            secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.clinic_name = self.form.add("clinic_name", "staff.wizard.clinic_name", QLineEdit())
        self.password.textEdited.connect(lambda _text: self.form.set_problem("password", ""))
        self.password.textChanged.connect(self._show_strength)
        self.username.textChanged.connect(self._show_strength)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.form)
        layout.addStretch(1)
        follow_language(self, self.retranslate)

    def retranslate(self) -> None:
        self.setTitle(tr("staff.wizard.account_title"))
        self.intro.setText(tr("staff.wizard.account_text"))
        self._show_strength()

    def _show_strength(self) -> None:
        """The rule, or what is still missing, while the password is typed."""
        from sijpro.services.passwords import password_problem

        password = self.password.text()
        if not password:
            self.strength.setText(tr("staff.wizard.password_rule"))
            return
        problem = password_problem(password, self.username.text())
        self.strength.setText(tr("staff.wizard.password_ok") if problem is None else problem_words(problem))
        self.strength.setVisible(not self.form.problem("password"))  # never the same words twice

    def validatePage(self) -> bool:  # noqa: N802 - Qt's name
        from sijpro.services.first_run import NewAdmin, set_up_clinic

        admin = NewAdmin(self.username.text(), self.full_name.text(), self.password.text(), self.repeated.text())
        self.form.clear()
        try:
            user = set_up_clinic(self.wizard_.url, admin, self.clinic_name.text(), clock=self.wizard_.clock)
        except UserError as error:
            self.form.show_error(error)
            self._show_strength()
            return False
        self.wizard_.outcome = FirstRunOutcome(self.wizard_.url, user.username, "staff.login.ready",
                                               {"username": user.username})
        return True


class FirstRunWizard(QWizard):
    completed = Signal(object)
    """The FirstRunOutcome, once the clinic or the demo is ready."""

    def __init__(self, url: str | None, where: str, *, demo_path: Path | None = None, clock: Clock | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("firstRunWizard")
        self.setStyleSheet(staff_stylesheet())
        self.url = url
        self.where = where
        self.demo_path = demo_path or demo_database_path()
        self.clock = clock
        self.outcome: FirstRunOutcome | None = None
        self._building = False
        """The demo is being built: a second Finish does not build it twice."""
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, False)
        self.choice_page = ChoicePage(self)
        self.account_page = AccountPage(self)
        self.setPage(CHOICE_PAGE, self.choice_page)
        self.setPage(ACCOUNT_PAGE, self.account_page)
        self.resize(720, 520)
        follow_language(self, lambda: self.setWindowTitle(tr("staff.wizard.title")))
        self.accepted.connect(self._done)

    def build_demo(self) -> None:
        """Build (or reopen) the demo clinic in the background, then finish the wizard with it; a refusal
        is said and a cancel leaves the choice on screen."""
        from sijpro.demo.sandbox import create_demo_clinic

        if self._building:
            return
        path = self.demo_path
        today = self.clock.today() if self.clock is not None else None

        def work(progress: Progress) -> DemoAccount:
            return create_demo_clinic(path, today=today, progress=progress)

        self._building = True
        start_task(self, tr("staff.wizard.demo_progress_title"), tr("staff.wizard.demo_progress"), work,
                   on_done=self._demo_built, on_error=self._demo_failed, on_cancelled=self._demo_failed)

    def _demo_failed(self, error: Exception | None = None) -> None:
        self._building = False
        if error is not None:
            default_error(self, error)

    def _demo_built(self, account: DemoAccount) -> None:
        from sijpro.demo.sandbox import DEMO_PASSWORD, DEMO_USERS

        self._building = False
        others = ", ".join(username for username, _name, _role in DEMO_USERS[1:])
        self.outcome = FirstRunOutcome(str(account.path), account.username, "staff.login.demo",
                                       {"username": account.username, "password": DEMO_PASSWORD, "others": others})
        self.button(QWizard.WizardButton.FinishButton).click()

    def _done(self) -> None:
        if self.outcome is not None:
            self.completed.emit(self.outcome)
