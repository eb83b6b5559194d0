"""gen export rudder-cli: a project rudder-cli accepts, whose tests pass, for any contract and its fixtures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator import contract, export
from generator.cli import main

from .rudder_cli_rules import validate

ROOT = Path(__file__).resolve().parents[1]
CASES = sorted(p.parent for p in (ROOT / "contract" / "cases").glob("*/contract.yaml"))


def _built(case: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The case's contract and fixtures copied to TMP_PATH, with its generated file built."""
    project = tmp_path / case.name
    shutil.copytree(case, project)
    result = contract.build(project / "contract.yaml", project / "generated")
    assert result.ok
    return project / "contract.yaml", project / "generated"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_contract_exports_to_what_rudder_cli_accepts_and_its_tests_pass(tmp_path: Path, case: Path) -> None:
    contract_path, out_dir = _built(case, tmp_path)
    exported = export.rudder_cli(contract_path, out_dir, [contract_path.parent])
    target = tmp_path / "rudder"
    export.write(exported, target)
    assert validate(target) == []
    plan = exported.plan_id
    spec = yaml.safe_load((target / "transformations" / f"{plan}.yaml").read_text(encoding="utf-8"))
    copied = target / "transformations" / spec["spec"]["file"]
    assert copied.read_bytes() == (out_dir / "transformation.js").read_bytes()
    if exported.tests:
        # gen reads rudder-cli suites too: every exported test passes against the exported file.
        result = CliRunner().invoke(main, ["test", str(target / "transformations" / f"{plan}.yaml")])
        assert result.exit_code == 0, result.output
        assert result.output.strip().endswith(f"{exported.tests} passed, 0 failed")
    tracking = yaml.safe_load((target / "tracking-plans" / f"{plan}.yaml").read_text(encoding="utf-8"))
    model = contract.compile_contract(contract_path.read_text(encoding="utf-8"), str(contract_path)).contract
    assert model is not None
    tracked = {r["event"] for r in tracking["spec"]["rules"]}
    assert len(tracked) == len([e for e in model.events if len(e.name) <= 64]) + bool(model.traits)


def test_the_example_project_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert CliRunner().invoke(main, ["init", str(tmp_path / "plan")]).exit_code == 0
    monkeypatch.chdir(tmp_path / "plan")
    result = CliRunner().invoke(main, ["export", "rudder-cli", "../rudder"])
    assert result.exit_code == 0, result.output
    target = tmp_path / "rudder"
    assert validate(target) == []
    properties = yaml.safe_load((target / "catalog/retail_retention-properties.yaml").read_text(encoding="utf-8"))
    by_id = {p["id"]: p for p in properties["spec"]["properties"]}
    assert by_id["price"] == {"id": "price", "name": "price", "description": 'Unit price; "$49.00" arrives as 49.',
                              "type": "number", "config": {"minimum": 0}}
    assert by_id["currency"]["config"] == {"pattern": "^[A-Z]{3}$"}
    assert by_id["subscription_status"]["config"] == {"enum": ["active", "canceled", "paused"]}
    assert by_id["products"]["item_type"] == "#custom-type:product_type"
    assert by_id["phone"]["config"] == {"pattern": r"^\+[1-9][0-9]{1,14}$"}
    plan = yaml.safe_load((target / "tracking-plans/retail_retention.yaml").read_text(encoding="utf-8"))["spec"]
    rules = {r["event"]: r for r in plan["rules"]}
    order = rules["#event:order_completed"]
    assert {"property": "#property:order_id", "required": True} in order["properties"]
    assert {"property": "#property:rating", "required": False} in order["properties"], "common properties"
    assert rules["#event:identify"]["identity_section"] == "context.traits"
    notes = (target / "GEN-EXPORT.md").read_text(encoding="utf-8")
    assert "'order_completed'" in notes and "drop_unplanned_events: false" in notes


def test_cases_a_rudder_cli_test_cannot_express_are_reported_not_exported(tmp_path: Path) -> None:
    contract_path, out_dir = _built(ROOT / "contract" / "cases" / "scope", tmp_path)
    exported = export.rudder_cli(contract_path, out_dir, [contract_path.parent])
    assert any("sets `metadata`" in reason or "carry metadata" in reason for reason in exported.skipped)
    inputs = [json.loads(text) for path, text in exported.files.items() if "/input/" in path]
    assert all(isinstance(events, list) and events for events in inputs)


def test_export_is_deterministic_and_replaces_its_own_tests(tmp_path: Path) -> None:
    contract_path, out_dir = _built(ROOT / "contract" / "cases" / "names", tmp_path)
    first = export.rudder_cli(contract_path, out_dir, [contract_path.parent])
    assert export.rudder_cli(contract_path, out_dir, [contract_path.parent]).files == first.files
    target = tmp_path / "rudder"
    other = target / "sources" / "web.yaml"
    other.parent.mkdir(parents=True)
    other.write_text("kept: true\n", encoding="utf-8")
    export.write(first, target)
    leftover = target / "transformations" / first.plan_id / "tests" / "old" / "input" / "gone.json"
    leftover.parent.mkdir(parents=True)
    leftover.write_text("[]", encoding="utf-8")
    export.write(first, target)
    assert not leftover.exists(), "a test of a removed case would keep running in rudder-cli"
    assert other.read_text(encoding="utf-8") == "kept: true\n", "files gen did not write are left alone"


