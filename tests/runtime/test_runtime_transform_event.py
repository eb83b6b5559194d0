"""Rules 6-14: how each event's transformEvent result becomes response entries."""

from __future__ import annotations

import re

from generator.runtime import CannedResponse

METADATA = {
    "sourceId": "src-1",
    "destinationId": "dst-1",
    "destinationType": "WEBHOOK",
    "workspaceId": "ws-1",
    "extra": "kept as given",
}


def md(message_id: str, **more: object) -> dict[str, object]:
    return {**METADATA, "messageId": message_id, **more}


def test_object_is_200_with_the_input_metadata_unchanged(load):
    response = load("rename.js").run([{"event": "Original", "messageId": "m-1"}], metadata=METADATA).response
    assert response == [
        {"output": {"event": "Renamed", "messageId": "changed-m-1"}, "metadata": md("m-1"), "statusCode": 200}
    ]
    assert list(response[0]) == ["output", "metadata", "statusCode"]


def test_null_or_undefined_is_298_and_comes_first(load):
    events = [
        {"event": "keep", "messageId": "m-1"},
        {"event": "drop-null", "messageId": "m-2"},
        {"event": "drop-undefined", "messageId": "m-3"},
    ]
    response = load("drop.js").run(events, metadata=METADATA).response
    assert response == [
        {"statusCode": 298, "metadata": md("m-2", messageIds=None)},
        {"statusCode": 298, "metadata": md("m-3", messageIds=None)},
        {"output": {"event": "keep", "messageId": "m-1"}, "metadata": md("m-1"), "statusCode": 200},
    ]


def test_array_of_objects_is_one_200_per_element_with_the_parent_metadata(load):
    response = load("fan_out.js").run([{"event": "fan", "messageId": "m-1"}], metadata=METADATA).response
    assert response == [
        {"output": {"event": "fan", "messageId": "m-1"}, "metadata": md("m-1"), "statusCode": 200},
        {"output": {"event": "copy", "messageId": "m-1"}, "metadata": md("m-1"), "statusCode": 200},
    ]


def test_array_with_a_non_object_is_one_400_and_no_element_is_emitted(load):
    response = load("fan_out.js").run([{"event": "bad", "messageId": "m-1"}], metadata=METADATA).response
    assert response == [
        {
            "statusCode": 400,
            "error": "returned event in events array from transformEvent(event) is not an object",
            "metadata": md("m-1"),
        }
    ]


def test_sparse_array_holes_are_skipped(load):
    response = load("fan_out.js").run([{"event": "holes", "messageId": "m-1"}], metadata=METADATA).response
    assert [entry["output"] for entry in response] == [{"event": "holes", "messageId": "m-1"}] * 2
    assert [entry["statusCode"] for entry in response] == [200, 200]


def test_non_object_return_is_400(load):
    events = [{"event": "string", "messageId": "m-1"}, {"event": "number", "messageId": "m-2"}]
    response = load("non_object.js").run(events, metadata=METADATA).response
    error = "returned event from transformEvent(event) is not an object"
    assert response == [
        {"statusCode": 400, "error": error, "metadata": md("m-1")},
        {"statusCode": 400, "error": error, "metadata": md("m-2")},
    ]


def test_throw_fails_only_that_event_with_the_stack_trimmed_to_transform_event(load):
    events = [{"event": "ok", "messageId": "e-1"}, {"event": "boom", "messageId": "e-2"}]
    response = load("throws.js", name="my transformation").run(events, metadata=METADATA).response
    assert len(response) == 2
    failed, passed = response
    assert passed == {"output": {"event": "ok", "messageId": "e-1"}, "metadata": md("e-1"), "statusCode": 200}
    assert list(failed) == ["statusCode", "error", "metadata"]
    assert failed["statusCode"] == 400
    assert failed["metadata"] == md("e-2")
    assert re.fullmatch(r"Error: kaboom for e-2\n    at transformEvent \(my transformation:3:\d+\)", failed["error"])


def test_throw_in_a_helper_keeps_the_helper_frame_above_transform_event(load):
    response = load("throws.js", name="my transformation").run([{"event": "helper", "messageId": "e-3"}]).response
    assert len(response) == 1
    assert re.fullmatch(
        r"RangeError: deep in helper for e-3\n"
        r"    at helper \(my transformation:9:\d+\)\n"
        r"    at transformEvent \(my transformation:5:\d+\)",
        response[0]["error"],
    ), response[0]["error"]


def test_throwing_a_string_fails_the_whole_run(load):
    events = [{"event": "ok", "messageId": "e-1"}, {"event": "boom", "messageId": "e-2"}]
    response = load("throw_string.js").run(events, metadata=METADATA).response
    error = "Error: Cannot read properties of undefined (reading 'split')"
    assert response == [
        {"statusCode": 400, "metadata": md("e-1"), "error": error},
        {"statusCode": 400, "metadata": md("e-2"), "error": error},
    ]


def test_v8_wording_for_reading_a_property_of_null(load):
    response = load("null_property.js").run([{"messageId": "m-1"}]).response
    assert len(response) == 1
    assert response[0]["statusCode"] == 400
    assert response[0]["error"].startswith("TypeError: Cannot read properties of null (reading 'x')\n    at ")


def test_duplicate_message_ids_both_get_the_metadata_of_the_last_event(load):
    events = [
        {"message": {"event": "first", "messageId": "dup"}, "metadata": {"jobId": 1}},
        {"message": {"event": "second", "messageId": "dup"}, "metadata": {"jobId": 2}},
    ]
    response = load("identity.js").run(events, metadata=METADATA).response
    assert response == [
        {"output": {"event": "first", "messageId": "dup"}, "metadata": md("dup", jobId=2), "statusCode": 200},
        {"output": {"event": "second", "messageId": "dup"}, "metadata": md("dup", jobId=2), "statusCode": 200},
    ]


def test_output_order_is_filtered_first_then_completion_order(load):
    events = [
        {"event": "slow", "messageId": "m-1"},
        {"event": "fast", "messageId": "m-2"},
        {"event": "drop", "messageId": "m-3"},
    ]
    fetch = {"https://api.example.com/slow": CannedResponse(body='{"ok": 1}')}
    response = load("completion_order.js").run(events, fetch=fetch).response
    assert response == [
        {"statusCode": 298, "metadata": {"messageId": "m-3", "messageIds": None}},
        {"output": {"event": "fast", "messageId": "m-2"}, "metadata": {"messageId": "m-2"}, "statusCode": 200},
        {
            "output": {"event": "slow", "messageId": "m-1", "answer": {"ok": 1}},
            "metadata": {"messageId": "m-1"},
            "statusCode": 200,
        },
    ]
