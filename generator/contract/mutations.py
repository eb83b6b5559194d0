"""Hostile edits of a contract, and the check that gen survives each (build, or diagnose).

Used by tests/contract/test_hostile_contracts.py and bench/contract_fuzz.py.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from ..runtime import Transformation
from . import compile_contract, manifest

VALUES: tuple[Any, ...] = (
    None, "", " ", [], {}, 0, -1, 1.5, 1e308, True, "constructor", "__proto__", "toString", "prototype",
    "a\x00b", "\ud800", "\u2028x", "*/ evil", "</script>", "x" * 3000, {"type": "string"}, ["a"], [[["deep"]]],
    "^(a+)+$", "(?i:abc)", "(?<a>x)|(?<a>y)", "Identity", "traits", "enforceIdentity", {"a": None}, [None], 10**30,
    "1h", "0s", "-5m", "🎉", "\t", "\\", "phone", "timezone", "NO", "UK", "nfc", "remove", {"window": "1d"},
)
KEYS: tuple[str, ...] = ("constructor", "__proto__", "", "a\x00b", "\ud800", "Identity", "toString", "<<", "x-y")
EVENTS: tuple[dict[str, Any], ...] = (
    {"type": "track", "event": "Order Completed", "messageId": "m-1", "userId": "u-1",
     "properties": {"order_id": "1", "revenue": "$5", "currency": "usd",
                    "products": [{"price": 1, "quantity": 1, "sku": "s"}]},
     "timestamp": "2024-01-01T00:00:00Z", "receivedAt": "2024-01-01T00:00:00Z"},
    {"type": "identify", "messageId": "m-2", "userId": "a@b.co",
     "traits": {"email": " A@B.co ", "firstName": "x", "constructor": 1}},
    {"type": "track", "event": "whatever", "messageId": "m-3", "anonymousId": "a",
     "properties": {"constructor": {"prototype": 1}}},
    {"type": "track", "event": "Checkout Started", "messageId": "m-4", "anonymousId": "a",
     "context": {"traits": {"email": "Guest@B.co"}}, "properties": {"amount": "NaN", "rating": "5"}},
    {"type": "identify", "messageId": "m-5", "userId": "u-1", "timestamp": "2020-01-01T00:00:00Z",
     "receivedAt": "2024-01-01T00:00:00Z", "traits": {"name": "Mateo Rossi", "phone": ["n/a", "212.555.0110"],
                                                       "timezone": "pst", "sms_opt_in": "Y"}},
)


def load(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        return None


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every node of the data, as a path of keys and positions."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, (*prefix, index))


def replace(root: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return copy.deepcopy(value)
    data = copy.deepcopy(root)
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = copy.deepcopy(value)
    return data


def seeded(root: Any, count: int, seed: int) -> Iterator[Any]:
    """COUNT copies of ROOT, each with one node (chosen by SEED) replaced by one of VALUES."""
    nodes = list(paths(root))
    rng = random.Random(seed)
    for _ in range(count):
        yield replace(root, rng.choice(nodes), rng.choice(VALUES))


def rename_key(root: Any, path: tuple[Any, ...], key: str) -> Any:
    """The data with the key at `path` renamed (None when `path` is not a mapping key)."""
    if not path or isinstance(path[-1], int):
        return None
    data = copy.deepcopy(root)
    node = data
    for part in path[:-1]:
        node = node[part]
    items = list(node.items())
    node.clear()
    for name, value in items:
        node[key if name == path[-1] else name] = value
    return data


def check(data: Any) -> str | None:
    """None when gen survives the contract `data`; else what went wrong."""
    try:
        text = yaml.safe_dump(data, allow_unicode=False, sort_keys=False)
    except yaml.YAMLError:
        return None  # not representable as YAML: nobody can write it
    try:
        result = compile_contract(text, "contract.yaml")
        for diagnostic in result.diagnostics:
            str(diagnostic).encode("utf-8")
        if not result.ok:
            return None
        code = result.files["transformation.js"]
        code.encode("utf-8")
        if result.contract is not None and manifest.read(code) != manifest.of(result.contract):
            return "the build's gen:replay lines do not read back as its contract's manifest"
        answer = Transformation(code, "transformation.js").run(list(EVENTS), metadata={"destinationType": "CUSTOMERIO"})
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    for entry in answer.response:
        if entry["statusCode"] == 400:
            return f"an event failed: {str(entry['error'])[:300]}"
        if "Unknown-Violation" in str(entry.get("output")):
            return f"internal error: {str(entry.get('output'))[:300]}"
    return None
