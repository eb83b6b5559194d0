"""The emulated Customer.io destination against the destination's own test data.

tests/customerio/destination_cases.json holds, one per input event, the cases of
rudder-transformer v1.145.0 test/integrations/destinations/customerio (processor/data.ts,
router/data.ts, router/dataV2.ts), with the request or error each expects. The v0 path is
what runs by default; router/dataV2.ts tests the batching framework, which only runs when
RudderStack enables it for a workspace, so those cases are not this emulation's to answer.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from generator.customerio import destination

CASES = json.loads((Path(__file__).parent / "destination_cases.json").read_text(encoding="utf-8"))["cases"]
PROCESSOR = [case for case in CASES if case["file"] == "processor/data.ts"]
ROUTER: dict[int, list[dict[str, Any]]] = {}
for case in CASES:
    if case["file"] == "router/data.ts":
        ROUTER.setdefault(case["test_index"], []).append(case)


def _expected(entry: dict[str, Any]) -> dict[str, Any]:
    if "error" in entry:
        return {"statusCode": entry["statusCode"], "error": entry["error"]}
    return {"statusCode": entry["statusCode"], "method": entry["method"], "endpoint": entry["endpoint"],
            "body": entry["body"]}


@pytest.mark.parametrize("case", PROCESSOR, ids=[case["name"][:80] for case in PROCESSOR])
def test_processor_case(case: dict[str, Any]) -> None:
    config = destination.Config.from_settings(case["config"])
    got = destination.process(case["message"], "m", config).as_json()
    got.pop("messageIds")
    assert got == _expected(case["expected"][0])


@pytest.mark.parametrize("test_index", sorted(ROUTER))
def test_router_case(test_index: int) -> None:
    cases = ROUTER[test_index]
    config = destination.Config.from_settings(cases[0]["config"])
    events = [(case["message"], case["metadata"]["jobId"]) for case in cases]
    got = [call.as_json() for call in destination.calls(events, config)]
    # Each case keeps the router outputs that hold its job: together, the request's answer.
    outputs: list[dict[str, Any]] = []
    for case in cases:
        outputs += [output for output in case["router_output"] if output not in outputs]
    expected = []
    for output in outputs:
        ids = [m["jobId"] for m in output["metadata"]]
        if "error" in output:
            expected.append({"messageIds": ids, "statusCode": output["statusCode"], "error": output["error"]})
        else:
            request = output["batchedRequest"]
            expected.append({"messageIds": ids, "statusCode": output["statusCode"], "method": request["method"],
                             "endpoint": request["endpoint"], "body": request["body"]["JSON"]})
    assert got == expected


def test_the_corpus_is_what_the_tests_say() -> None:
    assert len(PROCESSOR) == 68 and sum(len(v) for v in ROUTER.values()) == 4


RULES = json.loads((Path(__file__).parent / "destination_rules.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("request_", RULES["requests"],
                         ids=[r["config"].get("datacenter", "US") for r in RULES["requests"]])
def test_rules_the_destination_tests_do_not_cover(request_: dict[str, Any]) -> None:
    """One message per rule, answered by the destination's code run for real (destination_rules.json)."""
    config = destination.Config.from_settings(request_["config"])
    events = [(message, index) for index, message in enumerate(request_["messages"], start=1)]
    got = [call.as_json() for call in destination.calls(events, config)]
    names = request_["names"]
    for expected, actual in zip(request_["router"], got, strict=True):
        assert actual == expected, names[expected["messageIds"][0] - 1]
