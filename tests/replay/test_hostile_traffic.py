"""gen replay on traffic real clients send and runs that go wrong: the report still adds up."""

from __future__ import annotations

import json
from importlib import util
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.replay import report, run, worker
from generator.replay.worker import Job

IDENTITY = "export function transformEvent(event) { return event; }\n"
# Drops `drop`, throws on `throw`, fans `fan` out into two events.
MIXED = """export function transformEvent(event) {
  if (event.event === 'drop') return null;
  if (event.event === 'throw') throw new Error('kaboom');
  if (event.event === 'fan') return [event, { ...event, event: 'fan copy' }];
  return event;
}
"""


def _replay(tmp_path: Path, code: str, events: list[dict[str, Any]] | str, *flags: str,
            out: str = "out") -> tuple[Any, Path]:
    (tmp_path / "t.js").write_text(code, encoding="utf-8")
    source = tmp_path / "in.ndjson"
    source.write_text(events if isinstance(events, str) else "".join(json.dumps(e) + "\n" for e in events),
                      encoding="utf-8")
    target = tmp_path / out
    result = CliRunner().invoke(main, ["replay", str(tmp_path / "t.js"), str(source), "--out", str(target),
                                       "--workers", "1", "--engine", "quickjs", *flags])
    return result, target


def _summary(out: Path) -> dict[str, Any]:
    summary: dict[str, Any] = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return summary


def test_a_lone_surrogate_is_reported_not_fatal(tmp_path: Path) -> None:
    # Client SDKs that cut a string inside an emoji send half of a surrogate pair.
    text = '{"type": "track", "event": "Cart\\ud83d", "anonymousId": "a\\udc00", "properties": {"\\ud800": 1}}\n'
    result, out = _replay(tmp_path, IDENTITY, text, "--outputs")
    assert result.exit_code == 0, result.output
    assert _summary(out)["delivered"] == 1
    con = duckdb.connect(str(out / "replay.duckdb"), read_only=True)
    assert con.execute("SELECT event, anonymous_id, property_keys FROM outputs").fetchone() == (
        "Cart\ufffd", "a\ufffd", ["\ufffd"])
    # The transformed event keeps the surrogate, escaped as JSON.stringify writes it.
    assert '"Cart\\ud83d"' in (out / "transformed.ndjson").read_text(encoding="utf-8")


@pytest.mark.parametrize("batch_size", ["1", "2", "200"])
def test_repeated_message_ids_count_once_per_input_event(tmp_path: Path, batch_size: str) -> None:
    events = [{"type": "track", "event": "ok", "anonymousId": "a", "messageId": "dup"},
              {"type": "track", "event": "ok", "anonymousId": "a", "messageId": "dup"},
              {"type": "track", "event": "ok", "anonymousId": "a", "messageId": "one"},
              *({"type": "track", "event": "drop", "anonymousId": "a", "messageId": "d1"} for _ in range(3)),
              {"type": "track", "event": "fan", "anonymousId": "a", "messageId": "f"},
              {"type": "track", "event": "throw", "anonymousId": "a", "messageId": "t"}]
    result, out = _replay(tmp_path, MIXED, events, "--batch-size", batch_size)
    assert result.exit_code == 0, result.output
    summary = _summary(out)
    assert (summary["events_in"], summary["delivered"], summary["filtered"], summary["failed"]) == (8, 4, 3, 1)
    figures = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert figures["filtered"] == [{"event": "drop", "reason": "not given", "count": 3, "examples": ["d1"]}]
    # A fanned-out event is one example, not one per output.
    volume = {v["event"]: v["outputs"] for v in figures["volume"]}
    assert volume == {"ok": 3, "fan": 1, "fan copy": 1}


def test_fail_on_names_are_checked_before_the_replay(tmp_path: Path) -> None:
    for flags, says in ((["--fail-on", "failures>0"], "no metric 'failures'"),
                        (["--fail-on", "customerio_ghost>0"], "it needs --destination customerio")):
        result, out = _replay(tmp_path, IDENTITY, [{"type": "track", "event": "e"}], *flags)
        assert result.exit_code == 2 and says in result.output
        assert not out.exists()
    with pytest.raises(ValueError, match="known: events_in, outputs"):
        report.parse_condition("nope>1", report.METRICS)