def test_a_stale_or_failing_project_is_not_exported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert CliRunner().invoke(main, ["init", str(tmp_path / "plan"), "--minimal"]).exit_code == 0
    monkeypatch.chdir(tmp_path / "plan")
    generated = Path("generated/transformation.js")
    original = generated.read_text(encoding="utf-8")
    generated.write_text(original + "// hand edit\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["export", "rudder-cli", "../rudder"])
    assert result.exit_code == 1 and "out of date" in result.stderr
    generated.write_text(original, encoding="utf-8")
    fixture = Path("tests/fixtures/samples.fixture.yaml")
    fixture.write_text(fixture.read_text(encoding="utf-8").replace("cus_1", "cus_1", 1) + (
        "- name: wrong on purpose\n  event: {type: track, event: Order Completed, userId: u}\n"
        "  expect: {dropped: true}\n"), encoding="utf-8")
    result = CliRunner().invoke(main, ["export", "rudder-cli", "../rudder"])
    assert result.exit_code == 1 and "wrong on purpose" in result.stderr
    assert not (tmp_path / "rudder").exists()


def test_events_without_a_message_id_get_one_so_the_expected_output_is_fixed(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    assert CliRunner().invoke(main, ["init", str(tmp_path / "plan"), "--minimal"]).exit_code == 0
    monkeypatch.chdir(tmp_path / "plan")
    Path("tests/fixtures/no_ids.fixture.yaml").write_text(
        "contract: ../../contract.yaml\ncases:\n- name: no message id\n"
        "  event: {type: track, event: Order Completed, userId: u1,\n"
        "          properties: {order_id: o1, revenue: 5, currency: EUR}}\n"
        "  expect: {match: {event: Order Completed}}\n", encoding="utf-8")
    exported = export.rudder_cli(Path("contract.yaml"), Path("generated"), [Path("tests/fixtures")])
    (stem,) = [p for p in exported.files if p.endswith("/input/no_message_id.json")]
    (event,) = json.loads(exported.files[stem])
    assert event["messageId"] == "no_message_id-1"
    (output,) = json.loads(exported.files[stem.replace("/input/", "/output/")])
    assert output["messageId"] == "no_message_id-1"
    assert exported.skipped == []


HOSTILE = """contract: {name: "Ünïcødé plan — 2026 / test", version: 1, description: "  multi
  line  "}
events:
  "Événement spécial":
    properties:
      level: {type: enum, values: ["1", "2", "three"]}
      "   spaced   ": {type: string}
      "a.b": {type: integer, minimum: 0.5, maximum: 9.5}
  "x":
    properties:
      level: {type: enum, values: [low, high]}
  "X":
    properties:
      level: {type: string}
  "%s": {}
""" % ("E" * 70)


def test_names_and_rules_rudder_cli_cannot_take_are_made_to_fit_or_reported(tmp_path: Path) -> None:
    (tmp_path / "contract.yaml").write_text(HOSTILE, encoding="utf-8")
    assert contract.build(tmp_path / "contract.yaml", tmp_path / "generated").ok
    exported = export.rudder_cli(tmp_path / "contract.yaml", tmp_path / "generated", [tmp_path])
    export.write(exported, tmp_path / "rudder")
    assert validate(tmp_path / "rudder") == []
    events = yaml.safe_load(next((tmp_path / "rudder" / "catalog").glob("*-events.yaml")).read_text("utf-8"))
    assert {e["id"]: e["name"] for e in events["spec"]["events"]} == {
        "x": "X", "x_2": "x", "evenement_special": "Événement spécial"}
    properties = yaml.safe_load(next((tmp_path / "rudder" / "catalog").glob("*-properties.yaml")).read_text("utf-8"))
    by_name = {p["name"]: p for p in properties["spec"]["properties"]}
    assert by_name["a.b"]["config"] == {"minimum": 1, "maximum": 9}, "whole bounds that mean the same for integers"
    assert "config" not in by_name["level"], "rules the declarations do not share are left out"
    notes = "\n".join(exported.notes)
    assert "'   spaced   ' is not a name rudder-cli accepts" in notes
    assert "the catalog keeps the rules they share (without enum)" in notes
    assert "longer than the 64 characters" in notes


def test_a_lone_surrogate_in_a_fixture_is_exported_escaped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert CliRunner().invoke(main, ["init", str(tmp_path / "plan"), "--minimal"]).exit_code == 0
    monkeypatch.chdir(tmp_path / "plan")
    Path("tests/fixtures/odd.fixture.yaml").write_text(
        'contract: ../../contract.yaml\ncases:\n- name: lone surrogates\n  event: {type: track, event: Order Completed,'
        ' userId: "cus_\\ud800", messageId: m-s, properties: {order_id: "o\\ud83d", revenue: 1, currency: USD}}\n'
        "  expect: {match: {event: Order Completed}}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["export", "rudder-cli", "../rudder"])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "rudder/transformations/my_plan/tests/odd/input/lone_surrogates.json").read_text("utf-8")
    assert '"cus_\\ud800"' in text
    assert CliRunner().invoke(main, ["test", "../rudder/transformations/my_plan.yaml"]).exit_code == 0
