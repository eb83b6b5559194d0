"""Rules 19-23: failures that give every input event the same 400, or fail the request."""

from __future__ import annotations

import os

import pytest

from generator.runtime import Limits, RequestFailed, Transformation, v8

EVENTS = [{"event": "A", "messageId": "m-1"}, {"event": "B", "messageId": "m-2"}]


def every_event(error: str) -> list[dict[str, object]]:
    return [
        {"statusCode": 400, "metadata": {"messageId": "m-1"}, "error": error},
        {"statusCode": 400, "metadata": {"messageId": "m-2"}, "error": error},
    ]


def test_infinite_loop_times_out_and_the_next_run_works(load):
    looping = load("infinite_loop.js", limits=Limits(execution_timeout=0.5))
    assert looping.run(EVENTS).response == every_event("Error: Script execution timed out.")
    assert looping.run(EVENTS).response == every_event("Error: Script execution timed out.")
    identity = load("identity.js")
    assert [entry["output"] for entry in identity.run(EVENTS).response] == EVENTS


def test_memory_bomb_disposes_the_isolate_and_the_next_run_works(load):
    # 1 MiB chunks: see test_memory_bomb_is_reported_whatever_the_headroom_left for small ones.
    events = [{"messageId": f"m-{n}", "properties": {"chunk": 1 << 20}} for n in (1, 2)]
    response = load("memory_bomb.js", limits=Limits(memory_mb=32)).run(events).response
    assert response == every_event("Error: Isolate was disposed during execution due to memory limit")
    identity = load("identity.js", limits=Limits(memory_mb=32))
    assert [entry["output"] for entry in identity.run(EVENTS).response] == EVENTS


def test_memory_bomb_is_reported_whatever_the_headroom_left(load):
    # About one chunk size in twenty leaves the unlucky headroom; 234 of them make a miss all but certain.
    bomb = load("memory_bomb.js", limits=Limits(memory_mb=4))
    errors = {
        chunk: bomb.run([{"messageId": "m-1", "properties": {"chunk": chunk}}]).response[0]["error"]
        for chunk in range(200, 3000, 12)
    }
    wrong = {chunk: error for chunk, error in errors.items() if not error.endswith("due to memory limit")}
    assert wrong == {}


def test_memory_limit_cannot_be_caught_by_the_transformation(load, engine, request):
    if engine == "quickjs":
        request.applymarker(pytest.mark.xfail(
            strict=True,
            reason="QuickJS lets the transformation catch its out-of-memory error and carry on; V8 disposes the "
            "isolate, so RudderStack fails every event with the memory-limit error",
        ))
    response = load("memory_caught.js", limits=Limits(memory_mb=32)).run(EVENTS).response
    assert response == every_event("Error: Isolate was disposed during execution due to memory limit")


def test_unbounded_recursion_fails_only_that_event(load):
    events = [{"event": "ok", "messageId": "m-1"}, {"event": "recurse", "messageId": "m-2"}]
    response = load("recursion.js").run(events).response
    assert response == [
        {"statusCode": 400, "error": "RangeError: Maximum call stack size exceeded", "metadata": {"messageId": "m-2"}},
        {"output": {"event": "ok", "messageId": "m-1"}, "metadata": {"messageId": "m-1"}, "statusCode": 200},
    ]


def test_output_holding_a_function_cannot_be_cloned(load):
    assert load("function_output.js").run(EVENTS).response == every_event("Error: () => 1 could not be cloned.")


@pytest.mark.parametrize(
    ("file", "message"),
    [
        ("bigint_output.js", "TypeError: Do not know how to serialize a BigInt"),
        ("circular_output.js", "TypeError: Converting circular structure to JSON"),
    ],
)
def test_output_json_cannot_encode_fails_the_request(load, file, message):
    with pytest.raises(RequestFailed) as raised:
        load(file).run(EVENTS)
    assert str(raised.value) == message


def test_promise_that_never_settles_times_out(load):
    assert load("never_settles.js").run(EVENTS).response == every_event("Error: Error: Timed out")


@pytest.mark.skipif(os.name == "nt", reason="the stand-in host is a shell script")
def test_a_host_process_that_runs_out_of_memory_answers_as_a_disposed_isolate(tmp_path, monkeypatch):
    """Node sometimes cannot stop only the worker thread and the whole host dies of it: same answer, new host."""
    fake = tmp_path / "node"
    fake.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "-p" ]; then echo \'["22.22.3","12.4.254"]\'; exit 0; fi\n'
        "read header\n"
        "echo 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory' >&2\n"
        "exit 134\n",
        encoding="utf-8",
    )
    fake.chmod(0o755)
    monkeypatch.setenv("GEN_NODE", str(fake))
    monkeypatch.setattr(v8, "_host", None)
    code = "export function transformEvent(event) { return event; }"
    for reuse in (False, True):
        response = Transformation(code, "t.js", engine="v8", reuse_contexts=reuse).run(EVENTS).response
        assert response == every_event("Error: Isolate was disposed during execution due to memory limit")


@pytest.mark.skipif(not v8.available(), reason="the v8 engine needs Node.js (pip install '.[v8]')")
def test_a_host_process_killed_mid_request_is_replaced_once(monkeypatch):
    """The Node host dying (killed, not out of memory) is gen's failure, not the group's: a new host answers."""
    answer = v8.NodeHost.request
    kills = []

    def killed_first(self, header, payload="[]"):
        if not kills:
            kills.append(self._proc.pid)
            self._proc.kill()
            self._proc.wait()
        return answer(self, header, payload)

    monkeypatch.setattr(v8.NodeHost, "request", killed_first)
    code = "export function transformEvent(event) { return { ...event, seen: true }; }"
    response = Transformation(code, "t.js", engine="v8").run(EVENTS).response
    assert kills and [entry["statusCode"] for entry in response] == [200] * len(EVENTS)
    assert v8.host()._proc.pid != kills[0]

    def always_killed(self, header, payload="[]"):
        self._proc.kill()
        self._proc.wait()
        return answer(self, header, payload)

    monkeypatch.setattr(v8.NodeHost, "request", always_killed)
    with pytest.raises(RuntimeError, match="gen's V8 host stopped unexpectedly"):
        Transformation(code, "t.js", engine="v8").run(EVENTS)
