"""Hostile events for a contract, and what its generated transformation must do with any of them.

`events(contract)` is a hypothesis strategy: events of every type, for every event the
contract plans (by canonical name, alias and spelling variant) and for some it does not,
whose values are wrong types, nulls, blanks, huge and tiny numbers, NaN-like strings,
nested junk, keys Customer.io refuses, and unicode edge cases (NUL, lone surrogates,
zero-width and bidi characters, line separators), next to plausible values.

`check(transformation, contract, events)` runs them and lists every broken invariant:
- no event fails (status 400) and none hits an internal error of the generated code;
- every input is accounted for (delivered or filtered);
- no output carries a key Customer.io refuses (`constructor`, `prototype`, `__proto__`);
- no key appears that is neither in the input nor one the contract writes;
- the transformation is idempotent: each output, run again, comes back unchanged and alone.

Needs hypothesis (`pip install -e '.[dev]'`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from .contract.model import Contract, Event, Property
from .contract.names import variant_key
from .runtime import Transformation, jsvalues

UNSAFE_KEYS = ("__proto__", "constructor", "prototype")
TRICKY_STRINGS = (
    "", " ", "  \t ", "NaN", "nan", "null", "NULL", "undefined", "None", "Infinity", "-Infinity", "-0", "0", "1e400",
    "$49.00", "1,299.50", "USD 12.50", "12.50 EUR", "€12,50", "-$5", "$-5", "49.", ".5", "1.2.3", "\u0663", "\uff10",
    "true", "false", "Y", "N", "on", "off", "TRUE", "yes", "1", "2",
    "2024-02-30T00:00:00Z", "2024-01-02T03:04:05.123Z", "0099-01-01", "+010000-01-01T00:00:00.000Z", "9999-12-31",
    "1709287200", "1709287200000", "99999999999", "-62135596800", "2024-01-02 03:04:05+05:30", "2024-13-01",
    " A@B.COM ", "a@b", "a\u200b@b.co", "jane\u00a0@example.com", "a@" + "." * 3000 + "@", "x" * 5000,
    " " * 3000 + "1", "\u2028", "\u2029", "\x00", "a\x00b", "\ud800", "\udfff", "\u202e", "\ufeff", "🎉", "e\u0301",
    "constructor", "__proto__", "toString", "hasOwnProperty", "cancelled", "CANCELED", "on hold", "usd", "Usd",
    "Mateo Rossi", " Ana María de la Cruz ", "Rossi, Mateo", "Cher", "\u200bJo\u00a0Park",
    "(?:)", "^(a+)+$", "<script>", "${x}", "\\", "'", '"',
)
PHONES = (
    "212.555.0110", "+1 (718) 555-0113", "+81 90-1234-5678", "1-212-555-0110 ext. 12", "0044 (0)20 7946 0958",
    "tel:+33 1 23 45 67 89", "555-0110", "1-800-FLOWERS", "+999 123 456", "n/a", "", 2125550110, "+" + "1" * 80,
)
NUMBERS = (0, -0.0, 1, -1, 49, 49.99, 32.00000000000007, 1e308, -1e308, 5e-324, 2**53 + 1, -(2**63), 10**30, 1e21,
           1709287200, 1709287200000)


def weighted(*choices: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """One of the strategies, picked in proportion to its weight (st.one_of picks evenly)."""
    strategies = [strategy for _, strategy in choices]
    slots = [index for index, (weight, _) in enumerate(choices) for _ in range(weight)]
    return st.sampled_from(slots).flatmap(lambda index: strategies[index])


def _text() -> st.SearchStrategy[str]:
    # Lone surrogates (category Cs) included: JSON carries them, and SDKs send them.
    return st.text(st.characters(codec=None, categories=None), max_size=12)


@functools.lru_cache(maxsize=64)
def junk(keys: tuple[str, ...] = ()) -> st.SearchStrategy[Any]:
    """Any JSON value, leaning on the values that break naive code (built once per key set)."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.sampled_from(NUMBERS),
        st.integers(min_value=-(2**64), max_value=2**64),
        st.floats(allow_nan=False, allow_infinity=False),
        st.sampled_from(TRICKY_STRINGS),
        _text(),
    )
    names = st.sampled_from(tuple(dict.fromkeys((*keys, *UNSAFE_KEYS, "toString", "valueOf", "0", "", "x"))))
    return st.recursive(
        scalars,
        lambda children: st.lists(children, max_size=4) | st.dictionaries(names | _text(), children, max_size=4),
        max_leaves=8,
    )


