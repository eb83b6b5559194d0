"""The `gen run` and `gen test` commands, through click's test runner."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.runtime import v8

TRANSFORMATIONS = Path(__file__).parent / "transformations"


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_gen_run_prints_the_response(tmp_path):
    events = write(tmp_path / "events.json", '[{"type": "track", "event": "A", "messageId": "m-1"}]')
    result = CliRunner().invoke(main, ["run", str(TRANSFORMATIONS / "identity.js"), str(events)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {
            "output": {"type": "track", "event": "A", "messageId": "m-1"},
            "metadata": {"messageId": "m-1"},
            "statusCode": 200,
        }
    ]


def test_gen_run_invalid_json_is_a_one_line_usage_error(tmp_path):
    events = write(tmp_path / "events.json", "not json at all\n")
    result = CliRunner().invoke(main, ["run", str(TRANSFORMATIONS / "identity.js"), str(events)])
    assert result.exit_code == 2
    assert result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert errors == [f"Error: {events}:1:1: invalid JSON: Expecting value"]
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_gen_run_bigint_output_fails_the_request_with_exit_1(tmp_path):
    events = write(tmp_path / "events.json", '[{"messageId": "m-1"}]')
    result = CliRunner().invoke(main, ["run", str(TRANSFORMATIONS / "bigint_output.js"), str(events)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "gen: error: RudderStack's transformer fails this request (HTTP 500): "
        "TypeError: Do not know how to serialize a BigInt"
    ]
    assert "Traceback" not in result.output


def test_gen_run_streams_the_answer_and_keeps_it_json_when_a_later_request_fails(tmp_path):
    """Answers print request by request; a failing request ends the run, and stdout stays one JSON array."""
    lines = [json.dumps({"type": "track", "event": "A", "messageId": f"m-{i}"}) for i in range(5)]
    lines.append(json.dumps({"type": "track", "event": "big", "messageId": "m-big"}))
    events = write(tmp_path / "events.ndjson", "\n".join(lines) + "\n")
    code = write(tmp_path / "t.js", """\
        export function transformEvent(event) {
          return event.event === 'big' ? { ...event, n: 1n } : event;
        }
        """)
    result = CliRunner().invoke(main, ["run", str(code), str(events), "--batch-size", "2"])
    assert result.exit_code == 1
    assert [entry["metadata"]["messageId"] for entry in json.loads(result.stdout)] == [f"m-{i}" for i in range(4)]
    assert result.stderr.splitlines() == [
        "gen: error: RudderStack's transformer fails this request (HTTP 500): "
        "TypeError: Do not know how to serialize a BigInt"
    ]


def fixture_dir(tmp_path: Path) -> Path:
    write(
        tmp_path / "passing.fixture.yaml",
        f"""\
        transformation: {TRANSFORMATIONS / "rename.js"}
        cases:
          - name: renamed
            event: {{event: Original, messageId: m-1}}
            expect:
              match: {{event: Renamed}}
        """,
    )
    write(
        tmp_path / "failing.fixture.yaml",
        f"""\
        transformation: {TRANSFORMATIONS / "rename.js"}
        cases:
          - name: expects the old name
            event: {{event: Original, messageId: m-1}}
            expect:
              match: {{event: Original}}
        """,
    )
    return tmp_path


def test_gen_test_reports_a_diff_and_the_counts(tmp_path):
    result = CliRunner().invoke(main, ["test", str(fixture_dir(tmp_path))])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == f"FAIL {tmp_path / 'failing.fixture.yaml'}::expects the old name"
    assert lines[1:8] == [
        "event 1 (Original m-1):",
        "    --- expected",
        "    +++ actual",
        "    @@ -1,3 +1,3 @@",
        "     {",
        '    -  "event": "Original"',
        '    +  "event": "Renamed"',
    ]
    assert lines[-1] == "1 passed, 1 failed"


def test_gen_test_update_writes_the_golden_file(tmp_path):
    write(
        tmp_path / "golden.fixture.yaml",
        f"""\
        transformation: {TRANSFORMATIONS / "drop.js"}
        cases:
          - name: golden
            events: [{{event: keep, messageId: m-1}}, {{event: drop-null, messageId: m-2}}]
            golden: golden/out.json
        """,
    )
    missing = CliRunner().invoke(main, ["test", str(tmp_path)])
    assert missing.exit_code == 1
    assert missing.stdout.splitlines()[-1] == "0 passed, 1 failed"

    updated = CliRunner().invoke(main, ["test", "--update", str(tmp_path)])
    assert updated.exit_code == 0, updated.output
    assert updated.stdout.splitlines()[-2:] == ["updated 1 expected-output file(s)", "1 passed, 0 failed"]
    assert json.loads((tmp_path / "golden" / "out.json").read_text(encoding="utf-8")) == {
        "expect": [{"output": {"event": "keep", "messageId": "m-1"}}, {"dropped": True}]
    }

    again = CliRunner().invoke(main, ["test", str(tmp_path)])
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[-1] == "1 passed, 0 failed"


@pytest.mark.skipif(not v8.available(), reason="the v8 engine needs Node.js (pip install '.[v8]')")
def test_gen_run_answers_the_same_on_v8(tmp_path):
    events = write(tmp_path / "events.json",
                   '[{"type": "track", "event": "A", "messageId": "m-1"}, {"event": "boom", "messageId": "m-2"}]')
    answers = [
        CliRunner().invoke(main, ["run", str(TRANSFORMATIONS / "throws.js"), str(events), "--engine", engine])
        for engine in ("quickjs", "v8")
    ]
    assert [a.exit_code for a in answers] == [0, 0]
    # QuickJS counts columns its own way (docs/runtime.md); everything else agrees.
    masked = [re.sub(r"js:3:\d+", "js:3:*", a.stdout) for a in answers]
    assert masked[0] == masked[1]
    assert "kaboom for m-2\\n    at transformEvent (throws.js:3:11)" in answers[1].stdout  # V8's own column


def test_gen_run_says_when_the_v8_engine_cannot_start(tmp_path, monkeypatch):
    monkeypatch.setenv("GEN_NODE", str(tmp_path / "no-node-here"))
    events = write(tmp_path / "events.json", '[{"type": "track", "event": "A", "messageId": "m-1"}]')
    result = CliRunner().invoke(main, ["run", str(TRANSFORMATIONS / "identity.js"), str(events), "--engine", "v8"])
    assert result.exit_code == 2
    assert "Invalid value for '--engine'" in result.output and "could not run" in result.output
