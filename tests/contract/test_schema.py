"""The published JSON Schema of contract.yaml: current, valid, and never stricter than gen's validator."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from generator.contract import compile_contract, mutations, schema, structure
from generator.contract.load import load

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
    accepted = 0
    for data in _mutants(300, 8):
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


def _mutants(count: int, seed: int) -> list[Any]:
    base = mutations.load(ROOT / "tests" / "contract" / "cases" / "example" / "contract.yaml")
    return list(mutations.seeded(base, count, seed))


def test_gens_grammar_walker_agrees_with_jsonschema() -> None:
    """structure.py reads the grammar as a JSON Schema validator does (600 seeded mutations)."""
    for data in _mutants(600, 11):
        assert bool(structure.problems(data, schema.GRAMMAR)) == bool(list(VALIDATOR.iter_errors(data))), data


def test_the_validator_says_everything_the_grammar_forbids_in_its_own_words() -> None:
    """Where the grammar finds a problem, the validator has already reported that part (250 mutations)."""
    validate = importlib.import_module("generator.contract.validate")
    for data in _mutants(250, 12):
        text = yaml.safe_dump(data, allow_unicode=True)
        loaded = load(text, "contract.yaml")
        if not isinstance(loaded.data, dict):
            continue
        checked = validate.Validator(loaded.data, loaded.source)
        checked.run()
        for path, _, message in structure.problems(loaded.data, schema.GRAMMAR):
            assert any(path[:len(done)] == done or done[:len(path)] == path for done in checked.faulted), message


def test_the_grammar_stops_what_a_hand_check_would_miss(monkeypatch: pytest.MonkeyPatch) -> None:
    """With a block's own checks gone, the grammar still reports it, at its line and column."""
    validate = importlib.import_module("generator.contract.validate")
    monkeypatch.setattr(validate.Validator, "settings_block", lambda self, root: None)
    text = "contract: {name: x, version: 1}\nsettings:\n  on_violation: dorp\n  colour: red\nevents: {A: {}}\n"
    result = compile_contract(text, "contract.yaml")
    assert [str(d) for d in result.diagnostics] == [
        "contract.yaml:3:17: error: `settings.on_violation` must be one of flag, drop, not 'dorp'; "
        "did you mean 'drop'?",
        "contract.yaml:4:3: error: unknown key 'colour' in `settings` (expected one of: match_variants, "
        "unplanned_events, undeclared_properties, on_violation, batch_dedupe, on_invalid, default_region, "
        "true_values, false_values, normalize)",
    ]


def test_the_validators_vocabulary_is_the_grammars() -> None:
    validate = importlib.import_module("generator.contract.validate")
    grammar = schema.schema()
    assert tuple(grammar["properties"]) == validate.TOP_KEYS
    assert tuple(grammar["$defs"]["event"]["properties"]) == validate.EVENT_KEYS
    assert tuple(grammar["$defs"]["property"]["properties"]) == validate.PROPERTY_KEYS
    assert tuple(grammar["properties"]["settings"]["properties"]) == validate.SETTINGS_KEYS