def test_every_metric_fail_on_accepts_is_in_the_summary(tmp_path: Path) -> None:
    result, out = _replay(tmp_path, IDENTITY, [{"type": "track", "event": "e", "userId": "u"}],
                          "--destination", "customerio")
    assert result.exit_code == 0, result.output
    numeric = {k for k, v in _summary(out).items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    assert numeric == set(report.METRICS) | set(report.CUSTOMERIO_METRICS)


def test_an_earlier_runs_files_never_mix_with_this_one(tmp_path: Path) -> None:
    event = {"type": "track", "event": "e", "anonymousId": "a"}
    result, out = _replay(tmp_path, IDENTITY, [event] * 3, "--outputs")
    assert result.exit_code == 0 and (out / "transformed.ndjson").exists()
    result, out = _replay(tmp_path, IDENTITY, [event] * 2)
    assert result.exit_code == 0 and not (out / "transformed.ndjson").exists()
    assert _summary(out)["events_in"] == 2
    # A missing input stops the run before it touches DIR.
    result = CliRunner().invoke(main, ["replay", str(tmp_path / "t.js"), str(tmp_path / "in.ndjson"),
                                       str(tmp_path / "missing.json"), "--out", str(out)])
    assert result.exit_code == 2 and "missing.json: no such file" in result.output
    assert _summary(out)["events_in"] == 2 and (out / "report.md").exists()


def test_failed_requests_and_harness_warnings_are_explained(tmp_path: Path) -> None:
    circular = ("export function transformEvent(event) {\n  if (event.event === 'loop') event.self = event;\n"
                "  return event;\n}\n")
    result, out = _replay(tmp_path, circular, [{"type": "track", "event": "loop", "messageId": "m1"},
                                               {"type": "track", "event": "ok", "messageId": "m2"}])
    assert result.exit_code == 0, result.output
    figures = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert figures["summary"]["request_failures"] == 1
    assert figures["request_failures"] == [{"error": "TypeError: Converting circular structure to JSON",
                                            "requests": 1, "events": 2, "examples": ["m1", "m2"]}]
    assert "| TypeError: Converting circular structure to JSON | 1 | 2 | m1, m2 |" in (
        out / "report.md").read_text(encoding="utf-8")


def test_names_from_traffic_cannot_inject_markdown_or_html(tmp_path: Path) -> None:
    names = ["line\n\n## Injected heading\n| x | y |", "![img](https://evil.example/i.png) [a](https://e.x)",
             "<script>alert(1)</script> `code` *b* _i_ &amp;", "pipe|back\\slash"]
    result, out = _replay(tmp_path, IDENTITY, [{"type": "track", "event": n, "anonymousId": "a"} for n in names])
    assert result.exit_code == 0, result.output
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "\n## Injected" not in markdown and "![img]" not in markdown and "<script>" not in markdown
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "<img" not in page and "<a " not in page and "<code>" not in page
    # The page shows each name as it was sent (its line breaks as spaces).
    for name in ("line ## Injected heading | x | y |", "![img](https://evil.example/i.png) [a](https://e.x)",
                 "&lt;script&gt;alert(1)&lt;/script&gt; `code` *b* _i_ &amp;amp;", "pipe|back\\slash"):
        assert f"<td>{name}</td>" in page


def test_a_worker_that_dies_leaves_a_partial_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    answer = worker.run_request

    def dies_on_the_third(job: Job, index: int, items: list[dict[str, Any]]) -> Any:
        if index == 2:
            raise RuntimeError("gen's V8 host stopped unexpectedly")
        return answer(job, index, items)

    monkeypatch.setattr(run, "run_request", dies_on_the_third)
    result, out = _replay(tmp_path, IDENTITY, [{"type": "track", "event": "e", "anonymousId": "a"}] * 10,
                          "--batch-size", "3")
    assert result.exit_code == 3
    assert "the replay stopped early: gen's V8 host stopped unexpectedly; the report covers the 6 events" in (
        result.output)
    summary = _summary(out)
    assert summary["events_in"] == 6 and summary["stopped"] == "gen's V8 host stopped unexpectedly"
    assert "**Stopped early**" in (out / "report.md").read_text(encoding="utf-8")


def test_options_that_would_mislead_are_refused(tmp_path: Path) -> None:
    (tmp_path / "md.json").write_text('{"messageId": "same", "sourceId": "s"}', encoding="utf-8")
    result, _ = _replay(tmp_path, IDENTITY, [{"type": "track", "event": "e"}], "--metadata", str(tmp_path / "md.json"))
    assert result.exit_code == 2 and "--metadata must not set messageId" in result.output
    (tmp_path / "cio.json").write_text('{"siteID": "s"}', encoding="utf-8")
    result, _ = _replay(tmp_path, IDENTITY, [{"type": "track", "event": "e"}], "--destination-config",
                        str(tmp_path / "cio.json"))
    assert result.exit_code == 2 and "--destination-config needs --destination customerio" in result.output


EXAMPLE = Path(__file__).resolve().parents[1] / "contract" / "cases" / "example" / "contract.yaml"


def _example_replay(tmp_path: Path, events: list[dict[str, Any]], *flags: str) -> tuple[Any, dict[str, Any]]:
    from generator.contract import compile_contract

    code = compile_contract(EXAMPLE.read_text(encoding="utf-8"), "contract.yaml").files["transformation.js"]
    result, out = _replay(tmp_path, code, events, "--contract", str(EXAMPLE), *flags)
    assert result.exit_code in (0, 1), result.output
    return result, json.loads((out / "report.json").read_text(encoding="utf-8"))


def _track(message_id: str, event: str, properties: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"type": "track", "messageId": message_id, "event": event, "properties": properties,
            "timestamp": "2026-11-29T10:00:00Z", "receivedAt": "2026-11-29T10:00:01Z", **fields}


def test_figures_count_input_events_not_their_line_items(tmp_path: Path) -> None:
    """An order whose 3 products lack a quantity is one event with violations, not 4 outputs with 6 labels."""
    products = [{"product_id": f"P{i}", "price": 10} for i in range(3)]
    events = [_track(f"o{i}", "Order Completed", {"order_id": f"O{i}", "revenue": 30, "currency": "USD",
                                                  "products": products}, userId="cus_1") for i in range(2)]
    events += [_track(f"v{i}", "Product Viewed", {"product_id": "P", "price": 1, "url": "https://s/"},
                      userId="cus_1") for i in range(6)]
    result, figures = _example_replay(tmp_path, events, "--fail-on", "violations>30%")
    summary = figures["summary"]
    assert summary["outputs"] == 2 * 4 + 6 and summary["violations"] == 2
    assert result.exit_code == 0  # 2 of 8 events: 25%, whatever the 6 line items carry
    labels = {v["label"]: v["count"] for v in figures["violations"]}
    # The order's products[] and its line items' own quantity are told apart; each counts events.
    assert labels["Required-Missing:products[].quantity"] == 2
    assert labels["Required-Missing:quantity"] == 2


def test_completeness_does_not_count_null_or_placeholder_values(tmp_path: Path) -> None:
    urls = ["", None, "null", "https://s/p", " NaN ", "https://s/q"]
    events = [_track(f"v{i}", "Product Viewed", {"product_id": "P", "price": 5, "url": url, "brand": None},
                     userId="cus_1") for i, url in enumerate(urls)]
    _, figures = _example_replay(tmp_path, events)
    shares = {c["property"]: c["share"] for c in figures["completeness"] if c["event"] == "Product Viewed"}
    assert shares["url"] == round(2 / 6, 4)
    assert shares["brand"] == 0  # declared, and sent as null by every event


def test_stitched_guests_are_counted_by_the_identify_sent_for_them(tmp_path: Path) -> None:
    order = {"order_id": "O1", "revenue": 10, "currency": "USD", "products": [{"product_id": "P1", "price": 10,
                                                                               "quantity": 1}]}
    events = [_track("g1", "Order Completed", order, anonymousId="anon-g",
                     context={"traits": {"email": "guest@mail.example"}}),
              _track("g2", "Order Completed", {**order, "order_id": "O2"}, userId="cus_1")]
    _, figures = _example_replay(tmp_path, events)
    assert figures["identity"]["stitched"] == 1


def test_pages_and_tracks_of_one_name_stay_apart(tmp_path: Path) -> None:
    events = [{"type": "page", "name": "Cart", "anonymousId": "a", "messageId": "p"},
              {"type": "track", "event": "Cart", "anonymousId": "a", "messageId": "t"},
              {"type": "identify", "userId": "u", "messageId": "i"}]
    result, out = _replay(tmp_path, IDENTITY, events)
    assert result.exit_code == 0, result.output
    volume = {v["event"]: v["outputs"] for v in json.loads((out / "report.json").read_text(encoding="utf-8"))["volume"]}
    assert volume == {"(page: Cart)": 1, "Cart": 1, "(identify)": 1}


def test_customerio_warnings_name_their_events(tmp_path: Path) -> None:
    events = [{"type": "track", "event": 5, "userId": "u", "messageId": "bad-name"}]
    result, out = _replay(tmp_path, IDENTITY, events, "--destination", "customerio")
    assert result.exit_code == 0, result.output
    figures = json.loads((out / "report.json").read_text(encoding="utf-8"))
    rejected = [w for w in figures["customerio"]["warnings"] if w["kind"] == "rejected"]
    assert rejected and all("bad-name" in example for example in rejected[0]["examples"])


def test_the_blank_check_fast_path_sees_every_invisible_character() -> None:
    """_carried skips its regex for printable text: that is only right if no invisible character is printable."""
    assert not [hex(c) for c in range(0x110000) if worker._INVISIBLE.match(chr(c)) and chr(c).isprintable()]
    for blank in ("", " NaN ", "n\u200bull", "\u00a0null\u00a0", "UNDEFINED", "\ufeffnull"):
        assert not worker._carried(blank)
    for value in ("x", "nullx", 0, False, [], {}, "n" * 65):
        assert worker._carried(value)


def test_an_event_too_deep_for_pickle_is_answered_in_the_main_process(tmp_path: Path) -> None:
    """An event thousands of levels deep (RudderStack times it out) must not stop a parallel replay."""
    nested: dict[str, Any] = {}
    for _ in range(2600):
        nested = {"a": nested}
    plain = {"type": "track", "event": "ok", "anonymousId": "a"}
    lines = [json.dumps(plain)] * 5 + [_deep_event_text(nested)] + [json.dumps(plain)] * 5
    source = tmp_path / "in.ndjson"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = []
    executors = [(1, "local"), (2, "local")] + ([(2, "dask")] if util.find_spec("distributed") else [])
    for workers, executor in executors:
        out = tmp_path / f"out{workers}{executor}"
        progress, _, _ = run.replay(Job(IDENTITY, "t.js"), [str(source)], out, workers=workers, batch_size=2,
                                    executor=executor)
        assert progress.stopped is None and progress.events == 11
        rows.append(sorted((out / "outputs.ndjson").read_text(encoding="utf-8").splitlines()))
    assert all(other == rows[0] for other in rows[1:])
    assert [json.loads(line)["status"] for line in rows[0]].count(400) == 2  # its request times out


def _deep_event_text(nested: dict[str, Any]) -> str:
    """The deep event as JSON text, written without recursion."""
    from generator.runtime import jsvalues

    return jsvalues.dumps({"type": "track", "event": "deep", "anonymousId": "a", "messageId": "deep",
                           "properties": nested})


def test_the_customerio_calls_are_counted(tmp_path: Path) -> None:
    events = [{"type": "identify", "userId": "u", "traits": {"email": "u@x.co"}, "messageId": "i"},
              {"type": "track", "event": "Bought", "userId": "u", "messageId": "t1"},
              {"type": "track", "event": "Bought", "userId": "u", "messageId": "t2"},
              {"type": "page", "name": "Home", "userId": "u", "messageId": "p"},
              {"type": "track", "event": 5, "userId": "u", "messageId": "bad"}]
    # The refusal is in the calls table, and not among the calls that reach Customer.io.
    result, out = _replay(tmp_path, IDENTITY, events, "--destination", "customerio", "--fail-on", "customerio_calls>3")
    assert result.exit_code == 1 and "customerio_calls is 4" in result.output
    calls = json.loads((out / "report.json").read_text(encoding="utf-8"))["customerio"]["calls"]
    assert {(c["kind"], c["method"], c["status"], c["count"]) for c in calls} == {
        ("track", "POST", 200, 2), ("identify", "PUT", 200, 1), ("page", "POST", 200, 1), ("error", "", 400, 1)}


def test_a_scheduler_without_dask_is_refused(tmp_path: Path) -> None:
    result, out = _replay(tmp_path, IDENTITY, [{"type": "track", "event": "e"}], "--scheduler", "tcp://127.0.0.1:1")
    assert result.exit_code == 2 and "--scheduler needs --executor dask" in result.output and not out.exists()


THROWS = "export function transformEvent(event) { throw new Error('boom'); }\n"
# Returns every event under a messageId of its own: RudderStack answers the input's id with a
# 298 and the output carries a new id, so the output names no input event.
RENAMES = ("export function transformBatch(events, metadata) {\n"
           "  return events.map((e) => ({ event: { ...e, messageId: undefined }, metadata: {} }));\n}\n")


def test_a_null_message_id_is_counted_and_crashes_nothing(tmp_path: Path) -> None:
    events = [{"type": "track", "event": "x", "messageId": None, "anonymousId": "a"},
              {"type": "track", "event": "y", "messageId": "m", "anonymousId": "a"}]
    result, out = _replay(tmp_path, THROWS, events)
    assert result.exit_code == 0, result.output
    summary = _summary(out)
    assert (summary["events_in"], summary["failed"]) == (2, 2)
    errors = json.loads((out / "report.json").read_text(encoding="utf-8"))["errors"]
    assert errors == [{"error": "Error: boom", "count": 2, "examples": ["m"]}]


def test_outputs_that_name_no_input_event_are_counted_apart(tmp_path: Path) -> None:
    events = [{"type": "track", "event": "x", "messageId": f"m{i}", "anonymousId": "a"} for i in range(3)]
    result, out = _replay(tmp_path, RENAMES, events, "--fail-on", "untraced_outputs>=3")
    assert result.exit_code == 1, result.output
    summary = _summary(out)
    assert (summary["events_in"], summary["outputs"], summary["untraced_outputs"]) == (3, 3, 3)
    assert summary["delivered"] == 0 and summary["filtered"] == 3  # what rudder-server's answer says


def test_drop_reasons_are_found_under_javascripts_string_of_the_id(tmp_path: Path) -> None:
    from generator.contract import compile_contract

    code = compile_contract(EXAMPLE.read_text(encoding="utf-8"), "contract.yaml").files["transformation.js"]
    events = [{"type": "track", "event": "Product Viewed", "messageId": mid, "properties": {"price": 1}}
              for mid in (True, 7.0, 1.5, "s")]
    result, out = _replay(tmp_path, code, events)
    assert result.exit_code == 0, result.output
    con = duckdb.connect(str(out / "replay.duckdb"), read_only=True)
    reasons = dict(con.execute("SELECT message_id, reason FROM outputs WHERE status = 298").fetchall())
    assert set(reasons) == {"true", "7", "1.5", "s"}
    assert all(reason.startswith("no-person") for reason in reasons.values())


def test_fail_on_refuses_a_share_of_what_is_not_events(tmp_path: Path) -> None:
    result, _ = _replay(tmp_path, IDENTITY, [{"type": "track", "event": "e"}], "--fail-on", "request_failures>5%")
    assert result.exit_code == 2 and "request_failed_events is" in result.output
    circular = "export function transformEvent(event) { event.self = event; return event; }\n"
    result, _ = _replay(tmp_path, circular, [{"type": "track", "event": "e"}] * 4, "--fail-on",
                        "request_failed_events>=100%", out="out2")
    assert result.exit_code == 1 and "request_failed_events is 100.00%" in result.output
