"""The grammar of contract.yaml, as a JSON Schema (2020-12): one grammar for editors and gen.

Editors read it through yaml-language-server (`# yaml-language-server: $schema=…` at the top
of the contract) for completion and early squiggles. The validator (validate.py) takes its
keys and choices from it and checks every contract against it (structure.py), so the two
cannot disagree. What only the validator knows (alias collisions, patterns V8 refuses,
unknown `use` references) stays in validate.py.
"""

from __future__ import annotations

import functools
import json
from typing import Any

TYPES = (
    "string", "number", "integer", "boolean", "timestamp", "email", "currency", "enum", "object", "array", "phone",
    "timezone",
)
POLICIES = {
    "unplanned_events": ("pass", "flag", "drop"),
    "undeclared_properties": ("keep", "flag", "drop"),
    "on_violation": ("flag", "drop"),
    "require_ids": ("flag", "drop"),
    "email_user_id": ("flag", "move", "drop"),
    "replay": ("flag", "drop"),
    "on_invalid": ("keep", "remove"),
}
TIMESTAMP_OUTPUTS = ("iso", "unix_seconds")
NORMALIZE = ("nfc", "none")
MAX_DECIMALS = 12

DURATION = {"type": "string", "pattern": r"^\s*(\d+d)?(\d+h)?(\d+m)?(\d+s)?\s*$",
            "description": "A duration: 90s, 30m, 4h, 2d, 1h30m."}
# gen reads an empty (null) block or list as absent, so the schema lets every one be null.
NAMES = {"type": ["array", "null"], "items": {"type": "string"}}


def _choice(name: str) -> dict[str, Any]:
    return {"enum": list(POLICIES[name])}


def _object(properties: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": ["object", "null"], "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = required
    schema.update(extra)
    return schema


def _property() -> dict[str, Any]:
    keys = {
        "use": {"type": "string", "description": "A shared property (top-level `properties`) to take the rule from."},
        "type": {"enum": list(TYPES)},
        "required": {"type": "boolean"},
        "default": {"description": "Set when the property is absent; must be a valid value."},
        "description": {"type": "string"},
        "values": {"type": "array", "items": {"type": "string"}},
        "synonyms": {"type": ["object", "null"], "additionalProperties": NAMES},
        "pattern": {"type": "string"},
        "minimum": {"type": "number"},
        "maximum": {"type": "number"},
        "items": {"anyOf": [{"type": "string", "description": "A shape name."}, {"$ref": "#/$defs/property"}]},
        "properties": {"type": ["object", "null"], "additionalProperties": {"$ref": "#/$defs/property"}},
        "output": {"enum": list(TIMESTAMP_OUTPUTS)},
        "aliases": NAMES,
        "decimals": {"type": "integer", "minimum": 0, "maximum": MAX_DECIMALS},
        "on_invalid": _choice("on_invalid"),
        "normalize": {"enum": list(NORMALIZE)},
        "region": {"type": "string", "description": "A region code (US, GB, \"NO\")."},
    }
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
                               for key in ("from", "event", "copy", "parent_id", "index")}, ["from", "event"]),
    }
    return _object(keys)


def schema() -> dict[str, Any]:
    """The whole schema, as data (a fresh copy: callers may change it)."""
    copy: dict[str, Any] = json.loads(_text())
    return copy


@functools.lru_cache(maxsize=1)
def _text() -> str:
    return json.dumps(_build(), ensure_ascii=False)


def _build() -> dict[str, Any]:
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
        "normalize": {"enum": list(NORMALIZE)},
    }
    identity = {
        "primary_id": {"type": "string"},
        "require_ids": _choice("require_ids"),
        "email_user_id": _choice("email_user_id"),
        "user_id_pattern": {"type": "string"},
        "stitch": {"anyOf": [{"type": "boolean"},
                             _object({"email": NAMES, "events": NAMES})]},
    }
    traits = {
        "on_track": {"type": "boolean"},
        "undeclared": _choice("undeclared_properties"),
        "fields": {"type": ["object", "null"], "additionalProperties": {"$ref": "#/$defs/property"}},
        "derive_names": {"anyOf": [{"type": "boolean"},
                                   _object({key: {"type": "string"} for key in ("from", "first", "last")})]},
    }
    replay = {
        "flag": {"type": "string"}, "context": {"type": "string"}, "markers": NAMES,
        "future_tolerance": DURATION,
        "identify": _object({"window": DURATION, "policy": _choice("replay")}, ["window"]),
    }
    shared = {"type": ["object", "null"], "additionalProperties": {"$ref": "#/$defs/property"}}
    top = {
        "contract": _object({"name": {"type": "string"}, "version": {"type": ["integer", "string"]},
                             "description": {"type": "string"}}, ["name", "version"]),
        "settings": _object(settings),
        "annotations": _object({key: {"type": "string"} for key in ("violations", "flag", "repairs", "stamp")}),
        "scope": _object({key: NAMES for key in ("destination_types", "destination_ids")}),
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


GRAMMAR = schema()


def keys(*path: str) -> tuple[str, ...]:
    """The keys the grammar allows in the block at PATH (names of blocks, `$defs` for "property", "event")."""
    node = _node(path)
    return tuple(node["properties"])


def _node(path: tuple[str, ...]) -> dict[str, Any]:
    node: dict[str, Any] = GRAMMAR
    for part in path:
        if part in ("property", "event") and node is GRAMMAR:
            node = GRAMMAR["$defs"][part]
            continue
        node = node["properties"][part]
        if "anyOf" in node:
            node = next(branch for branch in node["anyOf"] if "properties" in branch)
        if "additionalProperties" in node and isinstance(node["additionalProperties"], dict) \
                and "properties" not in node:
            node = node["additionalProperties"]
    return node
