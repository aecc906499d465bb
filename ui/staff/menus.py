"""The staff window's menus (session, language, help), built at the first sign-in; they emit signals the
window connects, so the menus never import the window.

A role never sees an action it may not take: the kiosk action shows only for those who hand the tablet
over; everything else here is for everyone signed in.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, SignalInstance
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar

from ui.i18n import LANGUAGE_NAMES, LANGUAGES, choose_language, language, tr


class StaffMenus(QObject):
    """The menus of one menu bar; each action says what was asked by a signal and knows nothing of the
    window that does it (the window connects them)."""

    kiosk_requested = Signal()
    lock_requested = Signal()
    sign_out_requested = Signal()
    quit_requested = Signal()
    find_requested = Signal()
    print_requested = Signal()
    help_requested = Signal()
    about_requested = Signal()

    def __init__(self, bar: QMenuBar, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bar = bar
        self.file_menu = bar.addMenu("")
        self.kiosk_action = self._action(self.file_menu, "kioskMode", self.kiosk_requested)
        self.file_menu.addSeparator()
        self.lock_action = self._action(self.file_menu, "lock", self.lock_requested, QKeySequence("Ctrl+L"))
        self.sign_out_action = self._action(self.file_menu, "signOut", self.sign_out_requested)
        self.file_menu.addSeparator()
        self.quit_action = self._action(self.file_menu, "quit", self.quit_requested,
                                        QKeySequence(QKeySequence.StandardKey.Quit))
        self.view_menu = bar.addMenu("")
        self.find_action = self._action(self.view_menu, "find", self.find_requested,
                                        QKeySequence(QKeySequence.StandardKey.Find))
        self.print_action = self._action(self.view_menu, "printPage", self.print_requested,
                                         QKeySequence(QKeySequence.StandardKey.Print))
        self.view_menu.addSeparator()
        self.language_menu = self.view_menu.addMenu("")
        group = QActionGroup(self)
        self.language_actions: dict[str, QAction] = {}
        for code in LANGUAGES:
            action = self.language_menu.addAction(LANGUAGE_NAMES[code])
            action.setCheckable(True)
            action.triggered.connect(lambda _checked=False, code=code: choose_language(code))
            group.addAction(action)
            self.language_actions[code] = action
        self.help_menu = bar.addMenu("")
        self.page_help_action = self._action(self.help_menu, "pageHelp", self.help_requested,
                                             QKeySequence(QKeySequence.StandardKey.HelpContents))
        self.about_action = self._action(self.help_menu, "about", self.about_requested)
        self.retranslate()

    def _action(self, menu: QMenu, name: str, asked: SignalInstance, shortcut: QKeySequence | None = None) -> QAction:
        action = QAction(self.bar)
        action.setObjectName(name)
        action.triggered.connect(lambda _checked=False: asked.emit())
        if shortcut is not None:
            action.setShortcut(shortcut)
        menu.addAction(action)
        return action

    def actions_by_name(self) -> dict[str, QAction]:
        """Every action this user can reach from the menus (what role tests look at)."""
        found: dict[str, QAction] = {}
        for menu in (self.file_menu, self.view_menu, self.help_menu):
            for action in menu.actions():
                if action.objectName() and action.isVisible():
                    found[action.objectName()] = action
        return found

    def retranslate(self) -> None:
        self.file_menu.setTitle(tr("staff.menu.file"))
        self.kiosk_action.setText(tr("staff.menu.kiosk_mode"))
        self.lock_action.setText(tr("staff.menu.lock"))
        self.sign_out_action.setText(tr("staff.menu.sign_out"))
        self.quit_action.setText(tr("staff.menu.quit"))
        self.view_menu.setTitle(tr("staff.menu.view"))
        self.language_menu.setTitle(tr("staff.menu.language"))
        self.help_menu.setTitle(tr("staff.menu.help"))
        self.about_action.setText(tr("staff.menu.about"))
        self.find_action.setText(tr("staff.menu.find"))
        self.print_action.setText(tr("staff.menu.print_page"))
        self.page_help_action.setText(tr("staff.menu.page_help"))
        for code, action in self.language_actions.items():
            action.setChecked(code == language())
