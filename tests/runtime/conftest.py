"""Helpers for the runtime's own tests: load the small transformations in transformations/.

Every test that loads one runs on both engines: QuickJS and, where Node.js is
installed, V8 (generator/runtime/v8.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from generator.runtime import Limits, Transformation, v8

TRANSFORMATIONS = Path(__file__).parent / "transformations"
ENGINES = ["quickjs", "v8"] if v8.available() else ["quickjs"]


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def load(engine: str) -> Callable[..., Transformation]:
    """`load("identity.js", name=..., limits=...)`: a transformation from tests/runtime/transformations."""

    def _load(file: str, name: str | None = None, limits: Limits | None = None) -> Transformation:
        path = TRANSFORMATIONS / file
        return Transformation(path.read_text(encoding="utf-8"), name or file, limits=limits, engine=engine)

    return _load
