"""Derived cases: events that exercise the contract's rules, with outcomes worked out from the contract.

The expected outcome of each case comes from the contract's semantics (docs/contract.md),
not from running the generated JavaScript, so a generated transformation that drops a rule
fails a case. Covered: a valid baseline per event, each alias, spelling variants, each
required property, the repair of misspelt numbers, integers, text, currencies, emails,
booleans, timestamps, phone numbers and time zones, invalid emails, an array element
missing its required properties, each enum synonym and an enum value outside the list,
each range (its inclusive bound and a value past it) and pattern, dedupe ids (with an
FNV-1a of gen's own), line items, replay windows and markers, future timestamps, the
identity rules (an email as userId, an event without ids), and traits on identify.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from .contract.drops import drop_reasons
from .contract.model import Contract, Event
from .contract.names import variant_key
from .fixtures import MISSING
from .scaffold import SAMPLE_TIME, sample_user_id, sample_value, samples

# Whole numbers a JavaScript double holds exactly (Number.MAX_SAFE_INTEGER).
SAFE_INTEGER = 2**53 - 1
SAMPLE_EPOCH = int(datetime.fromisoformat(SAMPLE_TIME.replace("Z", "+00:00")).timestamp())


@dataclass(frozen=True)
class Derived:
    rule: str  # what the case exercises, e.g. "Order Completed: alias 'purchase'"
    event: dict[str, Any]
    expect: dict[str, Any]  # a fixture expectation: {"match": …} or {"dropped": True}


def _outputs(model: Contract, event: Event, message: dict[str, Any], main: dict[str, Any],
             clean_items: bool = True) -> dict[str, Any]:
    """`match` for the event, and for the line items it sends when it has them."""
    items = event.line_items
    products = message.get("properties", {}).get(items["from"]) if items else None
    if not items or not isinstance(products, list) or _items_dropped(model, event):
        return {"match": main}
    count = sum(1 for product in products if isinstance(product, dict))
    item: dict[str, Any] = {"event": items["event"]}
    if clean_items and _items_can_be_clean(model, event, message):
        item["properties"] = {model.annotations["flag"]: MISSING}
    return {"match": [main] + [item] * count}


def _items_dropped(model: Contract, event: Event) -> bool:
    """Line items named as an event the plan does not have, which unplanned_events: drop drops."""
    assert event.line_items is not None
    return model.unplanned_events == "drop" and all(e.name != event.line_items["event"] for e in model.events)


def _items_can_be_clean(model: Contract, event: Event, message: dict[str, Any]) -> bool:
    """Whether line items made from MESSAGE can meet their own event's rules (docs/contract.md, line_items)."""
    items = event.line_items
    assert items is not None
    target = next((e for e in model.events if e.name == items["event"]), None)
    if target is None:
        return model.unplanned_events != "flag"
    properties = message.get("properties") or {}
    first = next((p for p in properties.get(items["from"]) or [] if isinstance(p, dict)), {})
    present = set(first) | {k for k in items["copy"] if k in properties} | {items["index"]} | set(target.written)
    if event.dedupe:
        present.add(items["parentId"])
    return {p.name for p in target.properties if p.spec.get("required")} <= present


def _coercion(spec: dict[str, Any], value: Any) -> tuple[Any, Any] | None:
    """A value as sources misspell it, and what the contract repairs it to (docs/contract.md)."""
    kind = spec["type"]
    if value is None or "pattern" in spec:
        return None
    # Text over 64 characters is never read as a number (docs/contract.md, Types), and the
    # written form must say exactly the value.
    if kind == "number" and isinstance(value, (int, float)) and value >= 0:
        text = f"${value:,.2f}"
        return (text, value) if len(text) <= 64 and float(f"{value:.2f}") == value else None
    if kind == "integer" and isinstance(value, int):
        return (f" {value} ", value) if abs(value) <= SAFE_INTEGER else None
    if kind == "currency":
        return "usd", "USD"
    if kind == "email":
        return " Jane@Example.COM ", "jane@example.com"
    if kind == "boolean":
        return "yes", True
    if kind == "string" and isinstance(value, str):
        return 1001, "1001"  # a number where text belongs: its text (docs/contract.md, Types)
    return None


