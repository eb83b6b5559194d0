"""gen replay's figures for contracts unlike the example: dedupe ids in other properties, line
items the plan drops, unplanned events passed or dropped, a scoped plan, identity in events.

Each case is a contract, its traffic, and the figures a person counting by hand finds; every
replay runs without --contract, as the build's own gen:replay lines are enough.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.contract import compile_contract


def _track(message_id: str, event: str, **fields: Any) -> dict[str, Any]:
    return {"type": "track", "event": event, "messageId": message_id, "userId": "u1", **fields}


def _replay(tmp_path: Path, contract: str, events: list[dict[str, Any]], *flags: str,
            exit_code: int = 0) -> tuple[Any, dict[str, Any]]:
    built = compile_contract(contract, "contract.yaml")
    assert built.ok, [str(d) for d in built.diagnostics]
    (tmp_path / "t.js").write_text(built.files["transformation.js"], encoding="utf-8")
    (tmp_path / "in.ndjson").write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["replay", str(tmp_path / "t.js"), str(tmp_path / "in.ndjson"), "--out",
                                       str(out), "--workers", "1", "--engine", "quickjs", "--batch-size", "1",
                                       *flags])
    assert result.exit_code == exit_code, result.output
    return result, json.loads((out / "report.json").read_text(encoding="utf-8"))


def test_each_event_is_read_by_its_own_dedupe_property(tmp_path: Path) -> None:
    # Orders dedupe into order_key; a client's own event_id (a Conversions API id) is not theirs.
    contract = """contract: {name: shop, version: 1}
events:
  Order Completed:
    dedupe: {keys: [order_id], into: order_key}
    properties: {order_id: {type: string, required: true}}
  Subscription Started:
    dedupe: {keys: [subscription_id], into: event_id}
    properties: {subscription_id: {type: string, required: true}}
"""
    events = [_track("m1", "Order Completed", properties={"order_id": "o1", "event_id": "capi-1"}),
              _track("m2", "Order Completed", properties={"order_id": "o1", "event_id": "capi-2"}),
              _track("m3", "Subscription Started", properties={"subscription_id": "s1"}),
              _track("m4", "Subscription Started", properties={"subscription_id": "s1"})]
    _, report = _replay(tmp_path, contract, events)
    found = sorted((d["event"], d["copies"], d["requests"], d["examples"]) for d in report["duplicates"])
    assert found == [("Order Completed", 2, 2, ["m1", "m2"]), ("Subscription Started", 2, 2, ["m3", "m4"])]
    assert report["reading"]["dedupe"] == {"Order Completed": "order_key", "Subscription Started": "event_id"}


def test_a_plan_without_dedupe_finds_no_duplicates(tmp_path: Path) -> None:
    # Three different events that happen to carry the same client event_id are not copies.
    contract = "contract: {name: pages, version: 1}\nevents:\n  Viewed: {}\n"
    events = [_track(f"m{n}", name, properties={"event_id": "pg-1"})
              for n, name in enumerate(["Viewed", "Viewed", "Clicked"], start=1)]
    _, report = _replay(tmp_path, contract, events)
    assert report["duplicates"] == []
    assert report["reading"]["dedupe"] == {}


def test_line_items_the_plan_drops_are_reported(tmp_path: Path) -> None:
    contract = """contract: {name: orders, version: 1}
settings: {unplanned_events: drop}
events:
  Order Completed:
    line_items: {from: products, event: Order Line, copy: [order_id]}
    properties: {order_id: {type: string, required: true}, products: {type: array, items: {type: object}}}
  Refund:
    line_items: {from: products, event: Refund Line}
    properties: {products: {type: array, items: {type: object}}}
  Refund Line:
    on_violation: drop
    properties: {sku: {type: string, required: true}}
