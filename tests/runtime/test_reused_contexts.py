"""The V8 engine's reused contexts (gen replay's default) answer as fresh ones.

A reused context runs the module's top level again for every group and is dropped as
soon as a group changes anything in the realm (v8host.cjs, docs/runtime.md). These tests
run each transformation several times in a row on one reusing Transformation, so that a
change one request left behind would show in the next, and compare every answer with the
answer of a fresh context.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from generator import fixtures
from generator.runtime import Limits, RequestFailed, Transformation, v8

HERE = Path(__file__).parent
TRANSFORMATIONS = sorted((HERE / "transformations").glob("*.js")) + sorted((HERE / "hostile").glob("*.js"))
REQUEST = json.loads((HERE / "hostile" / "request.json").read_text(encoding="utf-8"))
CASES = list(fixtures.iter_cases(sorted(HERE.glob("*.fixture.yaml"))))
# Transformations that take seconds (time and memory limits): the last tests cover those limits.
SLOW = {"infinite_loop", "memory_bomb", "memory_caught", "never_settles"}

pytestmark = pytest.mark.skipif(not v8.available(), reason="the v8 engine needs Node.js (pip install '.[v8]')")


def _answer(program: Transformation) -> Any:
    try:
        result = program.run(REQUEST["events"], metadata=REQUEST["metadata"], credentials=REQUEST["credentials"],
                             test_mode=True, new_message_id=lambda: "(new messageId)")
    except RequestFailed as exc:
        return {"request_fails": str(exc)}
    return {"response": result.response, "logs": result.logs}


@pytest.mark.parametrize("path", [p for p in TRANSFORMATIONS if p.stem not in SLOW], ids=lambda p: p.stem)
def test_every_request_in_a_reused_context_answers_as_a_fresh_context(path: Path) -> None:
    code = path.read_text(encoding="utf-8")
    fresh = _answer(Transformation(code, path.name, engine="v8"))
    reusing = Transformation(code, path.name, engine="v8", reuse_contexts=True)
    assert [_answer(reusing) for _ in range(3)] == [fresh] * 3


def test_realm_changes_never_reach_the_next_request() -> None:
    program = Transformation((HERE / "transformations" / "realm_leaks.js").read_text(encoding="utf-8"),
                             "realm_leaks.js", engine="v8", reuse_contexts=True)
    answers = [_answer(program) for _ in range(3)]
    seen = answers[0]["response"][0]["output"]["properties"]["seen"]
    assert seen == {
        "globalProperty": "undefined", "mapFlag": True, "stackTraceLimit": 10, "regexpInput": "",
        "regexpLastMatch": "", "regexpParen": "", "mathExtensible": True, "jsonToString": "[object JSON]",
        "iteratorNext": "undefined", "functionPrototype": "undefined", "unscopables": True,
        "logExtra": "undefined", "dateProto": True, "varFromEval": "undefined",
    }
    assert answers == [answers[0]] * 3
    # Every run changed the realm, so none of them ran in the context another one used.
    assert program.reused_groups == 0


def test_a_transformation_that_leaves_the_realm_alone_keeps_its_context() -> None:
    code = (HERE / "transformations" / "identity.js").read_text(encoding="utf-8")
    program = Transformation(code, "identity.js", engine="v8", reuse_contexts=True)
    answers = [_answer(program) for _ in range(4)]
    assert answers == [answers[0]] * 4
    assert program.reused_groups >= 3


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_fixture_cases_answer_the_same_in_reused_contexts(case: fixtures.Case, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = fixtures.execute(case, "v8")
    original = Transformation.__init__

    def reusing(self: Transformation, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **{**kwargs, "reuse_contexts": True})

    monkeypatch.setattr(Transformation, "__init__", reusing)
    for _ in range(2):
        again = fixtures.execute(case, "v8")
        assert repr(again) == repr(fresh)


CONTRACTS = sorted((HERE.parent / "contract" / "cases").glob("*/contract.yaml"))


@pytest.mark.parametrize("path", CONTRACTS, ids=lambda p: p.parent.name)
def test_generated_code_is_always_reusable(path: Path) -> None:
    """gen's own output qualifies (no `arguments`, `eval` or `import`; one export): replay's speed rests on it."""
    from generator.contract import compile_contract

    code = compile_contract(path.read_text(encoding="utf-8"), "contract.yaml").files["transformation.js"]
    program = Transformation(code, "transformation.js", engine="v8", reuse_contexts=True)
    fresh = _answer(Transformation(code, "transformation.js", engine="v8"))
    assert [_answer(program) for _ in range(3)] == [fresh] * 3
    assert program.reused_groups == 2


def test_code_a_function_body_would_read_differently_is_never_reused() -> None:
    """`arguments` at a module's top level is a ReferenceError; in a function body it is not."""
    code = "const seen = typeof arguments;\nexport function transformEvent(event) { return { ...event, seen }; }\n"
    program = Transformation(code, "t.js", engine="v8", reuse_contexts=True)
    answers = [_answer(program) for _ in range(3)]
    assert answers == [_answer(Transformation(code, "t.js", engine="v8"))] * 3
    assert program.reused_groups == 0


def test_an_export_word_in_a_comment_or_string_is_not_taken_for_the_keyword() -> None:
    code = ("// export function transformEvent(event) { return null; }\n"
            "const note = 'export function transformEvent';\n"
            "export function transformEvent(event) { return { ...event, note }; }\n")
    program = Transformation(code, "t.js", engine="v8", reuse_contexts=True)
    answers = [_answer(program) for _ in range(3)]
    assert answers == [_answer(Transformation(code, "t.js", engine="v8"))] * 3
    assert program.reused_groups == 2


def test_a_stack_overflow_runs_again_in_a_fresh_context() -> None:
    """Warm frames are smaller, so warm code overflows deeper: such a group is answered by a fresh context."""
    code = (HERE / "transformations" / "recursion.js").read_text(encoding="utf-8")
    events = [{"type": "track", "event": "ok", "messageId": "m-1"},
              {"type": "track", "event": "recurse", "messageId": "m-2"}]
    fresh = Transformation(code, "recursion.js", engine="v8").run(events).response
    program = Transformation(code, "recursion.js", engine="v8", reuse_contexts=True)
    for _ in range(3):
        assert program.run(events).response == fresh
    assert program.reused_groups == 0
    assert "Maximum call stack size exceeded" in fresh[0]["error"]


def test_running_out_of_memory_is_decided_in_a_fresh_worker() -> None:
    """Warm contexts share the worker's heap: a group that runs out there runs again alone."""
    code = (HERE / "transformations" / "memory_bomb.js").read_text(encoding="utf-8")
    # 1 MiB chunks under a 32 MB limit, as tests/runtime/test_runtime_whole_run_failures.py runs it.
    events = [{"messageId": f"m-{n}", "properties": {"chunk": 1 << 20}} for n in (1, 2)]
    limits = Limits(memory_mb=32)
    fresh = Transformation(code, "memory_bomb.js", engine="v8", limits=limits).run(events).response
    program = Transformation(code, "memory_bomb.js", engine="v8", limits=limits, reuse_contexts=True)
    assert [program.run(events).response for _ in range(2)] == [fresh] * 2
    assert all(entry["error"].endswith("due to memory limit") for entry in fresh)
