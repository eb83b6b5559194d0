"""Stage 3, model: validated contract data → a frozen, sorted intermediate representation.

Everything the templates need is computed here, so rendering is only layout.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from typing import Any

from . import patterns, reference
from .load import Path, Source
from .names import variant_key
from .validate import DEFAULT_ANNOTATIONS, DEFAULT_REPLAY, FALSE_WORDS, TRUE_WORDS, duration_seconds

# Where Customer.io's destination finds the email a call without userId is filed under, in
# its order (it also reads context.externalId.0.id, which is not an email in practice).
STITCH_EMAIL_PATHS = ("traits.email", "context.traits.email", "properties.email")


@dataclass(frozen=True)
class Property:
    """A property of an event or shape, with the rule its value must meet."""

    name: str
    spec: dict[str, Any]  # the rule as the generated code reads it (JSON data)
    line: int
    description: str | None


@dataclass(frozen=True)
class Shape:
    name: str
    spec: dict[str, Any]
    line: int
    description: str | None


@dataclass(frozen=True)
class AnyOf:
    names: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class Event:
    name: str
    aliases: tuple[str, ...]
    match_variants: bool
    properties: tuple[Property, ...]
    require_any_of: tuple[AnyOf, ...]
    undeclared: str
    on_violation: str
    line: int
    description: str | None
    dedupe: dict[str, Any] | None = None  # {keys, into}
    replay: dict[str, Any] | None = None  # {window (seconds), label, policy}
    line_items: dict[str, Any] | None = None  # {from, event, copy, parentId, index}
    # Properties gen itself writes on this event (dedupe id, replay flag, line item fields):
    # never "undeclared", so a second run over an output finds nothing new.
    written: tuple[str, ...] = ()
    property_aliases: dict[str, str] | None = None  # {alias: property}

    @property
    def declared(self) -> dict[str, bool]:
        return {name: True for name in sorted({p.name for p in self.properties} | set(self.written))}

    @property
    def rules(self) -> dict[str, Any]:
        """The event's options the shared enforcement code reads (JSON data)."""
        rules: dict[str, Any] = {"onViolation": self.on_violation}
        for key, value in (("dedupe", self.dedupe), ("replay", self.replay), ("lineItems", self.line_items)):
            if value is not None:
                rules[key] = value
        return rules


@dataclass(frozen=True)
class Traits:
    """Traits that become Customer.io person attributes."""

    fields: tuple[Property, ...]
    aliases: tuple[tuple[str, str], ...]  # (alias, trait)
    on_track: bool
    undeclared: str
    line: int

    @property
    def declared(self) -> dict[str, bool]:
        return {p.name: True for p in self.fields}

    @property
    def alias_map(self) -> dict[str, str]:
        return dict(self.aliases)


@dataclass(frozen=True)
class Contract:
    file: str
    name: str
    version: int | str
    description: str | None
    hash: str
    unplanned_events: str
    annotations: dict[str, str]
    shapes: tuple[Shape, ...]
    events: tuple[Event, ...]
    lines: dict[str, int]  # line of each top-level block, for comments
    scope: dict[str, list[str]] | None = None
    identity: dict[str, Any] | None = None
    traits: Traits | None = None
    replay: dict[str, Any] | None = None
    batch_dedupe: bool = False
    boolean_words: dict[str, bool] | None = None  # spelling (lower case) → meaning
    common_properties: tuple[Property, ...] = ()
    common_aliases: dict[str, str] | None = None
    derive_names: dict[str, str] | None = None  # {from, first, last}
    stitch: dict[str, Any] | None = None  # {email: [path parts], events: [names] | None}
    identify_replay: dict[str, Any] | None = None  # {window (seconds), label, policy}
    phones: dict[str, Any] | None = None  # numbering plans, when a phone property or trait exists
    timezones: tuple[str, ...] = ()  # IANA names, when a timezone property or trait exists
    rule_defaults: dict[str, Any] | None = None  # {onInvalid, normalize, region}: what rules fall back to

    @property
    def stamp(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "hash": self.hash}

    @property
    def spellings(self) -> list[list[str]]:
        """[spelling, canonical name] for every exact spelling, sorted."""
        pairs = [[e.name, e.name] for e in self.events]
        pairs += [[alias, e.name] for e in self.events for alias in e.aliases]
        return sorted(pairs)

    @property
    def variants(self) -> list[list[str]]:
        """[variant key, canonical name] for events that match spelling variants, sorted."""
        pairs: dict[str, str] = {}
        for event in self.events:
            if event.match_variants:
                for spelling in (event.name, *event.aliases):
                    pairs.setdefault(variant_key(spelling), event.name)
        return sorted([key, name] for key, name in pairs.items())