def _value_for(
    rule: dict[str, Any], shapes: dict[str, dict[str, Any]], keys: tuple[str, ...]
) -> st.SearchStrategy[Any]:
    """A value for one property rule: plausible, nearly right, or junk."""
    kind = rule.get("type")
    plausible: st.SearchStrategy[Any]
    if kind in ("number", "integer"):
        plausible = st.sampled_from(NUMBERS) | st.sampled_from(("49", "$49.00", "1,299", " 12 ", "1e3", "-3", "")) | (
            st.integers(min_value=-1000, max_value=10**6))
    elif kind == "boolean":
        plausible = st.sampled_from(
            (True, False, "true", "Y", "N", "on", "TRUE", "yes", "f", " off ", 1, 0, 2, "maybe")
        )
    elif kind == "phone":
        plausible = st.sampled_from(PHONES) | st.lists(st.sampled_from(PHONES), max_size=3)
    elif kind == "timezone":
        plausible = st.sampled_from(("america/new_york", "Europe/Paris", " europe/london ", "PST", "UTC", "Etc/GMT+5",
                                     "US/Pacific", "Mars/Olympus", ""))
    elif kind == "timestamp":
        texts = tuple(t for t in TRICKY_STRINGS if t[:1].isdigit() or t[:1] in "+-")
        plausible = st.sampled_from((*texts, 1709287200, 1709287200000, 1e11, -1e11, 8.64e15, 1e300))
    elif kind == "email":
        plausible = st.sampled_from((" Jane@Example.COM ", "jane@example.com", "a@b", "a\u200b@b.co", "", "x" * 300))
    elif kind == "currency":
        plausible = st.sampled_from(("usd", "USD", " eur ", "US", "USDX", "", "€"))
    elif kind == "enum":
        lookup = rule.get("lookup") or {}
        options = tuple(lookup) + tuple(lookup.values()) + ("", "unknown")
        plausible = st.sampled_from(options) | st.sampled_from(options).map(str.upper)
    elif kind == "array":
        items = rule.get("items") or {}
        item_rule = shapes.get(items["shape"], {}) if "shape" in items else items
        plausible = st.lists(weighted((4, _value_for(item_rule, shapes, keys)), (1, junk(keys))), max_size=4)
    elif kind == "object":
        props = rule.get("properties") or {}
        aliases = rule.get("aliases") or {}
        plausible = st.fixed_dictionaries({}, optional={
            **{alias: _value_for(props[name], shapes, keys) for alias, name in aliases.items()},
            **{name: _value_for(spec, shapes, keys) for name, spec in props.items()},
        }) if props else st.dictionaries(st.sampled_from(keys or ("a",)), junk(keys), max_size=3)
    else:
        plausible = st.sampled_from(TRICKY_STRINGS) | _text()
    return weighted((3, plausible), (1, junk(keys)))


def _properties(
    props: tuple[Property, ...], shapes: dict[str, dict[str, Any]], keys: tuple[str, ...],
    aliases: dict[str, str] | None = None,
) -> Any:
    """Declared properties (some under an alias of theirs, some under both names) and extra keys."""
    rules = {p.name: p.spec for p in props}
    declared = {alias: _value_for(rules[name], shapes, keys) for alias, name in (aliases or {}).items()}
    declared |= {p.name: _value_for(p.spec, shapes, keys) for p in props}
    extra = st.dictionaries(st.sampled_from((*keys, *UNSAFE_KEYS, "extra")) | _text(), junk(keys), max_size=3)
    return st.tuples(st.fixed_dictionaries({}, optional=declared), extra).map(lambda pair: {**pair[1], **pair[0]})


def _spellings(event: Event) -> list[str]:
    spellings = [event.name, *event.aliases]
    if event.match_variants:
        for name in list(spellings):
            key = variant_key(name)
            spellings += [key.replace(" ", "_"), key.title(), key.upper().replace(" ", "-")]
    return spellings


