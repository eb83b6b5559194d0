"""contract.yaml → generated/transformation.js: load → validate → model → render → write."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .diagnostics import ContractError, Diagnostic, has_errors
from .load import load
from .model import Contract, build_model
from .render import render
from .validate import validate
from .write import drift, write

__all__ = [
    "BuildResult",
    "Contract",
    "ContractError",
    "Diagnostic",
    "build",
    "compile_contract",
    "drift",
    "write",
]


@dataclass
class BuildResult:
    """Diagnostics, and (when there are no errors) the model and the rendered files."""

    diagnostics: list[Diagnostic]
    contract: Contract | None = None
    files: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


def compile_contract(text: str, file: str = "contract.yaml", *, name: str | None = None) -> BuildResult:
    """Load, validate, model and render a contract's text; nothing touches the disk.

    `file` is how diagnostics name the contract; `name` (default: its last part) is how the
    generated code names it, so no path of this machine reaches the output.
    """
    loaded = load(text, file)
    diagnostics = list(loaded.diagnostics)
    if loaded.data is not None or not diagnostics:
        diagnostics += validate(loaded.data, loaded.source)
    diagnostics.sort()
    if has_errors(diagnostics):
        return BuildResult(diagnostics)
    contract = build_model(loaded.data, loaded.source, name or Path(file).name)
    return BuildResult(diagnostics, contract, render(contract))


def build(contract_path: Path, out_dir: Path) -> BuildResult:
    """Compile the contract file and write the generated files, only when there are no errors."""
    result = compile_contract(contract_path.read_text(encoding="utf-8"), str(contract_path))
    if result.ok:
        write(result.files, out_dir)
    return result
