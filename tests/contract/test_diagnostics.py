"""Contracts with mistakes → the exact diagnostics, all at once (golden `.expected` files)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.contract import compile_contract

HERE = Path(__file__).parent / "diagnostics"
CASES = sorted(HERE.glob("*.yaml"))


def _diagnostics(path: Path) -> str:
    result = compile_contract(path.read_text(encoding="utf-8"), path.name)
    assert not result.ok, "a diagnostics case must fail to build"
    assert result.files == {}
    return "".join(f"{d}\n" for d in result.diagnostics)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_diagnostics(path: Path, gen_update: bool) -> None:
    expected_file = path.with_suffix(".expected")
    actual = _diagnostics(path)
    if gen_update:
        expected_file.write_text(actual, encoding="utf-8")
    assert expected_file.exists(), f"{expected_file.name} is missing; run `pytest --gen-update` to write it"
    assert actual == expected_file.read_text(encoding="utf-8")


def test_cli_reports_every_error_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    contract = tmp_path / "contract.yaml"
    contract.write_text((HERE / "wrong_types.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(contract), "--out", str(tmp_path / "generated")])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert lines[-1] == "19 errors; nothing written"
    assert all(line.startswith(f"{contract}:") for line in lines[:-1])
    assert "Traceback" not in result.output
    assert not (tmp_path / "generated").exists()


def test_cli_missing_contract_is_a_one_line_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert result.output.strip().startswith("gen: error: cannot read")
    assert "Traceback" not in result.output
