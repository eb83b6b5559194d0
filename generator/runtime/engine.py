"""Run a RudderStack JavaScript transformation under QuickJS with rudder-transformer's semantics.

One `run` is one `POST /customTransform` request as rudder-server sends it (with the
`X-Feature-Filter-Code` header): the events are grouped by destination and source,
each group runs in a fresh QuickJS context, and the answer is the array the
transformer would return. See docs/runtime.md for every rule and its source.
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import quickjs

from . import jsvalues
from .wording import v8_error_text, v8_message

DEFAULT_NAME = "base transformation"
FILTERED = 298
FUNCTIONS = ("transformEvent", "transformBatch")

_HERE = Path(__file__).parent
_SANDBOX_JS = (_HERE / "sandbox.js").read_text(encoding="utf-8")
_WRAPPER_JS = (_HERE / "wrapper.js").read_text(encoding="utf-8")

_ENVELOPE_KEYS = frozenset({"message", "metadata", "destination", "libraries", "credentials"})
_COMMON_METADATA_KEYS = ("sourceId", "destinationId", "destinationType", "workspaceId", "transformationId")
_OOM = "Isolate was disposed during execution due to memory limit"
_EXECUTION_TIMEOUT = "Script execution timed out."
_VERSION_ID = "gen-local"  # the transformation version id gen's requests carry
_UNDEFINED = jsvalues.UNDEFINED  # a key whose value JSON.stringify drops


@dataclass(frozen=True)
class Limits:
    """rudder-transformer's limits: IVM_EXECUTION_TIMEOUT, ISOLATE_VM_MEMORY, USER_TRANSFORM_TIMEOUT."""

    execution_timeout: float = 4.0
    memory_mb: int = 128
    transform_timeout: float = 600.0
    stack_bytes: int = 1024 * 1024


@dataclass(frozen=True)
class CannedResponse:
    """What `fetch`/`fetchV2` get for one URL: a response, or a network error."""

    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: str = ""
    error: str | None = None

    @classmethod
    def from_spec(cls, spec: Any) -> CannedResponse:
        """Build from fixture data: `{status, headers, body}` (body JSON or text) or `{error}`."""
        if not isinstance(spec, Mapping):
            raise ValueError("a canned response is a mapping with status/headers/body or error")
        unknown = set(spec) - {"status", "headers", "body", "error"}
        if unknown:
            raise ValueError(f"unknown key(s) in canned response: {', '.join(sorted(unknown))}")
        if "error" in spec:
            return cls(error=str(spec["error"]))
        body = spec.get("body", "")
        text = body if isinstance(body, str) else json.dumps(body)
        headers = {str(k).lower(): str(v) for k, v in (spec.get("headers") or {}).items()}
        if not isinstance(body, str):
            headers.setdefault("content-type", "application/json")
        return cls(status=int(spec.get("status", 200)), headers=headers, body=text)


class RequestFailed(Exception):
    """The transformer itself fails the request (HTTP 500), e.g. an output JSON cannot encode."""


@dataclass(frozen=True)
class RunResult:
    """The `/customTransform` answer for one request, plus `log()` lines when run in test mode."""

    response: list[dict[str, Any]]
    logs: list[str]
    # The request items sent: each event with its metadata and messageId as the run saw them.
    items: list[dict[str, Any]] = field(default_factory=list)

    def for_message(self, message_id: str) -> list[dict[str, Any]]:
        """The response entries whose metadata carries this messageId, in response order."""
        return [entry for entry in self.response if entry.get("metadata", {}).get("messageId") == message_id]


