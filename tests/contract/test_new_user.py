"""The issue's acceptance path: add an event with two properties and an alias, build, run."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from generator.cli import main

ROOT = Path(__file__).resolve().parents[2]

NEW_EVENT = """
  Review Submitted:
    aliases: [review_submitted_v1]
    properties:
      rating: {type: integer, minimum: 1, maximum: 5, required: true}
      product_id: {use: product_id, required: true}
"""


def test_a_new_event_is_enforced_after_gen_build(tmp_path: Path, monkeypatch: object) -> None:
    contract = tmp_path / "contract.yaml"
    # The frozen copy of the example contract: editing the root one never turns this red.
    example = ROOT / "tests" / "contract" / "cases" / "example" / "contract.yaml"
    contract.write_text(example.read_text(encoding="utf-8") + NEW_EVENT, encoding="utf-8")
    runner = CliRunner()
    built = runner.invoke(main, ["build", str(contract), "--out", str(tmp_path / "generated")])
    assert built.exit_code == 0, built.output
    events = tmp_path / "events.ndjson"
    events.write_text(
        json.dumps({"type": "track", "event": "review_submitted_v1", "messageId": "r-1", "userId": "cus_7",
                    "properties": {"rating": "4", "product_id": "p-9"}}) + "\n"
        + json.dumps({"type": "track", "event": "reviewSubmitted", "messageId": "r-2", "userId": "cus_7",
                      "properties": {"rating": 9}}) + "\n",
        encoding="utf-8",
    )
    ran = runner.invoke(main, ["run", str(tmp_path / "generated" / "transformation.js"), str(events)])
    assert ran.exit_code == 0, ran.output
    first, second = (entry["output"] for entry in json.loads(ran.output))
    assert first["event"] == "Review Submitted"
    assert first["properties"] == {"rating": 4, "product_id": "p-9"}
    assert second["event"] == "Review Submitted"
    # Out of range, so removed (the example's on_invalid: remove), and then missing.
    assert "rating" not in second["properties"]
    assert second["properties"]["dq_issues"] == (
        "Advance-Rules-Violation:rating; Required-Missing:rating; Required-Missing:product_id"
    )
    check = runner.invoke(main, ["build", str(contract), "--out", str(tmp_path / "generated"), "--check"])
    assert check.exit_code == 0
    contract.write_text(contract.read_text(encoding="utf-8").replace("maximum: 5", "maximum: 10"), encoding="utf-8")
    drift = runner.invoke(main, ["build", str(contract), "--out", str(tmp_path / "generated"), "--check"])
    assert drift.exit_code == 1
    assert "out of date" in drift.output


def test_generated_files_get_the_permissions_new_files_get(tmp_path: Path) -> None:
    import os
    import stat

    from generator.contract import write

    old = os.umask(0o022)
    try:
        (path,) = write({"transformation.js": "// x\n"}, tmp_path)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
