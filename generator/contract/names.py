"""Event-name spelling variants: the one normalization both the validator and the generated code use."""

from __future__ import annotations

import re

_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_SEPARATORS = re.compile(r"[\s_.\-]+")


def variant_key(name: str) -> str:
    """`Order Completed`, `order_completed`, `order-completed`, `orderCompleted` → `order completed`.

    Mirrored by `variantKey` in templates/runtime.js; tests check that the two agree.
    """
    return _SEPARATORS.sub(" ", _CAMEL.sub(r"\1 \2", name)).strip().lower()
