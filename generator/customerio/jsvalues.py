"""The JavaScript library semantics RudderStack's Customer.io destination relies on, in Python.

The destination (rudder-transformer, src/v0/destinations/customerio) reads and writes
payloads through three npm packages whose edge cases decide where an event lands:
get-value 3 (dotted paths, inherited members), set-value 4 (dotted paths, escaped dots,
refusing unsafe keys) and validator 13's isEmail (id or email in a merge). This module
reproduces their observable behaviour on JSON values; it does not contain their code.
Values are Python JSON values, with `UNDEFINED` for JavaScript's undefined and `FUNCTION`
for an inherited method a path can reach (`traits.toString`), which JSON leaves out.
"""

from __future__ import annotations

import math
import re
import urllib.parse
from typing import Any

from ..runtime.jsvalues import UNDEFINED, string, truthy
from . import v8date


class _Function:
    """An inherited method (Object.prototype.toString) a path read reached."""

    def __repr__(self) -> str:
        return "FUNCTION"


FUNCTION = _Function()

# Members every object inherits: `key in object` is true for them (get-value uses `in`).
OBJECT_MEMBERS = frozenset({
    "constructor", "__proto__", "toString", "toLocaleString", "valueOf", "hasOwnProperty", "isPrototypeOf",
    "propertyIsEnumerable", "__defineGetter__", "__defineSetter__", "__lookupGetter__", "__lookupSetter__",
})
ARRAY_MEMBERS = OBJECT_MEMBERS | frozenset({
    "length", "at", "concat", "copyWithin", "entries", "every", "fill", "filter", "find", "findIndex", "findLast",
    "findLastIndex", "flat", "flatMap", "forEach", "includes", "indexOf", "join", "keys", "lastIndexOf", "map", "pop",
    "push", "reduce", "reduceRight", "reverse", "shift", "slice", "some", "sort", "splice", "toReversed", "toSorted",
    "toSpliced", "unshift", "values", "with",
})
UNSAFE_KEYS = ("__proto__", "constructor", "prototype")


class JSError(Exception):
    """An exception the destination's JavaScript would throw; `status` is the HTTP status it becomes."""

    def __init__(self, message: str, status: int = 500) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def to_string(value: Any) -> str:
    """String(value), which throws for an object whose own `toString` is not a function (JSON has none)."""
    if isinstance(value, dict):
        if "toString" in value:
            raise JSError("Cannot convert object to primitive value")
        return "[object Object]"
    if isinstance(value, list):
        return ",".join("" if item is None or item is UNDEFINED else to_string(item) for item in value)
    return string(value)


def is_object(value: Any) -> bool:
    return isinstance(value, (dict, list)) or value is FUNCTION


def _has(target: Any, key: str) -> bool:
    """JavaScript's `key in target` for a JSON object or array."""
    if isinstance(target, dict):
        return key in target or key in OBJECT_MEMBERS
    if isinstance(target, list):
        return (key.isdigit() and (key == "0" or not key.startswith("0")) and int(key) < len(target)) \
            or key in ARRAY_MEMBERS
    return False


def _member(target: Any, key: str) -> Any:
    if isinstance(target, dict):
        if key in target:
            return target[key]
        if key == "__proto__":
            return {}
        return FUNCTION if key in OBJECT_MEMBERS else UNDEFINED
    if isinstance(target, list):
        if key == "length":
            return len(target)
        if key.isdigit() and int(key) < len(target):
            return target[int(key)]
        return FUNCTION if key in ARRAY_MEMBERS else UNDEFINED
    return UNDEFINED


