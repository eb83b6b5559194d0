"""Fixture files: events in, what must come out of each, checked by running the transformation.

Two layouts are read:
- gen fixtures (`*.fixture.yaml`, `*.fixture.yml`, `*.fixture.json`): docs/fixtures.md;
- rudder-cli transformation specs (`version: rudder/v1`, `kind: transformation`) with
  `tests: [{name, input, output}]` directories of JSON files, so suites move between tools.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import safeyaml
from .contract import compile_contract
from .contract.render import OUTPUT
from .runtime import CannedResponse, Limits, RequestFailed, RunResult, Transformation, jsvalues
from .runtime.engine import read_text

FIXTURE_SUFFIXES = (".fixture.yaml", ".fixture.yml", ".fixture.json")
DEFAULT_TRANSFORMATION = Path("generated") / "transformation.js"

_FILE_KEYS = {
    "transformation", "contract", "name", "metadata", "credentials", "fetch", "geolocation", "limits", "cases",
    "customerio",
}
_CASE_KEYS = {
    "name", "event", "events", "metadata", "credentials", "fetch", "geolocation", "expect", "golden", "logs",
    "customerio", "people",
}
# Expectations on Customer.io's side, for the whole case (generator.customerio).
_CUSTOMERIO_KEYS = {"customerio", "people"}
_EXPECT_KEYS = {"output", "outputs", "match", "dropped", "error"}
_ERROR_KEYS = {"name", "message", "line"}


class FixtureError(Exception):
    """A fixture file that cannot be read as one; the message names the file and the place."""


@dataclass
class Case:
    """One named case: events run together as one request, with an expectation per event."""

    name: str
    path: Path
    transformation: Path
    transformation_name: str | None
    events: list[dict[str, Any]]
    # When set, the transformation is built from this contract in memory instead.
    contract: Path | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    credentials: dict[str, Any] = field(default_factory=dict)
    fetch: dict[str, CannedResponse] = field(default_factory=dict)
    geolocation: dict[str, Any] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)
    expect: list[dict[str, Any]] | None = None
    golden: Path | None = None
    logs: list[str] | None = None
    # Customer.io's side: the calls (subset-matched, in order) and the people model.
    customerio: list[Any] | None = None
    people: dict[str, Any] | None = None
    destination: dict[str, Any] = field(default_factory=dict)
    # rudder-cli layout: the expected `transformedEvents` array of the whole file.
    rudder_cli_output: Path | None = None
    rudder_cli: bool = False
    # A rudder-cli spec's inline `code` (instead of a `file`).
    code: str | None = None

    @property
    def id(self) -> str:
        return f"{self.path}::{self.name}"


@dataclass
class Outcome:
    """The result of checking one case."""

    case: Case
    passed: bool
    report: str = ""
    updated: bool = False
    result: RunResult | None = None  # the answer the case was judged on, when it ran


# -- discovery ------------------------------------------------------------------------------


def is_fixture_file(path: Path) -> bool:
    return path.name.endswith(FIXTURE_SUFFIXES)


def is_rudder_cli_spec(path: Path) -> bool:
    """A rudder-cli YAML spec of kind `transformation`."""
    if path.suffix not in (".yaml", ".yml"):
        return False
    try:
        documents = safeyaml.load_all(read_text(path, "file"))
    except (OSError, ValueError, yaml.YAMLError, safeyaml.YAMLLimitError):
        return False
    return any(isinstance(d, Mapping) and d.get("kind") == "transformation" for d in documents)


def discover(paths: list[Path]) -> list[Path]:
    """Fixture files and rudder-cli specs under these paths (files given explicitly are taken as they are)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            for candidate in sorted(path.rglob("*")):
                if any(part.startswith(".") for part in candidate.relative_to(path).parts):
                    continue
                if candidate.is_file() and (is_fixture_file(candidate) or is_rudder_cli_spec(candidate)):
                    found.append(candidate)
        elif path.exists():
            found.append(path)
        else:
            raise FixtureError(f"{path}: no such file or directory")
    return found


