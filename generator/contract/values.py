"""What a valid, already-canonical value of each contract type is (used to check defaults)."""

from __future__ import annotations

import math
import re
from typing import Any

from . import patterns, reference

ISO_TIMESTAMP = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"
)
EMAIL = re.compile(r"^[^\s@]+@[^\s@]+\.[^\s@]+$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
BLANK_LIKE = ("", "null", "undefined", "nan")


def check_value(spec: dict[str, Any], value: Any) -> str | None:
    """None when `value` is what the generated code would output for this property, else the reason."""
    kind = spec.get("type")
    if value is None:
        return "must not be null"
    if kind in ("string", "email", "currency", "timestamp", "enum", "phone", "timezone") and not isinstance(value, str):
        return f"must be a string for type {kind}"
    if isinstance(value, str) and value.strip().lower() in BLANK_LIKE:
        return "must not be blank (a blank-like value counts as missing)"
    if kind == "string":
        if value != value.strip():
            return "must not start or end with spaces (strings are trimmed)"
        pattern = spec.get("pattern")
        if isinstance(pattern, str) and not patterns.verdict(pattern).error:
            limit = patterns.limit(pattern)
            if limit is not None and len(value) > limit:
                return f"is longer than the {limit} characters its pattern is checked on"
            if not patterns.test(pattern, value):
                return f"does not match the pattern {pattern!r}"
    elif kind == "email":
        if value != value.strip().lower() or not EMAIL.match(value):
            return "must be a trimmed, lower-case email address"
    elif kind == "currency":
        if not CURRENCY.match(value):
            return "must be a three-letter upper-case currency code"
    elif kind == "timestamp":
        if not ISO_TIMESTAMP.match(value):
            return "must be an ISO 8601 UTC timestamp like 2024-01-02T03:04:05.000Z"
    elif kind == "enum":
        values = spec.get("values")
        if not isinstance(values, list) or value not in values:
            return "must be one of the enum's `values`"
    elif kind == "phone":
        if not E164.match(value):
            return "must be a phone number in E.164 form, such as +12125550110"
    elif kind == "timezone":
        if value not in reference.timezones():
            return "must be an IANA time zone name, such as America/New_York"
    elif kind in ("number", "integer"):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return f"must be a number for type {kind}"
        if kind == "integer" and not float(value).is_integer():
            return "must be a whole number for type integer"
        decimals = spec.get("decimals")
        if isinstance(decimals, int) and not isinstance(decimals, bool) and round(value, decimals) != value:
            return f"must have at most {decimals} decimals"
        low, high = spec.get("minimum"), spec.get("maximum")
        if isinstance(low, (int, float)) and not isinstance(low, bool) and value < low:
            return f"is below the minimum {low}"
        if isinstance(high, (int, float)) and not isinstance(high, bool) and value > high:
            return f"is above the maximum {high}"
    elif kind == "boolean":
        if not isinstance(value, bool):
            return "must be true or false"
    elif kind == "object":
        if not isinstance(value, dict):
            return "must be a mapping for type object"
    elif kind == "array" and not isinstance(value, list):
        return "must be a list for type array"
    return None
