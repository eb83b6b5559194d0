"""Requests as rudder-server sends them: per destination and source, at most N events each.

rudder-server's processor sends user-transformation requests of at most
`Processor.UserTransformer.batchSize` events (200 by default) for one destination and
source; a request never spans two pairs. Events keep their input order within a pair; a
request goes out when it is full, and the rest when the input ends, in the order their
pair was first seen.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from . import jsvalues
from .engine import request_item

DEFAULT_BATCH_SIZE = 200


def items(events: Iterable[Any], metadata: Mapping[str, Any] | None = None) -> Iterator[dict[str, Any]]:
    """Request items, numbered over the whole input so generated messageIds never collide."""
    common = dict(metadata or {})
    for position, event in enumerate(events, start=1):
        yield request_item(event, position, common)


def _pair(item: Mapping[str, Any]) -> tuple[str, str]:
    metadata = item["metadata"]
    return (jsvalues.string(metadata.get("destinationId", jsvalues.UNDEFINED)),
            jsvalues.string(metadata.get("sourceId", jsvalues.UNDEFINED)))


def requests(request_items: Iterable[dict[str, Any]], batch_size: int = DEFAULT_BATCH_SIZE
             ) -> Iterator[list[dict[str, Any]]]:
    """The requests these items make, each the item list of one `/customTransform` call."""
    for request, _, _ in marked_requests(request_items, batch_size):
        yield request


def marked_requests(request_items: Iterable[dict[str, Any]], batch_size: int = DEFAULT_BATCH_SIZE
                    ) -> Iterator[tuple[list[dict[str, Any]], list[int], float]]:
    """requests(), each with its items' positions in the input (from 0) and the earliest
    position a later request can still hold: a pair's partly filled request waits for the
    input's end, so requests do not come in input order when there are several pairs."""
    if batch_size < 1:
        raise ValueError("the batch size must be at least 1")
    open_requests: dict[tuple[str, str], tuple[list[dict[str, Any]], list[int]]] = {}
    position = -1
    for position, item in enumerate(request_items):
        pair = _pair(item)
        pending, positions = open_requests.setdefault(pair, ([], []))
        pending.append(item)
        positions.append(position)
        if len(pending) >= batch_size:
            open_requests[pair] = ([], [])  # the pair keeps its place: the rest go in first-seen order
            yield pending, positions, min([p[0] for _, p in open_requests.values() if p] + [position + 1])
    left = [request for request in open_requests.values() if request[0]]
    for index, (pending, positions) in enumerate(left):
        yield pending, positions, min([p[0] for _, p in left[index + 1:]], default=math.inf)


class Positions:
    """Where the answers to one request stand in the input, to put them back in input order.

    The answers name their events by messageId: copies sharing one (an SDK retry) take
    their positions in turn, and an answer that names no event of the request (an output
    the transformation gave no messageId, so RudderStack made one) stands where the answer
    before it did.
    """

    def __init__(self, request: list[dict[str, Any]], positions: list[int]) -> None:
        self.by_id: dict[str, list[int]] = {}
        for item, position in zip(request, positions, strict=True):
            self.by_id.setdefault(jsvalues.value_key(item["metadata"].get("messageId")), []).append(position)
        self.taken: dict[str, int] = {}
        self.previous = positions[0]

    def of(self, message_ids: Iterable[Any]) -> int:
        """The input position of the next answer naming these messageIds (the earliest of them)."""
        found = []
        for message_id in message_ids:
            key = jsvalues.value_key(message_id)
            spots = self.by_id.get(key)
            if spots:
                turn = self.taken.get(key, 0)
                self.taken[key] = turn + 1
                found.append(spots[min(turn, len(spots) - 1)])
        if found:
            self.previous = min(found)
        return self.previous