def fnv1a64(text: str) -> str:
    """FNV-1a, 64 bits, over the UTF-16 code units of TEXT (as JavaScript holds strings)."""
    value = 0xCBF29CE484222325
    data = text.encode("utf-16-le", "surrogatepass")
    for index in range(0, len(data), 2):
        value ^= data[index] | (data[index + 1] << 8)
        value = (value * 0x100000001B3) % 2**64
    return f"{value:016x}"


def dedupe_id(event: str, values: list[Any]) -> str | None:
    """docs/contract.md (dedupe): `evt_` + FNV-1a-64 of [name, ...key values] as JSON; None where
    JSON differs between Python and JavaScript (floats, booleans)."""
    if not all(isinstance(v, str) or (isinstance(v, int) and not isinstance(v, bool)) for v in values):
        return None
    return "evt_" + fnv1a64(json.dumps([event, *values], separators=(",", ":"), ensure_ascii=False))


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + \
        f"{round(epoch * 1000) % 1000:03d}Z"


def _not_matching(pattern: str) -> str | None:
    """A plain value PATTERN does not match, or None when Python cannot read the pattern as V8 does."""
    try:
        compiled = re.compile(pattern)
    except (re.error, RecursionError):
        return None
    return next((text for text in ("zz", "~~", "Zz-9", "0") if compiled.search(text) is None), None)


def clean_outputs(model: Contract, event: Event, message: dict[str, Any]) -> dict[str, Any]:
    """The expectation for an event that meets every rule: its name, no finding, line items clean too."""
    return _outputs(model, event, message, {"event": event.name, "properties": {model.annotations["flag"]: MISSING}})


def _setting(model: Contract, spec: dict[str, Any], key: str) -> Any:
    return spec.get(key, (model.rule_defaults or {}).get(key))


def cases(model: Contract) -> list[Derived]:
    if sample_user_id(model) is None:
        return []  # every event would break identity.user_id_pattern (see gaps)
    flag = model.annotations["flag"]
    baselines = {sample["event"]: sample for sample in samples(model)}
    known = {name for e in model.events for name in (e.name, *e.aliases)}
    found: list[Derived] = []
    for event in model.events:
        base = baselines[event.name]
        if any(p.spec.get("required") and p.name not in base["properties"] for p in event.properties):
            continue  # no valid event to start from: every case would also miss that property (see gaps)
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
            simple = spec["type"] in ("number", "integer", "currency", "email", "boolean", "string")
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
                    # A spelling text cleaning would change never arrives as written.
                    if spelling == canonical.lower() or spelling != spelling.strip() or not spelling.isprintable():
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
            found += _value_cases(model, event, base, prop)
        found += _event_cases(model, event, base)
    found += _trait_cases(model)
    for index, case in enumerate(found, start=1):
        case.event["messageId"] = f"derived-{index}"
    return found


def _with(base: dict[str, Any], prop: str, value: Any) -> dict[str, Any]:
    message = copy.deepcopy(base)
    message["properties"][prop] = value
    return message


def _invalid(model: Contract, event: Event, base: dict[str, Any], name: str, spec: dict[str, Any], sent: Any,
             rule: str) -> Derived:
    """A value the contract cannot accept (docs/contract.md, Blank and invalid values): kept and
    flagged, or removed (then `required` and `default` apply), or the event dropped."""
    message = _with(base, name, sent)
    if event.on_violation == "drop":
        return Derived(rule, message, {"dropped": True})
    value, label = _left(model, spec, name, sent, f"Advance-Rules-Violation:{name}")
    main = {"event": event.name, "properties": {name: value, model.annotations["flag"]: label}}
    return Derived(rule, message, _outputs(model, event, message, main, clean_items=False))


def _left(model: Contract, spec: dict[str, Any], name: str, sent: Any, label: str) -> tuple[Any, str]:
    """What stays of an invalid value, and the flag: kept (on_invalid: keep), or removed, when
    `required` then reports it missing and otherwise its `default` takes its place."""
    if _setting(model, spec, "onInvalid") != "remove":
        return sent, label
    if spec.get("required"):
        return MISSING, f"{label}; Required-Missing:{name}"
    return spec.get("default", MISSING), label


