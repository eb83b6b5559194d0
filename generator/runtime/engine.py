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
import secrets
import sys
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
ENGINES = ("quickjs", "v8")
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
_TIMED_OUT = "Error: Error: Timed out"
MAX_SECONDS = 86400.0
MAX_MEMORY_MB = 65536

# How deep RudderStack can copy values across the isolate boundary (isolated-vm 5.0.3 on
# V8, measured: docs/runtime.md). Costs are relative: an object level costs more than an
# array level going in, less coming out. Past the budget the copy fails where nothing
# catches it, and the request times out.
_INPUT_OBJECT_COST, _INPUT_ARRAY_COST, _INPUT_DEPTH_BUDGET = 2000, 1901, 6_160_000
_OUTPUT_DEPTH_BUDGET = 1_932_500  # objects 1000, arrays 1031 (sandbox.js)
_UNDEFINED = jsvalues.UNDEFINED  # a key whose value JSON.stringify drops


@dataclass(frozen=True)
class Limits:
    """rudder-transformer's limits: IVM_EXECUTION_TIMEOUT, ISOLATE_VM_MEMORY, USER_TRANSFORM_TIMEOUT."""

    execution_timeout: float = 4.0
    memory_mb: int = 128
    transform_timeout: float = 600.0
    stack_bytes: int = 1024 * 1024

    def __post_init__(self) -> None:
        for name in ("execution_timeout", "transform_timeout"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not (0 < value <= MAX_SECONDS):
                raise ValueError(f"{name} must be a number of seconds above 0 and at most {MAX_SECONDS}, not {value!r}")
        for name, low, high in (("memory_mb", 1, MAX_MEMORY_MB), ("stack_bytes", 64 * 1024, 256 * 1024 * 1024)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not (low <= value <= high):
                raise ValueError(f"{name} must be a whole number from {low} to {high}, not {value!r}")


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
        try:
            text = body if isinstance(body, str) else jsvalues.dumps(body)
        except TypeError as exc:
            raise ValueError(f"a canned body must be JSON data or text: {exc}") from None
        raw_headers = spec.get("headers") or {}
        if not isinstance(raw_headers, Mapping) or not all(
            isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in raw_headers.values()
        ):
            raise ValueError("canned `headers` must be a mapping of header names to text")
        headers = {str(k).lower(): str(v) for k, v in raw_headers.items()}
        if not isinstance(body, str):
            headers.setdefault("content-type", "application/json")
        status = spec.get("status", 200)
        if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
            raise ValueError(f"a canned `status` must be an HTTP status code from 100 to 599, not {status!r}")
        return cls(status=status, headers=headers, body=text)


class RequestFailed(Exception):
    """The transformer itself fails the request (HTTP 500), e.g. an output JSON cannot encode."""


@dataclass(frozen=True)
class RunResult:
    """The `/customTransform` answer for one request, plus `log()` lines when run in test mode."""

    response: list[dict[str, Any]]
    logs: list[str]
    # The request items sent: each event with its metadata and messageId as the run saw them.
    items: list[dict[str, Any]] = field(default_factory=list)
    # Where gen's answer rests on a limit of RudderStack's it can only approximate.
    warnings: list[str] = field(default_factory=list)

    def for_message(self, message_id: str) -> list[dict[str, Any]]:
        """The response entries whose metadata carries this messageId, in response order."""
        return [entry for entry in self.response if entry.get("metadata", {}).get("messageId") == message_id]


def default_engine() -> str:
    """The engine a Transformation runs on unless told: $GEN_ENGINE, else QuickJS."""
    return os.environ.get("GEN_ENGINE") or "quickjs"


class Transformation:
    """A RudderStack JavaScript transformation (ES module exporting transformEvent or transformBatch)."""

    def __init__(
        self, code: str, name: str = DEFAULT_NAME, *, limits: Limits | None = None, engine: str | None = None,
        reuse_contexts: bool = False,
    ) -> None:
        for what, text in (("code", code), ("name", name)):
            if not isinstance(text, str):
                raise TypeError(f"the transformation's {what} must be a string")
            try:
                text.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise ValueError(f"the transformation's {what} is not valid Unicode text: {exc.reason}") from None
        engine = engine or default_engine()
        if engine not in ENGINES:
            raise ValueError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")
        self.code = code
        self.name = name
        self.limits = limits or Limits()
        self.engine = engine
        # On V8: run groups in a context reused while that answers as a fresh one would
        # (v8host.cjs, Reused contexts), so the JIT stays warm. gen replay's choice.
        self.reuse_contexts = reuse_contexts
        self.reused_groups = 0  # groups that ran in a context an earlier group had used

    @classmethod
    def from_path(
        cls, path: str | Path, name: str | None = None, *, limits: Limits | None = None, engine: str | None = None
    ) -> Transformation:
        """Load a transformation file; its name in stack traces defaults to the file name."""
        path = Path(path)
        return cls(read_text(path, "transformation"), name or path.name, limits=limits, engine=engine)

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
        warnings: list[str] = []
        for group in groups.values():
            entries, group_logs = self._answer_group(group, host_data, new_message_id or _uuid4, warnings)
            answer.extend(entries)
            logs.extend(group_logs)
        # rudder-transformer's transformRoutine returns its shared result array once per
        # group and flattens them: a request spanning N groups repeats every entry N times.
        response = [_strip_undefined(entry) for entry in answer] * len(groups)
        return RunResult(response=response, logs=logs, items=items, warnings=warnings)

    # -- one group: one isolate --------------------------------------------------------------

    def _answer_group(
        self,
        items: list[dict[str, Any]],
        host_data: dict[str, Any],
        new_message_id: Callable[[], str],
        warnings: list[str],
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

        def whole_group(error: str) -> list[dict[str, Any]]:
            return [{"statusCode": 400, "metadata": item["metadata"], "error": error} for item in items]

        credentials = {c["key"]: c.get("value") for c in items[0].get("credentials") or [] if "key" in c}
        isolate = _Isolate if self.engine == "quickjs" else _V8Isolate
        outcome = isolate(self, dict(host_data, credentials=credentials)).execute(items, warnings)
        if isinstance(outcome, str):
            return whole_group(outcome), []
        outputs, logs = outcome
        try:
            answered_ids, answered = self._outputs(outputs, message_ids, common, first_md, new_message_id)
        except _HostTypeError as exc:
            return whole_group(f"TypeError: {exc}"), logs

        filtered = []
        unanswered = {jsvalues.same_value_key(m): m for m in reversed(message_ids)}
        for key in dict.fromkeys(jsvalues.same_value_key(m) for m in message_ids):
            if key in answered_ids:
                continue
            message_id = unanswered[key]
            original = metadata_by_id.get(jsvalues.string(message_id))
            base = common if original is None or _is_empty(original) else original
            filtered.append({
                "statusCode": FILTERED,
                "metadata": {**base, "messageId": message_id, "messageIds": None},
            })
        return filtered + answered, logs

    @staticmethod
    def _outputs(
        outputs: Any,
        message_ids: list[Any],
        common: dict[str, Any],
        first_md: dict[str, Any],
        new_message_id: Callable[[], str],
    ) -> tuple[set[Any], list[dict[str, Any]]]:
        """transformRoutine's loop over what the isolate returned, with JavaScript's semantics.

        The isolate's answer is whatever its wrapper produced, and a transformation that
        tampers with built-ins can change that wrapper: any JSON value may arrive here.
        """
        if not isinstance(outputs, list):
            if outputs is None or outputs is _UNDEFINED:
                raise _HostTypeError(f"Cannot read properties of {jsvalues.string(outputs)} (reading 'forEach')")
            raise _HostTypeError("destTransformedEvents.forEach is not a function")
        answered_ids: set[Any] = set()
        answered: list[dict[str, Any]] = []
        for out in outputs:
            md = _member(out, "metadata")
            error = _member(out, "error")
            if jsvalues.truthy(_optional_member(md, "messageId")):
                answered_ids.add(jsvalues.same_value_key(md["messageId"]))
            elif jsvalues.truthy(_optional_member(md, "messageIds")):
                ids = md["messageIds"]
                if not isinstance(ids, list):
                    raise _HostTypeError("ev.metadata.messageIds.forEach is not a function")
                answered_ids.update(jsvalues.same_value_key(m) for m in ids)
            elif jsvalues.truthy(error):
                answered_ids.update(jsvalues.same_value_key(m) for m in message_ids)
            own = common if _is_empty(md) else md
            if jsvalues.truthy(error):
                text = v8_error_text(error) if isinstance(error, str) else error
                answered.append({"statusCode": 400, "error": text, "metadata": own})
                continue
            event = _member(out, "transformedEvent")
            if not isinstance(event, dict):
                shown = "undefined" if event is _UNDEFINED else jsvalues.dumps(event)
                answered.append({
                    "statusCode": 400,
                    "error": "returned event in events from user transformation is not an object. "
                    f"transformationVersionId:{_VERSION_ID} and returned event: {shown}",
                    "metadata": own,
                })
                continue
            if _is_empty(md) or not jsvalues.truthy(_member(md, "messageId")):
                md = {
                    **first_md,
                    "messageId": new_message_id(),
                    "eventName": event.get("event", _UNDEFINED),
                    "eventType": event.get("type", _UNDEFINED),
                }
            answered.append({"output": event, "metadata": md, "statusCode": 200})
        return answered_ids, answered


class _HostTypeError(Exception):
    """A TypeError raised by RudderStack's host code (transformRoutine), in V8's words."""


def _member(value: Any, key: str) -> Any:
    """`value[key]` in JavaScript, for a JSON value on the host."""
    if value is None or value is _UNDEFINED:
        raise _HostTypeError(f"Cannot read properties of {jsvalues.string(value)} (reading '{key}')")
    if isinstance(value, dict):
        return value.get(key, _UNDEFINED)
    return _UNDEFINED


def _optional_member(value: Any, key: str) -> Any:
    """`value?.[key]` in JavaScript."""
    return _UNDEFINED if value is None or value is _UNDEFINED else _member(value, key)


def _is_empty(value: Any) -> bool:
    """lodash's isEmpty for a JSON value: no keys, no elements, or not a collection at all."""
    if isinstance(value, (dict, list, str)):
        return len(value) == 0
    return True


class NotUTF8(ValueError):
    """A file that should be UTF-8 text is not; `line` and `column` (1-based) locate the first bad byte."""

    def __init__(self, path: Path, line: int, column: int, detail: str) -> None:
        super().__init__(f"{path}:{line}:{column}: {detail}")
        self.path, self.line, self.column, self.detail = path, line, column, detail


def read_text(path: Path, what: str) -> str:
    """A UTF-8 text file (a byte-order mark is allowed), or NotUTF8 naming the first bad byte."""
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        hint = " (it looks like UTF-16: save it as UTF-8)" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
        raise NotUTF8(
            path, line, column,
            f"the {what} is not UTF-8 text: byte 0x{data[exc.start]:02x} cannot start or continue a character{hint}",
        ) from None


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
        # The module hands its namespace to a global with an unguessable name, with a
        # token only its last statement knows (sandbox.js, part 6).
        self.receiver = f"__gen_receive_{secrets.token_hex(8)}"
        self.token = secrets.token_hex(16)
        sandbox = self.ctx.eval(_SANDBOX_JS)
        self.control = sandbox(json.dumps(host_data), self.receiver, self.token, _OUTPUT_DEPTH_BUDGET)

    def execute(
        self, items: list[dict[str, Any]], warnings: list[str]
    ) -> tuple[Any, list[str]] | str:
        """The group's outputs (any JSON value) and logs, or the whole-run error string every event gets."""
        try:
            failure = self._load()
            if failure is not None:
                return failure
            events_json, too_deep = _events_json(items)
            if events_json is None:
                warnings.append(_deep_input_warning(too_deep))
                return _TIMED_OUT
            outcome = self._transform(events_json)
            if outcome == _DEEP_OUTPUT:
                warnings.append(_DEEP_OUTPUT_WARNING)
                return _TIMED_OUT
            return outcome
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
            return _TIMED_OUT if later else f"Error: {_EXECUTION_TIMEOUT}"
        return f"Error: {v8_error_text(text.splitlines()[0])}"

    def _load(self) -> str | None:
        """Compile, link and evaluate the module; check its exports (createIvm)."""
        budget = [self.limits.execution_timeout]
        alias = f"__gen_namespace_{secrets.token_hex(8)}"
        # V8 reads a NUL in source text as it reads U+0000 written as an escape; the
        # binding cannot pass a raw NUL to QuickJS.
        source = (
            self.t.code.replace("\x00", "\\u0000")
            + _WRAPPER_JS
            + f"import * as {alias} from '<input>';\n{self.receiver}({json.dumps(self.token)}, {alias});\n"
        )
        try:
            promise = self._call(budget, lambda: self.ctx.module(source))
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
            return _TIMED_OUT
        found = [name for name in self.control("exports", None).split(",") if name]
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

    def _transform(self, events_json: str) -> tuple[Any, list[str]] | str:
        text = f'{{"events":{events_json},"transformationType":{json.dumps(self.function)}}}'
        budget = [self.limits.execution_timeout]
        self._call(budget, lambda: self.control("start", text))
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
        result = self.control("run-result", None) if state["state"] == "done" else ""
        return _run_outcome(state["state"], state["error"], result, logs, v8_message)


_DEEP_OUTPUT = "deep output"


def _run_outcome(
    state: str, error: Any, result: str, logs: list[str], wording: Callable[[str], str]
) -> tuple[Any, list[str]] | str:
    """What the run's final state means for the group: outputs and logs, or the error every event gets."""
    if state == "done":
        return (_UNDEFINED if result == "" else jsvalues.loads(result)), logs
    if state == "deep":
        return _DEEP_OUTPUT
    if state == "oom":
        return f"Error: {_OOM}"
    if state == "encode-failed":
        raise RequestFailed(error)
    if state == "failed":
        # The host rethrows the rejection's message as `new Error(message)`.
        message = wording(error)
        return f"Error: {message}" if message else "Error"
    return _TIMED_OUT  # nothing left that could settle the run


def _deep_input_warning(message_id: Any) -> str:
    return (
        f"event {message_id!r} nests deeper than RudderStack can copy into its isolate (about "
        f"{_INPUT_DEPTH_BUDGET // _INPUT_OBJECT_COST:,} levels): the whole request times out there, after "
        "USER_TRANSFORM_TIMEOUT (10 minutes)"
    )


_DEEP_OUTPUT_WARNING = (
    f"an output nests deeper than RudderStack can copy out of its isolate (about "
    f"{_OUTPUT_DEPTH_BUDGET // 1000:,} levels): the whole request times out there, after "
    "USER_TRANSFORM_TIMEOUT (10 minutes)"
)


class _V8Isolate:
    """One fresh V8 context in gen's Node host (v8.py) doing what createIvm + transform do for one group."""

    def __init__(self, transformation: Transformation, host_data: dict[str, Any]) -> None:
        self.t = transformation
        self.host_data = dict(host_data, engine="v8")

    def execute(self, items: list[dict[str, Any]], warnings: list[str]) -> tuple[Any, list[str]] | str:
        """The group's outputs (any JSON value) and logs, or the whole-run error string every event gets."""
        from . import v8

        events_json, too_deep = _events_json(items)
        limits = self.t.limits
        receiver = f"__gen_receive_{secrets.token_hex(8)}"
        token = secrets.token_hex(16)
        alias = f"__gen_namespace_{secrets.token_hex(8)}"
        header = {
            "op": "group",
            "code": self.t.code,
            "name": self.t.name,
            "tail": f"import * as {alias} from '<input>';\n{receiver}({json.dumps(token)}, {alias});\n",
            "hostJson": json.dumps(self.host_data),
            "receiver": receiver,
            "token": token,
            "outputDepthBudget": _OUTPUT_DEPTH_BUDGET,
            "executionTimeout": limits.execution_timeout,
            "transformTimeout": limits.transform_timeout,
            "loadOnly": events_json is None,
            "reuse": self.t.reuse_contexts,
            "limits": {
                "memoryMb": limits.memory_mb,
                "stackMb": max(1, limits.stack_bytes // (1024 * 1024)),
            },
        }
        payload = "[]" if events_json is None else events_json
        try:
            answer, result = v8.request(dict(header), payload)
        except RuntimeError:
            # The host process itself died (killed, or a crash outside any isolate): not
            # something RudderStack's answer depends on, so a new host answers, once.
            answer, result = v8.request(dict(header), payload)
        if answer["kind"] == "oom" and header["reuse"]:
            # Out of memory beside warm contexts (the worker's, or the whole host's): the
            # group runs again in a fresh worker, so only a group that exhausts the limit
            # on its own fails for it.
            answer, result = v8.request(dict(header, reuse=False), payload)
        self.t.reused_groups += bool(answer.get("reused"))
        kind = answer["kind"]
        if kind == "error":
            return str(answer["error"])
        if kind == "oom":
            return f"Error: {_OOM}"
        if kind == "pending":
            return _TIMED_OUT
        if kind == "module":
            return str(answer["state"]["error"])
        if kind == "exports":
            return f"Error: Expected one of {','.join(FUNCTIONS)}. Found {','.join(answer['found'])}"
        if kind == "loaded":
            warnings.append(_deep_input_warning(too_deep))
            return _TIMED_OUT
        if kind != "run":
            raise RuntimeError(f"gen's V8 host failed: {answer.get('error', answer)}")
        outcome = _run_outcome(answer["state"], answer["error"], result, answer["logs"], lambda text: text)
        if outcome == _DEEP_OUTPUT:
            warnings.append(_DEEP_OUTPUT_WARNING)
            return _TIMED_OUT
        return outcome


def _events_json(items: list[dict[str, Any]]) -> tuple[str | None, Any]:
    """The request's events as JSON text for the isolate (ASCII, so lone surrogates travel
    escaped), or None and the messageId of the first event RudderStack could not copy in."""
    payload = [{"message": item["message"], "metadata": item["metadata"]} for item in items]
    if sys.getrecursionlimit() <= _DEEPEST_ENCODABLE:
        try:
            # Encoded within Python's recursion limit, so far shallower than the copy-in
            # budget: no event needs its depth measured.
            return json.dumps(payload, allow_nan=False, separators=(",", ":")), None
        except (ValueError, RecursionError):
            pass
    too_deep = _too_deep_to_copy_in(items)
    if too_deep is not None:
        return None, too_deep
    # An overflowing number (`1e400`) reaches V8 as Infinity; nesting past Python's
    # recursion limit needs the iterative encoder.
    return jsvalues.dumps(payload, overflow_infinity=True), None


# The deepest nesting the copy-in budget allows, in levels (objects cost the most).
_DEEPEST_ENCODABLE = (_INPUT_DEPTH_BUDGET - _INPUT_OBJECT_COST - _INPUT_ARRAY_COST) // _INPUT_OBJECT_COST


def _too_deep_to_copy_in(items: list[dict[str, Any]]) -> Any:
    """The messageId of the first item RudderStack's host could not copy into the isolate, or None."""
    # The payload object and its `events` array sit above every item.
    spent = _INPUT_OBJECT_COST + _INPUT_ARRAY_COST
    for item in items:
        item_cost = jsvalues.deepest(
            {"message": item["message"], "metadata": item["metadata"]}, _INPUT_OBJECT_COST, _INPUT_ARRAY_COST
        )
        if item_cost + spent > _INPUT_DEPTH_BUDGET:
            return item["metadata"].get("messageId")
    return None


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
    if metadata is not None and not isinstance(metadata, Mapping):
        raise ValueError("metadata must be a JSON object")
    common = dict(metadata or {})
    creds = _credential_list(credentials, "credentials")
    return [request_item(event, position, common, creds) for position, event in enumerate(events, start=1)]


def request_item(
    event: Any, position: int, common: Mapping[str, Any], credentials: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """One event as a request item; `position` (from 1) names a messageId the event lacks."""
    if not isinstance(event, Mapping):
        raise ValueError(f"event {position} is not a JSON object")
    own_credentials: list[dict[str, Any]] = []
    if is_envelope(event):
        message = dict(event["message"])
        if event.get("metadata") is not None and not isinstance(event["metadata"], Mapping):
            raise ValueError(f"event {position}: `metadata` must be a JSON object")
        own_metadata = dict(event.get("metadata") or {})
        own_credentials = _credential_list(event.get("credentials"), f"event {position}: `credentials`")
    else:
        message = dict(event)
        own_metadata = {}
    if "messageId" not in message:
        message["messageId"] = f"00000000-0000-4000-8000-{position:012d}"
    md = {**common, **own_metadata}
    md.setdefault("messageId", message["messageId"])
    item: dict[str, Any] = {"message": message, "metadata": md}
    if own_credentials or credentials:
        item["credentials"] = own_credentials or credentials
    return item


def is_envelope(event: Mapping[str, Any]) -> bool:
    """True for a `{message, metadata}` request item, false for a bare RudderStack message."""
    return isinstance(event.get("message"), Mapping) and set(event) <= _ENVELOPE_KEYS


def _credential_list(
    credentials: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None, what: str
) -> list[dict[str, Any]]:
    if not credentials:
        return []
    if isinstance(credentials, Mapping):
        return [{"key": str(k), "value": v, "isSecret": False} for k, v in credentials.items()]
    if isinstance(credentials, (str, bytes)) or not isinstance(credentials, Sequence) or not all(
        isinstance(c, Mapping) and isinstance(c.get("key"), str) for c in credentials
    ):
        raise ValueError(f"{what} must be an object {{key: value}} or a list of {{\"key\", \"value\"}} objects")
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
