"""generator.fixtures: loading fixture files, reading error strings, comparing, golden files."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from generator import fixtures

TRANSFORMATIONS = Path(__file__).parent / "transformations"


def write_fixture(directory: Path, body: str, transformation: str = "identity.js") -> Path:
    path = directory / "case.fixture.yaml"
    path.write_text(f"transformation: {TRANSFORMATIONS / transformation}\n" + textwrap.dedent(body), encoding="utf-8")
    return path


def load_error(directory: Path, body: str) -> str:
    path = write_fixture(directory, body)
    with pytest.raises(fixtures.FixtureError) as raised:
        fixtures.load(path)
    return str(raised.value)


# -- load errors ----------------------------------------------------------------------------


def test_load_rejects_an_unknown_file_key(tmp_path):
    message = load_error(tmp_path, "cases: [{event: {messageId: m-1}, expect: {dropped: true}}]\nevnts: []\n")
    assert message.startswith(f"{tmp_path / 'case.fixture.yaml'}:3:1: error: unknown key 'evnts' in the fixture file "
                              "(expected one of: cases, contract, ")


def test_load_rejects_an_unknown_case_key(tmp_path):
    message = load_error(
        tmp_path,
        """\
        cases:
          - name: typo
            event: {messageId: m-1}
            expct: {dropped: true}
        """,
    )
    # Every mistake at once, each at its line and column.
    assert message.splitlines() == [
        f"{tmp_path / 'case.fixture.yaml'}:5:5: error: unknown key 'expct' in case 'typo'; did you mean 'expect'?",
        f"{tmp_path / 'case.fixture.yaml'}:3:5: error: case 'typo': give `expect`, `golden`, or "
        "`customerio`/`people` expectations",
    ]


def test_load_rejects_both_event_and_events(tmp_path):
    message = load_error(
        tmp_path,
        """\
        cases:
          - name: both
            event: {messageId: m-1}
            events: [{messageId: m-2}]
            expect: {dropped: true}
        """,
    )
    where = tmp_path / "case.fixture.yaml"
    assert message == f"{where}:3:5: error: case 'both': give exactly one of `event` or `events`"


def test_load_rejects_an_expectation_count_mismatch(tmp_path):
    message = load_error(
        tmp_path,
        """\
        cases:
          - name: counts
            events: [{messageId: m-1}, {messageId: m-2}]
            expect: [{dropped: true}]
        """,
    )
    assert message == f"{tmp_path / 'case.fixture.yaml'}:5:5: error: case 'counts': 2 event(s) but 1 expectation(s)"


def test_load_rejects_duplicate_message_ids(tmp_path):
    message = load_error(
        tmp_path,
        """\
        cases:
          - name: duplicates
            events: [{messageId: m-1}, {messageId: m-1}]
            expect: [{dropped: true}, {dropped: true}]
        """,
    )
    assert (
        message == f"{tmp_path / 'case.fixture.yaml'}: case 'duplicates': events in one case need distinct messageIds"
    )


# -- parse_error ----------------------------------------------------------------------------


def test_parse_error_reads_a_stack():
    text = "RangeError: deep in helper\n    at helper (my transformation:9:48)\n    at transformEvent (my t:5:47)"
    assert fixtures.parse_error(text) == {"name": "RangeError", "message": "deep in helper", "line": 9}


def test_parse_error_reads_a_syntax_error_location():
    assert fixtures.parse_error("SyntaxError: Unexpected token ';' [my transformation:2:13]") == {
        "name": "SyntaxError",
        "message": "Unexpected token ';'",
        "line": 2,
    }


def test_parse_error_reads_a_bare_message():
    assert fixtures.parse_error("returned event from transformEvent(event) is not an object") == {
        "name": "Error",
        "message": "returned event from transformEvent(event) is not an object",
    }


# -- compare --------------------------------------------------------------------------------


def test_compare_passes_what_matches():
    got = {"output": {"event": "A", "properties": {"n": 1, "extra": True}}}
    assert fixtures.compare({"output": {"event": "A", "properties": {"n": 1, "extra": True}}}, got) == ""
    assert fixtures.compare({"match": {"properties": {"n": 1}}}, got) == ""
    assert fixtures.compare({"dropped": True}, {"dropped": True}) == ""
    assert (
        fixtures.compare({"error": {"name": "TypeError", "line": 3}}, {"error": {"name": "TypeError", "line": 3}}) == ""
    )


def test_compare_output_mismatch_is_a_diff():
    report = fixtures.compare({"output": {"event": "A"}}, {"output": {"event": "B"}})
    assert report.splitlines() == [
        "--- expected",
        "+++ actual",
        "@@ -1,3 +1,3 @@",
        " {",
        '-  "event": "A"',
        '+  "event": "B"',
        " }",
    ]


def test_compare_outputs_mismatch_is_a_diff():
    report = fixtures.compare({"outputs": [{"n": 1}, {"n": 2}]}, {"outputs": [{"n": 1}, {"n": 3}]})
    assert report.startswith("--- expected\n+++ actual\n")
    assert '-    "n": 2' in report.splitlines()
    assert '+    "n": 3' in report.splitlines()


def test_compare_match_mismatch_shows_only_the_keys_asked_for():
    report = fixtures.compare({"match": {"event": "A", "gone": 1}}, {"output": {"event": "B", "other": 2}})
    lines = report.splitlines()
    assert '-  "event": "A",' in lines
    assert '+  "event": "B",' in lines
    assert '+  "gone": "<missing>"' in lines
    assert not any("other" in line for line in lines)


def test_compare_missing_asks_for_an_absent_key():
    got = {"output": {"event": "A", "userId": "null"}}
    assert fixtures.compare({"match": {"event": "A", "anonymousId": "<missing>"}}, got) == ""
    report = fixtures.compare({"match": {"userId": "<missing>"}}, got)
    assert '-  "userId": "<missing>"' in report.splitlines()
    assert '+  "userId": "null"' in report.splitlines()


def test_compare_match_checks_every_output_not_only_up_to_the_first_absent_key():
    # An absent key asked for with a value shows the same on both sides of a diff; the
    # outputs after it must still be compared, and the case must still fail.
    got = {"outputs": [{"type": "identify"}, {"type": "track", "userId": "null"}]}
    assert fixtures.compare({"match": [{"userId": "u"}, {"type": "track"}]}, got) != ""
    report = fixtures.compare({"match": [{"type": "identify"}, {"userId": "<missing>"}]}, got)
    assert report.startswith("output 2 of 2:")


def test_compare_dropped_mismatch():
    report = fixtures.compare({"dropped": True}, {"output": {"event": "A"}})
    assert report.startswith("expected the event to be dropped, got output:")


def test_compare_error_expected_but_output():
    report = fixtures.compare({"error": {"name": "TypeError"}}, {"output": {"event": "A"}})
    assert report.startswith('expected an error {\n  "name": "TypeError"\n}, got output:')


def test_compare_error_mismatch_is_a_diff_of_the_differing_fields():
    report = fixtures.compare(
        {"error": {"name": "TypeError", "message": "boom", "line": 3}},
        {"error": {"name": "TypeError", "message": "boom", "line": 4}},
    )
    assert report.splitlines() == [
        "--- expected",
        "+++ actual",
        "@@ -1,3 +1,3 @@",
        " {",
        '-  "line": 3',
        '+  "line": 4',
        " }",
    ]


def test_compare_error_string_is_parsed():
    got = {"error": {"name": "Error", "message": "kaboom", "line": 3}}
    assert fixtures.compare({"error": "Error: kaboom\n    at transformEvent (t.js:3:9)"}, got) == ""
    assert fixtures.compare({"error": "Error: kaboom\n    at transformEvent (t.js:4:9)"}, got) != ""


def test_compare_output_expected_but_error():
    report = fixtures.compare({"output": {"event": "A"}}, {"error": {"name": "Error", "message": "x"}})
    assert report.startswith("expected output, got an error {")


# -- golden files ---------------------------------------------------------------------------


GOLDEN_CASE = """\
cases:
  - name: kept in a golden file
    events: [{event: keep, messageId: m-1}, {event: drop-null, messageId: m-2}]
    golden: golden/kept.json
