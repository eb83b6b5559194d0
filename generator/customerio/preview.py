"""`gen preview`: events through the transformation (as `gen run`), then through the destination.

Returns, per input event, what the transformation answered and the Customer.io calls its
outputs became, and the people model over all of them (generator.customerio.people).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..runtime import Transformation, batching, jsvalues
from . import destination, people
from .destination import Call, Config


@dataclass
class Preview:
    entries: list[dict[str, Any]]  # one per API call, or per event that never reached the destination
    calls: list[Call]
    people: people.People
    events: int

    def as_json(self) -> list[dict[str, Any]]:
        return self.entries


# What rudder-server's request items for a Customer.io destination say about it.
CUSTOMERIO_METADATA = {"destinationType": "CUSTOMERIO"}


def _message_id(metadata: Mapping[str, Any]) -> Any:
    return metadata.get("messageId")


def run(transformation: Transformation | None, events: list[Any], *, metadata: Mapping[str, Any] | None = None,
        config: Config | None = None, batch_size: int = batching.DEFAULT_BATCH_SIZE, **options: Any) -> Preview:
    """The calls and people `events` become; without a transformation the events go straight to the destination.

    The transformation gets the events as rudder-server sends them: per destination and
    source, at most `batch_size` per request (runtime.batching), as `gen run` does.
    """
    config = config or Config()
    # Events bound for Customer.io carry its type in their metadata, which a contract's
    # `scope: {destination_types: [CUSTOMERIO]}` reads; an item's own metadata says otherwise.
    metadata = {**CUSTOMERIO_METADATA, **(metadata or {})}
    stage: list[dict[str, Any]] = []
    delivered: list[tuple[Any, Any]] = []
    if transformation is None:
        for index, event in enumerate(events):
            message = event.get("message", event) if isinstance(event, dict) and "message" in event else event
            message_id = message.get("messageId", f"event-{index}") if isinstance(message, dict) else f"event-{index}"
            delivered.append((message, message_id))
    else:
        # Back in input order: a source's last, partly filled request waits for the input's
        # end, and Customer.io must see its events where they stood (stale overwrites, late
        # merges depend on order).
        answered: list[tuple[int, dict[str, Any]]] = []
        for request, positions, _ in batching.marked_requests(batching.items(events, metadata), batch_size):
            where = batching.Positions(request, positions)
            for entry in transformation.run(request, **options).response:
                answered.append((where.of([(entry.get("metadata") or {}).get("messageId")]), entry))
        answered.sort(key=lambda pair: pair[0])
        return from_response([entry for _, entry in answered], len(events), config, one_request=False)
    return _preview(stage, delivered, len(events), config, one_request=False)


def from_response(response: list[dict[str, Any]], events: int, config: Config | None = None, *,
                  one_request: bool = True) -> Preview:
    """The preview of what a transformation answered (RudderStack's /customTransform response);
    `one_request=False` when its deliveries are not one router request (a file, a replay)."""
    stage: list[dict[str, Any]] = []
    delivered: list[tuple[Any, Any]] = []
    for entry in response:
        message_id = _message_id(entry.get("metadata") or {})
        if entry.get("statusCode") == 200:
            delivered.append((entry.get("output"), message_id))
        else:
            verdict = {"messageIds": [message_id], "statusCode": entry.get("statusCode"), "stage": "transformation"}
            if "error" in entry:
                verdict["error"] = entry["error"]
            stage.append(verdict)
    return _preview(stage, delivered, events, config or Config(), one_request)


def _preview(stage: list[dict[str, Any]], delivered: list[tuple[Any, Any]], events: int, config: Config,
             one_request: bool = True) -> Preview:
    anonymous: dict[str, str] = {}
    for message, message_id in delivered:
        if isinstance(message, dict) and isinstance(message.get("anonymousId"), str) and message["anonymousId"]:
            anonymous.setdefault(jsvalues.value_key(message_id), message["anonymousId"])
    calls = destination.calls(delivered, config, one_request=one_request)
    entries = stage + [{**call.as_json(), "stage": "destination"} for call in calls]
    return Preview(entries, calls, people.build(calls, anonymous), events)
