"""pytest plugin: fixture files (`*.fixture.yaml|yml|json`, rudder-cli specs) become test items, one per case."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from . import fixtures


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("gen")
    group.addoption(
        "--gen-update",
        action="store_true",
        default=False,
        help="gen fixtures: write golden files (and rudder-cli output files) instead of comparing.",
    )


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if fixtures.is_fixture_file(file_path) or fixtures.is_rudder_cli_spec(file_path):
        return FixtureFile.from_parent(parent, path=file_path)
    return None


class FixtureFile(pytest.File):
    def collect(self) -> Any:
        try:
            cases = fixtures.load(self.path)
        except fixtures.FixtureError as exc:
            raise self.CollectError(str(exc)) from exc
        for case in cases:
            yield FixtureCase.from_parent(self, name=case.name, case=case)


class FixtureCaseFailed(Exception):
    """A fixture case whose outputs differ from its expectations."""


class FixtureCase(pytest.Item):
    def __init__(self, *, case: fixtures.Case, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        outcome = fixtures.run_case(self.case, update=bool(self.config.getoption("gen_update")))
        if not outcome.passed:
            raise FixtureCaseFailed(outcome.report)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, FixtureCaseFailed):
            return f"{self.case.id}\n{excinfo.value}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"gen fixture: {self.case.name}"


@pytest.fixture
def gen_update(request: pytest.FixtureRequest) -> bool:
    """True under `pytest --gen-update`: golden files should be rewritten, not compared."""
    return bool(request.config.getoption("gen_update"))
