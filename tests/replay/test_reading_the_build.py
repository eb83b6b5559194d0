"""gen replay reads a transformation's outputs with the names its build wrote, whatever contract
it came from: the build says them in its `// gen:replay` lines, so no --contract is needed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.contract import compile_contract, manifest

ROOT = Path(__file__).resolve().parents[2]
CASES = sorted((ROOT / "tests" / "contract" / "cases").glob("*/contract.yaml"))

# Names far from gen's defaults: a report read with the defaults finds nothing.
CUSTOM = """contract: {name: shop, version: 3}
annotations: {violations: planErrors, flag: plan_issues, repairs: planFixes, stamp: planStamp}
replay: {flag: backfilled, context: planReplay}
events:
  Order Completed:
    dedupe: {keys: [order_id], into: order_key}
    properties:
      order_id: {type: string, required: true}
      total: {type: number, required: true}
      coupon: {type: string}
"""


def _order(n: int, **properties: Any) -> dict[str, Any]:
    return {"type": "track", "event": "Order Completed", "messageId": f"m{n}", "anonymousId": "a1",
            "timestamp": "2026-11-01T10:00:00.000Z", "receivedAt": "2026-11-01T10:00:01.000Z",
            "properties": properties}


# Two bad orders, one repaired total, and order 1 twice (a retry with a new messageId).
EVENTS = [_order(1, order_id="o1", total=10), _order(2, order_id="o2", total="$5.00"),
          _order(3, total=7), _order(4, order_id="o4", total="lots"), _order(5, order_id="o1", total=10)]


def _built(tmp_path: Path, contract_text: str = CUSTOM) -> Path:
    result = compile_contract(contract_text, "contract.yaml")
    assert result.ok, [str(d) for d in result.diagnostics]
    (tmp_path / "contract.yaml").write_text(contract_text, encoding="utf-8")
    path = tmp_path / "transformation.js"
    path.write_text(result.files["transformation.js"], encoding="utf-8")
    return path


def _replay(tmp_path: Path, transformation: Path, *flags: str, exit_code: int = 0) -> tuple[Any, dict[str, Any]]:
    source = tmp_path / "events.ndjson"
    source.write_text("".join(json.dumps(e) + "\n" for e in EVENTS), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["replay", str(transformation), str(source), "--out", str(out),
                                       "--workers", "1", "--engine", "quickjs", *flags])
    assert result.exit_code == exit_code, result.output
    return result, json.loads((out / "report.json").read_text(encoding="utf-8"))


def test_a_build_is_read_with_its_own_names_without_contract(tmp_path: Path) -> None:
    result, report = _replay(tmp_path, _built(tmp_path), "--fail-on", "violations>0", exit_code=1)
    assert report["reading"]["source"] == "build"
    assert report["reading"]["annotations"]["violations"] == "planErrors"
    assert report["summary"]["violations"] == 2  # order 3 (no order_id) and order 4 ("lots")
    assert report["summary"]["repairs"] == 1  # "$5.00"
    # The dedupe id lives in order_key: order 1 twice is a duplicate Customer.io would receive twice.
    assert [(d["copies"], d["examples"]) for d in report["duplicates"]] == [(2, ["m1", "m5"])]
    # Completeness lists the declared properties, not whatever the traffic carried.
    assert {c["property"] for c in report["completeness"]} == {"order_id", "total", "coupon"}
    assert "gen: warning" not in result.output
    assert "fail-on: violations is 2" in result.output


def test_without_its_lines_the_report_says_it_used_defaults(tmp_path: Path) -> None:
    built = _built(tmp_path)
    bare = tmp_path / "bare.js"
    bare.write_text("".join(line for line in built.read_text(encoding="utf-8").splitlines(keepends=True)
                            if not line.startswith(manifest.MARK)), encoding="utf-8")
    result, report = _replay(tmp_path, bare)
    assert "does not say how gen built it" in result.output
    assert report["reading"]["source"] == "defaults"
    assert report["summary"]["violations"] == 0  # read at the default names: what --contract is for
    _, with_contract = _replay(tmp_path, bare, "--contract", str(tmp_path / "contract.yaml"))
    assert with_contract["reading"]["source"] == "contract"
    assert with_contract["summary"]["violations"] == 2


def test_a_contract_other_than_the_builds_is_named_and_the_build_wins(tmp_path: Path) -> None:
    built = _built(tmp_path)
    other = tmp_path / "other.yaml"
    other.write_text(CUSTOM.replace("planErrors", "otherErrors"), encoding="utf-8")
    result, report = _replay(tmp_path, built, "--contract", str(other))
    assert "was not built from" in result.output
    assert report["reading"]["source"] == "build"
    assert report["summary"]["violations"] == 2


def test_damaged_lines_are_named(tmp_path: Path) -> None:
    built = _built(tmp_path)
    text = built.read_text(encoding="utf-8").replace(manifest.MARK + '{"event"', manifest.MARK + '{"evnt"')
    built.write_text(text, encoding="utf-8")
    result, report = _replay(tmp_path, built)
    assert "lines are damaged (no 'event')" in result.output
    assert report["reading"]["source"] == "defaults"


@pytest.mark.parametrize("path", CASES, ids=[p.parent.name for p in CASES])
def test_every_build_reads_back_as_its_contract(path: Path) -> None:
    result = compile_contract(path.read_text(encoding="utf-8"), "contract.yaml")
    if not result.ok or result.contract is None:
        pytest.skip("a contract with errors builds nothing")
    assert manifest.read(result.files["transformation.js"]) == manifest.of(result.contract)


def test_names_that_could_end_a_comment_stay_inside_it() -> None:
    hostile = "a\u2028b\u2029c\nd\re\"f*/g\ud800h\x00"
    written = manifest.Manifest(annotations=tuple((k, hostile + k) for k in ("flag", "repairs", "stamp", "violations")),
                                replay=(("context", hostile), ("flag", hostile)), dedupe=((hostile, hostile),),
                                declared=((hostile, (hostile, "x")),))
    lines = manifest.lines(written)
    assert all(len(line.splitlines()) == 1 and line.isascii() for line in lines)
    assert manifest.read("\n".join(lines)) == written


@pytest.mark.parametrize("head, said", [
    ('{"annotations": {}, "replay": {}, "dedupe": ["event_id"]}', "another version of gen (format none, not 1)"),
    ('{"format": 2, "annotations": {}}', "(format 2, not 1)"),
    ("[" * 100_000 + "]" * 100_000, "nested too deep"),
])
def test_lines_of_another_layout_are_named_and_not_read(tmp_path: Path, head: str, said: str) -> None:
    built = _built(tmp_path)
    lines = built.read_text(encoding="utf-8").splitlines(keepends=True)
    first = next(i for i, line in enumerate(lines) if line.startswith(manifest.MARK))
    lines[first] = manifest.MARK + head + "\n"
    built.write_text("".join(lines), encoding="utf-8")
    result, report = _replay(tmp_path, built)
    assert said in result.output
    assert report["reading"]["source"] == "defaults"
