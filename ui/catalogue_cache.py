"""A JSON copy of the parsed translation catalogues, so a start does not load the YAML parser.

Reading the YAML files takes a fifth of the desktop's time to its first window (the parser's import and
the parse); the same texts as JSON load in a millisecond. The copy lives in the user's cache folder and is
used only while every catalogue file has the size and modification time it was made from; anything
wrong with it (missing, stale, unreadable, not writable) just means reading the YAML again.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

Catalogue = dict[str, dict[str, str]]
CACHE_VARIABLE = "SIJPRO_CACHE_DIR"
FILE_NAME = "translations.json"


def cache_folder() -> Path:
    override = os.environ.get(CACHE_VARIABLE)
    if override:
        return Path(override)
    if sys.platform.startswith("linux"):  # the XDG rule itself: no need to load platformdirs for it
        return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "sijpro"
    import platformdirs

    return Path(platformdirs.user_cache_dir("sijpro", appauthor=False))


def _stamp(paths: Sequence[Path]) -> list[list[object]]:
    stamps: list[list[object]] = []
    for path in paths:
        status = path.stat()
        stamps.append([str(path), status.st_mtime_ns, status.st_size])
    return stamps


def remembered(paths: Sequence[Path], build: Callable[[], Catalogue]) -> Catalogue:
    """``build()``'s catalogue, from the JSON copy when it was made from these very files."""
    stamp = _stamp(paths)
    target = cache_folder() / FILE_NAME
    with contextlib.suppress(OSError, ValueError):
        saved = json.loads(target.read_text(encoding="utf-8"))
        if saved.get("files") == stamp and _is_catalogue(saved.get("texts")):
            return saved["texts"]  # type: ignore[no-any-return]
    texts = build()
    with contextlib.suppress(OSError):
        _write(target, {"files": stamp, "texts": texts})
    return texts


def _is_catalogue(value: object) -> bool:
    return isinstance(value, dict) and all(
        isinstance(key, str) and isinstance(texts, dict)
        and all(isinstance(code, str) and isinstance(text, str) for code, text in texts.items())
        for key, texts in value.items())


def _write(target: Path, data: object) -> None:
    """Written beside and renamed, so two apps starting together never read half a file."""
    import tempfile

    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream, ensure_ascii=False)
        Path(temporary).replace(target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
