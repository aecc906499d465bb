"""The staff window's menus (session, language, help), built at the first sign-in.

A role never sees an action it may not take: the kiosk action shows only for those who hand the tablet
over; everything else here is for everyone signed in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu

from ui.i18n import LANGUAGE_NAMES, LANGUAGES, choose_language, language, tr

if TYPE_CHECKING:
    from ui.staff.main_window import StaffWindow


class StaffMenus(QObject):
    def __init__(self, window: StaffWindow) -> None:
        super().__init__(window)
        self.window = window
        bar = window.menuBar()
        self.file_menu = bar.addMenu("")
        self.kiosk_action = self._action(self.file_menu, "kioskMode", window.kiosk_mode)
        self.file_menu.addSeparator()
        self.lock_action = self._action(self.file_menu, "lock", lambda: window.lock("staff.login.you_locked"),
                                        QKeySequence("Ctrl+L"))
        self.sign_out_action = self._action(self.file_menu, "signOut", window.sign_out)
        self.file_menu.addSeparator()
        self.quit_action = self._action(self.file_menu, "quit", window.close,
                                        QKeySequence(QKeySequence.StandardKey.Quit))
        self.view_menu = bar.addMenu("")
        self.find_action = self._action(self.view_menu, "find", self._find, QKeySequence(QKeySequence.StandardKey.Find))
        self.print_action = self._action(self.view_menu, "printPage", self._print,
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
        self.page_help_action = self._action(self.help_menu, "pageHelp", self._help,
                                             QKeySequence(QKeySequence.StandardKey.HelpContents))
        self.about_action = self._action(self.help_menu, "about", window.about)
        self.retranslate()

    def _action(self, menu: QMenu, name: str, slot: Callable[[], object],
                shortcut: QKeySequence | None = None) -> QAction:
        action = QAction(self.window)
        action.setObjectName(name)
        action.triggered.connect(lambda _checked=False: slot())
        if shortcut is not None:
            action.setShortcut(shortcut)
        menu.addAction(action)
        return action

    def _find(self) -> None:
        if self.window.workspace is not None and self.window.user is not None:
            self.window.workspace.focus_search()

    def _print(self) -> None:
        if self.window.workspace is not None and self.window.user is not None:
            self.window.workspace.print_current()

    def _help(self) -> None:
        if self.window.workspace is not None and self.window.user is not None:
            self.window.workspace.help_current()

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
