"""The CLI answers ``--help`` and ``score`` without loading the database or report layers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_help_and_score_do_not_import_heavy_layers() -> None:
    code = (
        "import sys\n"
        "from sijpro.cli import build_parser\n"
        "build_parser()\n"
        "heavy = ('matplotlib', 'reportlab', 'scipy', 'sijpro.services.clinic', 'sijpro.reports')\n"
        "print(','.join(sorted(m for m in heavy if m in sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_report_command_choices_agree_with_the_report_layer() -> None:
    from sijpro.commands import report
    from sijpro.reports.document import PAGE_SIZES
    from sijpro.reports.texts import LANGUAGES

    assert tuple(PAGE_SIZES) == report.PAGE_SIZE_NAMES
    assert tuple(LANGUAGES) == report.LANGUAGES