def _repaired(model: Contract, event: Event, base: dict[str, Any], name: str, sent: Any, received: Any,
              rule: str) -> Derived:
    message = _with(base, name, sent)
    main = {"event": event.name, "properties": {name: received, model.annotations["flag"]: MISSING}}
    return Derived(rule, message, _outputs(model, event, message, main, clean_items=False))


def _value_cases(model: Contract, event: Event, base: dict[str, Any], prop: Any) -> list[Derived]:
    """Ranges, patterns, timestamps, phones and time zones of one property (docs/contract.md, Types)."""
    name, spec, kind = prop.name, prop.spec, prop.spec["type"]
    out: list[Derived] = []
    if kind in ("number", "integer"):
        for key, step in (("minimum", -1), ("maximum", 1)):
            bound = spec.get(key)
            if not isinstance(bound, int) or isinstance(bound, bool) or abs(bound) >= SAFE_INTEGER:
                continue  # a fractional bound (rounding decides), or past what a double holds exactly
            # Inclusive bounds: the bound itself is valid, one past it is not.
            out.append(_repaired(model, event, base, name, bound, bound, f"{event.name}: {name} {bound} meets its "
                                 f"{key} (inclusive)"))
            out.append(_invalid(model, event, base, name, spec, bound + step,
                                f"{event.name}: {name} {bound + step} is past its {key}"))
    if kind == "string" and "pattern" in spec:
        sent = _not_matching(spec["pattern"])
        if sent is not None:
            out.append(_invalid(model, event, base, name, spec, sent,
                                f"{event.name}: {name} {sent!r} does not match its pattern"))
    if kind == "timestamp":
        expected: Any = SAMPLE_EPOCH if spec.get("output") == "unix_seconds" else _iso(SAMPLE_EPOCH)
        out.append(_repaired(model, event, base, name, SAMPLE_EPOCH, expected,
                             f"{event.name}: {name} as unix seconds is read as a time"))
        out.append(_repaired(model, event, base, name, SAMPLE_TIME[:10] + " " + SAMPLE_TIME[11:19], expected,
                             f"{event.name}: {name} without a zone is read as UTC"))
        out.append(_invalid(model, event, base, name, spec, "January 15, 2026",
                            f"{event.name}: {name} 'January 15, 2026' is not a time"))
    if kind == "email":
        out.append(_invalid(model, event, base, name, spec, "not-an-email",
                            f"{event.name}: {name} 'not-an-email' is not an email address"))
    items = spec.get("items") or {}
    shape = next((sh for sh in model.shapes if sh.name == items.get("shape")), None) if kind == "array" else None
    needed = [key for key, rule in (shape.spec.get("properties") or {}).items() if rule.get("required")] \
        if shape is not None else []
    if needed:
        # An element without its required properties: each is reported where it is missing.
        message = _with(base, name, [{}])
        labels = "; ".join(f"Required-Missing:{name}.0.{key}" for key in needed)
        expect = {"dropped": True} if event.on_violation == "drop" else _outputs(
            model, event, message, {"event": event.name, "properties": {model.annotations["flag"]: labels}},
            clean_items=False)
        out.append(Derived(f"{event.name}: an element of {name} without {', '.join(needed)}", message, expect))
    if kind == "phone":
        # Written with its country code, the number means the same in every region.
        out.append(_repaired(model, event, base, name, "+1 (212) 555-0110", "+12125550110",
                             f"{event.name}: {name} '+1 (212) 555-0110' becomes E.164"))
        out.append(_invalid(model, event, base, name, spec, "12", f"{event.name}: {name} '12' is not a phone number"))
    if kind == "timezone":
        out.append(_repaired(model, event, base, name, "america/new_york", "America/New_York",
                             f"{event.name}: {name} 'america/new_york' is spelt as IANA does"))
        out.append(_invalid(model, event, base, name, spec, "PST", f"{event.name}: {name} 'PST' is not a time zone"))
    return out