class Transformation:
    """A RudderStack JavaScript transformation (ES module exporting transformEvent or transformBatch)."""

    def __init__(self, code: str, name: str = DEFAULT_NAME, *, limits: Limits | None = None) -> None:
        self.code = code
        self.name = name
        self.limits = limits or Limits()

    @classmethod
    def from_path(cls, path: str | Path, name: str | None = None, *, limits: Limits | None = None) -> Transformation:
        """Load a transformation file; its name in stack traces defaults to the file name."""
        path = Path(path)
        return cls(path.read_text(encoding="utf-8"), name or path.name, limits=limits)

    def run(
        self,
        events: Iterable[Mapping[str, Any]],
        *,
        metadata: Mapping[str, Any] | None = None,
        credentials: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
        fetch: Mapping[str, CannedResponse] | None = None,
        geolocation: Mapping[str, Any] | None = None,
        test_mode: bool = False,
        new_message_id: Callable[[], str] | None = None,
    ) -> RunResult:
        """Answer one request for these events (bare messages or `{message, metadata}` items).

        `metadata` is merged into every event's metadata; each event's messageId is added.
        `test_mode` collects `log()` lines, as RudderStack's test routes do.
        """
        items = request_items(events, metadata=metadata, credentials=credentials)
        fetch = fetch or {}
        host_data = {
            "name": self.name,
            "testMode": test_mode,
            "fetch": {url: _response_json(resp) for url, resp in fetch.items()},
            "geolocation": dict(geolocation or {}),
        }
        # lodash groupBy on `${destinationId}_${sourceId}`, in first-seen order.
        groups: dict[str, list[dict[str, Any]]] = {}
        for item in items:
            md = item["metadata"]
            destination = jsvalues.string(md.get("destinationId", _UNDEFINED))
            groups.setdefault(f"{destination}_{jsvalues.string(md.get('sourceId', _UNDEFINED))}", []).append(item)

        answer: list[dict[str, Any]] = []
        logs: list[str] = []
        for group in groups.values():
            entries, group_logs = self._answer_group(group, host_data, new_message_id or _uuid4)
            answer.extend(entries)
            logs.extend(group_logs)
        # rudder-transformer's transformRoutine returns its shared result array once per
        # group and flattens them: a request spanning N groups repeats every entry N times.
        response = [_strip_undefined(entry) for entry in answer] * len(groups)
        return RunResult(response=response, logs=logs, items=items)

    # -- one group: one isolate --------------------------------------------------------------

    def _answer_group(
        self, items: list[dict[str, Any]], host_data: dict[str, Any], new_message_id: Callable[[], str]
    ) -> tuple[list[dict[str, Any]], list[str]]:
        """transformRoutine's handling of one destination/source group."""
        first_md = items[0]["metadata"]
        message_ids = [item["metadata"].get("messageId", _UNDEFINED) for item in items]
        common = {key: first_md.get(key, _UNDEFINED) for key in _COMMON_METADATA_KEYS}
        common["messageIds"] = [None if m is _UNDEFINED else m for m in message_ids]
        # An object keyed by String(messageId): a later duplicate wins.
        metadata_by_id = {
            jsvalues.string(item["metadata"].get("messageId", _UNDEFINED)): item["metadata"] for item in items
        }

        credentials = {c["key"]: c.get("value") for c in items[0].get("credentials") or [] if "key" in c}
        outcome = _Isolate(self, dict(host_data, credentials=credentials)).execute(items)
        if isinstance(outcome, str):
            return [{"statusCode": 400, "metadata": item["metadata"], "error": outcome} for item in items], []
        outputs, logs = outcome

        answered_ids: set[Any] = set()
        answered: list[dict[str, Any]] = []
        for out in outputs:
            md = out.get("metadata") or {}
            error = out.get("error", _UNDEFINED)
            if jsvalues.truthy(md.get("messageId", _UNDEFINED)):
                answered_ids.add(jsvalues.same_value_key(md["messageId"]))
            elif jsvalues.truthy(md.get("messageIds", _UNDEFINED)):
                answered_ids.update(jsvalues.same_value_key(m) for m in md["messageIds"])
            elif jsvalues.truthy(error):
                answered_ids.update(jsvalues.same_value_key(m) for m in message_ids)
            if jsvalues.truthy(error):
                text = v8_error_text(error) if isinstance(error, str) else error
                answered.append({"statusCode": 400, "error": text, "metadata": md or common})
                continue
            event = out.get("transformedEvent")
            if not isinstance(event, dict):
                answered.append({
                    "statusCode": 400,
                    "error": "returned event in events from user transformation is not an object. "
                    f"transformationVersionId:{_VERSION_ID} and returned event: undefined",
                    "metadata": md or common,
                })
                continue
            if not md or not jsvalues.truthy(md.get("messageId", _UNDEFINED)):
                md = {
                    **first_md,
                    "messageId": new_message_id(),
                    "eventName": event.get("event", _UNDEFINED),
                    "eventType": event.get("type", _UNDEFINED),
                }
            answered.append({"output": event, "metadata": md, "statusCode": 200})

        filtered = []
        unanswered = {jsvalues.same_value_key(m): m for m in reversed(message_ids)}
        for key in dict.fromkeys(jsvalues.same_value_key(m) for m in message_ids):
            if key in answered_ids:
                continue
            message_id = unanswered[key]
            original = metadata_by_id.get(jsvalues.string(message_id)) or common
            filtered.append({
                "statusCode": FILTERED,
                "metadata": {**original, "messageId": message_id, "messageIds": None},
            })
        return filtered + answered, logs


