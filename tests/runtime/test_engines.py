"""Both engines give the same answers: every runtime fixture case and every hostile transformation.

QuickJS is gen's default engine; V8 (a Node.js host, v8.py) is the engine RudderStack
runs. Where they must differ, the difference is listed here with its reason, and
docs/runtime.md says the same.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from generator import fixtures
from generator.runtime import RequestFailed, Transformation, jsvalues, v8

HERE = Path(__file__).parent
CASES = list(fixtures.iter_cases(sorted(HERE.glob("*.fixture.yaml"))))
HOSTILE = sorted((HERE / "hostile").glob("*.js"))
REQUEST = json.loads((HERE / "hostile" / "request.json").read_text(encoding="utf-8"))
# QuickJS counts columns differently from V8 (docs/runtime.md); lines agree.
_COLUMN = re.compile(r"(\w:\d+):\d+(\)|\]|$)", re.MULTILINE)

# Case id -> why the engines answer differently. Keep docs/runtime.md in step.
DIFFERENCES: dict[str, str] = {}

pytestmark = pytest.mark.skipif(not v8.available(), reason="the v8 engine needs Node.js (pip install '.[v8]')")


def _comparable(result: fixtures.RunResult | str) -> str:
    if isinstance(result, str):
        return result
    value = {"response": result.response, "logs": result.logs, "warnings": result.warnings}
    return _COLUMN.sub(r"\1:*\2", jsvalues.dumps(value, indent=2))


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_fixture_cases_answer_the_same_on_both_engines(case: fixtures.Case) -> None:
    if case.id in DIFFERENCES:
        pytest.xfail(DIFFERENCES[case.id])
    assert _comparable(fixtures.execute(case, "v8")) == _comparable(fixtures.execute(case, "quickjs"))


def _hostile(code: str, name: str, engine: str) -> Any:
    try:
        result = Transformation(code, name, engine=engine).run(
            REQUEST["events"], metadata=REQUEST["metadata"], credentials=REQUEST["credentials"],
            test_mode=True, new_message_id=lambda: "(new messageId)",
        )
    except RequestFailed:
        return {"request_fails": True}
    return {"response": result.response, "logs": result.logs}


@pytest.mark.parametrize("path", HOSTILE, ids=[p.stem for p in HOSTILE])
def test_hostile_transformations_answer_as_rudderstack_on_v8_to_the_column(path: Path) -> None:
    """On V8 the recorded answers match exactly, stack columns included (QuickJS matches up to columns)."""
    expected = json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))
    got = _hostile(path.read_text(encoding="utf-8"), path.name, "v8")
    assert jsvalues.dumps(got, indent=2) == jsvalues.dumps(expected, indent=2)