def _event_cases(model: Contract, event: Event, base: dict[str, Any]) -> list[Derived]:
    """Dedupe ids, line items, replay windows and identity rules of one event."""
    flag = model.annotations["flag"]
    out: list[Derived] = []
    planned = {e.name: e for e in model.events}
    order_id = None
    if event.dedupe:
        order_id = dedupe_id(event.name, [base["properties"].get(k) for k in event.dedupe["keys"]])
        if order_id is not None:
            into = event.dedupe["into"]
            main = {"event": event.name, "properties": {into: order_id, flag: MISSING}}
            out.append(Derived(f"{event.name}: {into} is the dedupe id of its keys", copy.deepcopy(base),
                               _outputs(model, event, base, main)))
            # A random id an SDK sent per attempt is replaced: the retry gets the order's id.
            retry = _with(base, into, "upstream-random-id")
            out.append(Derived(f"{event.name}: an upstream {into} is replaced by the dedupe id", retry,
                               _outputs(model, event, retry, main)))
    items = event.line_items
    products = base["properties"].get(items["from"]) if items else None
    if items and isinstance(products, list) and products and isinstance(products[0], dict) \
            and not _items_dropped(model, event):
        message = _with(base, items["from"], [copy.deepcopy(products[0]), copy.deepcopy(products[0])])
        derived_event = planned.get(items["event"])
        expected: list[dict[str, Any]] = [{"event": event.name, "properties": {flag: MISSING}}]
        for index in range(2):
            properties: dict[str, Any] = {items["index"]: index}
            for key in items["copy"]:
                if key in base["properties"]:
                    properties[key] = base["properties"][key]
            if order_id is not None:
                properties[items["parentId"]] = order_id
            item_props = {**products[0], **properties}
            if derived_event is not None and derived_event.dedupe:
                item_id = dedupe_id(derived_event.name, [item_props.get(k) for k in derived_event.dedupe["keys"]])
                if item_id is not None:
                    properties[derived_event.dedupe["into"]] = item_id
            expected.append({"event": items["event"], "properties": properties})
        out.append(Derived(f"{event.name}: each of 2 {items['from']} becomes one {items['event']}", message,
                           {"match": expected}))
    if model.replay is not None:
        out += _replay_cases(model, event, base)
    if model.identity is not None:
        out += _identity_cases(model, event, base)
    return out


def _margin(window: float) -> float:
    """How far past (or inside) a replay window a derived event lies: clear of the edge, within a minute."""
    return min(60.0, max(1.0, window / 2))


def _replay_cases(model: Contract, event: Event, base: dict[str, Any]) -> list[Derived]:
    """docs/contract.md (replay): the window against receivedAt, upstream markers, future timestamps."""
    assert model.replay is not None
    flag, replay_flag = model.annotations["flag"], model.replay["flag"]
    out: list[Derived] = []

    def at(seconds: float) -> dict[str, Any]:
        message = copy.deepcopy(base)
        message["timestamp"] = _iso(SAMPLE_EPOCH + seconds)
        return message

    if event.replay:
        window = event.replay["window"]
        stale = at(-window - _margin(window))
        replayed = {"dropped": True} if event.replay["policy"] == "drop" else _outputs(
            model, event, stale, {"event": event.name, "properties": {replay_flag: True, flag: MISSING}})
        out.append(Derived(f"{event.name}: older than its {event.replay['label']} window when received", stale,
                           replayed))
        if window >= 2:  # a moment inside a window of a second or less would be a moment ahead of receivedAt
            fresh = at(-window + _margin(window))
            out.append(Derived(f"{event.name}: just inside its {event.replay['label']} window", fresh, _outputs(
                model, event, fresh, {"event": event.name, "properties": {replay_flag: MISSING, flag: MISSING}})))
        for marker in model.replay["markers"]:
            if len(marker) < 2 or marker[0] in ("properties", "traits", "type", "event"):
                continue
            marked = copy.deepcopy(base)
            target = marked
            for part in marker[:-1]:
                target = target.setdefault(part, {})
                if not isinstance(target, dict):
                    break
            else:
                target[marker[-1]] = True
                expect = {"dropped": True} if event.replay["policy"] == "drop" else _outputs(
                    model, event, marked, {"event": event.name, "properties": {replay_flag: True}})
                out.append(Derived(f"{event.name}: marked as a replay upstream ({'.'.join(marker)})", marked,
                                   expect))
    ahead = at(model.replay["futureTolerance"] + 3600)
    expect = {"dropped": True} if event.on_violation == "drop" else _outputs(
        model, event, ahead, {"event": event.name, "properties": {flag: "Advance-Rules-Violation:timestamp"}},
        clean_items=False)
    out.append(Derived(f"{event.name}: a timestamp an hour past receivedAt and its tolerance", ahead, expect))
    return out