def _pin_utc() -> None:
    """QuickJS takes local time from the process; RudderStack's transformer containers run in UTC."""
    if os.environ.get("TZ") != "UTC":
        os.environ["TZ"] = "UTC"
        time.tzset()


class _Isolate:
    """One fresh QuickJS context doing what createIvm + transform do for one group."""

    def __init__(self, transformation: Transformation, host_data: dict[str, Any]) -> None:
        _pin_utc()
        self.t = transformation
        self.limits = transformation.limits
        self.ctx = quickjs.Context()
        self.ctx.set_memory_limit(self.limits.memory_mb * 1024 * 1024)
        self.ctx.set_max_stack_size(self.limits.stack_bytes)
        self.control = self.ctx.eval(_SANDBOX_JS)(json.dumps(host_data))

    def execute(self, items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]] | str:
        """The group's outputs and logs, or the whole-run error string every event gets."""
        try:
            failure = self._load()
            if failure is not None:
                return failure
            return self._transform(items)
        except quickjs.JSException as exc:
            return self._fatal(exc)

    @contextmanager
    def _budgeted(self, budget: list[float]) -> Iterator[float]:
        """Arm QuickJS's time limit with the CPU budget left, and charge what the block used."""
        started = time.process_time()
        self.ctx.set_time_limit(max(budget[0], 0.001))
        try:
            yield started
        finally:
            budget[0] -= time.process_time() - started
            self.ctx.set_time_limit(-1)

    def _call(self, budget: list[float], fn: Callable[[], Any]) -> Any:
        """Run one QuickJS entry point against the remaining CPU budget (seconds)."""
        with self._budgeted(budget):
            return fn()

    def _drain(self, budget: list[float]) -> None:
        """Run queued jobs until none is left, all against one CPU budget."""
        with self._budgeted(budget) as started:
            while self.ctx.execute_pending_job():
                # QuickJS restarts its timer at every job, so re-arm it with what is left.
                left = budget[0] - (time.process_time() - started)
                if left <= 0:
                    raise quickjs.JSException("InternalError: interrupted")
                self.ctx.set_time_limit(left)

    def _fatal(self, exc: quickjs.JSException, *, later: bool = False) -> str:
        text = str(exc)
        if "out of memory" in text or text.strip() == "null":
            return f"Error: {_OOM}"
        if text.startswith("InternalError: interrupted"):
            # Work after host I/O runs outside isolated-vm's timeout; only the
            # request's wall-clock race (USER_TRANSFORM_TIMEOUT) ends it.
            return "Error: Error: Timed out" if later else f"Error: {_EXECUTION_TIMEOUT}"
        return f"Error: {v8_error_text(text.splitlines()[0])}"

    def _load(self) -> str | None:
        """Compile, link and evaluate the module; check its exports (createIvm)."""
        budget = [self.limits.execution_timeout]
        try:
            promise = self._call(budget, lambda: self.ctx.module(self.t.code + _WRAPPER_JS))
        except quickjs.JSException as exc:
            return self._load_error(str(exc))
        self.control("watch-module", promise)
        self._drain(budget)
        state = json.loads(self.control("module-state", None))
        if state["state"] == "oom":
            return f"Error: {_OOM}"
        if state["state"] == "failed":
            return v8_error_text(state["error"])
        if state["state"] == "pending":
            # A top-level await that can never settle: createIvm never returns and
            # the request only ends when rudder-server gives up on it.
            return "Error: Error: Timed out"
        found = json.loads(self.control("exports", None))
        if len(found) != 1:
            return f"Error: Expected one of {','.join(FUNCTIONS)}. Found {','.join(found)}"
        self.function = found[0]
        return None

    def _load_error(self, text: str) -> str:
        first = text.splitlines()[0] if text else text
        missing = re.match(r"ReferenceError: could not load module '(.*)'$", first)
        if missing:
            return f"Error: import from {missing.group(1)} failed. Module not found."
        if first.startswith("SyntaxError"):
            where = re.search(r":(\d+):(\d+)\)?\s*$", text)
            location = f" [{self.t.name}:{where.group(1)}:{where.group(2)}]" if where else ""
            return v8_error_text(first) + location
        if "out of memory" in text or first.strip() == "null":
            return f"Error: {_OOM}"
        if first.startswith("InternalError: interrupted"):
            return f"Error: {_EXECUTION_TIMEOUT}"
        return v8_error_text(first)

    def _transform(self, items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]] | str:
        payload = {
            "events": [{"message": item["message"], "metadata": item["metadata"]} for item in items],
            "transformationType": self.function,
        }
        budget = [self.limits.execution_timeout]
        self._call(budget, lambda: self.control("start", json.dumps(payload)))
        self._drain(budget)
        started = time.monotonic()
        while True:
            state = json.loads(self.control("run-state", None))
            if state["state"] != "running" or not state["pendingIO"]:
                break
            later = [self.limits.transform_timeout - (time.monotonic() - started)]
            try:
                self._call(later, lambda: self.control("flush-io", None))
                self._drain(later)
            except quickjs.JSException as exc:
                return self._fatal(exc, later=True)
        logs = json.loads(self.control("logs", None))
        if state["state"] == "done":
            return json.loads(self.control("run-result", None)), logs
        if state["state"] == "oom":
            return f"Error: {_OOM}"
        if state["state"] == "encode-failed":
            raise RequestFailed(state["error"])
        if state["state"] == "failed":
            return f"Error: {v8_message(state['error'])}"
        return "Error: Error: Timed out"  # nothing left that could settle the run


