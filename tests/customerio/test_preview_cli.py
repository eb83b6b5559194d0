"""`gen preview` from the command line: formats, settings, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from generator.cli import main

CASES = Path(__file__).parent / "cases"
PASSTHROUGH = str(CASES / "passthrough.js")
KNOWN = [
    {"type": "identify", "userId": "cus_1", "messageId": "m-1", "timestamp": "2026-11-29T09:00:00Z",
     "traits": {"email": "jo@example.com", "address": {"city": "Turin"}}},
    {"type": "track", "event": "Order Completed", "userId": "cus_1", "messageId": "m-2",
     "timestamp": "2026-11-29T09:01:00Z", "properties": {"order_id": "o-1"}},
]


def _events(tmp_path: Path, events: list[dict]) -> str:
    path = tmp_path / "events.json"
    path.write_text(json.dumps(events), encoding="utf-8")
    return str(path)


def test_json_lists_each_call_like_the_router_output(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["preview", PASSTHROUGH, _events(tmp_path, KNOWN)])
    assert result.exit_code == 0, result.output
    calls = json.loads(result.stdout)
    assert calls == [
        {"messageIds": ["m-1"], "statusCode": 200, "method": "PUT",
         "endpoint": "https://track.customer.io/api/v1/customers/cus_1",
         "body": {"city": "Turin", "email": "jo@example.com", "_timestamp": 1795942800}, "stage": "destination"},
        {"messageIds": ["m-2"], "statusCode": 200, "method": "POST",
         "endpoint": "https://track.customer.io/api/v1/customers/cus_1/events",
         "body": {"data": {"order_id": "o-1"}, "name": "Order Completed", "type": "event", "timestamp": 1795942860},
         "stage": "destination"},
    ]


def test_config_selects_the_eu_data_center_and_a_device_token_event(tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"siteID": "s", "apiKey": "k", "datacenter": "EU",
                                  "deviceTokenEventName": "Push Token"}), encoding="utf-8")
    events = [{"type": "track", "event": "Push Token", "userId": "cus_1", "messageId": "m-3",
               "timestamp": "2026-11-29T09:00:00Z", "context": {"device": {"token": "tok", "type": "iOS"}}}]
    result = CliRunner().invoke(main, ["preview", PASSTHROUGH, _events(tmp_path, events), "--config", str(config)])
    assert result.exit_code == 0, result.output
    (call,) = json.loads(result.stdout)
    assert call["method"] == "PUT"
    assert call["endpoint"] == "https://track-eu.customer.io/api/v1/customers/cus_1/devices"
    assert call["body"] == {"device": {"id": "tok", "last_used": 1795942800, "platform": "ios"}}


def test_a_refused_event_is_an_error_entry_a_warning_and_exit_1(tmp_path: Path) -> None:
    events = [{"type": "identify", "anonymousId": "a-1", "messageId": "m-4", "traits": {"plan": "pro"}}]
    result = CliRunner().invoke(main, ["preview", PASSTHROUGH, _events(tmp_path, events)])
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [{"messageIds": ["m-4"], "statusCode": 400,
                                          "error": "userId or email is not present", "stage": "destination"}]
    assert "gen: warning: rejected:" in result.stderr


def test_people_table_and_html(tmp_path: Path) -> None:
    source = _events(tmp_path, KNOWN)
    people = CliRunner().invoke(main, ["preview", PASSTHROUGH, source, "--people"])
    assert json.loads(people.stdout)["people"][0]["key"] == "id:cus_1"
    table = CliRunner().invoke(main, ["preview", PASSTHROUGH, source, "--format", "table", "--people"])
    assert "id:cus_1" in table.stdout and "email = jo@example.com   (set by m-1)" in table.stdout
    out = tmp_path / "preview.html"
    page = CliRunner().invoke(main, ["preview", PASSTHROUGH, source, "--format", "html", "--out", str(out)])
    assert page.exit_code == 0 and page.stdout == ""
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "<script" not in text and "http-equiv" not in text
    assert "Order Completed" in text and "jo@example.com" in text


def test_a_config_that_is_not_an_object_is_a_usage_error(tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text("[1]", encoding="utf-8")
    result = CliRunner().invoke(main, ["preview", PASSTHROUGH, _events(tmp_path, KNOWN), "--config", str(config)])
    assert result.exit_code == 2 and "--config must hold an object" in result.output
