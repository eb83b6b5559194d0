"""The contract's structure checked against the grammar (schema.py), as the validator reports it.

A small walker for the part of JSON Schema the grammar uses (type, enum, properties,
additionalProperties, patternProperties, required, items, anyOf, $ref, minimum, maximum,
pattern). The validator (validate.py) runs it after its own checks and reports what they
did not already say at the same place, so nothing the grammar forbids gets through.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from typing import Any

from .load import Path

Problem = tuple[Path, bool, str]  # where, whether the key (not the value) is at fault, what

_JSON_TYPES = {"object": "a mapping", "array": "a list", "string": "a string", "number": "a number",
               "integer": "a whole number", "boolean": "true or false", "null": "empty"}


def problems(data: Any, grammar: dict[str, Any]) -> list[Problem]:
    return list(_walk(data, grammar, grammar, ()))


def kind_of(value: Any) -> str:
    """What a loaded YAML value is, in diagnostics' words ("a list", "null")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


def _is(value: Any, kind: str) -> bool:
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "null":
        return value is None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return kind == "number" or isinstance(value, int) or float(value).is_integer()


def _types(node: dict[str, Any]) -> list[str]:
    kind = node.get("type")
    return [kind] if isinstance(kind, str) else list(kind or [])


def _resolve(node: dict[str, Any], grammar: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        found: Any = grammar
        for part in node["$ref"].lstrip("#/").split("/"):
            found = found[part]
        node = found
    return node


def _name(path: Path) -> str:
    return "`" + ".".join(str(part) for part in path) + "`" if path else "the contract"


def _walk(value: Any, node: dict[str, Any], grammar: dict[str, Any], path: Path) -> Iterator[Problem]:
    node = _resolve(node, grammar)
    if "anyOf" in node:
        branches = [_resolve(b, grammar) for b in node["anyOf"]]
        fitting = [b for b in branches if not _types(b) or any(_is(value, t) for t in _types(b))]
        if not fitting:
            wanted = " or ".join(_JSON_TYPES[t] for b in branches for t in _types(b) if t != "null")
            yield path, False, f"{_name(path)} must be {wanted}, not {kind_of(value)}"
            return
        results = [list(_walk(value, b, grammar, path)) for b in fitting]
        if not any(not found for found in results):
            yield from results[0]
        return
    kinds = _types(node)
    if kinds and not any(_is(value, t) for t in kinds):
        wanted = " or ".join(_JSON_TYPES[t] for t in kinds if t != "null") or "empty"
        yield path, False, f"{_name(path)} must be {wanted}, not {kind_of(value)}"
        return
    if "enum" in node and not any(value == choice and type(value) is type(choice) for choice in node["enum"]):
        choices = [str(c) for c in node["enum"]]
        close = difflib.get_close_matches(str(value), choices, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        yield path, False, f"{_name(path)} must be one of {', '.join(choices)}, not {value!r}{hint}"
        return
    if isinstance(value, bool):
        return
    if isinstance(value, (int, float)):
        if "minimum" in node and value < node["minimum"]:
            yield path, False, f"{_name(path)} must be at least {node['minimum']}, not {value!r}"
        if "maximum" in node and value > node["maximum"]:
            yield path, False, f"{_name(path)} must be at most {node['maximum']}, not {value!r}"
    if isinstance(value, str) and "pattern" in node and re.search(node["pattern"], value) is None:
        what = node.get("description", f"text matching {node['pattern']}").rstrip(".")
        yield path, False, f"{_name(path)} must be {what[0].lower() + what[1:]}, not {value!r}"
    if isinstance(value, list) and isinstance(node.get("items"), dict):
        for index, item in enumerate(value):
            yield from _walk(item, node["items"], grammar, (*path, index))
    if isinstance(value, dict):
        yield from _mapping(value, node, grammar, path)


def _mapping(value: dict[str, Any], node: dict[str, Any], grammar: dict[str, Any], path: Path) -> Iterator[Problem]:
    named = node.get("properties", {})
    for key in node.get("required", []):
        if key not in value:
            yield path, True, f"{_name(path)} needs `{key}`"
    for key, item in value.items():
        if key in named:
            yield from _walk(item, named[key], grammar, (*path, key))
            continue
        patterned = [n for p, n in node.get("patternProperties", {}).items() if re.search(p, str(key))]
        if patterned:
            continue
        extra = node.get("additionalProperties", True)
        if extra is False:
            close = difflib.get_close_matches(str(key), list(named), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f" (expected one of: {', '.join(named)})"
            yield (*path, key), True, f"unknown key '{key}' in {_name(path)}{hint}"
        elif isinstance(extra, dict):
            yield from _walk(item, extra, grammar, (*path, key))
