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


def _spec(tmp_path: Path, spec: str) -> Path:
    (tmp_path / "t.js").write_text(
        "export function transformEvent(event) { if (event.type === 'page') { throw new Error('no pages'); }"
        " event.seen = true; return event; }\n", encoding="utf-8")
    path = tmp_path / "transformation.yaml"
    path.write_text("version: rudder/v1\nkind: transformation\nmetadata: {name: t}\nspec:\n"
                    "  id: t\n  name: T\n  language: javascript\n" + spec, encoding="utf-8")
    return path


def test_input_and_output_default_to_folders_next_to_the_spec(tmp_path: Path) -> None:
    path = _spec(tmp_path, "  file: ./t.js\n  tests:\n    - name: defaults\n")
    (tmp_path / "input").mkdir()
    (tmp_path / "input" / "one.json").write_text('{"type": "track", "event": "A", "messageId": "m1"}')
    (tmp_path / "input" / "notes.txt").write_text("not a test")
    (tmp_path / "output").mkdir()
    # One object in an output file is a one-event array, as rudder-cli reads it.
    (tmp_path / "output" / "one.json").write_text('{"type": "track", "event": "A", "messageId": "m1", "seen": true}')
    (case,) = fixtures.load(path)
    assert case.name == "defaults/one.json" and case.rudder_cli_output == tmp_path / "output" / "one.json"
    assert fixtures.run_case(case).passed


def test_an_explicit_input_folder_must_exist(tmp_path: Path) -> None:
    path = _spec(tmp_path, "  file: ./t.js\n  tests:\n    - name: missing\n      input: ./nowhere\n")
    try:
        fixtures.load(path)
    except fixtures.FixtureError as exc:
        assert "input directory" in str(exc) and "nowhere" in str(exc)
    else:
        raise AssertionError("an explicit input folder that does not exist is an error")


def test_without_tests_rudder_clis_default_events_run_and_an_error_fails(tmp_path: Path) -> None:
    path = _spec(tmp_path, "  file: ./t.js\n")
    (case,) = fixtures.load(path)
    assert case.name == "default-events"
    assert sorted(e["type"] for e in case.events) == ["identify", "page", "screen", "track"]
    outcome = fixtures.run_case(case)
    assert not outcome.passed and "no pages" in outcome.report
    # A suite whose folders hold no file counts as no tests too.
    path = _spec(tmp_path, "  file: ./t.js\n  tests:\n    - name: empty\n")
    assert [c.name for c in fixtures.load(path)] == ["default-events"]


def test_inline_code_runs(tmp_path: Path) -> None:
    path = _spec(tmp_path, "  code: |\n    export function transformEvent(event) { return event; }\n")
    result = CliRunner().invoke(main, ["test", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("1 passed, 0 failed")
    both = _spec(tmp_path, "  code: x\n  file: ./t.js\n")
    result = CliRunner().invoke(main, ["test", str(both)])
    assert result.exit_code == 1 and "exactly one of `code` and `file`" in result.output
