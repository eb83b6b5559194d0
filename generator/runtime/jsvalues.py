"""JavaScript value semantics the runtime needs on the Python side: truthiness, String(), JSON text."""

from __future__ import annotations

import json
import math
import re
from typing import Any

import orjson


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


def value_key(value: Any) -> str:
    """A JSON value (a messageId, say) as text a dict can key: a string as itself, anything
    else as its JSON after a NUL, so that 7 and "7" stay apart and a list or an object can key too."""
    return value if isinstance(value, str) else "\0" + json.dumps(value, sort_keys=True, default=str)


def dumps(value: Any, indent: int | None = None, *, overflow_infinity: bool = False) -> str:
    """JSON text as JavaScript's JSON.stringify writes it (numbers included), at any depth.

    Lone surrogates are escaped (`\\ud800`), as JSON.stringify does, so the text is
    always valid UTF-8. With `overflow_infinity`, infinities are written as `1e400`,
    which JSON.parse turns back into Infinity (how an overflowing number in an event
    reaches RudderStack's V8); otherwise they are `null`, as JSON.stringify writes them.
    """
    out: list[str] = []
    newline = "\n" if indent is not None else ""
    colon = ": " if indent is not None else ":"
    # Each frame: (iterator over (key, item) pairs, closing bracket, depth, first?)
    stack: list[list[Any]] = []

    def scalar(item: Any) -> str | None:
        if item is None:
            return "null"
        if item is True:
            return "true"
        if item is False:
            return "false"
        if isinstance(item, str):
            return _quote(item)
        if isinstance(item, (int, float)):
            if math.isfinite(item):
                return number_text(item)
            if overflow_infinity and not math.isnan(item):
                return "1e400" if item > 0 else "-1e400"
            return "null"
        if item is UNDEFINED:
            raise TypeError("undefined has no JSON text")
        return None

    def open_container(item: Any, level: int) -> None:
        if isinstance(item, dict):
            if not item:
                out.append("{}")
                return
            out.append("{")
            stack.append([iter(item.items()), "}", level, True])
        elif isinstance(item, (list, tuple)):
            if not item:
                out.append("[]")
                return
            out.append("[")
            stack.append([iter((None, element) for element in item), "]", level, True])
        else:
            raise TypeError(f"cannot encode {type(item).__name__} as JSON")

    text = scalar(value)
    if text is not None:
        return text
    open_container(value, 0)
    while stack:
        frame = stack[-1]
        pair = next(frame[0], None)
        if pair is None:
            stack.pop()
            if indent is not None:
                out.append(newline + " " * (indent * frame[2]))
            out.append(frame[1])
            continue
        key, item = pair
        if not frame[3]:
            out.append(",")
        frame[3] = False
        if indent is not None:
            out.append(newline + " " * (indent * (frame[2] + 1)))
        if key is not None:
            out.append(_quote(str(key)) + colon)
        text = scalar(item)
        if text is not None:
            out.append(text)
        else:
            open_container(item, frame[2] + 1)
    return "".join(out)


# A surrogate left alone in a Python str (a paired one is read as one character): it has
# no UTF-8 form.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def escape_lone_surrogates(text: str) -> str:
    """Each lone surrogate as its `\\udXXX` escape, as JSON.stringify writes one."""
    if not LONE_SURROGATE.search(text):
        return text
    return LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _quote(text: str) -> str:
    return escape_lone_surrogates(json.dumps(text, ensure_ascii=False))


class JSONError(ValueError):
    """Text that is not JSON; `line`, `column` (1-based) and `msg` say where and why."""

    def __init__(self, msg: str, text: str, position: int) -> None:
        self.msg = msg
        self.line = text.count("\n", 0, position) + 1
        self.column = position - (text.rfind("\n", 0, position) + 1) + 1
        super().__init__(f"{msg}: line {self.line} column {self.column}")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


# An integer of 19 digits or more may not fit orjson's 64 bits, which it would read as
# a float where the standard library keeps an int: such text goes to the standard library.
# (Translating every byte to "0" for a digit and " " otherwise finds a run 6x faster than re.)
_DIGITS = bytes(48 if 48 <= b <= 57 else 32 for b in range(256))
_LONG_RUN = b"0" * 19