def _identity_cases(model: Contract, event: Event, base: dict[str, Any]) -> list[Derived]:
    """docs/contract.md (identity): an email sent as userId, and an event no one can be filed under."""
    assert model.identity is not None
    flag = model.annotations["flag"]
    out: list[Derived] = []
    policy = model.identity["emailUserId"]
    message = {**copy.deepcopy(base), "userId": "jane@example.com"}
    if policy == "drop":
        expect: dict[str, Any] = {"dropped": True}
    elif policy == "move":
        expect = _outputs(model, event, message, {"event": event.name, "userId": MISSING,
                                                  "context": {"traits": {"email": "jane@example.com"}},
                                                  "properties": {flag: MISSING}})
    elif event.on_violation == "drop":
        expect = {"dropped": True}
    else:
        expect = _outputs(model, event, message, {"event": event.name, "userId": "jane@example.com",
                                                  "properties": {flag: "Advance-Rules-Violation:userId"}},
                          clean_items=False)
    out.append(Derived(f"{event.name}: an email address as userId ({policy})", message, expect))
    anonymous = copy.deepcopy(base)
    del anonymous["userId"]
    if model.identity["requireIds"] == "drop" or event.on_violation == "drop":
        expect = {"dropped": True}
    else:
        expect = _outputs(model, event, anonymous, {
            "event": event.name, "properties": {flag: "Required-Missing:userId|anonymousId"}}, clean_items=False)
    out.append(Derived(f"{event.name}: no userId, anonymousId or email", anonymous, expect))
    return out


@dataclass(frozen=True)
class Gap:
    """A rule no derived case exercises, and the finding a fixture's output shows when it does."""

    event: str
    text: str
    evidence: str  # a flag label ("Required-Missing:order_id"), or "dedupe:<into>" for a dedupe id


def gaps(model: Contract) -> list[Gap]:
    """Rules the derived cases leave out: gen could not make the value the case needs."""
    baselines = {sample["event"]: sample for sample in samples(model)}
    found: list[Gap] = []
    if sample_user_id(model) is None:
        found.append(Gap("", "identity.user_id_pattern: no userId gen can write meets it, so no case is derived",
                         "never"))
    email = next((p for p in (model.traits.fields if model.traits else ()) if p.name == "email"), None)
    if model.identity is not None and email is not None and email.spec["type"] != "email":
        found.append(Gap("", f"traits: 'email' is declared as {email.spec['type']}, but the identity rules check it "
                         "as an email (declare it `type: email`)", "never"))
    for event in model.events:
        base = baselines[event.name]["properties"]
        for prop in event.properties:
            name, spec = prop.name, prop.spec
            if spec.get("required") and name not in base:
                found.append(Gap(event.name, f"{event.name}: '{name}' is required (no valid sample value, so no "
                                 "case is derived for this event)", f"Required-Missing:{name}"))
            for key in ("minimum", "maximum"):
                bound = spec.get(key)
                if spec["type"] in ("number", "integer") and bound is not None and (
                        not isinstance(bound, int) or isinstance(bound, bool) or abs(bound) >= SAFE_INTEGER):
                    why = "a fractional bound" if not isinstance(bound, int) else "past 2**53"
                    found.append(Gap(event.name, f"{event.name}: {name}'s {key} {bound} ({why})",
                                     f"Advance-Rules-Violation:{name}"))
            if spec["type"] == "string" and "pattern" in spec and _not_matching(spec["pattern"]) is None:
                found.append(Gap(event.name, f"{event.name}: {name}'s pattern (no value gen can tell it refuses)",
                                 f"Advance-Rules-Violation:{name}"))
        if event.dedupe and dedupe_id(event.name, [base.get(k) for k in event.dedupe["keys"]]) is None:
            found.append(Gap(event.name, f"{event.name}: its dedupe id (keys gen cannot sample as text)",
                             f"dedupe:{event.dedupe['into']}"))
    return found