def events(contract: Contract) -> st.SearchStrategy[dict[str, Any]]:
    """One hostile RudderStack message for this contract (no messageId: the caller numbers them)."""
    shapes = {shape.name: shape.spec for shape in contract.shapes}
    replay_flag = [contract.replay["flag"]] if contract.replay else []
    keys = tuple(sorted(
        {p.name for e in contract.events for p in e.properties} | {contract.annotations["flag"], *replay_flag}
    ))
    names = [spelling for event in contract.events for spelling in _spellings(event)]
    planned_name = st.sampled_from(names)
    event_name = weighted(
        (8, planned_name), (1, st.sampled_from(("Unplanned Thing", "", " ", "constructor"))), (1, junk(keys))
    )
    per_spelling = {}
    # Common properties ride on any event, planned or not, sometimes under an alias.
    common = _properties(contract.common_properties, shapes, keys, contract.common_aliases)
    for event in contract.events:
        declared = _properties(event.properties, shapes, keys, event.property_aliases)
        if contract.common_properties:
            declared = st.tuples(common, declared).map(lambda pair: {**pair[0], **pair[1]})
        planned = weighted((4, declared), (1, junk(keys)))
        per_spelling.update({spelling: planned for spelling in _spellings(event)})
    unplanned = weighted((2, common), (1, junk(keys))) if contract.common_properties else junk(keys)

    def properties_for(name: Any) -> st.SearchStrategy[Any]:
        return per_spelling.get(name, unplanned) if isinstance(name, str) else junk(keys)

    trait_keys = tuple(p.name for p in contract.traits.fields) if contract.traits else ()
    trait_aliases = tuple(alias for alias, _ in contract.traits.aliases) if contract.traits else ()
    declared_traits = (
        _properties(contract.traits.fields, shapes, (*trait_keys, *trait_aliases), contract.traits.alias_map)
        if contract.traits
        else st.dictionaries(st.sampled_from(("email", "name", "phone")), junk(), max_size=3)
    )
    traits = st.tuples(
        declared_traits, st.dictionaries(st.sampled_from(trait_aliases or ("x",)), junk(), max_size=2)
    ).map(lambda pair: {**pair[1], **pair[0]})
    any_traits = weighted((4, traits), (1, junk(keys)))
    kinds = st.sampled_from(("track", "track", "track", "track", "identify", "identify", "page", "screen", "group",
                             "alias"))
    any_kind = weighted((9, kinds), (1, junk()))
    unsafe = st.lists(st.sampled_from(UNSAFE_KEYS), max_size=2)
    ids = st.sampled_from(
        ("usr_1", "u-2", "Jane@Example.com", " ", "", "a@" + "." * 3000 + "@", "x" * 5000, "u-1\u200b", "null")
    ) | junk()
    timestamps = st.sampled_from(("2026-11-29T10:00:00.000Z", "2026-10-01T10:00:00.000Z", "2027-01-01T00:00:00.000Z",
                                  "2026-11-29 10:00:00", 1764410400, "soon")) | junk()
    context = st.fixed_dictionaries({}, optional={
        "traits": traits | junk(keys),
        "replay": st.sampled_from((True, False, "true")),
        contract.annotations["violations"]: junk() | st.just([]),
        "library": st.just({"name": "analytics-node", "version": "3.0.0"}),
    }) | junk(keys)

    optional = (("userId", ids), ("anonymousId", ids), ("previousId", ids), ("timestamp", timestamps),
                ("originalTimestamp", timestamps), ("receivedAt", timestamps), ("context", context))
    often = st.integers(0, 3)

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        kind = draw(any_kind)
        message: dict[str, Any] = {"type": kind}
        if kind == "track" or draw(st.booleans()):
            message["event"] = draw(event_name)
            message["properties"] = draw(properties_for(message["event"]))
        if kind in ("identify", "group") or draw(often) == 0:
            message["traits"] = draw(any_traits)
        for key, strategy in optional:
            if draw(often) > 0:
                message[key] = draw(strategy)
        for key in draw(unsafe):
            message[key] = draw(junk())
        return message

    return build()


