"""The Qt layer's words in the current language: a thin call into the core's one catalogue (``sijpro.i18n``).

The current language is one process-wide setting because one person at a time looks at the screen; views
listen for changes to retranslate. Qt's own strings (standard dialog buttons, line-edit context menus)
follow through the qtbase catalogue, installed here as a QTranslator.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from sijpro import i18n
from sijpro.i18n import LANGUAGE_NAMES, LANGUAGES, capitalised, catalogue

__all__ = ["LANGUAGES", "LANGUAGE_NAMES", "capitalised", "catalogue", "choose_language", "language",
           "on_language_changed", "set_language", "start_language", "system_language", "tr", "tr_in", "tr_n"]

_listeners: list[Callable[[str], None]] = []
_current = {"language": "en"}
_qt_translator: dict[str, QTranslator | None] = {"installed": None}


def language() -> str:
    return _current["language"]


def tr(key: str, **values: object) -> str:
    """The text of ``key`` in the current language, with ``{name}`` fields filled from ``values``
    (an unknown key shows itself rather than crashing a patient's screen)."""
    return i18n.text(language(), key, **values)


def tr_n(key: str, n: int, **values: object) -> str:
    """The form of ``key`` for the count ``n`` in the current language ("1 patient", "2 patients")."""
    return i18n.plural(language(), key, n, **values)


def tr_in(code: str, key: str, **values: object) -> str:
    """The text of ``key`` in ``code`` whatever the current language (bilingual prompts)."""
    return i18n.text(code, key, **values)


def system_language() -> str:
    """The operating system's language when we ship it, else English."""
    code = QLocale.system().name().split("_")[0]
    return code if code in LANGUAGES else "en"


def set_language(code: str) -> None:
    """Switch every view (and Qt's own strings) to ``code``; listeners retranslate themselves."""
    if code not in LANGUAGES:
        raise ValueError(f"unsupported language {code!r}; expected one of {', '.join(LANGUAGES)}")
    changed = code != _current["language"]
    _current["language"] = code
    _install_qt_translation(code)
    if changed:
        for listener in list(_listeners):
            listener(code)


def choose_language(code: str) -> None:
    """A person at the desk chose ``code``: switch to it, and start in it next time on this workstation."""
    from ui.workstation import remember_language

    set_language(code)
    remember_language(code)


def start_language() -> str:
    """The language the desktop starts in: the one last chosen at this workstation, else the system's."""
    from ui.workstation import remembered_language

    remembered = remembered_language()
    return remembered if remembered in LANGUAGES else system_language()


def on_language_changed(listener: Callable[[str], None]) -> Callable[[], None]:
    """Call ``listener(code)`` after each change; returns the function that stops it."""
    _listeners.append(listener)

    def stop() -> None:
        if listener in _listeners:
            _listeners.remove(listener)

    return stop


def _install_qt_translation(code: str) -> None:
    app = QCoreApplication.instance()
    if app is None:
        return
    previous = _qt_translator["installed"]
    if previous is not None:
        QCoreApplication.removeTranslator(previous)
        _qt_translator["installed"] = None
    if code == "en":
        return
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(f"qtbase_{code}", folder):
        QCoreApplication.installTranslator(translator)
        _qt_translator["installed"] = translator
