"""Where this workstation's database is: an SQLite file or a PostgreSQL server, tested before it is saved.

The choice is kept for this workstation (``ui.workstation``) and used at the next start; "Save" is only
possible once "Test" has reached the very database typed, so a typo never leaves the desktop unable to
start. An empty database is accepted: the first-run set-up prepares it at the next start.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from sijpro.errors import UserError
from sijpro.records import UserRecord
from sijpro.services.places import Probe, probe, shown
from sijpro.services.session import Session
from ui.errors import error_words, sentence
from ui.i18n import tr
from ui.staff.admin.messages import message_label, say
from ui.staff.files import ask_save_path, documents_folder
from ui.staff.page import StaffPage
from ui.staff.style import heading_label, push_button
from ui.tasks import default_error, start_task
from ui.workstation import save_database_url, saved_database_url

POSTGRES_EXAMPLE = "postgresql://sijpro:password@db-server:5432/sijpro"


class DatabasePage(StaffPage):
    title_key = "admin.database.title"

    def __init__(self, clinic: Session, user: UserRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("databasePage")
        self.clinic = clinic
        self.user = user
        self.tested: Probe | None = None
        self.heading = heading_label(self)
        self.intro = QLabel(self)
        self.intro.setProperty("role", "muted")
        self.intro.setWordWrap(True)
        self.current = QLabel(self)
        self.current.setObjectName("databaseCurrent")
        self.current.setWordWrap(True)
        self.sqlite, self.postgres = QRadioButton(self), QRadioButton(self)
        self.kind = QButtonGroup(self)
        self.kind.addButton(self.sqlite)
        self.kind.addButton(self.postgres)
        self.path = QLineEdit(self)
        self.path.setObjectName("databasePath")
        self.browse = push_button(self, self.choose_file)
        self.url = QLineEdit(self)
        self.url.setObjectName("databaseUrl")
        self.url.setPlaceholderText(POSTGRES_EXAMPLE)
        self.test_button, self.save_button = QPushButton(self), QPushButton(self)
        self.test_button.setObjectName("databaseTest")
        self.save_button.setObjectName("databaseSave")
        self.test_button.clicked.connect(self.test)
        self.save_button.clicked.connect(self.save)
        self.result = message_label(self, "databaseResult", "notice")
        for signal in (self.path.textChanged, self.url.textChanged, self.kind.buttonToggled):
            signal.connect(self._changed)
        self._lay_out()
        self.retranslate()

    def _lay_out(self) -> None:
        grid = QGridLayout()
        grid.addWidget(self.sqlite, 0, 0)
        grid.addWidget(self.path, 0, 1)
        grid.addWidget(self.browse, 0, 2)
        grid.addWidget(self.postgres, 1, 0)
        grid.addWidget(self.url, 1, 1, 1, 2)
        grid.setColumnStretch(1, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.intro)
        layout.addWidget(self.current)
        layout.addSpacing(8)
        layout.addLayout(grid)
        layout.addLayout(buttons)
        layout.addWidget(self.result)
        layout.addStretch(1)

    def retranslate(self) -> None:
        self.heading.setText(tr("admin.database.title"))
        self.intro.setText(tr("admin.database.intro"))
        self.sqlite.setText(tr("admin.database.sqlite"))
        self.postgres.setText(tr("admin.database.postgres"))
        self.browse.setText(tr("admin.database.browse"))
        self.test_button.setText(tr("admin.database.test"))
        self.save_button.setText(tr("admin.database.save"))
        self.path.setPlaceholderText(tr("admin.database.path_placeholder"))
        self._show_current()

    def _show_current(self) -> None:
        saved = saved_database_url()
        saved_text = shown(saved) if saved else tr("admin.database.none_saved")
        self.current.setText(tr("admin.database.current", where=self.clinic.where, saved=saved_text))

    def refresh(self) -> None:
        """Start from the database in use."""
        path = self.clinic.database.file
        if path is not None:
            self.sqlite.setChecked(True)
            self.path.setText(str(path))
        else:
            self.postgres.setChecked(True)
            self.url.setText(self.clinic.database.url.render_as_string(hide_password=True))
        self._show_current()
        self._changed()

    def wanted(self) -> str:
        return self.path.text().strip() if self.sqlite.isChecked() else self.url.text().strip()

    def _changed(self, *_: object) -> None:
        """Anything typed after a test needs a new test before it can be saved."""
        self.path.setEnabled(self.sqlite.isChecked())
        self.browse.setEnabled(self.sqlite.isChecked())
        self.url.setEnabled(self.postgres.isChecked())
        self.save_button.setEnabled(self.tested is not None and self.tested.url == self.wanted())

    def choose_file(self) -> None:
        current = self.path.text().strip()
        suggested = documents_folder() / "sijpro.sqlite" if not current else documents_folder().joinpath(current)
        chosen = ask_save_path(self, tr("admin.database.sqlite"), suggested, tr("admin.backups.filter"))
        if chosen is not None:
            self.path.setText(str(chosen))

    def test(self) -> None:
        """Reach the database typed (in the background: a server may take seconds to answer); what was
        found is said on the page and kept in ``tested``."""
        wanted = self.wanted()
        self.tested = None
        if not wanted:
            say(self.result, tr("admin.database.nothing"), "error")
            self._changed()
            return
        start_task(self, tr("admin.database.test"), tr("admin.database.testing"), lambda progress: probe(wanted),
                   on_done=self._found, on_error=self._unreachable, cancellable=False)

    def _unreachable(self, error: Exception) -> None:
        if not isinstance(error, UserError):
            default_error(self, error)
            return
        say(self.result, tr("admin.database.unreachable", problem=sentence(error_words(error))), "error")
        self._changed()

    def _found(self, found: Probe) -> None:
        self.tested = found
        texts = {"ready": tr("admin.database.ready", where=found.where, users=found.users),
                 "new": tr("admin.database.new", where=found.where),
                 "encrypted": tr("admin.database.encrypted", where=found.where)}
        say(self.result, texts[found.state], "notice")
        self._changed()

    def save(self) -> bool:
        if self.tested is None or self.tested.url != self.wanted():
            say(self.result, tr("admin.database.test_first"), "error")
            return False
        try:
            place = save_database_url(self.tested.url)
        except UserError as error:
            say(self.result, sentence(str(error)), "error")
            return False
        said = tr("admin.database.saved", where=self.tested.where)
        if place == "keyring":
            said += " " + tr("admin.database.password_kept")
        elif place == "ask":
            said += " " + tr("admin.database.password_asked")
        say(self.result, said, "notice" if place != "ask" else "warning")
        self._show_current()
        return True
