"""Rules 1-4: what the transformation module must export, and how a module that fails to load answers."""

from __future__ import annotations

import re

import pytest

METADATA = {"sourceId": "src-1", "destinationId": "dst-1", "destinationType": "WEBHOOK", "workspaceId": "ws-1"}
EVENTS = [{"type": "track", "event": "A", "messageId": "m-1"}, {"type": "track", "event": "B", "messageId": "m-2"}]


def whole_run_failure(error: str) -> list[dict[str, object]]:
    """One 400 per input event, with that event's metadata, all with the same error."""
    return [
        {"statusCode": 400, "metadata": {**METADATA, "messageId": "m-1"}, "error": error},
        {"statusCode": 400, "metadata": {**METADATA, "messageId": "m-2"}, "error": error},
    ]


def assert_key_order(response: list[dict[str, object]]) -> None:
    for entry in response:
        assert list(entry) == ["statusCode", "metadata", "error"]


def test_exactly_one_of_transform_event_or_batch_both_exported(load):
    response = load("both_exports.js").run(EVENTS, metadata=METADATA).response
    assert response == whole_run_failure(
        "Error: Expected one of transformEvent,transformBatch. Found transformEvent,transformBatch"
    )
    assert_key_order(response)


@pytest.mark.parametrize("file", ["no_exports.js", "non_function_export.js"])
def test_exactly_one_of_transform_event_or_batch_none_exported(load, file):
    response = load(file).run(EVENTS, metadata=METADATA).response
    assert response == whole_run_failure("Error: Expected one of transformEvent,transformBatch. Found ")
    assert_key_order(response)


def test_syntax_error_fails_every_event_with_name_and_line(load):
    response = load("syntax_error.js", name="my transformation").run(EVENTS, metadata=METADATA).response
    assert len(response) == 2
    error = response[0]["error"]
    assert re.fullmatch(r"SyntaxError: Unexpected token ';' \[my transformation:2:\d+\]", error), error
    assert response == whole_run_failure(error)
    assert_key_order(response)


def test_throw_at_module_top_level_fails_every_event(load):
    response = load("top_level_throw.js").run(EVENTS, metadata=METADATA).response
    assert response == whole_run_failure("TypeError: top")
    assert_key_order(response)


def test_import_of_a_library_fails_every_event(load):
    response = load("import_library.js").run(EVENTS, metadata=METADATA).response
    assert response == whole_run_failure("Error: import from myLibrary failed. Module not found.")
    assert_key_order(response)
