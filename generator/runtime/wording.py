"""V8's wording for the QuickJS error messages a transformation most often raises.

RudderStack runs transformations on V8, so its error strings use V8's messages.
Only the reported text is rewritten; code in the sandbox still sees QuickJS's
`error.message`. Messages not listed here keep QuickJS's wording (see docs/runtime.md).
"""

from __future__ import annotations

import re

_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"cannot read property '(.*)' of (undefined|null)", r"Cannot read properties of \2 (reading '\1')"),
        (r"cannot set property '(.*)' of (undefined|null)", r"Cannot set properties of \2 (setting '\1')"),
        (r"unexpected token in expression: '(.*)'", r"Unexpected token '\1'"),
        (r"unexpected token in expression: (.*)", r"Unexpected token \1"),
        (r"^invalid array length$", "Invalid array length"),
        (r"^cannot convert symbol to string$", "Cannot convert a Symbol value to a string"),
        (r"^expecting hex digit$", "URI malformed"),
        (r"^unexpected end of input$", "Unexpected end of input"),
    )
)


def v8_message(message: str) -> str:
    """A QuickJS error message in V8's words, when it is one of the common ones."""
    for pattern, replacement in _REWRITES:
        rewritten, count = pattern.subn(replacement, message, count=1)
        if count:
            return rewritten
    return message


def v8_error_text(text: str) -> str:
    """Rewrite the first line of an error string (`Name: message`) in V8's words."""
    first, newline, rest = text.partition("\n")
    name, sep, message = first.partition(": ")
    if not sep:
        return text
    return f"{name}{sep}{v8_message(message)}{newline}{rest}"