def batches(contract: Contract, size: int = 200, min_size: int = 1) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Requests of hostile events, each with its own messageId (for small requests: hypothesis
    gives up on large composite examples; `fuzz` is the way to run thousands)."""
    return st.lists(events(contract), min_size=min_size, max_size=size).map(
        lambda found: [{**event, "messageId": f"fz-{index}"} for index, event in enumerate(found)]
    )


def fuzz(
    contract: Contract, transformation: Transformation, count: int, *, batch: int = 200, random_seed: int = 0
) -> Figures:
    """`count` hostile events from hypothesis (generated, not shrunk), checked in requests of `batch`.

    Each problem names the input event that caused it, which is the reproduction.
    """
    total = Figures()
    pending: list[dict[str, Any]] = []

    def flush() -> None:
        if pending:
            total.add(check(transformation, contract, [{**e, "messageId": f"fz-{i}"} for i, e in enumerate(pending)]))
            pending.clear()

    @seed(random_seed)
    @settings(max_examples=count, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(events(contract))
    def collect(event: dict[str, Any]) -> None:
        pending.append(event)
        if len(pending) >= batch:
            flush()

    collect()
    flush()
    return total


# -- invariants --------------------------------------------------------------------------------


@dataclass
class Figures:
    """What a run of `check` saw, for reports and benchmarks."""

    events: int = 0
    outputs: int = 0
    filtered: int = 0
    line_items: int = 0
    stitched: int = 0
    violations: int = 0
    repairs: int = 0
    reruns: int = 0
    problems: list[str] = field(default_factory=list)

    def add(self, other: Figures) -> None:
        for name in ("events", "outputs", "filtered", "line_items", "stitched", "violations", "repairs", "reruns"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.problems += other.problems


METADATA = {"sourceId": "src-fuzz", "destinationId": "dst-fuzz", "destinationType": "CUSTOMERIO"}


def check(transformation: Transformation, contract: Contract, messages: list[dict[str, Any]]) -> Figures:
    """Run `messages` (one request) and every output again; list what broke (Figures.problems)."""
    figures = Figures(events=len(messages))
    first = transformation.run(messages, metadata=METADATA)
    by_id = {message["messageId"]: message for message in messages}
    outputs: list[tuple[dict[str, Any], dict[str, Any]]] = []
    answered: set[str] = set()
    for entry in first.response:
        message_id = entry["metadata"].get("messageId")
        answered.add(message_id)
        if entry["statusCode"] == 298:
            figures.filtered += 1
            continue
        if entry["statusCode"] != 200:
            figures.problems.append(f"{message_id}: status {entry['statusCode']}: {str(entry.get('error'))[:300]}")
            continue
        outputs.append((by_id[message_id], entry["output"]))
    figures.problems += [f"{m}: not accounted for" for m in by_id if m not in answered]
    figures.outputs = len(outputs)
    per_input: dict[str, list[dict[str, Any]]] = {}
    for message, output in outputs:
        per_input.setdefault(message["messageId"], []).append(output)
    for message_id, produced in per_input.items():
        figures.problems += _stitch_problems(by_id[message_id], produced)
        figures.stitched += len(produced) > 1 and produced[0].get("type") == "identify" != by_id[message_id].get("type")
    for message, output in outputs:
        figures.problems += _output_problems(contract, message, output)
        context = output["context"] if isinstance(output.get("context"), dict) else {}
        violations = context.get(contract.annotations["violations"])
        repairs = context.get(contract.annotations["repairs"])
        figures.violations += len(violations) if isinstance(violations, list) else 0
        figures.repairs += len(repairs) if isinstance(repairs, list) else 0
        figures.line_items += output.get("event") != message.get("event") and _is_line_item(contract, output)
    if outputs:
        figures.problems += _idempotence_problems(transformation, [output for _, output in outputs])
        figures.reruns = len(outputs)
    # Name the input of every problem about one: it is the reproduction.
    figures.problems = [
        f"{problem}\n    input: {jsvalues.dumps(by_id[problem.split(':')[0]])[:1500]}"
        if problem.split(":")[0] in by_id else problem
        for problem in figures.problems
    ]
    return figures


def _is_line_item(contract: Contract, output: dict[str, Any]) -> bool:
    return any(e.line_items and e.line_items["event"] == output.get("event") for e in contract.events)


def _idempotence_problems(transformation: Transformation, outputs: list[dict[str, Any]]) -> list[str]:
    # RudderStack's wrapper looks metadata up by the event's own messageId, which an order
    # shares with its line items: each request holds at most one output per messageId.
    requests: list[list[tuple[int, dict[str, Any]]]] = []
    for index, output in enumerate(outputs):
        key = jsvalues.string(output.get("messageId", jsvalues.UNDEFINED))
        for request in requests:
            if all(jsvalues.string(o.get("messageId", jsvalues.UNDEFINED)) != key for _, o in request):
                request.append((index, output))
                break
        else:
            requests.append([(index, output)])
    problems = []
    for request in requests:
        items = [
            {"message": output, "metadata": {**METADATA, "messageId": f"again-{index}"}} for index, output in request
        ]
        by_id: dict[Any, list[dict[str, Any]]] = {}
        for entry in transformation.run(items).response:
            by_id.setdefault(entry["metadata"].get("messageId"), []).append(entry)
        for index, output in request:
            entries = by_id.get(f"again-{index}", [])
            if [e.get("statusCode") for e in entries] != [200] or entries[0]["output"] != output:
                seen = [e.get("output", e.get("statusCode")) for e in entries]
                problems.append(
                    f"not idempotent: {jsvalues.dumps(output)[:400]}\n    became {jsvalues.dumps(seen)[:400]}"
                )
    return problems


def _paths(value: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every key path in a JSON value, list positions written `*` (iterative: values nest deep)."""
    stack = [(value, prefix)]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            for key, child in node.items():
                yield (*path, key)
                stack.append((child, (*path, key)))
        elif isinstance(node, list):
            stack.extend((child, (*path, "*")) for child in node)


