"""Every string the Qt layer shows, in the user's language, from ``resources/translations/*.yaml``.

Each catalogue maps a key to its text in every language (``{en: ..., fr: ...}``); keys carry their
file's name as prefix (``kiosk.next`` lives in ``kiosk.yaml``). The current language is one process-wide
setting because one person at a time looks at the screen; views listen for changes to retranslate.
Qt's own strings (standard dialog buttons, line-edit context menus) follow through the qtbase catalogue.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from sijpro.resources import resource_path
from ui.catalogue_cache import remembered

LANGUAGES = ("en", "fr")
"""Languages every catalogue must carry, in the order the kiosk offers them."""

LANGUAGE_NAMES = {"en": "English", "fr": "Français"}
"""Each language named in itself, as a patient looking for their own language expects to read it."""

_listeners: list[Callable[[str], None]] = []
_current = {"language": "en"}
_qt_translator: dict[str, QTranslator | None] = {"installed": None}


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """All keys of all catalogue files; a key defined twice is a packaging error."""
    paths = sorted(resource_path("translations").glob("*.yaml"))
    return remembered(paths, lambda: _merged(paths))


def _merged(paths: list[Path]) -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for path in paths:
        for key, texts in _read_catalogue(path).items():
            if key in merged:
                raise ValueError(f"{path.name}: key {key!r} is already defined in another catalogue")
            merged[key] = texts
    return merged


def _read_catalogue(path: Path) -> dict[str, dict[str, str]]:
    import yaml  # only when the cached copy is missing or stale (ui.catalogue_cache)

    # libyaml's loader when installed: six times faster, and the catalogues are read before the first window
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path.name}: expected a mapping of keys to texts")
    prefix = f"{path.stem}."
    result: dict[str, dict[str, str]] = {}
    for key, texts in data.items():
        if not str(key).startswith(prefix):
            raise ValueError(f"{path.name}: key {key!r} must start with {prefix!r}")
        if not isinstance(texts, dict):
            raise ValueError(f"{path.name}: {key}: expected one text per language")
        result[str(key)] = {str(language): str(text) for language, text in texts.items()}
    return result


def language() -> str:
    return _current["language"]


def tr(key: str, **values: object) -> str:
    """The text of ``key`` in the current language, with ``{name}`` fields filled from ``values``.

    An unknown key shows itself rather than crashing a patient's screen; a test proves every key the
    code uses exists in every language.
    """
    return tr_in(language(), key, **values)


def tr_in(code: str, key: str, **values: object) -> str:
    """The text of ``key`` in ``code`` whatever the current language (bilingual prompts)."""
    texts = catalogue().get(key)
    if texts is None:
        return key
    text = texts.get(code) or texts.get("en") or key
    return text.format(**values) if values else text


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
