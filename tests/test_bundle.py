"""The PyInstaller bundle (``make package``) works as a clinic gets it: no source tree, no virtual
environment, no SIJPRO_RESOURCES.

The bundle is built once per session by ``packaging/build.py``, which reuses ``dist/sijpro`` when it is
newer than every source (so a run after ``make package`` costs no build); the build starts in the
background as the tests are collected, and these tests run last (``tests/bundle_build.py``). Each program runs from a
scratch folder with its own home directory, so it can reach neither the checkout nor the user's data.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest

import sijpro
from sijpro.reports.batch import PARALLEL_FROM
from sijpro.scoring import score_answers
from tests.bundle_build import bundle_build
from tests.conftest import CLI_PASSWORD
from tests.trusted import trusted

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]  # the first test waits for the PyInstaller build

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "dist"
PROGRAM = DIST / "sijpro" / ("sijpro.exe" if sys.platform == "win32" else "sijpro")
TODAY = "2025-06-01"
EPOCH = "1748772000"  # 2025-06-01 10:00 UTC: the same footer time in the bundle and in the source tree
PATIENTS = max(PARALLEL_FROM, 100)
"""Enough patients that ``report all`` starts its worker processes from the frozen program."""
ODI_ROWS = [
    ["id", *(f"odi{n}" for n in range(1, 11))],
    ["a", "1", "2", "3", "2", "1", "0", "2", "", "1", "2"],
    ["b", "1", "2", "3", "2", "1", "0", "2", "1", "1", "9"],
]


@pytest.fixture(scope="module")
def program() -> Path:
    status, output = bundle_build.wait(timeout=1800)  # started at collection (tests/bundle_build.py)
    assert status == 0, output
    assert PROGRAM.is_file()
    return PROGRAM


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bundle")


SURGEON = "bundle-surgeon"


def environment(scratch: Path, **extra: str) -> dict[str, str]:
    hidden = {"SIJPRO_DATABASE_URL", "SIJPRO_RESOURCES", "SIJPRO_PASSPHRASE", "PYTHONPATH", "PYTHONHOME",
              "VIRTUAL_ENV"}
    env = {key: value for key, value in os.environ.items() if key not in hidden}
    home = scratch / "home"
    home.mkdir(exist_ok=True)
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"), XDG_CONFIG_HOME=str(home / "config"),
               XDG_CACHE_HOME=str(home / "cache"), LOCALAPPDATA=str(home / "appdata"),
               QT_QPA_PLATFORM="offscreen", SOURCE_DATE_EPOCH=EPOCH, LANG="C.UTF-8")
    env.update(SIJPRO_USER=SURGEON, SIJPRO_PASSWORD=CLI_PASSWORD)  # reports are a surgeon's
    env.update(extra)
    return env


def run(program: Path, scratch: Path, *args: str, timeout: float = 300,
        **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(program), *args], cwd=scratch, env=environment(scratch, **extra),
                          capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture(scope="module")
def demo_database(program: Path, scratch: Path) -> Iterator[Path]:
    database = scratch / "demo.sqlite"
    result = run(program, scratch, "--db", str(database), "demo", "--patients", str(PATIENTS), "--seed", "3",
                 "--today", TODAY)
    assert result.returncode == 0, result.stderr
    assert f"{PATIENTS} patients" in result.stdout + result.stderr
    with trusted(str(database)) as clinic:  # the demo made no account: the surgeon the commands sign in as
        clinic.auth.add_user(SURGEON, "Bundle Surgeon", "surgeon", CLI_PASSWORD)
    yield database


def pdf_text(path: Path) -> str:
    reader = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_version(program: Path, scratch: Path) -> None:
    result = run(program, scratch, "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"SIJ-PRO {sijpro.__version__}"
    # the installer script reads the bundle's VERSION file; the program reads the metadata it carries
    assert (program.parent / "VERSION").read_text(encoding="utf-8").strip() == sijpro.__version__


def test_score_gives_the_library_scores_and_names_the_bad_line(program: Path, scratch: Path) -> None:
    source = scratch / "odi.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(ODI_ROWS)
    out = scratch / "odi-scored.csv"
    result = run(program, scratch, "score", "odi", str(source), "-o", str(out))
    assert result.returncode == 1  # row b has odi10 = 9
    assert "line 3" in result.stderr and "odi10" in result.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    answers = {code: int(value) for code, value in zip(ODI_ROWS[0][1:], ODI_ROWS[1][1:], strict=True) if value}
    expected = score_answers("odi", answers).values["odi"]
    assert rows[0]["id"] == "a"
    assert float(rows[0]["odi"]) == pytest.approx(round(expected, 1))  # written at the ODI's one decimal
    assert rows[1]["odi"] == ""

    valid = scratch / "odi-valid.csv"
    valid.write_text("\n".join(",".join(row) for row in ODI_ROWS[:2]) + "\n", encoding="utf-8")
    assert run(program, scratch, "score", "odi", str(valid)).returncode == 0


def test_report_patient_is_the_source_trees_pdf(program: Path, scratch: Path, demo_database: Path,
                                                tmp_path: Path) -> None:
    with trusted(str(demo_database)) as clinic:
        record = clinic.outcomes.cohort()[0]
    mrn = record.patient.mrn
    frozen = scratch / "patient.pdf"
    result = run(program, scratch, "--db", str(demo_database), "report", "patient", mrn, "-o", str(frozen))
    assert result.returncode == 0, result.stderr
    text = pdf_text(frozen)
    assert mrn in text and record.patient.family_name.upper() in text
    assert "ODI" in text

    # The same command from the source tree: the bundle carries the same fonts, code and libraries.
    from_source = tmp_path / "source.pdf"
    source = subprocess.run(
        [sys.executable, "main.py", "--db", str(demo_database), "report", "patient", mrn, "-o", str(from_source)],
        cwd=ROOT, env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "SIJPRO_DATABASE_URL": "", "SIJPRO_USER": SURGEON,
                       "SIJPRO_PASSWORD": CLI_PASSWORD},
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert source.returncode == 0, source.stderr
    assert frozen.read_bytes() == from_source.read_bytes()

    missing = run(program, scratch, "--db", str(demo_database), "report", "patient", "NOBODY", "-o",
                  str(scratch / "x.pdf"))
    assert missing.returncode == 1 and "NOBODY" in missing.stderr and "Traceback" not in missing.stderr


def test_report_all_runs_its_worker_processes_from_the_bundle(program: Path, scratch: Path,
                                                              demo_database: Path) -> None:
    out = scratch / "all"
    result = run(program, scratch, "--db", str(demo_database), "report", "all", "--out-dir", str(out))
    assert result.returncode == 0, result.stderr
    pdfs = sorted(out.glob("*.pdf"))
    assert len(pdfs) == PATIENTS
    last = pdfs[-1]
    assert last.stem in pdf_text(last)  # files are named by MRN, and each shows its patient's


def test_verify_and_init_use_the_bundled_migrations(program: Path, scratch: Path, demo_database: Path) -> None:
    assert run(program, scratch, "--db", str(demo_database), "verify").returncode == 0
    fresh = scratch / "fresh.sqlite"
    result = run(program, scratch, "--db", str(fresh), "init")
    assert result.returncode == 0, result.stderr
    assert run(program, scratch, "--db", str(fresh), "verify").returncode == 0


@pytest.mark.parametrize("mode", [[], ["--kiosk"]], ids=["staff", "kiosk"])
def test_gui_starts_offscreen(program: Path, scratch: Path, demo_database: Path, mode: list[str]) -> None:
    result = run(program, scratch, *mode, "--db", str(demo_database), "--exit-after-start", timeout=120)
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="xvfb-run is not installed")
def test_gui_starts_on_an_x11_display(program: Path, scratch: Path, demo_database: Path) -> None:
    """The desktop platform plugin (xcb) and its libraries are in the bundle, not only 'offscreen'."""
    env = environment(scratch)
    del env["QT_QPA_PLATFORM"]
    result = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", str(program), "--db", str(demo_database),
         "--exit-after-start"],
        cwd=scratch, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="install.sh is the Linux installer")
def test_install_script_installs_and_removes(program: Path, scratch: Path) -> None:
    prefix = scratch / "prefix"
    installed = subprocess.run(["sh", str(program.parent / "install.sh"), "--prefix", str(prefix)],
                               capture_output=True, text=True, timeout=300, check=False)
    assert installed.returncode == 0, installed.stderr
    command = prefix / "bin" / "sijpro"
    assert command.is_symlink()
    assert run(command, scratch, "--version").stdout.strip() == f"SIJ-PRO {sijpro.__version__}"
    desktop = prefix / "share" / "applications" / "org.sijpro.sijpro.desktop"
    assert "Exec=sijpro --kiosk" in desktop.read_text(encoding="utf-8")
    assert (prefix / "share" / "metainfo" / "org.sijpro.sijpro.metainfo.xml").is_file()
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        assert (prefix / "share" / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "org.sijpro.sijpro.png").is_file()
    assert (prefix / "lib" / "sijpro" / "licenses" / "INDEX.txt").is_file()

    removed = subprocess.run(["sh", str(prefix / "lib" / "sijpro" / "install.sh"), "--prefix", str(prefix),
                              "--uninstall"], capture_output=True, text=True, timeout=120, check=False)
    assert removed.returncode == 0, removed.stderr
    assert not command.exists() and not command.is_symlink()
    assert not (prefix / "lib" / "sijpro").exists() and not desktop.exists()