"""
    events = [_track("m1", "Order Completed", properties={"order_id": "o1", "products": [{"sku": "a"}, {"sku": "b"}]}),
              _track("m2", "Refund", properties={"products": [{"sku": "a"}, {"price": 3}]})]
    _, report = _replay(tmp_path, contract, events, "--fail-on", "partly_dropped>0", exit_code=1)
    assert report["summary"]["delivered"] == 2 and report["summary"]["filtered"] == 0
    assert report["summary"]["partly_dropped"] == 2
    assert sorted((d["event"], d["reason"], d["count"], d["examples"]) for d in report["dropped_parts"]) == [
        ("Order Line", "unplanned-event: not in the plan", 1, ["m1"]),
        ("Refund Line", "violations: Required-Missing:sku", 1, ["m2"])]
    # An undeclared line item event is unplanned, and what happened to it is said.
    assert report["unplanned"] == [{"event": "Order Line", "outcome": "dropped", "count": 1, "examples": ["m1"]}]


@pytest.mark.parametrize("policy", ["pass", "flag"])
def test_unplanned_events_are_listed_whatever_the_policy(tmp_path: Path, policy: str) -> None:
    contract = f"contract: {{name: u, version: 1}}\nsettings: {{unplanned_events: {policy}}}\nevents:\n" \
               "  Order Completed: {}\n"
    events = [_track("m1", "Order Completed"), _track("m2", "order_completed"), _track("m3", "Wishlist Added"),
              _track("m4", "Wishlist Added")]
    _, report = _replay(tmp_path, contract, events)
    assert [(u["event"], u["outcome"], u["count"]) for u in report["unplanned"]] == [
        ("Wishlist Added", "delivered", 2), ("order_completed", "delivered", 1)]


def test_a_plan_scoped_to_customerio_is_enforced_when_replayed_for_it(tmp_path: Path) -> None:
    contract = """contract: {name: scoped, version: 1}
scope: {destination_types: [CUSTOMERIO]}
events:
  Viewed:
    properties: {sku: {type: string, required: true}}
"""
    events = [_track("m1", "Viewed", properties={}), _track("m2", "Viewd", properties={"sku": "a"})]
    _, report = _replay(tmp_path, contract, events, "--destination", "customerio")
    assert report["summary"]["violations"] == 2  # the missing sku, and the misspelt event
    _, elsewhere = _replay(tmp_path, contract, events)
    assert elsewhere["summary"]["violations"] == 0  # no destination: out of the plan's scope


def test_identity_and_customerio_figures_count_events(tmp_path: Path) -> None:
    contract = """contract: {name: items, version: 1}
events:
  Order Completed:
    line_items: {from: products, event: Order Line}
    properties: {products: {type: array, items: {type: object}}}
  Order Line: {}
"""
    products = {"products": [{"sku": "a"}, {"sku": "b"}, {"sku": "c"}]}
    events = [{"type": "track", "event": "Order Completed", "messageId": "m1", "anonymousId": "a1",
               "properties": products},
              {"type": "track", "event": "Order Completed", "messageId": "m2", "properties": products}]
    result, report = _replay(tmp_path, contract, events, "--destination", "customerio",
                             "--fail-on", "customerio_rejected>40%", exit_code=1)
    assert report["identity"]["without_ids"] == 1  # the order and its three line items are one event
    assert report["identity"]["anonymous_only"] == 1
    assert report["summary"]["customerio_rejected"] == 1
    assert "customerio_rejected is 50.00%" in result.output
    unmerged = next(w for w in report["customerio"]["warnings"] if w["kind"] == "unmerged")
    assert unmerged["examples"][0].endswith("(messageIds: m1)")
    refused = CliRunner().invoke(main, ["replay", str(tmp_path / "t.js"), str(tmp_path / "in.ndjson"), "--out",
                                        str(tmp_path / "again"), "--destination", "customerio",
                                        "--fail-on", "customerio_ghost>1%"])
    assert refused.exit_code == 2 and "not a number of events" in refused.output


def _envelope(message_id: str, event: str, destination: str, **fields: Any) -> dict[str, Any]:
    return {"message": _track(message_id, event, **fields),
            "metadata": {"destinationType": destination, "destinationId": f"d-{destination}", "sourceId": "s1"}}


def test_events_for_another_destination_are_neither_unplanned_nor_customerios(tmp_path: Path) -> None:
    contract = """contract: {name: scoped, version: 1}
scope: {destination_types: [CUSTOMERIO]}
settings: {unplanned_events: drop}
identity: {require_ids: drop}
events:
  Order Completed:
    aliases: [purchase]
    properties: {order_id: {type: string, required: true}}
