"""`gen init`: a project a team can start from, green from its first `gen check`.

It writes a contract (the example, or a minimal one), what the contract renders, one valid
sample event per planned event with a fixture file that runs them, a GitHub Actions
workflow and a pre-commit configuration. It never overwrites a file.
"""

from __future__ import annotations

import json
import re
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import yaml

from . import contract
from .contract.model import Contract

EXAMPLE = Path(__file__).resolve().parent / "examples" / "contract.yaml"
MINIMAL = """# A minimal tracking plan: one event, one identity rule. docs/contract.md has every key.
contract:
  name: my-plan
  version: 1

identity:
  email_user_id: move             # an email sent as userId becomes the email trait

traits:
  fields:
    email: {type: email}

events:
  Order Completed:
    aliases: [order_completed]
    dedupe: {keys: [order_id], into: event_id}
    properties:
      order_id: {type: string, required: true}
      revenue: {type: number, minimum: 0, decimals: 2, required: true}
      currency: {type: currency, required: true}
"""
WORKFLOW = """# Runs gen check on every push and pull request: the contract is valid, generated/ is what
# it renders, and every fixture passes. Annotations appear on the lines at fault. Merges to
# the default branch then ship the transformation to RudderStack (the release job).
name: gen
on: [push, pull_request]
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with: {{python-version: "3.11"}}
      # gen as this project was set up with it; pin the same way you install it.
      - run: pip install "{requirement}"
      - run: gen check --format github
      # What a merge would send to RudderStack: reads only, and none without the secret
      # (pull requests from forks get no secrets; the dry run then assumes a first push).
      - run: gen push --dry-run
        env:
          RUDDERSTACK_ACCESS_TOKEN: ${{{{ secrets.RUDDERSTACK_ACCESS_TOKEN }}}}

  # On the default branch only: gen push runs gen check again, uploads the transformation
  # unpublished, then publishes that exact revision. Give the secret a workspace Service
  # Access Token with the Transformations permissions; the `production` environment lets
  # you require a reviewer before anything goes live.
  release:
    needs: check
    if: github.event_name == 'push' && github.ref == format('refs/heads/{{0}}', github.event.repository.default_branch)
    runs-on: ubuntu-latest
    environment: production
    concurrency: rudderstack-release
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with: {{python-version: "3.11"}}
      - run: pip install "{requirement}"
      - run: gen push --publish
        env:
          RUDDERSTACK_ACCESS_TOKEN: ${{{{ secrets.RUDDERSTACK_ACCESS_TOKEN }}}}
"""
PRE_COMMIT = """# pre-commit (https://pre-commit.com): gen build after editing the contract, then gen check.
repos:
  - repo: local
    hooks:
      - id: gen-build
        name: gen build
        entry: gen build
        language: system
        pass_filenames: false
        files: ^contract\\.yaml$
      - id: gen-check
        name: gen check
        entry: gen check
        language: system
        pass_filenames: false
"""
SAMPLE_TIME = "2026-01-15T10:00:00.000Z"


class ScaffoldError(Exception):
    """Why nothing was written."""


def _requirement() -> str:
    try:
        return f"gen-tracking-plan=={version('gen-tracking-plan')}"
    except PackageNotFoundError:
        return "gen-tracking-plan"


def sample_value(spec: dict[str, Any], shapes: dict[str, dict[str, Any]], name: str = "sample") -> Any:
    """A value that meets the rule, or None when gen cannot make one (a pattern it cannot satisfy)."""
    kind = spec["type"]
    if kind == "string":
        candidates = [f"{name}-1", "https://example.com/p/1", "SKU-1", "A1", "abc", "1"]
        if name == "email":
            # The identity rules check every email trait as an email, whatever its declared type.
            candidates.insert(0, "jane@example.com")
        pattern = spec.get("pattern")
        for candidate in candidates:
            if pattern is None or _matches(pattern, candidate):
                return candidate
        return None
    if kind in ("number", "integer"):
        low, high = spec.get("minimum"), spec.get("maximum")
        value: float = 10
        if low is not None and value < low:
            value = low
        if high is not None and value > high:
            value = high
        return int(value) if kind == "integer" or float(value).is_integer() else value
    simple = {"boolean": True, "timestamp": SAMPLE_TIME, "email": "jane@example.com", "currency": "USD",
              "phone": "+12125550110", "timezone": "America/New_York"}
    if kind in simple:
        return simple[kind]
    if kind == "enum":
        # A value that text cleaning leaves as it is (no control or invisible characters, no outer spaces).
        clean = [v for v in sorted(set(spec["lookup"].values())) if v == v.strip() and v.isprintable()]
        return clean[0] if clean else None
    if kind == "object":
        return _object(spec.get("properties") or {}, shapes)
    if kind == "array":
        items = spec.get("items") or {}
        item_spec = shapes[items["shape"]] if "shape" in items else items
        item = _object(item_spec.get("properties") or {}, shapes) if "shape" in items else sample_value(
            item_spec, shapes)
        return None if item is None else [item]
    return "sample"


