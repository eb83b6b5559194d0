"""Rules 15-18: how a transformBatch result becomes response entries."""

from __future__ import annotations

import re

METADATA = {
    "sourceId": "src-1",
    "destinationId": "dst-1",
    "destinationType": "WEBHOOK",
    "workspaceId": "ws-1",
    "transformationId": "tr-1",
    "sourceName": "web",
    "extra": "outside the projection",
}
COMMON = {
    "sourceId": "src-1",
    "destinationId": "dst-1",
    "destinationType": "WEBHOOK",
    "workspaceId": "ws-1",
    "transformationId": "tr-1",
}
EVENTS = [
    {"type": "track", "event": "keep", "messageId": "m-1"},
    {"type": "track", "event": "drop", "messageId": "m-2"},
]


def test_throw_is_one_400_with_the_batch_metadata(load):
    response = load("batch_throw.js", name="my batch").run(EVENTS, metadata=METADATA).response
    assert len(response) == 1
    entry = response[0]
    assert list(entry) == ["statusCode", "error", "metadata"]
    assert entry["statusCode"] == 400
    assert entry["metadata"] == {**COMMON, "messageIds": ["m-1", "m-2"]}
    assert list(entry["metadata"]) == [*COMMON, "messageIds"]
    assert re.fullmatch(r"Error: batch kaboom\n    at transformBatch \(my batch:3:\d+\)", entry["error"]), entry


def test_throw_batch_metadata_takes_the_first_events_keys_only(load):
    events = [
        {"message": {"messageId": "m-1"}, "metadata": {"sourceId": "src-1", "destinationType": "WEBHOOK"}},
        {"message": {"messageId": "m-2"}, "metadata": {"sourceId": "src-1", "workspaceId": "ws-2", "jobId": 2}},
    ]
    response = load("batch_throw.js").run(events).response
    assert [entry["metadata"] for entry in response] == [
        {"sourceId": "src-1", "destinationType": "WEBHOOK", "messageIds": ["m-1", "m-2"]}
    ]


def test_non_array_return_is_one_400(load):
    response = load("batch_non_array.js").run(EVENTS, metadata=METADATA).response
    assert response == [
        {
            "statusCode": 400,
            "error": "returned events from transformBatch(event) is not an array",
            "metadata": {**COMMON, "messageIds": ["m-1", "m-2"]},
        }
    ]


def test_non_object_element_is_a_400_for_that_element(load):
    response = load("batch_non_object.js").run(EVENTS, metadata=METADATA).response
    assert response == [
        {
            "output": {"type": "track", "event": "keep", "messageId": "m-1"},
            "metadata": {
                "sourceId": "src-1",
                "sourceName": "web",
                "workspaceId": "ws-1",
                "destinationId": "dst-1",
                "destinationType": "WEBHOOK",
                "messageId": "m-1",
                "transformationId": "tr-1",
            },
            "statusCode": 200,
        },
        {
            "statusCode": 400,
            "error": "returned event in events array from transformBatch(events) is not an object",
            "metadata": {**COMMON, "messageIds": ["m-1", "m-2"]},
        },
    ]


def test_outputs_keep_projected_metadata_missing_inputs_are_298_new_outputs_get_a_new_message_id(load):
    result = load("batch_metadata.js").run(EVENTS, metadata=METADATA, new_message_id=lambda: "NEW")
    assert result.response == [
        {"statusCode": 298, "metadata": {**METADATA, "messageId": "m-2", "messageIds": None}},
        {
            "output": {"type": "track", "event": "keep", "messageId": "m-1", "seen": True},
            # metadata(event): the 29-field projection, so `extra` is gone.
            "metadata": {
                "sourceId": "src-1",
                "sourceName": "web",
                "workspaceId": "ws-1",
                "destinationId": "dst-1",
                "destinationType": "WEBHOOK",
                "messageId": "m-1",
                "transformationId": "tr-1",
            },
            "statusCode": 200,
        },
        {
            "output": {"type": "track", "event": "Created In Batch"},
            "metadata": {
                **METADATA,
                "messageId": "NEW",
                "eventName": "Created In Batch",
                "eventType": "track",
            },
            "statusCode": 200,
        },
    ]
    assert "extra" not in result.response[1]["metadata"]