def get_value(target: Any, path: str) -> Any:
    """get-value 3: `a.b.c`, where a key may itself hold dots (`traits.a.b` finds traits["a.b"])."""
    if not is_object(target):
        return target if target is not None else None
    if _has(target, path):
        return _member(target, path)
    segments = path.split(".")
    index = 0
    while True:
        prop = segments[index]
        while prop and prop.endswith("\\"):
            index += 1
            prop = prop[:-1] + "." + (segments[index] if index < len(segments) else "")
        if _has(target, prop):
            target = _member(target, prop)
        else:
            found = False
            n = index + 1
            while n < len(segments):
                prop = prop + "." + segments[n]
                n += 1
                if _has(target, prop):
                    target = _member(target, prop)
                    index = n - 1
                    found = True
                    break
            if not found:
                return UNDEFINED
        index += 1
        if not (index < len(segments) and is_object(target)):
            break
    return target if index == len(segments) else UNDEFINED


def _split_path(path: str) -> list[str | int]:
    parts: list[str | int] = []
    part = ""

    def push(text: str) -> None:
        if text.strip() != "":
            try:
                number = float(text.strip()) if text.strip().lower() not in ("infinity", "-infinity", "nan") else None
            except ValueError:
                number = None
            if number is not None and number.is_integer() and re.fullmatch(r"\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*"
                                                                          r"|\s*0[xob][0-9a-f]+\s*", text, re.I):
                parts.append(int(number))
                return
        parts.append(text)

    index = 0
    while index < len(path):
        char = path[index]
        if char == "\\":
            index += 1
            part += path[index] if index < len(path) else "undefined"
        elif char == ".":
            push(part)
            part = ""
        else:
            part += char
        index += 1
    if part:
        push(part)
    return parts


def _validate_key(key: str | int) -> None:
    if isinstance(key, str) and key in UNSAFE_KEYS:
        raise JSError(f'Cannot set unsafe key: "{key}"')


def set_value(target: dict[str, Any], path: str, value: Any) -> None:
    """set-value 4: write at a dotted path (a backslash escapes a dot), creating objects on the way."""
    if not path:
        return
    _validate_key(path)
    keys = _split_path(path)
    node: Any = target
    for position, key in enumerate(keys):
        _validate_key(key)
        name = str(key)
        last = position == len(keys) - 1
        if last:
            _assign(node, name, value)
            return
        following = keys[position + 1]
        current = _member(node, name) if is_object(node) else UNDEFINED
        if isinstance(following, int) and not isinstance(current, list):
            current = []
            _assign(node, name, current)
        elif not is_object(current) or current is FUNCTION:
            current = {}
            _assign(node, name, current)
        node = current


def _assign(node: Any, key: str, value: Any) -> None:
    if isinstance(node, dict):
        if value is UNDEFINED:
            node.pop(key, None)
        else:
            node[key] = value
    elif isinstance(node, list) and key.isdigit():
        index = int(key)
        if value is UNDEFINED and index < len(node):
            node[index] = UNDEFINED
        elif value is not UNDEFINED:
            while len(node) <= index:
                node.append(UNDEFINED)
            node[index] = value


def field_value(message: Any, paths: tuple[str, ...]) -> Any:
    """RudderStack's getFieldValueFromMessage: the first path whose value is truthy, false or 0."""
    for path in paths:
        value = get_value(message, path)
        if truthy(value) or value is False or (isinstance(value, (int, float)) and not isinstance(value, bool)
                                               and value == 0):
            return value
    return None


def encode_uri_component(text: str) -> str:
    try:
        encoded = text.encode("utf-8")
    except UnicodeEncodeError:
        raise JSError("URI malformed") from None
    return urllib.parse.quote(encoded, safe="-_.!~*'()")


def truncate_utf8(text: str, limit: int) -> str:
    """truncate-utf8-bytes: at most `limit` UTF-8 bytes, never splitting a character."""
    size = 0
    for index, char in enumerate(text):
        size += len(char.encode("utf-8", "surrogatepass"))
        if size > limit:
            return text[:index]
    return text


# -- Dates ---------------------------------------------------------------------------

MAX_TIME = 8.64e15


def parse_date(text: str) -> float:
    """Date.parse as RudderStack's V8 answers it (v8date: ISO 8601, then V8's legacy parser)."""
    return v8date.parse(text)


