"""Item 7 of the hardening issue: transform(transform(e)) == transform(e) on every fixture event of the test contracts.

Transformed exports get replayed: an output run through the same transformation again must
come back unchanged and alone (violations not appended twice, line items not derived twice).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import fixtures
from generator.fuzzing import METADATA
from generator.runtime import Transformation, jsvalues

CASES = Path(__file__).resolve().parents[1] / "contract" / "cases"
FIXTURES = sorted(p for p in CASES.rglob("*.fixture.yaml"))


@pytest.mark.parametrize("path", FIXTURES, ids=[str(p.relative_to(CASES)) for p in FIXTURES])
def test_outputs_are_fixed_points(path: Path) -> None:
    cases = fixtures.load(path)
    contract = cases[0].contract or (path.parent / "contract.yaml")
    code, problem = fixtures._build_contract(contract)
    assert code is not None, problem
    program = Transformation(code, "transformation.js")
    outputs = []
    for case in cases:
        metadata = {**METADATA, **case.metadata}
        result = program.run(case.events, metadata=metadata)
        outputs += [(entry["output"], metadata) for entry in result.response if entry["statusCode"] == 200]
    assert outputs
    changed = []
    for index, (output, metadata) in enumerate(outputs):
        item = {"message": output, "metadata": {**metadata, "messageId": f"again-{index}"}}
        again = program.run([item]).response
        if [entry.get("output") for entry in again] != [output]:
            changed.append(f"{jsvalues.dumps(output)}\n  became {jsvalues.dumps([e.get('output') for e in again])}")
    assert not changed, "\n".join(changed[:5])