"""
    events = [_envelope("w1", "purchase", "WEBHOOK", properties={"order_id": "o1"}),
              _envelope("w2", "Wishlist", "WEBHOOK", userId=None, properties={}),
              _envelope("c1", "purchase", "CUSTOMERIO", properties={"order_id": "o1"}),
              _envelope("c2", "Wishlist", "CUSTOMERIO", properties={})]
    _, report = _replay(tmp_path, contract, events, "--destination", "customerio")
    # The webhook's events pass untouched (the plan is not theirs), and Customer.io never sees them.
    assert report["unplanned"] == [{"event": "Wishlist", "outcome": "dropped", "count": 1, "examples": ["c2"]}]
    assert report["summary"]["customerio_rejected"] == 0
    assert report["summary"]["customerio_calls"] == 1  # c1's track


def test_a_batch_duplicate_is_no_line_item_and_a_dropped_stitch_is(tmp_path: Path) -> None:
    dedupe = """contract: {name: shop, version: 1}
settings: {batch_dedupe: true}
events:
  Order Completed:
    dedupe: {keys: [order_id], into: event_id}
    properties: {order_id: {type: string, required: true}}
"""
    retry = [_track("r1", "Order Completed", properties={"order_id": "o1"})] * 2
    _, report = _replay(tmp_path, dedupe, [*retry, _track("m2", "Order Completed", properties={"order_id": "o2"})],
                        "--batch-size", "200")
    assert report["summary"]["partly_dropped"] == 0 and report["dropped_parts"] == []
    stitch = """contract: {name: shop, version: 1}
identity: {stitch: true}
replay:
  identify: {window: 7d, policy: drop}
events:
  Checkout Started:
    properties: {cart_id: {type: string}}
"""
    guest = {"anonymousId": "a1", "context": {"traits": {"email": "x@example.com"}}, "properties": {"cart_id": "c1"},
             "timestamp": "2024-01-01T00:00:00Z", "receivedAt": "2024-02-01T00:00:00Z"}
    events = [{**_track("m1", "Checkout Started", **guest), "userId": None}]
    _, report = _replay(tmp_path, stitch, events)
    assert report["summary"]["partly_dropped"] == 1
    assert [(d["event"], d["reason"].split(":")[0]) for d in report["dropped_parts"]] == [("(identify)", "replay")]


def test_refusals_count_each_copy_of_a_retry(tmp_path: Path) -> None:
    contract = "contract: {name: shop, version: 1}\nevents:\n  Order Completed: {}\n"
    anonymous = {"type": "track", "event": "Order Completed", "messageId": "r1", "properties": {}}
    events = [anonymous, anonymous, _track("ok1", "Order Completed"), _track("ok2", "Order Completed")]
    result, report = _replay(tmp_path, contract, events, "--destination", "customerio",
                             "--fail-on", "customerio_rejected>=50%", exit_code=1)
    assert report["summary"]["customerio_rejected"] == 2
    assert "customerio_rejected is 50.00%" in result.output


def test_a_track_without_a_usable_name_is_a_violation_not_unplanned(tmp_path: Path) -> None:
    contract = "contract: {name: shop, version: 1}\nevents:\n  Order Completed: {}\n"
    events = [{"type": "track", "messageId": "n1", "userId": "u1", "properties": {}},
              {"type": "track", "event": 42, "messageId": "n2", "userId": "u1", "properties": {}}]
    _, report = _replay(tmp_path, contract, events)
    assert report["unplanned"] == []
    assert report["summary"]["violations"] == 2
    refused = CliRunner().invoke(main, ["replay", str(tmp_path / "t.js"), str(tmp_path / "in.ndjson"), "--out",
                                        str(tmp_path / "again"), "--fail-on", "violation_labels>1%"])
    assert refused.exit_code == 2 and "violations is" in refused.output


def test_a_batch_copy_takes_what_gen_made_from_it_along(tmp_path: Path) -> None:
    # The line item event declares no dedupe, so only its order says the copy is a copy.
    contract = """contract: {name: shop, version: 1}
settings: {batch_dedupe: true, unplanned_events: pass}
events:
  Order Completed:
    dedupe: {keys: [order_id], into: event_id}
    line_items: {from: products, event: Order Line, copy: [order_id]}
    properties: {order_id: {type: string, required: true}, products: {type: array, items: {type: object}}}
"""
    order = {"order_id": "o1", "products": [{"sku": "a"}, {"sku": "b"}]}
    events = [_track("m1", "Order Completed", properties=order), _track("m2", "Order Completed", properties=order)]
    _, report = _replay(tmp_path, contract, events, "--batch-size", "200")
    assert report["summary"]["outputs"] == 3  # the first order and its two line items
    assert report["filtered"] == [{"event": "Order Completed", "count": 1, "examples": ["m2"],
                                   "reason": "duplicate: the same event_id as an earlier event of this batch"}]
    assert report["summary"]["partly_dropped"] == 0