def date_millis(value: Any) -> float:
    """new Date(value).getTime()."""
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        if not math.isfinite(value) or abs(value) > MAX_TIME:
            return math.nan
        return float(math.trunc(value)) + 0.0
    if isinstance(value, dict):
        to_string(value)  # ToPrimitive: throws where String() would
        return math.nan
    if isinstance(value, list):
        return parse_date(to_string(value))
    if value is UNDEFINED:
        return math.nan
    return parse_date(value) if isinstance(value, str) else math.nan


def unix_seconds(value: Any) -> float:
    """Math.floor(new Date(value).getTime() / 1000): NaN becomes null in the JSON body."""
    millis = date_millis(value)
    return math.nan if math.isnan(millis) else float(math.floor(millis / 1000))


# -- validator.isEmail (default options) ---------------------------------------------

_USER_PART = re.compile(r"^[a-z\d!#$%&'*+\-/=?^_`{|}~\u00A1-\uD7FF\uF900-\uFDCF\uFDF0-\uFFEF]+$", re.I)
_QUOTED_USER = re.compile(
    r"^([\s\x01-\x08\x0b\x0c\x0e-\x1f\x7f\x21\x23-\x5b\x5d-\x7e\u00A0-\uD7FF\uF900-\uFDCF\uFDF0-\uFFEF]"
    r"|(\\[\x01-\x09\x0b\x0c\x0d-\x7f\u00A0-\uD7FF\uF900-\uFDCF\uFDF0-\uFFEF]))*$", re.I)
_TLD = re.compile(r"^([a-z\u00A1-\u00A8\u00AA-\uD7FF\uF900-\uFDCF\uFDF0-\uFFEF]{2,}|xn[a-z0-9-]{2,})$", re.I)
_LABEL = re.compile(r"^[a-z_\u00a1-\uffff0-9-]+$", re.I)
_JS_SPACE = re.compile(r"[\s\u180e\ufeff]")


def _utf8_length(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def is_email(value: Any) -> bool:
    """validator.isEmail(value) with its default options; a non-string throws, as there."""
    if isinstance(value, dict) and "constructor" in value:
        # validator reads value.constructor.name to name the type it received.
        constructor = value["constructor"]
        if constructor is None:
            raise JSError("Cannot read properties of null (reading 'name')")
        name = constructor.get("name", UNDEFINED) if isinstance(constructor, dict) else UNDEFINED
        raise JSError(f"Expected a string but received a {to_string(name)}")
    if not isinstance(value, str):
        kind = "null" if value is None else "undefined" if value is UNDEFINED else {
            bool: "Boolean", int: "Number", float: "Number", list: "Array", dict: "Object"}.get(type(value), "Object")
        raise JSError(f"Expected a string but received a {kind}")
    if len(value.encode("utf-16-le", "surrogatepass")) // 2 > 254:
        return False
    user, _, domain = value.rpartition("@")
    if "@" not in value:
        user, domain = "", value
    if _utf8_length(user) > 64 or _utf8_length(domain) > 254:
        return False
    labels = domain.split(".")
    if len(labels) < 2 or not _TLD.match(labels[-1]) or _JS_SPACE.search(labels[-1]) or labels[-1].isdigit():
        return False
    for label in labels:
        if (len(label) > 63 or not _LABEL.match(label) or re.search(r"[\uff01-\uff5e]", label)
                or label.startswith("-") or label.endswith("-") or "_" in label):
            return False
    if len(user) >= 2 and user[0] == '"' and user[-1] == '"':
        return bool(_QUOTED_USER.match(user[1:-1]))
    return all(_USER_PART.match(part) for part in user.split("."))


def to_json(value: Any) -> Any:
    """A payload as JSON.stringify leaves it: undefined and functions gone, NaN null."""
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items() if v is not UNDEFINED and v is not FUNCTION}
    if isinstance(value, list):
        return [None if v is UNDEFINED or v is FUNCTION else to_json(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


__all__ = [
    "FUNCTION", "UNDEFINED", "JSError", "date_millis", "encode_uri_component", "field_value", "get_value",
    "is_email", "set_value", "string", "to_json", "to_string", "truncate_utf8", "truthy", "unix_seconds",
]
