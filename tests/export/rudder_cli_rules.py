"""rudder-cli's validation rules for a `rudder/v1` project, as rudder-iac (v0.24.0, dfdfe26) states them.

An independent check of what `gen export rudder-cli` writes: `rudder-cli validate` needs a
workspace token and the network, so the tests hold the export to the rules it applies:
- loader: every *.yaml/*.yml under the location (not *.vars.yaml), one document each, with
  exactly version, kind, metadata (with a name) and spec (`cli/internal/project/specs/spec.go`);
- transformation: `specs/transformation.go`, `rules/common.go`, `handlers/transformation`;
- data catalog: `providers/datacatalog/localcatalog/model_v1.go`, `rules/constants.go`,
  `rules/config/*_validator.go`, `rules/{property,event,category,custom_type,tracking_plan}`.
Returns every violation found, as "file: message".
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

PRIMITIVES = {"string", "number", "integer", "boolean", "null", "array", "object"}
EVENT_TYPES = {"track", "screen", "identify", "group", "page"}
ID = re.compile(r"^[a-zA-Z0-9_-]+$")
DISPLAY_NAME = re.compile(r"^[A-Z_a-z][ \w,.-]{1,63}[\w,.-]$", re.ASCII)
CUSTOM_TYPE_NAME = re.compile(r"^[A-Z][A-Za-z0-9_-]*$")
TEST_NAME = re.compile(r"^[A-Za-z0-9 _/\-]+$")
FORMATS = {"date-time", "date", "time", "email", "uuid", "hostname", "ipv4", "ipv6"}
CONFIG_KEYS = {
    "string": {"enum", "min_length", "max_length", "pattern", "format"},
    "integer": {"enum", "minimum", "maximum", "exclusive_minimum", "exclusive_maximum", "multiple_of"},
    "number": {"enum", "minimum", "maximum", "exclusive_minimum", "exclusive_maximum", "multiple_of"},
    "boolean": {"enum"},
    "array": {"min_items", "max_items", "unique_items"},
    "object": set(),
    "null": set(),
}


def validate(root: Path) -> list[str]:
    problems: list[str] = []
    specs: list[tuple[Path, dict[str, Any]]] = []
    for path in sorted([*root.rglob("*.yaml"), *root.rglob("*.yml")]):
        if path.name.endswith((".vars.yaml", ".vars.yml")):
            continue
        documents = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d is not None]
        if len(documents) != 1:
            problems.append(f"{path}: {len(documents)} documents; rudder-cli reads one spec per file")
            continue
        (doc,) = documents
        if not isinstance(doc, dict) or set(doc) != {"version", "kind", "metadata", "spec"}:
            problems.append(f"{path}: top-level keys must be version, kind, metadata, spec")
            continue
        if doc["version"] != "rudder/v1":
            problems.append(f"{path}: version {doc['version']!r}")
        if not (isinstance(doc["metadata"], dict) and doc["metadata"].get("name")):
            problems.append(f"{path}: metadata.name is required")
        specs.append((path, doc))

    refs: dict[str, set[str]] = {"property": set(), "event": set(), "category": set(), "custom-type": set()}
    for _, doc in specs:
        spec = doc["spec"]
        for kind, key, ref in (("properties", "properties", "property"), ("events", "events", "event"),
                               ("categories", "categories", "category"), ("custom-types", "types", "custom-type")):
            if doc["kind"] == kind:
                refs[ref] |= {e.get("id") for e in spec.get(key) or [] if isinstance(e, dict)}

    def ref(value: Any, kind: str) -> bool:
        match = re.fullmatch(rf"#({re.escape(kind)}):([a-zA-Z0-9_-]+)", str(value))
        return bool(match) and match.group(2) in refs[kind]

    urns: set[str] = set()
    property_keys: set[str] = set()
    event_keys: set[str] = set()
    names: dict[str, set[str]] = {"categories": set(), "custom-types": set(), "tracking-plan": set()}
    for path, doc in specs:
        kind, spec = doc["kind"], doc["spec"]

        def bad(message: str, path: Path = path) -> None:
            problems.append(f"{path}: {message}")

        def urn(resource: str, ident: Any) -> None:
            if not ident:
                bad(f"{resource}: id is required")
            elif f"{resource}:{ident}" in urns:
                bad(f"duplicate urn {resource}:{ident}")
            urns.add(f"{resource}:{ident}")

        if kind == "transformation":
            allowed = {"id", "name", "description", "language", "code", "file", "tests"}
            if set(spec) - allowed:
                bad(f"unknown transformation fields {sorted(set(spec) - allowed)}")
            urn("transformation", spec.get("id"))
            if not spec.get("name"):
                bad("transformation name is required")
            if spec.get("language") not in ("javascript", "python"):
                bad("'language' must be one of [javascript python]")
            if ("code" in spec) == ("file" in spec):
                bad("exactly one of code and file")
            if "file" in spec:
                target = _relative(path, spec["file"], bad)
                if target is not None and not target.is_file():
                    bad(f"file {spec['file']}: path does not exist or is not a file")
                if not str(spec["file"]).endswith(".js" if spec.get("language") == "javascript" else ".py"):
                    bad("file extension must match the language")
            for test in spec.get("tests") or []:
                if not TEST_NAME.match(str(test.get("name", ""))) or not str(test.get("name", "")).strip():
                    bad(f"test name {test.get('name')!r} must match {TEST_NAME.pattern}")
                for key in ("input", "output"):
                    if key not in test:
                        continue
                    folder = _relative(path, test[key], bad)
                    if folder is None or not folder.is_dir():
                        bad(f"test {key} {test[key]}: path must be a directory")
                        continue
                    for file in folder.glob("*.json"):
                        if not isinstance(json.loads(file.read_text(encoding="utf-8")), (dict, list)):
                            bad(f"{file}: must contain valid object or array")
        elif kind == "properties":
            for prop in spec.get("properties") or []:
                allowed = {"id", "name", "description", "type", "types", "item_type", "item_types", "config"}
                if set(prop) - allowed:
                    bad(f"property {prop.get('id')}: unknown fields {sorted(set(prop) - allowed)}")
                urn("property", prop.get("id"))
                if not ID.match(str(prop.get("id"))):
                    bad(f"property id {prop.get('id')!r} cannot be referenced")
                name = prop.get("name")
                if not isinstance(name, str) or not 1 <= len(name) <= 65 or name != name.strip():
                    bad(f"property name {name!r}")
                if "description" in prop and not 3 <= len(prop["description"]) <= 2000:
                    bad(f"property {name}: description length")
                kind_ = prop.get("type")
                if kind_ is not None and kind_ not in PRIMITIVES and not ref(kind_, "custom-type"):
                    bad(f"property {name}: 'type' is invalid: {kind_!r}")
                item = prop.get("item_type")
                if item is not None and item not in PRIMITIVES and not ref(item, "custom-type"):
                    bad(f"property {name}: 'item_type' is invalid: {item!r}")
                if item is not None and kind_ != "array":
                    bad(f"property {name}: item_type on a {kind_}")
                config = prop.get("config") or {}
                allowed_config = CONFIG_KEYS.get(kind_, set())
                for key in config:
                    if key not in allowed_config:
                        bad(f"property {name}: '{key}' is not applicable for type(s) {kind_}")
                if "enum" in config and (not isinstance(config["enum"], list)
                                         or len(config["enum"]) != len({json.dumps(v) for v in config["enum"]})):
                    bad(f"property {name}: 'enum' must be an array without duplicates")
                if "format" in config and config["format"] not in FORMATS:
                    bad(f"property {name}: format {config['format']!r}")
                if "pattern" in config:
                    re.compile(config["pattern"])
                if "minimum" in config and "maximum" in config and config["minimum"] > config["maximum"]:
                    bad(f"property {name}: minimum cannot be greater than maximum")
                if kind_ == "integer" and any(not isinstance(config.get(k, 0), int)
                                              for k in ("minimum", "maximum")):
                    bad(f"property {name}: integer bounds must be integers")
                key = f"{name}|{kind_}|{item}"
                if key in property_keys:
                    bad(f"duplicate name, type and itemTypes: '{name}' within kind 'properties'")
                property_keys.add(key)
        elif kind == "events":
            for event in spec.get("events") or []:
                allowed = {"id", "name", "event_type", "description", "category"}
                if set(event) - allowed:
                    bad(f"event {event.get('id')}: unknown fields {sorted(set(event) - allowed)}")
                urn("event", event.get("id"))
                if not ID.match(str(event.get("id"))):
                    bad(f"event id {event.get('id')!r} cannot be referenced")
                if event.get("event_type") not in EVENT_TYPES:
                    bad(f"event {event.get('id')}: event_type {event.get('event_type')!r}")
                name = event.get("name") or ""
                if event.get("event_type") == "track" and not 1 <= len(name) <= 64:
                    bad("name must be between 1 and 64 characters for track events")
                if event.get("event_type") != "track" and name:
                    bad("name should be empty for non-track events")
                _description(event, bad)
                if "category" in event and not ref(event["category"], "category"):
                    bad(f"event {event.get('id')}: category {event['category']!r} not found")
                key = f"{name}|{event.get('event_type')}"
                if key in event_keys:
                    bad(f"duplicate name '{name}' within kind 'events'")
                event_keys.add(key)
        elif kind == "categories":
            for category in spec.get("categories") or []:
                urn("category", category.get("id"))
                if not DISPLAY_NAME.match(str(category.get("name"))):
                    bad(f"category name {category.get('name')!r}")
                if category.get("name") in names["categories"]:
                    bad("duplicate category name")
                names["categories"].add(category.get("name"))
        elif kind == "custom-types":
            for entry in spec.get("types") or []:
                allowed = {"id", "name", "description", "type", "item_type", "item_types", "config", "properties",
                           "variants"}
                if set(entry) - allowed:
                    bad(f"custom type {entry.get('id')}: unknown fields {sorted(set(entry) - allowed)}")
                urn("custom-type", entry.get("id"))
                name = str(entry.get("name"))
                if not CUSTOM_TYPE_NAME.match(name) or not 2 <= len(name) <= 65:
                    bad(f"custom type name {name!r}")
                if name in names["custom-types"]:
                    bad("duplicate custom type name")
                names["custom-types"].add(name)
                _description(entry, bad)
                if entry.get("type") not in PRIMITIVES:
                    bad(f"custom type {name}: type {entry.get('type')!r}")
                config = entry.get("config") or {}
                if entry.get("type") == "object" and (set(config) - {"additional_properties"} or not all(
                        isinstance(v, bool) for v in config.values())):
                    bad(f"custom type {name}: an object takes only additional_properties (bool)")
                for member in entry.get("properties") or []:
                    if not ref(member.get("property"), "property"):
                        bad(f"custom type {name}: property {member.get('property')!r} not found")
        elif kind == "tracking-plan":
            urn("tracking-plan", spec.get("id"))
            if not DISPLAY_NAME.match(str(spec.get("display_name"))):
                bad(f"display_name {spec.get('display_name')!r}")
            _description(spec, bad)
            rule_ids: set[str] = set()
            events_seen: set[str] = set()
            for rule in spec.get("rules") or []:
                allowed = {"type", "id", "event", "identity_section", "additional_properties", "properties",
                           "variants"}
                if set(rule) - allowed:
                    bad(f"rule {rule.get('id')}: unknown fields {sorted(set(rule) - allowed)}")
                if rule.get("type") != "event_rule":
                    bad("rule type must be event_rule")
                if rule.get("id") in rule_ids or not rule.get("id"):
                    bad("duplicate rule id in tracking plan rules")
                rule_ids.add(rule.get("id"))
                if not ref(rule.get("event"), "event"):
                    bad(f"rule {rule.get('id')}: event {rule.get('event')!r} not found")
                if rule.get("event") in events_seen:
                    bad("duplicate event reference in tracking plan rules")
                events_seen.add(rule.get("event"))
                if rule.get("identity_section", "properties") not in ("properties", "traits", "context.traits"):
                    bad(f"rule {rule.get('id')}: identity_section")
                if not isinstance(rule.get("additional_properties", False), bool):
                    bad(f"rule {rule.get('id')}: additional_properties must be a bool")
                members: set[str] = set()
                for member in rule.get("properties") or []:
                    if not ref(member.get("property"), "property"):
                        bad(f"rule {rule.get('id')}: property {member.get('property')!r} not found")
                    if member.get("property") in members:
                        bad("duplicate property reference in tracking plan event rule")
                    members.add(member.get("property"))
                    if not isinstance(member.get("required", False), bool):
                        bad("required must be a bool")
        else:
            bad(f"unknown kind {kind!r}")
    return problems


def _relative(spec_file: Path, target: Any, bad: Any) -> Path | None:
    text = str(target)
    if Path(text).is_absolute() or ".." in Path(text).parts:
        bad(f"{text}: path must be relative, without '..'")
        return None
    return spec_file.parent / text


def _description(entity: dict[str, Any], bad: Any) -> None:
    text = entity.get("description")
    if text is not None and (not 3 <= len(text) <= 2000 or not re.match(r"^[a-zA-Z]", text)):
        bad(f"description {text[:40]!r}: 3 to 2000 characters, starting with a letter")
