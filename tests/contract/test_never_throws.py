"""The generated transformation never throws: malformed payloads become violations, not errors."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from generator.contract import compile_contract
from generator.runtime import Transformation

# The example contract's frozen copy: editing the root contract.yaml never changes this test.
EXAMPLE = Path(__file__).resolve().parent / "cases" / "example" / "contract.yaml"

NAMES = ["Order Completed", "purchase", "add_to_cart", "Product Viewed", "checkoutStarted", "Subscription Created",
         "Order Refunded", "", "constructor", "__proto__", "toString", "hasOwnProperty", "Unknown Thing"]
KEYS = ["order_id", "revenue", "products", "price", "quantity", "currency", "status", "cart_id", "cart_value", "sku",
        "product_id", "url", "image_url", "interval", "constructor", "__proto__", "toString", "valueOf", "dq_issues",
        "length", "0", ""]


def _value(rng: random.Random, depth: int) -> Any:
    choice = rng.randrange(12 if depth < 3 else 8)
    if choice == 0:
        return None
    if choice == 1:
        return rng.choice([True, False])
    if choice == 2:
        return rng.choice([0, -1, 1.5, 1e308, -1e-9, 2**53 + 1, 49])
    if choice in (3, 4):
        return rng.choice(["", " ", "$49.00", "1,299.50", "USD 12.50", "NaN", "abc", "2024-02-30T00:00:00Z",
                           "1709287200", "\u2028", "A@B.COM", "usd", "cancelled", "\x00", "9" * 400])
    if choice == 5:
        return rng.choice([[], {}, [None], {"": None}])
    if choice == 6:
        return rng.choice(["true", "no", "1", "0", "yes"])
    if choice == 7:
        return -0.0
    if choice in (8, 9):
        return {rng.choice(KEYS): _value(rng, depth + 1) for _ in range(rng.randrange(5))}
    return [_value(rng, depth + 1) for _ in range(rng.randrange(4))]


def _event(rng: random.Random, index: int) -> dict[str, Any]:
    event: dict[str, Any] = {"messageId": f"m-{index}"}
    for key, make in (
        ("type", lambda: rng.choice(["track", "track", "track", "identify", "page", "group", "alias", None, 7])),
        ("event", lambda: rng.choice([*NAMES, None, 5, [], {}])),
        ("properties", lambda: _value(rng, 0) if rng.random() < 0.3 else {
            rng.choice(KEYS): _value(rng, 1) for _ in range(rng.randrange(8))}),
        ("context", lambda: rng.choice([None, "x", [], {}, {"violationErrors": "not a list"}, {"traits": None}])),
        ("traits", lambda: _value(rng, 1)),
        ("userId", lambda: rng.choice(["cus_1", " A@B.COM ", "null", "", 7, {}, ["x"], None])),
        ("anonymousId", lambda: rng.choice(["anon-1", "undefined", " ", 0, {"id": 1}, None])),
    ):
        if rng.random() < 0.8:
            event[key] = make()
    return event


def test_thousands_of_malformed_events_never_raise() -> None:
    rng = random.Random(20261129)
    result = compile_contract(EXAMPLE.read_text(encoding="utf-8"), EXAMPLE.name)
    assert result.ok
    program = Transformation(result.files["transformation.js"], "transformation.js")
    failures = []
    statuses: dict[int, int] = {}
    for batch in range(20):
        events = [_event(rng, batch * 200 + i) for i in range(200)]
        for entry in program.run(events).response:
            statuses[entry["statusCode"]] = statuses.get(entry["statusCode"], 0) + 1
            text = json.dumps(entry)
            # 298 is the contract dropping an event (no person to file it under): an answer, not a failure.
            if entry["statusCode"] not in (200, 298) or "Unknown-Violation" in text:
                failures.append(text[:500])
    assert failures == []
    assert statuses.get(200, 0) > 2000, statuses
