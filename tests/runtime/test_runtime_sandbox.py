"""Rules 25-33: the sandbox's globals (metadata, log, getCredential), time zone, grouping and credentials."""

from __future__ import annotations

import time
from pathlib import Path

from generator import fixtures
from generator.runtime import CannedResponse, Transformation

METADATA_FIELDS = [
    "sourceId", "sourceName", "workspaceId", "sourceType", "sourceCategory", "destinationId",
    "destinationType", "destinationName", "namespace", "originalSourceId", "trackingPlanId",
    "trackingPlanVersion", "sourceTpConfig", "mergedTpConfig", "jobId", "sourceJobId",
    "sourceJobRunId", "sourceTaskRunId", "recordId", "messageId", "messageIds", "rudderId",
    "receivedAt", "eventName", "eventType", "sourceDefinitionId", "destinationDefinitionId",
    "transformationId", "transformationVersionId",
]  # fmt: skip


def test_metadata_of_an_event_is_the_29_field_projection(load):
    every_field = {name: f"value of {name}" for name in METADATA_FIELDS if name != "messageId"}
    every_field["mergedTpConfig"] = {"nested": [1, 2]}
    every_field["jobId"] = 42
    given = {**every_field, "extra": "not in the projection"}
    response = load("metadata_fn.js").run([{"messageId": "m-1"}], metadata=given).response
    assert len(response) == 1
    own = response[0]["output"]["own"]
    assert own == {**every_field, "messageId": "m-1"}
    assert list(own) == METADATA_FIELDS
    assert response[0]["output"]["none"] == {}


def test_metadata_projection_drops_undefined_fields(load):
    response = load("metadata_fn.js").run([{"messageId": "m-1"}], metadata={"sourceId": "src-1"}).response
    assert response[0]["output"] == {"own": {"sourceId": "src-1", "messageId": "m-1"}, "none": {}}


def test_log_lines_only_in_test_mode(load):
    transformation = load("log.js")
    assert transformation.run([{"messageId": "m-1"}], test_mode=True).logs == ['Log: seen 1 {"a":1} null undefined']
    quiet = transformation.run([{"messageId": "m-1"}])
    assert quiet.logs == []
    assert quiet.response == [{"output": {"messageId": "m-1"}, "metadata": {"messageId": "m-1"}, "statusCode": 200}]


def test_get_credential_reads_the_credentials(load):
    response = load("credentials.js").run([{"messageId": "m-1"}], credentials={"k": "v"}).response
    assert [entry["output"] for entry in response] == [
        {
            "messageId": "m-1",
            "k": "v",
            "unknownIsUndefined": True,
            "missingKey": "TypeError: Key should be valid and defined",
        }
    ]


def test_get_credential_reads_a_fixture_files_credentials(tmp_path: Path):
    transformation = Path(__file__).parent / "transformations" / "credentials.js"
    fixture = tmp_path / "credentials.fixture.yaml"
    fixture.write_text(
        f"transformation: {transformation}\n"
        "credentials: {k: v}\n"
        "cases:\n"
        "  - name: credentials\n"
        "    event: {messageId: m-1}\n"
        "    expect:\n"
        "      match: {k: v}\n",
        encoding="utf-8",
    )
    (case,) = fixtures.load(fixture)
    outcome = fixtures.run_case(case)
    assert outcome.passed, outcome.report


def test_local_time_is_utc_whatever_the_process_time_zone(load, monkeypatch):
    monkeypatch.setenv("TZ", "EST5")  # POSIX form: UTC-5, needs no tz database
    time.tzset()
    try:
        response = load("timezone.js").run([{"messageId": "m-1"}]).response
    finally:
        monkeypatch.undo()
        time.tzset()
    assert response[0]["output"] == {"local": "2024-01-02T03:04:05.000Z"}


def test_groups_by_destination_and_source_repeat_every_entry_once_per_group(load):
    events = [
        {"message": {"event": "A", "messageId": "m-1"}, "metadata": {"destinationId": "d-1", "sourceId": "s-1"}},
        {"message": {"event": "B", "messageId": "m-2"}, "metadata": {"destinationId": "d-2", "sourceId": "s-1"}},
        {"message": {"event": "C", "messageId": "m-3"}, "metadata": {"destinationId": "d-1", "sourceId": "s-1"}},
    ]
    response = load("identity.js").run(events).response
    group_1 = [
        {
            "output": {"event": "A", "messageId": "m-1"},
            "metadata": {"destinationId": "d-1", "sourceId": "s-1", "messageId": "m-1"},
            "statusCode": 200,
        },
        {
            "output": {"event": "C", "messageId": "m-3"},
            "metadata": {"destinationId": "d-1", "sourceId": "s-1", "messageId": "m-3"},
            "statusCode": 200,
        },
    ]
    group_2 = [
        {
            "output": {"event": "B", "messageId": "m-2"},
            "metadata": {"destinationId": "d-2", "sourceId": "s-1", "messageId": "m-2"},
            "statusCode": 200,
        },
    ]
    assert response == (group_1 + group_2) * 2


def test_one_group_is_answered_once(load):
    events = [{"messageId": "m-1"}, {"messageId": "m-2"}]
    response = load("identity.js").run(events, metadata={"destinationId": "d-1", "sourceId": "s-1"}).response
    assert [entry["metadata"]["messageId"] for entry in response] == ["m-1", "m-2"]


def test_credentials_come_from_the_first_event_of_a_group(load):
    def item(message_id: str, destination: str, value: str) -> dict[str, object]:
        return {
            "message": {"messageId": message_id},
            "metadata": {"destinationId": destination, "sourceId": "s-1"},
            "credentials": [{"key": "k", "value": value, "isSecret": False}],
        }

    events = [item("m-1", "d-1", "first"), item("m-2", "d-1", "second"), item("m-3", "d-2", "third")]
    response = load("credentials.js").run(events).response
    seen = {entry["output"]["messageId"]: entry["output"].get("k") for entry in response}
    assert seen == {"m-1": "first", "m-2": "first", "m-3": "third"}


def test_canned_response_keys_are_normalized_like_request_urls():
    program = Transformation(
        'export async function transformEvent(e) { return { r: await fetch("https://api.example.com/") }; }'
    )
    canned = {"HTTPS://API.example.com": CannedResponse(body='{"ok": 1}')}
    assert program.run([{"messageId": "m"}], fetch=canned).response[0]["output"] == {"r": {"ok": 1}}
