"""gen init: a project that passes its own `gen check` from the start, for any valid contract."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main

ROOT = Path(__file__).resolve().parent
CONTRACTS = sorted((ROOT / "contract" / "cases").glob("*/contract.yaml"))


@pytest.mark.parametrize("contract", CONTRACTS, ids=[p.parent.name for p in CONTRACTS])
def test_a_project_from_any_contract_passes_its_own_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          contract: Path) -> None:
    result = CliRunner().invoke(main, ["init", str(tmp_path / "project"), "--contract", str(contract)])
    assert result.exit_code == 0, result.output
    monkeypatch.chdir(tmp_path / "project")
    checked = CliRunner().invoke(main, ["check"])
    assert checked.exit_code == 0, checked.output
    fixture = yaml.safe_load(Path("tests/fixtures/samples.fixture.yaml").read_text(encoding="utf-8"))
    planned = yaml.safe_load(contract.read_text(encoding="utf-8"))["events"]
    assert sorted(case["event"]["event"] for case in fixture["cases"]) == sorted(planned)


def test_minimal_and_what_it_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = CliRunner().invoke(main, ["init", str(tmp_path), "--minimal"])
    assert result.exit_code == 0, result.output
    for name in ("contract.yaml", "generated/transformation.js", "events/samples.ndjson",
                 "tests/fixtures/samples.fixture.yaml", ".github/workflows/gen.yml", ".pre-commit-config.yaml"):
        assert (tmp_path / name).is_file(), name
    workflow = yaml.safe_load((tmp_path / ".github/workflows/gen.yml").read_text(encoding="utf-8"))
    check_steps = workflow["jobs"]["check"]["steps"]
    assert {"run": "gen check --format github"} in check_steps
    token = {"RUDDERSTACK_ACCESS_TOKEN": "${{ secrets.RUDDERSTACK_ACCESS_TOKEN }}"}
    assert check_steps[-1] == {"run": "gen push --dry-run", "env": token}
    release = workflow["jobs"]["release"]
    assert release["needs"] == "check" and "default_branch" in release["if"]
    assert release["steps"][-1] == {"run": "gen push --publish", "env": token}
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["check"]).exit_code == 0


def test_it_never_overwrites(tmp_path: Path) -> None:
    (tmp_path / "contract.yaml").write_text("mine\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["init", str(tmp_path), "--minimal"])
    assert result.exit_code == 2 and "never overwrites" in result.output
    assert (tmp_path / "contract.yaml").read_text(encoding="utf-8") == "mine\n"
    assert not (tmp_path / "generated").exists()
