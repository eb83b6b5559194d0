"""Dedupe ids: the generated JavaScript and an independent Python implementation agree."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator import derive
from generator.contract import compile_contract
from generator.runtime import Transformation

# The example contract's frozen copy: editing the root contract.yaml never changes this test.
EXAMPLE = Path(__file__).resolve().parent / "cases" / "example" / "contract.yaml"


def _example_code() -> str:
    return compile_contract(EXAMPLE.read_text(encoding="utf-8"), "contract.yaml").files["transformation.js"]


def dedupe_id(event: str, values: list[Any]) -> str:
    found = derive.dedupe_id(event, values)
    assert found is not None
    return found


SAMPLES = [
    ("Order Completed", ["1001"]),
    ("Order Completed", ["1002"]),
    ("Order Line Item", ["1001", 0]),
    ("Order Refunded", ["ünïcødé 😀", "r-1"]),
    ("", []),
]


def test_javascript_and_python_dedupe_ids_agree() -> None:
    code = _example_code().replace(
        "export function transformEvent(event, metadata) {",
        "export function transformEvent(event, metadata) {\n"
        "  return { ids: event.samples.map(([name, values]) => dedupeId(name, values)) };\n",
    )
    events = [{"messageId": "m", "samples": [list(s) for s in SAMPLES]}]
    output = Transformation(code).run(events).response[0]["output"]
    assert output["ids"] == [dedupe_id(name, values) for name, values in SAMPLES]


def test_known_ids_never_change() -> None:
    """Ids already delivered to Customer.io must stay the same in every later build."""
    assert dedupe_id("Order Completed", ["1001"]) == "evt_b256ef6e9b7ac09c"
