"""The contract as a rudder-cli data catalog (`rudder/v1`): categories, events, properties, custom types, a plan.

A RudderStack tracking plan validates what a source sends, before any transformation
runs; so the plan describes the canonical events the contract asks sources for. What only
the transformation can do (aliases, coercions, identity and replay rules, dedupe ids) is
listed in the notes this module returns, and in docs/rudder-cli.md.

rudder-cli's rules are followed where it states them (rudder-iac `localcatalog` and
`rules`): references `#kind:<id>` with ids of `[a-zA-Z0-9_-]`, names of 1 to 65
characters, track event names of at most 64, descriptions of 3 to 2,000 starting with a
letter, one property per name and type, config keys that fit the type.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from ..contract.model import Contract, Event, Property

E164 = r"^\+[1-9][0-9]{1,14}$"
ISO_4217 = "^[A-Z]{3}$"
_DISPLAY_NAME = re.compile(r"^[A-Z_a-z][ \w,.-]{1,63}[\w,.-]$", re.ASCII)
_CUSTOM_TYPE_NAME = re.compile(r"^[A-Z][A-Za-z0-9_-]{1,64}$")
_LETTER_START = re.compile(r"^[a-zA-Z]")
# Where identify traits travel in every current RudderStack SDK.
IDENTITY_SECTION = "context.traits"


def _ascii(text: str) -> str:
    """TEXT with accents taken off (`Événement` → `Evenement`), for ids and names that must be ASCII."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def slug(text: str) -> str:
    """An id rudder-cli can reference: `[a-z0-9_]`, never empty."""
    return re.sub(r"[^a-z0-9]+", "_", _ascii(text).lower()).strip("_") or "x"


def display_name(text: str) -> str:
    """TEXT made to fit rudder-cli's display-name rule (3 to 65 characters, ASCII words, spaces, `,.-`)."""
    name = re.sub(r"[^ \w,.-]+", "-", _ascii(text), flags=re.ASCII).strip(" -")
    if not name or not re.match(r"[A-Za-z_]", name):
        name = "Plan " + name
    name = name[:65].rstrip()
    while len(name) < 3:
        name += "_"
    return name if _DISPLAY_NAME.match(name) else "Tracking plan"


@dataclass
class _Prop:
    id: str
    name: str
    type: dict[str, Any]  # {type} or {type, item_type}
    config: dict[str, Any] | None
    description: str | None = None


@dataclass
class Catalog:
    """The catalog's entities, built from the contract, and what could not be said in it."""

    plan_id: str
    notes: list[str] = field(default_factory=list)
    properties: dict[tuple[str, str], _Prop] = field(default_factory=dict)
    custom_types: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    rules: list[dict[str, Any]] = field(default_factory=list)
    _ids: set[str] = field(default_factory=set)

    def unique_id(self, base: str) -> str:
        candidate, n = base, 2
        while candidate in self._ids:
            candidate, n = f"{base}_{n}", n + 1
        self._ids.add(candidate)
        return candidate


