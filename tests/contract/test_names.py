"""The validator and the generated code agree on what a spelling variant is."""

from __future__ import annotations

import json
from pathlib import Path

from generator.contract import compile_contract
from generator.contract.names import variant_key
from generator.runtime import Transformation

# The example contract's frozen copy: editing the root contract.yaml never changes this test.
EXAMPLE = Path(__file__).resolve().parent / "cases" / "example" / "contract.yaml"


def _example_code() -> str:
    return compile_contract(EXAMPLE.read_text(encoding="utf-8"), "contract.yaml").files["transformation.js"]

SAMPLES = [
    "Order Completed", "order_completed", "order-completed", "orderCompleted", "OrderCompleted", "ORDER_COMPLETED",
    "  Order   Completed ", "order.completed", "Added to Cart", "addToCart", "add_to_cart", "Product Viewed v2",
    "productViewedV2", "checkout__started", "a", "", "---", "Ünïcode Événement", "sku123Added", "HTTPRequest",
]


def test_javascript_and_python_variant_keys_agree() -> None:
    code = _example_code().replace(
        "export function transformEvent(event, metadata) {",
        "export function transformEvent(event, metadata) {\n  return { keys: event.names.map(variantKey) };\n",
    )
    output = Transformation(code).run([{"messageId": "m", "names": SAMPLES}]).response[0]["output"]
    assert output["keys"] == [variant_key(s) for s in SAMPLES], json.dumps(output["keys"])