def evidence(model: Contract, result: Any) -> set[tuple[str, str]]:
    """(event, finding) pairs a fixture's answer shows: flag labels, dedupe ids, and drop reasons."""
    flag = model.annotations["flag"]
    planned = {e.name: e for e in model.events}
    names = {alias: e.name for e in model.events for alias in (e.name, *e.aliases)}
    inputs = {item["metadata"].get("messageId"): item["message"] for item in result.items
              if isinstance(item.get("message"), dict) and isinstance(item.get("metadata"), dict)}
    reasons = drop_reasons(result.logs)
    seen: set[tuple[str, str]] = set()
    for entry in result.response:
        if entry.get("statusCode") == 200 and isinstance(entry.get("output"), dict):
            output = entry["output"]
            properties = output.get("properties") if isinstance(output.get("properties"), dict) else {}
            name = output.get("event")
            if not isinstance(name, str):
                continue
            labels = properties.get(flag)
            for label in labels.split("; ") if isinstance(labels, str) else []:
                seen.add((name, label))
            event = planned.get(name)
            if event is not None and event.dedupe and str(properties.get(event.dedupe["into"], "")).startswith("evt_"):
                seen.add((name, f"dedupe:{event.dedupe['into']}"))
        elif entry.get("statusCode") == 298:
            message_id = (entry.get("metadata") or {}).get("messageId")
            reason = reasons.get(message_id, "") if isinstance(message_id, str) else ""
            sent = inputs.get(message_id, {}).get("event")
            if reason.startswith("violations: ") and isinstance(sent, str) and sent in names:
                for label in reason[len("violations: "):].rsplit(" (", 1)[0].split("; "):
                    seen.add((names[sent], label))
    return seen


def uncovered(model: Contract, seen: set[tuple[str, str]] | None = None) -> list[str]:
    """Rules neither a derived case nor a fixture (its answers' `evidence`) exercises."""
    return [gap.text for gap in gaps(model) if (gap.event, gap.evidence) not in (seen or set())]


def run(model: Contract, code: str, engine: str | None = None) -> list[tuple[Derived, str]]:
    """Run every derived case through the transformation: (case, problem), an empty problem when it passes."""
    from . import fixtures
    from .runtime import Transformation
    from .runtime.batching import DEFAULT_BATCH_SIZE

    program = Transformation(code, "transformation.js", engine=engine)
    # Events for the destination the contract is scoped to, if it is scoped.
    scope = model.scope or {}
    metadata = {"sourceId": "derived", "destinationId": (scope.get("destinationIds") or ["derived"])[0],
                "destinationType": (scope.get("destinationTypes") or ["CUSTOMERIO"])[0]}
    found = cases(model)
    # transformEvent sees one event at a time, so cases share requests (of rudder-server's
    # 200); a batch-level rule (batch_dedupe) must not see the other cases: one request each.
    size = 1 if model.batch_dedupe else DEFAULT_BATCH_SIZE
    answered: list[tuple[Derived, str]] = []
    for start in range(0, len(found), size):
        chunk = found[start:start + size]
        observed = fixtures.observe(program.run([case.event for case in chunk], metadata=metadata))["events"]
        answered += [(case, fixtures.compare(case.expect, seen)) for case, seen in zip(chunk, observed, strict=True)]
    return answered


