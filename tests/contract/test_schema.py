"""The published JSON Schema of contract.yaml: current, valid, and never stricter than gen's validator."""

from __future__ import annotations

import random
from pathlib import Path

import jsonschema
import pytest
import yaml

from generator.contract import compile_contract, mutations, schema

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = [ROOT / "contract.yaml", *sorted((ROOT / "tests" / "contract" / "cases").glob("*/contract.yaml"))]
VALIDATOR = jsonschema.Draft202012Validator(schema.schema())


def test_the_committed_schema_is_current() -> None:
    committed = (ROOT / "docs" / "contract.schema.json").read_text(encoding="utf-8")
    assert committed == schema.text(), "docs/contract.schema.json is stale: gen schema --out docs/contract.schema.json"
    jsonschema.Draft202012Validator.check_schema(schema.schema())


@pytest.mark.parametrize("path", CONTRACTS, ids=[str(p.relative_to(ROOT)) for p in CONTRACTS])
def test_every_contract_gen_accepts_is_valid(path: Path) -> None:
    errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in VALIDATOR.iter_errors(mutations.load(path))]
    assert not errors


def test_mutated_contracts_gen_accepts_are_valid_too() -> None:
    """Squiggles in an editor never flag what gen builds (300 seeded mutations of the example)."""
    base = mutations.load(ROOT / "tests" / "contract" / "cases" / "example" / "contract.yaml")
    nodes = list(mutations.paths(base))
    rng = random.Random(8)
    accepted = 0
    for _ in range(300):
        data = mutations.replace(base, rng.choice(nodes), rng.choice(mutations.VALUES))
        result = compile_contract(yaml.safe_dump(data, allow_unicode=True), "contract.yaml")
        if result.ok:
            accepted += 1
            errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in VALIDATOR.iter_errors(data)]
            assert not errors, errors
    assert accepted > 20


def test_a_misspelt_key_is_flagged_where_it_is() -> None:
    data = {"contract": {"name": "x", "version": 1}, "events": {"A": {"propertes": {}}}}
    (error,) = VALIDATOR.iter_errors(data)
    assert list(error.path) == ["events", "A"] and "propertes" in error.message
