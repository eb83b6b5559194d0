"""Derived cases: events that exercise the contract's rules, with outcomes worked out from the contract.

The expected outcome of each case comes from the contract's semantics (docs/contract.md),
not from running the generated JavaScript, so a generated transformation that drops a rule
fails a case. Covered so far: a valid baseline per event, each alias, spelling variants,
each required property, the repair of misspelt numbers, integers, currencies, emails and
booleans, each enum synonym and an enum value outside the list.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from .contract.model import Contract, Event
from .contract.names import variant_key
from .fixtures import MISSING
from .scaffold import sample_value, samples


@dataclass(frozen=True)
class Derived:
    rule: str  # what the case exercises, e.g. "Order Completed: alias 'purchase'"
    event: dict[str, Any]
    expect: dict[str, Any]  # a fixture expectation: {"match": …} or {"dropped": True}


def _outputs(model: Contract, event: Event, message: dict[str, Any], main: dict[str, Any],
             clean_items: bool = True) -> dict[str, Any]:
    """`match` for the event, and for the line items it sends when it has them."""
    if event.line_items and isinstance(message.get("properties", {}).get(event.line_items["from"]), list):
        count = len(message["properties"][event.line_items["from"]])
        item: dict[str, Any] = {"event": event.line_items["event"]}
        if clean_items:
            item["properties"] = {model.annotations["flag"]: MISSING}
        return {"match": [main] + [item] * count}
    return {"match": main}


def _coercion(spec: dict[str, Any], value: Any) -> tuple[Any, Any] | None:
    """A value as sources misspell it, and what the contract repairs it to (docs/contract.md)."""
    kind = spec["type"]
    if value is None or "pattern" in spec:
        return None
    if kind == "number" and isinstance(value, (int, float)) and value >= 0:
        return f"${value:,.2f}", value
    if kind == "integer" and isinstance(value, int):
        return f" {value} ", value
    if kind == "currency":
        return "usd", "USD"
    if kind == "email":
        return " Jane@Example.COM ", "jane@example.com"
    if kind == "boolean":
        return "yes", True
    return None


def clean_outputs(model: Contract, event: Event, message: dict[str, Any]) -> dict[str, Any]:
    """The expectation for an event that meets every rule: its name, no finding, line items clean too."""
    return _outputs(model, event, message, {"event": event.name, "properties": {model.annotations["flag"]: MISSING}})


def _setting(model: Contract, spec: dict[str, Any], key: str) -> Any:
    return spec.get(key, (model.rule_defaults or {}).get(key))


def cases(model: Contract) -> list[Derived]:
    flag = model.annotations["flag"]
    baselines = {sample["event"]: sample for sample in samples(model)}
    known = {name for e in model.events for name in (e.name, *e.aliases)}
    found: list[Derived] = []
    for event in model.events:
        base = baselines[event.name]
        clean = clean_outputs(model, event, base)
        found.append(Derived(f"{event.name}: a valid event", base, clean))
        for alias in event.aliases:
            found.append(Derived(f"{event.name}: alias '{alias}'", {**copy.deepcopy(base), "event": alias}, clean))
        if event.match_variants:
            variant = event.name.lower().replace(" ", "_")
            if variant not in known and variant_key(variant) == variant_key(event.name):
                found.append(Derived(f"{event.name}: spelling variant '{variant}'",
                                     {**copy.deepcopy(base), "event": variant}, clean))
        for prop in event.properties:
            spec = prop.spec
            if spec.get("required") and prop.name in base["properties"]:
                message = copy.deepcopy(base)
                del message["properties"][prop.name]
                main = {"event": event.name, "properties": {flag: f"Required-Missing:{prop.name}"}}
                # Line items copy order properties, so their own findings are not this rule's.
                expect: dict[str, Any] = {"dropped": True} if event.on_violation == "drop" else _outputs(
                    model, event, message, main, clean_items=False)
                found.append(Derived(f"{event.name}: '{prop.name}' is required", message, expect))
            simple = spec["type"] in ("number", "integer", "currency", "email", "boolean")
            coercion = _coercion(spec, sample_value(spec, {}, prop.name)) if simple else None
            if coercion is not None:
                sent, received = coercion
                message = copy.deepcopy(base)
                message["properties"][prop.name] = sent
                main = {"event": event.name, "properties": {prop.name: received, flag: MISSING}}
                found.append(Derived(f"{event.name}: {prop.name} {sent!r} is repaired to {received!r}", message,
                                     _outputs(model, event, message, main)))
            if spec["type"] == "enum":
                for spelling, canonical in sorted(spec["lookup"].items()):
                    if spelling == canonical.lower():
                        continue
                    message = copy.deepcopy(base)
                    message["properties"][prop.name] = spelling
                    main = {"event": event.name, "properties": {prop.name: canonical, flag: MISSING}}
                    found.append(Derived(f"{event.name}: '{spelling}' means {prop.name} '{canonical}'", message,
                                         _outputs(model, event, message, main)))
                if _setting(model, spec, "onInvalid") != "remove" and event.on_violation != "drop":
                    message = copy.deepcopy(base)
                    message["properties"][prop.name] = "not-a-planned-value"
                    main = {"event": event.name, "properties": {prop.name: "not-a-planned-value",
                                                                flag: f"Advance-Rules-Violation:{prop.name}"}}
                    found.append(Derived(f"{event.name}: {prop.name} outside its values", message,
                                         _outputs(model, event, message, main)))
    for index, case in enumerate(found, start=1):
        case.event["messageId"] = f"derived-{index}"
    return found


def uncovered(model: Contract) -> list[str]:
    """Rules no derived case exercises: required properties gen could not make a valid value for."""
    baselines = {sample["event"]: sample for sample in samples(model)}
    return [f"{event.name}: '{prop.name}' is required (no valid sample value: write a fixture)"
            for event in model.events for prop in event.properties
            if prop.spec.get("required") and prop.name not in baselines[event.name]["properties"]]


def run(model: Contract, code: str, engine: str | None = None) -> list[tuple[Derived, str]]:
    """Run every derived case through the transformation: (case, problem), an empty problem when it passes."""
    from . import fixtures
    from .runtime import Transformation

    program = Transformation(code, "transformation.js", engine=engine)
    # Events for the destination the contract is scoped to, if it is scoped.
    scope = model.scope or {}
    metadata = {"sourceId": "derived", "destinationId": (scope.get("destinationIds") or ["derived"])[0],
                "destinationType": (scope.get("destinationTypes") or ["CUSTOMERIO"])[0]}
    answered: list[tuple[Derived, str]] = []
    for case in cases(model):
        # One request per case: a batch-level rule (batch_dedupe) must not see the other cases.
        observed = fixtures.observe(program.run([case.event], metadata=metadata))["events"][0]
        answered.append((case, fixtures.compare(case.expect, observed)))
    return answered