def request_items(
    events: Iterable[Mapping[str, Any]],
    *,
    metadata: Mapping[str, Any] | None = None,
    credentials: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Turn messages or `{message, metadata}` items into rudder-server's request items.

    Like RudderStack's gateway, a message without a messageId gets one; gen's is
    derived from the event's position so that runs are reproducible.
    """
    common = dict(metadata or {})
    creds = _credential_list(credentials)
    items: list[dict[str, Any]] = []
    for position, event in enumerate(events, start=1):
        if not isinstance(event, Mapping):
            raise ValueError(f"event {position} is not a JSON object")
        own_credentials: list[dict[str, Any]] = []
        if is_envelope(event):
            message = dict(event["message"])
            own_metadata = dict(event.get("metadata") or {})
            own_credentials = _credential_list(event.get("credentials"))
        else:
            message = dict(event)
            own_metadata = {}
        if "messageId" not in message:
            message["messageId"] = f"00000000-0000-4000-8000-{position:012d}"
        md = {**common, **own_metadata}
        md.setdefault("messageId", message["messageId"])
        item: dict[str, Any] = {"message": message, "metadata": md}
        if own_credentials or creds:
            item["credentials"] = own_credentials or creds
        items.append(item)
    return items


def is_envelope(event: Mapping[str, Any]) -> bool:
    """True for a `{message, metadata}` request item, false for a bare RudderStack message."""
    return isinstance(event.get("message"), Mapping) and set(event) <= _ENVELOPE_KEYS


def _credential_list(
    credentials: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None,
) -> list[dict[str, Any]]:
    if not credentials:
        return []
    if isinstance(credentials, Mapping):
        return [{"key": str(k), "value": v, "isSecret": False} for k, v in credentials.items()]
    return [dict(c) for c in credentials]


def _response_json(response: CannedResponse) -> dict[str, Any]:
    if response.error is not None:
        return {"error": response.error}
    return {"status": response.status, "headers": dict(response.headers), "body": response.body}


def _strip_undefined(entry: dict[str, Any]) -> dict[str, Any]:
    """Drop keys whose value is undefined, as JSON.stringify does; only metadata built here can hold one."""
    metadata = entry.get("metadata")
    if isinstance(metadata, dict) and any(v is _UNDEFINED for v in metadata.values()):
        entry = {**entry, "metadata": {k: v for k, v in metadata.items() if v is not _UNDEFINED}}
    return entry


def _uuid4() -> str:
    return str(uuid.uuid4())
