"""Helpers for the runtime's own tests: load the small transformations in transformations/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from generator.runtime import Limits, Transformation

TRANSFORMATIONS = Path(__file__).parent / "transformations"


@pytest.fixture
def load() -> Callable[..., Transformation]:
    """`load("identity.js", name=..., limits=...)`: a transformation from tests/runtime/transformations."""

    def _load(file: str, name: str | None = None, limits: Limits | None = None) -> Transformation:
        path = TRANSFORMATIONS / file
        return Transformation(path.read_text(encoding="utf-8"), name or file, limits=limits)

    return _load
