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


def first_positions(request: list[dict[str, Any]], positions: list[int]) -> dict[str, int]:
    """Where each messageId of a request first stands in the input (keyed by position_key)."""
    first: dict[str, int] = {}
    for item, position in zip(request, positions, strict=True):
        first.setdefault(position_key(item["metadata"].get("messageId")), position)
    return first


def position_key(message_id: Any) -> str:
    """A messageId as first_positions keys it."""
    return message_id if isinstance(message_id, str) else repr(message_id)
