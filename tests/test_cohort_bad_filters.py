"""``report cohort`` refuses, exit 1 with the reason, a filter or a comparison that can only give an
empty answer for want of data: a site code no patient has (site codes are free text, unlike the fixed
values of the other keys, so a typo would otherwise print an empty cohort) and ``--compare site`` in a
clinic with no site codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from sijpro.analysis import cohort_summary
from sijpro.cli import main
from sijpro.errors import UserError
from tests.outcome_builders import patient


def test_cli_refuses_an_unknown_site_and_a_compare_without_sites(tmp_path: Path, cli_as: Callable[..., str],
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "clinic.sqlite"
    assert main(["--db", str(db), "init"]) == 0
    cli_as(str(db))
    assert main(["--db", str(db), "demo", "--patients", "12", "--seed", "4"]) == 0
    capsys.readouterr()
    report = ["--db", str(db), "report", "cohort", "-o", str(tmp_path / "c.pdf"), "--json", str(tmp_path / "c.json")]
    assert main([*report, "--compare", "site"]) == 1
    assert capsys.readouterr().err.strip() == ("sijpro: --compare site: no patient selected has a site recorded, "
                                               "so there are no groups to compare")
    assert main([*report, "--where", "site=UNKNOWN"]) == 1
    assert capsys.readouterr().err.strip() == ("sijpro: --where site=UNKNOWN: no patient has a site code recorded "
                                               "(a single-site clinic)")
    assert not (tmp_path / "c.json").exists()
    assert main([*report, "--where", "fbss=1", "--compare", "side"]) == 0  # fixed values: a filter, as before
    assert json.loads((tmp_path / "c.json").read_text("utf-8"))["filters"] == {"fbss": "1"}


def test_unknown_site_lists_the_known_codes() -> None:
    cohort = [patient(1, {"baseline": {"nrs.lumbar": 7}}, site="LYON"),
              patient(2, {"baseline": {"nrs.lumbar": 6}}, site="BDX"), patient(3, {"baseline": {"nrs.lumbar": 5}})]
    with pytest.raises(UserError, match=r"^--where site=PARIS: no patient has this site code; known site codes: "
                                        r"BDX, LYON$"):
        cohort_summary(cohort, where={"site": "PARIS"})
    assert cohort_summary(cohort, where={"site": "LYON"}).as_dict()["n_patients"] == 1
    assert set(cohort_summary(cohort, compare="site").as_dict()["compare"]["groups"]) == {"BDX", "LYON"}
