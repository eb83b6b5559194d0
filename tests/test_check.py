"""gen check: one command, every problem, the right exit code, in the formats CI reads."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main

CASES = Path(__file__).resolve().parent / "contract" / "cases"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with the frozen example contract, its generated file and the journey fixtures."""
    shutil.copy(CASES / "example" / "contract.yaml", tmp_path / "contract.yaml")
    fixtures = tmp_path / "tests" / "fixtures"
    fixtures.mkdir(parents=True)
    text = (CASES / "journey" / "real_traffic.fixture.yaml").read_text(encoding="utf-8")
    (fixtures / "traffic.fixture.yaml").write_text(text.replace("../example/contract.yaml", "../../contract.yaml"),
                                                  encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["build"]).exit_code == 0
    return tmp_path


def test_all_green_is_exit_0(project: Path) -> None:
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 0, result.output
    assert result.output.endswith("293 passed, 0 failed (282 derived from the contract)\n")


def test_stale_generated_files_and_failing_cases_are_exit_1(project: Path) -> None:
    path = project / "contract.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("version: 1", "version: 2", 1), encoding="utf-8")
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 1
    assert "generated/transformation.js is out of date with contract.yaml; run `gen build`" in result.output


def test_an_invalid_contract_is_exit_2_with_annotations(project: Path, tmp_path: Path) -> None:
    (project / "contract.yaml").write_text("contract: {name: x, version: 1}\nevents:\n  A: {propertes: {}}\n",
                                           encoding="utf-8")
    summary = tmp_path / "summary.md"
    result = CliRunner().invoke(main, ["check", "--format", "github"], env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.exit_code == 2
    assert ("::error file=contract.yaml,line=3,col=7::unknown key 'propertes' in event 'A'; "
            "did you mean 'properties'?") in result.output.splitlines()
    assert summary.read_text(encoding="utf-8").startswith("### gen check:")


def test_finding_no_case_is_a_failure(project: Path) -> None:
    shutil.rmtree(project / "tests")
    (project / "empty").mkdir()
    result = CliRunner().invoke(main, ["check", "--fixtures", "empty"])
    assert result.exit_code == 1 and "no fixture cases found in empty" in result.output
    assert CliRunner().invoke(main, ["test", "empty"]).exit_code == 1


def test_junit_and_json(project: Path) -> None:
    (project / "tests" / "fixtures" / "bad.fixture.yaml").write_text(
        "contract: ../../contract.yaml\ncases:\n  - name: wrong\n    event: {type: track, event: X, userId: u}\n"
        "    expect: {dropped: true}\n", encoding="utf-8")
    junit = CliRunner().invoke(main, ["check", "--format", "junit"])
    assert junit.exit_code == 1
    suites = {s.get("name"): s for s in ET.fromstring(junit.output)}
    assert suites["gen fixture"].get("tests") == "10" and suites["gen fixture"].get("failures") == "1"
    assert suites["gen derived"].get("tests") == "282" and suites["gen derived"].get("failures") == "0"
    assert suites["gen generated"].get("failures") == "0"
    data = json.loads(CliRunner().invoke(main, ["check", "--format", "json"]).output)
    assert data["ok"] is False and data["exit_code"] == 1 and data["failed"] == 1
    assert [i["name"] for i in data["items"] if not i["passed"]] == [
        str(Path("tests/fixtures/bad.fixture.yaml")) + "::wrong"]


COVERAGE_CONTRACT = """contract: {name: coverage, version: 1}
events:
  Signed Up:
    properties:
      # Python cannot read this pattern as V8 does, so gen cannot sample a value for it.
      code: {type: string, pattern: "^(?<prefix>[A-Z]{2})-[0-9]+$", required: true}
      score: {type: number, minimum: 0.5}
"""


def test_rules_no_derived_case_reaches_are_listed_until_a_fixture_shows_them(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("contract.yaml").write_text(COVERAGE_CONTRACT, encoding="utf-8")
    assert CliRunner().invoke(main, ["build"]).exit_code == 0
    fixtures = Path("tests/fixtures")
    fixtures.mkdir(parents=True)
    base = "{type: track, event: Signed Up, anonymousId: a1, properties: {code: AB-1, score: 1}}"
    (fixtures / "one.fixture.yaml").write_text(
        f"contract: ../../contract.yaml\ncases:\n- name: valid\n  event: {base}\n"
        "  expect: {match: {event: Signed Up}}\n",
        encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["uncovered"] == [
        "Signed Up: 'code' is required (no valid sample value, so no case is derived for this event)",
        "Signed Up: code's pattern (no value gen can tell it refuses)",
        "Signed Up: score's minimum 0.5 (a fractional bound)",
    ]
    text = CliRunner().invoke(main, ["check"]).output
    assert "not exercised by a derived case or fixture (write one): Signed Up: 'code' is required" in text
    # Fixtures that show each finding cover the rule.
    (fixtures / "two.fixture.yaml").write_text(
        "contract: ../../contract.yaml\ncases:\n"
        "- name: no code\n  event: {type: track, event: Signed Up, anonymousId: a1, properties: {score: 1}}\n"
        "  expect: {match: {properties: {dq_issues: 'Required-Missing:code'}}}\n"
        "- name: a low score\n  event: {type: track, event: Signed Up, anonymousId: a1, "
        "properties: {code: AB-1, score: 0.25}}\n"
        "  expect: {match: {properties: {dq_issues: 'Advance-Rules-Violation:score'}}}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["uncovered"] == ["Signed Up: code's pattern (no value gen can tell it refuses)"]


def test_github_format_warns_of_rules_nothing_exercises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("contract.yaml").write_text(COVERAGE_CONTRACT, encoding="utf-8")
    assert CliRunner().invoke(main, ["build"]).exit_code == 0
    Path("x.fixture.yaml").write_text(
        "contract: contract.yaml\ncases:\n- name: any\n  event: {type: track, event: Other, anonymousId: a}\n"
        "  expect: {match: {event: Other}}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--format", "github", "--fixtures", "x.fixture.yaml"],
                                env={"GITHUB_STEP_SUMMARY": None})
    assert result.exit_code == 0, result.output
    assert ("::warning file=contract.yaml,title=not exercised by a derived case or fixture::Signed Up: "
            "score's minimum 0.5 (a fractional bound)") in result.output
