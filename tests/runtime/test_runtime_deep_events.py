"""Item 8 of the hardening issue: events nested thousands of levels deep are copied in and out as RudderStack does.

The boundaries are where isolated-vm 5.0.3 (rudder-transformer's copy in and out of the
isolate) runs out of stack, measured with rudder-transformer's own isolate code: past them
the copy fails where nothing catches it and the request times out (docs/runtime.md).
"""

from __future__ import annotations

from typing import Any

import pytest

from generator.runtime import Transformation

IDENTITY = Transformation("export function transformEvent(event) {\n  return event;\n}\n", "identity.js")
DROP_DEEP = Transformation(
    "export function transformEvent(event) {\n  return event.event === 'deep' ? null : event;\n}\n", "drop.js"
)
TIMED_OUT = "Error: Error: Timed out"


def chain(levels: int, kind: str) -> Any:
    """`levels` containers nested below one another, built without recursion."""
    root: Any = {} if kind == "object" else []
    current = root
    for _ in range(levels):
        child: Any = {} if kind == "object" else []
        if kind == "object":
            current["a"] = child
        else:
            current.append(child)
        current = child
    return root


def request(levels: int, kind: str) -> list[dict[str, Any]]:
    return [
        {"type": "track", "event": "deep", "messageId": "m-1", "properties": {"p": chain(levels, kind)}},
        {"type": "track", "event": "flat", "messageId": "m-2"},
    ]


@pytest.mark.parametrize("kind", ["object", "array"])
def test_800_levels_are_delivered_with_the_rest_of_the_request(kind: str) -> None:
    events = request(800, kind)
    result = IDENTITY.run(events)
    assert [entry["statusCode"] for entry in result.response] == [200, 200]
    assert result.response[0]["output"] == events[0]
    assert not result.warnings


@pytest.mark.parametrize(("kind", "deepest_delivered"), [("object", 1927), ("array", 1869)])
def test_an_output_deeper_than_the_host_can_copy_back_times_out(kind: str, deepest_delivered: int) -> None:
    delivered = IDENTITY.run(request(deepest_delivered, kind))
    assert [entry["statusCode"] for entry in delivered.response] == [200, 200]
    too_deep = IDENTITY.run(request(deepest_delivered + 1, kind))
    assert [(entry["statusCode"], entry["error"]) for entry in too_deep.response] == [(400, TIMED_OUT)] * 2
    assert "copy out of its isolate" in too_deep.warnings[0]


@pytest.mark.parametrize(("kind", "deepest_copied_in"), [("object", 3074), ("array", 3234)])
def test_an_input_deeper_than_the_host_can_copy_in_times_out(kind: str, deepest_copied_in: int) -> None:
    copied = DROP_DEEP.run(request(deepest_copied_in, kind))
    assert [entry["statusCode"] for entry in copied.response] == [298, 200]
    too_deep = DROP_DEEP.run(request(deepest_copied_in + 1, kind))
    assert [(entry["statusCode"], entry["error"]) for entry in too_deep.response] == [(400, TIMED_OUT)] * 2
    assert "copy into its isolate" in too_deep.warnings[0]


def test_ten_thousand_levels_answer_without_a_crash() -> None:
    result = IDENTITY.run(request(10_000, "array"))
    assert [entry["error"] for entry in result.response] == [TIMED_OUT] * 2


def test_a_cycle_fails_the_request_not_as_a_deep_value() -> None:
    cyclic = Transformation("export function transformEvent(e) {\n  e.self = e;\n  return e;\n}\n", "cycle.js")
    from generator.runtime import RequestFailed

    with pytest.raises(RequestFailed, match="circular"):
        cyclic.run([{"type": "track", "event": "x", "messageId": "m-1"}])
