"""The JSON Schema (2020-12) of contract.yaml, built from the validator's own grammar (validate.py).

Editors read it through yaml-language-server (`# yaml-language-server: $schema=…` at the top
of the contract) for completion and early squiggles. It covers the structure: keys, types,
choices. What only the validator knows (alias collisions, patterns V8 refuses, unknown
`use` references) stays in validate.py.
"""

from __future__ import annotations

import importlib
import json
from typing import Any

validate = importlib.import_module("generator.contract.validate")

DURATION = {"type": "string", "pattern": r"^\s*(\d+d)?(\d+h)?(\d+m)?(\d+s)?\s*$",
            "description": "A duration: 90s, 30m, 4h, 2d, 1h30m."}
# gen reads an empty (null) block or list as absent, so the schema lets every one be null.
NAMES = {"type": ["array", "null"], "items": {"type": "string"}}


def _choice(name: str) -> dict[str, Any]:
    return {"enum": list(validate.POLICIES[name])}


def _object(properties: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": ["object", "null"], "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = required
    schema.update(extra)
    return schema


def _property() -> dict[str, Any]:
    keys = {
        "use": {"type": "string", "description": "A shared property (top-level `properties`) to take the rule from."},
        "type": {"enum": list(validate.TYPES)},
        "required": {"type": "boolean"},
        "default": {"description": "Set when the property is absent; must be a valid value."},
        "description": {"type": "string"},
        "values": {"type": "array", "items": {"type": ["string", "number"]}},
        "synonyms": {"type": ["object", "null"], "additionalProperties": NAMES},
        "pattern": {"type": "string"},
        "minimum": {"type": "number"},
        "maximum": {"type": "number"},
        "items": {"anyOf": [{"type": "string", "description": "A shape name."}, {"$ref": "#/$defs/property"}]},
        "properties": {"type": ["object", "null"], "additionalProperties": {"$ref": "#/$defs/property"}},
        "output": {"enum": list(validate.TIMESTAMP_OUTPUTS)},
        "aliases": NAMES,
        "decimals": {"type": "integer", "minimum": 0, "maximum": validate.MAX_DECIMALS},
        "on_invalid": _choice("on_invalid"),
        "normalize": {"enum": list(validate.NORMALIZE)},
        "region": {"type": "string", "description": "A region code (US, GB, \"NO\")."},
    }
    assert set(keys) == set(validate.PROPERTY_KEYS), set(keys) ^ set(validate.PROPERTY_KEYS)
    return _object(keys)


def _event() -> dict[str, Any]:
    keys = {
        "description": {"type": "string"},
        "aliases": NAMES,
        "match_variants": {"type": "boolean"},
        "properties": {"type": ["object", "null"], "additionalProperties": {"$ref": "#/$defs/property"}},
        "require_any_of": {"type": ["array", "null"], "items": {"anyOf": [{"type": "string"}, NAMES]}},
        "undeclared_properties": _choice("undeclared_properties"),
        "on_violation": _choice("on_violation"),
        "dedupe": _object({"keys": NAMES, "into": {"type": "string"}}, ["keys"]),
        "replay": _object({"window": DURATION, "policy": _choice("replay")}, ["window"]),
        "line_items": _object({key: NAMES if key == "copy" else {"type": "string"}
                               for key in validate.LINE_ITEM_KEYS}, ["from", "event"]),
    }
    assert set(keys) == set(validate.EVENT_KEYS), set(keys) ^ set(validate.EVENT_KEYS)
    return _object(keys)


def schema() -> dict[str, Any]:
    """The whole schema, as data."""
    settings = {
        "match_variants": {"type": "boolean"},
        "unplanned_events": _choice("unplanned_events"),
        "undeclared_properties": _choice("undeclared_properties"),
        "on_violation": _choice("on_violation"),
        "batch_dedupe": {"type": "boolean"},
        "on_invalid": _choice("on_invalid"),
        "default_region": {"type": "string"},
        "true_values": NAMES,
        "false_values": NAMES,
        "normalize": {"enum": list(validate.NORMALIZE)},
    }
    assert set(settings) == set(validate.SETTINGS_KEYS)
    identity = {
        "primary_id": {"type": "string"},
        "require_ids": _choice("require_ids"),
        "email_user_id": _choice("email_user_id"),
        "user_id_pattern": {"type": "string"},
        "stitch": {"anyOf": [{"type": "boolean"},
                             _object({"email": NAMES, "events": NAMES})]},
    }
    assert set(identity) == set(validate.IDENTITY_KEYS)
    traits = {
        "on_track": {"type": "boolean"},
        "undeclared": _choice("undeclared_properties"),
        "fields": {"type": ["object", "null"], "additionalProperties": {"$ref": "#/$defs/property"}},
        "derive_names": {"anyOf": [{"type": "boolean"},
                                   _object({key: {"type": "string"} for key in validate.DERIVE_NAMES_KEYS})]},
    }
    assert set(traits) == set(validate.TRAITS_KEYS)
    replay = {
        "flag": {"type": "string"}, "context": {"type": "string"}, "markers": NAMES,
        "future_tolerance": DURATION,
        "identify": _object({"window": DURATION, "policy": _choice("replay")}, ["window"]),
    }
    assert set(replay) == set(validate.REPLAY_KEYS)
    shared = {"type": ["object", "null"], "additionalProperties": {"$ref": "#/$defs/property"}}
    top = {
        "contract": _object({"name": {"type": "string"}, "version": {"type": ["integer", "string"]},
                             "description": {"type": "string"}}, ["name", "version"]),
        "settings": _object(settings),
        "annotations": _object({key: {"type": "string"} for key in validate.ANNOTATION_KEYS}),
        "scope": _object({key: NAMES for key in validate.SCOPE_KEYS}),
        "identity": _object(identity),
        "traits": _object(traits),
        "replay": _object(replay),
        "properties": shared,
        "shapes": {"type": ["object", "null"], "additionalProperties": _object({
            "description": {"type": "string"},
            "properties": shared,
            "undeclared_properties": _choice("undeclared_properties"),
        })},
        "common_properties": shared,
        "events": {"type": ["object", "null"], "additionalProperties": {"$ref": "#/$defs/event"}},
    }
    assert set(top) == set(validate.TOP_KEYS)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "gen contract.yaml",
        "description": "A RudderStack → Customer.io tracking plan for gen (docs/contract.md).",
        "type": "object",
        "required": ["contract", "events"],
        "properties": top,
        "patternProperties": {"^x-": {"description": "Ignored: room for YAML anchors."}},
        "additionalProperties": False,
        "$defs": {"property": _property(), "event": _event()},
    }


def text() -> str:
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"