def load(path: Path) -> list[Case]:
    """The cases of one fixture file or rudder-cli spec."""
    text = _read(path)
    if path.suffix == ".json":
        try:
            data = jsvalues.loads(text)
        except jsvalues.JSONError as exc:
            raise FixtureError(f"{path}:{exc.line}:{exc.column}: invalid JSON: {exc.msg}") from exc
        documents = [data]
    else:
        _check_positions(path, text)
        try:
            documents = safeyaml.load_all(text)
        except safeyaml.YAMLLimitError as exc:
            raise FixtureError(f"{path}:{exc.line}:{exc.column}: {exc}") from exc
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
            raise FixtureError(f"{where}: invalid YAML: {getattr(exc, 'problem', exc)}") from exc
    specs = [d for d in documents if isinstance(d, Mapping) and d.get("kind") == "transformation"]
    if specs:
        return [case for spec in specs for case in _rudder_cli_cases(path, spec)]
    if len(documents) != 1 or not isinstance(documents[0], Mapping):
        raise FixtureError(f"{path}: a fixture file holds one mapping with `cases`")
    return _gen_cases(path, documents[0])


def _check_positions(path: Path, text: str) -> None:
    """Every structural mistake of a gen fixture file at once, at its line and column, with did-you-mean."""
    from .contract.load import load as load_positions

    if re.search(r"^---", text, re.MULTILINE) or re.search(r"^kind:\s*transformation", text, re.MULTILINE):
        return  # a rudder-cli spec, or several documents: read as before
    loaded = load_positions(text, str(path))
    if any(d.severity == "error" for d in loaded.diagnostics):
        raise FixtureError("\n".join(str(d) for d in loaded.diagnostics))
    data, source = loaded.data, loaded.source
    if not isinstance(data, Mapping) or "cases" not in data:
        return
    problems: list[str] = []

    def report(where: tuple[Any, ...], message: str, *, key: bool = False) -> None:
        position = source.at(where, key=key)
        problems.append(f"{path}:{position.line}:{position.column}: error: {message}")

    def unknown(where: tuple[Any, ...], mapping: Mapping[str, Any], allowed: set[str], what: str) -> None:
        for name in mapping:
            if name not in allowed:
                close = difflib.get_close_matches(str(name), sorted(allowed), n=1)
                hint = f"; did you mean '{close[0]}'?" if close else f" (expected one of: {', '.join(sorted(allowed))})"
                report((*where, name), f"unknown key '{name}' in {what}{hint}", key=True)

    unknown((), data, _FILE_KEYS, "the fixture file")
    cases = data.get("cases")
    if not isinstance(cases, list) or not cases:
        report(("cases",), "`cases` must be a non-empty list")
        cases = []
    names: dict[str, int] = {}
    for index, case in enumerate(cases):
        where = ("cases", index)
        if not isinstance(case, Mapping):
            report(where, "a case is a mapping")
            continue
        label = f"case '{case.get('name')}'" if case.get("name") is not None else f"case {index + 1}"
        unknown(where, case, _CASE_KEYS, label)
        name = str(case.get("name") or f"case {index + 1}")
        if name in names:
            report((*where, "name"), f"two cases are named '{name}' (the other at line {names[name]})")
        names.setdefault(name, source.at((*where, "name")).line)
        if ("event" in case) == ("events" in case):
            report(where, f"{label}: give exactly one of `event` or `events`")
            continue
        events = [case["event"]] if "event" in case else case["events"]
        if not isinstance(events, list) or not events or not all(isinstance(e, Mapping) for e in events):
            report((*where, "events" if "events" in case else "event"),
                   f"{label}: `events` must be a non-empty list of objects")
            continue
        expect = case.get("expect")
        if isinstance(expect, Mapping) and expect and set(expect) <= _CUSTOMERIO_KEYS:
            continue
        if expect is None:
            if "golden" not in case and not set(case) & _CUSTOMERIO_KEYS:
                report(where, f"{label}: give `expect`, `golden`, or `customerio`/`people` expectations")
            continue
        if "golden" in case:
            report((*where, "golden"), f"{label}: give exactly one of `expect` or `golden`", key=True)
        items = expect if isinstance(expect, list) else [expect]
        if len(items) != len(events):
            report((*where, "expect"), f"{label}: {len(events)} event(s) but {len(items)} expectation(s)", key=True)
        for position, item in enumerate(items):
            at = (*where, "expect", position) if isinstance(expect, list) else (*where, "expect")
            if not isinstance(item, Mapping) or len(item) != 1:
                report(at, f"{label}: an expectation is one of {', '.join(sorted(_EXPECT_KEYS))}")
                continue
            kind = next(iter(item))
            if kind not in _EXPECT_KEYS:
                close = difflib.get_close_matches(str(kind), sorted(_EXPECT_KEYS), n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                report((*at, kind), f"{label}: unknown expectation '{kind}'{hint}", key=True)
    if problems:
        raise FixtureError("\n".join(problems))


def _read(path: Path) -> str:
    try:
        return read_text(path, "fixture file")
    except OSError as exc:
        raise FixtureError(f"{path}: cannot read: {exc.strerror}") from exc
    except ValueError as exc:
        raise FixtureError(str(exc)) from exc


def _unknown(where: str, mapping: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(mapping) - allowed)
    if unknown:
        raise FixtureError(f"{where}: unknown key(s) {', '.join(unknown)}; expected {', '.join(sorted(allowed))}")


def _mapping(where: str, value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise FixtureError(f"{where}: expected a mapping")
    return dict(value)


def _default_transformation(path: Path) -> Path:
    for directory in [path.parent, *path.parent.parents]:
        candidate = directory / DEFAULT_TRANSFORMATION
        if candidate.exists():
            return candidate
    return Path.cwd() / DEFAULT_TRANSFORMATION


def _limits(where: str, spec: Any) -> Limits:
    spec = _mapping(where, spec)
    _unknown(where, spec, {"execution_timeout", "memory_mb", "transform_timeout"})
    try:
        return Limits(**{key: type(getattr(Limits(), key))(value) for key, value in spec.items()})
    except (TypeError, ValueError) as exc:
        raise FixtureError(f"{where}: {exc}") from exc


def _fetch(where: str, spec: Any) -> dict[str, CannedResponse]:
    canned = {}
    for url, response in _mapping(where, spec).items():
        try:
            canned[str(url)] = CannedResponse.from_spec(response)
        except ValueError as exc:
            raise FixtureError(f"{where}.{url}: {exc}") from exc
    return canned


def _gen_cases(path: Path, data: Mapping[str, Any]) -> list[Case]:
    _unknown(str(path), data, _FILE_KEYS)
    raw_cases = data.get("cases")
    if not isinstance(raw_cases, list) or not raw_cases:
        raise FixtureError(f"{path}: `cases` must be a non-empty list")
    if data.get("transformation") and data.get("contract"):
        raise FixtureError(f"{path}: give `transformation` or `contract`, not both")
    transformation = (
        (path.parent / str(data["transformation"])).resolve()
        if data.get("transformation")
        else _default_transformation(path)
    )
    contract_path = (path.parent / str(data["contract"])).resolve() if data.get("contract") else None
    common_md = _mapping(f"{path}: metadata", data.get("metadata"))
    common_creds = _mapping(f"{path}: credentials", data.get("credentials"))
    common_fetch = _fetch(f"{path}: fetch", data.get("fetch"))
    common_geo = _mapping(f"{path}: geolocation", data.get("geolocation"))
    limits = _limits(f"{path}: limits", data.get("limits"))
    name = data.get("name")
    cases: list[Case] = []
    names: set[str] = set()
    for index, raw in enumerate(raw_cases, start=1):
        where = f"{path}: case {index}"
        if not isinstance(raw, Mapping):
            raise FixtureError(f"{where}: a case is a mapping")
        _unknown(where, raw, _CASE_KEYS)
        case_name = str(raw.get("name") or f"case {index}")
        where = f"{path}: case '{case_name}'"
        if case_name in names:
            raise FixtureError(f"{where}: two cases share this name")
        names.add(case_name)
        if ("event" in raw) == ("events" in raw):
            raise FixtureError(f"{where}: give exactly one of `event` or `events`")
        events = [raw["event"]] if "event" in raw else raw["events"]
        if not isinstance(events, list) or not events or not all(isinstance(e, Mapping) for e in events):
            raise FixtureError(f"{where}: `events` must be a non-empty list of objects")
        side = {k: raw[k] for k in _CUSTOMERIO_KEYS if k in raw}
        if isinstance(raw.get("expect"), Mapping) and raw["expect"] and set(raw["expect"]) <= _CUSTOMERIO_KEYS:
            # `expect: {customerio: [...], people: {...}}`: the whole case, on Customer.io's side.
            side.update(raw["expect"])
            raw = {k: v for k, v in raw.items() if k != "expect"}
        if "expect" in raw and "golden" in raw:
            raise FixtureError(f"{where}: give exactly one of `expect` or `golden`")
        if "expect" not in raw and "golden" not in raw and not side:
            raise FixtureError(f"{where}: give `expect`, `golden`, or `customerio`/`people` expectations")
        if "customerio" in side and not isinstance(side["customerio"], list):
            raise FixtureError(f"{where}: `customerio` is the list of calls the case's events become")
        if "people" in side and not isinstance(side["people"], Mapping):
            raise FixtureError(f"{where}: `people` is a mapping: {{profiles: {{key: ...}}, warnings: [...]}}")
        if "people" in side:
            _unknown(f"{where}: people", side["people"], {"profiles", "warnings"})
        expect = None
        if "expect" in raw:
            expect = raw["expect"] if isinstance(raw["expect"], list) else [raw["expect"]]
            if len(expect) != len(events):
                raise FixtureError(f"{where}: {len(events)} event(s) but {len(expect)} expectation(s)")
            for position, item in enumerate(expect, start=1):
                _check_expectation(f"{where}: expectation {position}", item)
        logs = raw.get("logs")
        if logs is not None and not (isinstance(logs, list) and all(isinstance(x, str) for x in logs)):
            raise FixtureError(f"{where}: `logs` must be a list of strings")
        case = Case(
            name=case_name,
            path=path,
            transformation=transformation,
            transformation_name=name,
            contract=contract_path,
            events=[dict(e) for e in events],
            metadata={**common_md, **_mapping(f"{where}: metadata", raw.get("metadata"))},
            credentials={**common_creds, **_mapping(f"{where}: credentials", raw.get("credentials"))},
            fetch={**common_fetch, **_fetch(f"{where}: fetch", raw.get("fetch"))},
            geolocation={**common_geo, **_mapping(f"{where}: geolocation", raw.get("geolocation"))},
            limits=limits,
            expect=expect,
            golden=(path.parent / str(raw["golden"])) if "golden" in raw else None,
            logs=logs,
            customerio=side.get("customerio"),
            people=dict(side["people"]) if "people" in side else None,
            destination=_mapping(f"{path}: customerio", data.get("customerio")),
        )
        ids = [m.get("messageId") for m in (e.get("message", e) for e in case.events) if isinstance(m, Mapping)]
        present = [i for i in ids if i is not None]
        if len(set(map(str, present))) != len(present):
            raise FixtureError(f"{where}: events in one case need distinct messageIds")
        cases.append(case)
    return cases


def _check_expectation(where: str, item: Any) -> None:
    if not isinstance(item, Mapping) or len(item) != 1 or next(iter(item)) not in _EXPECT_KEYS:
        raise FixtureError(f"{where}: one of {', '.join(sorted(_EXPECT_KEYS))}")
    kind, value = next(iter(item.items()))
    if kind == "dropped" and value is not True:
        raise FixtureError(f"{where}: `dropped: true`")
    if kind == "output" and not isinstance(value, Mapping):
        raise FixtureError(f"{where}: `output` is one event object (use `outputs` for a list)")
    if kind == "outputs" and not (isinstance(value, list) and all(isinstance(v, Mapping) for v in value)):
        raise FixtureError(f"{where}: `outputs` is a list of event objects")
    if kind == "match" and not isinstance(value, (Mapping, list)):
        raise FixtureError(f"{where}: `match` is an object, or a list of objects for a fan-out")
    if kind == "error":
        if isinstance(value, Mapping):
            _unknown(where, value, _ERROR_KEYS)
        elif not isinstance(value, str):
            raise FixtureError(f"{where}: `error` is a string or a mapping of name, message, line")


# rudder-cli's own default events stand in when a spec has no tests (rudder-iac
# `testorchestrator/inputs.go`): one track, identify, page and screen event as its JavaScript
# SDK sends them. These are gen's own samples of the same four calls.
RUDDER_CLI_DEFAULT_EVENTS: list[dict[str, Any]] = [
    {"type": "track", "event": "Product Click", "anonymousId": "anon-default-1", "channel": "web",
     "messageId": "default-track-1", "originalTimestamp": "2026-01-15T10:00:00.000Z",
     "sentAt": "2026-01-15T10:00:00.100Z", "receivedAt": "2026-01-15T10:00:00.200Z",
     "timestamp": "2026-01-15T10:00:00.100Z",
     "context": {"library": {"name": "RudderLabs JavaScript SDK", "version": "3.0.0"},
                 "traits": {"name": "Sam Rivera", "email": "sam@example.com"}, "locale": "en-US",
                 "page": {"path": "/catalog", "url": "https://shop.example.com/catalog", "title": "Catalog"}},
     "properties": {"product_id": "p-100", "sku": "SKU-100", "category": "Games", "name": "Board game",
                    "price": 24.5, "quantity": 2, "currency": "USD"}},
    {"type": "identify", "userId": "user-default-1", "anonymousId": "anon-default-1", "channel": "web",
     "messageId": "default-identify-1", "originalTimestamp": "2026-01-15T10:01:00.000Z",
     "receivedAt": "2026-01-15T10:01:00.200Z", "timestamp": "2026-01-15T10:01:00.100Z",
     "context": {"library": {"name": "RudderLabs JavaScript SDK", "version": "3.0.0"},
                 "traits": {"name": "Sam Rivera", "email": "sam@example.com", "phone": "+14155550100"}}},
    {"type": "page", "name": "Home", "anonymousId": "anon-default-1", "channel": "web",
     "messageId": "default-page-1", "originalTimestamp": "2026-01-15T10:02:00.000Z",
     "receivedAt": "2026-01-15T10:02:00.200Z", "timestamp": "2026-01-15T10:02:00.100Z",
     "context": {"library": {"name": "RudderLabs JavaScript SDK", "version": "3.0.0"}},
     "properties": {"path": "/", "url": "https://shop.example.com/", "title": "Home", "referrer": ""}},
    {"type": "screen", "event": "HomeScreen", "anonymousId": "anon-default-2", "channel": "mobile",
     "messageId": "default-screen-1", "originalTimestamp": "2026-01-15T10:03:00.000Z",
     "receivedAt": "2026-01-15T10:03:00.200Z", "timestamp": "2026-01-15T10:03:00.100Z",
     "context": {"library": {"name": "com.rudderstack.android.sdk.core", "version": "1.20.0"}},
     "properties": {"name": "HomeScreen", "category": "Parent Screens"}},
]


def _rudder_cli_cases(path: Path, spec: Mapping[str, Any]) -> list[Case]:
    """A spec's tests as rudder-cli runs them (rudder-iac `specs/transformation.go`, `testorchestrator`).

    `input` and `output` default to ./input and ./output next to the spec; an input folder
    given explicitly must exist (rudder-cli validate refuses it otherwise), a default one may not.
    Each top-level *.json file is one test; its same-named file in the output folder, when
    there is one, is the expected output. A spec whose suites find no file (or that has no
    `tests`) runs rudder-cli's default events as one test, which passes when nothing fails.
    """
    body = _mapping(f"{path}: spec", spec.get("spec"))
    code, file = body.get("code"), body.get("file")
    if (code is None) == (file is None):
        raise FixtureError(f"{path}: a transformation spec has exactly one of `code` and `file`")
    if code is not None and not isinstance(code, str):
        raise FixtureError(f"{path}: `code` is the transformation's source text")
    name = str(body.get("name") or DEFAULT_TRANSFORMATION.name)
    transformation = path.resolve() if code is not None else (path.parent / str(file)).resolve()

    def case(case_name: str, events: list[Any], output: Path | None) -> Case:
        return Case(name=case_name, path=path, transformation=transformation, transformation_name=name,
                    events=events, rudder_cli_output=output, rudder_cli=True, code=code)

    cases: list[Case] = []
    tests = body.get("tests") or []
    if not isinstance(tests, list):
        raise FixtureError(f"{path}: `tests` is a list of {{name, input, output}}")
    for suite in tests:
        suite = _mapping(f"{path}: tests", suite)
        label = str(suite.get("name") or "").strip()
        if not label or not re.fullmatch(r"[A-Za-z0-9 _/\-]+", label):
            raise FixtureError(f"{path}: test suite name {suite.get('name')!r} must match ^[A-Za-z0-9 _/\\-]+$ "
                               "(rudder-cli's rule)")
        given = suite.get("input")
        input_dir = path.parent / str(given or "./input")
        if not input_dir.is_dir():
            if given:
                raise FixtureError(f"{path}: test suite '{label}': input directory {input_dir} not found")
            continue
        # A missing output folder only means no expected outputs yet (`gen test --update` writes them).
        output_dir = path.parent / str(suite.get("output") or "./output")
        for entry in sorted(input_dir.iterdir()):
            if not entry.is_file() or not entry.name.lower().endswith(".json"):
                continue
            try:
                data = jsvalues.loads(_read(entry))
            except jsvalues.JSONError as exc:
                raise FixtureError(f"{entry}:{exc.line}:{exc.column}: invalid JSON: {exc.msg}") from exc
            if not isinstance(data, (list, dict)):
                raise FixtureError(f"{entry}: must contain valid object or array")
            cases.append(case(f"{label}/{entry.name}", data if isinstance(data, list) else [data],
                              output_dir / entry.name))
    if not cases:
        cases.append(case("default-events", [dict(e) for e in RUDDER_CLI_DEFAULT_EVENTS], None))
    return cases


# -- running and matching -------------------------------------------------------------------


def run_case(case: Case, *, update: bool = False, engine: str | None = None) -> Outcome:
    """Run a case and compare; with `update`, write its golden (or rudder-cli output) file instead."""
    try:
        return _run_case(case, update, engine)
    except (FixtureError, OSError, ValueError, RecursionError) as exc:
        message = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        if isinstance(exc, RecursionError):
            message = "the case nests too deeply to compare"
        return Outcome(case, False, message)


def execute(case: Case, engine: str | None = None) -> RunResult | str:
    """The case's request answered on an engine, or why it could not be (text)."""
    if case.contract is not None:
        code, problem = _build_contract(case.contract)
        if code is None:
            return problem
        transformation = Transformation(
            code, case.transformation_name or "transformation.js", limits=case.limits, engine=engine
        )
    elif case.code is not None:
        transformation = Transformation(case.code, case.transformation_name or "transformation.js",
                                        limits=case.limits, engine=engine)
    elif not case.transformation.exists():
        return f"transformation {case.transformation} not found (run `gen build`?)"
    else:
        transformation = Transformation.from_path(
            case.transformation, case.transformation_name, limits=case.limits, engine=engine
        )
    try:
        return transformation.run(
            case.events, metadata=case.metadata, credentials=case.credentials or None, fetch=case.fetch,
            geolocation=case.geolocation, test_mode=True, new_message_id=lambda: "(new messageId)",
        )
    except RequestFailed as exc:
        return f"RudderStack's transformer would fail this request (HTTP 500): {exc}"


def _run_case(case: Case, update: bool, engine: str | None) -> Outcome:
    result = execute(case, engine)
    if isinstance(result, str):
        return Outcome(case, False, result)
    outcome = _judge(case, result, update)
    outcome.result = result
    return outcome


def _judge(case: Case, result: RunResult, update: bool) -> Outcome:
    if case.rudder_cli:
        return _check_rudder_cli(case, result, update)
    actual = observe(result)
    if case.golden is not None:
        if update:
            _write_json(case.golden, {"expect": actual["events"]})
            return Outcome(case, True, updated=True)
        if not case.golden.exists():
            return Outcome(case, False, f"golden file {case.golden} is missing; run `gen test --update` to write it")
        try:
            golden = jsvalues.loads(_read(case.golden))
        except jsvalues.JSONError as exc:
            raise FixtureError(f"{case.golden}:{exc.line}:{exc.column}: invalid JSON: {exc.msg}") from exc
        expected = golden.get("expect") if isinstance(golden, Mapping) else None
        if not isinstance(expected, list) or len(expected) != len(case.events):
            return Outcome(case, False, f"golden file {case.golden} does not hold one expectation per event")
        case_expect = expected
    else:
        case_expect = case.expect or []
    problems = _customerio_problems(case, result)
    per_event = case_expect if case.expect is not None or case.golden is not None else []
    for position, (want, got) in enumerate(zip(per_event, actual["events"][:len(per_event)], strict=True), start=1):
        problem = compare(want, got)
        if problem:
            problems.append(f"event {position} ({_label(case.events[position - 1])}):\n{_indent(problem)}")
    if actual["unattributed"]:
        problems.append("outputs that belong to no input messageId:\n" + _indent(_json(actual["unattributed"])))
    if case.logs is not None and case.logs != result.logs:
        problems.append("logs differ:\n" + _indent(_diff(case.logs, result.logs)))
    return Outcome(case, not problems, "\n".join(problems))


_built: dict[tuple[Path, float], str] = {}


def _customerio_problems(case: Case, result: RunResult) -> list[str]:
    """What the case expects of Customer.io's side and did not get."""
    if case.customerio is None and case.people is None:
        return []
    from .customerio import Config
    from .customerio.preview import from_response

    config = Config.from_settings({"siteID": "SITE_ID", "apiKey": "API_KEY", **case.destination})
    preview = from_response(result.response, len(case.events), config)
    problems = []
    if case.customerio is not None:
        got = preview.entries
        if len(got) != len(case.customerio):
            problems.append(f"expected {len(case.customerio)} Customer.io call(s), got {len(got)}:\n"
                            + _indent(_json(got)))
        else:
            for index, (pattern, entry) in enumerate(zip(case.customerio, got, strict=True), start=1):
                if not is_subset(pattern, entry):
                    diff = _diff(_json(pattern), _json(project(entry, pattern))) or _json(entry)
                    problems.append(f"Customer.io call {index} of {len(got)}:\n" + _indent(diff))
                    break
    if case.people is not None:
        model = preview.people.as_json()
        actual = {"profiles": {p["key"]: p for p in model["people"]}, "warnings": model["warnings"]}
        if not is_subset(case.people, actual):
            diff = _diff(_json(case.people), _json(project(actual, case.people))) or _json(actual)
            problems.append("people:\n" + _indent(diff))
    return problems


def _build_contract(path: Path) -> tuple[str | None, str]:
    """The transformation a contract renders to (cached per file version), or why there is none."""
    try:
        key = (path, path.stat().st_mtime)
    except OSError as exc:
        return None, f"contract {path} cannot be read: {exc.strerror}"
    if key not in _built:
        try:
            text = read_text(path, "contract")
        except ValueError as exc:
            return None, str(exc)
        result = compile_contract(text, str(path))
        if not result.ok:
            return None, "the contract has errors:\n" + "\n".join(map(str, result.diagnostics))
        _built[key] = result.files[OUTPUT]
    return _built[key], ""


def observe(result: RunResult) -> dict[str, Any]:
    """What came out for each input event, in the expectation format (`output`, `dropped`, `error`, ...)."""
    by_id: dict[Any, list[dict[str, Any]]] = {}
    for entry in result.response:
        by_id.setdefault(jsvalues.same_value_key(entry.get("metadata", {}).get("messageId")), []).append(entry)
    events = []
    for item in result.items:
        entries = by_id.pop(jsvalues.same_value_key(item["metadata"].get("messageId")), [])
        events.append(_summarize(entries))
    unattributed = [e for entries in by_id.values() for e in entries]
    return {"events": events, "unattributed": unattributed}


def _summarize(entries: list[dict[str, Any]]) -> dict[str, Any]:
    errors = [e for e in entries if e.get("statusCode") == 400]
    outputs = [e["output"] for e in entries if e.get("statusCode") == 200]
    if errors:
        return {"error": parse_error(errors[0]["error"])}
    if outputs:
        return {"output": outputs[0]} if len(outputs) == 1 else {"outputs": outputs}
    return {"dropped": True}


def parse_error(text: str) -> dict[str, Any]:
    """Split a RudderStack error string into name, message and the line it points at."""
    header, _, frames = text.partition("\n    at ")
    name, sep, message = header.partition(": ")
    if not sep:
        name, message = "Error", header
    line = None
    located = re.match(r"^(.*) \[[^\[\]]*:(\d+):\d+\]$", message, re.DOTALL)
    if located:
        message, line = located.group(1), int(located.group(2))
    elif frames:
        first = re.search(r":(\d+):\d+\)?$", frames.split("\n")[0])
        line = int(first.group(1)) if first else None
    parsed: dict[str, Any] = {"name": name, "message": message}
    if line is not None:
        parsed["line"] = line
    return parsed


def compare(want: Mapping[str, Any], got: Mapping[str, Any]) -> str:
    """Empty when the observation meets the expectation, else a readable explanation."""
    kind, value = next(iter(want.items()))
    got_kind = next(iter(got))
    if kind == "error":
        expected_error = parse_error(value) if isinstance(value, str) else dict(value)
        if got_kind != "error":
            return f"expected an error {_json(expected_error)}, got {_describe(got)}"
        actual_error = got["error"]
        wrong = [
            k for k in ("name", "message", "line") if k in expected_error and expected_error[k] != actual_error.get(k)
        ]
        if wrong:
            return _diff(_json({k: expected_error[k] for k in wrong}), _json({k: actual_error.get(k) for k in wrong}))
        return ""
    if kind == "dropped":
        return "" if got_kind == "dropped" else f"expected the event to be dropped, got {_describe(got)}"
    outputs = [got["output"]] if got_kind == "output" else got.get("outputs") if got_kind == "outputs" else None
    if outputs is None:
        return f"expected output, got {_describe(got)}"
    if kind == "output":
        return "" if outputs == [value] else _diff(_json(value), _json(outputs[0] if len(outputs) == 1 else outputs))
    if kind == "outputs":
        return "" if outputs == value else _diff(_json(value), _json(outputs))
    patterns = value if isinstance(value, list) else [value]
    if len(patterns) != len(outputs):
        return f"expected {len(patterns)} output event(s), got {len(outputs)}:\n{_indent(_json(outputs))}"
    for index, (pattern, output) in enumerate(zip(patterns, outputs, strict=True), start=1):
        if not is_subset(pattern, output):
            where = f"output {index} of {len(outputs)}:\n" if len(outputs) > 1 else ""
            return where + (_diff(_json(pattern), _json(project(output, pattern))) or _json(output))
    return ""


# A pattern value that says the key must be absent (and how a diff shows an absent key).
MISSING = "<missing>"


def is_subset(pattern: Any, value: Any) -> bool:
    """Objects match when every key of the pattern does (MISSING: absent); lists element by element; else equality."""
    if isinstance(pattern, Mapping):
        return isinstance(value, Mapping) and all(
            k not in value if v == MISSING else k in value and is_subset(v, value[k]) for k, v in pattern.items()
        )
    if isinstance(pattern, list):
        return (
            isinstance(value, list)
            and len(pattern) == len(value)
            and all(is_subset(p, v) for p, v in zip(pattern, value, strict=True))
        )
    return _same(pattern, value)


def project(value: Any, pattern: Any) -> Any:
    """The part of `value` a subset pattern looks at, for a readable diff."""
    if isinstance(pattern, Mapping) and isinstance(value, Mapping):
        return {k: project(value[k], pattern[k]) if k in value else MISSING for k in pattern}
    if isinstance(pattern, list) and isinstance(value, list) and len(pattern) == len(value):
        return [project(v, p) for v, p in zip(value, pattern, strict=True)]
    return value


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return bool(a == b)


def rudder_cli_output(result: RunResult) -> list[Any]:
    """A request's answer as rudder-cli's expected-output files hold it: outputs and errors, drops left out."""
    return [
        entry["output"] if entry["statusCode"] == 200 else {"error": entry["error"]}
        for entry in result.response
        if entry["statusCode"] != 298
    ]


def _check_rudder_cli(case: Case, result: RunResult, update: bool) -> Outcome:
    transformed = rudder_cli_output(result)
    target = case.rudder_cli_output
    if update and target is not None:
        _write_json(target, transformed)
        return Outcome(case, True, updated=True)
    if target is None or not target.exists():
        errors = [t["error"] for t in transformed if "error" in t and len(t) == 1]
        return Outcome(case, not errors, "" if not errors else "events failed:\n" + _indent("\n".join(errors)))
    try:
        expected = jsvalues.loads(_read(target))
    except jsvalues.JSONError as exc:
        raise FixtureError(f"{target}:{exc.line}:{exc.column}: invalid JSON: {exc.msg}") from exc
    if isinstance(expected, dict):
        expected = [expected]  # rudder-cli reads one object as a one-event array, as for inputs
    if expected == transformed:
        return Outcome(case, True)
    return Outcome(case, False, f"{target}:\n" + _indent(_diff(_json(expected), _json(transformed))))


# -- text -----------------------------------------------------------------------------------


def _json(value: Any) -> str:
    return jsvalues.dumps(value, indent=2)


def _write_json(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_json(value) + "\n", encoding="utf-8")


def _diff(expected: str | list[str], actual: str | list[str]) -> str:
    a = expected.splitlines() if isinstance(expected, str) else expected
    b = actual.splitlines() if isinstance(actual, str) else actual
    return "\n".join(difflib.unified_diff(a, b, "expected", "actual", lineterm=""))


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


def _describe(got: Mapping[str, Any]) -> str:
    kind, value = next(iter(got.items()))
    if kind == "dropped":
        return "a dropped event"
    if kind == "error":
        return f"an error {_json(value)}"
    return f"{kind}:\n{_indent(_json(value))}"


def _label(event: Mapping[str, Any]) -> str:
    message = event.get("message", event) if isinstance(event.get("message"), Mapping) else event
    parts = [str(message.get(k)) for k in ("type", "event", "messageId") if message.get(k) is not None]
    return " ".join(parts) or "event"


def runs(case: Case, contract_path: Path, generated: Path) -> bool:
    """Whether CASE runs the transformation of this contract: built from it, or its generated file."""
    if case.contract is not None:
        return case.contract.resolve() == contract_path.resolve()
    return case.code is None and case.transformation.resolve() == generated.resolve()


def iter_cases(paths: list[Path]) -> Iterator[Case]:
    for path in discover(paths):
        yield from load(path)