def contract_hash(data: Any) -> str:
    """A short, stable hash of the contract's content (not of its formatting)."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    # surrogatepass: a lone surrogate (a YAML escape) hashes instead of failing; other text is plain UTF-8.
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def build_model(data: dict[str, Any], source: Source, file: str) -> Contract:
    """The IR of a contract that validated without errors."""
    settings = data.get("settings") or {}
    shared = data.get("properties") or {}
    shapes_data = data.get("shapes") or {}
    head = data["contract"]
    defaults = {
        "onInvalid": settings.get("on_invalid", "keep"),
        "normalize": settings.get("normalize", "none"),
        "region": settings.get("default_region"),
    }

    def rule(spec: dict[str, Any]) -> dict[str, Any]:
        if "use" in spec:
            base = dict(shared[spec["use"]])
            base.update({k: v for k, v in spec.items() if k != "use"})
            spec = base
        out: dict[str, Any] = {"type": spec["type"]}
        if spec.get("required") is True:
            out["required"] = True
        if "default" in spec:
            out["default"] = spec["default"]
        if spec["type"] == "enum":
            lookup = {value.lower(): value for value in spec["values"]}
            for canonical, alternatives in (spec.get("synonyms") or {}).items():
                for alternative in alternatives:
                    lookup.setdefault(alternative.strip().lower(), canonical)
            out["lookup"] = dict(sorted(lookup.items()))
        for key in ("pattern", "minimum", "maximum", "decimals"):
            if key in spec:
                out[key] = spec[key]
        if "pattern" in spec and patterns.limit(spec["pattern"]) is not None:
            out["patternLimit"] = patterns.limit(spec["pattern"])
        if spec.get("output", "iso") != "iso":
            out["output"] = spec["output"]
        # Only where a property differs from the contract's settings (RULE_DEFAULTS in the code).
        if spec.get("on_invalid", defaults["onInvalid"]) != defaults["onInvalid"]:
            out["onInvalid"] = spec["on_invalid"]
        if spec["type"] == "string" and spec.get("normalize", defaults["normalize"]) != defaults["normalize"]:
            out["normalize"] = spec["normalize"]
        if spec["type"] == "phone" and spec.get("region", defaults["region"]) != defaults["region"]:
            out["region"] = spec["region"]
        if spec["type"] == "array":
            items = spec["items"]
            out["items"] = {"shape": items} if isinstance(items, str) else rule(items)
        if spec["type"] == "object" and spec.get("properties"):
            out["properties"] = {name: rule(p) for name, p in spec["properties"].items()}
            if aliases_of(spec["properties"]):
                out["aliases"] = aliases_of(spec["properties"])
        return out

    def aliases_of(block: dict[str, Any]) -> dict[str, str]:
        """{alias: property} for the properties of one object, sorted."""
        found: dict[str, str] = {}
        for name, spec in block.items():
            own = spec.get("aliases") if isinstance(spec, dict) else None
            if own is None and isinstance(spec, dict) and "use" in spec:
                own = (shared.get(spec["use"]) or {}).get("aliases")
            for alias in own or []:
                found.setdefault(alias, name)
        return dict(sorted(found.items()))

    def description(spec: Any) -> str | None:
        if not isinstance(spec, dict):
            return None
        text = spec.get("description")
        if text is None and "use" in spec:
            text = (shared.get(spec["use"]) or {}).get("description")
        return text if isinstance(text, str) else None

    def properties(block: dict[str, Any], path: Path, required: tuple[str, ...] = ()) -> tuple[Property, ...]:
        out = []
        for name, spec in block.items():
            checked = rule(spec)
            if name in required:
                checked = {"type": checked["type"], "required": True, **checked}
            out.append(Property(name, checked, source.line((*path, name)), description(spec)))
        return tuple(out)

    shapes = tuple(
        Shape(
            name=name,
            spec={
                "type": "object",
                "properties": {p: rule(s) for p, s in body["properties"].items()},
                **({"aliases": aliases_of(body["properties"])} if aliases_of(body["properties"]) else {}),
                **({"undeclared": body["undeclared_properties"]} if "undeclared_properties" in body else {}),
            },
            line=source.line(("shapes", name)),
            description=body.get("description"),
        )
        for name, body in sorted(shapes_data.items())
    )

    events = []
    for name, body in sorted(data["events"].items()):
        body = body or {}
        groups = body.get("require_any_of")
        if groups is None:
            any_of: tuple[AnyOf, ...] = ()
        else:
            nested = all(isinstance(g, list) for g in groups)
            any_of = tuple(
                AnyOf(tuple(group), source.at(("events", name, "require_any_of", index) if nested
                                              else ("events", name, "require_any_of")).line)
                for index, group in enumerate(groups if nested else [groups])
            )
        dedupe = body.get("dedupe")
        dedupe_keys = tuple(dedupe["keys"]) if dedupe else ()
        replay = body.get("replay")
        items = body.get("line_items")
        events.append(Event(
            name=name,
            aliases=tuple(a for a in body.get("aliases") or [] if a != name),
            match_variants=body.get("match_variants", settings.get("match_variants", False)) is True,
            # A dedupe key is required: without it the event cannot be told from a retry.
            properties=properties(body.get("properties") or {}, ("events", name, "properties"), dedupe_keys),
            dedupe={"keys": list(dedupe_keys), "into": dedupe["into"]} if dedupe else None,
            replay={
                "window": duration_seconds(replay["window"]),
                "label": replay["window"],
                "policy": replay.get("policy", "flag"),
            } if replay else None,
            line_items={
                "from": items["from"],
                "event": items["event"],
                "copy": list(items.get("copy", [])),
                "parentId": items.get("parent_id", f"order_{dedupe['into']}" if dedupe else "order_event_id"),
                "index": items.get("index", "line_index"),
            } if items else None,
            require_any_of=any_of,
            undeclared=body.get("undeclared_properties", settings.get("undeclared_properties", "keep")),
            on_violation=body.get("on_violation", settings.get("on_violation", "flag")),
            line=source.line(("events", name)),
            description=body.get("description"),
            property_aliases=aliases_of(body.get("properties") or {}) or None,
        ))

    events = _with_written_fields(events, data.get("replay"), data["events"])

    traits = None
    traits_data = data.get("traits")
    if traits_data:
        fields = {
            name: {k: v for k, v in spec.items() if k != "aliases"} for name, spec in traits_data["fields"].items()
        }
        traits = Traits(
            fields=properties(fields, ("traits", "fields")),
            aliases=tuple(sorted(
                (alias, name) for name, spec in traits_data["fields"].items() for alias in spec.get("aliases", [])
            )),
            on_track=traits_data.get("on_track", False) is True,
            undeclared=traits_data.get("undeclared", "keep"),
            line=source.line(("traits",)),
        )
    replay_data = data.get("replay")
    any_replay = any(isinstance(b, dict) and b.get("replay") for b in data["events"].values())
    replay_config = None
    if replay_data is not None or any_replay:
        merged = {**DEFAULT_REPLAY, **(replay_data or {})}
        replay_config = {
            "flag": merged["flag"],
            "context": merged["context"],
            "markers": [marker.split(".") for marker in merged["markers"]],
            "futureTolerance": duration_seconds(merged["future_tolerance"]),
        }
    identity_data = data.get("identity")
    scope_data = data.get("scope")
    common_data = data.get("common_properties") or {}
    common = properties(common_data, ("common_properties",))
    words = {word: True for word in TRUE_WORDS} | {word: False for word in FALSE_WORDS}
    words |= {w.strip().lower(): True for w in settings.get("true_values", [])}
    words |= {w.strip().lower(): False for w in settings.get("false_values", [])}
    derive = (traits_data or {}).get("derive_names")
    stitch = (identity_data or {}).get("stitch")
    identify_replay = (replay_data or {}).get("identify")
    rules_used = _types_used([p.spec for e in events for p in e.properties]
                             + [p.spec for p in (traits.fields if traits else ())]
                             + [p.spec for p in common] + [shape.spec for shape in shapes])

    return Contract(
        file=file,
        name=head["name"],
        version=head["version"],
        description=head.get("description"),
        hash=contract_hash(data),
        unplanned_events=settings.get("unplanned_events", "flag"),
        annotations={**DEFAULT_ANNOTATIONS, **(data.get("annotations") or {})},
        shapes=shapes,
        events=tuple(events),
        lines={key: source.line((key,)) for key in data},
        scope={
            "destinationTypes": list(scope_data.get("destination_types", [])),
            "destinationIds": list(scope_data.get("destination_ids", [])),
        } if scope_data else None,
        identity={
            "requireIds": identity_data.get("require_ids", "flag"),
            "emailUserId": identity_data.get("email_user_id", "flag"),
            **({"userIdPattern": identity_data["user_id_pattern"]} if "user_id_pattern" in identity_data else {}),
            **({"userIdPatternLimit": patterns.limit(identity_data["user_id_pattern"])}
               if "user_id_pattern" in identity_data and patterns.limit(identity_data["user_id_pattern"]) else {}),
        } if identity_data is not None else None,
        traits=traits,
        replay=replay_config,
        batch_dedupe=settings.get("batch_dedupe", False) is True,
        boolean_words=dict(sorted(words.items())),
        common_properties=common,
        common_aliases=aliases_of(common_data) or None,
        derive_names={
            "from": "name", "first": "first_name", "last": "last_name", **(derive if isinstance(derive, dict) else {}),
        } if derive else None,
        stitch={
            "email": [path.split(".") for path in (stitch.get("email") if isinstance(stitch, dict) else None)
                      or STITCH_EMAIL_PATHS],
            "events": sorted(stitch["events"]) if isinstance(stitch, dict) and "events" in stitch else None,
        } if stitch else None,
        identify_replay={
            "window": duration_seconds(identify_replay["window"]),
            "label": identify_replay["window"],
            "policy": identify_replay.get("policy", "flag"),
        } if identify_replay else None,
        phones=(
            {key: reference.phone_plans()[key] for key in ("regions", "main", "extension")}
            if "phone" in rules_used else None
        ),
        timezones=tuple(reference.timezones()) if "timezone" in rules_used else (),
        rule_defaults={key: value for key, value in defaults.items() if value is not None},
    )


def _types_used(rules: list[dict[str, Any]]) -> set[str]:
    """Every `type` in these rules and the rules nested in them."""
    found: set[str] = set()
    stack = list(rules)
    while stack:
        rule = stack.pop()
        found.add(rule.get("type", ""))
        stack.extend((rule.get("properties") or {}).values())
        if isinstance(rule.get("items"), dict) and "type" in rule["items"]:
            stack.append(rule["items"])
    return found


def _with_written_fields(events: list[Event], replay_data: Any, bodies: dict[str, Any]) -> list[Event]:
    """Each event with the properties gen writes on it (see Event.written)."""
    any_replay = replay_data is not None or any(isinstance(b, dict) and b.get("replay") for b in bodies.values())
    replay_flag = {**DEFAULT_REPLAY, **(replay_data or {})}["flag"] if any_replay else None
    written: dict[str, set[str]] = {event.name: set() for event in events}
    for event in events:
        if event.dedupe:
            written[event.name].add(event.dedupe["into"])
        if replay_flag is not None:
            written[event.name].add(replay_flag)
        items = event.line_items
        if items and items["event"] in written:
            written[items["event"]].update({items["parentId"], items["index"]})
    return [replace(event, written=tuple(sorted(written[event.name]))) for event in events]