def build(model: Contract) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """{file stem: rudder/v1 document} for the catalog and plan, and the notes on what they leave out."""
    plan = slug(model.name)
    catalog = Catalog(plan)
    shapes = {shape.name: shape for shape in model.shapes}
    shape_types: dict[str, str] = {}

    def property_ref(prop: Property, where: str) -> str | None:
        if not prop.name or len(prop.name) > 65 or prop.name != prop.name.strip():
            catalog.notes.append(f"{where}: property {prop.name!r} is not a name rudder-cli accepts (1 to 65 "
                                 "characters, no outer spaces); left out of the plan")
            return None
        kind, config = _catalog_type(prop.spec, where, prop.name, catalog.notes, shape_type)
        key = (prop.name, repr(sorted(kind.items())))
        existing = catalog.properties.get(key)
        if existing is None:
            existing = _Prop(catalog.unique_id(slug(prop.name)), prop.name, kind, config,
                             fitting_text(prop.description, 3))
            catalog.properties[key] = existing
        else:
            if existing.config != config:
                common = {k: v for k, v in (existing.config or {}).items() if (config or {}).get(k) == v}
                dropped = sorted(set(existing.config or {}) ^ set(common) | set(config or {}) ^ set(common))
                if dropped:
                    catalog.notes.append(f"{where}: property {prop.name!r} is declared with other rules elsewhere; "
                                         f"the catalog keeps the rules they share (without {', '.join(dropped)})")
                existing.config = common or None
            existing.description = existing.description or fitting_text(prop.description, 3)
        return f"#property:{existing.id}"

    def shape_type(name: str) -> str:
        if name not in shape_types:
            shape = shapes[name]
            ident = catalog.unique_id(slug(name) + "_type")
            shape_types[name] = ident
            type_name = _custom_type_name(name)
            members = []
            for member, spec in shape.spec.get("properties", {}).items():
                ref = property_ref(Property(member, spec, shape.line, None), f"shape {name}")
                if ref:
                    members.append({"property": ref, "required": _required(spec)})
            entry: dict[str, Any] = {"id": ident, "name": type_name, "type": "object"}
            described = fitting_text(shape.description, 3, letter=True)
            if described:
                entry["description"] = described
            undeclared = shape.spec.get("undeclared", "keep")
            entry["config"] = {"additional_properties": undeclared == "keep"}
            entry["properties"] = members
            catalog.custom_types.append(entry)
        return f"#custom-type:{shape_types[name]}"

    common = {p.name: p for p in model.common_properties}
    for event in model.events:
        where = f"event {event.name!r}"
        if len(event.name) > 64:
            catalog.notes.append(f"{where}: longer than the 64 characters rudder-cli allows a track event's "
                                 "name; left out of the plan")
            continue
        ident = catalog.unique_id(slug(event.name))
        entry = {"id": ident, "name": event.name, "event_type": "track", "category": f"#category:{plan}"}
        described = fitting_text(event.description, 3, letter=True)
        if described:
            entry["description"] = described
        catalog.events.append(entry)
        declared = {p.name for p in event.properties}
        members = [*event.properties, *(p for name, p in common.items() if name not in declared)]
        catalog.rules.append(_rule(ident, event.undeclared, members, property_ref, where, "properties"))
        _event_notes(event, catalog.notes)

    if model.traits and model.traits.fields:
        ident = catalog.unique_id("identify")
        catalog.events.append({"id": ident, "event_type": "identify", "category": f"#category:{plan}",
                               "description": "Traits that become Customer.io person attributes."})
        catalog.rules.append(_rule(ident, model.traits.undeclared, list(model.traits.fields), property_ref,
                                   "traits", IDENTITY_SECTION))
        if model.traits.aliases:
            catalog.notes.append("traits: aliases (" + ", ".join(f"{a} → {t}" for a, t in model.traits.aliases[:6])
                                 + (", …" if len(model.traits.aliases) > 6 else "")
                                 + ") are renamed by the transformation only")

    _contract_notes(model, catalog.notes)
    return _documents(model, catalog), catalog.notes


def _rule(event_id: str, undeclared: str, members: list[Property], property_ref: Any, where: str,
          section: str) -> dict[str, Any]:
    rule: dict[str, Any] = {"type": "event_rule", "id": f"{event_id}_rule", "event": f"#event:{event_id}"}
    if section != "properties":
        rule["identity_section"] = section
    # keep: extra properties pass untouched; flag and drop make them findings.
    rule["additional_properties"] = undeclared == "keep"
    properties = []
    seen: set[str] = set()
    for prop in members:
        ref = property_ref(prop, where)
        if ref and ref not in seen:
            seen.add(ref)
            properties.append({"property": ref, "required": _required(prop.spec)})
    rule["properties"] = properties
    return rule


def _required(spec: dict[str, Any]) -> bool:
    # A default fills a missing value in the transformation, so a source may leave it out.
    return spec.get("required") is True and "default" not in spec


def _catalog_type(spec: dict[str, Any], where: str, name: str, notes: list[str],
                  shape_type: Any) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The catalog's type and config for a contract rule (what a source should send)."""
    kind = spec["type"]
    config: dict[str, Any] = {}
    if kind in ("number", "integer"):
        for key in ("minimum", "maximum"):
            if key in spec:
                config[key] = spec[key]
        if kind == "integer":
            # rudder-cli takes whole bounds for integers; for whole values these are the same bounds.
            if "minimum" in config:
                config["minimum"] = math.ceil(config["minimum"])
            if "maximum" in config:
                config["maximum"] = math.floor(config["maximum"])
        return {"type": kind}, config or None
    if kind == "boolean":
        return {"type": "boolean"}, None
    if kind == "enum":
        return {"type": "string"}, {"enum": sorted(set(spec["lookup"].values()))}
    if kind == "email":
        return {"type": "string"}, {"format": "email"}
    if kind == "currency":
        return {"type": "string"}, {"pattern": ISO_4217}
    if kind == "phone":
        return {"type": "string"}, {"pattern": E164}
    if kind == "timestamp":
        # What sources send; `output: unix_seconds` is the transformation's rewrite for Customer.io.
        return {"type": "string"}, {"format": "date-time"}
    if kind in ("string", "timezone"):
        return {"type": "string"}, ({"pattern": spec["pattern"]} if "pattern" in spec else None)
    if kind == "object":
        if spec.get("properties"):
            notes.append(f"{where}: the nested rules of object {name!r} are enforced by the transformation only")
        return {"type": "object"}, None
    if kind == "array":
        items = spec.get("items") or {}
        if "shape" in items:
            return {"type": "array", "item_type": shape_type(items["shape"])}, None
        item_kind, item_config = _catalog_type(items, where, f"{name}[]", notes, shape_type)
        if item_config:
            notes.append(f"{where}: the rules on each element of {name!r} are enforced by the transformation only")
        return {"type": "array", "item_type": item_kind["type"]}, None
    raise ValueError(f"unknown contract type {kind!r}")


