"""Rule 34: request_items() builds rudder-server's request items from messages or {message, metadata} items."""

from __future__ import annotations

import pytest

from generator.runtime import request_items


def test_request_items_from_bare_messages_and_envelopes():
    items = request_items(
        [
            {"type": "track"},
            {"message": {"type": "identify", "messageId": "m-2"}, "metadata": {"jobId": 5, "sourceId": "own"}},
            {"type": "page", "messageId": "m-3"},
            {"event": "fourth"},
        ],
        metadata={"sourceId": "common", "destinationId": "dst-1"},
    )
    assert items == [
        {
            "message": {"type": "track", "messageId": "00000000-0000-4000-8000-000000000001"},
            "metadata": {
                "sourceId": "common",
                "destinationId": "dst-1",
                "messageId": "00000000-0000-4000-8000-000000000001",
            },
        },
        {
            "message": {"type": "identify", "messageId": "m-2"},
            "metadata": {"sourceId": "own", "destinationId": "dst-1", "jobId": 5, "messageId": "m-2"},
        },
        {
            "message": {"type": "page", "messageId": "m-3"},
            "metadata": {"sourceId": "common", "destinationId": "dst-1", "messageId": "m-3"},
        },
        {
            "message": {"event": "fourth", "messageId": "00000000-0000-4000-8000-000000000004"},
            "metadata": {
                "sourceId": "common",
                "destinationId": "dst-1",
                "messageId": "00000000-0000-4000-8000-000000000004",
            },
        },
    ]


def test_request_items_carry_credentials_as_rudderstack_key_value_list():
    items = request_items([{"messageId": "m-1"}], credentials={"k": "v"})
    assert items[0]["credentials"] == [{"key": "k", "value": "v", "isSecret": False}]


def test_request_items_do_not_change_the_given_events():
    event = {"type": "track"}
    request_items([event], metadata={"sourceId": "s"})
    assert event == {"type": "track"}


def test_request_items_reject_a_non_object_event():
    with pytest.raises(ValueError, match=r"^event 2 is not a JSON object$"):
        request_items([{"messageId": "m-1"}, ["not", "an", "object"]])