def _object(properties: dict[str, dict[str, Any]], shapes: dict[str, dict[str, Any]],
            also: tuple[str, ...] = ()) -> dict[str, Any] | None:
    value = {}
    for name, rule in properties.items():
        if rule.get("required") or name in also:
            sample = sample_value(rule, shapes, name)
            if sample is None:
                return None
            value[name] = sample
    return value


def _matches(pattern: str, text: str) -> bool:
    try:
        return re.search(pattern, text) is not None
    except re.error:
        return False


USER_IDS = ("cus_1", "user_1", "u1", "1", "USER-1", "a")


def sample_user_id(model: Contract) -> str | None:
    """A userId that meets `identity.user_id_pattern` (any, without one), or None when gen has none that does."""
    pattern = (model.identity or {}).get("userIdPattern")
    return next((candidate for candidate in USER_IDS if pattern is None or _matches(pattern, candidate)), None)


def samples(model: Contract) -> list[dict[str, Any]]:
    """One event per planned event, meeting every rule the contract states for it."""
    shapes = {shape.name: shape.spec for shape in model.shapes}
    user_id = sample_user_id(model) or USER_IDS[0]
    events = []
    for index, event in enumerate(model.events, start=1):
        rules = {p.name: p.spec for p in event.properties}
        wanted = {name for name, rule in rules.items() if rule.get("required")}
        for group in event.require_any_of:
            if not wanted & set(group.names):
                wanted.add(group.names[0])
        if event.dedupe:
            wanted |= set(event.dedupe["keys"])
        properties = {}
        for name in sorted(wanted, key=lambda n: [p.name for p in event.properties].index(n)):
            value = sample_value(rules[name], shapes, name)
            if value is not None:
                properties[name] = value
        if event.line_items:
            # Each item becomes a line-item event: it must meet that event's "one of" rules too.
            target = next((e for e in model.events if e.name == event.line_items["event"]), None)
            items = rules.get(event.line_items["from"], {}).get("items") or {}
            if target is not None and "shape" in items:
                also = tuple(group.names[0] for group in target.require_any_of)
                item = _object(shapes[items["shape"]].get("properties") or {}, shapes, also)
                if item is not None:
                    properties[event.line_items["from"]] = [item]
        events.append({"type": "track", "event": event.name, "userId": user_id, "messageId": f"sample-{index}",
                       "timestamp": SAMPLE_TIME, "receivedAt": SAMPLE_TIME, "properties": properties})
    return events


def _fixture(model: Contract, events: list[dict[str, Any]]) -> str:
    from .derive import clean_outputs  # derive builds on this module's samples

    planned = {event.name: event for event in model.events}
    cases = [{"name": f"a valid {event['event']} passes without a finding", "event": event,
              "expect": clean_outputs(model, planned[event["event"]], event)} for event in events]
    header = ("# One valid event per planned event, written by `gen init` from the contract's rules.\n"
              "# Add cases for the mistakes your sources make: docs/fixtures.md.\n")
    body = yaml.safe_dump({"contract": "../../contract.yaml", "cases": cases}, sort_keys=False, allow_unicode=True,
                          width=110)
    return header + body


def plan(directory: Path, *, minimal: bool = False, source: Path | None = None) -> dict[Path, str]:
    """The files `gen init` writes, as {path: text}; raises ScaffoldError when the contract is invalid."""
    from .contract import schema

    text = source.read_text(encoding="utf-8") if source else MINIMAL if minimal else EXAMPLE.read_text(
        encoding="utf-8")
    # Editors find the schema through this first line; the build sees the contract as written.
    text = re.sub(r"^# yaml-language-server: \$schema=\S+\n", "", text)
    text = "# yaml-language-server: $schema=contract.schema.json\n" + text
    result = contract.compile_contract(text, "contract.yaml")
    if not result.ok or result.contract is None:
        raise ScaffoldError("\n".join(map(str, result.diagnostics)))
    events = samples(result.contract)
    files = {
        directory / "contract.yaml": text,
        directory / "contract.schema.json": schema.text(),
        directory / "events" / "samples.ndjson": "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events),
        directory / "tests" / "fixtures" / "samples.fixture.yaml": _fixture(result.contract, events),
        directory / ".github" / "workflows" / "gen.yml": WORKFLOW.format(requirement=_requirement()),
        directory / ".pre-commit-config.yaml": PRE_COMMIT,
    }
    files.update({directory / "generated" / name: body for name, body in result.files.items()})
    return files


def write(files: dict[Path, str]) -> list[Path]:
    """Write every file, or none when any already exists."""
    existing = [path for path in files if path.exists()]
    if existing:
        raise ScaffoldError("gen init never overwrites: " + ", ".join(map(str, existing)) + " already exist(s)")
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(files)
