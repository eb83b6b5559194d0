"""The one place contract values become JavaScript source text.

Templates only lay text out; every value from the contract reaches the generated
code through `js_literal` (a JSON-based literal) or `comment_text` (text safe
inside a `//` comment).
"""

from __future__ import annotations

import json
import math
from typing import Any

from ..runtime.jsvalues import number_text

# JSON allows these inside strings; JavaScript before ES2019 ends a line at them.
_LINE_SEPARATORS = {"\u2028": "\\u2028", "\u2029": "\\u2029"}


def _string(text: str) -> str:
    out = json.dumps(text, ensure_ascii=False)
    for raw, escaped in _LINE_SEPARATORS.items():
        out = out.replace(raw, escaped)
    return out


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
    """Text that stays inside one `//` comment: JavaScript's line terminators become spaces."""
    text = str(value)
    for terminator in ("\r\n", "\n", "\r", "\u2028", "\u2029"):
        text = text.replace(terminator, " ")
    return text
