"""The one place contract values become JavaScript source text.

Templates only lay text out; every value from the contract reaches the generated
code through `js_literal` (a JSON-based literal), `comment_text` (text safe
inside a `//` comment) or `comment_json` (JSON data inside a `//` comment).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from ..runtime.jsvalues import number_text

# JSON allows U+2028/U+2029 inside strings, where JavaScript before ES2019 ends a line; a
# lone surrogate cannot be written as UTF-8 at all. Both travel as escapes.
_ESCAPE_IN_STRINGS = re.compile("[\u2028\u2029\ud800-\udfff]")
# In a comment: JavaScript's line terminators end it; other control characters, lone
# surrogates and the byte-order mark are shown as escapes, so the file stays plain text.
_LINE_TERMINATORS = re.compile("\r\n|[\n\r\u2028\u2029]")
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufeff]")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def _string(text: str) -> str:
    return _ESCAPE_IN_STRINGS.sub(_escape, json.dumps(text, ensure_ascii=False))


def js_literal(value: Any) -> str:
    """A JavaScript expression equal to `value` (JSON data: dicts, lists, str, numbers, bools, None)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} has no JSON literal")
        return number_text(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(js_literal(item) for item in value) + "]"
    if isinstance(value, dict):
        parts = []
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"object keys must be strings, not {key!r}")
            # In an object literal `"__proto__": x` sets the prototype; a computed key makes a property.
            name = f"[{_string(key)}]" if key == "__proto__" else _string(key)
            parts.append(f"{name}: {js_literal(item)}")
        return "{ " + ", ".join(parts) + " }" if parts else "{}"
    raise TypeError(f"cannot write {type(value).__name__} as a JavaScript literal")


def comment_text(value: Any) -> str:
    """Text that stays inside one `//` comment: line terminators become spaces, other control
    characters and lone surrogates are written as `\\uXXXX`."""
    return _UNPRINTABLE.sub(_escape, _LINE_TERMINATORS.sub(" ", str(value)))


def comment_json(value: Any) -> str:
    """`value` as one line of JSON that stays inside a `//` comment: everything outside
    ASCII printable text is escaped, so no line terminator can end the comment."""
    return json.dumps(value, ensure_ascii=True, allow_nan=False)


def printable(text: str) -> str:
    """`text` with control characters and lone surrogates written as `\\uXXXX`, for messages."""
    return _UNPRINTABLE.sub(_escape, text)
