"""``python -m bench`` (``make bench``) runs every benchmark and writes one table; here in its smoke
configuration (tiny sizes), so only the suite's shape is checked, never a timing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.__main__ import README_END, README_START, module_names, update_readme

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = (
    "demo --patients", "due list", "patient timeline", "report cohort", "cohort summary JSON + PDF",
    "report all", "kiosk Next tap: next question shown, p50", "kiosk Next tap: next question shown, p95",
    "staff desktop first window", "staff desktop peak RSS", "score odi", "export csv",
)


def table_rows(text: str) -> list[list[str]]:
    lines = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith("| benchmark ")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]


def test_storage_runs_first_because_it_builds_the_shared_clinic() -> None:
    names = module_names([])
    assert names[0] == "bench_storage"
    assert {"bench_cohort", "bench_kiosk", "bench_reports", "bench_scoring", "bench_staff"} <= set(names)
    assert module_names(["bench_scoring", "bench_storage"]) == ["bench_storage", "bench_scoring"]
    with pytest.raises(SystemExit, match="no benchmark module bench_nothing"):
        module_names(["bench_nothing"])


@pytest.mark.slow
def test_smoke_run_prints_and_writes_the_table_with_baselines_and_peaks(tmp_path: Path) -> None:
    results = tmp_path / "results.md"
    env = {**os.environ, "SIJPRO_BENCH_SMOKE": "1", "SIJPRO_BENCH_RESULTS": str(results),
           "QT_QPA_PLATFORM": "offscreen"}
    env.pop("SIJPRO_DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-m", "bench"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert "| benchmark | figure | baseline (same run) | ratio | target | peak MB |" in done.stdout
    written = results.read_text(encoding="utf-8")
    assert written.startswith("# Benchmark results")
    assert "Machine: " in written and "cores" in written and "SMOKE" in written
    rows = table_rows(written)
    assert rows == table_rows(done.stdout)
    for expected in EXPECTED:
        assert any(row[0].startswith(expected) for row in rows), expected
    for name, figure, baseline, ratio, _, peak in rows:
        assert figure and ": " in baseline, name  # every figure beside its named baseline
        assert float(ratio) > 0, name
        assert float(peak) > 0, name
    assert not (ROOT / "bench" / "results.md").exists() or "SMOKE" not in (ROOT / "bench" / "results.md").read_text()


def test_a_full_run_rewrites_only_the_results_block_of_the_readme(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# App\n\n## Performance\nintro\n\n{README_START}\nold table\n{README_END}\n\n## Next\n",
                      encoding="utf-8")
    assert update_readme(readme, "| benchmark | figure |\n| due list | 40 ms |\n")
    assert readme.read_text(encoding="utf-8") == (
        f"# App\n\n## Performance\nintro\n\n{README_START}\n| benchmark | figure |\n| due list | 40 ms |\n"
        f"{README_END}\n\n## Next\n"
    )
    plain = tmp_path / "PLAIN.md"
    plain.write_text("# no markers\n", encoding="utf-8")
    assert not update_readme(plain, "table")
    assert plain.read_text(encoding="utf-8") == "# no markers\n"


def test_the_project_readme_holds_a_results_table_between_its_markers() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text[text.index(README_START):text.index(README_END)]
    rows = table_rows(block)
    assert "## Performance" in text[:text.index(README_START)]
    assert "Machine: " in block and "SMOKE" not in block
    for expected in EXPECTED:
        assert any(row[0].startswith(expected) for row in rows), expected
