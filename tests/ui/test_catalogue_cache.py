"""The translations' JSON copy is used only while it matches the YAML files it was made from."""

from __future__ import annotations

import json
import os

import pytest

from ui.catalogue_cache import FILE_NAME, remembered


@pytest.fixture
def files(tmp_path, monkeypatch):
    monkeypatch.setenv("SIJPRO_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "staff.yaml"
    path.write_text("staff.a:\n  en: A\n  fr: A\n", encoding="utf-8")
    return [path]


def test_the_copy_is_used_until_a_file_changes(files, tmp_path) -> None:
    builds = []

    def build():
        builds.append(1)
        return {"staff.a": {"en": f"A{len(builds)}", "fr": "A"}}

    assert remembered(files, build)["staff.a"]["en"] == "A1"
    assert remembered(files, build)["staff.a"]["en"] == "A1" and len(builds) == 1
    files[0].write_text("staff.a:\n  en: Changed\n  fr: A\n", encoding="utf-8")
    stat = files[0].stat()
    os.utime(files[0], ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert remembered(files, build)["staff.a"]["en"] == "A2"


def test_a_damaged_or_foreign_copy_is_ignored(files, tmp_path) -> None:
    copy = tmp_path / "cache" / FILE_NAME
    copy.parent.mkdir()
    copy.write_text("{not json", encoding="utf-8")
    assert remembered(files, lambda: {"staff.a": {"en": "A", "fr": "A"}}) == {"staff.a": {"en": "A", "fr": "A"}}
    saved = json.loads(copy.read_text(encoding="utf-8"))
    saved["texts"] = {"staff.a": {"en": 3}}
    copy.write_text(json.dumps(saved), encoding="utf-8")
    assert remembered(files, lambda: {"staff.a": {"en": "B", "fr": "B"}})["staff.a"]["en"] == "B"


def test_an_unwritable_cache_folder_only_costs_time(files, tmp_path, monkeypatch) -> None:
    blocker = tmp_path / "blocked"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    monkeypatch.setenv("SIJPRO_CACHE_DIR", str(blocker / "sub"))
    assert remembered(files, lambda: {"staff.a": {"en": "A", "fr": "A"}})["staff.a"]["en"] == "A"