def _trait_cases(model: Contract) -> list[Derived]:
    """Traits on identify (docs/contract.md, traits): aliases, repairs, invalid values, derived names, replays."""
    if model.traits is None or not model.traits.fields:
        return []
    flag = model.annotations["flag"]
    shapes = {shape.name: shape.spec for shape in model.shapes}
    fields = {p.name: p for p in model.traits.fields}
    if model.identity is not None and fields.get("email") is not None and fields["email"].spec["type"] != "email":
        # The identity rules check traits.email as an email too: declared as anything else,
        # no value meets both, so that trait is left to fixtures.
        del fields["email"]
    values = {name: v for name, p in fields.items() if (v := sample_value(p.spec, shapes, name)) is not None}
    base = {"type": "identify", "userId": sample_user_id(model), "messageId": "", "timestamp": SAMPLE_TIME,
            "receivedAt": SAMPLE_TIME, "traits": values}
    out = [Derived("identify: valid traits", copy.deepcopy(base), {"match": {"traits": {flag: MISSING}}})]

    def traits_case(rule: str, traits: dict[str, Any], expected: dict[str, Any]) -> None:
        out.append(Derived(rule, {**copy.deepcopy(base), "traits": traits}, {"match": {"traits": expected}}))

    for alias, name in model.traits.aliases:
        if name not in values or alias in fields:
            continue
        traits = {k: v for k, v in values.items() if k != name}
        traits[alias] = copy.deepcopy(values[name])
        expected: dict[str, Any] = {alias: MISSING, flag: MISSING}
        value = values[name]
        # A timestamp is rewritten; a whole number past 2**53 comes back as the nearest double.
        if fields[name].spec["type"] != "timestamp" and not (isinstance(value, int) and abs(value) > SAFE_INTEGER):
            expected[name] = value
        traits_case(f"identify: trait alias '{alias}' means {name}", traits, expected)
    for name, prop in fields.items():
        spec, kind = prop.spec, prop.spec["type"]
        repairs: list[tuple[Any, Any]] = []
        if kind in ("number", "integer", "currency", "email", "boolean", "string"):
            coercion = _coercion(spec, values.get(name))
            if coercion is not None:
                repairs.append(coercion)
        if kind == "phone":
            repairs.append(("+1 (212) 555-0110", "+12125550110"))
        if kind == "timezone":
            repairs.append(("america/new_york", "America/New_York"))
        if kind == "timestamp":
            repairs.append((SAMPLE_EPOCH, SAMPLE_EPOCH if spec.get("output") == "unix_seconds" else _iso(SAMPLE_EPOCH)))
        for sent, received in repairs:
            traits_case(f"identify: trait {name} {sent!r} is repaired to {received!r}", {**values, name: sent},
                        {name: received, flag: MISSING})
        invalid: Any = {"phone": "12", "timezone": "PST", "timestamp": "January 15, 2026",
                        "enum": "not-a-planned-value", "boolean": "maybe", "email": "not-an-email"}.get(kind)
        low = spec.get("minimum")
        if kind in ("number", "integer") and isinstance(low, int) and not isinstance(low, bool) \
                and abs(low) < SAFE_INTEGER:
            invalid = low - 1
        if invalid is None:
            continue
        # A boolean that is not one is the wrong type; the others break a format, value list or range.
        value, label = _left(model, spec, name, invalid,
                             f"{'Datatype-Mismatch' if kind == 'boolean' else 'Advance-Rules-Violation'}:{name}")
        traits_case(f"identify: trait {name} {invalid!r} is not valid", {**values, name: invalid},
                    {name: value, flag: label})
    names = model.derive_names
    if names and names.get("from") in fields and fields[names["from"]].spec["type"] == "string" and not any(
            fields[n].spec.get("required") for n in (names["first"], names["last"]) if n in fields):
        traits = {k: v for k, v in values.items() if k not in (names["first"], names["last"])}
        traits[names["from"]] = "Mateo Rossi"
        traits_case(f"identify: {names['first']} and {names['last']} derived from '{names['from']}'", traits,
                    {names["first"]: "Mateo", names["last"]: "Rossi", flag: MISSING})
    if model.identify_replay and model.replay is not None:
        window = model.identify_replay["window"]
        stale = {**copy.deepcopy(base), "timestamp": _iso(SAMPLE_EPOCH - window - _margin(window))}
        expect = {"dropped": True} if model.identify_replay["policy"] == "drop" else {
            "match": {"context": {model.replay["context"]: {"replay": True}}}}
        out.append(Derived(f"identify: older than its {model.identify_replay['label']} window when received",
                           stale, expect))
    return out