"""


def test_missing_golden_fails_and_says_how_to_write_it(tmp_path):
    (case,) = fixtures.load(write_fixture(tmp_path, GOLDEN_CASE, "drop.js"))
    outcome = fixtures.run_case(case)
    assert not outcome.passed
    assert "gen test --update" in outcome.report
    assert str(tmp_path / "golden" / "kept.json") in outcome.report


def test_update_writes_the_golden_then_the_case_passes(tmp_path):
    (case,) = fixtures.load(write_fixture(tmp_path, GOLDEN_CASE, "drop.js"))
    outcome = fixtures.run_case(case, update=True)
    assert outcome.passed
    assert outcome.updated
    golden = tmp_path / "golden" / "kept.json"
    assert json.loads(golden.read_text(encoding="utf-8")) == {
        "expect": [{"output": {"event": "keep", "messageId": "m-1"}}, {"dropped": True}]
    }
    again = fixtures.run_case(case)
    assert again.passed, again.report
    assert not again.updated


def test_golden_that_no_longer_matches_fails(tmp_path):
    (case,) = fixtures.load(write_fixture(tmp_path, GOLDEN_CASE, "drop.js"))
    golden = tmp_path / "golden" / "kept.json"
    golden.parent.mkdir()
    golden.write_text(json.dumps({"expect": [{"output": {"event": "other", "messageId": "m-1"}}, {"dropped": True}]}))
    outcome = fixtures.run_case(case)
    assert not outcome.passed
    assert outcome.report.splitlines() == [
        "event 1 (keep m-1):",
        "    --- expected",
        "    +++ actual",
        "    @@ -1,4 +1,4 @@",
        "     {",
        '    -  "event": "other",',
        '    +  "event": "keep",',
        '       "messageId": "m-1"',
        "     }",
    ]
