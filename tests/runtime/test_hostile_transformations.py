"""Item 12 of the hardening issue: tampered built-ins change RudderStack's wrapper, never what leaves the isolate.

Each case in tests/runtime/hostile is a transformation and RudderStack's recorded answer.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from generator.runtime import RequestFailed, Transformation, jsvalues

HERE = Path(__file__).parent / "hostile"
REQUEST = json.loads((HERE / "request.json").read_text(encoding="utf-8"))
CASES = sorted(HERE.glob("*.js"))
_COLUMN = re.compile(r"(:\d+):\d+\)")


def _answer(code: str, name: str) -> Any:
    try:
        result = Transformation(code, name).run(
            REQUEST["events"], metadata=REQUEST["metadata"], credentials=REQUEST["credentials"],
            test_mode=True, new_message_id=lambda: "(new messageId)",
        )
    except RequestFailed:
        return {"request_fails": True}
    return {"response": result.response, "logs": result.logs}


def _comparable(value: Any) -> str:
    return _COLUMN.sub(r"\1:*)", jsvalues.dumps(value, indent=2))


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_tampering_answers_as_rudderstack(path: Path) -> None:
    expected = json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))
    assert _comparable(_answer(path.read_text(encoding="utf-8"), path.name)) == _comparable(expected)


def test_every_case_has_an_answer() -> None:
    missing = [p.name for p in CASES if not p.with_suffix(".expected.json").exists()]
    assert not missing
