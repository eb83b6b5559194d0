"""docs/contract.md names every key and type the contract language accepts (the grammar is validate.py)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

# `generator.contract.validate` is also the name of a function the package exports.
validate = importlib.import_module("generator.contract.validate")

DOC = (Path(__file__).resolve().parents[1] / "docs" / "contract.md").read_text(encoding="utf-8")
GROUPS = {
    name: getattr(validate, name)
    for name in dir(validate)
    if name.endswith("_KEYS") or name in ("TYPES", "NORMALIZE", "TIMESTAMP_OUTPUTS", "TRUE_WORDS", "FALSE_WORDS")
}


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_every_key_is_documented(group: str) -> None:
    missing = [key for key in GROUPS[group] if f"`{key}`" not in DOC and f"{key}:" not in DOC]
    assert not missing, f"docs/contract.md does not mention {group}: {missing}"