def _alias_targets(rule: dict[str, Any], path: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    """Paths, inside a property, that an alias of a nested property can move a value to."""
    for name in (rule.get("aliases") or {}).values():
        yield (*path, name)
    for name, child in (rule.get("properties") or {}).items():
        yield from _alias_targets(child, (*path, name))
    if isinstance(rule.get("items"), dict):
        yield from _alias_targets(rule["items"], (*path, "*"))


def _stitch_problems(message: dict[str, Any], outputs: list[dict[str, Any]]) -> list[str]:
    """An identify sent before an event must carry that event's anonymousId and an email, no userId."""
    if message.get("type") == "identify" or not outputs or outputs[0].get("type") != "identify":
        return []
    identify = outputs[0]
    traits = identify.get("traits")
    email = traits.get("email") if isinstance(traits, dict) else None
    # The event follows its identify, with the anonymousId as the identity rules left it.
    anonymous_id = outputs[1].get("anonymousId") if len(outputs) > 1 else None
    if (not isinstance(anonymous_id, str) or identify.get("anonymousId") != anonymous_id or "userId" in identify
            or not isinstance(email, str) or "@" not in email or email != email.strip().lower()):
        return [f"{message.get('messageId')}: stitched identify is not the one Customer.io needs: "
                f"{jsvalues.dumps(identify)[:300]}"]
    return []


def _output_problems(contract: Contract, message: dict[str, Any], output: dict[str, Any]) -> list[str]:
    problems = []
    inputs = set(_paths(message))
    event = next((e for e in contract.events if e.name == output.get("event")), None)
    source = next((e for e in contract.events if e.line_items and e.line_items["event"] == output.get("event")
                   and e.line_items["event"] != message.get("event")), None)
    if source is not None and source.line_items:
        # A line item's properties come from one element of the order's array.
        base = ("properties", source.line_items["from"], "*")
        inputs |= {("properties", *p[len(base):]) for p in inputs if p[:len(base)] == base and len(p) > len(base)}
    annotations = contract.annotations
    free: set[tuple[str, ...]] = {
        ("context", annotations["violations"]), ("context", annotations["repairs"]), ("context", annotations["stamp"])
    }
    if contract.replay:
        free.add(("context", contract.replay["context"]))
    written = {("context",), ("context", "traits"), ("properties",), ("traits",)}
    for owner in (("properties",), ("traits",), ("context", "traits")):
        written.add((*owner, annotations["flag"]))
    if event is not None:
        written |= {("properties", name) for name in event.declared}
        if source is not None and source.line_items:
            written |= {("properties", name) for name in source.line_items["copy"]}
        free |= {("properties", p.name) for p in event.properties if "default" in p.spec}
        # A property sent under an alias moves under its own name, whole.
        free |= {("properties", name) for name in (event.property_aliases or {}).values()}
        for p in event.properties:
            free |= set(_alias_targets(p.spec, ("properties", p.name)))
    if output.get("type") in ("track", "page", "screen"):
        written |= {("properties", p.name) for p in contract.common_properties}
        free |= {("properties", name) for name in (contract.common_aliases or {}).values()}
    if contract.traits:
        # A trait alias's value moves under the trait's name, whole.
        for p in contract.traits.fields:
            free |= {("traits", p.name), ("context", "traits", p.name)}
    written.add(("traits", "email"))
    written.add(("context", "traits", "email"))
    for path in _paths(output):
        if path[-1] in UNSAFE_KEYS:
            problems.append(f"{message.get('messageId')}: output keeps the unsafe key {'.'.join(path)}")
        if path in inputs or path in written or any(path[:len(p)] == p for p in free):
            continue
        problems.append(f"{message.get('messageId')}: key {'.'.join(map(str, path))} is in neither the input nor "
                        f"the contract ({str(output.get('event'))[:40]})")
    if "Unknown-Violation" in jsvalues.dumps(output.get("context")):
        problems.append(f"{message.get('messageId')}: internal error: {jsvalues.dumps(output)[:400]}")
    return problems
