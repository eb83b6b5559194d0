"""The unit of work: one request's items in, result rows out. A pure function of its arguments.

It runs in worker processes (or on a cluster), so everything it takes and returns is plain
data: the transformation's code, the request items, and what the rows should look for.
"""

from __future__ import annotations

import contextlib
import gc
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from ..contract import manifest
from ..contract.drops import drop_reasons, drops
from ..runtime import Limits, RequestFailed, Transformation, jsvalues

DEFAULT_NAMES = manifest.DEFAULT.names()


@dataclass(frozen=True)
class Job:
    """What every request of a replay shares."""

    code: str
    name: str
    names: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_NAMES))
    # Event → the property its dedupe id is in (the build's gen:replay lines); None when the
    # transformation does not say: then any event's `event_id`.
    dedupe: dict[str, str] | None = None
    keep_outputs: bool = False
    customerio: dict[str, Any] | None = None  # the destination's settings, to emulate its calls
    engine: str = "quickjs"
    # On V8, keep a context warm across requests while it answers as a fresh one would.
    reuse_contexts: bool = True


@dataclass
class Result:
    """One request's rows, already NDJSON (so the process writing them only copies text).

    `event_rows` has a row per input event, `output_rows` a row per response entry,
    `transformed` each delivered event as the transformation returned it (with
    keep_outputs); `calls` are the Customer.io calls the deliveries become, and
    `anonymous` the anonymousId of each delivered messageId (for the people view).
    `drop_rows` has a row per event gen's generated code dropped, as its logs say: a line
    item dropped while its order is delivered has no response entry of its own.
    """

    request: int
    events: int
    event_rows: str
    output_rows: str
    transformed: str = ""
    drop_rows: str = ""
    calls: list[Any] = field(default_factory=list)
    anonymous: dict[str, str] = field(default_factory=dict)
    failure: str | None = None  # the transformer failed the whole request (HTTP 500)
    examples: list[str] = field(default_factory=list)  # the request's first messageIds, to name it
    warnings: list[str] = field(default_factory=list)  # the harness's, as `gen run` prints them


def ndjson(rows: list[dict[str, Any]]) -> str:
    """Rows as NDJSON text."""
    return "".join(_row_json(row) + "\n" for row in rows)


def _row_json(row: dict[str, Any]) -> str:
    try:
        return orjson.dumps(row, default=str).decode("utf-8")
    except TypeError:
        # A lone surrogate (client SDKs cut emoji in half), which orjson refuses and no
        # UTF-8 file can hold: in the rows it becomes U+FFFD, as a UTF-8 decoder shows it.
        # (transformed.ndjson keeps it, escaped, as JSON.stringify writes it.)
        return jsvalues.LONE_SURROGATE.sub("\ufffd", json.dumps(row, ensure_ascii=False, default=str))


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector rarely while requests of parsed events come and go.

    Every event is a tree of dicts, so a request allocates thousands of containers, and
    Python's default threshold (a collection every 700) walked them over and over: about
    40 µs an event, measured in a replay worker. The events hold no cycles, so reference
    counting frees them anyway; the collector still runs, every 100,000 allocations.
    """
    before = gc.get_threshold()
    gc.set_threshold(100_000, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


_programs: dict[tuple[str, str, str, bool], Transformation] = {}


def _program(job: Job) -> Transformation:
    key = (job.code, job.name, job.engine, job.reuse_contexts)
    if key not in _programs:
        _programs.clear()
        _programs[key] = Transformation(job.code, job.name, limits=Limits(), engine=job.engine,
                                        reuse_contexts=job.reuse_contexts)
    return _programs[key]


def _text(value: Any) -> str | None:
    if value is None or value is jsvalues.UNDEFINED:
        return None
    return value if isinstance(value, str) else jsvalues.dumps(value)


def _get(value: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def _email(message: dict[str, Any]) -> str | None:
    for path in (("traits", "email"), ("context", "traits", "email"), ("properties", "email")):
        value = _get(message, *path)
        if isinstance(value, str) and value:
            return value
    return None


def _reason(reasons: dict[str, str] | None, message_id: Any) -> str | None:
    """The drop reason the generated code logged under this messageId, as JavaScript's String() writes it."""
    if not reasons or not isinstance(message_id, (str, int, float)):
        return None  # the generated code logs no id for an object, an array or null
    return reasons.get(jsvalues.string(message_id))


