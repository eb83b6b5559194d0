"""rudder-cli's test layout (a transformation spec with input/ and output/ directories) runs in gen test."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from generator import fixtures
from generator.cli import main

SUITE = Path(__file__).resolve().parents[1] / "rudder_cli"


def test_the_spec_is_recognised_and_each_input_file_is_a_case() -> None:
    assert fixtures.is_rudder_cli_spec(SUITE / "transformation.yaml")
    cases = fixtures.load(SUITE / "transformation.yaml")
    assert [case.name for case in cases] == ["names/single.json", "names/track.json"]


def test_gen_test_runs_the_suite(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["test", str(SUITE)])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "2 passed, 0 failed"


def test_a_wrong_expected_output_fails_with_a_diff(tmp_path: Path) -> None:
    suite = tmp_path / "suite"
    shutil.copytree(SUITE, suite)
    expected = suite / "tests" / "output" / "track.json"
    expected.write_text(expected.read_text().replace("order completed", "Order Completed"), encoding="utf-8")
    result = CliRunner().invoke(main, ["test", str(suite)])
    assert result.exit_code == 1
    assert '-    "event": "Order Completed",' in result.output
    assert '+    "event": "order completed",' in result.output
    assert result.output.strip().splitlines()[-1] == "1 passed, 1 failed"


def test_update_writes_the_output_files(tmp_path: Path) -> None:
    suite = tmp_path / "suite"
    shutil.copytree(SUITE, suite)
    shutil.rmtree(suite / "tests" / "output")
    result = CliRunner().invoke(main, ["test", str(suite), "--update"])
    assert result.exit_code == 0, result.output
    written = json.loads((suite / "tests" / "output" / "single.json").read_text(encoding="utf-8"))
    expected = {"type": "track", "event": "product viewed", "messageId": "m-3", "context": {"source": "unknown"}}
    assert written == [expected]
