"""The generated code's own regular expressions run on any value an event carries: each is
linear, or runs only on values whose length the code checks first (item 1 of the hardening issue)."""

from __future__ import annotations

import re
from pathlib import Path

from generator.contract import reference, regex

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# A regular-expression literal: `/…/flags` not preceded by something that makes it a division.
LITERAL = re.compile(r"(?<![\w)\]'\"])/(?![/*\s])((?:\\.|\[(?:\\.|[^\]\\])*\]|[^/\n\\\[])+)/([gimsuy]*)")
# Super-linear ones, and the length check that bounds each (a constant the code compares
# the value's length with before matching).
GUARDED = {
    r"^[^\s@]+@[^\s@]+\.[^\s@]+$": "EMAIL_LENGTH",
    r"^(-)?\s*(?:[$€£¥₹]\s*)?(-)?(\d{1,3}(?:,\d{3})+|\d+)?(\.\d+)?\s*(?:[$€£¥₹])?$": "AMOUNT_LENGTH",
    r"[^#0-9A-Za-z\u0080-\uFFFF]+$": "PHONE_LENGTH",
}


def test_every_regex_in_the_templates_is_linear_or_length_checked() -> None:
    text = "".join(path.read_text(encoding="utf-8") for path in sorted(TEMPLATES.iterdir()))
    found = [m.group(1) for m in LITERAL.finditer(text)]
    assert len(found) >= 10, "the literal scanner found too few regular expressions"
    for source in found:
        complexity = regex.analyze(source)
        if complexity.kind == "linear":
            continue
        assert source in GUARDED, f"/{source}/ is {complexity.kind} (degree {complexity.degree}) and unguarded"
        assert complexity.kind == "polynomial" and complexity.degree == 1, source
        guard = GUARDED[source]
        assert re.search(rf"\.length\s*(?:>|<=)\s*{guard}\b", text), f"no length check against {guard}"


def test_the_phone_plans_patterns_are_linear_or_run_on_bounded_text() -> None:
    # libphonenumber's patterns travel as data (generator/contract/data/phone.json) and run only
    # on a phone number's text, which parsePhone bounds by PHONE_LENGTH before anything else.
    plans = reference.phone_plans()
    sources = [plan[index] for plan in plans["regions"].values() for index in (1, 2, 4) if plan[index]]
    sources.append("(?:" + plans["extension"] + ")$")
    kinds = [regex.analyze(source) for source in sources]
    assert len(sources) > 600
    assert all(k.kind == "linear" or (k.kind == "polynomial" and k.degree <= 2) for k in kinds)
    phone = (TEMPLATES / "phone.js").read_text(encoding="utf-8")
    first_line = r"function parsePhone\(text, region\) \{\n  if \(text\.length > PHONE_LENGTH\) return undefined;"
    assert re.search(first_line, phone)