def _label(violation: dict[str, Any]) -> str:
    """TYPE:where, where the value lives relative to properties or traits, with `[]` for
    any array position: the generated code's own label (products.0.quantity), grouped."""
    pointer = _get(violation, "meta", "instancePath")
    parts = [part.replace("~1", "/").replace("~0", "~") for part in pointer.split("/")[1:]] \
        if isinstance(pointer, str) and pointer.startswith("/") else []
    if parts[:2] == ["context", "traits"]:
        parts = parts[2:]
    elif parts[:1] in (["properties"], ["traits"]):
        parts = parts[1:]
    if violation.get("property") is not None:
        parts.append(str(violation["property"]))
    where = ".".join("[]" if part.isdigit() else part for part in parts).replace(".[]", "[]")
    return f"{violation.get('type')}:{where}"


# Strings that mean "no value" (runtime.js, BLANK_WORDS, after cleanText): an event that
# sends one does not carry the property.
_BLANK_WORDS = frozenset({"", "null", "undefined", "nan"})
_INVISIBLE = re.compile("[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u200b-\u200f"
                        "\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def _carried(value: Any) -> bool:
    if value is None:
        return False
    if type(value) is not str or len(value) > 64:
        return True
    # Every invisible character is unprintable to Python: most values skip the regex.
    text = value if value.isprintable() else _INVISIBLE.sub("", value)
    return text.strip().lower() not in _BLANK_WORDS


def event_row(request: int, item: dict[str, Any]) -> dict[str, Any]:
    message, metadata = item["message"], item["metadata"]
    user_id = message.get("userId")
    return {
        "request": request,
        "message_id": _text(metadata.get("messageId")),
        "source_id": _text(metadata.get("sourceId")),
        "destination_id": _text(metadata.get("destinationId")),
        "type": _text(message.get("type")),
        "event": _text(message.get("event")) if message.get("type") == "track" else _text(message.get("name")),
        "user_id": _text(user_id),
        "anonymous_id": _text(message.get("anonymousId")),
        "user_id_is_email": isinstance(user_id, str) and "@" in user_id and "." in user_id.split("@")[-1],
        "timestamp": _text(message.get("timestamp") or message.get("originalTimestamp")),
        "received_at": _text(message.get("receivedAt")),
    }


def output_row(request: int, entry: dict[str, Any], job: Job, reasons: dict[str, str] | None = None) -> dict[str, Any]:
    metadata = entry.get("metadata") or {}
    output: dict[str, Any] = entry["output"] if isinstance(entry.get("output"), dict) else {}
    context: dict[str, Any] = output["context"] if isinstance(output.get("context"), dict) else {}
    properties: dict[str, Any] = output["properties"] if isinstance(output.get("properties"), dict) else {}
    violations = context.get(job.names["violations"])
    labels = [_label(v) for v in violations if isinstance(v, dict)] if isinstance(violations, list) else []
    repairs = context.get(job.names["repairs"])
    rules = [r.get("rule") for r in repairs if isinstance(r, dict)] if isinstance(repairs, list) else []
    stamp: dict[str, Any] = context[job.names["stamp"]] if isinstance(context.get(job.names["stamp"]), dict) else {}
    if job.dedupe is None:
        dedupe = properties.get(manifest.DEFAULT_DEDUPE)
    else:
        name = output.get("event") if output.get("type") == "track" else None
        into = job.dedupe.get(name) if isinstance(name, str) else None
        dedupe = properties.get(into) if into is not None else None
    return {
        "request": request,
        "message_id": _text(metadata.get("messageId")),
        "source_id": _text(metadata.get("sourceId")),
        "status": entry.get("statusCode"),
        "error": _text(entry.get("error")),
        "reason": _reason(reasons, metadata.get("messageId")) if entry.get("statusCode") == 298 else None,
        "type": _text(output.get("type")),
        "event": _text(output.get("event")) if output.get("type") == "track" else _text(output.get("name")),
        "user_id": _text(output.get("userId")),
        "anonymous_id": _text(output.get("anonymousId")),
        "email": _email(output),
        "dedupe_id": _text(dedupe),
        "violations": labels,
        "repairs": [str(rule) for rule in rules],
        "replay": bool(context.get(job.names["replay"]) or properties.get(job.names["replay_flag"]) is True),
        "stitched": bool(stamp.get("stitched")),
        "stamped": bool(stamp),  # the plan went over it (an event out of its scope passes unstamped)
        "timestamp": _text(output.get("timestamp") or output.get("originalTimestamp")),
        "received_at": _text(output.get("receivedAt")),
        "property_keys": sorted(k for k, v in properties.items()
                                if _carried(v) and k not in (job.names["flag"], job.names["replay_flag"])),
        "customerio_rejected": None,  # with --destination customerio: the destination refuses it
        "output": jsvalues.dumps(output) if job.keep_outputs and output else None,
    }


def run_request(job: Job, request: int, items: list[dict[str, Any]]) -> Result:
    """Answer one request and turn the answer into rows (and Customer.io calls, when asked)."""
    with fewer_collections():
        return _answer(job, request, items)


def _answer(job: Job, request: int, items: list[dict[str, Any]]) -> Result:
    event_rows = ndjson([event_row(request, item) for item in items])
    try:
        # Test mode collects log() lines, which carry the generated code's drop reasons; it
        # changes nothing else in the answer.
        answer = _program(job).run(items, test_mode=True)
    except RequestFailed as exc:
        examples = [_text(item["metadata"].get("messageId")) or "(no messageId)" for item in items[:3]]
        return Result(request, len(items), event_rows, "", failure=str(exc), examples=examples)
    response = answer.response
    reasons = drop_reasons(answer.logs) if any(e.get("statusCode") == 298 for e in response) else {}
    outputs = [output_row(request, entry, job, reasons) for entry in response]
    transformed = [row.pop("output") for row in outputs]
    dropped = [{"request": request, "message_id": _text(d["messageId"]), "type": d["type"], "event": d["event"],
                "derived": d["derived"], "reason": d["reason"]} for d in drops(answer.logs)]
    calls: list[Any] = []
    anonymous: dict[str, str] = {}
    if job.customerio is not None:
        from ..customerio import destination

        bound = [(entry, row) for entry, row in zip(response, outputs, strict=True)
                 if entry.get("statusCode") == 200 and _bound_for_customerio(entry)]
        calls = destination.calls([(entry.get("output"), (entry.get("metadata") or {}).get("messageId"))
                                   for entry, _ in bound], destination.Config.from_settings(job.customerio),
                                  one_request=False)
        if any(call.error == destination.FORBIDDEN for call in calls):
            answer.warnings.append(destination.FORBIDDEN_ALONE)
        refused = {_text(m) for call in calls if call.status_code != 200 for m in call.message_ids}
        for entry, row in bound:
            row["customerio_rejected"] = row["message_id"] in refused
            if row.get("anonymous_id"):  # the first anonymousId sent under a messageId, as preview keeps
                message_id = (entry.get("metadata") or {}).get("messageId")
                anonymous.setdefault(jsvalues.value_key(message_id), row["anonymous_id"])
    return Result(request, len(items), event_rows, ndjson(outputs), "".join(t + "\n" for t in transformed if t),
                  ndjson(dropped), calls, anonymous, warnings=answer.warnings)


def _bound_for_customerio(entry: dict[str, Any]) -> bool:
    """A delivery Customer.io's destination receives: its metadata names that destination, or none
    (an item whose own metadata names another destination goes there, untouched by a plan scoped
    to Customer.io)."""
    kind = (entry.get("metadata") or {}).get("destinationType")
    return kind is None or (isinstance(kind, str) and kind.upper() == "CUSTOMERIO")


class Sealed:
    """A request's items, as one opaque argument: Dask does not walk into it."""

    __slots__ = ("items",)

    def __init__(self, items: list[dict[str, Any]]) -> None:
        self.items = items

    def __getstate__(self) -> list[dict[str, Any]]:
        return self.items

    def __setstate__(self, items: list[dict[str, Any]]) -> None:
        self.items = items


def run_sealed(job: Job, request: int, sealed: Sealed) -> Result:
    """run_request, for the Dask executor."""
    return run_request(job, request, sealed.items)