def loads(text: str) -> Any:
    """Parse strict JSON (no NaN or Infinity literals) at any nesting depth."""
    try:
        data: bytes | None = text.encode("utf-8")
    except UnicodeEncodeError:
        data = None  # a lone surrogate, which orjson refuses too
    if data is not None and _LONG_RUN not in data.translate(_DIGITS):
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            # Invalid JSON, or what orjson refuses and the standard library reads (a lone
            # surrogate escape, an overflowing number, deep nesting): the path below decides.
            pass
    try:
        return json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        return _loads_deep(text)
    except json.JSONDecodeError as exc:
        raise JSONError(exc.msg, text, exc.pos) from None
    except ValueError as exc:
        match = re.search(r"-?(?:NaN|Infinity)", text)
        raise JSONError(str(exc), text, match.start() if match else 0) from None


_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_LITERALS = (("true", True), ("false", False), ("null", None))


def _skip(text: str, position: int) -> int:
    return _WHITESPACE.match(text, position).end()  # type: ignore[union-attr]


def _loads_deep(text: str) -> Any:
    """The same grammar as json.loads, with an explicit stack instead of recursion."""
    from json.decoder import scanstring  # type: ignore[attr-defined]

    # Each frame: [container, the key its next value goes under (objects)].
    stack: list[list[Any]] = []
    position = _skip(text, 0)

    def fail(message: str) -> JSONError:
        return JSONError(message, text, position)

    def key() -> None:
        """Read `"name":` at `position` into the open object's frame."""
        nonlocal position
        if not text.startswith('"', position):
            raise fail("Expecting property name enclosed in double quotes")
        name, position = scanstring(text, position + 1)
        position = _skip(text, position)
        if not text.startswith(":", position):
            raise fail("Expecting ':' delimiter")
        stack[-1][1] = name
        position = _skip(text, position + 1)

    try:
        while True:
            # A value starts at `position`.
            if position >= len(text):
                raise fail("Expecting value")
            char = text[position]
            value: Any
            if char in "{[":
                empty = "}" if char == "{" else "]"
                position = _skip(text, position + 1)
                container: Any = {} if char == "{" else []
                if not text.startswith(empty, position):
                    stack.append([container, None])
                    if char == "{":
                        key()
                    continue
                position += 1
                value = container
            elif char == '"':
                value, position = scanstring(text, position + 1)
            else:
                number = _NUMBER.match(text, position)
                if number is not None:
                    whole = number.group()
                    value = float(whole) if number.group(1) or number.group(2) else int(whole)
                    position = number.end()
                else:
                    for word, literal in _LITERALS:
                        if text.startswith(word, position):
                            value = literal
                            position += len(word)
                            break
                    else:
                        raise fail("Expecting value")
            # A complete value: attach it, then close containers as far as the text says.
            while True:
                position = _skip(text, position)
                if not stack:
                    if position != len(text):
                        raise fail("Extra data")
                    return value
                container, name = stack[-1]
                if isinstance(container, dict):
                    container[name] = value
                else:
                    container.append(value)
                position = _skip(text, position)
                if text.startswith(",", position):
                    position = _skip(text, position + 1)
                    if isinstance(container, dict):
                        key()
                    break
                if text.startswith("}" if isinstance(container, dict) else "]", position):
                    position += 1
                    value = stack.pop()[0]
                    continue
                raise fail("Expecting ',' delimiter")
    except json.JSONDecodeError as exc:  # from scanstring: a bad string or escape
        raise JSONError(exc.msg, text, exc.pos) from None


def deepest(value: Any, object_cost: int = 1, array_cost: int = 1) -> int:
    """The costliest chain of nested containers in `value` (by default, how many deep), without recursion."""
    costliest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, above = stack.pop()
        children: Any
        if isinstance(node, dict):
            cost, children = above + object_cost, node.values()
        elif isinstance(node, (list, tuple)):
            cost, children = above + array_cost, node
        else:
            continue
        costliest = max(costliest, cost)
        stack.extend((child, cost) for child in children if isinstance(child, (dict, list, tuple)))
    return costliest
