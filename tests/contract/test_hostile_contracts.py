"""Items 2, 3, 5, 9 and 10 of the hardening issue, by mutation: any change to a valid contract either
builds a transformation that loads and never fails an event, or is reported as diagnostics.

Each example takes one contract (the example or a test contract), replaces one node's value
or one key with something hostile, and builds it. `python bench/contract_fuzz.py` runs every
node against every hostile value and prints the figures.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.contract import compile_contract, mutations

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = sorted((ROOT / "tests" / "contract" / "cases").glob("*/contract.yaml"))


@pytest.mark.parametrize("path", CONTRACTS, ids=[str(p.relative_to(ROOT)) for p in CONTRACTS])
def test_every_mutation_builds_or_is_diagnosed(path: Path) -> None:
    base = mutations.load(path)
    if base is None:
        pytest.skip(f"{path} is not valid YAML")
    nodes = list(mutations.paths(base))

    @settings(max_examples=100, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(nodes), st.sampled_from(mutations.VALUES), st.sampled_from(mutations.KEYS), st.booleans())
    def mutate(node: tuple[object, ...], value: object, key: str, rename: bool) -> None:
        data = mutations.rename_key(base, node, key) if rename else mutations.replace(base, node, value)
        if data is None:
            return
        problem = mutations.check(data)
        assert problem is None, f"{'.'.join(map(str, node))} → {key if rename else value!r}: {problem}"

    mutate()


@pytest.mark.parametrize("key", ["name", "version"])
def test_a_lone_surrogate_in_the_contracts_identity_is_an_error(key: str) -> None:
    """The name and version are written as text everywhere (stamps, the API, file names)."""
    head = {"name": "p", "version": "1"}
    head[key] = "x\ud800"
    text = yaml.safe_dump({"contract": head, "events": {"A": {}}}, allow_unicode=False)
    result = compile_contract(text, "contract.yaml")
    assert not result.ok
    assert any(f"`contract.{key}` holds a lone surrogate (\\ud800)" in d.message for d in result.diagnostics)
