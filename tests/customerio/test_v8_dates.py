"""The destination's `new Date(value)`: gen's port of V8's date parser against V8's own answers.

tests/customerio/v8_dates.json holds strings (ISO forms, the legacy forms SDKs and backends
send, and random junk) with what Date.parse answered in V8 with TZ=UTC. To regenerate it
with a newer V8: run each string through `Date.parse` in Node with TZ=UTC and store
[string, milliseconds or null].
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from generator.customerio import v8date

DATA = json.loads((Path(__file__).parent / "v8_dates.json").read_text(encoding="utf-8"))


def test_every_string_parses_as_v8_parses_it() -> None:
    wrong = []
    for text, expected in DATA["cases"]:
        got = v8date.parse(text)
        if (None if math.isnan(got) else got) != expected:
            wrong.append((text, expected, got))
    assert not wrong, wrong[:10]
    assert len(DATA["cases"]) > 500


def test_the_forms_events_carry() -> None:
    assert v8date.parse("2024-03-01T10:00:00.000Z") == 1709287200000
    assert v8date.parse("2024-03-01 10:00:00") == 1709287200000  # no zone: local, UTC on RudderStack
    assert v8date.parse("2") == 980985600000  # V8 reads a lone number as a month of 2001
    assert math.isnan(v8date.parse("N/A"))
