"""Every event gen's generated code drops says why (a log line), so gen replay can report it."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import fixtures
from generator.contract.drops import drop_reasons, drops

ROOT = Path(__file__).resolve().parents[1]
CASES = sorted(p.parent for p in (ROOT / "contract" / "cases").glob("*/contract.yaml"))
KINDS = ("email-user-id", "no-person", "unplanned-event", "violations", "replay", "duplicate")


@pytest.mark.parametrize("case_dir", CASES, ids=[c.name for c in CASES])
def test_every_drop_of_the_generated_code_has_a_reason(case_dir: Path) -> None:
    drops = 0
    for case in fixtures.iter_cases([case_dir]):
        if case.contract is None:
            continue
        result = fixtures.execute(case)
        if isinstance(result, str):
            continue
        reasons = drop_reasons(result.logs)
        for entry in result.response:
            if entry["statusCode"] != 298:
                continue
            drops += 1
            message_id = entry["metadata"]["messageId"]
            assert message_id in reasons, f"{case.id}: {message_id} dropped without a reason"
            assert reasons[message_id].split(":")[0] in KINDS, reasons[message_id]
    if case_dir.name in ("policies_drop", "identity_drop_email", "dedupe_batch"):
        assert drops > 0, "the case is meant to drop events"


def test_reasons_are_read_only_from_gens_own_log_lines() -> None:
    logs = ['Log: gen: dropped {"messageId":"m1","reason":"replay: older than the 4h replay window (policy: drop)"}',
            'Log: gen: dropped {"messageId":"m1","reason":"later"}',
            "Log: something else",
            "Log: gen: dropped not json",
            'Log: gen: dropped {"messageId":null,"reason":"no id"}']
    assert drop_reasons(logs) == {"m1": "replay: older than the 4h replay window (policy: drop)"}


def test_every_drop_is_kept_with_its_event() -> None:
    logs = ['Log: gen: dropped {"messageId":"m1","type":"track","event":"Order Line","derived":true,"reason":"u: x"}',
            'Log: gen: dropped {"messageId":"m1","type":"track","event":"Order Line","derived":false,"reason":"u: x"}',
            'Log: gen: dropped {"messageId":"m2","reason":"from a build that logged no name"}',
            'Log: gen: dropped {"messageId":3,"type":{},"event":7,"reason":"odd"}']
    assert drops(logs) == [
        {"messageId": "m1", "type": "track", "event": "Order Line", "derived": True, "reason": "u: x"},
        {"messageId": "m1", "type": "track", "event": "Order Line", "derived": False, "reason": "u: x"},
        {"messageId": "m2", "type": None, "event": None, "derived": None, "reason": "from a build that logged no name"},
        {"messageId": 3, "type": None, "event": None, "derived": None, "reason": "odd"}]
