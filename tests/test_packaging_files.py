"""The files around the bundle: menu entry and AppStream metadata pass the freedesktop validators, the
icons have the sizes their names promise, and every place that states the version states the same one."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from importlib import metadata
from pathlib import Path

import pytest

import sijpro

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
ICONS = ROOT / "resources" / "icons"
APP_ID = "org.sijpro.sijpro"
DESKTOP = PACKAGING / "linux" / f"{APP_ID}.desktop"
METAINFO = PACKAGING / "linux" / f"{APP_ID}.metainfo.xml"
INNO = PACKAGING / "windows" / "sijpro.iss"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="desktop-file-utils is not installed")
def test_desktop_entry_validates() -> None:
    result = subprocess.run(["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stdout.lower() and "warning" not in result.stdout.lower(), result.stdout


@pytest.mark.skipif(shutil.which("appstreamcli") is None, reason="appstream is not installed")
def test_metainfo_validates() -> None:
    result = subprocess.run(["appstreamcli", "validate", "--no-net", "--pedantic", str(METAINFO)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_desktop_entry_and_metainfo_agree() -> None:
    entry = DESKTOP.read_text(encoding="utf-8")
    assert f"Icon={APP_ID}\n" in entry and "Exec=sijpro\n" in entry and "Exec=sijpro --kiosk\n" in entry
    component = ET.parse(METAINFO).getroot()
    assert component.findtext("id") == APP_ID
    assert component.findtext("launchable") == DESKTOP.name
    assert component.findtext("provides/binary") == "sijpro"


def test_icons_have_the_sizes_their_names_say() -> None:
    for size in PNG_SIZES:
        assert png_size((ICONS / f"sijpro-{size}.png").read_bytes()) == (size, size)
    ico = (ICONS / "sijpro.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind) == (0, 1)
    sizes = []
    for index in range(count):
        width, height, _, _, _, _, length, offset = struct.unpack("<BBBBHHII", ico[6 + 16 * index:22 + 16 * index])
        image = ico[offset:offset + length]
        side = width or 256
        assert (width, height) == (side % 256, side % 256)
        assert png_size(image) == (side, side)
        sizes.append(side)
    assert sizes == [16, 24, 32, 48, 64, 128, 256]
    assert ET.parse(ICONS / "sijpro.svg").getroot().tag.endswith("svg")


def test_the_version_is_written_once_in_pyproject() -> None:
    """pyproject.toml states it; the package, the CLI, the bundle and the installer read it from there. The
    AppStream release list is a history of releases, whose newest must be this one."""
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert sijpro.__version__ == metadata.version("sijpro") == version
    stated = [path.relative_to(ROOT) for folder in ("sijpro", "ui") for path in (ROOT / folder).rglob("*.py")
              if re.search(r'^__version__\s*=\s*["\']', path.read_text(encoding="utf-8"), re.M)]
    assert stated == []  # no second literal
    releases = ET.parse(METAINFO).getroot().findall("releases/release")
    assert releases[0].get("version") == version  # newest first
    inno = INNO.read_text(encoding="utf-8")
    assert re.search(r'#define AppVersion .*FileRead\(FileOpen\(.*dist\\sijpro\\VERSION"\)\)', inno), inno[:800]
    assert "VERSION" in (PACKAGING / "sijpro.spec").read_text(encoding="utf-8")


def test_windows_installer_refers_to_files_that_exist() -> None:
    script = INNO.read_text(encoding="utf-8")
    base = INNO.parent
    for key in ("LicenseFile", "SetupIconFile"):
        relative = re.search(rf"^{key}=(.+)$", script, re.M)[1].strip()
        assert (base / relative.replace("\\", "/")).is_file(), key
    # The Start-menu shortcuts start the console-less program that the spec builds on Windows.
    assert 'Filename: "{app}\\sijpro-gui.exe"; Parameters: "--kiosk"' in script
    assert 'name="sijpro-gui", console=False' in (PACKAGING / "sijpro.spec").read_text(encoding="utf-8")
