"""The Customer.io people view of gen replay on traffic shaped as RudderStack's SDKs send it.

Each corpus under corpora/ plants one situation (its events are named for what they are);
the figures are what a person counting by hand finds, and none may move with --batch-size.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.contract import compile_contract
from generator.customerio import preview
from generator.replay import run
from generator.runtime import Transformation

ROOT = Path(__file__).resolve().parents[2]
CORPORA = Path(__file__).parent / "corpora"
PEOPLE = ROOT / "tests" / "contract" / "cases" / "people" / "contract.yaml"
PASS_THROUGH = "export function transformEvent(event, metadata) {\n  return event;\n}\n"


def _transformation(tmp_path: Path, code: str | None = None) -> Path:
    path = tmp_path / "t.js"
    if code is None:
        built = compile_contract(PEOPLE.read_text(encoding="utf-8"), "contract.yaml")
        assert built.ok
        code = built.files["transformation.js"]
    path.write_text(code, encoding="utf-8")
    return path


def _replay(tmp_path: Path, corpus: str, *flags: str, code: str | None = None, out: str = "out") -> dict[str, Any]:
    result = CliRunner().invoke(main, ["replay", str(_transformation(tmp_path, code)), str(CORPORA / corpus),
                                       "--out", str(tmp_path / out), "--workers", "1", "--engine", "quickjs",
                                       "--destination", "customerio", *flags])
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads((tmp_path / out / "report.json").read_text(encoding="utf-8"))
    return report


def _people(report: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in report["summary"].items() if k.startswith("customerio_") and k != "customerio_calls"}


def _examples(report: dict[str, Any], kind: str) -> list[str]:
    return next(w["examples"] for w in report["customerio"]["warnings"] if w["kind"] == kind)


def test_a_guest_whose_order_lands_under_a_user_id_is_one_customer_on_two_profiles(tmp_path: Path) -> None:
    # An anonymous cart, an identify with only the email, then the order under the shop's userId.
    report = _replay(tmp_path, "guest_then_userid.ndjson")
    assert report["summary"]["customerio_split"] == 1
    assert _examples(report, "split") == [
        "one anonymousId (anon-g) ended on 2 known people, email:gina@example.com, id:cus_77, and nothing merges "
        "them: a guest whose order landed under a userId, or people sharing a device "
        "(messageIds: m-guest-identify, m-order)"]


def test_sources_are_applied_in_input_order_whatever_the_batch_size(tmp_path: Path) -> None:
    # A server identify (free, day 2) and a web identify (pro, day 20) from two sources: with
    # requests per source, the server's partly filled request waits for the input's end.
    figures = [_people(_replay(tmp_path, "multisource_order.ndjson", "--batch-size", size, out=f"out{size}"))
               for size in ("1", "2", "200")]
    assert figures[0] == figures[1] == figures[2]
    assert figures[0]["customerio_stale_overwrite"] == 0


def test_warnings_count_people_and_identifies_not_repeats(tmp_path: Path) -> None:
    report = _replay(tmp_path, "warning_units.ndjson")
    # cus_2 claims sam@'s email twice: one customer split, once.
    assert report["summary"]["customerio_split"] == 1
    # One stale identify (i-5-stale) overwrote three attributes: one stale overwrite.
    assert report["summary"]["customerio_stale_overwrite"] == 1
    assert _examples(report, "id-case")[0].endswith("(messageIds: i-6, t-7)")
    assert _people(report) == _people(_replay(tmp_path, "warning_units.ndjson", "--batch-size", "1", out="one"))


def test_a_device_registered_under_a_person_makes_earlier_screens_a_ghost(tmp_path: Path) -> None:
    report = _replay(tmp_path, "device_ghost.ndjson")
    assert report["summary"]["customerio_ghost"] == 2 and report["summary"]["customerio_unmerged"] == 0


def test_late_events_are_counted_once_and_never_when_flagged(tmp_path: Path) -> None:
    # Two guest events received four days late; each is stitched (an identify beside it).
    report = _replay(tmp_path, "backfilled_guest_order.ndjson")
    assert [(b["event"], b["count"]) for b in report["backfilled"]] == [("Checkout Started", 1),
                                                                          ("Order Completed", 1)]


@pytest.mark.parametrize("code", [None, PASS_THROUGH], ids=["generated", "pass-through"])
def test_a_blank_user_id_is_no_user_id(tmp_path: Path, code: str | None) -> None:
    # The JavaScript SDK sends userId "" on anonymous events; the destination reads it as none.
    report = _replay(tmp_path, "blank_user_ids.ndjson", code=code)
    assert report["identity"]["anonymous_only"] == 2  # the page and the product view of a-1
    assert report["identity"]["without_ids"] == 1  # the webhook event: anonymousId and userId both ""


def test_preview_applies_the_same_order_as_replay(tmp_path: Path) -> None:
    events = [json.loads(line) for line in (CORPORA / "multisource_order.ndjson").read_text().splitlines()]
    program = Transformation.from_path(_transformation(tmp_path))
    people = preview.run(program, events, batch_size=2).people
    assert [w.kind for w in people.warnings if w.kind == "stale-overwrite"] == []


def test_calls_that_cannot_wait_go_early_and_the_replay_says_so(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(run._InputOrder, "LIMIT", 0)
    report = _replay(tmp_path, "multisource_order.ndjson", "--batch-size", "2")
    assert [w["warning"].split(":")[0] for w in report["warnings"]] == [
        "the people model took 2 calls before events of another source that came earlier in the input (held in a "
        "partly filled request)"]


def test_a_proto_key_refuses_its_own_event_whatever_the_batch(tmp_path: Path) -> None:
    # A hand-written transformation that keeps a __proto__ key: the destination refuses the
    # router request it travels in, which no batch size here can tell.
    figures = [_replay(tmp_path, "proto_key.ndjson", "--batch-size", size, code=PASS_THROUGH, out=f"o{size}")
               for size in ("1", "3")]
    assert [f["summary"]["customerio_rejected"] for f in figures] == [1, 1]
    assert _examples(figures[1], "rejected")[0].endswith("(messageIds: m-2-proto)")
    assert any("__proto__" in w["warning"] for w in figures[1]["warnings"])
    events = [json.loads(line) for line in (CORPORA / "proto_key.ndjson").read_text().splitlines()]
    people = preview.run(Transformation(PASS_THROUGH, "t.js"), events).people
    assert [w.message_ids for w in people.warnings if w.kind == "rejected"] == [["m-2-proto"]]


@pytest.mark.parametrize("corpus, figure, expected", [
    # An identify whose messageId is null is answered under a new one: it stands where it came.
    ("untraced_order.ndjson", "customerio_stale_overwrite", 0),
    # The retry of an old identify arrives after a newer one: Customer.io receives each copy.
    ("retry_order.ndjson", "customerio_stale_overwrite", 1),
    # The guest checkout again, with numbers for messageIds.
    ("guest_numeric_ids.ndjson", "customerio_split", 1),
    # A guest profile that later gets an id is still the same pair of people: one split.
    ("split_then_key_change.ndjson", "customerio_split", 1),
])
def test_figures_hold_at_every_batch_size(tmp_path: Path, corpus: str, figure: str, expected: int) -> None:
    found = [_replay(tmp_path, corpus, "--batch-size", size, code=PASS_THROUGH, out=f"o{size}")["summary"][figure]
             for size in ("1", "200")]
    assert found == [expected, expected]


def test_messageids_of_any_json_shape_reach_the_people_view(tmp_path: Path) -> None:
    report = _replay(tmp_path, "hostile_ids.ndjson", code=PASS_THROUGH)
    assert report["summary"]["customerio_stale_overwrite"] == 1
    assert _examples(report, "stale-overwrite")[0].endswith("(messageIds: ['x', 1], True)")


def test_id_case_names_the_calls_keyed_by_each_id(tmp_path: Path) -> None:
    report = _replay(tmp_path, "id_case_merged.ndjson", code=PASS_THROUGH)
    assert _examples(report, "id-case")[0].endswith("(messageIds: ident-lower, track-upper, device-only)")
