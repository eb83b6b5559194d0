"""Requests as rudder-server sends them: per destination and source, at most N events each.

rudder-server's processor sends user-transformation requests of at most
`Processor.UserTransformer.batchSize` events (200 by default) for one destination and
source; a request never spans two pairs. Events keep their input order within a pair; a
request goes out when it is full, and the rest when the input ends, in the order their
pair was first seen.
"""

from __future__ import annotations

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
    if batch_size < 1:
        raise ValueError("the batch size must be at least 1")
    open_requests: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for item in request_items:
        pending = open_requests.setdefault(_pair(item), [])
        pending.append(item)
        if len(pending) >= batch_size:
            yield pending
            open_requests[_pair(item)] = []
    for pending in open_requests.values():
        if pending:
            yield pending
