"""JavaScript value semantics the runtime needs on the Python side: truthiness, String(), JSON text."""

from __future__ import annotations

import json
import math
from typing import Any


def truthy(value: Any) -> bool:
    """JavaScript truthiness of a JSON-decoded value (empty objects and arrays are truthy)."""
    if value is None or value is False or value is UNDEFINED:
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value != 0 and not (isinstance(value, float) and math.isnan(value))
    if isinstance(value, str):
        return value != ""
    return True


def number_text(value: float | int) -> str:
    """Number.prototype.toString for a finite number (ECMA-262 Number::toString)."""
    if isinstance(value, int) and abs(value) <= 2**53:
        return str(value)
    value = float(value)
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    mantissa, _, exponent = repr(abs(value)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    if whole == "0":
        significant = fraction.lstrip("0")
        n = len(significant) - len(fraction)
    else:
        significant = whole + fraction
        n = len(whole)
    n += int(exponent) if exponent else 0
    digits = significant.rstrip("0")
    k = len(digits)
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * (-n) + digits
    e = n - 1
    shown = digits if k == 1 else digits[0] + "." + digits[1:]
    return f"{sign}{shown}e{'+' if e > 0 else '-'}{abs(e)}"


class _Undefined:
    """JavaScript's undefined, where Python's None already means null."""

    def __repr__(self) -> str:
        return "undefined"


UNDEFINED: Any = _Undefined()


def string(value: Any) -> str:
    """String(value) for a JSON-decoded value (or UNDEFINED)."""
    if value is UNDEFINED:
        return "undefined"
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return number_text(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ",".join("" if item is None else string(item) for item in value)
    return "[object Object]"


def same_value_key(value: Any) -> Any:
    """A hashable key equal for two values exactly when a JavaScript Set would treat them as one."""
    if value is UNDEFINED:
        return ("undefined",)
    if value is None:
        return ("null",)
    if isinstance(value, bool):
        return ("boolean", value)
    if isinstance(value, (int, float)):
        return ("number", float(value))
    if isinstance(value, str):
        return ("string", value)
    return ("object", id(value))


def dumps(value: Any, indent: int | None = None) -> str:
    """JSON text as JavaScript's JSON.stringify writes it (numbers included)."""
    parts: list[str] = []
    _encode(value, parts, indent, 0)
    return "".join(parts)


def _encode(value: Any, out: list[str], indent: int | None, level: int) -> None:
    if value is None:
        out.append("null")
    elif value is UNDEFINED:
        raise TypeError("undefined has no JSON text")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, (int, float)):
        out.append(number_text(value) if math.isfinite(value) else "null")
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        _container(out, "[", "]", [(None, item) for item in value], indent, level)
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        _container(out, "{", "}", list(value.items()), indent, level)
    else:
        raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def _container(
    out: list[str], open_: str, close: str, items: list[tuple[Any, Any]], indent: int | None, level: int
) -> None:
    out.append(open_)
    for position, (key, item) in enumerate(items):
        if position:
            out.append(",")
        if indent is not None:
            out.append("\n" + " " * (indent * (level + 1)))
        if key is not None:
            out.append(json.dumps(str(key), ensure_ascii=False))
            out.append(": " if indent is not None else ":")
        _encode(item, out, indent, level + 1)
    if indent is not None:
        out.append("\n" + " " * (indent * level))
    out.append(close)
