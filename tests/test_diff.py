"""gen diff and gen check --against: each change classified, and the version bump it calls for."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import diff
from generator.cli import main
from generator.contract import compile_contract

BASE = """contract: {name: shop, version: 1}
traits:
  fields:
    email: {type: email}
    plan: {type: enum, values: [free, pro]}
events:
  Order Completed:
    aliases: [order_completed, purchase]
    dedupe: {keys: [order_id], into: event_id}
    properties:
      order_id: {type: string, required: true}
      revenue: {type: number, minimum: 0}
      sku: {type: string}
      status: {type: enum, values: [paid, refunded]}
  Product Viewed:
    properties:
      url: {type: string}
"""


def _contract(text: str):  # type: ignore[no-untyped-def]
    result = compile_contract(text, "contract.yaml")
    assert result.ok and result.contract is not None, result.diagnostics
    return result.contract


@pytest.mark.parametrize(("edit", "breaking", "says"), [
    (("  Product Viewed:\n    properties:\n      url: {type: string}\n", ""), True, "event 'Product Viewed': removed"),
    (("[order_completed, purchase]", "[order_completed]"), True, "alias 'purchase' removed"),
    (("[order_completed, purchase]", "[order_completed, purchase, buy]"), False, "alias 'buy' added"),
    (("      sku: {type: string}", "      sku: {type: string, required: true}"), True, ".sku: newly required"),
    (("      sku: {type: string}", "      sku: {type: integer}"), True, ".sku: type string → integer"),
    (("[paid, refunded]", "[paid]"), True, ".status: values removed: refunded"),
    (("[paid, refunded]", "[paid, refunded, pending]"), False, ".status: values added: pending"),
    (("minimum: 0}", "minimum: 1}"), True, ".revenue: minimum 0 → 1"),
    (("minimum: 0}", "minimum: -5}"), False, ".revenue: minimum 0 → -5"),
    (("keys: [order_id]", "keys: [order_id, sku]"), True, "dedupe"),
    (("    plan: {type: enum, values: [free, pro]}\n", ""), True, "traits.plan: removed"),
    (("      url: {type: string}", "      url: {type: string}\n      title: {type: string}"), False, ".title: added"),
])
def test_each_change_is_classified(edit: tuple[str, str], breaking: bool, says: str) -> None:
    assert edit[0] in BASE
    found = diff.changes(_contract(BASE), _contract(BASE.replace(*edit)))
    assert [c.breaking for c in found if says in str(c)] == [breaking], [str(c) for c in found]


def test_no_change_no_bump() -> None:
    assert diff.changes(_contract(BASE), _contract(BASE)) == []
    assert diff.bump(_contract(BASE), _contract(BASE), []) == ("none", True)


def test_the_cli_wants_a_major_version_for_a_breaking_change(tmp_path: Path) -> None:
    (tmp_path / "old.yaml").write_text(BASE, encoding="utf-8")
    broken = BASE.replace("[order_completed, purchase]", "[order_completed]")
    (tmp_path / "new.yaml").write_text(broken, encoding="utf-8")
    result = CliRunner().invoke(main, ["diff", str(tmp_path / "old.yaml"), str(tmp_path / "new.yaml")])
    assert result.exit_code == 1
    assert "calls for a major version bump (1 → 1: not made)" in result.output
    (tmp_path / "new.yaml").write_text(broken.replace("version: 1", "version: 2"), encoding="utf-8")
    result = CliRunner().invoke(main, ["diff", str(tmp_path / "old.yaml"), str(tmp_path / "new.yaml")])
    assert result.exit_code == 0 and "(1 → 2: made)" in result.output


def test_check_against_a_git_ref(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["init", ".", "--minimal"]).exit_code == 0
    commit = ["-c", "user.email=t@e.st", "-c", "user.name=t", "commit", "-qm", "x"]
    for command in (["init", "-q"], ["add", "."], commit):
        subprocess.run(["git", *command], check=True, capture_output=True)
    path = tmp_path / "contract.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("aliases: [order_completed]", "aliases: []"),
                    encoding="utf-8")
    assert CliRunner().invoke(main, ["build"]).exit_code == 0
    result = CliRunner().invoke(main, ["check", "--against", "HEAD"])
    assert result.exit_code == 1
    assert "breaking: event 'Order Completed': alias 'order_completed' removed" in result.output
    assert "call for a major version bump; contract.version is still 1" in result.output