def _event_notes(event: Event, notes: list[str]) -> None:
    where = f"event {event.name!r}"
    if event.aliases:
        notes.append(f"{where}: sent as " + ", ".join(repr(a) for a in event.aliases)
                     + ", it is unplanned at the source until the transformation renames it")
    for group in event.require_any_of:
        notes.append(f"{where}: at least one of {', '.join(group.names)} (require_any_of): transformation only")
    if event.dedupe:
        notes.append(f"{where}: the dedupe id {event.dedupe['into']} is written by the transformation")
    if event.replay:
        notes.append(f"{where}: the replay window ({event.replay['label']}) is enforced by the transformation")
    if event.line_items:
        notes.append(f"{where}: the transformation sends each element of {event.line_items['from']} as one "
                     f"{event.line_items['event']!r} event (in the plan too, for the catalog)")


def _contract_notes(model: Contract, notes: list[str]) -> None:
    notes.append(f"unplanned events ({model.unplanned_events}): set the source's drop_unplanned_events to false, "
                 "or events sent under an alias are dropped before the transformation can rename them")
    if model.identity:
        notes.append("identity rules (ids required, emails as userIds, stitching guest checkouts): transformation only")
    notes.append("coercions (\"$49.00\" → 49, \"Y\" → true, phone numbers to E.164), placeholders counted as missing, "
                 "decimals and normalization: transformation only; the plan states the canonical form")


def fitting_text(text: str | None, minimum: int, *, letter: bool = False) -> str | None:
    """A description rudder-cli accepts (3 to 2,000 characters; some must start with a letter), or None."""
    if not text:
        return None
    text = " ".join(text.split())
    if not minimum <= len(text) <= 2000 or (letter and not _LETTER_START.match(text)):
        return None
    return text


def _custom_type_name(shape: str) -> str:
    name = "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", shape) if part)
    name = name if name[:1].isalpha() and name[:1].isascii() else "Shape" + name
    name = (name + "Type") if len(name) < 2 else name
    return name[:65] if _CUSTOM_TYPE_NAME.match(name[:65]) else "Shape"


def _documents(model: Contract, catalog: Catalog) -> dict[str, dict[str, Any]]:
    plan = catalog.plan_id

    def document(kind: str, name: str, spec: dict[str, Any]) -> dict[str, Any]:
        return {"version": "rudder/v1", "kind": kind, "metadata": {"name": name}, "spec": spec}

    properties = []
    for prop in sorted(catalog.properties.values(), key=lambda p: p.id):
        entry: dict[str, Any] = {"id": prop.id, "name": prop.name}
        if prop.description:
            entry["description"] = prop.description
        entry.update(prop.type)
        if prop.config:
            entry["config"] = prop.config
        properties.append(entry)
    docs = {
        f"catalog/{plan}-categories": document("categories", f"{plan}-categories", {"categories": [
            {"id": plan, "name": display_name(model.name)}]}),
        f"catalog/{plan}-events": document("events", f"{plan}-events", {"events": catalog.events}),
        f"catalog/{plan}-properties": document("properties", f"{plan}-properties", {"properties": properties}),
    }
    if catalog.custom_types:
        docs[f"catalog/{plan}-custom-types"] = document("custom-types", f"{plan}-custom-types",
                                                        {"types": catalog.custom_types})
    tracking: dict[str, Any] = {"id": plan, "display_name": display_name(model.name)}
    described = fitting_text(model.description, 3, letter=True)
    if described:
        tracking["description"] = described
    tracking["rules"] = catalog.rules
    docs[f"tracking-plans/{plan}"] = document("tracking-plan", plan, tracking)
    return docs
